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
from .messages import Message, render, share_sum
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


def unit_label(units: pd.DataFrame, i: int, bare: bool = False) -> Message:
    """``unit TX011 (石桥镇卫生院)`` (``bare``: without ``unit``); the name only when it
    differs from the id."""
    return Message.of("unit_place", unit_id=str(units["unit_id"].iat[i]),
                      name=str(units["name"].iat[i]), bare=bare)


def _list_units(units: pd.DataFrame, positions: Sequence[int], limit: int = 6) -> Message:
    return Message.of("units_list",
                      units=tuple(unit_label(units, int(i), bare=True) for i in positions[:limit]),
                      more=len(positions) - limit)


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

    ``rule`` names the rule (a code: ``"senior cap"``, ``"pooled senior cap"``,
    ``"minimum rules"``, ``"budget"`` …; :func:`quotaopt.messages.rule_name` writes it).
    ``needed`` is what the data needs (posts, or money for the budget), ``allowed`` what the
    rule allows. ``place``, ``message`` and ``fixes`` are sentences as data
    (:class:`~quotaopt.messages.Message`: a code and its parameters); ``where``, ``text`` and
    ``str()`` write them in the language in use. The fixes are alternatives, each enough on
    its own for this conflict.
    """

    rule: str
    place: Message  # unit X (name), pool East, all units
    unit_ids: tuple[str, ...]
    needed: Fraction
    allowed: Fraction
    message: Message
    fixes: tuple[Message, ...] = ()

    @property
    def where(self) -> str:
        return str(self.place)

    @property
    def text(self) -> str:
        """The conflict, without its fixes."""
        return str(self.message)

    def __str__(self) -> str:
        return render("conflict", {"text": self.message, "fixes": self.fixes})


def cap_arithmetic(policy: Policy, unit_type: str, T: int, which: str) -> Message:
    """``20 × (10 % + 5 %) = 3 → floor 3`` for a unit's senior or senior+intermediate cap."""
    terms = share_terms(policy, unit_type, which)
    return Message.of("cap_arithmetic", posts=T, terms=tuple(terms),
                      rounding=policy.rounding.value,
                      cap=round_fraction(share_sum(terms) * T, policy.rounding))


def share_terms(policy: Policy, unit_type: str,
                which: str) -> list[tuple[Fraction | None, Fraction]]:
    """The terms of a cap share as the policy states them, each ``(factor, share)`` counting
    ``factor × share`` (``None``: the share itself): ``[(None, 1/10), (None, 1/20)]``.

    ``which`` is ``"senior"`` (``σ_s = r_s + bonus``), ``"senior+intermediate"``
    (``σ_s + σ_m + f·σ_j``) or ``"senior+intermediate share"`` (``σ_s + σ_m``, the
    proportional target of stage 2).
    """
    sh = policy.shares_for(unit_type)
    tp = policy.types.get(unit_type)
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    terms: list[tuple[Fraction | None, Fraction]] = [(None, sh.senior - bonus)]
    if bonus:
        terms.append((None, bonus))
    if which == "senior":
        return terms
    terms.append((None, sh.intermediate))
    if which == "senior+intermediate" and sh.junior_to_intermediate:
        terms.append((Fraction(sh.junior_to_intermediate), sh.junior))
    return terms


def pool_cap_arithmetic(policy: Policy, lim: UnitLimits, p: int, which: str) -> Message:
    """``Σ posts × share over 32 units = 100.6 → floor 100`` for pool ``p``'s pooled cap
    (before incumbents are grandfathered)."""
    members = lim.pool_codes == p
    num = np.asarray(lim.qa_num if which == "senior" else lim.qc_num, dtype=object)[members]
    total = Fraction(int(num.sum()), lim.den)
    base = (lim.pool_base_cap_s if which == "senior" else lim.pool_base_cap_sm)[p]
    return Message.of("pool_cap_arithmetic", units=int(members.sum()), total=total,
                      rounding=policy.rounding.value, cap=int(base))


def ratio_words(policy: Policy, types: Sequence[str]) -> Message:
    """``ratio 1:4:5`` — the ratio in force for units of ``types``: a type's own ratio
    (``policy.types.<type>.ratio``, then named) where it has one, else ``policy.ratio``."""
    names = sorted(set(map(str, types)))
    own = [t for t in names if t in policy.types and policy.types[t].ratio is not None]
    ratios = sorted({str(policy.types[t].ratio) if t in own else str(policy.ratio)
                     for t in names} or {str(policy.ratio)})
    return Message.of("ratio_words", ratios=tuple(ratios),
                      own_type=own[0] if len(ratios) == 1 and len(own) == 1 and names == own
                      else None)


def _minimum_refs(policy: Policy, unit_type: str, T: int,
                  levels: Sequence[Level]) -> tuple[int, ...]:
    """The numbers ``k`` of ``policy.minimum[k]`` of ``levels`` that apply to a unit."""
    return tuple(k + 1 for k, r in enumerate(policy.minimum)
                 if r.level in levels and r.posts > 0 and r.applies(unit_type, T))


