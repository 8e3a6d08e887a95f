"""Solve a scenario variant exactly and return a checked :class:`Result`.

Pipeline: units + policy → exact caps (``caps``) → simple infeasibility checks
(``diagnose``) → one MIP per batch of independent blocks (``model`` + a backend) → integer
plan → independent check (``check``) → allocation table and summary.

Independent blocks are single units (scope ``unit``), pools (scope ``pool``), or everything
(when a budget couples all units). Several blocks go into one MIP; units are put in canonical
order (pool, unit_id) first, so the input row order cannot change any unit's result.

Lexicographic objective (SPEC section 2). Stage 1 (weighted appointments, in units of δ),
stage 2 (distance to the base caps) and, in scope pool, stage 3 (distance to the Hamilton
quotas, times their common denominator) are whole numbers; each can change by a bounded
amount inside a block. Consecutive stages are joined into one weighted objective while its
numbers fit double precision (``WEIGHTED_LIMIT``), which is exactly lexicographic block by
block (:mod:`quotaopt.stages` solves one formulation so). The tie rule of scope pool is then
applied to MIP plans (:mod:`quotaopt.tierule`); the allocation table is built and checked in
:mod:`quotaopt.allocation`.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from .allocation import build_allocation, passed_check
from .allocation import checked_allocation as checked_allocation
from .allocation import plan_for_check as plan_for_check
from .backends import Backend, Status, get_backend
from .budgetpath import solve_budget, solve_pool_budgets
from .caps import UnitLimits, compute_limits, sorted_codes
from .check import Violation
from .errors import InputError, InternalError, Problem, SolverError
from .fastpath import eligible_blocks, solve_fast, tie_order
from .feasibility import precheck
from .i18n import _
from .messages import render
from .meta import __version__
from .model import Formulation, build, pool_budget_rhs
from .policy import Policy, Scope
from .relax import infeasibility_reasons
from .result import (
    Provenance,
    Result,
    SolverRun,
    Summary,
    appointments,
    by_type,
    caps_in_force,
    cited_sources,
    exact_objectives,
    plan_figures,
    policy_sources,
    policy_summary,
    totals,
)
from .scenario import BASELINE, Scenario, Variant
from .stages import Progress, report_progress, solve_formulation
from .stages import stage_groups as stage_groups
from .tierule import apply_tie_rule

METHODS = ("auto", "mip")
#: Units per MIP when blocks are independent (blocks are never split).
BATCH_UNITS = 2000


# --------------------------------------------------------------------------------------------


def release_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc ``malloc_trim``; a no-op on
    other systems). Between the solve and the allocation table: glibc keeps the pages of
    freed arrays below its mmap threshold (which rises to 32 MB as large arrays are freed),
    so at 10⁶ units the process otherwise keeps about 180 MB the solve no longer uses while
    the table's 122 MB block is allocated. It only changes where memory comes from."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim.argtypes = (ctypes.c_size_t,)
    trim(0)


def canonical_order(units: pd.DataFrame, pool_codes: np.ndarray | None = None) -> np.ndarray:
    """Positions of the units sorted by (pool, unit_id): the order every model is built in.

    Text is compared as Python compares ``str`` (by code point); ties keep the input order.
    ``pool_codes`` (``UnitLimits.pool_codes``) saves recomputing them.
    """
    pool = sorted_codes(units["pool"])[1] if pool_codes is None else pool_codes
    uid = _text_values(units["unit_id"])
    if len(uid) < 2 or bool(((pool[1:] > pool[:-1])
                             | ((pool[1:] == pool[:-1]) & (uid[:-1] <= uid[1:]))).all()):
        return np.arange(len(uid))  # the common case: a table sorted by pool and unit_id
    by_uid = _text_order(uid)
    return by_uid[np.argsort(pool[by_uid], kind="stable")]


def _text_values(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(dtype=object)
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = column.astype(str).to_numpy(dtype=object)
    return values


def _text_order(values: np.ndarray) -> np.ndarray:
    """Stable argsort of ``str`` values, by code point like ``sorted``, fast for 10⁶ rows."""
    n = len(values)
    if n < 2 or bool((values[:-1] <= values[1:]).all()):
        return np.arange(n)
    longest = max(map(len, values.tolist()))
    # numpy's fixed-width text sorts by code point in C, like str, but drops trailing NULs
    if 4 * longest * n <= 2**28 and "\x00" not in "".join(values.tolist()):
        return np.argsort(values.astype(f"U{max(longest, 1)}"), kind="stable")
    return np.argsort(values, kind="stable")


def block_codes(policy: Policy, units: pd.DataFrame, limits: UnitLimits) -> np.ndarray:
    """Independent blocks: one per unit, per pool, or one for all when a budget couples them."""
    n = len(units)
    if policy.budget is not None and policy.budget.per_pool:
        return limits.pool_codes.copy()  # each pool's budget couples only its own units
    if policy.budget is not None:
        return np.zeros(n, dtype=np.int64)
    if policy.scope is Scope.POOL:
        return limits.pool_codes.copy()
    return np.arange(n, dtype=np.int64)


def batches(order: np.ndarray, blocks: np.ndarray, size: int) -> Iterator[np.ndarray]:
    """Cut the canonical order into batches of about ``size`` units, never splitting a block."""
    if len(order) == 0:
        return
    ordered_blocks = blocks[order]
    # block boundaries in canonical order (blocks are contiguous there: pool is the first key)
    ends = np.append(np.flatnonzero(np.diff(ordered_blocks)) + 1, len(order))
    cur_start = 0
    for e in ends.tolist():
        if e - cur_start >= size or e == len(order):
            yield order[cur_start:e]
            cur_start = e


def integral_values(values: np.ndarray, what: str) -> np.ndarray:
    rounded = np.rint(values)
    if values.size and np.max(np.abs(values - rounded)) > 1e-5:
        raise InternalError(render("non_integer_solution", {"what": what}))
    return rounded.astype(np.int64)


def decode_solution(form: Formulation, x: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray, np.ndarray]:
    """The solution vector of a formulation as whole numbers, per column group (the order of
    ``model.COLUMN_GROUPS``): ``P_s``, ``P_s + P_m``, senior and intermediate appointments,
    each in the formulation's unit order (``form.idx``)."""
    m = form.n
    return (integral_values(x[0:m], "post count"), integral_values(x[m:2 * m], "post count"),
            integral_values(x[2 * m:3 * m], "appointment count"),
            integral_values(x[3 * m:4 * m], "appointment count"))


