"""Independent feasibility checker.

Recomputes every cap, capacity, minimum and the budget from the policy's words and the units
table with exact integer and :class:`fractions.Fraction` arithmetic — deliberately sharing no
code with ``caps.py`` or ``model.py`` — and lists every rule a plan breaks. ``solve`` runs it
on every plan before returning it; ``audit`` runs it on plans made by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .messages import render
from .policy import Incumbents, Level, Policy, Rounding, Scope


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``actual`` is what the plan has, ``allowed`` what the rule permits."""

    unit: str  # unit_id, or "pool <name>", or "all units" for the budget
    rule: str  # the rule's name: the code of its words in quotaopt.messages.VIOLATION_RULES
    allowed: str
    actual: str
    message: str  # what breaking the rule means, in the language in use (rendered from rule)

    def __str__(self) -> str:
        return render("violation", {"unit": self.unit, "rule": self.rule,
                                    "allowed": self.allowed, "actual": self.actual,
                                    "detail": self.message})


def _detail(rule: str) -> str:
    """What breaking ``rule`` means, in words (the words only: :mod:`quotaopt.messages`)."""
    return render("violation_detail", {"rule": rule})


def _round(value: Fraction, rounding: Rounding) -> int:
    if rounding == Rounding.FLOOR:
        return math.floor(value)
    if rounding == Rounding.CEIL:
        return math.ceil(value)
    return math.floor(value + Fraction(1, 2))


def _shares(policy: Policy, unit_type: str) -> tuple[Fraction, Fraction, Fraction]:
    """(senior cap share, senior+intermediate cap share, intermediate share) straight from
    the policy's words."""
    tp = policy.types.get(unit_type)
    ratio = tp.ratio if tp is not None and tp.ratio is not None else policy.ratio
    total = ratio.senior + ratio.intermediate + ratio.junior
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    f = policy.junior_to_intermediate
    if tp is not None and tp.junior_to_intermediate is not None:
        f = tp.junior_to_intermediate
    senior = ratio.senior / total + bonus
    junior = ratio.junior / total - bonus
    return senior, senior + ratio.intermediate / total + f * junior, ratio.intermediate / total


def _at_least_one(policy: Policy, has_s: Any, has_m: Any, cap_s: Any, cap_sm: Any
                  ) -> tuple[Any, Any]:
    """不足1个按1个: a senior share above 0 that rounds to 0 still allows 1 senior post; an
    intermediate share above 0 leaving no room between the caps allows one more
    senior+intermediate post; senior posts are always inside the senior+intermediate cap."""
    levels = {lvl.value for lvl in policy.at_least_one}
    if not levels:
        return cap_s, cap_sm
    if "senior" in levels:
        cap_s = np.where(has_s & (cap_s < 1), 1, cap_s)
    cap_sm = np.maximum(cap_sm, cap_s)
    if "intermediate" in levels:
        cap_sm = np.where(has_m & (cap_sm < cap_s + 1), cap_s + 1, cap_sm)
    return cap_s, cap_sm


def _minimums(policy: Policy, types: np.ndarray, total: np.ndarray) -> dict[str, np.ndarray]:
    """Largest ``min(posts, T)`` of every rule that applies, per level."""
    need = {lvl.value: np.zeros(len(total), dtype=np.int64) for lvl in Level}
    for rule in policy.minimum:
        applies = total >= rule.when_total_at_least
        if rule.type is not None:
            applies = applies & (types == rule.type)
        need[rule.level.value] = np.maximum(
            need[rule.level.value], np.where(applies, np.minimum(rule.posts, total), 0))
    return need


def _round_ratio(num: Any, den: int, rounding: Rounding) -> Any:
    """``round(num / den)`` for non-negative integer numerators (Python ints if needed)."""
    if rounding == Rounding.FLOOR:
        return num // den
    if rounding == Rounding.CEIL:
        return (num + den - 1) // den
    return (2 * num + den) // (2 * den)


#: A plan as :func:`check_plan` reads it: a table, or its columns by name (Series or arrays).
Plan: TypeAlias = pd.DataFrame | Mapping[str, Any]


