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

The problem is built from the same arrays as every other backend (``model.build``); its
objective is the first group of lexicographic stages (see docs/model.md), and ``solve``
solves the later groups after it, each kept by a row, as :func:`quotaopt.solve` does. ``solve``
maps the solution back to a :class:`~quotaopt.solve.Result` that has passed the independent
policy checker (your own constraints are yours to check).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .backends import RawSolution, Status
from .backends.pulp import PulpBackend, build_problem, make_solver, solve_problem
from .caps import UnitLimits, compute_limits
from .fastpath import tie_order
from .feasibility import precheck
from .formulation import Formulation, weighted
from .messages import render
from .model import build
from .result import Result
from .scenario import Scenario, Scope, Variant
from .solve import (
    apply_tie_rule,
    block_codes,
    canonical_order,
    checked_allocation,
    decode_solution,
    finish_result,
    stage_groups,
)


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
        raw = self._solve_stages(solver, time_limit)
        if raw.x is None or raw.status in (Status.INFEASIBLE, Status.NO_SOLUTION):
            status = raw.status if raw.status is Status.INFEASIBLE else Status.NO_SOLUTION
            reasons = ([render("added_constraints_infeasible", {})]
                       if status is Status.INFEASIBLE else [])
            return finish_result(self.scenario, self.variant, status, None, self._limits,
                                 backend, started, reasons=reasons, message=raw.message)
        assert self._form is not None
        form, n = self._form, self._form.n
        arrays = [np.zeros(n, dtype=np.int64) for _ in range(4)]
        for arr, values in zip(arrays, decode_solution(form, raw.x), strict=True):
            arr[form.idx] = values
        if self.variant.policy.scope is Scope.POOL:
            units = self.variant.units
            rank = np.empty(n, dtype=np.int64)
            rank[form.idx] = np.arange(n)
            apply_tie_rule(self.variant.policy, units, self._limits, form.idx,
                           tie_order(units["total_posts"].to_numpy(np.int64),
                                     self._limits.pool_codes, rank), *arrays)
        alloc = checked_allocation(self.variant, self._limits, *arrays)
        return finish_result(self.scenario, self.variant, raw.status, alloc, self._limits,
                             backend, started, message=raw.message)


    def _solve_stages(self, solver: str | None, time_limit: float | None) -> RawSolution:
        """The objective stages (grouped as :func:`quotaopt.solve.solve_formulation` does),
        each kept by a row while the next is solved; the rows are removed afterwards and the
        problem's objective is left as the first group's."""
        import pulp

        assert self._form is not None
        groups = stage_groups(self._form)
        added: list[str] = []
        raw = RawSolution(Status.NO_SOLUTION, None)
        try:
            for g, group in enumerate(groups):
                cost, _ = weighted(group)
                self.problem.setObjective(pulp.LpAffineExpression(
                    [(self._columns[k], float(cost[k])) for k in np.flatnonzero(cost)]))
                raw = solve_problem(self.problem, self._columns, make_solver(solver, time_limit))
                if raw.status is not Status.OPTIMAL or raw.x is None or g == len(groups) - 1:
                    break
                best = round(float(np.dot(cost, raw.x)))
                name = f"quotaopt_stage_group_{g + 1}_optimum"
                self.problem += pulp.LpAffineExpression(
                    [(self._columns[k], float(cost[k])) for k in np.flatnonzero(cost)]
                ) <= best + 0.5, name
                added.append(name)
        finally:
            for name in added:
                del self.problem.constraints[name]
            first, _ = weighted(groups[0])
            self.problem.setObjective(pulp.LpAffineExpression(
                [(self._columns[k], float(first[k])) for k in np.flatnonzero(first)]))
        return raw


def build_pulp(scenario: Scenario, variant: str | None = None) -> PulpModel:
    """Build the variant's whole model as one ``pulp.LpProblem`` (see the module docstring)."""
    v = scenario.variant(variant)
    limits = compute_limits(v.policy, v.units)
    idx = canonical_order(v.units)
    # blocks as quotaopt.solve: the stages are lexicographic unit by unit, pool by pool (or
    # over everything with a budget); rows you add across blocks are yours to weigh
    form = build(v.policy, v.units, limits, idx, block_codes(v.policy, v.units, limits)[idx])
    prob, cols = build_problem(form, weighted(stage_groups(form)[0])[0],
                               name=f"quotaopt_{v.name}")
    n = form.n
    ids = v.units["unit_id"].astype(str).to_numpy()[idx].tolist()
    senior, senior_inter, app_s, app_m = (
        dict(zip(ids, cols[k * n:(k + 1) * n], strict=True)) for k in range(4))
    return PulpModel(prob, scenario, v, senior, senior_inter, app_s, app_m,
                     reasons=tuple(precheck(v.policy, v.units, limits)),
                     _form=form, _limits=limits, _columns=cols)
