"""Independent feasibility checker.

Recomputes every cap, capacity, minimum and the budget from the policy and the units table,
one unit at a time with :class:`fractions.Fraction` — deliberately sharing no code with
``caps.py`` or ``model.py`` — and lists every rule a plan breaks. ``solve`` runs it on every
plan before returning it; ``audit`` runs it on plans made by hand.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from .scenario import Incumbents, Level, Policy, Rounding, Scope


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``actual`` is what the plan has, ``allowed`` what the rule permits."""

    unit: str  # unit_id, or "pool <name>", or "all units" for the budget
    rule: str
    allowed: str
    actual: str
    message: str

    def __str__(self) -> str:
        return f"{self.unit}: {self.rule}: {self.message} (allowed {self.allowed}, plan has {self.actual})"


def _round(value: Fraction, rounding: Rounding) -> int:
    if rounding == Rounding.FLOOR:
        return math.floor(value)
    if rounding == Rounding.CEIL:
        return math.ceil(value)
    return math.floor(value + Fraction(1, 2))


def _shares(policy: Policy, unit_type: str) -> tuple[Fraction, Fraction]:
    """(senior cap share, senior+intermediate cap share) straight from the policy's words."""
    tp = policy.types.get(unit_type)
    ratio = tp.ratio if tp is not None and tp.ratio is not None else policy.ratio
    total = ratio.senior + ratio.intermediate + ratio.junior
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    f = policy.junior_to_intermediate
    if tp is not None and tp.junior_to_intermediate is not None:
        f = tp.junior_to_intermediate
    senior = ratio.senior / total + bonus
    junior = ratio.junior / total - bonus
    return senior, senior + ratio.intermediate / total + f * junior


def _minimums(policy: Policy, unit_type: str, total: int) -> dict[str, int]:
    need = {lvl.value: 0 for lvl in Level}
    for rule in policy.minimum:
        if rule.type is not None and rule.type != unit_type:
            continue
        if total < rule.when_total_at_least:
            continue
        need[rule.level.value] = max(need[rule.level.value], min(rule.posts, total))
    return need


def _int(value, default: int = 0) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return int(value)


def check_plan(policy: Policy, plan: pd.DataFrame) -> list[Violation]:
    """Every rule of ``policy`` that ``plan`` breaks (an empty list means the plan complies).

    ``plan`` is a units table (canonical columns) plus ``posts_senior``,
    ``posts_intermediate``, ``posts_junior`` and optionally ``appointed_senior`` and
    ``appointed_intermediate`` (missing = nobody appointed).
    """
    out: list[Violation] = []
    pool_s: dict[str, Fraction] = defaultdict(Fraction)
    pool_sm: dict[str, Fraction] = defaultdict(Fraction)
    pool_ps: dict[str, int] = defaultdict(int)
    pool_psm: dict[str, int] = defaultdict(int)
    pool_is: dict[str, int] = defaultdict(int)
    pool_ism: dict[str, int] = defaultdict(int)
    cost = Fraction(0)
    has_appointed = "appointed_senior" in plan.columns
    for row in plan.to_dict("records"):
        uid = str(row["unit_id"])
        T = int(row["total_posts"])
        ps, pm, pj = (_int(row.get(c)) for c in
                      ("posts_senior", "posts_intermediate", "posts_junior"))
        i_s, i_m = int(row["senior_incumbents"]), int(row["intermediate_incumbents"])
        ys = _int(row.get("appointed_senior")) if has_appointed else 0
        ym = _int(row.get("appointed_intermediate")) if has_appointed else 0

        def bad(rule: str, allowed, actual, message: str, _uid: str = uid) -> None:
            out.append(Violation(_uid, rule, str(allowed), str(actual), message))

        if min(ps, pm, pj) < 0:
            bad("non-negative posts", "≥ 0", f"{ps}/{pm}/{pj}", "a post count is negative")
        if ps + pm + pj != T:
            bad("total posts", T, ps + pm + pj,
                "senior + intermediate + junior posts must equal total_posts")
        if not 0 <= ys <= int(row["senior_waiting"]):
            bad("senior appointments", f"0..{row['senior_waiting']}", ys,
                "more senior appointments than senior title-holders waiting")
        if not 0 <= ym <= int(row["intermediate_waiting"]):
            bad("intermediate appointments", f"0..{row['intermediate_waiting']}", ym,
                "more intermediate appointments than intermediate title-holders waiting")
        if i_s + ys > ps:
            bad("incumbents keep their posts (senior)", ps, i_s + ys,
                "senior incumbents plus senior appointments exceed the senior posts")
        if i_s + i_m + ym > ps + pm:
            bad("incumbents keep their posts (senior+intermediate)", ps + pm, i_s + i_m + ym,
                "senior and intermediate incumbents plus intermediate appointments exceed "
                "the senior+intermediate posts")
        need = _minimums(policy, str(row["type"]), T)
        for lvl, have in (("senior", ps), ("intermediate", pm), ("junior", pj)):
            if have < need[lvl]:
                bad(f"minimum {lvl} posts", f"≥ {need[lvl]}", have,
                    f"a minimum rule requires at least {need[lvl]} {lvl} post(s)")
        s_share, sm_share = _shares(policy, str(row["type"]))
        if policy.scope == Scope.UNIT:
            cap_s = _round(s_share * T, policy.rounding)
            cap_sm = _round(sm_share * T, policy.rounding)
            cap_s = max(cap_s, need["senior"])
            lift = (max(need["senior"], i_s) + need["intermediate"]
                    if need["intermediate"] > 0 else need["senior"])
            cap_sm = max(cap_sm, lift)
            if policy.incumbents == Incumbents.GRANDFATHER:
                cap_s, cap_sm = max(cap_s, i_s), max(cap_sm, i_s + i_m)
            if ps > cap_s:
                bad("senior cap", cap_s, ps, "more senior posts than the ratio allows")
            if ps + pm > cap_sm:
                bad("senior+intermediate cap", cap_sm, ps + pm,
                    "more senior+intermediate posts than the ratio allows")
        else:
            pool = str(row["pool"])
            pool_s[pool] += s_share * T
            pool_sm[pool] += sm_share * T
            pool_ps[pool] += ps
            pool_psm[pool] += ps + pm
            pool_is[pool] += i_s
            pool_ism[pool] += i_s + i_m
        if policy.budget is not None:
            b = policy.budget
            cost += (b.cost_senior - b.cost_intermediate) * ys
            cost += (b.cost_intermediate - b.cost_junior) * ym
    for pool in sorted(pool_s):
        cap_s = _round(pool_s[pool], policy.rounding)
        cap_sm = _round(pool_sm[pool], policy.rounding)
        if policy.incumbents == Incumbents.GRANDFATHER:
            cap_s, cap_sm = max(cap_s, pool_is[pool]), max(cap_sm, pool_ism[pool])
        if pool_ps[pool] > cap_s:
            out.append(Violation(f"pool {pool}", "pooled senior cap", str(cap_s),
                                 str(pool_ps[pool]),
                                 "the pool's units have more senior posts than its pooled cap"))
        if pool_psm[pool] > cap_sm:
            out.append(Violation(f"pool {pool}", "pooled senior+intermediate cap", str(cap_sm),
                                 str(pool_psm[pool]),
                                 "the pool's units have more senior+intermediate posts than "
                                 "its pooled cap"))
    if policy.budget is not None and cost > policy.budget.max_increase:
        out.append(Violation("all units", "budget", str(policy.budget.max_increase), str(cost),
                             "the appointments cost more than the budget's max_increase"))
    return out
