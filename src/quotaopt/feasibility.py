"""Feasibility conditions, checked before any solve: infeasibility in the policy's own words,
with the smallest change that fixes it.

``precheck`` / :func:`find_conflicts` (before any solve, exact)
    With the rules quotaopt has, a variant has a plan exactly when

    * every unit fits its own rules: ``max(max(min_s, I_s) + min_m, I_s + I_m) + min_j ≤ T``
      (incumbents keep their posts, minimum rules get theirs);
    * scope ``unit``, incumbents ``protect``: ``I_s ≤ C_s`` and ``I_s + I_m ≤ C_sm``;
    * scope ``pool``: per pool, ``Σ max(min_s, I_s) ≤ pooled C_s`` and
      ``Σ max(I_s + I_m, max(min_s, I_s) + min_m) ≤ pooled C_sm`` (with ``protect`` the
      incumbents alone are checked first);
    * the budget: the plan that appoints nobody costs 0, so ``max_increase ≥ 0`` suffices
      (when the costs do not fall with the level).

    (Each condition is necessary; together they are sufficient: the plan that gives every unit
    ``P_s = max(min_s, I_s)``, ``P_s + P_m = max(I_s + I_m, P_s + min_m)`` and appoints nobody
    meets every rule.) So every infeasible variant is named here, unit by unit and pool by
    pool, with the smallest change found exactly — with the scenario's rounding, by the same
    cap arithmetic (:mod:`quotaopt.caps`) the solver uses.

What these conditions cannot see is found after a solve by the elastic relaxation
(:mod:`quotaopt.relax`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import pandas as pd

from .caps import UnitLimits, compute_limits, round_fraction
from .messages import render
from .numfmt import exact, percent
from .policy import Incumbents, Level, MinimumRule, Policy, Rounding, Scope

# --------------------------------------------------------------------------------------------
# Exact numbers in words


#: Numbers in diagnoses are written by :mod:`quotaopt.numfmt` (exact, never rounded).
fmt_num = exact
fmt_pct = percent


def decimal_at_least(value: Fraction, strict: bool = False, digits: int = 4) -> str:
    """The smallest decimal with ``digits`` places that is ≥ ``value`` (> when ``strict``):
    a number a user can type into the scenario that is sure to suffice."""
    scaled = value * 10**digits
    k = math.floor(scaled) + 1 if strict else math.ceil(scaled)
    return fmt_num(Fraction(k, 10**digits))


def threshold(k: int, rounding: Rounding) -> tuple[Fraction, bool]:
    """Smallest exact ``x`` with ``round(x) ≥ k``: ``(bound, strict)`` meaning ``x ≥ bound``
    (``x > bound`` when strict). floor: ``x ≥ k``; nearest (halves up): ``x ≥ k − ½``;
    ceil: ``x > k − 1``."""
    if rounding is Rounding.FLOOR:
        return Fraction(k), False
    if rounding is Rounding.NEAREST:
        return Fraction(k) - Fraction(1, 2), False
    return Fraction(k - 1), True


def unit_label(units: pd.DataFrame, i: int) -> str:
    """``unit TX011 (石桥镇卫生院)``; the name only when it differs from the id."""
    uid = str(units["unit_id"].iat[i])
    name = str(units["name"].iat[i])
    return f"unit {uid} ({name})" if name and name != uid else f"unit {uid}"


def _list_units(units: pd.DataFrame, positions: Sequence[int], limit: int = 6) -> str:
    shown = [unit_label(units, int(i))[5:] for i in positions[:limit]]
    more = len(positions) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


# --------------------------------------------------------------------------------------------
# What the data needs, unit by unit (the feasibility conditions of the module docstring)


@dataclass(frozen=True)
class _Needs:
    T: np.ndarray
    inc_s: np.ndarray
    inc_sm: np.ndarray
    need_s: np.ndarray  # fewest senior posts: max(min_s, I_s)
    need_sm: np.ndarray  # fewest senior+intermediate posts: max(I_s + I_m, need_s + min_m)
    need_total: np.ndarray  # fewest posts in all: need_sm + min_j


def _needs(units: pd.DataFrame, lim: UnitLimits) -> _Needs:
    T = units["total_posts"].to_numpy(np.int64)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    need_s = np.maximum(lim.min_s, inc_s)
    need_sm = np.maximum(inc_sm, need_s + lim.min_m)
    return _Needs(T, inc_s, inc_sm, need_s, need_sm, need_sm + lim.min_j)


def _unit_ok(policy: Policy, nd: _Needs, lim: UnitLimits) -> np.ndarray:
    """Per unit: its own rules can all be met (scope ``unit``: including its caps)."""
    ok = nd.need_total <= nd.T
    if policy.scope is Scope.UNIT and policy.incumbents is Incumbents.PROTECT:
        ok &= (nd.inc_s <= lim.cap_s) & (nd.inc_sm <= lim.cap_sm)
    return ok


def _pool_needs(nd: _Needs, lim: UnitLimits) -> tuple[np.ndarray, np.ndarray]:
    k = len(lim.pool_names)
    codes = lim.pool_codes
    ps = np.bincount(codes, weights=nd.need_s, minlength=k).astype(np.int64)
    psm = np.bincount(codes, weights=nd.need_sm, minlength=k).astype(np.int64)
    return ps, psm


def _pool_ok(nd: _Needs, lim: UnitLimits) -> np.ndarray:
    """Per pool: the pooled caps hold the senior and senior+intermediate posts it needs."""
    ps, psm = _pool_needs(nd, lim)
    k = len(lim.pool_names)
    units_ok = np.bincount(lim.pool_codes, weights=nd.need_total > nd.T, minlength=k) == 0
    return (ps <= lim.pool_cap_s) & (psm <= lim.pool_cap_sm) & units_ok


# --------------------------------------------------------------------------------------------
# Smallest changes, searched exactly with the solver's own cap arithmetic (caps.py)


#: Most candidate values one search tries: a fix needing a larger change is not suggested
#: (a minimum rule of 10^9 junior posts grows with the unit: a search to 10^9 never ended).
SEARCH_LIMIT = 2**14


def search(ok_at: Callable[[np.ndarray], np.ndarray], start: int, stop: int) -> int | None:
    """Smallest ``k`` in ``[start, stop]`` with ``ok_at`` true, trying growing chunks; None
    when there is none or it lies beyond the first :data:`SEARCH_LIMIT` values."""
    chunk = 32
    k = start
    stop = min(stop, start + SEARCH_LIMIT - 1)
    while k <= stop:
        cand = np.arange(k, min(stop, k + chunk - 1) + 1, dtype=np.int64)
        ok = ok_at(cand)
        if ok.any():
            return int(cand[int(np.argmax(ok))])
        k = int(cand[-1]) + 1
        chunk = min(chunk * 2, 4096)
    return None


def _level_rules(policy: Policy, unit_type: str, level: Level) -> list[MinimumRule]:
    return [r for r in policy.minimum
            if r.level is level and (r.type is None or r.type == unit_type)]


def smallest_total(policy: Policy, units: pd.DataFrame, i: int) -> int | None:
    """The smallest ``total_posts`` (≥ the unit's own) at which unit ``i``'s own rules all hold:
    its caps cover its incumbents (scope ``unit``, ``protect``) and its minimum rules fit
    beside the incumbents. Exact: evaluated with :func:`quotaopt.caps.compute_limits`."""
    row = units.iloc[[i]]
    T = int(row["total_posts"].iat[0])
    sh = policy.shares_for(str(row["type"].iat[0]))
    inc_s = int(row["senior_incumbents"].iat[0])
    inc_sm = inc_s + int(row["intermediate_incumbents"].iat[0])
    t = str(row["type"].iat[0])
    most = {lvl: max([r.posts for r in _level_rules(policy, t, lvl)], default=0) for lvl in Level}
    # At this size every condition surely holds: floor(σ·T) ≥ incumbents, minimums all fit.
    stop = max(
        T,
        # a share of 0 (ratio part 0) never rises: the search stops at T and finds nothing
        math.ceil(inc_s / sh.senior) if inc_s and sh.senior else 0,
        (math.ceil(inc_sm / sh.senior_intermediate_cap_share)
         if inc_sm and sh.senior_intermediate_cap_share else 0),
        max(max(most[Level.SENIOR], inc_s) + most[Level.INTERMEDIATE], inc_sm)
        + most[Level.JUNIOR],
    )

    def ok_at(totals: np.ndarray) -> np.ndarray:
        df = row.loc[row.index.repeat(len(totals))].reset_index(drop=True)
        df["total_posts"] = totals
        df["pool"] = "what-if"
        lim = compute_limits(policy, df)
        return _unit_ok(policy, _needs(df, lim), lim)

    return search(ok_at, T, stop)


def _smallest_pool_addition(policy: Policy, units: pd.DataFrame, members: np.ndarray,
                            at: int) -> int | None:
    """Fewest posts to add to unit ``at`` (a member of the pool) so that the pool fits.

    Only unit ``at`` changes, so the other members' exact shares and needs are summed once
    and each candidate size of ``at`` is evaluated with the caps arithmetic of ``caps.py``.
    """
    sub = units.iloc[members].reset_index(drop=True)
    pos = int(np.flatnonzero(members == at)[0])
    lim0 = compute_limits(policy, sub)
    nd0 = _needs(sub, lim0)
    if np.delete(nd0.need_total > nd0.T, pos).any():
        return None  # another unit does not fit its own posts: adding here cannot help
    others = np.arange(len(sub)) != pos
    share_s = Fraction(int(lim0.qa_num[others].sum()), lim0.den)
    share_sm = Fraction(int(lim0.qc_num[others].sum()), lim0.den)
    need_s = int(nd0.need_s[others].sum())
    need_sm = int(nd0.need_sm[others].sum())
    floor_s = floor_sm = 0
    if policy.incumbents is Incumbents.GRANDFATHER:  # pooled caps never below incumbents
        floor_s, floor_sm = int(nd0.inc_s.sum()), int(nd0.inc_sm.sum())
    row = sub.iloc[[pos]]
    base_T = int(row["total_posts"].iat[0])
    sh = policy.shares_for(str(row["type"].iat[0]))
    extra = sum(r.posts for r in policy.minimum)
    stop = max(1, math.ceil((need_s + int(nd0.need_s[pos]) + extra + 1) / sh.senior)
               if sh.senior else 1,
               math.ceil((need_sm + int(nd0.need_sm[pos]) + extra + 1)
                         / sh.senior_intermediate_cap_share)
               if sh.senior_intermediate_cap_share else 1)

    def ok_at(adds: np.ndarray) -> np.ndarray:
        df = row.loc[row.index.repeat(len(adds))].reset_index(drop=True)
        df["total_posts"] = base_T + adds
        lim = compute_limits(replace(policy, scope=Scope.UNIT), df)
        nd = _needs(df, lim)
        cap_s = [max(round_fraction(share_s + Fraction(int(q), lim.den), policy.rounding),
                     floor_s) for q in lim.qa_num.tolist()]
        cap_sm = [max(round_fraction(share_sm + Fraction(int(q), lim.den), policy.rounding),
                      floor_sm) for q in lim.qc_num.tolist()]
        return ((need_s + nd.need_s <= np.array(cap_s))
                & (need_sm + nd.need_sm <= np.array(cap_sm)) & (nd.need_total <= nd.T))

    return search(ok_at, 1, stop)


def _largest_minimum_that_fits(policy: Policy, rule_no: int, ok: Callable[[Policy], bool],
                               largest_total: int | None = None) -> int | None:
    """Largest ``posts`` for minimum rule ``rule_no`` (0-based) below its current value at
    which ``ok(policy)`` holds; ``None`` if even 0 does not.

    A rule asks for ``min(posts, T)``: values at or above ``largest_total`` (the largest
    ``T`` concerned) change nothing, so the search starts below it (a rule of 10^9 posts
    took 1,000 futile tries per unit)."""
    rule = policy.minimum[rule_no]
    top = rule.posts if largest_total is None else min(rule.posts, largest_total)
    for n in range(top - 1, -1, -1):
        rules = list(policy.minimum)
        rules[rule_no] = replace(rule, posts=n)
        if ok(replace(policy, minimum=tuple(rules))):
            return n
        if rule.posts - n > 1000:  # pragma: no cover - implausible rules
            return None
    return None


# --------------------------------------------------------------------------------------------
# Conflicts found before solving

#: Units for which the smallest total_posts is searched (each search costs a few ms).
DETAILED = 50


@dataclass(frozen=True)
class Conflict:
    """One collision between a rule and the data, with the smallest changes that resolve it.

    ``needed`` is what the data needs (posts, or money for the budget), ``allowed`` what the
    rule allows. ``fixes`` are alternatives, each enough on its own for this conflict.
    """

    rule: str  # "senior cap", "senior+intermediate cap", "pooled senior cap", …, "budget"
    where: str  # "unit X (name)", "pool East" or "all units"
    unit_ids: tuple[str, ...]
    needed: Fraction
    allowed: Fraction
    text: str
    fixes: tuple[str, ...] = ()

    def __str__(self) -> str:
        if not self.fixes:
            return self.text
        return f"{self.text}: {', or '.join(self.fixes)}"


def share_product(policy: Policy, unit_type: str, T: int, which: str) -> str:
    """``20 × (10 % + 5 %) = 3``: a unit's share of ``which`` (see :func:`share_terms`),
    times its posts, exactly."""
    terms = share_terms(policy, unit_type, which)
    parts = " + ".join(t for t, _ in terms)
    if len(terms) > 1:
        parts = f"({parts})"
    return f"{T} × {parts} = {fmt_num(sum((v for _, v in terms), Fraction(0)) * T)}"


def cap_words(policy: Policy, unit_type: str, T: int, which: str) -> str:
    """``20 × (10 % + 5 %) = 3 → floor 3`` for a unit's senior or senior+intermediate cap."""
    share = sum((v for _, v in share_terms(policy, unit_type, which)), Fraction(0))
    return (f"{share_product(policy, unit_type, T, which)} → {policy.rounding.value} "
            f"{round_fraction(share * T, policy.rounding)}")


def share_terms(policy: Policy, unit_type: str, which: str) -> list[tuple[str, Fraction]]:
    """The terms of a cap share in the policy's words: ``[("10 %", 1/10), ("5 %", 1/20)]``.

    ``which`` is ``"senior"`` (``σ_s = r_s + bonus``), ``"senior+intermediate"``
    (``σ_s + σ_m + f·σ_j``) or ``"senior+intermediate share"`` (``σ_s + σ_m``, the
    proportional target of stage 2).
    """
    sh = policy.shares_for(unit_type)
    tp = policy.types.get(unit_type)
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    terms = [(fmt_pct(sh.senior - bonus), sh.senior - bonus)]
    if bonus:
        terms.append((fmt_pct(bonus), bonus))
    if which == "senior":
        return terms
    terms.append((fmt_pct(sh.intermediate), sh.intermediate))
    if which == "senior+intermediate" and sh.junior_to_intermediate:
        f = sh.junior_to_intermediate
        terms.append((f"{fmt_num(f)} × {fmt_pct(sh.junior)}", f * sh.junior))
    return terms


def pool_cap_words(policy: Policy, lim: UnitLimits, p: int, which: str) -> str:
    """``Σ posts × share over 32 units = 100.6 → floor 100`` for pool ``p``'s pooled cap
    (before incumbents are grandfathered)."""
    members = lim.pool_codes == p
    num = np.asarray(lim.qa_num if which == "senior" else lim.qc_num, dtype=object)[members]
    total = Fraction(int(num.sum()), lim.den)
    base = (lim.pool_base_cap_s if which == "senior" else lim.pool_base_cap_sm)[p]
    return (f"Σ posts × share over {int(members.sum())} units = {fmt_num(total)} → "
            f"{policy.rounding.value} {base}")


def ratio_words(policy: Policy, types: Sequence[str]) -> str:
    """``ratio 1:4:5`` — the ratio in force for units of ``types``: a type's own ratio
    (``policy.types.<type>.ratio``, then named) where it has one, else ``policy.ratio``."""
    names = sorted(set(map(str, types)))
    own = [t for t in names if t in policy.types and policy.types[t].ratio is not None]
    ratios = sorted({str(policy.types[t].ratio) if t in own else str(policy.ratio)
                     for t in names} or {str(policy.ratio)})
    if len(ratios) > 1:
        return "ratios " + " and ".join(ratios)
    if len(own) == 1 and names == own:
        return f"ratio {ratios[0]} (policy.types.{own[0]}.ratio)"
    return f"ratio {ratios[0]}"


def _minimum_refs(policy: Policy, unit_type: str, T: int, levels: Sequence[Level]) -> str:
    """``policy.minimum[2]``, … : the minimum rules of ``levels`` that apply to a unit."""
    refs = [f"policy.minimum[{k + 1}]" for k, r in enumerate(policy.minimum)
            if r.level in levels and r.posts > 0 and r.applies(unit_type, T)]
    return ", ".join(refs) or "the minimum rules"


def _junior_to_intermediate_fix(policy: Policy, unit_type: str | None, T_parts: list[
        tuple[Fraction, Fraction]], need: int) -> str | None:
    """Smallest ``junior_to_intermediate`` f with ``R(Σ (a + f·j)) ≥ need`` over ``T_parts``
    = [(σ_s + σ_m)·T, σ_j·T]; ``None`` when even 1.0 is not enough."""
    fixed = sum((a for a, _ in T_parts), Fraction(0))
    junior = sum((j for _, j in T_parts), Fraction(0))
    if junior == 0:
        return None
    bound, strict = threshold(need, policy.rounding)
    f = (bound - fixed) / junior
    if f > 1 or (strict and f >= 1):
        return None
    f = max(f, Fraction(0))
    key = (f"policy.types.{unit_type}.junior_to_intermediate"
           if unit_type is not None and unit_type in policy.types
           and policy.types[unit_type].junior_to_intermediate is not None
           else "policy.junior_to_intermediate")
    return f"raise {key} to {decimal_at_least(f, strict)}"


def find_conflicts(policy: Policy, units: pd.DataFrame, lim: UnitLimits) -> list[Conflict]:
    """Every collision of rules and data that makes the variant infeasible (see the module
    docstring: the list is empty exactly when a plan exists, unless a budget's costs fall
    with the level)."""
    out: list[Conflict] = []
    nd = _needs(units, lim)
    protect = policy.incumbents is Incumbents.PROTECT
    ids = units["unit_id"].astype(str).to_numpy()
    total_fix: dict[int, int | None] = {}

    def raise_total(i: int) -> str | None:
        if i not in total_fix:
            searched = len(total_fix) < DETAILED
            total_fix[i] = smallest_total(policy, units, i) if searched else None
        t = total_fix[i]
        return None if t is None else f"raise its total_posts to {t}"

    # 1. a unit whose minimum rules do not fit beside its incumbents
    for i in np.flatnonzero(nd.need_total > nd.T).tolist():
        T = int(nd.T[i])
        i_m = int(nd.inc_sm[i] - nd.inc_s[i])
        text = (
            f"{unit_label(units, i)}: minimum rules need {lim.min_s[i]} senior + "
            f"{lim.min_m[i]} intermediate + {lim.min_j[i]} junior posts and incumbents hold "
            f"{nd.inc_s[i]} senior + {i_m} intermediate posts: together at least "
            f"{nd.need_total[i]} posts, but it has {T}"
        )
        fixes = [f for f in [raise_total(i)] if f]
        if len(total_fix) <= DETAILED:
            fixes += _minimum_fixes(policy, units, lim, i)
        out.append(Conflict("minimum rules", unit_label(units, i), (ids[i],),
                            Fraction(int(nd.need_total[i])), Fraction(T), text, tuple(fixes)))

    # 2. scope unit: incumbents above the unit's own caps
    if policy.scope is Scope.UNIT and protect:
        for which, inc, cap, base, levels, policy_fix in (
            ("senior", nd.inc_s, lim.cap_s, lim.base_cap_s, (Level.SENIOR,), _bonus_fix),
            ("senior+intermediate", nd.inc_sm, lim.cap_sm, lim.base_cap_sm,
             (Level.SENIOR, Level.INTERMEDIATE), _transfer_fix),
        ):
            for i in np.flatnonzero(inc > cap).tolist():
                t = str(units["type"].iat[i])
                T = int(nd.T[i])
                words = cap_words(policy, t, T, which)
                if cap[i] > base[i]:  # a minimum rule lifted the cap (see caps.py)
                    words += (f", raised to {cap[i]} by the minimum rules "
                              f"({_minimum_refs(policy, t, T, levels)})")
                text = (f"{unit_label(units, i)} has {inc[i]} {which} incumbents but the "
                        f"{ratio_words(policy, [t])} {which} cap allows {cap[i]} of its {T} "
                        f"posts ({words})")
                options = ['set incumbents = "grandfather"', raise_total(i),
                           policy_fix(policy, t, T, int(inc[i]))]
                out.append(Conflict(f"{which} cap", unit_label(units, i), (ids[i],),
                                    Fraction(int(inc[i])), Fraction(int(cap[i])), text,
                                    tuple(f for f in options if f)))

    # 3. scope pool: the pooled caps against incumbents and minimum rules
    if policy.scope is Scope.POOL:
        out += _pool_conflicts(policy, units, lim, nd)

    # 4. the budget
    if policy.budget is not None:
        b = policy.budget
        c_s, c_m = b.appointment_costs
        cheapest = (min(c_s, Fraction(0)) * int(units["senior_waiting"].sum())
                    + min(c_m, Fraction(0)) * int(units["intermediate_waiting"].sum()))
        if b.max_increase < cheapest:
            what = ("a plan that appoints nobody costs 0" if cheapest == 0 else
                    f"even the cheapest plan costs {fmt_num(cheapest)}")
            out.append(Conflict(
                "budget", "all units", (), cheapest, b.max_increase,
                f"budget: max_increase is {fmt_num(b.max_increase)}, below what any plan costs "
                f"({what})",
                (f"raise budget.max_increase to {fmt_num(cheapest)} or more",)))
    return out


def _minimum_fixes(policy: Policy, units: pd.DataFrame, lim: UnitLimits, i: int) -> list[str]:
    """For each minimum rule that sets unit ``i``'s minimum: the largest ``posts`` that fits,
    and the ``when_total_at_least`` that exempts the unit, when that is enough."""
    T = int(units["total_posts"].iat[i])
    t = str(units["type"].iat[i])
    row_ok = _unit_fit_checker(units, i)
    fixes = []
    for k, rule in enumerate(policy.minimum):
        have = {Level.SENIOR: lim.min_s, Level.INTERMEDIATE: lim.min_m,
                Level.JUNIOR: lim.min_j}[rule.level][i]
        if (not rule.applies(t, T) or have <= 0
                or min(rule.posts, T) != have):
            continue
        n = _largest_minimum_that_fits(policy, k, row_ok, T)
        if n is not None:
            fixes.append(f"lower the {rule.level} minimum (policy.minimum[{k + 1}]) to {n} "
                         "post(s)")
        exempt = replace(policy, minimum=tuple(
            replace(r, when_total_at_least=T + 1) if j == k else r
            for j, r in enumerate(policy.minimum)))
        if row_ok(exempt):
            fixes.append(f"set policy.minimum[{k + 1}].when_total_at_least to {T + 1}")
    return fixes


def _bonus_fix(policy: Policy, unit_type: str, T: int, need: int) -> str | None:
    """The smallest senior_bonus of the type at which the senior cap of ``T`` posts covers
    ``need``; ``None`` when the bonus would exceed the junior share it is taken from."""
    if T == 0:
        return None
    sh = policy.shares_for(unit_type)
    tp = policy.types.get(unit_type)
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    bound, strict = threshold(need, policy.rounding)
    b = bound / T - (sh.senior - bonus)
    junior = sh.junior + bonus
    if b > junior or (strict and b >= junior):
        return None
    return f"raise policy.types.{unit_type}.senior_bonus to {decimal_at_least(b, strict)}"


def _transfer_fix(policy: Policy, unit_type: str, T: int, need: int) -> str | None:
    sh = policy.shares_for(unit_type)
    return _junior_to_intermediate_fix(
        policy, unit_type, [((sh.senior + sh.intermediate) * T, sh.junior * T)], need)


def _unit_fit_checker(units: pd.DataFrame, i: int) -> Callable[[Policy], bool]:
    row = units.iloc[[i]].reset_index(drop=True)

    def ok(policy: Policy) -> bool:
        lim = compute_limits(policy, row)
        nd = _needs(row, lim)
        return bool((nd.need_total <= nd.T).all())

    return ok


def _pool_conflicts(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                    nd: _Needs) -> list[Conflict]:
    out: list[Conflict] = []
    protect = policy.incumbents is Incumbents.PROTECT
    k = len(lim.pool_names)
    codes = lim.pool_codes
    pool_need_s, pool_need_sm = _pool_needs(nd, lim)
    pool_inc_s = np.bincount(codes, weights=nd.inc_s, minlength=k).astype(np.int64)
    pool_inc_sm = np.bincount(codes, weights=nd.inc_sm, minlength=k).astype(np.int64)
    ids = units["unit_id"].astype(str).to_numpy()
    over = (pool_need_s > lim.pool_cap_s) | (pool_need_sm > lim.pool_cap_sm)
    for p in np.flatnonzero(over).tolist():  # only pools in conflict (there may be 10⁵ pools)
        name = lim.pool_names[p]
        members = np.flatnonzero(codes == p)
        member_ids = tuple(ids[members].tolist())
        where = f"pool {name}"
        for which, need, inc, cap in (
            ("senior", pool_need_s[p], pool_inc_s[p], lim.pool_cap_s[p]),
            ("senior+intermediate", pool_need_sm[p], pool_inc_sm[p], lim.pool_cap_sm[p]),
        ):
            if need <= cap:
                continue
            words = pool_cap_words(policy, lim, p, which)
            base = (lim.pool_base_cap_s if which == "senior" else lim.pool_base_cap_sm)[p]
            if cap > base:
                words += f", raised to {cap} for the grandfathered incumbents"
            member_types = units["type"].astype(str).to_numpy()[members].tolist()
            ratio = ratio_words(policy, member_types)
            if protect and inc > cap and need == inc:
                # the incumbents alone are over the cap: grandfathering them is enough
                text = (f"{where}: its units have {inc} {which} incumbents but the pooled "
                        f"{ratio} {which} cap is {cap} ({words})")
                fixes = ['set incumbents = "grandfather"']
            else:
                # minimum rules need more than the incumbents hold: grandfathering (a cap of
                # the incumbents) cannot be enough, the minimum rules must give way
                need_u, inc_u = ((nd.need_s, nd.inc_s) if which == "senior"
                                 else (nd.need_sm, nd.inc_sm))
                lifted = members[need_u[members] > inc_u[members]]
                text = (f"{where}: minimum rules and incumbents need {need} {which} posts "
                        f"({inc} held by incumbents, {need - inc} more for the minimum rules at "
                        f"{_list_units(units, lifted.tolist())}), the pooled {ratio} {which} "
                        f"cap is {cap} ({words})")
                fixes = []
                levels = [Level.SENIOR] if which == "senior" else [Level.SENIOR,
                                                                   Level.INTERMEDIATE]
                fits = _pool_fit_checker(units, members)
                largest = int(nd.T[members].max()) if len(members) else 0
                grandfathered = replace(policy, incumbents=Incumbents.GRANDFATHER)
                for rule_no, rule in enumerate(policy.minimum):
                    if rule.level not in levels or rule.posts == 0:
                        continue
                    n = _largest_minimum_that_fits(policy, rule_no, fits, largest)
                    if n is not None:
                        fixes.append(f"lower the {rule.level} minimum "
                                     f"(policy.minimum[{rule_no + 1}]) to {n} post(s)")
                    elif protect and inc > cap:
                        n = _largest_minimum_that_fits(grandfathered, rule_no, fits, largest)
                        if n is not None:
                            fixes.append(f'set incumbents = "grandfather" and lower the '
                                         f"{rule.level} minimum (policy.minimum[{rule_no + 1}]) "
                                         f"to {n} post(s)")
                if _unit_scope_fits(policy, units, members):
                    fixes.append('use scope = "unit" (there a minimum lifts the unit\'s own '
                                 "cap)")
            # add posts where they raise the pooled cap fastest
            share = np.array([
                (policy.shares_for(str(units["type"].iat[i])).senior if which == "senior"
                 else policy.shares_for(str(units["type"].iat[i]))
                 .senior_intermediate_cap_share) for i in members.tolist()], dtype=object)
            best = members[int(np.argmax(share))] if len(members) else None
            if best is not None:
                add = _smallest_pool_addition(policy, units, members, int(best))
                if add is not None:
                    fixes.append(f"add {add} post(s) to {unit_label(units, int(best))}, whose "
                                 f"{which} share is the pool's largest")
            if which == "senior+intermediate":
                parts = []
                for i in members.tolist():
                    sh = policy.shares_for(str(units["type"].iat[i]))
                    T = int(units["total_posts"].iat[i])
                    parts.append(((sh.senior + sh.intermediate) * T, sh.junior * T))
                if not any(t.junior_to_intermediate is not None for t in policy.types.values()):
                    jfix = _junior_to_intermediate_fix(policy, None, parts, int(need))
                    if jfix:
                        fixes.append(jfix)
            out.append(Conflict(f"pooled {which} cap", where, member_ids, Fraction(int(need)),
                                Fraction(int(cap)), text, tuple(fixes)))
    return out


def _unit_scope_fits(policy: Policy, units: pd.DataFrame, members: np.ndarray) -> bool:
    """Whether the pool's units would all fit their own rules with scope ``unit``."""
    sub = units.iloc[members].reset_index(drop=True)
    unit_policy = replace(policy, scope=Scope.UNIT)
    lim = compute_limits(unit_policy, sub)
    return bool(_unit_ok(unit_policy, _needs(sub, lim), lim).all())


def _pool_fit_checker(units: pd.DataFrame, members: np.ndarray) -> Callable[[Policy], bool]:
    sub = units.iloc[members].reset_index(drop=True)

    def ok(policy: Policy) -> bool:
        lim = compute_limits(policy, sub)
        return bool(_pool_ok(_needs(sub, lim), lim).all())

    return ok


#: Most reasons a message lists; the rest are counted in one closing line.
MAX_REASONS = 50


def cap_reasons(conflicts: Sequence[Conflict], limit: int = MAX_REASONS) -> list[str]:
    """The conflicts as message lines: the first ``limit``, then one line counting the rest
    by rule (all of them: ``quotaopt.diagnose(scenario, variant).conflicts``)."""
    lines = [str(c) for c in conflicts[:limit]]
    rest = conflicts[limit:]
    if rest:
        by_rule: dict[str, int] = {}
        for c in rest:
            by_rule[c.rule] = by_rule.get(c.rule, 0) + 1
        lines.append(render("more_conflicts", {"count": len(rest),
                                               "kinds": tuple(by_rule.items()),
                                               "total": len(conflicts)}))
    return lines


def precheck(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
             limit: int = MAX_REASONS) -> list[str]:
    """Reasons why no plan can exist, each with the numbers and the smallest changes — at
    most ``limit`` of them, then a line counting the rest (:func:`cap_reasons`); every one
    is in :func:`find_conflicts` / :func:`diagnose`."""
    return cap_reasons(find_conflicts(policy, units, lim), limit)
