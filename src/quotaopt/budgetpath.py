"""Exact methods for a budget: one across all units (:func:`solve_budget`; in scope unit
every unit is a pool of its own), or each pool its own (:func:`solve_pool_budgets`).

The budget row ``a_s·Σy_s + a_m·Σy_m ≤ R`` couples the units only through the two totals of
appointments. Per level (senior: ``x = A``; senior+intermediate: ``x = B``) and per pool the
problem is the one of :mod:`quotaopt.fastpath` — ``lo ≤ x ≤ hi``, ``Σ_pool x ≤ C``, stage 2
``|Σ_pool x − t|``, stage 3 ``Σ|x − Q|`` — with the appointments now a choice:
``0 ≤ y ≤ min(W, x − I)``. The derivation is docs/model.md ("A budget across all units");
in short:

1. **Stage 1.** A unit offers ``f = min(W, lo − I)`` *free* appointments (below its lower
   bound: they need no post) and ``k`` *capped* ones (each needs one more post, under the
   pool's room ``C − Σlo``). The appointments a level can make form a partition matroid
   (capped ones limited per pool), so for every total ``K`` the best value ``F(K)`` takes the
   most valuable first: concave and piecewise linear. The province optimum is
   ``max F_s(K_s) + F_m(K_m)`` over ``a_s K_s + a_m K_m ≤ R``, searched over every ``K_s``.
2. **Which appointments.** For a total ``K`` every optimal plan makes, in every pool, the
   same number of appointments of each value above the marginal value ``c*``; only the
   ``r`` appointments of value ``c*`` can be split among pools (and units) in several ways.
3. **One pool, given its counts.** With ``n_c`` appointments of value ``c`` the pool needs
   at least ``m_c = max(0, n_c − free_c)`` appointing steps of its value-``c`` units; an
   exchange argument shows some optimum (stages 2 and 3) takes the ``m_c`` appointing steps
   that come first in the step order (closeness to the quota, then the tie order), then sets
   the pool sum as close to ``t`` as ``[lo + Σm, min(C, Σhi)]`` allows and fills it with the
   best remaining steps.
4. **Splitting the marginal class.** The pool's (stage 2, stage 3) cost as a function of its
   number of value-``c*`` appointments is the value of a convex-cost flow in that number,
   hence convex; the ``r`` appointments go to the smallest marginal costs over all pools
   (checked to be non-decreasing in code; otherwise the MIP decides).

Anything outside what is proven here (minimum rules for intermediate posts,
zero or negative costs or values, several optimal pairs ``(K_s, K_m)`` that tie after stage 3
too, plans where ``A ≤ B`` would break) returns ``None`` and the MIP solves the scenario.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

from .caps import UnitLimits
from .model import pool_budget_rhs, unit_arrays
from .policy import Policy, Scope

#: Most pairs (K_s, K_m) with the same stage-1 value evaluated in full before giving up ...
MAX_PAIRS = 4
#: ... or as many as keep (pairs × units) below this.
PAIR_WORK = 400_000


@dataclass
class _Level:
    """One level's data per unit (int64 arrays) and per pool; ``group`` numbers the
    (pool, value) pairs, most valuable first within each pool."""

    lo: np.ndarray
    hi: np.ndarray
    free: np.ndarray  # free appointments (need no post above the lower bound)
    k: np.ndarray  # capped appointments (appointing steps)
    c: np.ndarray  # value of one appointment
    tie: np.ndarray
    pool: np.ndarray
    qnum: np.ndarray
    den: np.ndarray
    cap: np.ndarray  # per pool
    target: np.ndarray  # per pool
    group: np.ndarray  # per unit
    g_pool: np.ndarray  # per group
    g_c: np.ndarray
    g_free: np.ndarray
    g_cnt: np.ndarray  # appointments a stage-1 optimum can make per group (step 1)
    # the steps in runs of equal closeness (in units of 1/den): unit, −closeness, first
    # step, number of steps, appointing or not
    s_u: np.ndarray
    s_neg: np.ndarray
    s_start: np.ndarray
    s_cnt: np.ndarray
    s_appt: np.ndarray


def _psum(values: np.ndarray, index: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(index, weights=values, minlength=k).astype(np.int64) if len(index) \
        else np.zeros(k, dtype=np.int64)


def _within(keys_sorted: np.ndarray, cnt: np.ndarray) -> np.ndarray:
    """Steps before each segment within its run of equal keys (segments in sorted order)."""
    cum = np.cumsum(cnt)
    first = np.r_[True, keys_sorted[1:] != keys_sorted[:-1]] if len(cnt) else np.zeros(0, bool)
    base = np.maximum.accumulate(np.where(first, cum - cnt, 0)) if len(cnt) else cum
    return cum - cnt - base


def _level_data(lim: UnitLimits, which: str, lo: np.ndarray, hi: np.ndarray, inc: np.ndarray,
                w: np.ndarray, c: np.ndarray, tie: np.ndarray,
                unit_pools: np.ndarray | None = None) -> _Level | None:
    """One level's data; ``unit_pools`` (scope unit: each unit's canonical position, so
    that the input row order changes nothing): every unit is its own pool (its caps in
    force are already in ``hi``), whose "quota" is its base cap — so stage 3 repeats
    stage 2, which changes no optimum, and the pool method is the unit-scope method."""
    hi = np.maximum(hi, lo)
    span = hi - lo
    k = np.clip(np.minimum(hi, inc + w) - lo, 0, span)
    free = np.minimum(w, np.maximum(0, lo - inc))
    if unit_pools is not None:
        unit_target = lim.target_s if which == "s" else lim.target_sm
        num, den = unit_target.astype(np.int64), np.ones(len(lo), dtype=np.int64)
        pool = unit_pools.astype(np.int64)
        cap = np.empty(len(lo), dtype=np.int64)
        target = np.empty(len(lo), dtype=np.int64)
        cap[pool], target[pool] = hi, num  # per pool code (= the unit's canonical position)
    else:
        num, den = lim.quotas(which)
        pool = lim.pool_codes.astype(np.int64)
        if which == "s":
            cap, target = lim.pool_cap_s, lim.pool_target_s
        else:
            cap, target = lim.pool_cap_sm, lim.pool_target_sm
    if num.dtype == object or den.dtype == object or (
            len(den) and int(den.max()) * (int(np.abs(hi).max()) + 1) >= 2**60):
        return None
    num, den = num.astype(np.int64), den.astype(np.int64)
    cap, target = cap.astype(np.int64), target.astype(np.int64)
    npools = len(cap)
    # groups (pool, value), most valuable first within a pool (a lexsort: np.unique over
    # the stacked pairs is several times slower)
    by = np.lexsort((-c, pool))
    ps, cs = pool[by], c[by]
    first = np.ones(len(by), dtype=bool)
    first[1:] = (ps[1:] != ps[:-1]) | (cs[1:] != cs[:-1])
    group = np.empty(len(by), dtype=np.int64)
    group[by] = np.cumsum(first) - 1
    g_pool, g_c = ps[first], cs[first]
    ng = len(g_pool)
    g_free = _psum(free, group, ng)
    g_k = _psum(k, group, ng)
    room = cap - _psum(lo, pool, npools)
    before = _within(g_pool, g_k)
    g_cnt = g_free + np.clip(room[g_pool] - before, 0, g_k)
    # steps in runs: three closeness ranges, each split where the appointing steps end
    fl = num // den
    rem = num % den
    a = np.clip(fl - lo, 0, span)
    b = a + ((lo <= fl) & (rem > 0) & (fl < hi) & (a < span)).astype(np.int64)
    units = np.arange(len(lo))
    parts = []
    for start, end, close in ((np.zeros_like(a), a, den), (a, b, 2 * rem - den),
                              (b, span, -den)):
        for s0, s1, appt in ((start, np.minimum(end, k), True),
                             (np.maximum(start, k), end, False)):
            keep = s1 > s0
            parts.append((units[keep], -close[keep], s0[keep], (s1 - s0)[keep],
                          np.full(int(keep.sum()), appt)))
    s_u, s_neg, s_start, s_cnt, s_appt = (np.concatenate(x) for x in zip(*parts, strict=True))
    return _Level(lo, hi, free, k, c, tie, pool, num, den, cap, target, group, g_pool, g_c,
                  g_free, g_cnt, s_u, s_neg, s_start, s_cnt, s_appt)


def _forced(lv: _Level, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every group, take the first ``need`` appointing steps of its units in greedy
    order (closeness, tie order, step order): the steps taken per segment, and per unit."""
    take = np.zeros(len(lv.s_u), dtype=np.int64)
    sel = np.flatnonzero(lv.s_appt & (need[lv.group[lv.s_u]] > 0))
    if len(sel):
        u = lv.s_u[sel]
        order = sel[np.lexsort((lv.s_start[sel], lv.tie[u], lv.s_neg[sel], lv.group[u]))]
        g = lv.group[lv.s_u[order]]
        before = _within(g, lv.s_cnt[order])
        take[order] = np.clip(need[g] - before, 0, lv.s_cnt[order])
    return take, _psum(take, lv.s_u, len(lv.lo))