def solve(
    scenario: Scenario,
    variant: str | None = None,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    method: str | None = None,
    batch_units: int = BATCH_UNITS,
    progress: Progress | None = None,
) -> Result:
    """Compute the proven-optimal post plan of one variant.

    Parameters
    ----------
    scenario
        From :func:`quotaopt.load_scenario` or :func:`quotaopt.make_scenario`.
    variant
        Variant name; ``None`` or ``"baseline"`` for the base.
    backend
        ``"highs"``, ``"cbc"`` or ``"pulp:<SolverClass>"``; default: the scenario's
        ``[solver] backend``, else the fastest installed.
    time_limit
        Seconds for the whole solve; default: the scenario's ``[solver] time_limit``.
    method
        ``"auto"`` (default): blocks without a budget or intermediate minimum are solved by
        the exact structured method of :mod:`quotaopt.fastpath`, the rest by the MIP;
        ``"mip"``: everything by the MIP (the reference).
    progress
        Called with a short message as each stage starts; the library never prints, so a
        caller (the CLI) may show them. Every message starts with ``building``, ``solving``
        (``solving stage 1``, ``solving stage 2``, ``solving stage 3`` — scope pool —,
        ``solving stages 1 and 2`` when one weighted objective settles them, or ``solving
        stages 1 and 2 together`` / ``solving stages 1 to 3 together`` when one exact method
        or one weighted objective settles all), ``diagnosing`` or
        ``checking``, in that order (building and solving repeat per MIP batch).

    Returns
    -------
    Result
        Infeasibility is a status with ``reasons``, not an exception.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> res = quotaopt.solve(sc)
    >>> res.status, res.summary["appointments"]["senior"]["appointed"]
    (<Status.OPTIMAL: 'optimal'>, 110)
    """
    v = scenario.variant(variant)
    be = get_backend(backend or v.solver.backend)
    limit = time_limit if time_limit is not None else v.solver.time_limit
    started = time.perf_counter()
    report_progress(progress, _("building caps and checks ({units} units)").format(
        units=len(v.units)))
    limits = compute_limits(v.policy, v.units)
    reasons = precheck(v.policy, v.units, limits)
    if reasons:
        return finish_result(scenario, v, Status.INFEASIBLE, None, limits, be, started,
                             reasons=reasons)
    n = len(v.units)
    blocks = block_codes(v.policy, v.units, limits)
    order = canonical_order(v.units, limits.pool_codes)
    how = method or v.solver.method
    if how not in METHODS:
        raise InputError([Problem.of("unknown_method", method=how, choices=METHODS)])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    tie = tie_order(v.units["total_posts"].to_numpy(np.int64), limits.pool_codes, rank)
    plan, structured = structured_plan(v, how, limits, blocks, order, rank, tie, progress)
    todo = list(batches(order[~structured[order]], blocks, batch_units))
    outcome = solve_batches(scenario, v, limits, be, limit, started, todo, blocks, tie, plan,
                            progress)
    if isinstance(outcome, Result):
        return outcome
    status, messages = outcome
    units_structured = int(structured.sum())
    # at 10⁶ units every per-unit array is 8 MB: those only the solve needed go first
    del blocks, order, rank, tie, structured, todo
    release_freed_memory()
    report_progress(progress, _("checking the plan (independent checker) and summarising"))
    allocation = build_allocation(v, limits, *plan)
    del plan  # the table holds its own copies
    return finish_result(scenario, v, status, passed_check(v, allocation), limits, be, started,
                         message="; ".join(sorted(set(messages))), method=how,
                         units_structured=units_structured)


