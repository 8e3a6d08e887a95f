"""PuLP backend: the same formulation arrays turned into a ``pulp.LpProblem``.

CBC (bundled with PuLP) by default, or any PuLP solver class by name (``pulp:GLPK_CMD``).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from typing import IO, Any

import numpy as np

from ..errors import SolverError
from ..formulation import Formulation, with_rows
from ..messages import render
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
    groups = form.unit_groups
    variables = []
    for k in range(form.num_col):
        group = (groups[k // n] if k < len(groups) * n else form.extra_group) if n else "x"
        lo = None if np.isinf(form.col_lower[k]) else float(form.col_lower[k])
        hi = None if np.isinf(form.col_upper[k]) else float(form.col_upper[k])
        cat = pulp.LpInteger if form.integrality[k] else pulp.LpContinuous
        at = k % n if k < len(groups) * n else k - len(groups) * n
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
    """Solve a built problem and map PuLP's statuses to :class:`Status`."""
    try:
        prob.solve(solver)
    except Exception as exc:  # PulpSolverError, or the solver program crashing or missing
        raise _failed(solver, exc) from None
    values = [v.varValue for v in variables]
    x = np.array(values, dtype=np.float64) if all(v is not None for v in values) else None
    return raw_solution(prob.status, getattr(prob, "sol_status", None), x)


def _failed(solver: Any, exc: Exception) -> SolverError:
    return SolverError(render("pulp_failed", {
        "name": type(solver).__name__, "kind": type(exc).__name__, "reason": str(exc)}))


def raw_solution(status: int, sol_status: int | None, x: np.ndarray | None) -> RawSolution:
    """PuLP's statuses and the solution as a :class:`RawSolution` (the only place)."""
    import pulp

    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return RawSolution(Status.INFEASIBLE, None)
    if status == pulp.LpStatusOptimal and sol_status in (None, pulp.LpSolutionOptimal):
        return RawSolution(Status.OPTIMAL, x)
    if x is not None and sol_status == pulp.LpSolutionIntegerFeasible:
        return RawSolution(Status.NOT_PROVEN, x, render("time_limit_stopped_solver", {}))
    if status == pulp.LpStatusNotSolved or x is None:
        return RawSolution(Status.NO_SOLUTION, None,
                           render("pulp_status", {"status": pulp.LpStatus.get(status, status)}))
    return RawSolution(Status.NO_SOLUTION, None,
                       render("pulp_status", {"status": pulp.LpStatus.get(status, status)}))


_MARKER = "    MARKER                 'MARKER'                 '{}'\n"


def write_mps(form: Formulation, cost: np.ndarray,
              extra_rows: Sequence[tuple[np.ndarray, float]] | None, integer: bool,
              out: IO[str]) -> None:
    """The formulation as an MPS file (columns ``C<k>``, rows ``R<i>``, the ``extra_rows``
    ``a · x >= b`` after them) on the text stream ``out``, written from the arrays in a few
    passes instead of one PuLP object per number; numbers in ``repr`` form, so every double
    is read back exactly."""
    matrix, row_lower, row_upper = with_rows(form, extra_rows)
    lo_fin, hi_fin = np.isfinite(row_lower), np.isfinite(row_upper)
    kind = np.where(lo_fin & hi_fin & (row_lower == row_upper), "E",
                    np.where(hi_fin, "L", np.where(lo_fin, "G", "N")))
    rows = np.flatnonzero(kind != "N")  # a free row constrains nothing: left out
    keep = np.zeros(len(kind), dtype=bool)
    keep[rows] = True
    lines = ["NAME          QUOTAOPT\nROWS\n N  OBJ\n"]
    lines += [f" {kind[i]}  {f'R{i}':<8}\n" for i in rows.tolist()]
    lines.append("COLUMNS\n")
    csc = matrix.tocsc()
    csc.sort_indices()
    cost = np.asarray(cost, dtype=np.float64)
    ints = (form.integrality != 0) if integer else np.zeros(form.num_col, dtype=bool)
    indptr, indices, data = csc.indptr.tolist(), csc.indices.tolist(), csc.data.tolist()
    keep_l = keep.tolist()
    marked = False
    for j, (c, is_int) in enumerate(zip(cost.tolist(), ints.tolist(), strict=True)):
        if is_int != marked:
            lines.append(_MARKER.format("INTORG" if is_int else "INTEND"))
            marked = is_int
        name = f"C{j}"
        lines.append(f"    {name:<8}  OBJ       {c!r}\n")
        lines += [f"    {name:<8}  {f'R{i}':<8}  {v!r}\n"
                for i, v in zip(indices[indptr[j]:indptr[j + 1]], data[indptr[j]:indptr[j + 1]],
                                strict=True) if keep_l[i] and v != 0.0]
    if marked:
        lines.append(_MARKER.format("INTEND"))
    lines.append("RHS\n")
    rhs = np.where(kind == "G", row_lower, row_upper).tolist()
    lines += [f"    RHS       {f'R{i}':<8}  {rhs[i]!r}\n" for i in rows.tolist() if rhs[i] != 0.0]
    ranged = np.flatnonzero((kind == "L") & lo_fin)
    if len(ranged):
        lines.append("RANGES\n")
        width = (row_upper - row_lower).tolist()
        lines += [f"    RNG       {f'R{i}':<8}  {width[i]!r}\n" for i in ranged.tolist()]
    lines.append("BOUNDS\n")
    for j, (lo, hi, is_int) in enumerate(zip(form.col_lower.tolist(), form.col_upper.tolist(),
                                             ints.tolist(), strict=True)):
        if lo == hi:
            lines.append(f" FX BND       {f'C{j}':<8}  {lo!r}\n")
            continue
        if lo == -np.inf:
            lines.append(f" {'MI' if hi != np.inf else 'FR'} BND       C{j}\n")
        elif lo != 0.0 or (is_int and hi == np.inf):
            lines.append(f" LO BND       {f'C{j}':<8}  {lo!r}\n")
        if hi != np.inf:
            lines.append(f" UP BND       {f'C{j}':<8}  {hi!r}\n")
    lines.append("ENDATA\n")
    out.write("".join(lines))


