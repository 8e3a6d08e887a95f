"""An exact structured method for the common case, vectorised over all units at once.

When no budget couples the units and no minimum rule asks for intermediate posts, the model
splits into two independent problems per block (a unit in scope ``unit``, a pool in scope
``pool``), one for ``A = P_s`` with the senior appointments and one for ``B = P_s + P_m``
with the intermediate appointments::

    maximise   Σ c_u·min(W_u, x_u − I_u)        (stage 1)
    then min   |Σ_pool x_u − K|                  (stage 2: K the base cap)
    then min   Σ |x_u − Q_u|                     (stage 3: Q the Hamilton quotas)
    then max   Σ t_u·x_u                         (tie rule: t decreasing in the tie order)
    subject to L_u ≤ x_u ≤ U_u,   Σ_pool x_u ≤ C  (C ≥ K the cap in force)

Scope ``unit``: every unit is its own block with ``K`` its own base cap and nothing to
split: ``x = max(L, min(U, I + W), min(K, U))``.

Scope ``pool``: start every unit at ``x_u = L_u``. Raising a unit by one post has the value
``(gain, closeness, t_u)``: ``gain`` is ``c_u`` while the post appoints a waiting
title-holder (the first ``min(U_u, I_u + W_u) − L_u`` steps) and 0 after; ``closeness`` is
the fall of ``|x − Q|``: +1 below ``⌊Q⌋``, ``2φ − 1`` for the step across ``Q`` (``φ`` =
remainder) and −1 above. Along each unit these values never increase (lexicographically), so
for every pool total ``N`` the best steps first give the best plan with that total (the
classic exchange argument for a sum of concave functions under one budget). Stage 1 wants
every appointing step the cap allows (``N ≥ N₁``); stage 2 then wants ``N`` as close to
``K`` as the units' bounds allow: ``N* = max(N₁, min(K, Σ U))``. With equal gains this is
largest remainder (Hamilton); equal steps go to the larger unit, then the first unit in
(pool, unit_id) order (:func:`tie_order`).

The two problems are solved apart; if for some unit ``A > B`` (possible for small units,
units of types with very different shares in one pool, or a junior minimum rule), the
coupling row ``A ≤ B`` is cut off and that block is sent to the MIP instead. The
independent checker verifies every plan either way, and the test suite compares the
objective values with the MIP on generated scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .caps import UnitLimits
from .model import unit_arrays
from .policy import Policy, Scope


@dataclass(frozen=True)
class FastPlan:
    """Cumulative posts and appointments for the units the method solved."""

    A: np.ndarray
    B: np.ndarray
    ys: np.ndarray
    ym: np.ndarray
    solved: np.ndarray  # bool per unit: solved here (False: send its block to the MIP)


def eligible_blocks(policy: Policy, limits: UnitLimits, blocks: np.ndarray) -> np.ndarray:
    """Bool per unit: its block can use this method (no budget, no intermediate minimum)."""
    n = len(blocks)
    if policy.budget is not None:
        return np.zeros(n, dtype=bool)
    bad_units = limits.min_m > 0
    if not bad_units.any():
        return np.ones(n, dtype=bool)
    bad_blocks = np.unique(blocks[bad_units])
    return ~np.isin(blocks, bad_blocks)


@dataclass(frozen=True)
class Steps:
    """The steps of one level problem in scope pool, as runs ("segments") of equal steps:
    ``count`` consecutive steps of unit ``unit`` (its position) that each have the value
    ``(gain, close)``. Unit positions and counts fit in int32 (n ≤ MAX_ROWS, counts ≤
    posts ≤ 10⁹): half the memory of the segments at 10⁶ units."""

    unit: np.ndarray  # int32
    gain: np.ndarray  # int64
    close: np.ndarray  # int64, or ranks of the exact closeness values
    count: np.ndarray  # int32


def greedy_level(
    lower: np.ndarray,
    upper: np.ndarray,
    need: np.ndarray,
    gain: np.ndarray,
    target: np.ndarray,
    quota: tuple[np.ndarray, np.ndarray] | None,
    pool: np.ndarray | None,
    pool_cap: np.ndarray | None,
    pool_target: np.ndarray | None,
    tie: np.ndarray,
) -> np.ndarray:
    """Optimal ``x`` of one level problem (see the module docstring); all integer arithmetic.

    ``need`` is the x at which every waiting title-holder is appointed (capped at ``upper``);
    ``target`` the unit's base cap (scope ``unit``). In scope ``pool`` (``pool`` given),
    ``quota = (num, den)`` are the Hamilton quotas, ``pool_cap`` the caps in force and
    ``pool_target`` the pools' base caps; ``tie`` orders equal steps (smaller first).
    """
    if pool is None:
        # stage 1 appoints everyone it can, stage 2 then moves x to the base cap
        return np.maximum(np.maximum(lower, need), np.minimum(target, upper))
    assert quota is not None and pool_cap is not None and pool_target is not None
    steps, left = pool_steps(lower, upper, need, gain, quota, pool, pool_cap, pool_target)
    return take_pool_steps(lower, steps, pool, left, tie)


def pool_steps(lower: np.ndarray, upper: np.ndarray, need: np.ndarray, gain: np.ndarray,
               quota: tuple[np.ndarray, np.ndarray], pool: np.ndarray, pool_cap: np.ndarray,
               pool_target: np.ndarray) -> tuple[Steps, np.ndarray]:
    """The first half of :func:`greedy_level` in scope pool: every unit's steps
    (:func:`level_steps`) and how many steps each pool takes. A caller that drops its
    unit-sized inputs before :func:`take_pool_steps` sorts keeps them out of the peak."""
    steps = level_steps(lower, upper, need, gain, quota)
    m = len(pool_cap)
    low = _pool_sum(lower, pool, m)
    # steps to take per pool: every appointing step the cap allows (stage 1), then on to the
    # pool's base cap as far as the units' posts allow (stage 2)
    room = pool_cap - low
    appointing = _pool_sum(np.clip(need - lower, 0, upper - lower), pool, m)
    left = np.maximum(np.minimum(appointing, room),
                      np.minimum(pool_target, _pool_sum(upper, pool, m)) - low)
    return steps, left


def take_pool_steps(lower: np.ndarray, steps: Steps, pool: np.ndarray, left: np.ndarray,
                    tie: np.ndarray) -> np.ndarray:
    """The second half of :func:`greedy_level` in scope pool: ``x`` = ``lower`` plus the
    best ``left[p]`` steps of each pool ``p``."""
    taken = take_best_steps(steps, pool, left, tie, len(left))
    # every count is far below 2^53, so the float sums are exact
    return lower + np.rint(np.bincount(steps.unit, weights=taken,
                                       minlength=len(lower))).astype(np.int64)


def level_steps(lower: np.ndarray, upper: np.ndarray, need: np.ndarray, gain: np.ndarray,
                quota: tuple[np.ndarray, np.ndarray]) -> Steps:
    """Every unit's steps from ``lower`` to ``upper`` as :class:`Steps`: the first
    ``need − lower`` steps appoint (value ``gain``), the rest do not (0); the closeness is +1
    below ``⌊Q⌋``, ``2φ − 1`` across ``Q`` and −1 above (in units of ``1/den``), so each unit
    has at most four runs. Each unit-sized intermediate is freed as soon as it is used: at
    10⁶ units every one of them is 8 MB."""
    n = len(lower)
    span = upper - lower
    qnum, qden = quota
    fl = qnum // qden
    rem = qnum % qden
    fl_i = np.asarray(np.clip(fl, -1, upper + 1), dtype=np.int64)
    del fl
    n_plus = np.clip(fl_i - lower, 0, span)
    cross = ((lower <= fl_i) & (rem > 0) & (fl_i < upper)).astype(np.int64)
    del fl_i
    closes = closeness_values(rem, qden, n)
    del rem
    k = np.clip(need - lower, 0, span)
    # three closeness ranges along the unit's steps: [0, n_plus), [n_plus, n_plus+cross), rest
    after = n_plus + cross
    del cross
    bounds = [(np.zeros(n, dtype=np.int64), n_plus, closes[0]),
              (n_plus, after, closes[1]),
              (after, span, closes[2])]
    del closes, n_plus, after, span
    seg_unit, seg_gain, seg_close, seg_count = [], [], [], []
    units = np.arange(n, dtype=np.int32)
    for a, b, close in bounds:
        # steps that appoint someone, [0, k), and steps that appoint nobody, [k, span)
        for cnt, g in ((np.maximum(0, np.minimum(b, k) - a), gain),
                       (np.maximum(0, b - np.maximum(a, k)), None)):
            keep = cnt > 0
            seg_unit.append(units[keep])
            seg_gain.append(g[keep] if g is not None else np.zeros(int(keep.sum()),
                                                                   dtype=np.int64))
            seg_close.append(close[keep])
            seg_count.append(cnt[keep].astype(np.int32))
            del cnt, keep
    del bounds, units, k
    su = np.concatenate(seg_unit)
    del seg_unit
    sg = np.concatenate(seg_gain)
    del seg_gain
    sc = np.concatenate(seg_close)
    del seg_close
    return Steps(su, sg, sc, np.concatenate(seg_count))


def closeness_values(rem: np.ndarray, qden: np.ndarray, n: int) -> list[np.ndarray]:
    """The three closeness values of every unit's steps (the fall of ``|x − Q|``) in units of
    ``1/den``: ``+1``, ``2φ − 1``, ``−1``; as int64, or — for Python integers (object
    arrays) — as the ranks of the exact values (all closeness values compared are in one
    pool, so ranking them keeps their order)."""
    closes = [qden, 2 * rem - qden, -qden]
    if qden.dtype == object or rem.dtype == object:
        exact = np.array([Fraction(int(v), int(d)) for c in closes
                          for v, d in zip(np.broadcast_to(c, (n,)).tolist(), qden.tolist(),
                                          strict=True)], dtype=object)
        ranks = np.unique(exact, return_inverse=True)[1].reshape(3, n).astype(np.int64)
        return [ranks[0], ranks[1], ranks[2]]
    return [np.asarray(c, dtype=np.int64) for c in closes]


def take_best_steps(steps: Steps, pool: np.ndarray, left: np.ndarray, tie: np.ndarray,
                    m: int) -> np.ndarray:
    """How many steps of each segment are taken (int32, aligned with ``steps``; a segment's
    count fits in int32): ``left[p]`` steps of each pool ``p``, the best first (gain, then
    closeness, descending; then the tie order).

    Steps that neither appoint nor bring a unit closer to its quota come after all others
    in every pool; they are sorted only for pools that still need steps after the others
    (rare: the units' bounds keep the quotas from adding up to the base cap)."""
    su, sg, sc, cnt = steps.unit, steps.gain, steps.close, steps.count
    main = (sg > 0) | (sc > 0)
    taken = np.zeros(len(su), dtype=np.int32)
    for rest in (False, True):
        sel = np.flatnonzero(~main if rest else main)
        if rest:
            sel = sel[left[pool[su[sel]]] > 0]
        if not len(sel):
            continue
        pu = su[sel]
        pp = pool[pu]
        # the steps' gains, closeness and tie positions are picked inside, one at a time
        order = _step_order(pp, sg, sc, tie, m, sel, pu)
        del pu
        pp = pp[order]
        sel = sel[order]
        del order
        pc = cnt[sel].astype(np.int64)
        cum = np.cumsum(pc)
        cum -= pc  # cumulative count before each segment
        # the same within its pool (starts never decrease)
        first = np.r_[True, pp[1:] != pp[:-1]]
        base = np.maximum.accumulate(np.where(first, cum, 0))
        del first
        cum -= base
        del base
        got = np.clip(left[pp] - cum, 0, pc)
        del cum, pc
        taken[sel] = got
        left = left - _pool_sum(got, pp, m)
        del got, pp, sel
    return taken


def _step_order(pool: np.ndarray, gain: np.ndarray, close: np.ndarray, tie: np.ndarray,
                k: int, at: np.ndarray | None = None,
                unit: np.ndarray | None = None) -> np.ndarray:
    """The stable order of steps by pool, gain (descending), closeness (descending) and tie
    position: ``np.lexsort((tie, -close, -gain, pool))``, as one sort of the values of a
    combined whole-number key with the step's position in its low bits when that fits in 64
    bits, else one argsort of the key when it fits in 62 bits (four sorts otherwise).

    With ``at`` and ``unit`` given the steps are ``gain[at]``, ``close[at]`` and
    ``tie[unit]``: each is picked when it is used and dropped after, and the key is built
    in place, because at 10⁶ units there are millions of steps and memory is the limit."""
    if not len(pool):
        return np.zeros(0, dtype=np.int64)

    def pick(values: np.ndarray, where: np.ndarray | None) -> np.ndarray:
        return values if where is None else values[where]

    def own_int64(values: np.ndarray, where: np.ndarray | None) -> np.ndarray:
        """``pick(values, where)`` as an int64 array of its own (to change in place)."""
        out = values.copy() if where is None else values[where]
        return out if out.dtype == np.int64 else out.astype(np.int64)

    g = pick(gain, at)
    g_max = int(g.max())
    if int(g.min()) >= 0 and g_max <= 4 * len(g):
        present = np.zeros(g_max + 1, dtype=bool)
        present[g] = True
        rank = np.cumsum(present) - 1  # ascending rank of each gain value
        n_gains = int(rank[-1]) + 1
        g_key = (n_gains - 1) - rank[g]
        del present, rank
    else:
        gains, g_inv = np.unique(g, return_inverse=True)
        n_gains = len(gains)
        g_key = (n_gains - 1) - g_inv.reshape(-1)
        del gains, g_inv
    del g
    c = pick(close, at)
    c_top, c_low = int(c.max()), int(c.min())
    del c
    t_key = own_int64(tie, unit)
    start = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(start, pool, t_key)
    t_key -= start[pool]  # tie positions run pool by pool, each from its start
    del start
    sizes = (n_gains, c_top - c_low + 1, int(t_key.max()) + 1)
    space = k * sizes[0] * sizes[1] * sizes[2]
    idx_bits = max(1, (len(pool) - 1).bit_length())
    if space << idx_bits <= 2**64:
        # every key is distinct once the step's position fills its low bits, so a plain sort
        # of the values (several times faster than an argsort) gives the stable order; every
        # part is ≥ 0, so its int64 values are read as uint64 without a copy
        ukey = pool.astype(np.uint64)
        ukey *= np.uint64(sizes[0])
        ukey += g_key.astype(np.int64, copy=False).view(np.uint64)
        del g_key
        ukey *= np.uint64(sizes[1])
        c_key = own_int64(close, at)
        np.subtract(c_top, c_key, out=c_key)
        ukey += c_key.view(np.uint64)
        del c_key
        ukey *= np.uint64(sizes[2])
        ukey += t_key.view(np.uint64)
        del t_key
        ukey <<= np.uint64(idx_bits)
        ukey |= np.arange(len(pool), dtype=np.uint64)
        ukey.sort()
        ukey &= np.uint64((1 << idx_bits) - 1)
        return ukey.view(np.int64)
    if space >= 2**62:
        return np.lexsort((pick(tie, unit), -pick(close, at), -pick(gain, at), pool))
    key = pool.astype(np.int64)
    key *= sizes[0]
    key += g_key
    del g_key
    key *= sizes[1]
    key += c_top
    key -= pick(close, at)
    key *= sizes[2]
    key += t_key
    del t_key
    return np.argsort(key, kind="stable")


def tie_order(total: np.ndarray, pool: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Position of each unit in its pool's tie order: larger ``total_posts`` first, then
    (pool, unit_id) order (``rank``). Equal steps go to the unit that comes first."""
    order = np.lexsort((rank, -total, pool))
    pos = np.empty(len(total), dtype=np.int64)
    pos[order] = np.arange(len(total))
    return pos


def _pool_sum(values: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    # post counts: every sum is far below 2^53, so the float sums are exact
    return np.rint(np.bincount(pool, weights=values, minlength=k)).astype(np.int64)


def solve_fast(policy: Policy, units: pd.DataFrame, limits: UnitLimits,
               eligible: np.ndarray, blocks: np.ndarray, rank: np.ndarray,
               tie: np.ndarray | None = None) -> FastPlan:
    """Solve every eligible unit's block exactly; mark blocks that need the MIP. ``tie``:
    :func:`tie_order` of the units in scope pool, if the caller has it already."""
    T, inc_s, inc_sm, w_s, w_m, c_s, c_m = unit_arrays(policy, units)

    lo_a = np.maximum(limits.min_s, inc_s)
    hi_b = np.minimum(limits.cap_sm, T - limits.min_j)
    hi_a = np.minimum(limits.cap_s, hi_b)
    lo_b = np.maximum(inc_sm, lo_a)
    pooled = policy.scope is Scope.POOL
    idx = np.flatnonzero(eligible)
    sel = slice(None) if len(idx) == len(T) else idx

    if tie is None or not pooled:
        tie = tie_order(T, limits.pool_codes if pooled else np.zeros(len(T), dtype=np.int64),
                        rank)

    def level(lo: np.ndarray, hi: np.ndarray, inc: np.ndarray, w: np.ndarray, c: np.ndarray,
              which: str, target: np.ndarray, pool_cap: np.ndarray,
              pool_target: np.ndarray) -> Any:
        lo, hi = lo[sel], hi[sel]
        upper = np.maximum(hi, lo)
        del hi
        need = np.minimum(upper, inc[sel] + w[sel])
        if not pooled:
            return greedy_level(lo, upper, need, c[sel], target[sel], None, None, None, None,
                                tie[sel])
        num, den = limits.quotas(which)
        pool = limits.pool_codes[sel]
        steps, left = pool_steps(lo, upper, need, c[sel], (num[sel], den[sel]), pool,
                                 pool_cap, pool_target)
        # the unit-sized inputs go before the steps are sorted (the peak of the method)
        del upper, need, num, den
        return take_pool_steps(lo, steps, pool, left, tie[sel])

    def every_unit(x: np.ndarray) -> np.ndarray:
        """``x`` (the eligible units' values) as one entry per unit, 0 for the others."""
        if isinstance(sel, slice):
            return x
        out = np.zeros(len(T), dtype=np.int64)
        out[sel] = x
        return out

    A = every_unit(level(lo_a, hi_a, inc_s, w_s, c_s, "s", limits.target_s,
                         limits.pool_cap_s, limits.pool_target_s))
    del lo_a  # level a's arrays go before level b
    B = every_unit(level(lo_b, hi_b, inc_sm, w_m, c_m, "sm", limits.target_sm,
                         limits.pool_cap_sm, limits.pool_target_sm))
    solved = eligible.copy()
    bad = eligible & ((A > B) | (A > hi_a) | (B > hi_b))
    if pooled:
        k = len(limits.pool_names)
        over = ((_pool_sum(A * eligible, limits.pool_codes, k) > limits.pool_cap_s)
                | (_pool_sum(B * eligible, limits.pool_codes, k) > limits.pool_cap_sm))
        bad |= eligible & over[limits.pool_codes]
    if bad.any():
        solved &= ~np.isin(blocks, np.unique(blocks[bad]))
    ys = np.minimum(w_s, np.maximum(0, A - inc_s))
    ym = np.minimum(w_m, np.maximum(0, B - inc_sm))
    return FastPlan(A, B, ys, ym, solved)