def _rest_order(lv: _Level, take: np.ndarray) -> np.ndarray:
    """The segments with steps left, in greedy order within each pool."""
    sel = np.flatnonzero(lv.s_cnt > take)
    u = lv.s_u[sel]
    return sel[np.lexsort((lv.s_start[sel] + take[sel], lv.tie[u], lv.s_neg[sel], lv.pool[u]))]


def _low_top(lv: _Level, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    npools = len(lv.cap)
    low = _psum(lv.lo, lv.pool, npools) + _psum(need, lv.g_pool, npools)
    top = np.minimum(lv.cap, _psum(lv.hi, lv.pool, npools))
    return low, top


def _plan(lv: _Level, n_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posts and appointments per unit for ``n_g`` appointments per group (step 3)."""
    need = np.maximum(0, n_g - lv.g_free)
    take, forced = _forced(lv, need)
    low, top = _low_top(lv, need)
    fill = np.minimum(np.maximum(lv.target, low), top) - low
    order = _rest_order(lv, take)
    left = (lv.s_cnt - take)[order]
    p = lv.pool[lv.s_u[order]]
    taken = np.clip(fill[p] - _within(p, left), 0, left)
    x = lv.lo + forced + _psum(taken, lv.s_u[order], len(lv.lo))
    # free appointments as far as each group needs them, in tie order
    use_g = np.minimum(n_g, lv.g_free)
    y = forced.copy()
    units = np.flatnonzero(lv.free > 0)
    if len(units):
        units = units[np.lexsort((lv.tie[units], lv.group[units]))]
        g = lv.group[units]
        y[units] += np.clip(use_g[g] - _within(g, lv.free[units]), 0, lv.free[units])
    return x, y


def _marginals(neg: list[int], cnt: list[int], cand: list[bool], den: int, want: int,
               low: int, top: int, target: int) -> list[tuple[int, int | Fraction]] | None:
    """Marginal (stage 2, stage 3) cost of each further forced appointing step of one pool
    (step 4): ``neg``/``cnt``/``cand`` describe its steps left in greedy order."""
    starts = []
    pos = 0
    for n in cnt:
        starts.append(pos)
        pos += n
    total = min(max(target, low), top)
    end = total - low  # the fill is the prefix [0, end) of the steps
    cands: list[int] = []
    for i, st in enumerate(starts):
        if len(cands) >= want:
            break
        if cand[i]:
            cands.extend(range(st, st + min(cnt[i], want - len(cands))))

    def negclo(q: int) -> int:
        return neg[bisect_right(starts, q) - 1]

    forced: set[int] = set()
    out: list[tuple[int, int | Fraction]] = []
    for q in cands:
        low += 1
        new_total = min(max(target, low), top)
        if new_total == total:
            if q < end:
                out.append((0, 0))
            else:
                # drop the last filled step that is not forced, take step q instead
                last = end - 1
                while last >= 0 and last in forced:
                    last -= 1
                if last < 0:  # cannot happen: the sum kept room for a filled step
                    return None
                end = last
                d = negclo(q) - negclo(last)
                out.append((0, Fraction(d, den) if d else 0))
        else:
            if new_total != total + 1 or total != low - 1:
                return None  # cannot happen: the sum grows only when nothing is filled
            total = new_total
            d = negclo(q)
            out.append((1 if new_total > target else -1, Fraction(d, den) if d else 0))
        forced.add(q)
    return out


def _level_plan(lv: _Level, classes: np.ndarray, totals: np.ndarray, K: int
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """Stages 2 and 3 at their optimum for ``K`` appointments at this level (steps 2–4)."""
    cum = np.cumsum(totals)
    n_g = lv.g_cnt.copy()
    i = int(np.searchsorted(cum, K))  # the marginal value's position
    if i >= len(classes):
        return _plan(lv, n_g)
    cstar = int(classes[i])
    r = K - (int(cum[i - 1]) if i else 0)
    star = lv.g_c == cstar
    n_g[lv.g_c < cstar] = 0
    if r < int(totals[i]):
        n_g[star] = 0
        need = np.maximum(0, n_g - lv.g_free)
        take, _ = _forced(lv, need)
        low, top = _low_top(lv, need)
        order = _rest_order(lv, take)
        o_u = lv.s_u[order]
        o_p = lv.pool[o_u]
        o_left = (lv.s_cnt - take)[order]
        o_cand = lv.s_appt[order] & (lv.c[o_u] == cstar)
        bounds = np.searchsorted(o_p, np.arange(len(lv.cap) + 1))
        items: list[tuple[int, int | Fraction, int]] = []
        den_p = np.ones(len(lv.cap), dtype=np.int64)
        den_p[lv.pool] = lv.den
        for g in np.flatnonzero(star).tolist():
            p = int(lv.g_pool[g])
            free = int(lv.g_free[g])
            avail = int(lv.g_cnt[g])
            items.extend((0, 0, g) for _ in range(min(free, avail)))
            if avail <= free:
                continue
            a, b = int(bounds[p]), int(bounds[p + 1])
            marg = _marginals(lv.s_neg[order[a:b]].tolist(), o_left[a:b].tolist(),
                              o_cand[a:b].tolist(), int(den_p[p]), avail - free,
                              int(low[p]), int(top[p]), int(lv.target[p]))
            if marg is None or len(marg) != avail - free:
                return None
            if any(marg[j + 1] < marg[j] for j in range(len(marg) - 1)):
                return None  # not convex: outside what is proven here
            items.extend((m[0], m[1], g) for m in marg)
        items.sort(key=lambda t: (t[0], t[1]))  # stable: pools in canonical order
        n_g[star] = 0
        chosen = np.array([t[2] for t in items[:r]], dtype=np.int64)
        n_g += np.bincount(chosen, minlength=len(n_g)).astype(np.int64)
    return _plan(lv, n_g)


def _stages(lv: _Level, x: np.ndarray) -> tuple[int, Fraction]:
    npools = len(lv.cap)
    stage2 = int(np.abs(_psum(x, lv.pool, npools) - lv.target).sum())
    dist = _psum(np.abs(x * lv.den - lv.qnum), lv.pool, npools)
    den_p = np.ones(npools, dtype=np.int64)
    den_p[lv.pool] = lv.den
    stage3 = sum((Fraction(int(d), int(q)) for d, q in zip(dist.tolist(), den_p.tolist(),
                                                           strict=True) if d), Fraction(0))
    return stage2, stage3


def _levels(limits: UnitLimits, T: np.ndarray, inc_s: np.ndarray, inc_sm: np.ndarray,
            w_s: np.ndarray, w_m: np.ndarray, c_s: np.ndarray, c_m: np.ndarray
            ) -> tuple[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                             np.ndarray], ...]:
    """Per level (``x = A`` senior, ``x = B`` senior+intermediate): its name, the bounds
    ``lo ≤ x ≤ hi``, incumbents, waiting staff and value of an appointment."""
    lo_a = np.maximum(limits.min_s, inc_s)
    hi_b = np.minimum(limits.cap_sm, T - limits.min_j)
    hi_a = np.minimum(limits.cap_s, hi_b)
    lo_b = np.maximum(inc_sm, lo_a)
    return (("s", lo_a, hi_a, inc_s, w_s, c_s), ("sm", lo_b, hi_b, inc_sm, w_m, c_m))


def solve_budget(policy: Policy, units: pd.DataFrame, limits: UnitLimits, order: np.ndarray,
                 tie: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                           np.ndarray] | None:
    """``(A, B, ys, ym)`` proven optimal for a scenario with one budget across all units, or
    ``None`` when the case is outside what this method proves (then the MIP decides). In
    scope unit every unit is a pool of its own (:func:`_level_data`)."""
    b = policy.budget
    if b is None or b.per_pool or bool((limits.min_m > 0).any()):
        return None
    unit_pools = None
    if policy.scope is Scope.UNIT:  # every unit a pool, numbered in canonical order
        unit_pools = np.empty(len(order), dtype=np.int64)
        unit_pools[order] = np.arange(len(order))
    a_s, a_m = b.appointment_costs
    R = b.max_increase
    if a_s <= 0 or a_m <= 0 or R < 0:
        return None
    T, inc_s, inc_sm, w_s, w_m, c_s, c_m = unit_arrays(policy, units)
    if bool(((c_s <= 0) & (w_s > 0)).any() or ((c_m <= 0) & (w_m > 0)).any()):
        return None
    levels = []
    for which, lo, hi, inc, w, c in _levels(limits, T, inc_s, inc_sm, w_s, w_m, c_s, c_m):
        lv = _level_data(limits, which, lo, hi, inc, w, c, tie, unit_pools)
        if lv is None:
            return None
        # F(K): the most valuable appointments first (a partition matroid, step 1)
        classes, inverse = np.unique(-lv.g_c, return_inverse=True)
        totals = np.bincount(inverse.reshape(-1), weights=lv.g_cnt,
                             minlength=len(classes)).astype(np.int64)
        classes = -classes
        keep = totals > 0
        classes, totals = classes[keep], totals[keep]
        F = np.concatenate([[0], np.cumsum(np.repeat(classes, totals))]).astype(np.int64)
        levels.append((lv, classes, totals, F))
    Fs, Fm = levels[0][3], levels[1][3]
    # exact integer budget: scale the costs to whole numbers
    scale = 1
    for v in (a_s, a_m, R):
        scale = int(np.lcm(scale, v.denominator))
    ia, ib, ir = int(a_s * scale), int(a_m * scale), int(R * scale)
    kmax_s, kmax_m = len(Fs) - 1, len(Fm) - 1
    if max(ia * kmax_s, ir, ib * kmax_m) >= 2**62 or int(Fs[-1]) + int(Fm[-1]) >= 2**62:
        return None
    ks = np.arange(min(kmax_s, ir // ia) + 1, dtype=np.int64)
    km = np.minimum(kmax_m, (ir - ia * ks) // ib)
    value = Fs[ks] + Fm[km]
    pairs = np.flatnonzero(value == value.max())
    if len(pairs) > max(MAX_PAIRS, PAIR_WORK // max(1, len(T))):
        return None
    chosen: tuple[tuple[int, Fraction], list[tuple[np.ndarray, np.ndarray]]] | None = None
    memo: list[dict[int, tuple[np.ndarray, np.ndarray] | None]] = [{}, {}]
    for K_s in pairs.tolist():
        plans = []
        for m, (lv, classes, totals, _), K in zip(memo, levels, (K_s, int(km[K_s])),
                                                  strict=True):
            if K not in m:
                m[K] = _level_plan(lv, classes, totals, K)
            plan = m[K]
            if plan is None:
                return None
            plans.append(plan)
        if len(pairs) == 1:
            chosen = ((0, Fraction(0)), plans)
            break
        st = [_stages(lv, plan[0]) for (lv, *_), plan in zip(levels, plans, strict=True)]
        key = (st[0][0] + st[1][0], st[0][1] + st[1][1])
        if chosen is None or key < chosen[0]:
            chosen = (key, plans)
    assert chosen is not None
    (A, ys), (B, ym) = chosen[1]
    if bool((A > B).any()):
        return None  # the levels constrain each other here: the MIP decides
    return A, B, ys, ym


# --------------------------------------------------------------------------------------------
# Each pool its own budget (budget.scope = "pool")

#: Most pairs (K_s, K_m) of equal stage-1 value a pool may have: each is evaluated in full
#: (through stages 2 and 3) for every such pool at once; a pool with more goes to the MIP.
MAX_POOL_PAIRS = 4


def _pool_F(lv: _Level, npools: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pool's best stage-1 value for every number K of appointments at this level,
    flat: ``F[off[p] + K]`` for ``0 ≤ K ≤ kmax[p]`` (step 1, per pool). Returns
    ``(F, off, kmax)``."""
    kmax = _psum(lv.g_cnt, lv.g_pool, npools)
    off = np.concatenate([[0], np.cumsum(kmax + 1)[:-1]]).astype(np.int64)
    vals = np.repeat(lv.g_c, lv.g_cnt)
    pp = np.repeat(lv.g_pool, lv.g_cnt)
    F = np.zeros(int((kmax + 1).sum()), dtype=np.int64)
    if len(vals):
        cs = np.cumsum(vals)
        vstart = np.concatenate([[0], np.cumsum(kmax)[:-1]]).astype(np.int64)
        base = np.concatenate([[0], cs])[vstart]
        within = np.arange(len(vals)) - vstart[pp]
        F[off[pp] + within + 1] = cs - base[pp]
    return F, off, kmax


def _pool_counts(lv: _Level, K: np.ndarray) -> np.ndarray:
    """Appointments per group when each pool makes ``K[p]`` of them: the most valuable
    first (within one pool the marginal value's group is a single group: nothing to split)."""
    before = _within(lv.g_pool, lv.g_cnt)
    return np.clip(K[lv.g_pool] - before, 0, lv.g_cnt)


def _pool_keys(lv: _Level, x: np.ndarray, npools: int) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Per pool: stage 2 (whole number), and stage 3 as ``dist / den``."""
    stage2 = np.abs(_psum(x, lv.pool, npools) - lv.target)
    dist = _psum(np.abs(x * lv.den - lv.qnum), lv.pool, npools)
    den_p = np.ones(npools, dtype=np.int64)
    den_p[lv.pool] = lv.den
    return stage2, dist, den_p


class _PoolPairs(NamedTuple):
    """The pairs ``(K_s, K_m)`` of every pool (:func:`_pool_pairs`) and its tied best ones."""

    ks: np.ndarray  # per pair: senior appointments
    km: np.ndarray  # per pair: intermediate appointments (the most the budget leaves)
    tied: np.ndarray  # the pairs of best stage-1 value, by pool, in order of K_s
    tied_pool: np.ndarray  # their pools
    nties: np.ndarray  # per pool: how many
    rank_in: np.ndarray  # per tied pair: its place among its pool's (0, 1, …)
    first_tied: np.ndarray  # per pool: its first tied pair (−1: none)


def _pool_pairs(ia: int, ib: int, ir: np.ndarray,
                senior: tuple[np.ndarray, np.ndarray, np.ndarray],
                intermediate: tuple[np.ndarray, np.ndarray, np.ndarray],
                npools: int) -> _PoolPairs:
    """Every (pool, ``K_s``) pair with the largest ``K_m`` the rest of the pool's budget
    ``ir`` buys (costs ``ia``, ``ib``), valued by the levels' ``(F, off, kmax)`` of
    :func:`_pool_F`, and per pool the pairs of the best value."""
    (Fs, off_s, kmax_s), (Fm, off_m, kmax_m) = senior, intermediate
    ks_top = np.minimum(kmax_s, ir // ia)
    cnt = ks_top + 1
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]]).astype(np.int64)
    pair_pool = np.repeat(np.arange(npools), cnt)
    ks = np.arange(int(cnt.sum()), dtype=np.int64) - start[pair_pool]
    km = np.minimum(kmax_m[pair_pool], (ir[pair_pool] - ia * ks) // ib)
    value = Fs[off_s[pair_pool] + ks] + Fm[off_m[pair_pool] + km]
    best = np.maximum.reduceat(value, start)
    tied = np.flatnonzero(value == best[pair_pool])
    tied_pool = pair_pool[tied]
    nties = np.bincount(tied_pool, minlength=npools)
    # the j-th tied pair of each pool (j = 0, 1, …), in order of K_s
    first_tied = np.full(npools, -1, dtype=np.int64)
    order = np.argsort(tied_pool, kind="stable")
    tied, tied_pool = tied[order], tied_pool[order]
    rank_in = np.arange(len(tied)) - np.concatenate(
        [[0], np.cumsum(nties)[:-1]]).astype(np.int64)[tied_pool]
    first_tied[tied_pool[rank_in == 0]] = tied[rank_in == 0]
    return _PoolPairs(ks, km, tied, tied_pool, nties, rank_in, first_tied)


def _best_tied_plans(lv_s: _Level, lv_m: _Level, pairs: _PoolPairs, ok: np.ndarray,
                     pool: np.ndarray, npools: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(A, B, ys, ym)``: every pool's plan for its first tied pair, replaced, in a pool
    with several (``ok`` ones only), by the plan of the tied pair that is best for stages 2
    and 3 — all pools' j-th pairs planned together, round by round."""
    ks, km, tied, tied_pool, nties, rank_in, first_tied = pairs
    chosen: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    best_key: list[tuple[int, Fraction]] = []
    multi = np.flatnonzero(ok & (nties > 1))
    rounds = int(nties[ok].max(initial=1)) if ok.any() else 1
    for j in range(rounds):
        pick = first_tied.copy()
        sel = rank_in == j
        pick[tied_pool[sel]] = tied[sel]
        A, ys = _plan(lv_s, _pool_counts(lv_s, ks[pick]))
        B, ym = _plan(lv_m, _pool_counts(lv_m, km[pick]))
        if chosen is None:
            chosen = (A, B, ys, ym)
            if not len(multi):
                break
        if not len(multi):
            continue
        (s2a, da, dena), (s2b, db, denb) = (_pool_keys(lv_s, A, npools),
                                            _pool_keys(lv_m, B, npools))
        keys = [(int(s2a[p] + s2b[p]), Fraction(int(da[p]), int(dena[p]))
                 + Fraction(int(db[p]), int(denb[p]))) for p in multi.tolist()]
        if j == 0:
            best_key = keys
            continue
        better = [i for i, p in enumerate(multi.tolist())
                  if nties[p] > j and keys[i] < best_key[i]]
        if better:
            for i in better:
                best_key[i] = keys[i]
            take = np.isin(pool, multi[better])
            for arr, new in zip(chosen, (A, B, ys, ym), strict=True):
                arr[take] = new[take]
    assert chosen is not None
    return chosen


def solve_pool_budgets(policy: Policy, units: pd.DataFrame, limits: UnitLimits,
                       tie: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(A, B, ys, ym, solved)`` for scope pool with each pool's own budget
    (``policy.budget.pools``): ``solved`` per pool says which pools' plans are proven optimal
    here (the rest go to the MIP: an intermediate minimum, a zero extra cost or value, more
    than :data:`MAX_POOL_PAIRS` tied pairs, or ``A ≤ B`` broken).

    The budget rows share no unit, so the problem is one independent problem per pool, each
    the province-wide problem of :func:`solve_budget` with a single pool — whose step 4 has
    nothing to split: the marginal value's appointments all belong to one (pool, value)
    group. All pools are solved together, vectorised.
    """
    b = policy.budget
    n = len(units)
    npools = len(limits.pool_names)
    zeros = np.zeros(n, dtype=np.int64)
    none = (zeros, zeros.copy(), zeros.copy(), zeros.copy(), np.zeros(npools, dtype=bool))
    if b is None or policy.scope is not Scope.POOL or n == 0:
        return none
    a_s, a_m = b.appointment_costs
    if a_s <= 0 or a_m <= 0:
        return none
    T, inc_s, inc_sm, w_s, w_m, c_s, c_m = unit_arrays(policy, units)
    pool = limits.pool_codes.astype(np.int64)
    bad = (limits.min_m > 0) | ((c_s <= 0) & (w_s > 0)) | ((c_m <= 0) & (w_m > 0))
    ok = np.ones(npools, dtype=bool)
    ok[pool[bad]] = False
    levels = []
    for which, lo, hi, inc, w, c in _levels(limits, T, inc_s, inc_sm, w_s, w_m, c_s, c_m):
        lv = _level_data(limits, which, lo, hi, inc, w, c, tie)
        if lv is None:
            return none
        levels.append((lv, *_pool_F(lv, npools)))
    (lv_s, Fs, off_s, kmax_s), (lv_m, Fm, off_m, kmax_m) = levels
    # the budget of each pool in whole numbers (the costs scaled to integers); an amount
    # above what appointing everyone costs is cut to that (it cannot bind)
    ia, ib, rhs = pool_budget_rhs(b, limits.pool_names)
    if ia * int(kmax_s.max(initial=0)) + ib * int(kmax_m.max(initial=0)) >= 2**62 or \
            int(Fs.max(initial=0)) + int(Fm.max(initial=0)) >= 2**62:
        return none
    reach = ia * kmax_s + ib * kmax_m
    ir = np.minimum(np.array([min(r, 2**62) for r in rhs], dtype=np.int64), reach)
    pairs = _pool_pairs(ia, ib, ir, (Fs, off_s, kmax_s), (Fm, off_m, kmax_m), npools)
    ok &= pairs.nties <= MAX_POOL_PAIRS
    A, B, ys, ym = _best_tied_plans(lv_s, lv_m, pairs, ok, pool, npools)
    ok[pool[A > B]] = False  # the levels constrain each other there: the MIP decides
    return A, B, ys, ym, ok
