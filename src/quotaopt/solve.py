"""Solve a scenario variant exactly and return a checked :class:`Result`.

Pipeline: units + policy → exact caps (``caps``) → simple infeasibility checks
(``diagnose``) → one MIP per batch of independent blocks (``model`` + a backend) → integer
plan → independent check (``check``) → allocation table and summary.

Independent blocks are single units (scope ``unit``), pools (scope ``pool``), or everything
(when a budget couples all units). Several blocks go into one MIP; units are put in canonical
order (pool, unit_id) first, so the input row order cannot change any unit's result.

Lexicographic objective. Stage 1 (weighted appointments) takes integer values in units of
δ; stage 2 (deviation from the proportional share) takes values in units of ``1/D`` and can
change by at most ``D·Σ 2T`` inside a block. The MIP minimises
``−N·stage1/δ + D·stage2`` with ``N`` one more than that span, which is exactly lexicographic
block by block. When ``N`` times the stage-1 range would be too large for double precision,
the two stages are solved one after the other instead, the second with the row
``stage1/δ ≥ optimum − ½`` (exact, because stage-1 values are whole numbers).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .backends import RawSolution, Status, get_backend
from .budgetpath import solve_budget
from .caps import UnitLimits, compute_limits, sorted_codes
from .check import Violation, check_plan
from .diagnose import infeasibility_reasons, precheck
from .errors import InputError, InternalError, SolverError
from .fastpath import eligible_blocks, solve_fast, tie_order
from .model import Formulation, build, stage1_coefficients, weighted
from .scenario import BASELINE, Policy, Scenario, Scope, Variant
from .units import UNIT_COLUMNS

ALLOCATION_COLUMNS = (
    "unit_id", "name", "type", "pool", "total_posts",
    "cap_senior", "cap_senior_intermediate",
    "posts_senior", "posts_intermediate", "posts_junior",
    "senior_incumbents", "intermediate_incumbents", "junior_incumbents",
    "appointed_senior", "appointed_intermediate",
    "waiting_left_senior", "waiting_left_intermediate",
    "vacant_senior", "vacant_intermediate", "vacant_junior",
    "over_ratio",
)

#: Largest objective magnitude solved as one weighted MIP; above it, two stages.
WEIGHTED_LIMIT = 1e11
METHODS = ("auto", "mip")
#: Units per MIP when blocks are independent (blocks are never split).
BATCH_UNITS = 2000
#: A progress callback: receives one short message as each stage starts.
Progress = Callable[[str], None]


@dataclass
class Result:
    """The outcome of solving one variant.

    Attributes
    ----------
    status
        ``optimal`` (proven), ``not_proven`` (time limit; best plan found), ``infeasible`` or
        ``no_solution``.
    allocation
        One row per unit in input order (columns of ``allocation.csv``); ``None`` when there
        is no plan.
    summary
        The content of ``summary.json``.
    reasons
        For an infeasible scenario: which rules collide, for which units or pools.
    """

    scenario: str
    variant: str
    status: Status
    allocation: pd.DataFrame | None
    summary: dict[str, Any]
    reasons: tuple[str, ...] = ()
    message: str = ""
    limits: UnitLimits | None = field(default=None, repr=False)

    @property
    def proven_optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    @property
    def has_plan(self) -> bool:
        return self.allocation is not None


# --------------------------------------------------------------------------------------------


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


def stage_groups(form: Formulation) -> list[list[tuple[np.ndarray, int, int]]]:
    """The stages, consecutive ones joined while one weighted objective of them stays below
    ``WEIGHTED_LIMIT`` (so double precision separates them)."""
    groups: list[list[tuple[np.ndarray, int, int]]] = []
    for stage in form.stages():
        if groups and weighted([*groups[-1], stage])[1] < WEIGHTED_LIMIT:
            groups[-1].append(stage)
        else:
            groups.append([stage])
    return groups


def solve_formulation(form: Formulation, backend, time_limit: float | None,
                      progress: Progress | None = None, label: str = "MIP") -> RawSolution:
    """Solve one formulation lexicographically: consecutive stages are joined into one
    weighted objective while its numbers stay below ``WEIGHTED_LIMIT``; each such group is
    then solved after the one before it, whose optimum is kept by a row
    ``group value ≤ optimum + ½`` (exact, because every group value is a whole number)."""
    groups = stage_groups(form)
    names = {1: "stage 1", 2: "stages 1 and 2", 3: "stages 1 to 3", 4: "stages 1 to 4"}
    started = time.perf_counter()
    rows: list[tuple[np.ndarray, float]] = []
    done = 0
    raw: RawSolution | None = None
    for g, group in enumerate(groups):
        cost, _ = weighted(group)
        first, last = done + 1, done + len(group)
        done = last
        what = (f"stage {first}" if first == last else
                names[last] if first == 1 else f"stages {first} to {last}")
        if len(groups) == 1:
            what = "stages 1 and 2 together" if last == 2 else f"{names[last]} together"
        left = (None if time_limit is None
                else time_limit - (time.perf_counter() - started) if g else time_limit)
        if left is not None and left <= 0:  # the earlier stages' plan is feasible, not proven
            assert raw is not None
            return RawSolution(Status.NOT_PROVEN, raw.x,
                               f"the time limit was spent after stage {first - 1} of {label}")
        _report(progress, f"solving {what}: {label}"
                + (", one weighted objective" if len(group) > 1 else ""))
        raw = backend.solve(form, cost, rows or None, left)
        if g and raw.status is Status.INFEASIBLE:  # cannot happen: the last plan fits the rows
            raise InternalError("a later stage became infeasible after fixing the earlier ones; "
                                "please report")
        if raw.status is not Status.OPTIMAL or raw.x is None:
            return raw
        for c, bound in rows:
            if float(np.dot(c, np.rint(raw.x))) < bound - 0.25:
                # seen with CBC on MIPs whose numbers reach ~10^11: the row was ignored
                raise SolverError(
                    f"the {backend.name} solver returned a plan that loses an earlier stage's "
                    f"optimum ({label}): the numbers are too large for it to be exact; try "
                    "--solver highs, or smaller counts")
        best = round(float(np.dot(cost, raw.x)))
        rows.append((-cost, -best - 0.5))
    assert raw is not None
    return raw


def apply_tie_rule(policy: Policy, units: pd.DataFrame, lim: UnitLimits, idx: np.ndarray,
                   tie: np.ndarray, A: np.ndarray, B: np.ndarray, ys: np.ndarray,
                   ym: np.ndarray) -> None:
    """The tie rule of scope pool on a MIP plan of the units ``idx`` (arrays changed in place).

    A plan optimal for stages 1–3 may leave a post where the tie order (:func:`tie_order`:
    larger ``total_posts`` first, then unit_id) would not. Move one post at a time, at one
    level, from a unit later in its pool's tie order to an earlier one, when the move keeps
    every rule and changes neither the weighted appointments (an appointment may move with
    the post, between units of equal priority) nor the pool's sums nor the distance to the
    quotas — so stages 1–3 stay optimal. Where the two levels do not constrain each other
    (every block the structured method solves), a plan no such move improves is the one the
    structured method finds (the exchange argument of :mod:`quotaopt.fastpath`).
    """
    T = units["total_posts"].to_numpy(np.int64)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    w_s = units["senior_waiting"].to_numpy(np.int64)
    w_m = units["intermediate_waiting"].to_numpy(np.int64)
    c_s, c_m, _ = stage1_coefficients(policy, units["priority"].to_numpy(np.float64))
    quotas = {"s": lim.quotas("s"), "sm": lim.quotas("sm")}
    pools: dict[int, list[int]] = {}
    for i in sorted(idx.tolist(), key=lambda i: int(tie[i])):
        pools.setdefault(int(lim.pool_codes[i]), []).append(i)

    def dist(level: str, i: int, x: int) -> int:
        num, den = quotas[level]
        return abs(x * int(den[i]) - int(num[i]))

    for members in pools.values():
        if len(members) < 2:
            continue
        for level in ("s", "sm"):
            x, y, inc, w, c = ((A, ys, inc_s, w_s, c_s) if level == "s"
                               else (B, ym, inc_sm, w_m, c_m))
            moved = True
            while moved:
                moved = False
                for a, u in enumerate(members):
                    if level == "s":
                        room_u = min(int(T[u]), int(B[u] - lim.min_m[u])) - int(A[u])
                    else:
                        room_u = int(T[u] - lim.min_j[u]) - int(B[u])
                    if room_u <= 0:
                        continue
                    gains_u = bool(y[u] < w[u] and y[u] == x[u] - inc[u])
                    up = dist(level, u, int(x[u]) + 1) - dist(level, u, int(x[u]))
                    for v in reversed(members[a + 1:]):
                        loses_v = bool(y[v] > 0 and y[v] == x[v] - inc[v])
                        if loses_v and not (gains_u and c[u] == c[v]):
                            continue
                        floor_v = (max(int(lim.min_s[v]), int(inc[v] + y[v] - loses_v))
                                   if level == "s" else
                                   max(int(inc[v] + y[v] - loses_v), int(A[v] + lim.min_m[v])))
                        if x[v] - 1 < floor_v:
                            continue
                        down = dist(level, v, int(x[v]) - 1) - dist(level, v, int(x[v]))
                        if up + down != 0:
                            continue
                        x[u] += 1
                        x[v] -= 1
                        if loses_v:
                            y[u] += 1
                            y[v] -= 1
                        moved = True
                        break
                    if moved:
                        break


def _report(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _integral(values: np.ndarray, what: str) -> np.ndarray:
    rounded = np.rint(values)
    if values.size and np.max(np.abs(values - rounded)) > 1e-5:
        raise InternalError(f"the solver returned a non-integer {what}; please report")
    return rounded.astype(np.int64)


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
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")  # doctest: +SKIP
    >>> res = quotaopt.solve(sc)                                       # doctest: +SKIP
    >>> res.status, res.summary["appointments"]["senior"]["appointed"]  # doctest: +SKIP
    """
    v = scenario.variant(variant)
    be = get_backend(backend or v.solver.backend)
    limit = time_limit if time_limit is not None else v.solver.time_limit
    started = time.perf_counter()
    _report(progress, f"building caps and checks ({len(v.units)} units)")
    limits = compute_limits(v.policy, v.units)
    reasons = precheck(v.policy, v.units, limits)
    if reasons:
        return _finish(scenario, v, Status.INFEASIBLE, None, limits, be, started,
                       reasons=reasons)
    n = len(v.units)
    A = np.zeros(n, dtype=np.int64)
    B = np.zeros(n, dtype=np.int64)
    ys = np.zeros(n, dtype=np.int64)
    ym = np.zeros(n, dtype=np.int64)
    blocks = block_codes(v.policy, v.units, limits)
    order = canonical_order(v.units, limits.pool_codes)
    status = Status.OPTIMAL
    messages: list[str] = []
    how = method or v.solver.method
    if how not in METHODS:
        raise InputError([f"unknown method {how!r}: choose {' or '.join(METHODS)}"])
    structured = np.zeros(n, dtype=bool)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    tie = tie_order(v.units["total_posts"].to_numpy(np.int64), limits.pool_codes, rank)
    if how == "auto" and n and v.policy.budget is not None and v.policy.scope is Scope.POOL:
        plan = _budget_plan(v, limits, order, rank, tie, progress)
        if plan is not None:
            A, B, ys, ym = plan
            structured[:] = True
    if how == "auto" and n and not structured.any():
        eligible = eligible_blocks(v.policy, limits, blocks)
        if eligible.any():
            what = "1 to 3" if v.policy.scope is Scope.POOL else "1 and 2"
            _report(progress, f"solving stages {what} together: exact structured method "
                    f"({int(eligible.sum())} units)")
            fast = solve_fast(v.policy, v.units, limits, eligible, blocks, rank)
            structured = fast.solved
            A[structured], B[structured] = fast.A[structured], fast.B[structured]
            ys[structured], ym[structured] = fast.ys[structured], fast.ym[structured]
    todo = list(batches(order[~structured[order]], blocks, batch_units))
    for k, idx in enumerate(todo, 1):
        label = f"MIP {k} of {len(todo)} ({len(idx)} units)"
        _report(progress, f"building {label}")
        form = build(v.policy, v.units, limits, idx, blocks[idx])
        # the limit bounds the whole solve, every batch together
        left = None if limit is None else limit - (time.perf_counter() - started)
        if left is not None and left <= 0:
            return _finish(scenario, v, Status.NO_SOLUTION, None, limits, be, started,
                           message=f"the time limit of {limit:g} s was spent before {label}")
        raw = solve_formulation(form, be, left, progress, label)
        if raw.status is Status.INFEASIBLE:
            _report(progress, f"diagnosing why {label} has no plan")
            return _finish(scenario, v, Status.INFEASIBLE, None, limits, be, started,
                           reasons=infeasibility_reasons(v.policy, v.units, limits, idx,
                                                         backend=be.name, time_limit=left))
        if raw.status is Status.NO_SOLUTION or raw.x is None:
            return _finish(scenario, v, Status.NO_SOLUTION, None, limits, be, started,
                           message=raw.message or "the solver found no plan in its time limit")
        if raw.status is Status.NOT_PROVEN:
            status = Status.NOT_PROVEN
            messages.append(raw.message)
        m = form.n
        A[idx] = _integral(raw.x[0:m], "post count")
        B[idx] = _integral(raw.x[m:2 * m], "post count")
        ys[idx] = _integral(raw.x[2 * m:3 * m], "appointment count")
        ym[idx] = _integral(raw.x[3 * m:4 * m], "appointment count")
        if v.policy.scope is Scope.POOL:
            apply_tie_rule(v.policy, v.units, limits, idx, tie, A, B, ys, ym)
    _report(progress, "checking the plan (independent checker) and summarising")
    allocation = checked_allocation(v, limits, A, B, ys, ym)
    res = _finish(scenario, v, status, allocation, limits, be, started,
                  message="; ".join(sorted(set(messages))))
    res.summary["solver"]["method"] = how
    res.summary["solver"]["units_structured"] = int(structured.sum())
    res.summary["solver"]["units_mip"] = int(n - structured.sum())
    return res