#: A plan as four arrays, one entry per unit: ``A = P_s``, ``B = P_s + P_m``, ``y_s``, ``y_m``.
PlanArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def structured_plan(v: Variant, how: str, limits: UnitLimits, blocks: np.ndarray,
                    order: np.ndarray, rank: np.ndarray, tie: np.ndarray,
                    progress: Progress | None) -> tuple[PlanArrays, np.ndarray]:
    """The part of the plan the exact structured methods find (method ``auto``): the plan
    arrays (zero for the other units) and a bool per unit, True where it is settled here —
    by the budget methods of :mod:`quotaopt.budgetpath` when a budget couples the units, else
    by :func:`quotaopt.fastpath.solve_fast` for every block it can take."""
    n = len(v.units)
    A = np.zeros(n, dtype=np.int64)
    B = np.zeros(n, dtype=np.int64)
    ys = np.zeros(n, dtype=np.int64)
    ym = np.zeros(n, dtype=np.int64)
    structured = np.zeros(n, dtype=bool)
    budget = v.policy.budget
    if how == "auto" and n and budget is not None and budget.per_pool:
        structured = _pool_budget_plan(v, limits, rank, tie, progress, A, B, ys, ym)
    elif how == "auto" and n and budget is not None:
        plan = _budget_plan(v, limits, order, rank, tie, progress)
        if plan is not None:
            A, B, ys, ym = plan
            structured[:] = True
    if how == "auto" and n and not structured.any() and (
            budget is None or not budget.per_pool):
        eligible = eligible_blocks(v.policy, limits, blocks)
        if eligible.any():
            what = _("stages 1 to 3") if v.policy.scope is Scope.POOL else _("stages 1 and 2")
            report_progress(progress, _(
                "solving {stages} together: exact structured method ({units} units)").format(
                stages=what, units=int(eligible.sum())))
            fast = solve_fast(v.policy, v.units, limits, eligible, blocks, rank, tie)
            structured = fast.solved
            if structured.all():  # the usual case: its arrays are the plan (no copies)
                return (fast.A, fast.B, fast.ys, fast.ym), structured
            A[structured], B[structured] = fast.A[structured], fast.B[structured]
            ys[structured], ym[structured] = fast.ys[structured], fast.ym[structured]
    return (A, B, ys, ym), structured