def _junior_to_intermediate_fix(policy: Policy, unit_type: str | None, T_parts: list[
        tuple[Fraction, Fraction]], need: int) -> Message | None:
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
    return Message.of("fix_raise_key", key=key, value=decimal_at_least(f, strict))


def find_conflicts(policy: Policy, units: pd.DataFrame, lim: UnitLimits) -> list[Conflict]:
    """Every collision of rules and data that makes the variant infeasible (see the module
    docstring: the list is empty exactly when a plan exists, unless a budget's costs fall
    with the level)."""
    out: list[Conflict] = []
    nd = _needs(units, lim)
    protect = policy.incumbents is Incumbents.PROTECT
    ids = units["unit_id"].astype(str).to_numpy()
    total_fix: dict[int, int | None] = {}

    def raise_total(i: int) -> Message | None:
        if i not in total_fix:
            searched = len(total_fix) < DETAILED
            total_fix[i] = smallest_total(policy, units, i) if searched else None
        t = total_fix[i]
        return None if t is None else Message.of("fix_total", posts=t)

    # 1. a unit whose minimum rules do not fit beside its incumbents
    for i in np.flatnonzero(nd.need_total > nd.T).tolist():
        T = int(nd.T[i])
        i_m = int(nd.inc_sm[i] - nd.inc_s[i])
        text = Message.of(
            "conflict_minimum_rules", where=unit_label(units, i),
            minimum=(int(lim.min_s[i]), int(lim.min_m[i]), int(lim.min_j[i])),
            incumbents=(int(nd.inc_s[i]), i_m), need=int(nd.need_total[i]), posts=T)
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
                text = Message.of(
                    "conflict_unit_cap", where=unit_label(units, i), which=which,
                    incumbents=int(inc[i]), ratio=ratio_words(policy, [t]), cap=int(cap[i]),
                    posts=T, arithmetic=cap_arithmetic(policy, t, T, which),
                    # a minimum rule lifted the cap (see caps.py)
                    minimum_refs=(_minimum_refs(policy, t, T, levels) if cap[i] > base[i]
                                  else None))
                options = [Message.of("fix_grandfather"), raise_total(i),
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
            out.append(Conflict(
                "budget", Message.of("all_units"), (), cheapest, b.max_increase,
                Message.of("conflict_budget", max_increase=b.max_increase, cheapest=cheapest),
                (Message.of("fix_budget", amount=cheapest),)))
    return out


def _minimum_fixes(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                   i: int) -> list[Message]:
    """For each minimum rule that sets unit ``i``'s minimum: the largest ``posts`` that fits,
    and the ``when_total_at_least`` that exempts the unit, when that is enough."""
    T = int(units["total_posts"].iat[i])
    t = str(units["type"].iat[i])
    row_ok = _unit_fit_checker(units, i)
    fixes: list[Message] = []
    for k, rule in enumerate(policy.minimum):
        have = {Level.SENIOR: lim.min_s, Level.INTERMEDIATE: lim.min_m,
                Level.JUNIOR: lim.min_j}[rule.level][i]
        if (not rule.applies(t, T) or have <= 0
                or min(rule.posts, T) != have):
            continue
        n = _largest_minimum_that_fits(policy, k, row_ok, T)
        if n is not None:
            fixes.append(Message.of("fix_lower_minimum", level=str(rule.level), number=k + 1,
                                    posts=n))
        exempt = replace(policy, minimum=tuple(
            replace(r, when_total_at_least=T + 1) if j == k else r
            for j, r in enumerate(policy.minimum)))
        if row_ok(exempt):
            fixes.append(Message.of("fix_exempt", number=k + 1, posts=T + 1))
    return fixes


def _bonus_fix(policy: Policy, unit_type: str, T: int, need: int) -> Message | None:
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
    return Message.of("fix_raise_key", key=f"policy.types.{unit_type}.senior_bonus",
                      value=decimal_at_least(b, strict))


def _transfer_fix(policy: Policy, unit_type: str, T: int, need: int) -> Message | None:
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
    """Scope pool: every pooled cap (senior, senior+intermediate) below what the pool's
    incumbents and minimum rules need, with the smallest changes that fix it."""
    out: list[Conflict] = []
    k = len(lim.pool_names)
    codes = lim.pool_codes
    pool_need_s, pool_need_sm = _pool_needs(nd, lim)
    pool_inc_s = np.bincount(codes, weights=nd.inc_s, minlength=k).astype(np.int64)
    pool_inc_sm = np.bincount(codes, weights=nd.inc_sm, minlength=k).astype(np.int64)
    ids = units["unit_id"].astype(str).to_numpy()
    over = (pool_need_s > lim.pool_cap_s) | (pool_need_sm > lim.pool_cap_sm)
    for p in np.flatnonzero(over).tolist():  # only pools in conflict (there may be 10⁵ pools)
        members = np.flatnonzero(codes == p)
        for which, need, inc, cap in (
            ("senior", pool_need_s[p], pool_inc_s[p], lim.pool_cap_s[p]),
            ("senior+intermediate", pool_need_sm[p], pool_inc_sm[p], lim.pool_cap_sm[p]),
        ):
            if need <= cap:
                continue
            text, fixes = _pool_collision(policy, units, lim, nd, p, members, which,
                                          int(need), int(inc), int(cap))
            fixes += _pool_posts_fixes(policy, units, members, which, int(need))
            out.append(Conflict(f"pooled {which} cap", Message.of("pool_place",
                                                                  pool=lim.pool_names[p]),
                                tuple(ids[members].tolist()), Fraction(int(need)),
                                Fraction(int(cap)), text, tuple(fixes)))
    return out


def _pool_collision(policy: Policy, units: pd.DataFrame, lim: UnitLimits, nd: _Needs, p: int,
                    members: np.ndarray, which: str, need: int, inc: int,
                    cap: int) -> tuple[Message, list[Message]]:
    """``(text, fixes)`` of pool ``p``'s ``which`` cap below the ``need``: the incumbents
    alone over it (grandfathering them is enough), or the minimum rules needing more than
    the incumbents hold (then the minimum rules must give way: :func:`_pool_minimum_fixes`)."""
    where = Message.of("pool_place", pool=lim.pool_names[p])
    words = pool_cap_arithmetic(policy, lim, p, which)
    base = (lim.pool_base_cap_s if which == "senior" else lim.pool_base_cap_sm)[p]
    ratio = ratio_words(policy, units["type"].astype(str).to_numpy()[members].tolist())
    protect = policy.incumbents is Incumbents.PROTECT
    if protect and inc > cap and need == inc:
        text = Message.of("conflict_pool_incumbents", where=where, which=which,
                          incumbents=inc, ratio=ratio, cap=cap, arithmetic=words,
                          grandfathered=bool(cap > base))
        return text, [Message.of("fix_grandfather")]
    need_u, inc_u = (nd.need_s, nd.inc_s) if which == "senior" else (nd.need_sm, nd.inc_sm)
    lifted = members[need_u[members] > inc_u[members]]
    text = Message.of("conflict_pool_minimum", where=where, which=which, need=need,
                      incumbents=inc, units=_list_units(units, lifted.tolist()), ratio=ratio,
                      cap=cap, arithmetic=words, grandfathered=bool(cap > base))
    fixes = _pool_minimum_fixes(policy, units, nd, members, which, protect and inc > cap)
    if _unit_scope_fits(policy, units, members):
        fixes.append(Message.of("fix_unit_scope"))
    return text, fixes


def _pool_minimum_fixes(policy: Policy, units: pd.DataFrame, nd: _Needs, members: np.ndarray,
                        which: str, incumbents_over: bool) -> list[Message]:
    """Each minimum rule of the levels under the ``which`` cap lowered to the largest value
    with which the pool fits — grandfathering the incumbents as well where they alone are
    over the cap (``incumbents_over``) and lowering the rule alone is not enough."""
    fixes = []
    levels = [Level.SENIOR] if which == "senior" else [Level.SENIOR, Level.INTERMEDIATE]
    fits = _pool_fit_checker(units, members)
    largest = int(nd.T[members].max()) if len(members) else 0
    grandfathered = replace(policy, incumbents=Incumbents.GRANDFATHER)
    for rule_no, rule in enumerate(policy.minimum):
        if rule.level not in levels or rule.posts == 0:
            continue
        n = _largest_minimum_that_fits(policy, rule_no, fits, largest)
        if n is not None:
            fixes.append(Message.of("fix_lower_minimum", level=str(rule.level),
                                    number=rule_no + 1, posts=n))
        elif incumbents_over:
            n = _largest_minimum_that_fits(grandfathered, rule_no, fits, largest)
            if n is not None:
                fixes.append(Message.of("fix_lower_minimum", level=str(rule.level),
                                        number=rule_no + 1, posts=n, grandfather=True))
    return fixes


def _pool_posts_fixes(policy: Policy, units: pd.DataFrame, members: np.ndarray, which: str,
                      need: int) -> list[Message]:
    """The fixes that raise the pooled ``which`` cap itself: posts added to the unit whose
    share raises it fastest, and (senior+intermediate) a larger junior-to-intermediate
    transfer."""
    fixes = []
    share = np.array([
        (policy.shares_for(str(units["type"].iat[i])).senior if which == "senior"
         else policy.shares_for(str(units["type"].iat[i])).senior_intermediate_cap_share)
        for i in members.tolist()], dtype=object)
    best = members[int(np.argmax(share))] if len(members) else None
    if best is not None:
        add = _smallest_pool_addition(policy, units, members, int(best))
        if add is not None:
            fixes.append(Message.of("fix_add_posts", posts=add,
                                    unit=unit_label(units, int(best)), which=which))
    if which == "senior+intermediate":
        parts = []
        for i in members.tolist():
            sh = policy.shares_for(str(units["type"].iat[i]))
            T = int(units["total_posts"].iat[i])
            parts.append(((sh.senior + sh.intermediate) * T, sh.junior * T))
        if not any(t.junior_to_intermediate is not None for t in policy.types.values()):
            jfix = _junior_to_intermediate_fix(policy, None, parts, need)
            if jfix:
                fixes.append(jfix)
    return fixes


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