def _column(plan: Plan, name: str, n: int) -> np.ndarray:
    """A column as whole numbers (blank or not a number: 0); the column's own array, not a
    copy, when it holds int64 already (read only here)."""
    if name not in plan:
        return np.zeros(n, dtype=np.int64)
    column = plan[name]
    values = column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column)
    if values.dtype == np.int64:
        return values
    return pd.to_numeric(pd.Series(values), errors="coerce").fillna(0).to_numpy().astype(
        np.int64)


def _pool_sums(codes: np.ndarray, values: np.ndarray, k: int) -> list[int]:
    """Exact integer sum of ``values`` per pool code."""
    if values.dtype == object:
        acc = [0] * k
        for c, x in zip(codes.tolist(), values.tolist(), strict=True):
            acc[c] += int(x)
        return acc
    out = np.zeros(k, dtype=np.int64)
    np.add.at(out, codes, values)
    return out.tolist()


def _as_text(column: pd.Series | np.ndarray) -> np.ndarray:
    """``column.astype(str)`` as an object array, without a copy when every cell is a
    ``str`` already (with pyarrow installed, pandas would copy the text twice)."""
    column = pd.Series(column, copy=False) if isinstance(column, np.ndarray) else column
    values = column.to_numpy(dtype=object)
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return column.astype(str).to_numpy(dtype=object)


def _text_codes(column: pd.Series | np.ndarray) -> tuple[list[str], np.ndarray]:
    """Sorted distinct values of a column as text, and each row's index into them."""
    codes, uniques = pd.factorize(_as_text(column))
    first = [str(u) for u in uniques.tolist()]
    names = sorted(first)
    rank = {name: i for i, name in enumerate(names)}
    return names, np.array([rank[u] for u in first], dtype=np.int64)[codes] if len(codes) \
        else np.zeros(0, dtype=np.int64)


def check_plan(policy: Policy, plan: Plan) -> list[Violation]:
    """Every rule of ``policy`` that ``plan`` breaks (an empty list means the plan complies).

    ``plan`` is a units table (canonical columns) plus ``posts_senior``,
    ``posts_intermediate``, ``posts_junior`` and optionally ``appointed_senior`` and
    ``appointed_intermediate`` (missing = nobody appointed) — a DataFrame, or a mapping of
    those column names to columns of equal length (nothing is copied). Violations come unit
    by unit in the plan's row order, then pool by pool, then the budget.
    """
    n = len(plan["unit_id"])
    pooled = policy.scope == Scope.POOL or (policy.budget is not None
                                            and policy.budget.per_pool)
    # each pool's position among the sorted pool names, made first: less memory is in use
    pools = _text_codes(plan["pool"]) if pooled else None
    p = _PlanArrays.of(plan, n)
    shares = _ExactShares.of(policy, plan["type"], p.T)
    out = _unit_violations(policy, p, _as_text(plan["unit_id"]), _as_text(plan["type"]),
                           shares)
    if policy.scope == Scope.POOL:
        assert pools is not None
        out += _pool_cap_violations(policy, p, shares, pools)
    if policy.budget is not None:
        out += _budget_violations(policy, p, pools)
    return out


@dataclass(frozen=True)
class _PlanArrays:
    """The plan's numbers as whole-number arrays, one entry per unit."""

    T: np.ndarray
    ps: np.ndarray
    pm: np.ndarray
    pj: np.ndarray
    i_s: np.ndarray
    i_m: np.ndarray
    w_s: np.ndarray
    w_m: np.ndarray
    ys: np.ndarray
    ym: np.ndarray

    @classmethod
    def of(cls, plan: Plan, n: int) -> _PlanArrays:
        return cls(*(_column(plan, c, n) for c in (
            "total_posts", "posts_senior", "posts_intermediate", "posts_junior",
            "senior_incumbents", "intermediate_incumbents", "senior_waiting",
            "intermediate_waiting", "appointed_senior", "appointed_intermediate")))


