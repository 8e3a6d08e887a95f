"""The formulation of SPEC section 2, built as sparse arrays. Never solves, never prints.

Columns, ``n`` units each, in this order::

    A   = P_s            posts senior                     integer [lo_A, hi_A]
    B   = P_s + P_m      posts senior or intermediate     integer [lo_B, hi_B]
    y_s                  senior appointments              integer [0, W_s]
    y_m                  intermediate appointments        integer [0, W_m]
    d_a ≥ |A − q_a|      scope unit: distance to the base cap B_s (stage 2);
                         scope pool: distance to the Hamilton quota Q_s (stage 3)
    d_b ≥ |B − q_b|      the same for B_sm / Q_sm                   continuous ≥ 0
    e_p ≥ |Σ_p B − B_sm(p)|   scope pool only: one column per pool (stage 2)

``P_m = B − A`` and ``P_j = T − B``, so ``P_s + P_m + P_j = T`` holds by construction.

Every objective stage is an integer vector: ``cost1`` is stage 1 divided by its granularity
δ (so every feasible stage-1 value is a whole number, to MAXIMISE); ``costs`` are the stages
to minimise: stage 2 (whole numbers: the base caps are whole), stage 3 (scope pool: the
distances to the quotas times the common denominator ``L`` of the block's quotas). Each
takes whole values at a plan whose deviations are tight. The tie rule of scope pool is
applied afterwards (:func:`quotaopt.tierule.apply_tie_rule`). ``|x − q|`` is written with three
rows: ``d ≥ x − q``, ``d ≥ q − x`` and
the chord through the two integer points next to ``q``,
``d ≥ (1 − 2φ)(x − ⌊q⌋) + φ`` with ``φ = q − ⌊q⌋``; for integer ``x`` the three give exactly
``|x − q|`` and the LP relaxation is much tighter than with two rows.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .caps import UnitLimits
from .errors import InputError, Problem, approx

# the formulation's type and its exact rewrites live in quotaopt.formulation; the names are
# also importable from here, where the solve has always found them
from .formulation import COLUMN_GROUPS as COLUMN_GROUPS
from .formulation import MAX_MIP_MAGNITUDE as MAX_MIP_MAGNITUDE
from .formulation import N_BLOCKS as N_BLOCKS
from .formulation import Deviation as Deviation
from .formulation import Formulation as Formulation
from .formulation import Segmented as Segmented
from .formulation import complete_plan as complete_plan
from .formulation import int_dot as int_dot
from .formulation import optimal_face as optimal_face
from .formulation import segmented as segmented
from .formulation import slack_rows as slack_rows
from .formulation import weighted as weighted
from .policy import Budget, Policy, Scope


def budget_row(budget: Budget) -> tuple[int, int, int]:
    """``(a_s, a_m, rhs)``: the budget row ``a_s·Σy_s + a_m·Σy_m ≤ rhs`` in whole numbers.

    The extra costs are scaled by their common denominator ``L``; as the left side is then
    a whole number, ``rhs = ⌊max_increase·L⌋`` loses nothing.
    """
    ds = budget.cost_senior - budget.cost_intermediate
    dm = budget.cost_intermediate - budget.cost_junior
    scale = math.lcm(ds.denominator, dm.denominator)
    return int(ds * scale), int(dm * scale), math.floor(budget.max_increase * scale)


def pool_budget_rhs(budget: Budget, pool_names: tuple[str, ...]) -> tuple[int, int,
                                                                          list[int]]:
    """``(a_s, a_m, rhs)`` of each pool's own budget row (``budget.scope = "pool"``), in the
    whole numbers of :func:`budget_row`: ``rhs[k]`` for the pool named ``pool_names[k]``."""
    ds, dm = budget.appointment_costs
    scale = math.lcm(ds.denominator, dm.denominator)
    return (int(ds * scale), int(dm * scale),
            [math.floor(budget.pools[name] * scale) for name in pool_names])


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
        raise InputError([Problem.of("weights_too_different", key="objective.weights",
                                     largest=approx(largest))])
    c_s = np.array([cs[g] for g in g_unique], dtype=np.float64)[inverse.reshape(-1)]
    c_m = np.array([cm[g] for g in g_unique], dtype=np.float64)[inverse.reshape(-1)]
    return c_s, c_m, delta


class UnitArrays(NamedTuple):
    """The per-unit numbers every solving method reads (whole numbers, int64)."""

    T: np.ndarray  # total posts
    inc_s: np.ndarray  # senior incumbents
    inc_sm: np.ndarray  # senior + intermediate incumbents
    w_s: np.ndarray  # senior waiting
    w_m: np.ndarray  # intermediate waiting
    c_s: np.ndarray  # stage-1 coefficient of a senior appointment (g·w/δ)
    c_m: np.ndarray  # stage-1 coefficient of an intermediate appointment


def unit_arrays(policy: Policy, units: pd.DataFrame) -> UnitArrays:
    """Posts, incumbents, waiting staff and the stage-1 coefficients of every unit."""
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    c_s, c_m, _ = stage1_coefficients(policy, units["priority"].to_numpy(np.float64))
    return UnitArrays(units["total_posts"].to_numpy(np.int64), inc_s,
                      inc_s + units["intermediate_incumbents"].to_numpy(np.int64),
                      units["senior_waiting"].to_numpy(np.int64),
                      units["intermediate_waiting"].to_numpy(np.int64),
                      c_s.astype(np.int64), c_m.astype(np.int64))


class _RowGroups:
    """The rows of a formulation as it is built: one group of rows after another, each with a
    kind (for names), collected as sparse coordinates."""

    def __init__(self) -> None:
        self.rows_i: list[np.ndarray] = []
        self.rows_j: list[np.ndarray] = []
        self.rows_v: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.kinds: list[str] = []
        self.starts: list[int] = []
        self.nrow = 0

    def add(self, entries: list[tuple[np.ndarray, np.ndarray | float]], lo: Any, hi: Any,
            kind: str, m: int) -> None:
        """``m`` rows ``lo ≤ Σ val·x[col] ≤ hi``: row ``k`` has ``val[k]`` (or ``val``) in
        column ``col[k]`` for every ``(col, val)`` of ``entries``."""
        r = np.arange(m) + self.nrow
        for col, val in entries:
            self.rows_i.append(r)
            self.rows_j.append(col)
            self.rows_v.append(np.broadcast_to(np.asarray(val, dtype=np.float64), (m,)))
        self._close(np.broadcast_to(np.asarray(lo, dtype=np.float64), (m,)),
                    np.broadcast_to(np.asarray(hi, dtype=np.float64), (m,)), kind, m)

    def add_sums(self, row: np.ndarray, col: np.ndarray, val: np.ndarray, hi: np.ndarray,
                 kind: str) -> None:
        """``len(hi)`` rows ``Σ val·x[col] ≤ hi``: entry ``k`` goes to the group's row
        ``row[k]`` (a sum over a pool's units)."""
        self.rows_i.append(row + self.nrow)
        self.rows_j.append(col)
        self.rows_v.append(val)
        self._close(np.full(len(hi), -np.inf), hi, kind, len(hi))

    def _close(self, lo: np.ndarray, hi: np.ndarray, kind: str, m: int) -> None:
        self.lower.append(lo)
        self.upper.append(hi)
        self.kinds.append(kind)
        self.starts.append(self.nrow)
        self.nrow += m

    def matrix(self, num_col: int) -> sp.csr_matrix:
        def joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        return sp.csr_matrix((joined(self.rows_v, np.float64),
                              (joined(self.rows_i, np.int64), joined(self.rows_j, np.int64))),
                             shape=(self.nrow, num_col))


class _Built(NamedTuple):
    """The formulation's columns and rows (no objective yet), and what its objective needs."""

    form: Formulation
    T: np.ndarray  # total posts, per unit of ``idx``
    w_s: np.ndarray
    w_m: np.ndarray
    dev_hi: list[np.ndarray]  # per deviation: the largest S·|x − q| can be
    dev_den: list[np.ndarray]  # per deviation: S, the quotas' denominators in lowest terms
    pool_local: np.ndarray  # scope pool: each unit's pool, numbered 0 … n_pool − 1
    pool_present: np.ndarray  # scope pool: those pools' codes in ``limits``


def build(
    policy: Policy,
    units: pd.DataFrame,
    limits: UnitLimits,
    idx: np.ndarray,
    block_codes: np.ndarray,
) -> Formulation:
    """Build the MIP over the units at positions ``idx``.

    ``block_codes`` (aligned with ``idx``) says which independent block each unit belongs to
    (a pool, a unit, or one block for everything); it sizes the stage multipliers and the
    common denominator of the quotas.
    """
    built = _columns_and_rows(policy, units, limits, idx)
    return _with_objective(built, policy, units["priority"].to_numpy(np.float64)[idx], limits,
                           block_codes)


def plan_rows(policy: Policy, units: pd.DataFrame, limits: UnitLimits,
              idx: np.ndarray) -> Formulation:
    """The formulation of :func:`build` without an objective (every cost zero): its columns,
    their bounds and its rows, for a model built on it (:mod:`quotaopt.relax`)."""
    return _columns_and_rows(policy, units, limits, idx).form


def _columns_and_rows(policy: Policy, units: pd.DataFrame, limits: UnitLimits,
                      idx: np.ndarray) -> _Built:
    """The columns (module docstring), their bounds, and the rows in this order: capacity,
    intermediate minimum, the deviations (three rows each), scope pool's pooled caps and
    distances to the pooled targets, the budget."""
    n = len(idx)
    T = units["total_posts"].to_numpy(np.int64)[idx]
    inc_s = units["senior_incumbents"].to_numpy(np.int64)[idx]
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)[idx]
    w_s = units["senior_waiting"].to_numpy(np.int64)[idx]
    w_m = units["intermediate_waiting"].to_numpy(np.int64)[idx]
    col_lower, col_upper, integrality = _unit_columns(limits, idx, T, inc_s, inc_sm, w_s, w_m)
    a_c, b_c, ys_c, ym_c, da_c, db_c = (np.arange(n) + k * n for k in range(N_BLOCKS))
    rows = _RowGroups()
    # capacity: I_s + y_s <= A ; I_s + I_m + y_m <= B
    rows.add([(ys_c, 1.0), (a_c, -1.0)], -np.inf, -inc_s, "capacity_senior", n)
    rows.add([(ym_c, 1.0), (b_c, -1.0)], -np.inf, -inc_sm, "capacity_senior_intermediate", n)
    # P_m = B − A >= minimum intermediate posts (>= 0)
    rows.add([(a_c, 1.0), (b_c, -1.0)], -np.inf, -limits.min_m[idx], "posts_intermediate_min",
             n)
    dev_hi, dev_den, deviations = [], [], []
    for x_c, d_c, (num, den), name in zip((a_c, b_c), (da_c, db_c),
                                          _targets(policy, limits, idx),
                                          ("senior", "senior_intermediate"), strict=True):
        dev, hi, den = _add_deviation_rows(rows, x_c, d_c, num, den, T, name)
        deviations.append(dev)
        dev_hi.append(hi)
        dev_den.append(den)
    local, present = np.zeros(n, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if policy.scope is Scope.POOL and n:
        local, present = _add_pool_rows(rows, limits, idx, a_c, b_c)
    n_pool = len(present)
    if policy.budget is not None and n:
        _add_budget_rows(rows, policy.budget, limits, idx, ys_c, ym_c, w_s, w_m)
    if n_pool:
        col_lower = np.concatenate([col_lower, np.zeros(n_pool)])
        col_upper = np.concatenate([col_upper, np.full(n_pool, np.inf)])
        integrality = np.concatenate([integrality, np.zeros(n_pool, dtype=np.int8)])
    num_col = N_BLOCKS * n + n_pool
    form = Formulation(
        idx=idx,
        col_lower=col_lower,
        col_upper=col_upper,
        integrality=integrality,
        matrix=rows.matrix(num_col),
        row_lower=np.concatenate(rows.lower) if rows.lower else np.zeros(0),
        row_upper=np.concatenate(rows.upper) if rows.upper else np.zeros(0),
        row_kind=tuple(rows.kinds),
        cost1=np.zeros(num_col),
        costs=(),
        delta=Fraction(1),
        block_range=(0,),
        batch_range=(0,),
        deviations=tuple(deviations),
        row_start=tuple(rows.starts),
    )
    return _Built(form, T, w_s, w_m, dev_hi, dev_den, local, present)


def _unit_columns(limits: UnitLimits, idx: np.ndarray, T: np.ndarray, inc_s: np.ndarray,
                  inc_sm: np.ndarray, w_s: np.ndarray, w_m: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lower, upper, integrality)`` of the ``6n`` unit columns: the caps and the senior and
    junior minimums are bounds of ``A`` and ``B``, the waiting staff of the appointments."""
    n = len(idx)
    lo_a = np.maximum(limits.min_s[idx], inc_s)
    hi_a = limits.cap_s[idx]
    lo_b = inc_sm
    hi_b = np.minimum(limits.cap_sm[idx], T - limits.min_j[idx])
    inf = np.full(n, np.inf)
    zeros = np.zeros(n)
    col_lower = np.concatenate([lo_a, lo_b, zeros, zeros, zeros, zeros]).astype(np.float64)
    col_upper = np.concatenate([hi_a, hi_b, w_s, w_m, inf, inf]).astype(np.float64)
    integrality = np.concatenate([np.ones(4 * n, dtype=np.int8), np.zeros(2 * n, dtype=np.int8)])
    return col_lower, col_upper, integrality


def _targets(policy: Policy, limits: UnitLimits, idx: np.ndarray
             ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((num, den) of A, (num, den) of B)``: the targets the deviations measure from, as
    fractions — the Hamilton quotas in scope pool, the whole base caps in scope unit."""
    if policy.scope is Scope.POOL:
        qa_num, qa_den = limits.quotas("s")
        qb_num, qb_den = limits.quotas("sm")
        return (qa_num[idx], qa_den[idx]), (qb_num[idx], qb_den[idx])
    one = np.ones(len(idx), dtype=np.int64)
    return (limits.target_s[idx], one), (limits.target_sm[idx], one)


def _add_deviation_rows(rows: _RowGroups, x_c: np.ndarray, d_c: np.ndarray, num: np.ndarray,
                        den: np.ndarray, T: np.ndarray, name: str
                        ) -> tuple[Deviation, np.ndarray, np.ndarray]:
    """The three rows of ``d ≥ |x − q|`` for every unit (module docstring), in whole numbers:
    with the target ``q = N/S`` in lowest terms, ``d' = S·d ≥ |S·x − N|`` and the chord
    ``d' ≥ (S − 2r)(x − ⌊q⌋) + r`` (``r = N mod S``). Returns the :class:`Deviation`, the
    largest ``S·|x − q|`` can be for ``0 ≤ x ≤ T``, and ``S``."""
    n = len(x_c)
    num, den = _lowest_terms(num, den)
    fl = np.asarray(num // den, dtype=np.float64)
    r = np.asarray(num % den, dtype=np.float64)
    S = np.asarray(den, dtype=np.float64)
    N = np.asarray(num, dtype=np.float64)
    if n and max(float(N.max()), float(S.max()) * float(T.max() + 1)) > MAX_MIP_MAGNITUDE:
        raise InputError([Problem.of("quota_too_large", numerator=approx(float(N.max())))])
    dev = Deviation(int(x_c[0]) if n else 0, int(d_c[0]) if n else 0, rows.nrow, fl, r, S)
    rows.add([(x_c, S), (d_c, -1.0)], -np.inf, N, f"deviation_{name}_above", n)
    rows.add([(x_c, -S), (d_c, -1.0)], -np.inf, -N, f"deviation_{name}_below", n)
    slope = S - 2.0 * r
    rows.add([(x_c, slope), (d_c, -1.0)], -np.inf, slope * fl - r, f"deviation_{name}_chord", n)
    return dev, S * np.maximum(fl + 1, T - fl), den


def _add_pool_rows(rows: _RowGroups, limits: UnitLimits, idx: np.ndarray, a_c: np.ndarray,
                   b_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scope pool: the pooled caps ``Σ_p A ≤ B_s(p)``, ``Σ_p B ≤ B_sm(p)``, and the rows of
    ``e_p ≥ |Σ_p B − B_sm(p)|`` (stage 2) with one column ``e_p`` per pool after the unit
    columns. Returns each unit's pool numbered from 0 and those pools' codes."""
    n = len(idx)
    present, local = np.unique(limits.pool_codes[idx], return_inverse=True)
    local = local.reshape(-1)
    k = len(present)
    for x_c, cap, name in ((a_c, limits.pool_cap_s, "senior"),
                           (b_c, limits.pool_cap_sm, "senior_intermediate")):
        rows.add_sums(local, x_c, np.ones(n), cap[present].astype(np.float64),
                      f"pool_cap_{name}")
    e_c = N_BLOCKS * n + np.arange(k)
    tgt = limits.pool_target_sm[present].astype(np.float64)
    for sign, name in ((1.0, "above"), (-1.0, "below")):
        rows.add_sums(np.concatenate([local, np.arange(k)]), np.concatenate([b_c, e_c]),
                      np.concatenate([np.full(n, sign), np.full(k, -1.0)]), sign * tgt,
                      f"pool_distance_senior_intermediate_{name}")
    return local, present


def _add_budget_rows(rows: _RowGroups, budget: Budget, limits: UnitLimits, idx: np.ndarray,
                     ys_c: np.ndarray, ym_c: np.ndarray, w_s: np.ndarray,
                     w_m: np.ndarray) -> None:
    """The budget row over all units (:func:`budget_row`), or one row per pool with the
    pool's own amount (:func:`pool_budget_rhs`), in whole numbers."""
    n = len(idx)
    if budget.per_pool:
        present, local = np.unique(limits.pool_codes[idx], return_inverse=True)
        local = local.reshape(-1)
        coef_s, coef_m, rhs_all = pool_budget_rhs(budget, limits.pool_names)
        rhs_p = [rhs_all[int(k)] for k in present.tolist()]
        reach_p = (coef_s * np.bincount(local, weights=w_s, minlength=len(present))
                   + coef_m * np.bincount(local, weights=w_m, minlength=len(present)))
        if any(r > h and max(r, abs(h)) > MAX_MIP_MAGNITUDE
               for r, h in zip(reach_p.tolist(), rhs_p, strict=True)):
            raise InputError([Problem.of("pool_budget_row_too_large", key="budget")])
        rows.add_sums(np.concatenate([local, local]), np.concatenate([ys_c, ym_c]),
                      np.concatenate([np.full(n, float(coef_s)), np.full(n, float(coef_m))]),
                      np.array([float(min(h, 2**62)) for h in rhs_p]), "budget_pool")
        return
    # in whole numbers (scaled by the costs' common denominator), so that the row is exact in
    # double precision: the extra cost of a plan is then an integer ≤ ⌊rhs⌋
    coef_s, coef_m, rhs = budget_row(budget)
    reach = coef_s * int(w_s.sum()) + coef_m * int(w_m.sum())
    if reach > rhs and max(reach, abs(rhs)) > MAX_MIP_MAGNITUDE:
        raise InputError([Problem.of("budget_row_too_large", key="budget",
                                     reach=approx(reach))])
    rows.add_sums(np.zeros(2 * n, dtype=np.int64), np.concatenate([ys_c, ym_c]),
                  np.concatenate([np.full(n, float(coef_s)), np.full(n, float(coef_m))]),
                  np.array([float(rhs)]), "budget")


def _with_objective(built: _Built, policy: Policy, prio: np.ndarray, limits: UnitLimits,
                    block_codes: np.ndarray) -> Formulation:
    """The formulation with its objective stages (module docstring) and, per stage, the
    largest change within one block and within the whole formulation."""
    form, T, w_s, w_m = built.form, built.T, built.w_s, built.w_m
    n = form.n
    zeros, ones = np.zeros(n), np.full(n, 1.0)
    pad = np.zeros(len(built.pool_present))
    c_s, c_m, delta = stage1_coefficients(policy, prio)
    cost1 = np.concatenate([zeros, zeros, c_s, c_m, zeros, zeros, pad])
    _, block = np.unique(block_codes, return_inverse=True) if n else (None, np.zeros(0, int))
    block = block.reshape(-1).astype(np.int64)

    def ranges(per_unit: np.ndarray) -> tuple[int, int]:
        """(largest block sum, whole sum) of non-negative per-unit ranges."""
        if not n:
            return 0, 0
        sums = np.bincount(block, weights=per_unit.astype(np.float64))
        return int(np.ceil(sums.max())), int(np.ceil(sums.sum()))

    costs: tuple[np.ndarray, ...]
    stage_ranges: list[tuple[int, int]]
    dev_hi, dev_den = built.dev_hi, built.dev_den
    if policy.scope is Scope.POOL:
        # stage 2: Σ_p (B_s(p) − Σ A) + e_p  (Σ A never exceeds B_s(p), the pool's senior cap)
        cost2 = np.concatenate([-ones, zeros, zeros, zeros, zeros, zeros, np.ones(len(pad))])
        pool_hi = np.maximum(limits.pool_target_sm[built.pool_present], 0).astype(np.float64)
        # generous: each pool's e counted per unit
        r2 = ranges(2.0 * T + pool_hi[built.pool_local])
        # stage 3: distances to the quotas, times the block's common denominator
        scale = _quota_scale(dev_den, block)
        w_a = scale / np.asarray(dev_den[0], dtype=np.float64)
        w_b = scale / np.asarray(dev_den[1], dtype=np.float64)
        cost3 = np.concatenate([zeros, zeros, zeros, zeros, w_a, w_b, pad])
        r3 = ranges(w_a * dev_hi[0] + w_b * dev_hi[1])
        costs = (cost2, cost3)
        stage_ranges = [r2, r3]
    else:
        cost2 = np.concatenate([zeros, zeros, zeros, zeros, ones, ones])
        costs = (cost2,)
        stage_ranges = [ranges(dev_hi[0] + dev_hi[1])]
    stage_ranges.insert(0, ranges(c_s * w_s + c_m * w_m))
    block_range = tuple(r[0] for r in stage_ranges)
    batch_range = tuple(r[1] for r in stage_ranges)
    for value, stage in ((max(block_range[1:]), 2), (block_range[0], 1)):
        if value > MAX_MIP_MAGNITUDE:
            raise InputError([Problem.of("block_too_large", stage=stage, value=approx(value),
                                         denominator=limits.den)])
    return replace(form, cost1=cost1, costs=costs, delta=delta,
                   block_range=tuple(int(v) for v in block_range),
                   batch_range=tuple(int(v) for v in batch_range))


def _lowest_terms(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if num.dtype == object or den.dtype == object:
        g = np.array([math.gcd(int(a), int(b)) for a, b in zip(num.tolist(), den.tolist(),
                                                                strict=True)], dtype=object)
        return num // g, den // g
    g = np.gcd(num, den)
    g[g == 0] = 1
    return num // g, den // g


def _quota_scale(dens: list[np.ndarray], block: np.ndarray) -> np.ndarray:
    """Per unit: the common denominator of all quotas (both levels) of its block, so that the
    block's stage 3 times it is a whole number at every plan."""
    lcm: dict[int, int] = {}
    for den in dens:
        for b, d in zip(block.tolist(), den.tolist(), strict=True):
            lcm[b] = math.lcm(lcm.get(b, 1), int(d))
    # beyond 2^100 the numbers are far too large for an exact MIP anyway (build() says so);
    # capped so that the float conversion cannot overflow first
    return np.array([float(min(lcm[b], 2**100)) for b in block.tolist()], dtype=np.float64)
