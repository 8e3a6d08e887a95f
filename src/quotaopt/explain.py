r"""Why a unit got its numbers, in the policy's words.

:func:`explain` shows one unit's data, its shares and caps with the arithmetic written out
exactly, the plan's numbers, the limits that bind, what one more post would buy (found by
solving again with ``total_posts + 1``, on the unit's independent block) and whether another
optimal plan gives the unit other senior or senior+intermediate posts (found by solving again
with them forced different: :mod:`quotaopt.uniqueness`, which also holds ``run
--check-unique``'s :func:`alternative_optima`).

The explanation is data — :class:`~quotaopt.messages.Message`\ s, message codes with their
parameters — written in the language in use when it is shown.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .backends import Status, get_backend
from .caps import UnitLimits, compute_limits
from .errors import InputError, Problem
from .feasibility import (
    cap_arithmetic,
    pool_cap_arithmetic,
    search,
    share_terms,
    threshold,
)
from .messages import Message, render
from .numfmt import exact
from .policy import Incumbents, Level, Policy, Scope
from .result import Result, exact_objectives, provenance_record
from .scenario import Scenario, Variant
from .solve import solve
from .uniqueness import (
    CHECK_SECONDS,
    MAX_UNITS,
    Alternative,
    PlanArrays,
    Uniqueness,
    alternative_optima,
    backend_of,
    block_members,
    search_alternatives,
    tie_break_message,
    tie_break_rule,
)

# --------------------------------------------------------------------------------------------
# Provenance: the same keys in summary.json, in explain and in audit reports

PROVENANCE_KEYS = ("input_hash", "sources", "quotaopt_version", "solver", "created_at")


def provenance(summary: dict[str, Any]) -> dict[str, Any]:
    """Input hash, cited sources, quotaopt version, solver and timestamp of a summary."""
    out = {k: summary.get(k) for k in PROVENANCE_KEYS}
    solver = summary.get("solver") or {}
    out["solver"] = {"backend": solver.get("backend"), "version": solver.get("version")}
    return out


def provenance_lines(prov: dict[str, Any]) -> list[str]:
    """The provenance as report lines (sources one per line)."""
    solver = prov.get("solver") or {}
    lines = [render("provenance", {"input_hash": prov.get("input_hash"),
                                   "quotaopt_version": prov.get("quotaopt_version"),
                                   "backend": solver.get("backend"),
                                   "version": solver.get("version"),
                                   "created_at": prov.get("created_at")})]
    sources = prov.get("sources") or []
    if not sources:
        lines.append(render("no_sources", {}))
    lines += [render("source", {"rule": s["rule"], "source": s["source"]}) for s in sources]
    return lines


# --------------------------------------------------------------------------------------------
# The uniqueness check lives in quotaopt.uniqueness; re-exported here for existing callers

__all__ = ["CHECK_SECONDS", "MAX_UNITS", "Alternative", "Explanation", "Uniqueness",
           "alternative_optima", "explain", "next_cap_rise", "provenance", "provenance_lines",
           "tie_break_rule"]


# --------------------------------------------------------------------------------------------
# explain --unit


@dataclass(frozen=True)
class Explanation:
    """What ``quotaopt explain --unit`` prints, as data: ``items`` are its sentences (message
    codes and parameters, :class:`~quotaopt.messages.Message`), ``lines`` the same in words
    (the language in use), plus the findings."""

    unit_id: str
    variant: str
    status: Status
    items: tuple[Message, ...]
    binding: tuple[Message, ...] = ()
    one_more: dict[str, Any] | None = None
    alternatives: tuple[Alternative, ...] = ()
    reasons: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(str(m) for m in self.items) + tuple(provenance_lines(self.provenance))

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _find_unit(v: Variant, unit_id: str) -> int:
    ids = v.units["unit_id"].astype(str).to_numpy()
    hits = np.flatnonzero(ids == str(unit_id))
    if len(hits):
        return int(hits[0])
    names = v.units["name"].astype(str).to_numpy()
    named = np.flatnonzero(names == str(unit_id).strip())
    if len(named) == 1:  # the unit's name, when no other unit has it
        return int(named[0])
    if len(named) > 1:
        raise InputError([Problem.of(
            "unit_name_ambiguous", file=v.units_file, column="name", name=str(unit_id),
            unit_ids=tuple(ids[named].tolist()))])
    close = difflib.get_close_matches(str(unit_id), ids.tolist(), n=1, cutoff=0.6)
    raise InputError([Problem.of("unknown_unit", file=v.units_file, column="unit_id",
                                 unit_id=str(unit_id), hint=close[0] if close else None)])


def _next_rise(policy: Policy, share: Fraction, cap: int) -> int | None:
    """Smallest total_posts at which ``R(share × T)`` exceeds ``cap``."""
    if share <= 0:
        return None
    bound, strict = threshold(cap + 1, policy.rounding)
    t = bound / share
    return int(t) + 1 if strict and t == int(t) else -(-t.numerator // t.denominator)


def next_cap_rise(policy: Policy, units: pd.DataFrame, lim: UnitLimits, pos: int,
                  which: str) -> int | None:
    """Smallest total_posts above unit ``pos``'s at which its ``which`` cap *in force* rises
    (scope ``unit``) — the cap a minimum rule or grandfathered incumbents may have lifted
    above the share's, so each candidate size is evaluated with
    :func:`quotaopt.caps.compute_limits`, minimum rules switching on at a size included.
    ``None`` when the cap never rises (a zero share)."""
    senior = which == "senior"
    cap = int((lim.cap_s if senior else lim.cap_sm)[pos])
    row = units.iloc[[pos]]
    T = int(row["total_posts"].iat[0])
    sh = policy.shares_for(str(row["type"].iat[0]))
    # from this size on the share's own cap is above ``cap``, so the cap in force is too
    stop = _next_rise(policy, sh.senior if senior else sh.senior_intermediate_cap_share, cap)
    if stop is None:
        return None

    def rises_at(totals: np.ndarray) -> np.ndarray:
        df = row.loc[row.index.repeat(len(totals))].reset_index(drop=True)
        df["total_posts"] = totals
        df["pool"] = "what-if"
        what_if = compute_limits(policy, df)
        return (what_if.cap_s if senior else what_if.cap_sm) > cap

    return search(rises_at, T + 1, max(stop, T + 1))


def explain(
    scenario: Scenario,
    unit_id: str,
    variant: str | None = None,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    result: Result | None = None,
    method: str | None = None,
) -> Explanation:
    """Why unit ``unit_id`` gets its posts in ``variant``, in the policy's words.

    The explanation, in order: the unit and its data (:func:`_data_items`), its caps with
    their arithmetic (:func:`_cap_items`, Hamilton quotas in scope ``pool``), the minimum
    rules that apply (:func:`_minimum_items`), the plan (:func:`_plan_items`), what binds
    (:func:`_binding`), what one more post would change (:func:`_one_more`, solved again)
    and whether another optimal plan gives it other posts (:func:`_alternative_items`).

    Parameters
    ----------
    result
        The variant's solved :class:`~quotaopt.solve.Result`, if already at hand; else it is
        solved here, with ``method`` (as :func:`quotaopt.solve`: ``auto`` or ``mip``, which
        may break ties between equally good plans differently).

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> print(quotaopt.explain(sc, "TX011"))  # doctest: +ELLIPSIS
    unit TX011 石桥镇卫生院 · type health_centre · pool 东片 · scenario tongxi-county · ...
    data: 46 posts · incumbents 2 senior, 15 intermediate, 26 junior · waiting 4 for senior, ...
    ...
    senior cap: 46 × (10 % + 5 %) = 6.9 → floor 6
    ...
    """
    v = scenario.variant(variant)
    pos = _find_unit(v, unit_id)
    lim = compute_limits(v.policy, v.units)
    if result is None:
        result = solve(scenario, variant, backend=backend, time_limit=time_limit,
                       method=method)
    be_name = backend or backend_of(result)
    uid = str(v.units["unit_id"].iat[pos])
    items = (_data_items(scenario.name, v, pos) + _cap_items(v.policy, v.units, lim, pos,
                                                              result.allocation)
             + _minimum_items(v.policy, v.units, pos))
    assert result.figures.provenance is not None
    prov = provenance_record(result.figures.provenance, result.figures.solver)
    if result.allocation is None:
        items.append(Message.of("explain_no_plan", status=result.status.value))
        items += [Message.of("list_item", text=r)
                  for r in result.reasons or (result.message,)]
        return Explanation(uid, v.name, result.status, tuple(items), reasons=result.reasons,
                           provenance=prov)

    items += _plan_items(result, v.units, pos)
    binding = _binding(v.policy, v.units, lim, result.allocation, pos)
    items.append(Message.of("explain_binds", anything=bool(binding)))
    items += [Message.of("list_item", text=b) for b in binding]
    more_items, one_more = _one_more(scenario, v, lim, result, pos, be_name, time_limit)
    items += more_items
    if v.policy.scope is Scope.UNIT:
        items.append(Message.of(
            "next_cap_rise", senior=next_cap_rise(v.policy, v.units, lim, pos, "senior"),
            senior_intermediate=next_cap_rise(v.policy, v.units, lim, pos,
                                              "senior+intermediate")))
    alt_items, alternatives = _alternative_items(v, lim, result, pos, be_name, time_limit)
    items += alt_items
    return Explanation(uid, v.name, result.status, tuple(items), tuple(binding), one_more,
                       alternatives, result.reasons, prov)


def _data_items(scenario: str, v: Variant, pos: int) -> list[Message]:
    """The unit, its data, the policy and the unit's shares."""
    pol, u = v.policy, v.units.iloc[pos]
    t = str(u["type"])
    sh = pol.shares_for(t)
    tp = pol.types.get(t)
    return [
        Message.of("explain_unit", unit_id=str(u["unit_id"]), name=str(u["name"]), type=t,
                   pool=str(u["pool"]), scenario=scenario, variant=v.name),
        Message.of("explain_data", posts=int(u["total_posts"]),
                   incumbents=tuple(int(u[c]) for c in (
                       "senior_incumbents", "intermediate_incumbents", "junior_incumbents")),
                   waiting=(int(u["senior_waiting"]), int(u["intermediate_waiting"])),
                   priority=Fraction(repr(float(u["priority"])))),
        Message.of("explain_policy", ratio=str(pol.ratio), scope=str(pol.scope),
                   rounding=str(pol.rounding), incumbents=str(pol.incumbents),
                   budget=pol.budget.max_increase if pol.budget else None),
        Message.of("explain_shares", type=t,
                   ratio=str(tp.ratio if tp is not None and tp.ratio is not None
                             else pol.ratio),
                   senior=sh.senior, bonus=tp.senior_bonus if tp is not None else Fraction(0),
                   intermediate=sh.intermediate, junior=sh.junior,
                   transfer=sh.junior_to_intermediate),
    ]


