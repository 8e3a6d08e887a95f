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


# --------------------------------------------------------------------------------------------
# Provenance (explain and audit reports)


@message("provenance")
def provenance(input_hash: Any, quotaopt_version: Any, backend: Any, version: Any,
               created_at: Any) -> str:
    return (f"provenance: input {input_hash} · quotaopt {quotaopt_version} · solver "
            f"{backend} ({version}) · {created_at}")


@message("no_sources")
def no_sources() -> str:
    return "sources: the scenario cites none (add `source = \"…\"` to its rules)"


@message("source")
def source(rule: str, source: str) -> str:
    return f"source ({rule}): {source}"


# --------------------------------------------------------------------------------------------
# Audit findings


@message("audit_head")
def audit_head(plan: str, scenario: str, variant: str, units: int) -> str:
    return f"audit of {plan} against scenario {scenario} · variant {variant} · {units} units"


@message("note")
def note(text: str) -> str:
    return f"note: {text}"


@message("audit_clean")
def audit_clean() -> str:
    return "no violations: the plan keeps every rule of the policy"


@message("audit_violations")
def audit_violations(count: int) -> str:
    return f"{count} violation(s):"


@message("audit_violation")
def audit_violation(unit_id: str, name: str, pool: str, rule: str, allowed: Any, actual: Any,
                    detail: str) -> str:
    if unit_id:
        who = f"unit {unit_id}" + (f" ({name})" if name != unit_id else "")
    else:
        who = f"pool {pool}" if pool else "all units"
    return f"  - {who}: {rule}: allowed {allowed}, plan has {actual} — {detail}"


@message("audit_distance")
def audit_distance(appointments_from: str, senior: int, intermediate: int, weighted: str,
                   optimum_status: str | None, optimum: Mapping[str, Any] | None,
                   left: Mapping[str, Any] | None, proven: bool) -> str:
    counts = f"{senior} senior + {intermediate} intermediate"
    if appointments_from == "plan":
        line = f"the plan appoints {counts} title-holders (weighted {weighted})"
    else:
        line = (f"the plan's posts make room for {counts} appointments (weighted "
                f"{weighted}; the file has no appointed_* columns)")
    if not optimum or left is None:
        return (f"distance from the optimum: {line}; the optimum is unknown: "
                f"{optimum_status}")
    gap = Fraction(left["weighted"])
    if gap > 0:
        tail = (f"it leaves {left['senior']} senior and {left['intermediate']} intermediate "
                f"appointments (weighted {left['weighted']}) on the table")
    elif gap == 0:
        tail = "it appoints as many as the optimum"
    else:
        tail = "it appoints more than any plan that keeps the rules can"
    return (f"distance from the optimum: {line}; the optimal plan"
            f"{'' if proven else ' (NOT proven optimal)'} appoints "
            f"{optimum['appointed_senior']} + {optimum['appointed_intermediate']} (weighted "
            f"{optimum['weighted_appointments']}): {tail}")


@message("audit_later_stages")
def audit_later_stages(plan: Mapping[str, Any], optimum: Mapping[str, Any]) -> str:
    text = (f"  base caps (stage 2): the plan's posts are {plan['distance_from_base_caps']} "
            f"from the caps without the junior-to-intermediate allowance, the optimum's "
            f"{optimum['distance_from_base_caps']}")
    if optimum.get("distance_from_quotas") is not None:
        text += (f"; pooled quotas (stage 3, largest remainder): "
                 f"{plan['distance_from_quotas']}, the optimum's "
                 f"{optimum['distance_from_quotas']}")
    return text


# --------------------------------------------------------------------------------------------
# Rule changes between variants


@message("rule_change")
def rule_change(label: str, before: str | None, after: str | None) -> str:
    if before is None:
        return f"{label} added: {after}"
    if after is None:
        return f"{label} removed: {before}"
    return f"{label} {before} → {after}"


@message("rules_of_baseline")
def rules_of_baseline() -> str:
    return "the baseline itself"


@message("rules_unchanged")
def rules_unchanged() -> str:
    return "no change in the rules"


# --------------------------------------------------------------------------------------------
# The command line's own lines


@message("interrupted")
def interrupted() -> str:
    return "interrupted"


@message("interrupted_after")
def interrupted_after(written: Sequence[str]) -> str:
    if not written:
        return "interrupted; no result files were changed"
    return "interrupted; the results were written already: " + ", ".join(written)


@message("error")
def error(text: str) -> str:
    return f"error: {text}"


@message("environment_error")
def environment_error(where: str, reason: str) -> str:
    return f"error: {where}: {reason}; check the path, the free space and the permissions"


@message("internal_error")
def internal_error(kind: str, what: str, version: str) -> str:
    return (f"internal error: {kind}: {what} — this is a bug in quotaopt {version}; please "
            "report it with the input files (run with --debug for the traceback)")


@message("warning")
def warning(text: str) -> str:
    return f"warning: {text}"


@message("scenario_ok")
def scenario_ok(path: str, name: str, variants: Sequence[str]) -> str:
    return f"{path}: OK — scenario {name!r}, variants: " + ", ".join(variants)


@message("wrote")
def wrote(paths: Sequence[str]) -> str:
    return "wrote " + ", ".join(paths)


@message("init_done")
def init_done(scenario: str, units: str, out: str) -> str:
    return (f"wrote {scenario} and {units}\nnext: quotaopt validate {scenario}\n"
            f"      quotaopt run {scenario} --out {out}")
