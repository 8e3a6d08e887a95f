"""The formulation of SPEC section 2, built as sparse arrays. Never solves, never prints.

Columns, ``n`` units each, in this order::

    A   = P_s            posts senior                     integer [lo_A, hi_A]
    B   = P_s + P_m      posts senior or intermediate     integer [lo_B, hi_B]
    y_s                  senior appointments              integer [0, W_s]
    y_m                  intermediate appointments        integer [0, W_m]
    d_a ≥ |A − q_a|      deviation from σ_s·T             continuous ≥ 0
    d_b ≥ |B − q_b|      deviation from (σ_s+σ_m)·T       continuous ≥ 0

``P_m = B − A`` and ``P_j = T − B``, so ``P_s + P_m + P_j = T`` holds by construction.

Both objective stages are integer vectors: ``cost1`` is stage 1 divided by its granularity
δ (so every feasible stage-1 value is a whole number), ``cost2`` is stage 2 times the common
denominator ``D`` of the shares (so every optimal stage-2 value is a whole number once the
deviations are tight). ``|x − q|`` is written with three rows: ``d ≥ x − q``, ``d ≥ q − x`` and
the chord through the two integer points next to ``q``,
``d ≥ (1 − 2φ)(x − ⌊q⌋) + φ`` with ``φ = q − ⌊q⌋``; for integer ``x`` the three give exactly
``|x − q|`` and the LP relaxation is much tighter than with two rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .caps import UnitLimits
from .errors import InputError, Problem, approx
from .policy import Budget, Policy, Scope

N_BLOCKS = 6
COLUMN_GROUPS = ("posts_senior_cum", "posts_si_cum", "appoint_senior", "appoint_intermediate",
                 "dev_senior", "dev_si")


@dataclass(frozen=True)
class Formulation:
    """One MIP over a subset of units (``idx`` = their positions in the variant's table)."""

    idx: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray  # 1 integer, 0 continuous
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_kind: tuple[str, ...]  # one label per row group, for names
    cost1: np.ndarray  # stage 1, to MAXIMISE, integer coefficients (in units of delta)
    cost2: np.ndarray  # stage 2, to MINIMISE, integer coefficients (D per deviation)
    delta: Fraction  # stage-1 value = delta · (cost1 · x)
    den: int  # stage-2 value = (cost2 · x) / den
    block_span: int  # largest possible change of cost2·x within one independent block, + 1

    @property
    def n(self) -> int:
        return len(self.idx)

    @property
    def num_col(self) -> int:
        return len(self.col_lower)

    def column(self, group: int, x: np.ndarray) -> np.ndarray:
        return x[group * self.n:(group + 1) * self.n]


#: Largest magnitude an objective stage or the budget row of one MIP may reach: far inside the
#: 2^53 up to which doubles hold every whole number, with room for solver tolerances.
MAX_MIP_MAGNITUDE = 2**50


def budget_row(budget: Budget) -> tuple[int, int, int]:
    """``(a_s, a_m, rhs)``: the budget row ``a_s·Σy_s + a_m·Σy_m ≤ rhs`` in whole numbers.

    The extra costs are scaled by their common denominator ``L``; as the left side is then
    a whole number, ``rhs = ⌊max_increase·L⌋`` loses nothing.
    """
    ds = budget.cost_senior - budget.cost_intermediate
    dm = budget.cost_intermediate - budget.cost_junior
    scale = math.lcm(ds.denominator, dm.denominator)
    return int(ds * scale), int(dm * scale), math.floor(budget.max_increase * scale)


def stage1_coefficients(policy: Policy, priority: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                          Fraction]:
    """Integer stage-1 coefficients ``g·w/δ`` for senior and intermediate appointments.

    ``δ`` is the greatest common divisor of all ``g·w`` (as exact fractions), so stage-1
    values are whole multiples of δ and the coefficients are whole numbers.
    """
    uniq, inverse = np.unique(np.asarray(priority, dtype=np.float64), return_inverse=True)
    g_unique = uniq.tolist()
    gfrac = {g: Fraction(repr(float(g))) for g in g_unique}
    values = [gfrac[g] * w for g in g_unique
              for w in (policy.weight_senior, policy.weight_intermediate)]
    num_gcd = 0
    den_lcm = 1
    for v in values:
        num_gcd = math.gcd(num_gcd, v.numerator)
        den_lcm = math.lcm(den_lcm, v.denominator)
    delta = Fraction(num_gcd, den_lcm) if values else Fraction(1)
    cs = {g: int(gfrac[g] * policy.weight_senior / delta) for g in g_unique}
    cm = {g: int(gfrac[g] * policy.weight_intermediate / delta) for g in g_unique}
    largest = max([*cs.values(), *cm.values(), 0])
    if largest > MAX_MIP_MAGNITUDE:
        raise InputError([Problem(
            f"the priorities and objective weights are too different in size or have too many "
            f"decimal places to be solved exactly: the most valuable appointment is worth "
            f"{approx(largest)} times the smallest common step (the limit is 2^50 ≈ 1.1e15); use "
            "priorities and weights with fewer decimal places or closer in size",
            key="objective.weights")])
    c_s = np.array([cs[g] for g in g_unique], dtype=np.float64)[inverse.reshape(-1)]
    c_m = np.array([cm[g] for g in g_unique], dtype=np.float64)[inverse.reshape(-1)]
    return c_s, c_m, delta


def build(
    policy: Policy,
    units: pd.DataFrame,
    limits: UnitLimits,
    idx: np.ndarray,
    block_codes: np.ndarray,
) -> Formulation:
    """Build the MIP over the units at positions ``idx``.

    ``block_codes`` (aligned with ``idx``) says which independent block each unit belongs to
    (a pool, a unit, or one block for everything); it only sizes the stage-1 multiplier.
    """
    n = len(idx)
    T = units["total_posts"].to_numpy(np.int64)[idx]
    inc_s = units["senior_incumbents"].to_numpy(np.int64)[idx]
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)[idx]
    w_s = units["senior_waiting"].to_numpy(np.int64)[idx]
    w_m = units["intermediate_waiting"].to_numpy(np.int64)[idx]
    prio = units["priority"].to_numpy(np.float64)[idx]
    D = limits.den
    min_s, min_m, min_j = limits.min_s[idx], limits.min_m[idx], limits.min_j[idx]

    lo_a = np.maximum(min_s, inc_s)
    hi_a = limits.cap_s[idx]
    lo_b = inc_sm
    hi_b = np.minimum(limits.cap_sm[idx], T - min_j)
    inf = np.full(n, np.inf)
    zeros = np.zeros(n)
    col_lower = np.concatenate([lo_a, lo_b, zeros, zeros, zeros, zeros]).astype(np.float64)
    col_upper = np.concatenate([hi_a, hi_b, w_s, w_m, inf, inf]).astype(np.float64)
    integrality = np.concatenate([np.ones(4 * n, dtype=np.int8), np.zeros(2 * n, dtype=np.int8)])

    cols = np.arange(n)
    a_c, b_c, ys_c, ym_c, da_c, db_c = (cols + k * n for k in range(N_BLOCKS))
    rows_i: list[np.ndarray] = []
    rows_j: list[np.ndarray] = []
    rows_v: list[np.ndarray] = []
    lower: list[np.ndarray] = []
    upper: list[np.ndarray] = []
    kinds: list[str] = []
    nrow = 0

    def add(entries: list[tuple[np.ndarray, np.ndarray | float]], lo: Any, hi: Any, kind: str,
            m: int) -> None:
        nonlocal nrow
        r = np.arange(m) + nrow
        for col, val in entries:
            rows_i.append(r)
            rows_j.append(col)
            rows_v.append(np.broadcast_to(np.asarray(val, dtype=np.float64), (m,)))
        lower.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (m,)))
        upper.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (m,)))
        kinds.append(kind)
        nrow += m

    # capacity: I_s + y_s <= A ; I_s + I_m + y_m <= B
    add([(ys_c, 1.0), (a_c, -1.0)], -np.inf, -inc_s, "capacity_senior", n)
    add([(ym_c, 1.0), (b_c, -1.0)], -np.inf, -inc_sm, "capacity_senior_intermediate", n)
    # P_m = B − A >= minimum intermediate posts (>= 0)
    add([(a_c, 1.0), (b_c, -1.0)], -np.inf, -min_m, "posts_intermediate_min", n)
    # deviations, three rows each
    for x_c, d_c, num, name in ((a_c, da_c, limits.qa_num[idx], "senior"),
                                (b_c, db_c, limits.qb_num[idx], "senior_intermediate")):
        fl = (num // D).astype(np.float64)
        phi = ((num % D).astype(np.float64)) / D
        q = fl + phi
        add([(x_c, 1.0), (d_c, -1.0)], -np.inf, q, f"deviation_{name}_above", n)
        add([(x_c, -1.0), (d_c, -1.0)], -np.inf, -q, f"deviation_{name}_below", n)
        slope = 1.0 - 2.0 * phi
        add([(x_c, slope), (d_c, -1.0)], -np.inf, slope * fl - phi, f"deviation_{name}_chord", n)
    # pool caps
    if policy.scope is Scope.POOL and n:
        codes = limits.pool_codes[idx]
        present, local = np.unique(codes, return_inverse=True)
        k = len(present)
        r0 = nrow
        for x_c, cap, name in ((a_c, limits.pool_cap_s, "senior"),
                               (b_c, limits.pool_cap_sm, "senior_intermediate")):
            rows_i.append(local + nrow)
            rows_j.append(x_c)
            rows_v.append(np.ones(n))
            lower.append(np.full(k, -np.inf))
            upper.append(cap[present].astype(np.float64))
            kinds.append(f"pool_cap_{name}")
            nrow += k
        assert nrow == r0 + 2 * k
    # budget
    if policy.budget is not None and n:
        # in whole numbers (scaled by the costs' common denominator), so that the row is
        # exact in double precision: the extra cost of a plan is then an integer ≤ ⌊rhs⌋
        coef_s, coef_m, rhs = budget_row(policy.budget)
        reach = coef_s * int(w_s.sum()) + coef_m * int(w_m.sum())
        if reach > rhs and max(reach, abs(rhs)) > MAX_MIP_MAGNITUDE:
            raise InputError([Problem(
                f"the budget row is too large to be solved exactly: appointing every waiting "
                f"title-holder would cost {approx(reach)} (in units of the costs' smallest step; "
                "the limit is 2^50 ≈ 1.1e15); use costs with fewer decimal places, or smaller "
                "waiting counts", key="budget")])
        rows_i.append(np.zeros(2 * n, dtype=np.int64) + nrow)
        rows_j.append(np.concatenate([ys_c, ym_c]))
        rows_v.append(np.concatenate([np.full(n, float(coef_s)), np.full(n, float(coef_m))]))
        lower.append(np.array([-np.inf]))
        upper.append(np.array([float(rhs)]))
        kinds.append("budget")
        nrow += 1

    matrix = sp.csr_matrix(
        (np.concatenate(rows_v) if rows_v else np.zeros(0),
         (np.concatenate(rows_i) if rows_i else np.zeros(0, dtype=np.int64),
          np.concatenate(rows_j) if rows_j else np.zeros(0, dtype=np.int64))),
        shape=(nrow, N_BLOCKS * n),
    )
    c_s, c_m, delta = stage1_coefficients(policy, prio)
    cost1 = np.concatenate([zeros, zeros, c_s, c_m, zeros, zeros])
    cost2 = np.concatenate([zeros, zeros, zeros, zeros, np.full(n, float(D)), np.full(n, float(D))])
    # Stage 2 (times D) can change by at most D·Σ 2T within a block: a multiplier above that
    # on stage 1 makes one weighted objective exactly lexicographic, block by block.
    if n:
        _, inverse = np.unique(block_codes, return_inverse=True)
        span = int(np.bincount(inverse, weights=T).max()) * 2 * D + 1
    else:
        span = 1
    stage1_range = int(np.dot(cost1, np.where(np.isinf(col_upper), 0, col_upper)))
    for value, what in ((span, "the distance from the proportional shares (stage 2)"),
                        (stage1_range, "the weighted appointments (stage 1)")):
        if value > MAX_MIP_MAGNITUDE:
            raise InputError([Problem(
                f"the numbers are too large for an exact MIP: {what} can reach {approx(value)} in "
                "one independent block (the limit is 2^50 ≈ 1.1e15, so that floating-point "
                "solvers keep every whole number exact); use smaller counts, ratios and "
                "bonuses with fewer decimal places (their common denominator is "
                f"{D}), smaller pools, or no budget")])
    return Formulation(
        idx=idx,
        col_lower=col_lower,
        col_upper=col_upper,
        integrality=integrality,
        matrix=matrix,
        row_lower=np.concatenate(lower) if lower else np.zeros(0),
        row_upper=np.concatenate(upper) if upper else np.zeros(0),
        row_kind=tuple(kinds),
        cost1=cost1,
        cost2=cost2,
        delta=delta,
        den=D,
        block_span=span,
    )
