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
block; further groups are solved one after the other, each earlier group's optimum kept by
its optimal face (bounds proven from the LP relaxation's duals, :func:`relaxed_face`) or else
by the row ``value ≤ optimum + ½`` (exact, because the values are whole numbers). The tie
rule of scope pool is then applied to MIP plans by :func:`apply_tie_rule`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from .backends import Backend, RawSolution, Status, get_backend
from .budgetpath import solve_budget, solve_pool_budgets
from .caps import UnitLimits, compute_limits, sorted_codes
from .check import Violation, check_plan
from .errors import InputError, InternalError, Problem, SolverError
from .fastpath import eligible_blocks, solve_fast, tie_order
from .feasibility import precheck
from .i18n import _
from .messages import render
from .meta import __version__
from .model import (
    Formulation,
    Segmented,
    build,
    complete_plan,
    int_dot,
    optimal_face,
    pool_budget_rhs,
    segmented,
    slack_rows,
    unit_arrays,
    weighted,
)
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
from .units import BUDGET_COLUMN, UNIT_COLUMNS

#: Largest objective magnitude solved as one weighted MIP; above it, two stages.
WEIGHTED_LIMIT = 1e11
METHODS = ("auto", "mip")
#: Units per MIP when blocks are independent (blocks are never split).
BATCH_UNITS = 2000
#: Pools larger than this take the tie rule one pair at a time (the pairs would not fit).
TIE_POOL_LIMIT = 2000
#: A backend's LP relaxation: ``(form, cost, time limit) → (x, row duals)`` or ``None``.
Relaxation = Callable[[Formulation, np.ndarray, float | None],
                      tuple[np.ndarray, np.ndarray] | None]
#: A progress callback: receives one short message as each stage starts.
Progress = Callable[[str], None]


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


def solve_formulation(form: Formulation, backend: Backend, time_limit: float | None,
                      progress: Progress | None = None, label: str = "MIP") -> RawSolution:
    """Solve one formulation lexicographically: consecutive stages are joined into one
    weighted objective while its numbers stay below ``WEIGHTED_LIMIT``; each such group is
    then solved after the one before it, whose optimum is kept either by its optimal face
    (:func:`quotaopt.model.optimal_face`: bounds fixed and rows made equalities, proven from
    the LP relaxation's duals in whole-number arithmetic — when the backend gives duals and
    the relaxation is tight) or else by a row ``group value ≤ optimum + ½`` (exact, because
    every group value is a whole number). The face keeps the rows sparse; the dense row
    makes the later stages' MIP much slower."""
    groups = stage_groups(form)
    names = {1: _("stage 1"), 2: _("stages 1 and 2"), 3: _("stages 1 to 3"),
             4: _("stages 1 to 4")}
    started = time.perf_counter()
    rows: list[tuple[np.ndarray, float]] = []  # every earlier group's optimum as a dense row
    face = form  # the plans optimal for the earlier groups kept by a face …
    face_rows: list[tuple[np.ndarray, float]] = []  # … and those kept by a dense row
    kept: list[tuple[np.ndarray, int]] = []  # (cost, optimum) the face keeps
    relaxation = getattr(backend, "relaxation", None)
    done = 0
    raw: RawSolution | None = None
    for g, group in enumerate(groups):
        cost, _limit = weighted(group)
        first, last = done + 1, done + len(group)
        done = last
        what = (_("stage {n}").format(n=first) if first == last else
                names[last] if first == 1 else
                _("stages {first} to {last}").format(first=first, last=last))
        if len(groups) == 1:
            what = _("{stages} together").format(stages=names[last])
        left = None if time_limit is None else time_limit - (time.perf_counter() - started)
        if g and left is not None and left <= 0:  # the earlier stages' plan, the rest unproven
            assert raw is not None
            after = names.get(first - 1, _("stages 1 to {n}").format(n=first - 1))
            return RawSolution(Status.NOT_PROVEN, raw.x,
                               render("time_spent_after", {"after": after, "label": label}))
        _report(progress, _("solving {what}: {label}").format(what=what, label=label)
                + (_(", one weighted objective") if len(group) > 1 else ""))
        found = None
        if g + 1 < len(groups) and relaxation is not None and not face_rows:
            found = relaxed_face(face, cost, relaxation, left)
        if found is not None and found[2] is not None:
            # the LP relaxation has a whole-number optimum: no MIP needed for this group
            face = found[0]
            kept.append((cost, found[1]))
            rows.append((-cost, -found[1] - 0.5))
            raw = RawSolution(Status.OPTIMAL, found[2])
            continue
        seg = segmented(face, cost) if g + 1 == len(groups) and not face_rows else None
        if seg is not None:  # the last group: its deviation rows as segments, fewer rows
            raw = solve_segmented(seg, backend, relaxation, left)
        else:
            raw = backend.solve(face, cost, face_rows or None, left)
        if (kept and raw.status is Status.OPTIMAL and raw.x is not None
                and any(abs(float(np.dot(c, raw.x)) - b) > 0.25 for c, b in kept)):
            # the face is exact, so only the solver's tolerances can get here: the dense rows
            left = None if time_limit is None else time_limit - (time.perf_counter() - started)
            face, face_rows, kept = form, list(rows), []
            raw = backend.solve(face, cost, face_rows or None, left)
        if g and raw.status is Status.INFEASIBLE:  # cannot happen: the last plan fits the rows
            raise InternalError(render("later_stage_infeasible", {}))
        if raw.status is not Status.OPTIMAL or raw.x is None:
            return raw
        for c, bound in rows:
            if float(np.dot(c, np.rint(raw.x))) < bound - 0.25:
                # seen with CBC on MIPs whose numbers reach ~10^11: the row was ignored
                raise SolverError(render("stage_lost_optimum",
                                         {"solver": backend.name, "label": label}))
        best = round(float(np.dot(cost, raw.x)))
        rows.append((-cost, -best - 0.5))
        if g + 1 == len(groups):
            break
        if found is not None and found[1] == best:  # the relaxation is tight: its face
            face = found[0]
            kept.append((cost, best))
        else:
            face_rows.append((-cost, -best - 0.5))
    assert raw is not None
    return raw


def solve_segmented(seg: Segmented, backend: Backend, relaxation: Relaxation | None,
                    time_limit: float | None) -> RawSolution:
    """``min cost · x`` over a formulation whose deviation rows are written as segments
    (:func:`quotaopt.model.segmented`), as a plan of the original formulation: from the LP
    relaxation when its solution is a whole-number plan that the duals prove optimal
    (:func:`relaxed_face`; the usual case on a face), else from the backend's MIP."""
    started = time.perf_counter()
    if relaxation is not None:
        found = relaxed_face(seg.form, seg.cost, relaxation, time_limit)
        if found is not None and found[2] is not None:
            return RawSolution(Status.OPTIMAL, seg.plan(found[2]))
    left = None if time_limit is None else time_limit - (time.perf_counter() - started)
    raw = backend.solve(seg.form, seg.cost, None, left)
    return raw if raw.x is None else replace(raw, x=seg.plan(raw.x))


def relaxed_face(form: Formulation, cost: np.ndarray, relaxation: Relaxation,
                 time_limit: float | None) -> tuple[Formulation, int, np.ndarray | None] | None:
    """``(face, D, plan)`` from the LP relaxation of ``min cost · x`` (``relaxation``: a
    backend's, returning ``(x, row duals)``): ``D`` a proven lower bound over every plan,
    ``face`` the plans of ``form`` that reach it (:func:`quotaopt.model.optimal_face`), and
    ``plan`` the relaxation's solution when it is exactly an integer plan of value ``D`` —
    which proves ``D`` the integer optimum — else ``None``. ``None`` when the duals prove
    nothing. The relaxation is solved without the rows the deviation columns make redundant
    (:func:`quotaopt.model.slack_rows`): same optimum, several times faster."""
    dropped, slack = slack_rows(form, cost)
    keep = ~dropped
    reduced = replace(form, matrix=form.matrix[keep], row_lower=form.row_lower[keep],
                      row_upper=form.row_upper[keep])
    got = relaxation(reduced, cost, time_limit)
    if got is None:
        return None
    x, duals = got
    # solvers differ in the sign of a dual: take the better proof of the two conventions
    proofs = [f for f in (optimal_face(reduced, cost, duals), optimal_face(reduced, cost, -duals))
              if f is not None]
    if not proofs:
        return None
    found = max(proofs, key=lambda f: f[1])
    narrowed, bound = found
    row_lower, row_upper = form.row_lower.copy(), form.row_upper.copy()
    row_lower[keep], row_upper[keep] = narrowed.row_lower, narrowed.row_upper
    face = replace(form, col_lower=narrowed.col_lower, col_upper=narrowed.col_upper,
                   row_lower=row_lower, row_upper=row_upper, face=True)
    plan = complete_plan(form, x, slack)
    if plan is not None and int_dot(np.asarray(cost, dtype=np.float64), plan) != bound:
        plan = None
    return face, bound, plan


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

    Each pool, senior level first: the move taken is the one from the *first* unit ``u`` in
    tie order that has one, to the *last* unit ``v`` after it that allows it; repeat until
    none is left. All pools move at once (they are independent), over arrays of the
    candidate pairs ``(u, v)``; the same moves as one pool and one pair at a time.
    """
    order = idx[np.lexsort((tie[idx], lim.pool_codes[idx]))]
    pool = lim.pool_codes[order]
    starts = np.flatnonzero(np.r_[True, pool[1:] != pool[:-1]]) if len(order) else order
    sizes = np.diff(np.r_[starts, len(order)])
    quotas = {"s": lim.quotas("s"), "sm": lim.quotas("sm")}
    T = units["total_posts"].to_numpy(np.int64)
    exact = all(num.dtype != object and den.dtype != object for num, den in quotas.values())
    if exact and len(order):
        top = max(int(np.abs(num[order]).max(initial=0)) + int(den[order].max(initial=0))
                  * (int(T[order].max(initial=0)) + 2) for num, den in quotas.values())
        exact = top < 2**62
    big = sizes > TIE_POOL_LIMIT
    if not exact or big.any():
        pools = {int(pool[s]): order[s:s + m].tolist() for s, m in zip(starts.tolist(),
                                                                      sizes.tolist(),
                                                                      strict=True)
                 if not exact or m > TIE_POOL_LIMIT}
        _tie_rule_loop(policy, units, lim, pools, A, B, ys, ym)
        if not exact:
            return
        keep = np.repeat(~big, sizes)
        order, pool = order[keep], pool[keep]
        starts, sizes = starts[~big], sizes[~big]
        starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64) if len(sizes) else starts
    # every pair (a, b) of positions in ``order``, a before b in the same pool, sorted by
    # (pool, a, b)
    m = np.repeat(sizes, sizes)
    first = np.repeat(starts, sizes)
    k = np.arange(len(order)) - first
    count = m - k - 1
    pa = np.repeat(np.arange(len(order)), count)
    pb = pa + 1 + (np.arange(len(pa)) - np.repeat(np.cumsum(count) - count, count))
    if not len(pa):
        return
    ua, ub = order[pa], order[pb]
    _T, inc_s, inc_sm, w_s, w_m, c_s, c_m = unit_arrays(policy, units)
    for level in ("s", "sm"):
        x, y, inc, w, c = ((A, ys, inc_s, w_s, c_s) if level == "s"
                           else (B, ym, inc_sm, w_m, c_m))
        num, den = (a.astype(np.int64) for a in quotas[level])
        same_c = c[ua] == c[ub]
        while True:
            xu = x[order]
            room = ((np.minimum(T, B - lim.min_m) - A) if level == "s"
                    else (T - lim.min_j - B))[order] > 0
            ok = y[order] == xu - inc[order]
            gains = ok & (y[order] < w[order])
            loses = ok & (y[order] > 0)
            nu, du = num[order], den[order]
            here = np.abs(xu * du - nu)
            up = np.abs((xu + 1) * du - nu) - here
            down = np.abs((xu - 1) * du - nu) - here
            floor = inc[order] + y[order] - loses
            floor = (np.maximum(lim.min_s[order], floor) if level == "s"
                     else np.maximum(floor, (A + lim.min_m)[order]))
            can_lose = xu - 1 >= floor
            valid = (room[pa] & can_lose[pb] & (up[pa] + down[pb] == 0)
                     & (~loses[pb] | (gains[pa] & same_c)))
            hit = np.flatnonzero(valid)
            if not len(hit):
                break
            # per pool: the first a with a move, and its last b
            a_hit = pa[hit]
            new_a = np.r_[True, a_hit[1:] != a_hit[:-1]]
            group_start = np.flatnonzero(new_a)
            group_end = np.r_[group_start[1:], len(hit)] - 1
            pools_hit = pool[a_hit[group_start]]
            first_of_pool = np.r_[True, pools_hit[1:] != pools_hit[:-1]]
            chosen = hit[group_end[first_of_pool]]
            u, v = ua[chosen], ub[chosen]
            moves_y = loses[pb[chosen]]
            x[u] += 1
            x[v] -= 1
            y[u[moves_y]] += 1
            y[v[moves_y]] -= 1


def _tie_rule_loop(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                    pools: dict[int, list[int]], A: np.ndarray, B: np.ndarray,
                    ys: np.ndarray, ym: np.ndarray) -> None:
    """:func:`apply_tie_rule` one move at a time in Python integers: for quotas beyond int64
    and for very large pools (``pools``: the units of each pool, in tie order)."""
    T, inc_s, inc_sm, w_s, w_m, c_s, c_m = unit_arrays(policy, units)
    quotas = {"s": lim.quotas("s"), "sm": lim.quotas("sm")}

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
    _report(progress, _("building caps and checks ({units} units)").format(units=len(v.units)))
    limits = compute_limits(v.policy, v.units)
    reasons = precheck(v.policy, v.units, limits)
    if reasons:
        return finish_result(scenario, v, Status.INFEASIBLE, None, limits, be, started,
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
        raise InputError([Problem.of("unknown_method", method=how, choices=METHODS)])
    structured = np.zeros(n, dtype=bool)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    tie = tie_order(v.units["total_posts"].to_numpy(np.int64), limits.pool_codes, rank)
    if how == "auto" and n and v.policy.budget is not None and v.policy.budget.per_pool:
        structured = _pool_budget_plan(v, limits, rank, tie, progress, A, B, ys, ym)
    elif how == "auto" and n and v.policy.budget is not None:
        plan = _budget_plan(v, limits, order, rank, tie, progress)
        if plan is not None:
            A, B, ys, ym = plan
            structured[:] = True
    if how == "auto" and n and not structured.any() and (
            v.policy.budget is None or not v.policy.budget.per_pool):
        eligible = eligible_blocks(v.policy, limits, blocks)
        if eligible.any():
            what = _("stages 1 to 3") if v.policy.scope is Scope.POOL else _("stages 1 and 2")
            _report(progress, _("solving {stages} together: exact structured method ({units} "
                                "units)").format(stages=what, units=int(eligible.sum())))
            fast = solve_fast(v.policy, v.units, limits, eligible, blocks, rank, tie)
            structured = fast.solved
            A[structured], B[structured] = fast.A[structured], fast.B[structured]
            ys[structured], ym[structured] = fast.ys[structured], fast.ym[structured]
    todo = list(batches(order[~structured[order]], blocks, batch_units))
    for k, idx in enumerate(todo, 1):
        label = _("MIP {k} of {n} ({units} units)").format(k=k, n=len(todo), units=len(idx))
        _report(progress, _("building {label}").format(label=label))
        form = build(v.policy, v.units, limits, idx, blocks[idx])
        # the limit bounds the whole solve, every batch together
        left = None if limit is None else limit - (time.perf_counter() - started)
        if left is not None and left <= 0:
            return finish_result(scenario, v, Status.NO_SOLUTION, None, limits, be, started,
                                 message=render("time_spent_before",
                                                {"limit": limit, "label": label}))
        raw = solve_formulation(form, be, left, progress, label)
        if raw.status is Status.INFEASIBLE:
            _report(progress, _("diagnosing why {label} has no plan").format(label=label))
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
    _report(progress, _("checking the plan (independent checker) and summarising"))
    allocation = checked_allocation(v, limits, A, B, ys, ym)
    return finish_result(scenario, v, status, allocation, limits, be, started,
                         message="; ".join(sorted(set(messages))), method=how,
                         units_structured=int(structured.sum()))


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
        _report(progress, _("solving {stages} together: exact structured method ({units} "
                            "units), without the budget first").format(stages=stages, units=n))
        blocks = limits.pool_codes.copy() if pooled else np.arange(n, dtype=np.int64)
        fast = solve_fast(v.policy, v.units, limits, np.ones(n, dtype=bool), blocks, rank)
        if fast.solved.all() and budget.promotion_cost(
                int(fast.ys.sum()), int(fast.ym.sum())) <= budget.max_increase:
            return fast.A, fast.B, fast.ys, fast.ym
    _report(progress, _("solving {stages} together: exact method for a budget ({units} "
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
        _report(progress, _("solving stages 1 to 3 together: exact method for each pool's "
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
    _report(progress, _("solving {stages} together: exact structured method ({units} "
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


def checked_allocation(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                       ys: np.ndarray, ym: np.ndarray) -> pd.DataFrame:
    """The allocation table, after the independent checker has passed it (else a bug)."""
    allocation = build_allocation(v, lim, A, B, ys, ym)
    violations = check_plan(v.policy, plan_columns(v, allocation))
    if violations:
        raise InternalError(render("plan_fails_check",
                                   {"violations": [str(x) for x in violations[:20]]}))
    return allocation


#: The whole-number columns of the allocation table, in its column order (SPEC section 3).
INTEGER_COLUMNS = (
    "total_posts", "cap_senior", "cap_senior_intermediate", "posts_senior",
    "posts_intermediate", "posts_junior", "senior_incumbents", "intermediate_incumbents",
    "junior_incumbents", "appointed_senior", "appointed_intermediate",
    "waiting_left_senior", "waiting_left_intermediate", "vacant_senior",
    "vacant_intermediate", "vacant_junior")
#: The columns of the plan itself, as :func:`quotaopt.check.check_plan` reads them.
PLAN_COLUMNS = ("posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
                "appointed_intermediate")


def build_allocation(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                     ys: np.ndarray, ym: np.ndarray) -> pd.DataFrame:
    """The allocation table (SPEC section 3) from the cumulative solution arrays.

    The whole-number columns are computed straight into the one 2-D block pandas keeps them
    in (no column is held twice: at 10⁶ units each is 8 MB, and memory is the limit)."""
    u = v.units
    block = integer_block(v, lim, A, B, ys, ym)
    texts = pd.DataFrame({
        # object columns as given: letting pandas infer a text dtype and casting back is slow
        c: pd.Series(u[c].to_numpy(dtype=object), dtype=object, copy=False)
        for c in ("unit_id", "name", "type", "pool")})
    numbers = pd.DataFrame(block.T, columns=list(INTEGER_COLUMNS), copy=False)
    flags = pd.DataFrame({"over_ratio": lim.over_ratio.copy()})
    out = pd.concat([texts, numbers, flags], axis=1)
    # carry unknown input columns through, after the standard ones
    for c in u.columns:
        if c not in out.columns and c not in UNIT_COLUMNS and c != BUDGET_COLUMN:
            out[c] = u[c].to_numpy()
    return out


def integer_block(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                  ys: np.ndarray, ym: np.ndarray) -> np.ndarray:
    """The allocation's whole-number columns as one ``(columns, units)`` int64 array, in the
    order of :data:`INTEGER_COLUMNS`, each computed in place in its row.

    Posts per level are ``A``, ``B − A`` and ``T − B``; staff per level after the
    appointments are ``h_s = I_s + y_s``, ``h_m = I_m − y_s + y_m``, ``h_j = I_j − y_m``; a
    post not needed at its own level may hold staff of the level below (cumulative rule), so
    ``over_j = max(0, h_j − P_j)`` and ``over_m = max(0, h_m + over_j − P_m)`` spill upwards
    and the vacancies are ``P_j − h_j``, ``P_m − h_m − over_j`` (each at least 0) and
    ``P_s − h_s − over_m``."""
    u = v.units
    n = len(u)
    block = np.empty((len(INTEGER_COLUMNS), n), dtype=np.int64)
    row = dict(zip(INTEGER_COLUMNS, block, strict=True))
    T = u["total_posts"].to_numpy(np.int64)
    row["total_posts"][:] = T
    if v.policy.scope is Scope.POOL:
        np.take(lim.pool_cap_s, lim.pool_codes, out=row["cap_senior"])
        np.take(lim.pool_cap_sm, lim.pool_codes, out=row["cap_senior_intermediate"])
    else:
        row["cap_senior"][:] = lim.cap_s
        row["cap_senior_intermediate"][:] = lim.cap_sm
    ps, pm, pj = row["posts_senior"], row["posts_intermediate"], row["posts_junior"]
    ps[:] = A
    np.subtract(B, A, out=pm)
    np.subtract(T, B, out=pj)
    for c in ("senior_incumbents", "intermediate_incumbents", "junior_incumbents"):
        row[c][:] = u[c].to_numpy(np.int64)
    row["appointed_senior"][:] = ys
    row["appointed_intermediate"][:] = ym
    np.subtract(u["senior_waiting"].to_numpy(np.int64), ys, out=row["waiting_left_senior"])
    np.subtract(u["intermediate_waiting"].to_numpy(np.int64), ym,
                out=row["waiting_left_intermediate"])
    staff = np.subtract(row["junior_incumbents"], ym)  # h_j
    vacant = row["vacant_junior"]
    np.subtract(pj, staff, out=vacant)
    np.maximum(vacant, 0, out=vacant)
    spill = np.subtract(staff, pj)  # over_j
    np.maximum(spill, 0, out=spill)
    np.subtract(row["intermediate_incumbents"], ys, out=staff)  # h_m
    staff += ym
    vacant = row["vacant_intermediate"]
    np.subtract(pm, staff, out=vacant)
    vacant -= spill
    np.maximum(vacant, 0, out=vacant)
    spill += staff  # over_m
    spill -= pm
    np.maximum(spill, 0, out=spill)
    np.add(row["senior_incumbents"], ys, out=staff)  # h_s
    vacant = row["vacant_senior"]
    np.subtract(ps, staff, out=vacant)
    vacant -= spill
    return block


def plan_for_check(v: Variant, alloc: pd.DataFrame) -> pd.DataFrame:
    """The units table plus the plan's posts and appointments, as ``check_plan`` reads it."""
    return v.units.assign(**{c: alloc[c].to_numpy() for c in PLAN_COLUMNS})


def plan_columns(v: Variant, alloc: pd.DataFrame) -> dict[str, Any]:
    """:func:`plan_for_check` as a mapping of column names to the units table's columns and
    the plan's arrays, without copying a column (``check_plan`` reads either)."""
    out: dict[str, Any] = {c: v.units[c] for c in v.units.columns}
    out.update({c: alloc[c].to_numpy() for c in PLAN_COLUMNS})
    return out


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
