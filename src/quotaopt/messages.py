"""Every sentence a user reads is written here: one function per message code.

A problem, finding or reason is structured data — a code and its parameters (numbers kept
exact, names as the user wrote them); :func:`render` turns it into words. This is the one
place a translation (gettext) hooks in; numbers are written by :mod:`quotaopt.numfmt`.

Not every producer has moved here yet: docs/architecture.md lists the ones that still build
their own sentences.

>>> render("unknown_variant", {"name": "old", "hint": " (did you mean 'old-ratio'?)",
...                            "choices": ("baseline", "old-ratio")})
"no variant named 'old' (did you mean 'old-ratio'?); the scenario has: baseline, old-ratio"
>>> render("relaxed_limit", {"where": "unit X", "rule": "senior cap", "limit": 2,
...                          "relaxed": 3})
'unit X: the senior cap of 2 would have to be 3 (+1)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .numfmt import exact

#: code → the function that writes its sentence (keyword parameters only).
CATALOGUE: dict[str, Callable[..., str]] = {}


def message(code: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register the function that writes the sentence of ``code``."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        if code in CATALOGUE:
            raise ValueError(f"message code {code!r} defined twice")
        CATALOGUE[code] = fn
        return fn

    return register


def render(code: str, params: Mapping[str, Any]) -> str:
    """The sentence of a message code with its parameters."""
    return CATALOGUE[code](**params)


# --------------------------------------------------------------------------------------------
# Input


@message("invalid_input")
def invalid_input() -> str:
    return "invalid input"


@message("problems_found")
def problems_found(count: int, shown: int) -> str:
    head = f"{count} problems found"
    return head + (":" if shown == count else f" (the first {shown} shown):")


@message("more_problems")
def more_problems(count: int) -> str:
    return f"… and {count} more"


@message("unknown_variant")
def unknown_variant(name: str, hint: str, choices: Sequence[str]) -> str:
    return f"no variant named {name!r}{hint}; the scenario has: " + ", ".join(choices)


# --------------------------------------------------------------------------------------------
# Infeasibility


@message("more_conflicts")
def more_conflicts(count: int, kinds: Sequence[tuple[str, int]], total: int) -> str:
    listed = ", ".join(f"{n} {rule}" for rule, n in kinds)
    return (f"… and {count} more units/pools with the same kinds of conflict ({listed}); "
            f"all {total} are listed by quotaopt.diagnose(scenario, variant).conflicts in "
            "Python")


@message("relaxed_limit")
def relaxed_limit(where: str, rule: str, limit: Fraction, relaxed: Fraction) -> str:
    sign = "+" if relaxed > limit else "−"
    return (f"{where}: the {rule} of {exact(limit)} would have to be {exact(relaxed)} "
            f"({sign}{exact(abs(Fraction(relaxed) - Fraction(limit)))})")


@message("least_relaxation")
def least_relaxation(posts: Fraction) -> str:
    return (f"no plan meets every rule at once; the least relaxation (elastic model, "
            f"{exact(posts)} post(s) in all) is:")


@message("more_relaxed_limits")
def more_relaxed_limits(count: int) -> str:
    return f"… and {count} more relaxed limits"


@message("relaxation_needs_nothing")
def relaxation_needs_nothing(unit_ids: Sequence[str]) -> str:
    return (f"the solver found no plan for the units {', '.join(unit_ids)}, but the elastic "
            "relaxation needs no rule relaxed; this is a bug in quotaopt, please report it")


@message("relaxation_no_answer")
def relaxation_no_answer(detail: str) -> str:
    return f"the elastic relaxation found no answer in time ({detail}); raise --time-limit"


# --------------------------------------------------------------------------------------------
# Status of a run or a comparison


@message("run_infeasible")
def run_infeasible(reasons: Sequence[str]) -> str:
    return "error: the scenario is infeasible:\n" + "\n".join(f"  - {r}" for r in reasons)


@message("run_not_proven")
def run_not_proven() -> str:
    return ("error: time limit reached before the plan was proven optimal; the plan shown "
            "(and written) is the best found, NOT proven optimal — raise --time-limit")


@message("run_no_solution")
def run_no_solution(message: str) -> str:
    return f"error: no plan found: {message}; raise --time-limit or choose another --solver"


@message("compare_not_all_optimal")
def compare_not_all_optimal(failed: Sequence[tuple[str, str]]) -> str:
    return ("error: not every variant has a proven optimal plan: "
            + ", ".join(f"{n} {s}" for n, s in failed))