def solve_batches(scenario: Scenario, v: Variant, limits: UnitLimits, be: Backend,
                  limit: float | None, started: float, todo: list[np.ndarray],
                  blocks: np.ndarray, tie: np.ndarray, plan: PlanArrays,
                  progress: Progress | None) -> Result | tuple[Status, list[str]]:
    """Solve the units the structured methods left, one MIP per batch (``todo``), writing
    each batch's plan into ``plan`` (and, in scope pool, applying the tie rule). Returns the
    status and the messages of the batches, or the :class:`Result` to give when a batch has
    no plan (infeasible, with its reasons; or out of time)."""
    A, B, ys, ym = plan
    status = Status.OPTIMAL
    messages: list[str] = []
    for k, idx in enumerate(todo, 1):
        label = _("MIP {k} of {n} ({units} units)").format(k=k, n=len(todo), units=len(idx))
        report_progress(progress, _("building {label}").format(label=label))
        form = build(v.policy, v.units, limits, idx, blocks[idx])
        # the limit bounds the whole solve, every batch together
        left = None if limit is None else limit - (time.perf_counter() - started)
        if left is not None and left <= 0:
            return finish_result(scenario, v, Status.NO_SOLUTION, None, limits, be, started,
                                 message=render("time_spent_before",
                                                {"limit": limit, "label": label}))
        raw = solve_formulation(form, be, left, progress, label)
        if raw.status is Status.INFEASIBLE:
            report_progress(progress, _("diagnosing why {label} has no plan").format(
                label=label))
            why = infeasibility_reasons(v.policy, v.units, limits, idx, backend=be.name,
                                        time_limit=left)
            return finish_result(scenario, v, Status.INFEASIBLE, None, limits, be, started,
                                 reasons=why)
        if raw.status is Status.NO_SOLUTION or raw.x is None:
            return finish_result(scenario, v, Status.NO_SOLUTION, None, limits, be, started,
                                 message=raw.message or render("no_plan_in_time", {}))
        if raw.status is Status.NOT_PROVEN:
            status = Status.NOT_PROVEN
            messages.append(raw.message)
        A[idx], B[idx], ys[idx], ym[idx] = decode_solution(form, raw.x)
        if v.policy.scope is Scope.POOL:
            apply_tie_rule(v.policy, v.units, limits, idx, tie, A, B, ys, ym)
    return status, messages


