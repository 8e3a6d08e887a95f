"""The tie rule of scope pool on a plan the MIP found (SPEC section 2, stage 4).

A plan optimal for stages 1–3 may leave a post where the tie order
(:func:`quotaopt.fastpath.tie_order`: larger ``total_posts`` first, then unit_id) would not.
:func:`apply_tie_rule` moves such posts, one at a time, without changing stages 1–3; the
structured method (:mod:`quotaopt.fastpath`) needs no such pass, it takes equal steps in tie
order to begin with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .caps import UnitLimits
from .model import UnitArrays, unit_arrays
from .policy import Policy

#: Pools larger than this take the tie rule one pair at a time (the pairs would not fit).
TIE_POOL_LIMIT = 2000


def apply_tie_rule(policy: Policy, units: pd.DataFrame, lim: UnitLimits, idx: np.ndarray,
                   tie: np.ndarray, A: np.ndarray, B: np.ndarray, ys: np.ndarray,
                   ym: np.ndarray) -> None:
    """The tie rule of scope pool on a MIP plan of the units ``idx`` (arrays changed in place).

    A plan optimal for stages 1–3 may leave a post where the tie order
    (:func:`~quotaopt.fastpath.tie_order`: larger ``total_posts`` first, then unit_id) would
    not. Move one post at a time, at one level, from a unit later in its pool's tie order to an
    earlier one, when the move keeps every rule and changes neither the weighted appointments
    (an appointment may move with the post, between units of equal priority) nor the pool's sums
    nor the distance to the quotas — so stages 1–3 stay optimal. Where the two levels do not
    constrain each other (every block the structured method solves), a plan no such move
    improves is the one the structured method finds (the exchange argument of
    :mod:`quotaopt.fastpath`).

    Each pool, senior level first: the move taken is the one from the *first* unit ``u`` in
    tie order that has one, to the *last* unit ``v`` after it that allows it; repeat until
    none is left. All pools move at once (they are independent), over arrays of the
    candidate pairs ``(u, v)``; the same moves as one pool and one pair at a time.
    """
    order = idx[np.lexsort((tie[idx], lim.pool_codes[idx]))]
    pool = lim.pool_codes[order]
    starts = np.flatnonzero(np.r_[True, pool[1:] != pool[:-1]]) if len(order) else order
    sizes = np.diff(np.r_[starts, len(order)])
    T = units["total_posts"].to_numpy(np.int64)
    exact = quotas_fit_int64(lim, order, T)
    big = sizes > TIE_POOL_LIMIT
    if not exact or big.any():
        pools = {int(pool[s]): order[s:s + m].tolist() for s, m in zip(starts.tolist(),
                                                                      sizes.tolist(),
                                                                      strict=True)
                 if not exact or m > TIE_POOL_LIMIT}
        tie_rule_one_move_at_a_time(policy, units, lim, pools, A, B, ys, ym)
        if not exact:
            return
        keep = np.repeat(~big, sizes)
        order, pool = order[keep], pool[keep]
        starts, sizes = starts[~big], sizes[~big]
        starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64) if len(sizes) else starts
    pa, pb = pool_pairs(starts, sizes, len(order))
    if not len(pa):
        return
    arrays = unit_arrays(policy, units)
    for level in ("s", "sm"):
        move_posts(level, lim, arrays, order, pool, pa, pb, A, B, ys, ym)


def quotas_fit_int64(lim: UnitLimits, order: np.ndarray, T: np.ndarray) -> bool:
    """Whether every distance to a quota of the units ``order`` (and one post more or less)
    is computed exactly in int64; else the tie rule works in Python integers."""
    quotas = [lim.quotas("s"), lim.quotas("sm")]
    if not all(num.dtype != object and den.dtype != object for num, den in quotas):
        return False
    if not len(order):
        return True
    top = max(int(np.abs(num[order]).max(initial=0)) + int(den[order].max(initial=0))
              * (int(T[order].max(initial=0)) + 2) for num, den in quotas)
    return top < 2**62


def pool_pairs(starts: np.ndarray, sizes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(a, b)`` of positions in a list of ``n`` units sorted by pool (the pools
    start at ``starts`` and have ``sizes`` units), ``a`` before ``b`` in the same pool, sorted
    by (pool, a, b)."""
    m = np.repeat(sizes, sizes)
    first = np.repeat(starts, sizes)
    k = np.arange(n) - first
    count = m - k - 1
    pa = np.repeat(np.arange(n), count)
    pb = pa + 1 + (np.arange(len(pa)) - np.repeat(np.cumsum(count) - count, count))
    return pa, pb


def move_posts(level: str, lim: UnitLimits, arrays: UnitArrays, order: np.ndarray,
               pool: np.ndarray, pa: np.ndarray, pb: np.ndarray, A: np.ndarray,
               B: np.ndarray, ys: np.ndarray, ym: np.ndarray) -> None:
    """The tie rule's moves at one level (``"s"``: senior posts ``A``; ``"sm"``: senior and
    intermediate posts ``B``), in every pool at once, until none is left (arrays changed in
    place). ``order`` lists the units pool by pool in tie order; ``(pa, pb)`` are the
    candidate pairs of positions in it (:func:`pool_pairs`)."""
    T, inc_s, inc_sm, w_s, w_m, c_s, c_m = arrays
    x, y, inc, w, c = ((A, ys, inc_s, w_s, c_s) if level == "s"
                       else (B, ym, inc_sm, w_m, c_m))
    num, den = (a.astype(np.int64) for a in lim.quotas(level))
    ua, ub = order[pa], order[pb]
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


def tie_rule_one_move_at_a_time(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
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