def direct(form: Formulation) -> bool:
    """Whether :func:`run_cbc` can take the formulation: every name within the 8 characters
    of the MPS layout PuLP writes (fewer than 10⁷ rows and columns)."""
    return max(form.num_col, form.matrix.shape[0] + 1) < 10**7


def run_cbc(solver: Any, form: Formulation, cost: np.ndarray,
            extra_rows: Sequence[tuple[np.ndarray, float]] | None, time_limit: float | None,
            integer: bool) -> tuple[RawSolution, np.ndarray]:
    """``(solution, row duals)``: minimise ``cost · x`` over the formulation with the CBC
    program that PuLP bundles (``solver``: its ``PULP_CBC_CMD``), given the file PuLP would
    write and asked exactly as PuLP asks it (gap 0, absolute gap ½, the time limit), but
    written and read from the arrays: PuLP's model objects cost several times the solve.
    The statuses are read as PuLP reads them."""
    import pulp

    try:
        with tempfile.TemporaryDirectory(prefix="quotaopt-cbc-") as tmp:
            sol = os.path.join(tmp, "model.sol")
            with tempfile.NamedTemporaryFile("w", encoding="ascii", dir=tmp, suffix=".mps",
                                             delete=False) as model:
                write_mps(form, cost, extra_rows, integer, model)
            mps = model.name
            args = [solver.path, mps]
            if time_limit is not None:
                args += ["-sec", str(float(time_limit))]
            args += ["-ratio", "0.0", "-allow", "0.5", "-solve", "-printingOptions", "all",
                     "-solution", sol]
            code = subprocess.call(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL)
            if code != 0 or not os.path.exists(sol):
                raise pulp.PulpSolverError(
                    f"Pulp: Error while trying to execute {solver.path} (exit code {code})")
            status, sol_status = solver.get_status(sol)
            x = np.zeros(form.num_col)
            duals = np.zeros(form.matrix.shape[0] + len(extra_rows or ()))
            with open(sol, "rb") as f:  # CBC's solution: read
                next(f)
                for line in f:
                    parts = line.decode("ascii").split()
                    if len(parts) < 4:
                        break
                    if parts[0] == "**":
                        parts = parts[1:]
                    name = parts[1]
                    if name[0] == "C":
                        x[int(name[1:])] = float(parts[2])
                    elif name[0] == "R":
                        duals[int(name[1:])] = float(parts[3])
    except Exception as exc:  # the program crashing or missing, a full disk, …
        raise _failed(solver, exc) from None
    return raw_solution(status, sol_status, x), duals[:form.matrix.shape[0]]


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
        if self.solver_class is None and direct(form):  # the bundled CBC, from the arrays
            return run_cbc(solver, form, cost, extra_rows, time_limit, integer=True)[0]
        prob, variables = build_problem(form, cost, extra_rows)
        return solve_problem(prob, variables, solver)

    def relaxation(self, form: Formulation, cost: np.ndarray, time_limit: float | None
                   ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(x, row duals)`` of the LP relaxation (the bundled CBC only, :func:`run_cbc`;
        ``None`` for other PuLP solvers or when no duals come back). Only a hint: the
        caller proves whatever it uses of them in exact arithmetic
        (:func:`quotaopt.formulation.optimal_face`), trying both sign conventions."""
        if self.solver_class is not None or not direct(form):
            return None
        try:
            raw, duals = run_cbc(make_solver(None, time_limit), form, cost, None, time_limit,
                                 integer=False)
        except SolverError:  # no hint: the caller keeps the dense row
            return None
        if raw.status is not Status.OPTIMAL or raw.x is None:
            return None
        return raw.x, duals