def _cap_items(pol: Policy, units: pd.DataFrame, lim: UnitLimits, pos: int,
               alloc: pd.DataFrame | None) -> list[Message]:
    """The unit's caps with their arithmetic: its own (scope ``unit``), or its pool's and its
    part of them with its Hamilton quotas (scope ``pool``)."""
    t, T = str(units["type"].iat[pos]), int(units["total_posts"].iat[pos])
    items = []
    if pol.scope is Scope.UNIT:
        inc_s = int(units["senior_incumbents"].iat[pos])
        inc_sm = inc_s + int(units["intermediate_incumbents"].iat[pos])
        for which, base, cap, alo, inc in (
            ("senior", lim.base_cap_s[pos], lim.cap_s[pos], lim.alo_cap_s[pos], inc_s),
            ("senior+intermediate", lim.base_cap_sm[pos], lim.cap_sm[pos],
             lim.alo_cap_sm[pos], inc_sm),
        ):
            at_least_one = None
            if alo != min(base, T):
                at_least_one = base = int(alo)
            grandfathered = bool(pol.incumbents is Incumbents.GRANDFATHER and cap == inc
                                 and inc > base)
            items.append(Message.of(
                "explain_cap", which=which, arithmetic=cap_arithmetic(pol, t, T, which),
                at_least_one=at_least_one, raised=int(cap) if cap != base else None,
                grandfathered=grandfathered))
        return items
    p = int(lim.pool_codes[pos])
    for which, cap, base in (
        ("senior", lim.pool_cap_s[p], lim.pool_base_cap_s[p]),
        ("senior+intermediate", lim.pool_cap_sm[p], lim.pool_base_cap_sm[p]),
    ):
        items.append(Message.of(
            "explain_pool_cap", which=which, pool=str(units["pool"].iat[pos]),
            arithmetic=pool_cap_arithmetic(pol, lim, p, which),
            part=Message.of("share_product", posts=T, terms=share_terms(pol, t, which)),
            raised=int(cap) if cap != base else None))
    return items + _quota_items(lim, units, pos, alloc)


