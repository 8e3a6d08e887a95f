"""An exact structured method for the common case, vectorised over all units at once.

When no budget couples the units and no minimum rule asks for intermediate posts, the model
splits into two independent problems per block (a unit in scope ``unit``, a pool in scope
``pool``), one for ``A = P_s`` with the senior appointments and one for ``B = P_s + P_m``
with the intermediate appointments::

    maximise   Σ c_u·min(W_u, x_u − I_u)        (stage 1)
    then min   Σ |x_u − q_u|                     (stage 2)
    subject to L_u ≤ x_u ≤ U_u,   Σ_pool x_u ≤ C

Start every unit at ``x_u = L_u``. Raising a unit by one post has the lexicographic value
``(gain, closeness)``: ``gain`` is ``c_u`` while the post appoints a waiting title-holder
(the first ``min(U_u, I_u + W_u) − L_u`` steps) and 0 after; ``closeness`` is the fall of
``|x − q|``: +1 below ``⌊q⌋``, ``2φ − 1`` for the step across ``q`` (``φ`` = remainder) and
−1 above. Along each unit these values never increase, so the objective is separable and
concave in the lexicographic order, and taking the best steps of the pool first, while the
pool's cap ``C`` lasts and while a step still improves the objective, is optimal (the classic
exchange argument for a sum of concave functions under one budget). With equal gains this
is largest remainder (Hamilton); remaining ties go to the larger unit, then the first unit in
(pool, unit_id) order.

The two problems are solved apart; if for some unit ``A > B`` (possible only for tiny units
or a junior minimum rule), the coupling row ``A ≤ B`` is cut off and that block is sent to
the MIP instead. The independent checker verifies every plan either way, and the test suite
compares both objective values with the MIP on generated scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .caps import UnitLimits
from .model import stage1_coefficients
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


def greedy_level(
    lower: np.ndarray,
    upper: np.ndarray,
    need: np.ndarray,
    gain: np.ndarray,
    qnum: np.ndarray,
    den: int,
    pool: np.ndarray | None,
    pool_cap: np.ndarray | None,
    rank: np.ndarray,
    size: np.ndarray,
) -> np.ndarray:
    """Optimal ``x`` of one level problem (see the module docstring); all integer arithmetic.

    ``need`` is the x at which every waiting title-holder is appointed (capped at ``upper``);
    ``rank`` breaks the last ties (smaller first), ``size`` the ones before it (larger first).
    Without ``pool`` every unit is its own block bounded by ``upper``.
    """
    n = len(lower)
    span = upper - lower
    fl = (qnum // den).astype(np.int64)
    rem = (qnum % den).astype(np.int64)
    n_plus = np.clip(fl - lower, 0, span)
    cross = ((lower <= fl) & (rem > 0) & (fl < upper)).astype(np.int64)
    k = np.clip(need - lower, 0, span)
    # three closeness ranges along the unit's steps: [0, n_plus), [n_plus, n_plus+cross), rest
    bounds = [(np.zeros(n, dtype=np.int64), n_plus, np.full(n, den, dtype=np.int64)),
              (n_plus, n_plus + cross, 2 * rem - den),
              (n_plus + cross, span, np.full(n, -den, dtype=np.int64))]
    seg_unit, seg_gain, seg_close, seg_count = [], [], [], []
    units = np.arange(n)
    for a, b, close in bounds:
        # steps that appoint someone: [0, k)
        cnt = np.maximum(0, np.minimum(b, k) - a)
        keep = cnt > 0
        seg_unit.append(units[keep])
        seg_gain.append(gain[keep])
        seg_close.append(close[keep])
        seg_count.append(cnt[keep])
        # steps that appoint nobody: [k, span), worth taking only if they bring x closer to q
        cnt = np.maximum(0, b - np.maximum(a, k))
        keep = (cnt > 0) & (close > 0)
        seg_unit.append(units[keep])
        seg_gain.append(np.zeros(int(keep.sum()), dtype=np.int64))
        seg_close.append(close[keep])
        seg_count.append(cnt[keep])
    su = np.concatenate(seg_unit)
    sg = np.concatenate(seg_gain)
    sc = np.concatenate(seg_close)
    cnt = np.concatenate(seg_count)
    if pool is None:
        taken = cnt
    else:
        sp = pool[su]
        # lexsort: last key is primary → pool, gain desc, closeness desc, size desc, rank asc
        order = np.lexsort((rank[su], -size[su], -sc, -sg, sp))
        su, sp, cnt = su[order], sp[order], cnt[order]
        cum = np.cumsum(cnt)
        # cumulative count before each segment, within its pool
        first = np.r_[True, sp[1:] != sp[:-1]]
        # the running total at the start of each segment's pool (starts never decrease)
        base = np.maximum.accumulate(np.where(first, cum - cnt, 0))
        before = cum - cnt - base
        assert pool_cap is not None
        room = pool_cap[sp] - _pool_sum(lower, pool, len(pool_cap))[sp]
        taken = np.clip(room - before, 0, cnt)
    x = lower.copy()
    np.add.at(x, su, taken)
    return x


def _pool_sum(values: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros(k, dtype=np.int64)
    np.add.at(out, pool, values)
    return out


def solve_fast(policy: Policy, units: pd.DataFrame, limits: UnitLimits,
               eligible: np.ndarray, blocks: np.ndarray, rank: np.ndarray) -> FastPlan:
    """Solve every eligible unit's block exactly; mark blocks that need the MIP."""
    T = units["total_posts"].to_numpy(np.int64)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    w_s = units["senior_waiting"].to_numpy(np.int64)
    w_m = units["intermediate_waiting"].to_numpy(np.int64)
    c_s, c_m, _ = stage1_coefficients(policy, units["priority"].to_numpy(np.float64))
    c_s, c_m = c_s.astype(np.int64), c_m.astype(np.int64)

    lo_a = np.maximum(limits.min_s, inc_s)
    hi_b = np.minimum(limits.cap_sm, T - limits.min_j)
    hi_a = np.minimum(limits.cap_s, hi_b)
    lo_b = np.maximum(inc_sm, lo_a)
    pooled = policy.scope is Scope.POOL
    idx = np.flatnonzero(eligible)
    sel = slice(None) if len(idx) == len(T) else idx

    def level(lo: np.ndarray, hi: np.ndarray, inc: np.ndarray, w: np.ndarray, c: np.ndarray,
              qnum: np.ndarray, pool_cap: np.ndarray | None) -> Any:
        lo, hi = lo[sel], hi[sel]
        pool = limits.pool_codes[sel] if pooled else None
        return greedy_level(
            lo, np.maximum(hi, lo), np.minimum(hi, inc[sel] + w[sel]), c[sel],
            np.asarray(qnum)[sel], limits.den, pool, pool_cap if pooled else None,
            rank[sel], T[sel],
        )

    A = np.zeros(len(T), dtype=np.int64)
    B = np.zeros(len(T), dtype=np.int64)
    A[sel] = level(lo_a, hi_a, inc_s, w_s, c_s, limits.qa_num, limits.pool_cap_s)
    B[sel] = level(lo_b, hi_b, inc_sm, w_m, c_m, limits.qb_num, limits.pool_cap_sm)
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