@dataclass(frozen=True)
class _ExactShares:
    """Every unit's exact shares over one common denominator: the senior share of unit
    ``u`` is ``s_num[u] / den`` posts, likewise the senior+intermediate cap share (``sm``)
    and the intermediate share (``m``); Python integers where int64 could overflow."""

    den: int
    s_num: np.ndarray
    sm_num: np.ndarray
    m_num: np.ndarray

    @classmethod
    def of(cls, policy: Policy, types: Any, T: np.ndarray) -> _ExactShares:
        names, codes = _text_codes(types)
        share = {t: _shares(policy, t) for t in names}
        den = 1
        for s_share, sm_share, m_share in share.values():
            den = math.lcm(den, s_share.denominator, sm_share.denominator, m_share.denominator)
        big = den * int(np.abs(T).sum()) * 4 >= 2**62  # also every pool sum stays in int64
        dtype = object if big else np.int64
        nums = [np.array([int(share[t][k] * den) for t in names], dtype=dtype)[codes]
                * T.astype(dtype) for k in range(3)]
        return cls(den, *nums)


def _unit_violations(policy: Policy, p: _PlanArrays, uid: np.ndarray, types: np.ndarray,
                     shares: _ExactShares) -> list[Violation]:
    """The rules of single units, unit by unit in the plan's row order: posts, appointments,
    incumbents, minimums and (scope unit) the caps."""
    n = len(uid)
    ps, pm, pj, i_s, i_m, ys, ym = p.ps, p.pm, p.pj, p.i_s, p.i_m, p.ys, p.ym
    found: list[tuple[int, Violation]] = []  # (row position, violation) to keep row order

    def flag(mask: np.ndarray, rule: str, allowed: Any, actual: Any, fmt: str = "{}") -> None:
        """Record a violation for every row in ``mask`` (texts made only for those rows)."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        allowed = np.asarray(np.broadcast_to(np.asarray(allowed), (n,))[rows], dtype=object)
        actual = np.asarray(np.broadcast_to(np.asarray(actual), (n,))[rows], dtype=object)
        for k, i in enumerate(rows.tolist()):
            found.append((i, Violation(uid[i], rule, fmt.format(allowed[k]), str(actual[k]),
                                       _detail(rule))))

    negative = np.minimum(np.minimum(ps, pm), pj) < 0
    if negative.any():
        triple = np.full(n, "", dtype=object)
        triple[negative] = [f"{a}/{b}/{c}" for a, b, c in
                            zip(ps[negative], pm[negative], pj[negative], strict=True)]
        flag(negative, "non-negative posts", "≥ 0", triple)
    flag(ps + pm + pj != p.T, "total posts", p.T, ps + pm + pj)
    flag((ys < 0) | (ys > p.w_s), "senior appointments", p.w_s, ys, fmt="0..{}")
    flag((ym < 0) | (ym > p.w_m), "intermediate appointments", p.w_m, ym, fmt="0..{}")
    flag(i_s + ys > ps, "incumbents keep their posts (senior)", ps, i_s + ys)
    flag(i_s + i_m + ym > ps + pm, "incumbents keep their posts (senior+intermediate)",
         ps + pm, i_s + i_m + ym)
    need = _minimums(policy, types, p.T)
    for lvl, have in (("senior", ps), ("intermediate", pm), ("junior", pj)):
        flag((need[lvl] > 0) & (have < need[lvl]), f"minimum {lvl} posts", need[lvl], have,
             fmt="≥ {}")
    if policy.scope == Scope.UNIT:
        cap_s, cap_sm = _unit_caps(policy, p, shares, need)
        flag(ps > cap_s, "senior cap", cap_s, ps)
        flag(ps + pm > cap_sm, "senior+intermediate cap", cap_sm, ps + pm)
    found.sort(key=lambda item: item[0])
    return [v for _, v in found]


def _unit_caps(policy: Policy, p: _PlanArrays, shares: _ExactShares,
               need: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Scope unit: each unit's senior and senior+intermediate caps in force (rounded
    shares, 不足1个按1个, lifted by the minimum rules and, if grandfathered, the
    incumbents)."""
    den, rounding = shares.den, policy.rounding
    cap_s, cap_sm = _at_least_one(
        policy, shares.s_num > 0, shares.m_num > 0,
        _round_ratio(shares.s_num, den, rounding).astype(np.int64),
        _round_ratio(shares.sm_num, den, rounding).astype(np.int64))
    cap_s = np.maximum(cap_s, need["senior"])
    lift = np.where(need["intermediate"] > 0,
                    np.maximum(need["senior"], p.i_s) + need["intermediate"], need["senior"])
    cap_sm = np.maximum(cap_sm, lift)
    if policy.incumbents == Incumbents.GRANDFATHER:
        cap_s, cap_sm = np.maximum(cap_s, p.i_s), np.maximum(cap_sm, p.i_s + p.i_m)
    return cap_s, cap_sm


