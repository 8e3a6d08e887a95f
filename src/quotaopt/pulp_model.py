"""The whole scenario as one ``pulp.LpProblem``, for users who add constraints of their own.

Examples
--------
>>> import quotaopt
>>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
>>> m = quotaopt.build_pulp(sc)
>>> m.problem += m.posts_senior["TX011"] >= 3, "keep_three_seniors"
>>> res = m.solve()
>>> res.status, int(res.allocation.set_index("unit_id").loc["TX011", "posts_senior"])
(<Status.OPTIMAL: 'optimal'>, 6)

The problem is built from the same arrays as every other backend (``model.build``), over all
units as one block, with the exactly lexicographic objective (see docs/model.md). ``solve``
maps the solution back to a :class:`~quotaopt.solve.Result` that has passed the independent
policy checker (your own constraints are yours to check).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .backends import Status
from .backends.pulp import PulpBackend, build_problem, make_solver, solve_problem
from .caps import UnitLimits, compute_limits
from .feasibility import precheck
from .model import Formulation, build
from .result import Result
from .scenario import Scenario, Variant
from .solve import canonical_order, checked_allocation, decode_solution, finish_result


@dataclass
class PulpModel:
    """A built PuLP problem and its variables, keyed by ``unit_id``.

    ``posts_senior[u]`` is ``P_s``; ``posts_senior_intermediate[u]`` is ``P_s + P_m``;
    ``appointed_senior[u]`` and ``appointed_intermediate[u]`` are the appointments. Use
    :meth:`posts_intermediate` and :meth:`posts_junior` for the other two levels.
    """

    problem: Any
    scenario: Scenario
    variant: Variant
    posts_senior: dict[str, Any]
    posts_senior_intermediate: dict[str, Any]
    appointed_senior: dict[str, Any]
    appointed_intermediate: dict[str, Any]
    reasons: tuple[str, ...] = ()
    _form: Formulation | None = field(default=None, repr=False)
    _limits: UnitLimits | None = field(default=None, repr=False)
    _columns: list[Any] = field(default_factory=list, repr=False)

    def posts_intermediate(self, unit_id: str) -> Any:
        return self.posts_senior_intermediate[unit_id] - self.posts_senior[unit_id]

    def posts_junior(self, unit_id: str) -> Any:
        units = self.variant.units
        total = int(units.loc[units["unit_id"] == unit_id, "total_posts"].iloc[0])
        return total - self.posts_senior_intermediate[unit_id]

    def solve(self, solver: str | None = None, time_limit: float | None = None) -> Result:
        """Solve with CBC (default) or ``solver`` = a PuLP solver class name."""
        backend = PulpBackend(solver)
        started = time.perf_counter()
        assert self._limits is not None
        if self.reasons:
            return finish_result(self.scenario, self.variant, Status.INFEASIBLE, None,
                                 self._limits, backend, started, reasons=list(self.reasons))
        raw = solve_problem(self.problem, self._columns, make_solver(solver, time_limit))
        if raw.x is None or raw.status in (Status.INFEASIBLE, Status.NO_SOLUTION):
            status = raw.status if raw.status is Status.INFEASIBLE else Status.NO_SOLUTION
            reasons = (["the policy with your added constraints admits no plan"]
                       if status is Status.INFEASIBLE else [])
            return finish_result(self.scenario, self.variant, status, None, self._limits,
                                 backend, started, reasons=reasons, message=raw.message)
        assert self._form is not None
        form, n = self._form, self._form.n
        arrays = [np.zeros(n, dtype=np.int64) for _ in range(4)]
        for arr, values in zip(arrays, decode_solution(form, raw.x), strict=True):
            arr[form.idx] = values
        alloc = checked_allocation(self.variant, self._limits, *arrays)
        return finish_result(self.scenario, self.variant, raw.status, alloc, self._limits,
                             backend, started, message=raw.message)


def build_pulp(scenario: Scenario, variant: str | None = None) -> PulpModel:
    """Build the variant's whole model as one ``pulp.LpProblem`` (see the module docstring)."""
    v = scenario.variant(variant)
    limits = compute_limits(v.policy, v.units)
    idx = canonical_order(v.units)
    form = build(v.policy, v.units, limits, idx, np.zeros(len(idx), dtype=np.int64))
    prob, cols = build_problem(form, form.cost2 - form.block_span * form.cost1,
                               name=f"quotaopt_{v.name}")
    n = form.n
    ids = v.units["unit_id"].astype(str).to_numpy()[idx].tolist()
    senior, senior_inter, app_s, app_m = (
        dict(zip(ids, cols[k * n:(k + 1) * n], strict=True)) for k in range(4))
    return PulpModel(prob, scenario, v, senior, senior_inter, app_s, app_m,
                     reasons=tuple(precheck(v.policy, v.units, limits)),
                     _form=form, _limits=limits, _columns=cols)
