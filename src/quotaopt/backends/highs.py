"""HiGHS through highspy: the whole formulation is passed as arrays in one call."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import SolverError
from ..formulation import Formulation, with_rows
from ..messages import render
from .base import RawSolution, Status

_banner_shown = False
#: HiGHS options for a MIP on an optimal face (``Formulation.face``): its root relaxation is
#: usually integral, and presolve and the primal heuristics took more than half the time of
#: the stage-3 MIPs of the benchmark provinces (docs/performance.md). Proof unchanged.
FACE_OPTIONS: dict[str, object] = {
    "presolve": "off",
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_feasibility_jump": False,
}


def new_highs() -> Any:
    """A silent ``highspy.Highs``: HiGHS prints a banner to file descriptor 1 the first time
    one is made in a process, which would corrupt ``--format json`` output; swallow it."""
    global _banner_shown
    import highspy

    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    return h


def _run_interruptibly(h: Any) -> None:
    """``h.run()``, answering Ctrl-C at once: HiGHS itself does not look at Python's signals,
    so a long solve would finish first. In the main thread the solve runs in a helper
    thread (HiGHS releases the GIL); on Ctrl-C it is cancelled and the
    ``KeyboardInterrupt`` goes on. An error of HiGHS is raised here as from ``h.run()``."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
            h, "cancelSolve"):
        h.run()
        return
    h.HandleUserInterrupt = True  # lets cancelSolve stop the solve (prints nothing)
    failed: list[BaseException] = []

    def solve() -> None:
        try:
            h.run()
        except BaseException as exc:  # handed to the caller below
            failed.append(exc)

    thread = threading.Thread(target=solve, name="HiGHS", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        h.cancelSolve()
        thread.join(10)
        raise
    if failed:
        raise failed[0]


class HighsBackend:
    name = "highs"

    def version(self) -> str:
        h = new_highs()
        try:
            return f"HiGHS {h.version()}"
        except AttributeError:  # pragma: no cover - very old highspy
            return "HiGHS"

    def solve(
        self,
        form: Formulation,
        cost: np.ndarray,
        extra_rows: Sequence[tuple[np.ndarray, float]] | None,
        time_limit: float | None,
    ) -> RawSolution:
        lp = _highs_lp(form, cost, extra_rows, integer=True)
        try:
            return self._run(lp, time_limit, FACE_OPTIONS if form.face else {})
        except Exception as exc:  # HiGHS itself failing: a solver fault, not a plan
            raise SolverError(render("highs_failed", {"kind": type(exc).__name__,
                                                      "reason": str(exc)})) from None

    def relaxation(self, form: Formulation, cost: np.ndarray, time_limit: float | None
                   ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(x, row duals)`` of an optimal basic solution of the LP relaxation of
        ``min cost·x`` over ``form`` (HiGHS's sign: reduced costs are ``cost − Aᵀ·duals``),
        or ``None`` when HiGHS does not report one. Only a hint: the caller proves whatever
        it uses of them in exact arithmetic (:func:`quotaopt.formulation.optimal_face`)."""
        import highspy

        lp = _highs_lp(form, cost, None, integer=False)
        h = new_highs()
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("solver", "simplex")  # a basic solution: integral on (near-)TU rows
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        try:
            h.passModel(lp)
            _run_interruptibly(h)
        except Exception:  # no hint: the caller keeps the dense row
            return None
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        if h.getInfo().dual_solution_status != 2:  # kSolutionStatusFeasible
            return None
        if h.getInfo().primal_solution_status != 2:
            return None
        sol = h.getSolution()
        return (np.asarray(sol.col_value, dtype=np.float64),
                np.asarray(sol.row_dual, dtype=np.float64))

    def _run(self, lp: Any, time_limit: float | None,
             options: dict[str, object] | None = None) -> RawSolution:
        import highspy

        h = new_highs()
        for key, value in (options or {}).items():
            h.setOptionValue(key, value)
        h.setOptionValue("mip_rel_gap", 0.0)
        # Objectives are integer-valued at optimal integer points, so a gap below 1 proves it.
        h.setOptionValue("mip_abs_gap", 0.5)
        h.setOptionValue("random_seed", 0)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        h.passModel(lp)
        _run_interruptibly(h)
        status = h.getModelStatus()
        S = highspy.HighsModelStatus
        has_x = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_x else None
        if status == S.kOptimal:
            return RawSolution(Status.OPTIMAL, x)
        if status in (S.kInfeasible,):
            return RawSolution(Status.INFEASIBLE, None)
        if status in (S.kTimeLimit, S.kInterrupt, S.kIterationLimit, S.kSolutionLimit):
            return RawSolution(
                Status.NOT_PROVEN if x is not None else Status.NO_SOLUTION,
                x,
                render("solver_stopped", {"solver": "HiGHS",
                                          "status": h.modelStatusToString(status)}),
            )
        if status == S.kUnboundedOrInfeasible:
            return RawSolution(Status.INFEASIBLE, None)
        return RawSolution(Status.NO_SOLUTION, None, render(
            "solver_status", {"solver": "HiGHS", "status": h.modelStatusToString(status)}))


def _highs_lp(form: Formulation, cost: np.ndarray,
              extra_rows: Sequence[tuple[np.ndarray, float]] | None, integer: bool) -> Any:
    """The formulation (plus ``extra_rows``: ``a · x >= b``) as a ``highspy.HighsLp``."""
    import highspy

    matrix, row_lower, row_upper = with_rows(form, extra_rows)
    csc = matrix.tocsc()
    csc.sort_indices()
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = form.num_col
    lp.num_row_ = matrix.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.where(np.isinf(form.col_lower), -inf, form.col_lower)
    lp.col_upper_ = np.where(np.isinf(form.col_upper), inf, form.col_upper)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    if integer:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in form.integrality.tolist()
        ]
    return lp