def _pool_cap_violations(policy: Policy, p: _PlanArrays, shares: _ExactShares,
                         pools: tuple[list[str], np.ndarray]) -> list[Violation]:
    """Scope pool: the pooled caps, pool by pool in name order."""
    names_p, pc = pools
    den = shares.den
    sums = {key: np.array(_pool_sums(pc, arr, len(names_p)), dtype=object) for key, arr in (
        ("s", shares.s_num), ("sm", shares.sm_num), ("m", shares.m_num), ("ps", p.ps),
        ("psm", p.ps + p.pm), ("is", p.i_s), ("ism", p.i_s + p.i_m))}
    # Python integers throughout: exact whatever the size; text only for broken pools
    caps_s, caps_sm = _at_least_one(
        policy, sums["s"] > 0, sums["m"] > 0, _round_ratio(sums["s"], den, policy.rounding),
        _round_ratio(sums["sm"], den, policy.rounding))
    if policy.incumbents == Incumbents.GRANDFATHER:
        caps_s = np.maximum(caps_s, sums["is"])
        caps_sm = np.maximum(caps_sm, sums["ism"])
    broken = (sums["ps"] > caps_s) | (sums["psm"] > caps_sm)
    out: list[Violation] = []
    for k in np.flatnonzero(broken.astype(bool)).tolist():
        pool, cap_s, cap_sm = names_p[k], int(caps_s[k]), int(caps_sm[k])
        if int(sums["ps"][k]) > cap_s:
            out.append(Violation(f"pool {pool}", "pooled senior cap", str(cap_s),
                                 str(int(sums["ps"][k])), _detail("pooled senior cap")))
        if int(sums["psm"][k]) > cap_sm:
            out.append(Violation(f"pool {pool}", "pooled senior+intermediate cap",
                                 str(cap_sm), str(int(sums["psm"][k])),
                                 _detail("pooled senior+intermediate cap")))
    return out


def _budget_violations(policy: Policy, p: _PlanArrays,
                       pools: tuple[list[str], np.ndarray] | None) -> list[Violation]:
    """The budget: each pool's own (pool by pool in name order), or one over all units."""
    b = policy.budget
    assert b is not None
    out: list[Violation] = []
    if b.per_pool:
        assert pools is not None
        names_b, pb = pools
        sum_s = _pool_sums(pb, p.ys, len(names_b))
        sum_m = _pool_sums(pb, p.ym, len(names_b))
        for k, pool in enumerate(names_b):
            # exact: Fractions of the policy's words, whole numbers of the plan
            cost = ((b.cost_senior - b.cost_intermediate) * int(sum_s[k])
                    + (b.cost_intermediate - b.cost_junior) * int(sum_m[k]))
            amount = b.pools.get(pool)
            if amount is None:
                if cost > 0:
                    out.append(Violation(f"pool {pool}", "pool budget", "0", str(cost),
                                         _detail("pool budget missing")))
            elif cost > amount:
                out.append(Violation(f"pool {pool}", "pool budget", str(amount), str(cost),
                                     _detail("pool budget")))
        return out
    cost = ((b.cost_senior - b.cost_intermediate) * int(p.ys.sum())
            + (b.cost_intermediate - b.cost_junior) * int(p.ym.sum()))
    if cost > b.max_increase:
        out.append(Violation("all units", "budget", str(b.max_increase), str(cost),
                             _detail("budget")))
    return out