def _minimum_items(pol: Policy, units: pd.DataFrame, pos: int) -> list[Message]:
    """The minimum rules that apply to the unit, and what each asks of it."""
    t, T = str(units["type"].iat[pos]), int(units["total_posts"].iat[pos])
    rules = [Message.of("explain_minimum", number=k + 1, rule=r, posts=min(r.posts, T))
             for k, r in enumerate(pol.minimum) if r.applies(t, T) and r.posts > 0]
    return rules or [Message.of("explain_no_minimum")]


def _plan_items(result: Result, units: pd.DataFrame, pos: int) -> list[Message]:
    """The plan's posts, appointments and vacancies for the unit."""
    assert result.allocation is not None
    a = result.allocation.iloc[pos]
    items = []
    if result.status is not Status.OPTIMAL:
        items.append(Message.of("explain_not_proven"))
    items.append(Message.of("explain_plan", senior=int(a["posts_senior"]),
                            intermediate=int(a["posts_intermediate"]),
                            junior=int(a["posts_junior"])))
    items.append(Message.of(
        "explain_appointed",
        appointed=(int(a["appointed_senior"]), int(a["appointed_intermediate"])),
        waiting=(int(units["senior_waiting"].iat[pos]),
                 int(units["intermediate_waiting"].iat[pos])),
        vacant=tuple(int(a[f"vacant_{lv}"]) for lv in ("senior", "intermediate", "junior"))))
    return items


