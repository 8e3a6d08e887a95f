"""What quotaopt can say about a variant's feasibility, for Python users: the conflicts of
:mod:`quotaopt.feasibility` (exact, with the smallest changes) and the slacks of the elastic
relaxation (:mod:`quotaopt.relax`)."""

from __future__ import annotations

from dataclasses import dataclass

from .caps import compute_limits
from .feasibility import (
    MAX_REASONS,
    Conflict,
    decimal_at_least,
    find_conflicts,
    fmt_num,
    fmt_pct,
    precheck,
    smallest_total,
    threshold,
)
from .relax import Slack, elastic, infeasibility_reasons
from .scenario import Scenario


@dataclass(frozen=True)
class Diagnosis:
    """Everything quotaopt can say about a variant's feasibility."""

    variant: str
    conflicts: tuple[Conflict, ...]
    slacks: tuple[Slack, ...]

    @property
    def feasible(self) -> bool:
        return not self.conflicts and not self.slacks

    @property
    def reasons(self) -> list[str]:
        return [str(c) for c in self.conflicts] + [str(s) for s in self.slacks]


def diagnose(scenario: Scenario, variant: str | None = None, *, backend: str | None = None,
             time_limit: float | None = None, relax: bool = True) -> Diagnosis:
    """Conflicts (exact, with the smallest changes) and the elastic relaxation of a variant.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> d = quotaopt.diagnose(sc, "old-ratio")
    >>> d.feasible, d.reasons
    (True, [])
    """
    v = scenario.variant(variant)
    lim = compute_limits(v.policy, v.units)
    conflicts = tuple(find_conflicts(v.policy, v.units, lim))
    slacks: tuple[Slack, ...] = ()
    if relax:
        slacks = tuple(elastic(v.policy, v.units, lim, backend=backend or v.solver.backend,
                               time_limit=time_limit or v.solver.time_limit))
    return Diagnosis(v.name, conflicts, slacks)


__all__ = [
    "Diagnosis", "diagnose",
    # re-exported from quotaopt.feasibility and quotaopt.relax, where they live
    "MAX_REASONS", "Conflict", "Slack", "decimal_at_least", "elastic", "find_conflicts",
    "fmt_num", "fmt_pct", "infeasibility_reasons", "precheck", "smallest_total", "threshold",
]
