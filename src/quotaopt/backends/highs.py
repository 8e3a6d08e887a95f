"""HiGHS through highspy: the whole formulation is passed as arrays in one call."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ..model import Formulation
from .base import RawSolution, Status

_banner_shown = False


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
        import highspy

        matrix = form.matrix
        row_lower, row_upper = form.row_lower, form.row_upper
        for coeffs, rhs in extra_rows or ():
            matrix = sp.vstack([matrix, sp.csr_matrix(coeffs.reshape(1, -1))], format="csr")
            row_lower = np.append(row_lower, rhs)
            row_upper = np.append(row_upper, np.inf)
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
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in form.integrality.tolist()
        ]
        try:
            return self._run(lp, time_limit)
        except Exception as exc:  # HiGHS itself failing: a solver fault, not a plan
            raise SolverError(
                f"the HiGHS solver failed ({type(exc).__name__}: {exc}); choose another with "
                "--solver cbc or pulp:<name>"
            ) from None

    def _run(self, lp: Any, time_limit: float | None) -> RawSolution:
        import highspy

        h = new_highs()
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
                f"HiGHS stopped: {h.modelStatusToString(status)}",
            )
        if status == S.kUnboundedOrInfeasible:
            return RawSolution(Status.INFEASIBLE, None)
        return RawSolution(Status.NO_SOLUTION, None, f"HiGHS: {h.modelStatusToString(status)}")