def _alternative_items(v: Variant, lim: UnitLimits, result: Result, pos: int,
                       backend: str | None, time_limit: float | None
                       ) -> tuple[list[Message], tuple[Alternative, ...]]:
    """Whether another optimal plan gives the unit other senior or senior+intermediate
    posts (only for a proven-optimal plan)."""
    if result.status is not Status.OPTIMAL:
        return [], ()
    assert result.allocation is not None
    found, _settled, complete = search_alternatives(
        v.policy, v.units, lim, PlanArrays.of(result.allocation), np.array([pos]),
        get_backend(backend), time_limit)
    if pos in found:
        alt = found[pos]
        A, B = alt.posts_senior[0], alt.posts_senior_intermediate[0]
        return [Message.of("alternative_found",
                           other=(alt.posts_senior[1],
                                  alt.posts_senior_intermediate[1] - alt.posts_senior[1]),
                           this=(A, B - A)),
                Message.of("chosen_by", rule=tie_break_message(result))], (alt,)
    if complete:
        return [Message.of("alternative_none")], ()
    return [Message.of("alternative_unknown")], ()


def _quota_items(lim: UnitLimits, units: pd.DataFrame, pos: int,
                 alloc: pd.DataFrame | None) -> list[Message]:
    """Scope pool: the unit's Hamilton quotas, and where its remainder ranks in the pool —
    why it got ⌈Q⌉ and not ⌊Q⌋ (or the other way round)."""
    p = int(lim.pool_codes[pos])
    members = np.flatnonzero(lim.pool_codes == p)
    T = units["total_posts"].to_numpy(np.int64)
    ids = units["unit_id"].astype(str).to_numpy()
    out = []
    for level, which, base in (("s", "senior", lim.pool_target_s[p]),
                               ("sm", "senior+intermediate", lim.pool_target_sm[p])):
        num, den = lim.quotas(level)
        q = Fraction(int(num[pos]), int(den[pos]))
        floors = sum(int(num[i]) // int(den[i]) for i in members)
        left = int(base) - floors
        # remainders ranked: largest first, then the larger unit, then unit_id
        ranked = sorted(members.tolist(), key=lambda i: (
            -Fraction(int(num[i]) % int(den[i]), int(den[i])), -int(T[i]), ids[i]))
        rank = ranked.index(pos) + 1
        rem = q - math.floor(q)
        x = among = None
        off_split = False
        if alloc is not None:
            x = int(alloc["posts_senior"].iat[pos])
            if level == "sm":
                x += int(alloc["posts_intermediate"].iat[pos])
            among = (rank <= left) if rem > 0 else None
            off_split = x not in (math.floor(q), math.ceil(q)) or (
                rem > 0 and (x == math.ceil(q)) != (rank <= left))
        out.append(Message.of(
            "explain_quota", which=which, base=int(base), quota=q, rank=rank,
            units=len(members), pool=lim.pool_names[p], floors=floors, left=max(left, 0),
            plan=x, among=among, off_split=off_split))
    return out


def _binding(policy: Policy, units: pd.DataFrame, lim: UnitLimits, alloc: pd.DataFrame,
             pos: int) -> list[Message]:
    """The limits the plan reaches for this unit, in the policy's words."""
    a = alloc.iloc[pos]
    u = units.iloc[pos]
    T = int(u["total_posts"])
    ps, pm = int(a["posts_senior"]), int(a["posts_intermediate"])
    A, B = ps, ps + pm
    ys, ym = int(a["appointed_senior"]), int(a["appointed_intermediate"])
    i_s = int(u["senior_incumbents"])
    i_sm = i_s + int(u["intermediate_incumbents"])
    w_s, w_m = int(u["senior_waiting"]), int(u["intermediate_waiting"])
    out, (cap_s_full, cap_sm_full), caps_held = _cap_binding(policy, lim, alloc, pos, A, B)
    total_full = bool(B >= T - lim.min_j[pos])
    if total_full:
        out.append(Message.of("bind_junior_minimum", posts=int(lim.min_j[pos]))
                   if lim.min_j[pos] > 0 else Message.of("bind_total", posts=T))
    if A and A == i_s + ys:
        out.append(Message.of("bind_held", which="senior", incumbents=i_s, appointed=ys))
    if B and B == i_sm + ym:
        out.append(Message.of("bind_held", which="senior+intermediate", incumbents=i_sm,
                              appointed=ym))
    if w_s and ys == w_s:
        out.append(Message.of("bind_all_appointed", level="senior", waiting=w_s))
    if w_m and ym == w_m:
        out.append(Message.of("bind_all_appointed", level="intermediate", waiting=w_m))
    for lvl, have, need in ((Level.SENIOR, ps, lim.min_s[pos]),
                            (Level.INTERMEDIATE, pm, lim.min_m[pos])):
        if need > 0 and have <= need:
            out.append(Message.of("bind_minimum", level=str(lvl), posts=int(need)))
    # What stops one more appointment: a full block of posts that cannot grow, or the budget.
    held_s: list[str] = []
    held_m: list[str] = []
    grow_b = [w for w, full in ((caps_held[1], cap_sm_full), ("total", total_full)) if full]
    if A == i_s + ys:  # no senior post is free: the senior block must grow
        if cap_s_full:
            held_s.append(caps_held[0])
        if pm <= lim.min_m[pos]:  # …and it can only grow into the senior+intermediate block
            held_s += grow_b
    if B == i_sm + ym:
        held_m += grow_b
    if policy.budget is not None:
        b = policy.budget
        c_s, c_m = b.appointment_costs
        cost = b.promotion_cost(int(alloc["appointed_senior"].sum()),
                                int(alloc["appointed_intermediate"].sum()))
        left = b.max_increase - cost
        cheapest = min([c for c in (c_s, c_m) if c > 0], default=None)
        if cheapest is not None and left < cheapest:
            out.append(Message.of("bind_budget", cost=cost, max_increase=b.max_increase,
                                  cheapest=cheapest))
        if left < c_s:
            held_s.append("budget")
        if left < c_m:
            held_m.append("budget")
    pool = lim.pool_names[int(lim.pool_codes[pos])] if policy.scope is Scope.POOL else None
    for level, got, wait, held in (("senior", ys, w_s, held_s),
                                   ("intermediate", ym, w_m, held_m)):
        if got < wait:
            out.append(Message.of("bind_waiting_left", level=level, left=wait - got,
                                  waiting=wait, held=tuple(dict.fromkeys(held)), pool=pool))
    return out


def _cap_binding(policy: Policy, lim: UnitLimits, alloc: pd.DataFrame, pos: int, A: int,
                 B: int) -> tuple[list[Message], tuple[bool, bool], tuple[str, str]]:
    """The unit's caps (scope ``unit``) or its pool's (scope ``pool``) that the plan fills:
    the findings, whether the senior and senior+intermediate caps are full, and the words
    (``bind_waiting_left``'s kinds) for them."""
    out = []
    if policy.scope is Scope.UNIT:
        full = (bool(A >= lim.cap_s[pos]), bool(B >= lim.cap_sm[pos]))
        for which, cap, is_full in (("senior", lim.cap_s[pos], full[0]),
                                    ("senior+intermediate", lim.cap_sm[pos], full[1])):
            if is_full:
                out.append(Message.of("bind_unit_cap", which=which, cap=int(cap)))
        return out, full, ("cap_s", "cap_sm")
    p = int(lim.pool_codes[pos])
    members = lim.pool_codes == p
    pool = lim.pool_names[p]
    used_s = int(alloc["posts_senior"].to_numpy()[members].sum())
    used_sm = used_s + int(alloc["posts_intermediate"].to_numpy()[members].sum())
    full = (bool(used_s >= lim.pool_cap_s[p]), bool(used_sm >= lim.pool_cap_sm[p]))
    for which, cap, is_full in (("senior", lim.pool_cap_s[p], full[0]),
                                ("senior+intermediate", lim.pool_cap_sm[p], full[1])):
        if is_full:
            out.append(Message.of("bind_pool_cap", pool=pool, which=which, cap=int(cap)))
    return out, full, ("pool_s", "pool_sm")


def _sub_scenario(scenario: Scenario, v: Variant, units: pd.DataFrame) -> Scenario:
    sub_v = replace(v, units=units.reset_index(drop=True))
    return replace(scenario, variants={v.name: sub_v})


def _one_more(scenario: Scenario, v: Variant, lim: UnitLimits, result: Result, pos: int,
              backend: str | None, time_limit: float | None
              ) -> tuple[list[Message], dict[str, Any]]:
    """Solve the unit's block again with one more post for the unit; compare."""
    pol = v.policy
    members = block_members(pol, v.units, lim, pos)
    k = int(np.flatnonzero(members == pos)[0])
    base_units = v.units.iloc[members].reset_index(drop=True)
    more_units = base_units.copy()
    T = int(more_units.at[k, "total_posts"])
    more_units.at[k, "total_posts"] = T + 1
    alloc = result.allocation
    assert alloc is not None
    base_alloc = alloc.iloc[members].reset_index(drop=True)
    base_sc = _sub_scenario(scenario, v, base_units)
    more_sc = _sub_scenario(scenario, v, more_units)
    base_v, more_v = base_sc.variant(v.name), more_sc.variant(v.name)
    base_lim = compute_limits(pol, base_units)
    more_lim = compute_limits(pol, more_units)
    res = solve(more_sc, v.name, backend=backend, time_limit=time_limit)
    block, pool = (("unit", None) if len(members) == 1 else
                   ("pool", str(v.units["pool"].iat[pos]))
                   if pol.scope is Scope.POOL and pol.budget is None else ("all", None))
    if pol.scope is Scope.UNIT:
        caps = ((int(base_lim.cap_s[k]), int(more_lim.cap_s[k])),
                (int(base_lim.cap_sm[k]), int(more_lim.cap_sm[k])))
    else:
        p = int(more_lim.pool_codes[k])
        caps = ((int(base_lim.pool_cap_s[p]), int(more_lim.pool_cap_s[p])),
                (int(base_lim.pool_cap_sm[p]), int(more_lim.pool_cap_sm[p])))
    head = Message.of("one_more_head", posts=T, pooled=pol.scope is Scope.POOL,
                      senior=caps[0], senior_intermediate=caps[1])
    if res.allocation is None:
        return [head, Message.of("one_more_status", status=res.status.value,
                                 reasons=tuple(res.reasons or (res.message,)))], \
            {"status": res.status.value}
    s1_base = exact_objectives(base_v, base_lim, base_alloc)[0]
    s1_more = exact_objectives(more_v, more_lim, res.allocation)[0]
    d_s = int(res.allocation["appointed_senior"].sum() - base_alloc["appointed_senior"].sum())
    d_m = int(res.allocation["appointed_intermediate"].sum()
              - base_alloc["appointed_intermediate"].sum())
    new = res.allocation.iloc[k]
    gain = s1_more - s1_base
    items = [head, Message.of(
        "one_more_result", block=block, pool=pool,
        posts=tuple(int(new[f"posts_{lv}"]) for lv in ("senior", "intermediate", "junior")),
        appointed=(d_s, d_m), gain=gain)]
    if gain == 0:
        left = int(base_alloc["waiting_left_senior"].sum()
                   + base_alloc["waiting_left_intermediate"].sum())
        items.append(Message.of("one_more_buys_nothing", block=block, pool=pool,
                                nobody_waiting=left == 0))
    return items, {"status": res.status.value, "weighted_gain": exact(gain),
                   "appointed_senior": d_s, "appointed_intermediate": d_m}
