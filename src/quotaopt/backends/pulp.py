"""PuLP backend: the same formulation arrays turned into a ``pulp.LpProblem``.

CBC (bundled with PuLP) by default, or any PuLP solver class by name (``pulp:GLPK_CMD``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import SolverError
from ..messages import render
from ..model import COLUMN_GROUPS, Formulation
from .base import RawSolution, Status


def build_problem(
    form: Formulation,
    cost: np.ndarray,
    extra_rows: Sequence[tuple[np.ndarray, float]] | None = None,
    name: str = "quotaopt",
) -> tuple[Any, list[Any]]:
    """Return ``(problem, variables)``: a minimisation ``pulp.LpProblem`` and its columns.

    Variables are named ``<group>_<k>`` (k = position within the block's units) so names are
    deterministic and valid in every solver's file format.
    """
    import pulp

    prob = pulp.LpProblem(name, pulp.LpMinimize)
    n = form.n
    variables = []
    for k in range(form.num_col):
        group = (COLUMN_GROUPS[k // n] if k < len(COLUMN_GROUPS) * n else "dev_pool") if n else "x"
        lo = None if np.isinf(form.col_lower[k]) else float(form.col_lower[k])
        hi = None if np.isinf(form.col_upper[k]) else float(form.col_upper[k])
        cat = pulp.LpInteger if form.integrality[k] else pulp.LpContinuous
        at = k % n if k < len(COLUMN_GROUPS) * n else k - len(COLUMN_GROUPS) * n
        variables.append(pulp.LpVariable(f"{group}_{at}", lo, hi, cat))
    prob += pulp.LpAffineExpression(
        [(variables[k], float(cost[k])) for k in np.flatnonzero(cost)], name="objective"
    )
    m = form.matrix
    indptr, indices, data = m.indptr, m.indices, m.data
    for r in range(m.shape[0]):
        expr = pulp.LpAffineExpression(
            [(variables[j], float(v)) for j, v in
             zip(indices[indptr[r]:indptr[r + 1]].tolist(), data[indptr[r]:indptr[r + 1]].tolist(),
                 strict=True)]
        )
        lo, hi = form.row_lower[r], form.row_upper[r]
        if np.isfinite(lo) and np.isfinite(hi) and lo == hi:
            prob += expr == float(hi), f"r{r}"
        else:
            if np.isfinite(hi):
                prob += expr <= float(hi), f"r{r}"
            if np.isfinite(lo):
                prob += expr >= float(lo), f"r{r}_lo"
    for i, (coeffs, rhs) in enumerate(extra_rows or ()):
        prob += pulp.LpAffineExpression(
            [(variables[k], float(coeffs[k])) for k in np.flatnonzero(coeffs)]
        ) >= float(rhs), f"earlier_stages_optimum_{i + 1}"
    return prob, variables


def make_solver(solver_class: str | None, time_limit: float | None) -> Any:
    """A PuLP solver object configured for proven optimality (relative gap 0)."""
    import pulp

    kwargs: dict[str, Any] = {"msg": False}
    if time_limit is not None:
        kwargs["timeLimit"] = float(time_limit)
    if solver_class is None:
        return pulp.PULP_CBC_CMD(gapRel=0.0, gapAbs=0.5, **kwargs)
    cls = getattr(pulp, solver_class, None)
    if not (isinstance(cls, type) and issubclass(cls, pulp.LpSolver)):
        raise SolverError(render("pulp_no_class", {
            "name": solver_class, "installed": pulp.listSolvers(onlyAvailable=True)}))
    try:
        try:
            solver = cls(gapRel=0.0, **kwargs)
        except TypeError:
            solver = cls(**kwargs)
        available = solver.available()
    except Exception as exc:  # a solver class that cannot even be set up
        raise SolverError(render("pulp_setup_failed", {
            "name": solver_class, "kind": type(exc).__name__, "reason": str(exc)})) from None
    if not available:
        raise SolverError(render("pulp_not_available", {
            "name": solver_class, "installed": pulp.listSolvers(onlyAvailable=True)}))
    return solver


def solve_problem(prob: Any, variables: Sequence[Any], solver: Any) -> RawSolution:
    """Solve a built problem and map PuLP's statuses to :class:`Status` (the only place)."""
    import pulp

    try:
        prob.solve(solver)
    except Exception as exc:  # PulpSolverError, or the solver program crashing or missing
        raise SolverError(render("pulp_failed", {
            "name": type(solver).__name__, "kind": type(exc).__name__,
            "reason": str(exc)})) from None
    status = prob.status
    sol_status = getattr(prob, "sol_status", None)
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return RawSolution(Status.INFEASIBLE, None)
    values = [v.varValue for v in variables]
    have_x = all(v is not None for v in values)
    x = np.array(values, dtype=np.float64) if have_x else None
    if status == pulp.LpStatusOptimal and sol_status in (None, pulp.LpSolutionOptimal):
        return RawSolution(Status.OPTIMAL, x)
    if x is not None and sol_status == pulp.LpSolutionIntegerFeasible:
        return RawSolution(Status.NOT_PROVEN, x, render("time_limit_stopped_solver", {}))
    if status == pulp.LpStatusNotSolved or x is None:
        return RawSolution(Status.NO_SOLUTION, None,
                           render("pulp_status", {"status": pulp.LpStatus.get(status, status)}))
    return RawSolution(Status.NO_SOLUTION, None,
                       render("pulp_status", {"status": pulp.LpStatus.get(status, status)}))


class PulpBackend:
    def __init__(self, solver_class: str | None = None):
        self.solver_class = solver_class
        self.name = "cbc" if solver_class is None else f"pulp:{solver_class}"
        make_solver(solver_class, None)  # a missing or unavailable solver fails now, not later

    def version(self) -> str:
        import pulp

        return f"PuLP {pulp.__version__} / {self.solver_class or 'CBC (bundled)'}"

    def solve(
        self,
        form: Formulation,
        cost: np.ndarray,
        extra_rows: Sequence[tuple[np.ndarray, float]] | None,
        time_limit: float | None,
    ) -> RawSolution:
        solver = make_solver(self.solver_class, time_limit)
        prob, variables = build_problem(form, cost, extra_rows)
        return solve_problem(prob, variables, solver)

    def relaxation(self, form: Formulation, cost: np.ndarray, time_limit: float | None
                   ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(x, row duals)`` of the LP relaxation (CBC only; ``None`` for other PuLP
        solvers or when no duals come back). Only a hint: the caller proves whatever it uses
        of them in exact arithmetic (:func:`quotaopt.model.optimal_face`), trying both sign
        conventions."""
        import pulp

        if self.solver_class is not None:
            return None
        relaxed = replace(form, integrality=np.zeros_like(form.integrality))
        prob, variables = build_problem(relaxed, cost)
        kwargs: dict[str, Any] = {"msg": False}
        if time_limit is not None:
            kwargs["timeLimit"] = float(time_limit)
        try:
            prob.solve(pulp.PULP_CBC_CMD(**kwargs))
        except Exception:  # no hint: the caller keeps the dense row
            return None
        if prob.status != pulp.LpStatusOptimal:
            return None
        x = [v.varValue for v in variables]
        duals = np.zeros(form.matrix.shape[0])
        for r in range(len(duals)):
            for name in (f"r{r}", f"r{r}_lo"):
                con = prob.constraints.get(name)
                if con is not None:
                    if con.pi is None:
                        return None
                    duals[r] += float(con.pi)
        # a column in no row and not in the objective is not in the problem: at its bound
        # (the caller checks the whole plan exactly)
        values = [v if v is not None else (0.0 if np.isinf(lo) else float(lo))
                  for v, lo in zip(x, form.col_lower.tolist(), strict=True)]
        return np.array(values, dtype=np.float64), duals