def _budget_plan(v: Variant, limits: UnitLimits, order: np.ndarray, rank: np.ndarray,
                 tie: np.ndarray, progress: Progress | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Scope pool with one budget over all units: the unbudgeted structured plan when it keeps
    the budget (then it is optimal with the budget too), else the exact method of
    :mod:`quotaopt.budgetpath`; ``None`` when neither applies (the MIP decides)."""
    n = len(v.units)
    budget = v.policy.budget
    assert budget is not None
    if not (limits.min_m > 0).any():
        _report(progress, f"solving stages 1 to 3 together: exact structured method ({n} "
                "units), without the budget first")
        fast = solve_fast(v.policy, v.units, limits, np.ones(n, dtype=bool),
                          limits.pool_codes.copy(), rank)
        if fast.solved.all() and budget.promotion_cost(
                int(fast.ys.sum()), int(fast.ym.sum())) <= budget.max_increase:
            return fast.A, fast.B, fast.ys, fast.ym
    _report(progress, f"solving stages 1 to 3 together: exact method for a budget ({n} units)")
    return solve_budget(v.policy, v.units, limits, order, tie)


def checked_allocation(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                       ys: np.ndarray, ym: np.ndarray) -> pd.DataFrame:
    """The allocation table, after the independent checker has passed it (else a bug)."""
    allocation = build_allocation(v, lim, A, B, ys, ym)
    violations = check_plan(v.policy, plan_for_check(v, allocation))
    if violations:
        raise InternalError(
            "the solver's plan fails the independent check — this is a bug, please report:\n"
            + "\n".join(f"  - {x}" for x in violations[:20])
        )
    return allocation


def build_allocation(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                     ys: np.ndarray, ym: np.ndarray) -> pd.DataFrame:
    """The allocation table (SPEC section 3) from the cumulative solution arrays."""
    u = v.units
    T = u["total_posts"].to_numpy(np.int64)
    i_s = u["senior_incumbents"].to_numpy(np.int64)
    i_m = u["intermediate_incumbents"].to_numpy(np.int64)
    i_j = u["junior_incumbents"].to_numpy(np.int64)
    ps, pm, pj = A, B - A, T - B
    # staff per level after the appointments
    h_s, h_m, h_j = i_s + ys, i_m - ys + ym, i_j - ym
    # a post not needed at its own level may hold staff of the level below (cumulative rule)
    over_j = np.maximum(0, h_j - pj)
    over_m = np.maximum(0, h_m + over_j - pm)
    if v.policy.scope is Scope.POOL:
        cap_s = lim.pool_cap_s[lim.pool_codes]
        cap_sm = lim.pool_cap_sm[lim.pool_codes]
    else:
        cap_s, cap_sm = lim.cap_s, lim.cap_sm
    data = {
        # object columns as given: letting pandas infer a text dtype and casting back is slow
        "unit_id": pd.Series(u["unit_id"].to_numpy(dtype=object), dtype=object, copy=False),
        "name": pd.Series(u["name"].to_numpy(dtype=object), dtype=object, copy=False),
        "type": pd.Series(u["type"].to_numpy(dtype=object), dtype=object, copy=False),
        "pool": pd.Series(u["pool"].to_numpy(dtype=object), dtype=object, copy=False),
        "total_posts": T,
        "cap_senior": cap_s.astype(np.int64),
        "cap_senior_intermediate": cap_sm.astype(np.int64),
        "posts_senior": ps,
        "posts_intermediate": pm,
        "posts_junior": pj,
        "senior_incumbents": i_s,
        "intermediate_incumbents": i_m,
        "junior_incumbents": i_j,
        "appointed_senior": ys,
        "appointed_intermediate": ym,
        "waiting_left_senior": u["senior_waiting"].to_numpy(np.int64) - ys,
        "waiting_left_intermediate": u["intermediate_waiting"].to_numpy(np.int64) - ym,
        "vacant_senior": ps - h_s - over_m,
        "vacant_intermediate": np.maximum(0, pm - h_m - over_j),
        "vacant_junior": np.maximum(0, pj - h_j),
        "over_ratio": lim.over_ratio.copy(),
    }
    out = pd.DataFrame(data)
    # carry unknown input columns through, after the standard ones
    for c in u.columns:
        if c not in out.columns and c not in UNIT_COLUMNS:
            out[c] = u[c].to_numpy()
    return out


def plan_for_check(v: Variant, alloc: pd.DataFrame) -> pd.DataFrame:
    """The units table plus the plan's posts and appointments, as ``check_plan`` reads it."""
    cols = ["posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
            "appointed_intermediate"]
    return v.units.assign(**{c: alloc[c].to_numpy() for c in cols})


# --------------------------------------------------------------------------------------------
# Summary


def _num(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def exact_objectives(v: Variant, lim: UnitLimits, alloc: pd.DataFrame
                     ) -> tuple[Fraction, int, float | None]:
    """(stage 1, stage 2, stage 3) of an integer plan: stages 1 and 2 exactly; stage 3 (scope
    pool, else ``None``) as the correctly rounded sum of every pool's exact distance (see
    :func:`quota_distances`: the exact total would need the common denominator of every
    pool's quotas)."""
    pol = v.policy
    prio = v.units["priority"].to_numpy(np.float64)
    ys = alloc["appointed_senior"].to_numpy(np.int64)
    ym = alloc["appointed_intermediate"].to_numpy(np.int64)
    stage1 = Fraction(0)
    for g in sorted(set(prio.tolist())):
        mask = prio == g
        gf = Fraction(repr(float(g)))
        stage1 += gf * (pol.weight_senior * int(ys[mask].sum())
                        + pol.weight_intermediate * int(ym[mask].sum()))
    A = alloc["posts_senior"].to_numpy(np.int64)
    B = A + alloc["posts_intermediate"].to_numpy(np.int64)
    if pol.scope is Scope.POOL:
        k = len(lim.pool_names)
        sums = [np.bincount(lim.pool_codes, weights=x, minlength=k).astype(np.int64)
                for x in (A, B)]
        stage2 = int(np.abs(sums[0] - lim.pool_target_s).sum()
                     + np.abs(sums[1] - lim.pool_target_sm).sum())
        stage3: float | None = math.fsum(float(d) for d in quota_distances(lim, A, B))
    else:
        stage2 = int(np.abs(A - lim.target_s).sum() + np.abs(B - lim.target_sm).sum())
        stage3 = None
    return stage1, stage2, stage3


def quota_distances(lim: UnitLimits, A: np.ndarray, B: np.ndarray) -> list[Fraction]:
    """Scope pool: every pool's exact stage 3, ``Σ_u |A_u − Q_s,u| + |B_u − Q_sm,u|``."""
    k = len(lim.pool_names)
    out = [Fraction(0)] * k
    for level, x in (("s", A), ("sm", B)):
        num, den = lim.quotas(level)
        if num.dtype != object and den.dtype != object and (
                not len(x) or int(np.abs(x).max()) * int(den.max()) < 2**61):
            dist = np.abs(x * den - num)
            per = np.zeros(k, dtype=np.int64)
            np.add.at(per, lim.pool_codes, dist)
            pool_den = np.ones(k, dtype=np.int64)
            pool_den[lim.pool_codes] = den
            for p in np.flatnonzero(per).tolist():
                out[p] += Fraction(int(per[p]), int(pool_den[p]))
        else:
            acc = [0] * k
            dens = [1] * k
            for p, xi, q, d in zip(lim.pool_codes.tolist(), x.tolist(), num.tolist(),
                                   den.tolist(), strict=True):
                acc[p] += abs(int(xi) * int(d) - int(q))
                dens[p] = int(d)
            for p in range(k):
                if acc[p]:
                    out[p] += Fraction(acc[p], dens[p])
    return out


def policy_summary(policy: Policy, types: list[str]) -> dict[str, Any]:
    """The effective policy values, as every report shows them."""
    shares = {}
    for t in sorted(types):
        sh = policy.shares_for(t)
        shares[t] = {
            "senior": str(sh.senior),
            "intermediate": str(sh.intermediate),
            "junior": str(sh.junior),
            "junior_to_intermediate": str(sh.junior_to_intermediate),
            "senior_intermediate_cap": str(sh.senior_intermediate_cap_share),
        }
    out: dict[str, Any] = {
        "ratio": str(policy.ratio),
        "scope": policy.scope.value,
        "rounding": policy.rounding.value,
        "junior_to_intermediate": str(policy.junior_to_intermediate),
        "incumbents": policy.incumbents.value,
        "types": {t: {"senior_bonus": str(tp.senior_bonus),
                      "ratio": str(tp.ratio) if tp.ratio else None,
                      "source": tp.source} for t, tp in sorted(policy.types.items())},
        "shares": shares,
        "minimum": [{"type": r.type, "level": r.level.value, "posts": r.posts,
                     "when_total_at_least": r.when_total_at_least, "source": r.source}
                    for r in policy.minimum],
        "weights": {"senior": str(policy.weight_senior),
                    "intermediate": str(policy.weight_intermediate)},
        "budget": None,
        "source": policy.source,
    }
    if policy.budget is not None:
        b = policy.budget
        out["budget"] = {"cost": {"senior": str(b.cost_senior),
                                  "intermediate": str(b.cost_intermediate),
                                  "junior": str(b.cost_junior)},
                         "max_increase": str(b.max_increase), "source": b.source}
    return out


def policy_sources(policy: Policy) -> list[dict[str, str]]:
    """The documents the policy cites: ``[{"rule": "policy", "source": "…"}, …]``."""
    cited = [("policy", policy.source)]
    cited += [(f"policy.types.{t}", tp.source) for t, tp in sorted(policy.types.items())]
    cited += [(f"policy.minimum[{k + 1}]", r.source) for k, r in enumerate(policy.minimum)]
    if policy.budget is not None:
        cited.append(("budget", policy.budget.source))
    return [{"rule": rule, "source": src} for rule, src in cited if src]


def _finish(scenario: Scenario, v: Variant, status: Status, alloc: pd.DataFrame | None,
            lim: UnitLimits, be, started: float, *, reasons: list[str] | None = None,
            message: str = "") -> Result:
    seconds = time.perf_counter() - started
    u = v.units
    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "variant": v.name or BASELINE,
        "status": status.value,
        "proven_optimal": status is Status.OPTIMAL,
        "message": message,
        "reasons": list(reasons or []),
        "units": int(len(u)),
        "pools": int(len(lim.pool_names)),
        "policy": policy_summary(v.policy, sorted(lim.type_shares)),
        "solver": {"backend": be.name, "version": be.version(), "seconds": round(seconds, 3)},
        "input_hash": scenario.input_hash,
        "sources": policy_sources(v.policy),
        "quotaopt_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if alloc is not None:
        stage1, stage2, stage3 = exact_objectives(v, lim, alloc)
        summary["objective"] = {
            "weighted_appointments": _num(stage1),
            "weighted_appointments_exact": str(stage1),
            "distance_from_base_caps": stage2,
            "distance_from_quotas": None if stage3 is None else round(stage3, 9),
        }
        summary["totals"] = totals(alloc)
        summary["caps"] = caps_in_force(alloc, v.policy.scope)
        summary["appointments"] = appointments(alloc)
        summary["by_type"] = by_type(alloc)
        summary["units_over_ratio"] = int(alloc["over_ratio"].sum())
        summary["promotion_cost"] = None
        if v.policy.budget is not None:
            b = v.policy.budget
            cost = b.promotion_cost(int(alloc["appointed_senior"].sum()),
                                    int(alloc["appointed_intermediate"].sum()))
            summary["promotion_cost"] = _num(cost)
            summary["budget_max_increase"] = _num(b.max_increase)
    return Result(scenario.name, v.name, status, alloc, summary, tuple(reasons or ()),
                  message, lim)


_TOTAL_COLUMNS = ("total_posts", "posts_senior", "posts_intermediate", "posts_junior",
                  "vacant_senior", "vacant_intermediate", "vacant_junior")


def by_type(alloc: pd.DataFrame) -> dict[str, dict[str, int]]:
    """:func:`totals` and appointments per unit type (sorted), summed without copying groups."""
    names, codes = sorted_codes(alloc["type"])
    if not names:
        return {}
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(names))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    present = counts > 0

    def sums(col: str) -> list[int]:
        values = alloc[col].to_numpy(np.int64)[order]
        return np.add.reduceat(values, starts[present]).tolist() if len(values) else []

    cols = {c: sums(c) for c in (*_TOTAL_COLUMNS, "appointed_senior", "appointed_intermediate",
                                 "waiting_left_senior", "waiting_left_intermediate")}
    out: dict[str, dict[str, int]] = {}
    for k, name in enumerate(t for t, ok in zip(names, present, strict=True) if ok):
        d = {c: int(cols[c][k]) for c in _TOTAL_COLUMNS}
        d["units"] = int(counts[present][k])
        d["appointed_senior"] = int(cols["appointed_senior"][k])
        d["appointed_intermediate"] = int(cols["appointed_intermediate"][k])
        d["waiting_senior"] = d["appointed_senior"] + int(cols["waiting_left_senior"][k])
        d["waiting_intermediate"] = (d["appointed_intermediate"]
                                     + int(cols["waiting_left_intermediate"][k]))
        out[name] = d
    return out


def caps_in_force(alloc: pd.DataFrame, scope: Scope) -> dict[str, int]:
    """Total senior and senior+intermediate caps: summed over units, or (scope ``pool``)
    over pools, each pool's cap counted once."""
    cols = ["cap_senior", "cap_senior_intermediate"]
    caps = (alloc.groupby("pool", sort=True)[cols].first().sum() if scope is Scope.POOL
            else alloc[cols].sum())
    return {"senior": int(caps["cap_senior"]),
            "senior_intermediate": int(caps["cap_senior_intermediate"])}


def totals(alloc: pd.DataFrame) -> dict[str, int]:
    """Post totals of a set of units."""
    out = {c: int(alloc[c].sum()) for c in (
        "total_posts", "posts_senior", "posts_intermediate", "posts_junior",
        "vacant_senior", "vacant_intermediate", "vacant_junior")}
    out["units"] = int(len(alloc))
    return out


def appointments(alloc: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {
        "senior": {"waiting": int(alloc["appointed_senior"].sum()
                                  + alloc["waiting_left_senior"].sum()),
                   "appointed": int(alloc["appointed_senior"].sum()),
                   "left": int(alloc["waiting_left_senior"].sum())},
        "intermediate": {"waiting": int(alloc["appointed_intermediate"].sum()
                                        + alloc["waiting_left_intermediate"].sum()),
                         "appointed": int(alloc["appointed_intermediate"].sum()),
                         "left": int(alloc["waiting_left_intermediate"].sum())},
    }


def solve_status_exit_code(status: Status) -> int:
    """Exit code of the CLI for a solve status (SPEC section 4)."""
    return {Status.OPTIMAL: 0, Status.INFEASIBLE: 3, Status.NOT_PROVEN: 4,
            Status.NO_SOLUTION: 4}[status]


__all__ = ["Result", "solve", "SolverError", "Violation"]
