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
    uid = _as_text(plan["unit_id"])
    types = _as_text(plan["type"])
    T = _column(plan, "total_posts", n)
    ps, pm, pj = (_column(plan, c, n) for c in ("posts_senior", "posts_intermediate",
                                             "posts_junior"))
    i_s, i_m = _column(plan, "senior_incumbents", n), _column(plan, "intermediate_incumbents", n)
    w_s, w_m = _column(plan, "senior_waiting", n), _column(plan, "intermediate_waiting", n)
    ys, ym = _column(plan, "appointed_senior", n), _column(plan, "appointed_intermediate", n)
    need = _minimums(policy, types, T)

    # exact shares per type over one common denominator: unit share = num[u] / den
    names, codes = _text_codes(plan["type"])
    share = {t: _shares(policy, t) for t in names}
    den = 1
    for s_share, sm_share, m_share in share.values():
        den = math.lcm(den, s_share.denominator, sm_share.denominator, m_share.denominator)
    big = den * int(np.abs(T).sum()) * 4 >= 2**62  # also every pool sum stays in int64
    dtype = object if big else np.int64
    s_num = np.array([int(share[t][0] * den) for t in names], dtype=dtype)[codes] * T.astype(dtype)
    sm_num = (np.array([int(share[t][1] * den) for t in names], dtype=dtype)[codes]
              * T.astype(dtype))
    m_num = (np.array([int(share[t][2] * den) for t in names], dtype=dtype)[codes]
             * T.astype(dtype))

    found: list[tuple[int, Violation]] = []  # (row position, violation) to keep row order

    def flag(mask: np.ndarray, rule: str, allowed: Any, actual: Any, fmt: str = "{}") -> None:
        """Record a violation for every row in ``mask`` (texts made only for those rows)."""
        allowed = np.broadcast_to(np.asarray(allowed, dtype=object), (n,))
        actual = np.broadcast_to(np.asarray(actual, dtype=object), (n,))
        for i in np.flatnonzero(mask):
            found.append((int(i), Violation(uid[i], rule, fmt.format(allowed[i]),
                                            str(actual[i]), _detail(rule))))

    negative = np.minimum(np.minimum(ps, pm), pj) < 0
    if negative.any():
        triple = np.full(n, "", dtype=object)
        triple[negative] = [f"{a}/{b}/{c}" for a, b, c in
                            zip(ps[negative], pm[negative], pj[negative], strict=True)]
        flag(negative, "non-negative posts", "≥ 0", triple)
    flag(ps + pm + pj != T, "total posts", T, ps + pm + pj)
    flag((ys < 0) | (ys > w_s), "senior appointments", w_s, ys, fmt="0..{}")
    flag((ym < 0) | (ym > w_m), "intermediate appointments", w_m, ym, fmt="0..{}")
    flag(i_s + ys > ps, "incumbents keep their posts (senior)", ps, i_s + ys)
    flag(i_s + i_m + ym > ps + pm, "incumbents keep their posts (senior+intermediate)",
         ps + pm, i_s + i_m + ym)
    for lvl, have in (("senior", ps), ("intermediate", pm), ("junior", pj)):
        flag((need[lvl] > 0) & (have < need[lvl]), f"minimum {lvl} posts", need[lvl], have,
             fmt="≥ {}")
    if policy.scope == Scope.UNIT:
        cap_s, cap_sm = _at_least_one(
            policy, s_num > 0, m_num > 0,
            _round_ratio(s_num, den, policy.rounding).astype(np.int64),
            _round_ratio(sm_num, den, policy.rounding).astype(np.int64))
        cap_s = np.maximum(cap_s, need["senior"])
        lift = np.where(need["intermediate"] > 0,
                        np.maximum(need["senior"], i_s) + need["intermediate"], need["senior"])
        cap_sm = np.maximum(cap_sm, lift)
        if policy.incumbents == Incumbents.GRANDFATHER:
            cap_s, cap_sm = np.maximum(cap_s, i_s), np.maximum(cap_sm, i_s + i_m)
        flag(ps > cap_s, "senior cap", cap_s, ps)
        flag(ps + pm > cap_sm, "senior+intermediate cap", cap_sm, ps + pm)
    found.sort(key=lambda item: item[0])
    out = [v for _, v in found]
    if policy.scope == Scope.POOL:
        assert pools is not None
        names_p, pc = pools
        sums = {key: np.array(_pool_sums(pc, arr, len(names_p)), dtype=object) for key, arr in (
            ("s", s_num), ("sm", sm_num), ("m", m_num), ("ps", ps), ("psm", ps + pm),
            ("is", i_s), ("ism", i_s + i_m))}
        # Python integers throughout: exact whatever the size; text only for broken pools
        caps_s, caps_sm = _at_least_one(
            policy, sums["s"] > 0, sums["m"] > 0, _round_ratio(sums["s"], den, policy.rounding),
            _round_ratio(sums["sm"], den, policy.rounding))
        if policy.incumbents == Incumbents.GRANDFATHER:
            caps_s = np.maximum(caps_s, sums["is"])
            caps_sm = np.maximum(caps_sm, sums["ism"])
        broken = (sums["ps"] > caps_s) | (sums["psm"] > caps_sm)
        for k in np.flatnonzero(broken.astype(bool)).tolist():
            pool, cap_s, cap_sm = names_p[k], int(caps_s[k]), int(caps_sm[k])
            if int(sums["ps"][k]) > cap_s:
                out.append(Violation(f"pool {pool}", "pooled senior cap", str(cap_s),
                                     str(int(sums["ps"][k])), _detail("pooled senior cap")))
            if int(sums["psm"][k]) > cap_sm:
                out.append(Violation(f"pool {pool}", "pooled senior+intermediate cap",
                                     str(cap_sm), str(int(sums["psm"][k])),
                                     _detail("pooled senior+intermediate cap")))
    if policy.budget is not None and policy.budget.per_pool:
        b = policy.budget
        assert pools is not None
        names_b, pb = pools
        sum_s = _pool_sums(pb, ys, len(names_b))
        sum_m = _pool_sums(pb, ym, len(names_b))
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
    elif policy.budget is not None:
        b = policy.budget
        cost = ((b.cost_senior - b.cost_intermediate) * int(ys.sum())
                + (b.cost_intermediate - b.cost_junior) * int(ym.sum()))
        if cost > b.max_increase:
            out.append(Violation("all units", "budget", str(b.max_increase), str(cost),
                                 _detail("budget")))
    return out