def _budget_plan(v: Variant, limits: UnitLimits, order: np.ndarray, rank: np.ndarray,
                 tie: np.ndarray, progress: Progress | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """One budget over all units: the unbudgeted structured plan when it keeps the budget
    (then it is optimal with the budget too), else the exact method of
    :mod:`quotaopt.budgetpath` (in scope unit with every unit a pool of its own); ``None``
    when neither applies (the MIP decides)."""
    n = len(v.units)
    budget = v.policy.budget
    assert budget is not None
    pooled = v.policy.scope is Scope.POOL
    stages = _("stages 1 to 3") if pooled else _("stages 1 and 2")
    if not (limits.min_m > 0).any():
        report_progress(progress, _("solving {stages} together: exact structured method ({units} "
                            "units), without the budget first").format(stages=stages, units=n))
        blocks = limits.pool_codes.copy() if pooled else np.arange(n, dtype=np.int64)
        fast = solve_fast(v.policy, v.units, limits, np.ones(n, dtype=bool), blocks, rank)
        if fast.solved.all() and budget.promotion_cost(
                int(fast.ys.sum()), int(fast.ym.sum())) <= budget.max_increase:
            return fast.A, fast.B, fast.ys, fast.ym
    report_progress(progress, _("solving {stages} together: exact method for a budget ({units} "
                        "units)").format(stages=stages, units=n))
    return solve_budget(v.policy, v.units, limits, order, tie)


def _pool_budget_plan(v: Variant, limits: UnitLimits, rank: np.ndarray, tie: np.ndarray,
                      progress: Progress | None, A: np.ndarray, B: np.ndarray,
                      ys: np.ndarray, ym: np.ndarray) -> np.ndarray:
    """Each pool its own budget: the units solved here (bool per unit; the plan written into
    ``A, B, ys, ym``), the rest left to the MIP. The pools are independent. In scope pool the
    exact method of :func:`quotaopt.budgetpath.solve_pool_budgets` solves every pool at once
    (a pool whose budget does not bind gets the unbudgeted optimum, by the same tie rule);
    the pools it leaves, and every pool in scope unit, keep their unbudgeted structured plan
    where it keeps the pool's budget (optimal with the budget too: the budget only removes
    plans)."""
    policy = v.policy
    budget = policy.budget
    assert budget is not None
    n = len(v.units)
    pools = limits.pool_codes
    npools = len(limits.pool_names)
    done = np.zeros(n, dtype=bool)
    if policy.scope is Scope.POOL:
        report_progress(progress, _("solving stages 1 to 3 together: exact method for each pool's "
                            "budget ({pools} pools, {units} units)").format(
            pools=npools, units=n))
        a, b, s, m, solved = solve_pool_budgets(policy, v.units, limits, tie)
        done = solved[pools]
        A[done], B[done], ys[done], ym[done] = a[done], b[done], s[done], m[done]
        if done.all():
            return done
    blocks = pools.copy() if policy.scope is Scope.POOL else np.arange(n, dtype=np.int64)
    unbudgeted = replace(policy, budget=None)
    eligible = eligible_blocks(unbudgeted, limits, blocks) & ~done
    # a unit-scope unit with an intermediate minimum goes to the MIP with its whole pool
    bad = np.zeros(npools, dtype=bool)
    bad[pools[~eligible & ~done]] = True
    eligible &= ~bad[pools]
    if not eligible.any():
        return done
    what = _("stages 1 to 3") if policy.scope is Scope.POOL else _("stages 1 and 2")
    report_progress(progress, _("solving {stages} together: exact structured method ({units} "
                        "units), without the pools' budgets first").format(
        stages=what, units=int(eligible.sum())))
    fast = solve_fast(unbudgeted, v.units, limits, eligible, blocks, rank)
    ok = np.zeros(npools, dtype=bool)
    ok[pools[eligible]] = True
    ok[pools[eligible & ~fast.solved]] = False
    # in whole numbers: the costs scaled to integers, each amount rounded down likewise
    coef_s, coef_m, rhs = pool_budget_rhs(budget, limits.pool_names)
    spent = (coef_s * np.bincount(pools, weights=np.where(fast.solved, fast.ys, 0),
                                  minlength=npools).astype(np.int64)
             + coef_m * np.bincount(pools, weights=np.where(fast.solved, fast.ym, 0),
                                    minlength=npools).astype(np.int64))
    if int(spent.max(initial=0)) >= 2**62:
        return done  # numbers beyond exact integers here: the MIP decides
    keeps = (spent <= np.array([min(r, 2**62) for r in rhs], dtype=np.int64)) & ok
    take = keeps[pools]
    A[take], B[take], ys[take], ym[take] = fast.A[take], fast.B[take], fast.ys[take], fast.ym[take]
    return done | take


# --------------------------------------------------------------------------------------------
# Summary


def finish_result(scenario: Scenario, v: Variant, status: Status, alloc: pd.DataFrame | None,
                  lim: UnitLimits, be: Backend, started: float, *,
                  reasons: list[str] | None = None, message: str = "",
                  method: str | None = None, units_structured: int = 0) -> Result:
    """The :class:`Result` of a solve, with its summary (``method``: how a plan was found,
    ``units_structured`` of its units by the structured method)."""
    seconds = time.perf_counter() - started
    units = int(len(v.units))
    solver = SolverRun(be.name, be.version(), round(seconds, 3))
    if method is not None:
        solver = replace(solver, method=method, units_structured=units_structured,
                         units_mip=units - units_structured)
    figures = Summary(
        scenario=scenario.name,
        variant=v.name or BASELINE,
        status=status,
        message=message,
        reasons=tuple(reasons or ()),
        units=units,
        pools=int(len(lim.pool_names)),
        policy=v.policy,
        unit_types=tuple(sorted(lim.type_shares)),
        solver=solver,
        provenance=Provenance(scenario.input_hash, cited_sources(v.policy), __version__,
                              datetime.now(UTC).isoformat(timespec="seconds")),
        plan=None if alloc is None else plan_figures(v, lim, alloc),
    )
    return Result(scenario.name, v.name, status, alloc, figures, tuple(reasons or ()),
                  message, lim)


__all__ = [
    "Result", "solve", "SolverError", "Violation", "precheck_reasons",
    # the summary's parts, computed in quotaopt.result
    "appointments", "by_type", "caps_in_force", "exact_objectives", "policy_sources",
    "policy_summary", "totals",
]


def precheck_reasons(scenario: Scenario, variant: str | None = None) -> list[str]:
    """The reasons :func:`solve` would give for refusing ``variant`` before any solve (the
    feasibility conditions of :func:`quotaopt.feasibility.precheck`, exactly as ``run``
    words them); empty when the conditions hold. ``quotaopt validate`` reports them."""
    v = scenario.variant(variant)
    return precheck(v.policy, v.units, compute_limits(v.policy, v.units))
