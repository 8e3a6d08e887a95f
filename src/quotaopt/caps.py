"""Exact share and cap arithmetic — integers and fractions only, no floats.

Every share of a unit type is a fraction; all of them are put over one common
denominator ``D`` so that ``σ·T`` for every unit is the integer ``num / D`` held exactly in an
integer array (int64 while it cannot overflow, Python integers otherwise). Rounding is integer
division, so ``0.1 × 30`` is exactly 3.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from .policy import Incumbents, Level, Policy, Rounding, Scope, Shares

_INT64_SAFE = 2**62


def round_fraction(value: Fraction, rounding: Rounding) -> int:
    """Round an exact fraction: floor, nearest (halves up) or ceil."""
    if rounding is Rounding.FLOOR:
        return math.floor(value)
    if rounding is Rounding.CEIL:
        return math.ceil(value)
    return math.floor(value + Fraction(1, 2))


def round_num(num: np.ndarray, den: int, rounding: Rounding) -> np.ndarray:
    """Round ``num / den`` element-wise with integer arithmetic (``num >= 0``)."""
    if rounding is Rounding.FLOOR:
        out = num // den
    elif rounding is Rounding.CEIL:
        out = -((-num) // den)
    else:
        out = (2 * num + den) // (2 * den)
    return out.astype(np.int64)


@dataclass(frozen=True)
class UnitLimits:
    """Per-unit and per-pool quantities the model needs, all exact.

    ``*_num`` arrays hold ``share × total_posts × den``; e.g. the proportional senior share
    of unit ``i`` is exactly ``qa_num[i] / den`` posts.
    """

    den: int
    type_shares: dict[str, Shares]
    qa_num: np.ndarray  # σ_s·T·D            (stage-2 target for senior posts)
    qb_num: np.ndarray  # (σ_s+σ_m)·T·D      (stage-2 target for senior+intermediate posts)
    qc_num: np.ndarray  # (σ_s+σ_m+f·σ_j)·T·D (the senior+intermediate cap share)
    base_cap_s: np.ndarray  # unit-level rounded caps, before minimums and grandfathering
    base_cap_sm: np.ndarray
    alo_cap_s: np.ndarray  # the same after policy.at_least_one (不足1个按1个)
    alo_cap_sm: np.ndarray
    min_s: np.ndarray  # minimum posts per level from the minimum rules (already min(n, T))
    min_m: np.ndarray
    min_j: np.ndarray
    cap_s: np.ndarray  # unit caps in force (unit scope), or the unit's own upper bound (pool)
    cap_sm: np.ndarray
    over_ratio: np.ndarray  # bool: a cap was raised to the incumbents (grandfather)
    pool_codes: np.ndarray  # int index into pool_names
    pool_names: tuple[str, ...]
    pool_cap_s: np.ndarray  # pool scope only (else empty)
    pool_cap_sm: np.ndarray
    pool_base_cap_s: np.ndarray
    pool_base_cap_sm: np.ndarray
    pool_over_ratio: np.ndarray
    # Stage 2 fills the base caps B: the caps without the junior-to-intermediate allowance,
    # raised by at_least_one, minimum rules and grandfathering like the caps (SPEC section 2).
    target_s: np.ndarray  # per unit (scope unit; in scope pool: the pool's, per unit)
    target_sm: np.ndarray
    pool_target_s: np.ndarray  # scope pool only (else empty)
    pool_target_sm: np.ndarray
    pool_qa_num: np.ndarray  # Σ_pool σ_s·T·D and Σ_pool (σ_s+σ_m)·T·D (scope pool only)
    pool_qb_num: np.ndarray

    def quotas(self, level: str) -> tuple[np.ndarray, np.ndarray]:
        """Hamilton quotas of scope ``pool`` (stage 3) as ``(num, den)`` per unit: the unit's
        part ``B(pool) · σT_u / Σ_pool σT`` of its pool's base cap at ``level`` (``"s"`` or
        ``"sm"``) is exactly ``num / den``; ``den`` is 1 and ``num`` 0 for a pool without
        share at that level. Python integers (object arrays) where int64 could overflow."""
        q, tgt, tot = ((self.qa_num, self.pool_target_s, self.pool_qa_num) if level == "s"
                       else (self.qb_num, self.pool_target_sm, self.pool_qb_num))
        codes = self.pool_codes
        den = tot[codes]
        k = tgt[codes]
        big = (q.dtype == object or den.dtype == object
               or (len(q) and int(np.max(k, initial=0)) * int(np.max(q, initial=0)) >= 2**62))
        if big:
            q, den, k = (np.asarray(a, dtype=object) for a in (q, den, k))
        num = k * q
        zero = den == 0
        if np.any(zero):
            num = np.where(zero, 0, num)
            den = np.where(zero, 1, den)
        return num, den


def type_shares(policy: Policy, types: list[str]) -> dict[str, Shares]:
    return {t: policy.shares_for(t) for t in types}


def sorted_codes(column: pd.Series) -> tuple[tuple[str, ...], np.ndarray]:
    """``(names, codes)``: the column's distinct values as text, sorted, and each row's index
    into them — ``sorted(set(column.astype(str)))`` without a Python loop over the rows."""
    values = column.to_numpy(dtype=object)
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) != "string":
        values = column.astype(str).to_numpy(dtype=object)
    codes, uniques = pd.factorize(values)
    first = [str(u) for u in uniques.tolist()]
    names = sorted(first)
    rank = {name: i for i, name in enumerate(names)}
    remap = np.array([rank[u] for u in first], dtype=np.int64)
    return tuple(names), remap[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def minimum_arrays(policy: Policy, units: pd.DataFrame,
                   types: tuple[tuple[str, ...], np.ndarray] | None = None
                   ) -> dict[Level, np.ndarray]:
    """Largest applicable minimum per level and unit: ``min(posts, T)`` of every matching rule.

    ``types`` is :func:`sorted_codes` of the type column, when the caller already has it.
    """
    total = units["total_posts"].to_numpy(np.int64)
    zeros = np.zeros(len(units), dtype=np.int64)  # one array for the levels without a rule
    out = {lvl: zeros for lvl in Level}
    if not policy.minimum:
        return out
    names, codes = types if types is not None else sorted_codes(units["type"])
    for rule in policy.minimum:
        applies = total >= rule.when_total_at_least
        if rule.type is not None:
            applies &= codes == (names.index(rule.type) if rule.type in names else -1)
        need = np.where(applies, np.minimum(rule.posts, total), 0)
        out[rule.level] = np.maximum(out[rule.level], need)
    return out


def compute_limits(policy: Policy, units: pd.DataFrame) -> UnitLimits:
    """All caps and bounds of a variant, vectorised and exact."""
    n = len(units)
    total = units["total_posts"].to_numpy(np.int64)
    types = sorted_codes(units["type"])
    q = _ShareNumerators.of(policy, types, total)
    base_cap_s = round_num(q.qa, q.den, policy.rounding)
    base_cap_sm = round_num(q.qc, q.den, policy.rounding)
    alo_s, alo_sm, alo_b = at_least_one(policy, q.qa, q.qb, base_cap_s, base_cap_sm,
                                        round_num(q.qb, q.den, policy.rounding))
    mins = minimum_arrays(policy, units, types)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    pool_names, pool_codes = sorted_codes(units["pool"])
    if policy.scope is Scope.UNIT:
        caps = _unit_scope_caps(policy, total, mins, inc_s, inc_sm, alo_s, alo_sm, alo_b)
        empty = np.zeros(0, dtype=np.int64)
        pools = _PoolCaps(empty, empty, empty, empty, np.zeros(0, dtype=bool), empty, empty,
                          empty, empty)
    else:
        pools = _PoolCaps.of(policy, q, pool_codes, len(pool_names), inc_s, inc_sm)
        # In pool scope a unit is bounded only by its own size: one array for both caps,
        # a read-only view of the units' column (no copy), so no caller can write into
        # the table or into one cap through the other (pandas 2 hands out writable views).
        own = total.view()
        own.flags.writeable = False
        caps = _UnitCaps(
            cap_s=own, cap_sm=own,
            target_s=pools.target_s[pool_codes], target_sm=pools.target_sm[pool_codes],
            over=pools.over[pool_codes] if policy.incumbents is Incumbents.GRANDFATHER
            else np.zeros(n, dtype=bool))
    return UnitLimits(
        den=q.den,
        type_shares=q.shares,
        qa_num=q.qa,
        qb_num=q.qb,
        qc_num=q.qc,
        base_cap_s=base_cap_s,
        base_cap_sm=base_cap_sm,
        alo_cap_s=np.minimum(alo_s, total),
        alo_cap_sm=np.minimum(alo_sm, total),
        min_s=mins[Level.SENIOR],
        min_m=mins[Level.INTERMEDIATE],
        min_j=mins[Level.JUNIOR],
        cap_s=caps.cap_s if caps.cap_s is total else np.minimum(caps.cap_s, total),
        cap_sm=caps.cap_sm if caps.cap_sm is total else np.minimum(caps.cap_sm, total),
        over_ratio=caps.over,
        pool_codes=pool_codes,
        pool_names=pool_names,
        pool_cap_s=pools.cap_s,
        pool_cap_sm=pools.cap_sm,
        pool_base_cap_s=pools.base_s,
        pool_base_cap_sm=pools.base_sm,
        pool_over_ratio=pools.over,
        target_s=caps.target_s,
        target_sm=caps.target_sm,
        pool_target_s=pools.target_s,
        pool_target_sm=pools.target_sm,
        pool_qa_num=pools.qa,
        pool_qb_num=pools.qb,
    )


@dataclass(frozen=True)
class _ShareNumerators:
    """Every unit's shares ``σ·T`` over the common denominator ``den`` of the types' shares:
    ``qa`` senior, ``qb`` senior+intermediate, ``qc`` the senior+intermediate cap share;
    Python integers (``big``) where int64 could overflow in a unit or a pool sum."""

    den: int
    shares: dict[str, Shares]
    big: bool
    qa: np.ndarray
    qb: np.ndarray
    qc: np.ndarray

    @classmethod
    def of(cls, policy: Policy, types: tuple[tuple[str, ...], np.ndarray],
           total: np.ndarray) -> _ShareNumerators:
        n = len(total)
        type_names, codes = types
        uniq = list(type_names)
        shares = type_shares(policy, uniq)
        den = 1
        for sh in shares.values():
            for v in (sh.senior, sh.intermediate, sh.senior_intermediate_cap_share):
                den = math.lcm(den, v.denominator)
        # int64 only while every numerator and every pool's sum of them stays far from overflow
        big = den * (int(total.sum()) if n else 0) * 4 >= _INT64_SAFE
        tot = total.astype(object) if big else total

        def per_unit(share_of: Callable[[Shares], Fraction]) -> np.ndarray:
            nums = np.array([int(share_of(shares[t]) * den) for t in uniq],
                            dtype=object if big else np.int64)
            return nums[codes] * tot if n else np.zeros(0, dtype=np.int64)

        return cls(den, shares, big, per_unit(lambda s: s.senior),
                   per_unit(lambda s: s.senior + s.intermediate),
                   per_unit(lambda s: s.senior_intermediate_cap_share))


@dataclass(frozen=True)
class _UnitCaps:
    """Each unit's caps in force (before the unit's own size), base caps and whether a cap
    was raised to the incumbents."""

    cap_s: np.ndarray
    cap_sm: np.ndarray
    target_s: np.ndarray
    target_sm: np.ndarray
    over: np.ndarray


def _unit_scope_caps(policy: Policy, total: np.ndarray, mins: dict[Level, np.ndarray],
                     inc_s: np.ndarray, inc_sm: np.ndarray, alo_s: np.ndarray,
                     alo_sm: np.ndarray, alo_b: np.ndarray) -> _UnitCaps:
    """Scope unit: a minimum rule is a policy exception, it lifts the unit's caps as far as
    it needs; grandfathered incumbents lift them too."""
    min_s, min_m = mins[Level.SENIOR], mins[Level.INTERMEDIATE]
    over = np.zeros(len(total), dtype=bool)
    lower_s = np.maximum(min_s, inc_s)
    need_sm = np.where(min_m > 0, lower_s + min_m, min_s)
    cap_s = np.maximum(alo_s, min_s)
    cap_sm = np.maximum(alo_sm, need_sm)
    tgt_sm = np.maximum(alo_b, need_sm)
    if policy.incumbents is Incumbents.GRANDFATHER:
        over = (inc_s > cap_s) | (inc_sm > cap_sm)
        cap_s = np.maximum(cap_s, inc_s)
        cap_sm = np.maximum(cap_sm, inc_sm)
        tgt_sm = np.maximum(tgt_sm, inc_sm)
    return _UnitCaps(cap_s, cap_sm, np.minimum(cap_s, total), np.minimum(tgt_sm, total), over)


@dataclass(frozen=True)
class _PoolCaps:
    """Scope pool: each pool's caps in force, base caps (rounded shares), whether a cap was
    raised to the incumbents, stage-2 targets and share sums (empty in scope unit)."""

    cap_s: np.ndarray
    cap_sm: np.ndarray
    base_s: np.ndarray
    base_sm: np.ndarray
    over: np.ndarray
    target_s: np.ndarray
    target_sm: np.ndarray
    qa: np.ndarray
    qb: np.ndarray

    @classmethod
    def of(cls, policy: Policy, q: _ShareNumerators, pool_codes: np.ndarray, k: int,
           inc_s: np.ndarray, inc_sm: np.ndarray) -> _PoolCaps:
        den = q.den
        pool_qa = _pool_sum(q.qa, pool_codes, k, q.big)
        pool_qb = _pool_sum(q.qb, pool_codes, k, q.big)
        pool_qc = _pool_sum(q.qc, pool_codes, k, q.big)
        pool_base_s = round_num(pool_qa, den, policy.rounding)
        pool_base_sm = round_num(pool_qc, den, policy.rounding)
        pool_cap_s, pool_cap_sm, pool_tgt_sm = at_least_one(
            policy, pool_qa, pool_qb, pool_base_s, pool_base_sm,
            round_num(pool_qb, den, policy.rounding))
        if policy.incumbents is Incumbents.GRANDFATHER:
            pin_s = np.bincount(pool_codes, weights=inc_s, minlength=k).astype(np.int64)
            pin_sm = np.bincount(pool_codes, weights=inc_sm, minlength=k).astype(np.int64)
            pool_over = (pin_s > pool_cap_s) | (pin_sm > pool_cap_sm)
            pool_cap_s = np.maximum(pool_cap_s, pin_s)
            pool_cap_sm = np.maximum(pool_cap_sm, pin_sm)
            pool_tgt_sm = np.maximum(pool_tgt_sm, pin_sm)
        else:
            pool_over = np.zeros(k, dtype=bool)
        return cls(pool_cap_s, pool_cap_sm, pool_base_s, pool_base_sm, pool_over,
                   pool_cap_s.copy(), pool_tgt_sm, pool_qa, pool_qb)


def at_least_one(policy: Policy, qa: np.ndarray, qb: np.ndarray, cap_s: np.ndarray,
                 cap_sm: np.ndarray, base_sm: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """不足1个按1个 (``policy.at_least_one``) on rounded caps of units or pools.

    ``qa``, ``qb`` are the shares ``σ_s·T·D`` and ``(σ_s+σ_m)·T·D``; ``cap_s``, ``cap_sm``
    the rounded caps, ``base_sm`` the rounded senior+intermediate share without the
    junior-to-intermediate allowance. A senior share above 0 that rounds to 0 gives a senior
    cap of 1; an intermediate share above 0 (``qb > qa``) that leaves no intermediate post
    between the two caps gives one more senior+intermediate post. The senior+intermediate
    caps always cover the senior cap. Returns ``(cap_s, cap_sm, base_sm)``.
    """
    cap_s = np.asarray(cap_s, dtype=np.int64)
    cap_sm = np.asarray(cap_sm, dtype=np.int64)
    base_sm = np.asarray(base_sm, dtype=np.int64)
    if not policy.at_least_one:
        return cap_s, cap_sm, base_sm
    if Level.SENIOR in policy.at_least_one:
        cap_s = np.maximum(cap_s, (qa > 0).astype(np.int64))
    cap_sm, base_sm = np.maximum(cap_sm, cap_s), np.maximum(base_sm, cap_s)
    if Level.INTERMEDIATE in policy.at_least_one:
        one = cap_s + (qb > qa).astype(np.int64)
        cap_sm, base_sm = np.maximum(cap_sm, one), np.maximum(base_sm, one)
    return cap_s, cap_sm, base_sm


def _pool_sum(num: np.ndarray, codes: np.ndarray, k: int, big: bool) -> np.ndarray:
    if not big:
        if not len(num) or len(num) * int(np.abs(num).max()) < 2**53:
            # every partial sum is an integer below 2**53, so float64 adds exactly
            return np.rint(np.bincount(codes, weights=num, minlength=k)).astype(np.int64)
        out = np.zeros(k, dtype=np.int64)
        np.add.at(out, codes, num)
        return out
    acc = [0] * k
    for c, v in zip(codes.tolist(), num.tolist(), strict=True):
        acc[c] += int(v)
    return np.array(acc, dtype=object)
