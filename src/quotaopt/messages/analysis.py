"""Messages of the analysis: explain, uniqueness, feasibility conflicts and their fixes, the
elastic relaxation's rules, compare's rule changes."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..i18n import N_, _
from ..numfmt import decimals, exact, percent
from .core import Message, message
from .general import status_word

# ============================================================================================
# ANALYSIS — explain, uniqueness, feasibility conflicts and their fixes, the elastic
# relaxation's rules, compare's rule changes. (One block, apart from the input side's.)

# --------------------------------------------------------------------------------------------
# Compare: rule changes of the units table and the solver options


def _ids(ids: Sequence[str], limit: int = 5) -> str:
    shown = _(", ").join(ids[:limit])
    if len(ids) > limit:
        shown += _(" and {count} more").format(count=len(ids) - limit)
    return shown


@message("units_table")
def units_table() -> str:
    return _("units table")


@message("units_count")
def units_count(count: int) -> str:
    return _("{count} units").format(count=count)


@message("units_table_after")
def units_table_after(count: int, added: Sequence[str], removed: Sequence[str],
                      changed: Sequence[str]) -> str:
    parts = []
    if added:
        parts.append(_("{count} added: {ids}").format(count=len(added), ids=_ids(added)))
    if removed:
        parts.append(_("{count} removed: {ids}").format(count=len(removed), ids=_ids(removed)))
    if changed:
        parts.append(_("{count} changed: {ids}").format(count=len(changed), ids=_ids(changed)))
    if not parts:
        parts.append(_("same units, other column order or types"))
    return _("{count} units ({changes})").format(count=count, changes=_("; ").join(parts))


@message("units_file")
def units_file() -> str:
    return _("units file")


@message("units_file_name")
def units_file_name(name: str | None) -> str:
    return name or _("(DataFrame)")


#: The solver options' names in rule changes.
SOLVER_OPTIONS = {"backend": N_("solver"), "method": N_("solve method"),
                  "time_limit": N_("solver time limit")}


@message("solver_option")
def solver_option(option: str) -> str:
    return _(SOLVER_OPTIONS[option])


@message("solver_value")
def solver_value(option: str, value: Any) -> str:
    if option == "time_limit":
        return _("none") if value is None else _("{seconds} s").format(seconds=f"{value:g}")
    if option == "backend" and not value:
        return _("default")
    return str(value)


@message("unknown_measure")
def unknown_measure(measure: str, choices: Sequence[str]) -> str:
    return _("unknown measure {measure}; choose one of {choices}").format(
        measure=repr(measure), choices=", ".join(choices))


@message("not_proven_reason")
def not_proven_reason(message: str) -> str:
    text = _("time limit reached before optimality was proven")
    return f"{text} ({message})" if message else text



#: Levels and level groups in sentences.
LEVELS = {"senior": N_("senior"), "intermediate": N_("intermediate"), "junior": N_("junior"),
          "senior+intermediate": N_("senior+intermediate")}
#: The rounding of a cap in its arithmetic (``6.9 → floor 6``).
ROUNDING = {"floor": N_("floor"), "nearest": N_("nearest"), "ceil": N_("ceil")}


def level_word(level: str) -> str:
    return _(LEVELS[level]) if level in LEVELS else level


#: A policy setting's value as the scenario file spells it (``scope``, ``rounding``,
#: ``incumbents``), in the reader's language; in Chinese with the file's word beside it.
SETTINGS = {"unit": N_("unit"), "pool": N_("pool"), **ROUNDING,
            "protect": N_("protect"), "grandfather": N_("grandfather")}


def setting_word(value: object) -> str:
    """``"pool"`` → ``pool`` in English, ``统筹范围`` in Chinese; other values unchanged.

    >>> setting_word("floor"), setting_word("1:4:5")
    ('floor', '1:4:5')
    """
    text = str(value)
    return _(SETTINGS[text]) if text in SETTINGS else text


@message("list_item")
def list_item(text: Any) -> str:
    return f"  - {text}"


def share_sum(terms: Sequence[tuple[Fraction | None, Fraction]]) -> Fraction:
    """The share of ``terms``: each ``(factor, share)`` counts ``factor × share``."""
    return sum(((f if f is not None else 1) * Fraction(v) for f, v in terms), Fraction(0))


def _terms(terms: Sequence[tuple[Fraction | None, Fraction]]) -> str:
    parts = [percent(v) if f is None else f"{exact(f)} × {percent(v)}" for f, v in terms]
    text = " + ".join(parts)
    return f"({text})" if len(parts) > 1 else text


@message("share_product")
def share_product(posts: int, terms: Sequence[tuple[Fraction | None, Fraction]]) -> str:
    """``20 × (10 % + 5 %) = 3``."""
    return f"{posts} × {_terms(terms)} = {exact(share_sum(terms) * posts)}"


@message("cap_arithmetic")
def cap_arithmetic(posts: int, terms: Sequence[tuple[Fraction | None, Fraction]],
                   rounding: str, cap: int) -> str:
    """``20 × (10 % + 5 %) = 3 → floor 3``."""
    word = _(ROUNDING[rounding])
    return f"{share_product(posts, terms)} → {word} {cap}"


@message("pool_cap_arithmetic")
def pool_cap_arithmetic(units: int, total: Fraction, rounding: str, cap: int) -> str:
    return _("Σ posts × share over {units} units = {total} → {rounding} {cap}").format(
        units=units, total=exact(total), rounding=_(ROUNDING[rounding]), cap=cap)


# --------------------------------------------------------------------------------------------
# explain: the unit, its data, its caps


@message("explain_unit")
def explain_unit(unit_id: str, name: str, type: str, pool: str, scenario: str,
                 variant: str) -> str:
    who = unit_id + (f" {name}" if name != unit_id else "")
    return _("unit {unit} · type {type} · pool {pool} · scenario {scenario} · variant "
             "{variant}").format(unit=who, type=type, pool=pool, scenario=scenario,
                                 variant=variant)


@message("explain_data")
def explain_data(posts: int, incumbents: tuple[int, int, int], waiting: tuple[int, int],
                 priority: Fraction) -> str:
    return _("data: {posts} posts · incumbents {i_s} senior, {i_m} intermediate, {i_j} junior "
             "· waiting {w_s} for senior, {w_m} for intermediate · priority {priority}").format(
        posts=posts, i_s=incumbents[0], i_m=incumbents[1], i_j=incumbents[2],
        w_s=waiting[0], w_m=waiting[1], priority=exact(priority))


@message("explain_policy")
def explain_policy(ratio: str, scope: str, rounding: str, incumbents: str,
                   budget: Fraction | None,
                   pool_budget: tuple[str, Fraction] | None = None) -> str:
    text = _("policy: ratio {ratio} · scope {scope} · rounding {rounding} · incumbents "
             "{incumbents}").format(ratio=ratio, scope=setting_word(scope),
                                    rounding=setting_word(rounding),
                                    incumbents=setting_word(incumbents))
    if pool_budget is not None:
        text += _(" · budget of pool {pool} {amount}").format(pool=pool_budget[0],
                                                              amount=exact(pool_budget[1]))
    elif budget is not None:
        text += _(" · budget max_increase {amount}").format(amount=exact(budget))
    return text


@message("explain_shares")
def explain_shares(type: str, ratio: str, senior: Fraction, bonus: Fraction,
                   intermediate: Fraction, junior: Fraction, transfer: Fraction) -> str:
    if bonus:
        s = _("senior {base} + bonus {bonus} = {share}").format(
            base=percent(senior - bonus), bonus=percent(bonus), share=percent(senior))
        j = _("junior {base} − {bonus} = {share}").format(
            base=percent(junior + bonus), bonus=percent(bonus), share=percent(junior))
    else:
        s = _("senior {share}").format(share=percent(senior))
        j = _("junior {share}").format(share=percent(junior))
    return _("shares of {type} (ratio {ratio}): {senior} · intermediate {intermediate} · "
             "{junior} · junior_to_intermediate {transfer}").format(
        type=type, ratio=ratio, senior=s, intermediate=percent(intermediate), junior=j,
        transfer=exact(transfer))


@message("explain_cap")
def explain_cap(which: str, arithmetic: Message, at_least_one: int | None,
                raised: int | None, grandfathered: bool) -> str:
    text = _("{which} cap: {arithmetic}").format(which=level_word(which),
                                                 arithmetic=arithmetic)
    if at_least_one is not None:
        text += _(" → {cap} by policy.at_least_one (不足1个按1个: a share above 0 that rounds "
                  "to 0 still gives 1 post)").format(cap=at_least_one)
    if raised is not None and grandfathered:
        text += _(" → raised to the {cap} {which} incumbents (incumbents = grandfather; the "
                  "unit is flagged over_ratio)").format(cap=raised, which=level_word(which))
    elif raised is not None:
        text += _(" → raised to {cap} by the minimum rules (a minimum lifts the "
                  "cap)").format(cap=raised)
    return text


@message("explain_pool_cap")
def explain_pool_cap(which: str, pool: str, arithmetic: Message, part: Message,
                     raised: int | None) -> str:
    text = _("pooled {which} cap of pool {pool}: {arithmetic}; this unit's part: "
             "{part}").format(which=level_word(which), pool=pool, arithmetic=arithmetic,
                              part=part)
    if raised is not None:
        text += _("; raised to {cap} (policy.at_least_one, or the pool's incumbents with "
                  "incumbents = grandfather)").format(cap=raised)
    return text


@message("explain_quota")
def explain_quota(which: str, base: int, quota: Fraction, rank: int, units: int, pool: str,
                  floors: int, left: int, plan: int | None, among: bool | None,
                  off_split: bool) -> str:
    """A pooled unit's Hamilton quota and where its remainder ranks (``among``: None when
    the quota is whole)."""
    whole = quota.numerator // quota.denominator
    text = "  " + _(
        "{which} quota (Hamilton): {base} × this unit's share / the pool's = {quota} ≈ "
        "{approx}: floor {whole}, remainder {remainder}, ranked {rank} of {units} in pool "
        "{pool}; the floors use {floors} of {base} posts, so the {left} largest remainders "
        "get one more").format(
        which=level_word(which), base=base, quota=exact(quota), approx=decimals(quota),
        whole=whole, remainder=decimals(quota - whole), rank=rank, units=units, pool=pool,
        floors=floors, left=left)
    if plan is None:
        return text
    why = (_("its quota is whole") if among is None else
           _("its remainder is among them") if among else _("its remainder is not among them"))
    if off_split:
        why += _("; appointments, incumbents or the unit's posts move it off that split")
    return text + _(" → plan {plan} ({why})").format(plan=plan, why=why)


@message("explain_minimum")
def explain_minimum(number: int, rule: Any, posts: int) -> str:
    return _("minimum (policy.minimum[{number}]): {rule} → at least {posts} {level} post(s) "
             "here").format(number=number, rule=rule.describe(), posts=posts,
                            level=level_word(str(rule.level)))


@message("explain_no_minimum")
def explain_no_minimum() -> str:
    return _("minimum rules: none applies to this unit")


# --------------------------------------------------------------------------------------------
# explain: the plan and what binds


@message("explain_no_plan")
def explain_no_plan(status: str) -> str:
    return _("plan: none — the variant is {status}:").format(status=status_word(status))


@message("explain_not_proven")
def explain_not_proven() -> str:
    return _("warning: this plan is NOT proven optimal (time limit); what binds and the "
             "comparisons below are about this plan")


@message("explain_plan")
def explain_plan(senior: int, intermediate: int, junior: int) -> str:
    return _("plan: {senior} senior · {intermediate} intermediate · {junior} junior "
             "posts").format(senior=senior, intermediate=intermediate, junior=junior)


@message("explain_appointed")
def explain_appointed(appointed: tuple[int, int], waiting: tuple[int, int],
                      vacant: tuple[int, int, int]) -> str:
    return "  " + _("appointed {ys} of {ws} waiting for senior, {ym} of {wm} waiting for "
                    "intermediate · vacant {vs} senior, {vm} intermediate, {vj} "
                    "junior").format(ys=appointed[0], ws=waiting[0], ym=appointed[1],
                                     wm=waiting[1], vs=vacant[0], vm=vacant[1], vj=vacant[2])


@message("explain_binds")
def explain_binds(anything: bool) -> str:
    return _("what binds:") if anything else _("what binds: nothing — no limit is reached")


@message("bind_unit_cap")
def bind_unit_cap(which: str, cap: int) -> str:
    return _("{which} cap: all {cap} {which} posts it allows are set").format(
        which=level_word(which), cap=cap)


@message("bind_pool_cap")
def bind_pool_cap(pool: str, which: str, cap: int) -> str:
    return _("pool quota: pool {pool} uses all {cap} {which} posts of its pooled cap").format(
        pool=pool, cap=cap, which=level_word(which))


@message("bind_junior_minimum")
def bind_junior_minimum(posts: int) -> str:
    return _("minimum: {posts} junior post(s) must stay junior").format(posts=posts)


@message("bind_total")
def bind_total(posts: int) -> str:
    return _("total posts: all {posts} posts are senior or intermediate").format(posts=posts)


@message("bind_held")
def bind_held(which: str, incumbents: int, appointed: int) -> str:
    return _("incumbents: every {which} post is held ({incumbents} incumbents + {appointed} "
             "appointed)").format(which=level_word(which), incumbents=incumbents,
                                  appointed=appointed)


@message("bind_all_appointed")
def bind_all_appointed(level: str, waiting: int) -> str:
    if level == "senior":
        return _("waiting staff: all {waiting} waiting for a senior post are "
                 "appointed").format(waiting=waiting)
    return _("waiting staff: all {waiting} waiting for an intermediate post are "
             "appointed").format(waiting=waiting)


@message("bind_minimum")
def bind_minimum(level: str, posts: int) -> str:
    return _("minimum: {level} posts are at the minimum of {posts}").format(
        level=level_word(level), posts=posts)


@message("bind_budget")
def bind_budget(cost: Fraction, max_increase: Fraction, cheapest: Fraction) -> str:
    return _("budget: {cost} of {max_increase} used; {left} left, less than one more "
             "appointment ({cheapest})").format(
        cost=exact(cost), max_increase=exact(max_increase), left=exact(max_increase - cost),
        cheapest=exact(cheapest))


@message("bind_pool_budget")
def bind_pool_budget(pool: str, cost: Fraction, amount: Fraction, cheapest: Fraction) -> str:
    return _("budget of pool {pool}: {cost} of {amount} used; {left} left, less than one more "
             "appointment ({cheapest})").format(
        pool=pool, cost=exact(cost), amount=exact(amount), left=exact(amount - cost),
        cheapest=exact(cheapest))


def _limit_words(kind: str, pool: str | None) -> str:
    """What holds an appointment back (``bind_waiting_left``)."""
    return {
        "cap_s": lambda: _("the senior cap"),
        "cap_sm": lambda: _("the senior+intermediate cap"),
        "pool_s": lambda: _("pool {pool}'s senior quota").format(pool=pool),
        "pool_sm": lambda: _("pool {pool}'s senior+intermediate quota").format(pool=pool),
        "total": lambda: _("the unit's total posts"),
        "budget": lambda: _("the budget"),
    }[kind]()


@message("bind_waiting_left")
def bind_waiting_left(level: str, left: int, waiting: int, held: Sequence[str],
                      pool: str | None) -> str:
    why = (_(" and ").join(_limit_words(k, pool) for k in held) if held
           else _("no limit of this unit alone"))
    if level == "senior":
        return _("waiting left: {left} of {waiting} waiting for a senior post stay "
                 "unappointed, held back by {why}").format(left=left, waiting=waiting, why=why)
    return _("waiting left: {left} of {waiting} waiting for an intermediate post stay "
             "unappointed, held back by {why}").format(left=left, waiting=waiting, why=why)


# --------------------------------------------------------------------------------------------
# explain: one more post, other optimal plans


def _block_words(kind: str, pool: str | None) -> str:
    """The units re-solved together: ``this unit``, ``pool 东片``, ``all units``."""
    if kind == "unit":
        return _("this unit")
    if kind == "pool":
        return _("pool {pool}").format(pool=pool)
    return _("all units")


@message("one_more_head")
def one_more_head(posts: int, pooled: bool, senior: tuple[int, int],
                  senior_intermediate: tuple[int, int]) -> str:
    if pooled:
        caps = _("pooled senior cap {a} → {b}, pooled senior+intermediate cap {c} → {d}")
    else:
        caps = _("senior cap {a} → {b}, senior+intermediate cap {c} → {d}")
    caps = caps.format(a=senior[0], b=senior[1], c=senior_intermediate[0],
                       d=senior_intermediate[1])
    return _("one more post ({more} instead of {posts}): {caps}").format(
        more=posts + 1, posts=posts, caps=caps)


@message("one_more_status")
def one_more_status(status: str, reasons: Sequence[str]) -> str:
    return "  " + _("re-solved: the variant becomes {status}: {reasons}").format(
        status=status_word(status), reasons="; ".join(reasons))


@message("one_more_result")
def one_more_result(block: str, pool: str | None, posts: tuple[int, int, int],
                    appointed: tuple[int, int], gain: Fraction) -> str:
    return "  " + _("re-solved ({where}): this unit {senior} senior · {intermediate} "
                    "intermediate · {junior} junior; appointments {d_s} senior, {d_m} "
                    "intermediate (weighted {gain})").format(
        where=_block_words(block, pool), senior=posts[0], intermediate=posts[1],
        junior=posts[2], d_s=f"{appointed[0]:+d}", d_m=f"{appointed[1]:+d}",
        gain=("+" if gain >= 0 else "") + exact(gain))


@message("one_more_buys_nothing")
def one_more_buys_nothing(block: str, pool: str | None, nobody_waiting: bool) -> str:
    if nobody_waiting:
        why = _("nobody in {where} is left waiting").format(where=_block_words(block, pool))
    else:
        why = _("the post raises no limit that holds a waiting title-holder back")
    return "  " + _("it buys no appointment: {why}").format(why=why)


@message("next_cap_rise")
def next_cap_rise(senior: int | None, senior_intermediate: int | None) -> str:
    return "  " + _("its senior cap next rises at {senior} posts, its senior+intermediate cap "
                    "at {both} posts").format(senior=senior, both=senior_intermediate)


@message("alternative_found")
def alternative_found(other: tuple[int, int], this: tuple[int, int]) -> str:
    return _("other optimal plans: yes — one gives it {senior} senior and {intermediate} "
             "intermediate posts (this plan: {this_senior} and {this_intermediate}) with the "
             "same appointments and the same distances to the base caps and quotas").format(
        senior=other[0], intermediate=other[1], this_senior=this[0],
        this_intermediate=this[1])


@message("chosen_by")
def chosen_by(rule: Message) -> str:
    return "  " + _("this plan was chosen by: {rule}").format(rule=rule)


@message("alternative_none")
def alternative_none() -> str:
    return _("other optimal plans: none gives this unit other senior or senior+intermediate "
             "posts (checked by solving again with them forced one lower and one higher)")


@message("alternative_unknown")
def alternative_unknown() -> str:
    return _("other optimal plans: unknown (a check ran out of time)")


@message("tie_break")
def tie_break(structured: int, mip: int, backend: str | None, version: str | None) -> str:
    rules = []
    if structured:
        rules.append(_(
            "{count} unit(s) by the structured method: posts are added one step at a time, "
            "the best step first (one that appoints a waiting title-holder, then, up to the "
            "base cap, one that brings a unit closest to its quota: largest remainder); equal "
            "steps go to the larger unit (total_posts), then to the first unit in (pool, "
            "unit_id) order").format(count=structured))
    if mip:
        rules.append(_(
            "{count} unit(s) by the MIP ({backend}, {version}); in scope pool the tie rule "
            "(larger unit, then unit_id) is then applied by moving single posts between "
            "units of a pool without changing the objective values; otherwise the plan is "
            "the one the solver returned for the model built in (pool, unit_id) "
            "order").format(count=mip, backend=backend, version=version))
    return _("; ").join(rules) or _("no units")


# --------------------------------------------------------------------------------------------
# run --check-unique


def _checked_scope(checked: int, total: int) -> str:
    if checked == total:
        return ""
    return _(" (checked {checked} of {total} units)").format(checked=checked, total=total)


@message("uniqueness_not_checked")
def uniqueness_not_checked(note: Any) -> str:
    return _("uniqueness not checked: {note}").format(note=note)


@message("uniqueness_unique")
def uniqueness_unique(checked: int, total: int) -> str:
    return _("unique: no other optimal plan gives any unit other senior or senior+intermediate "
             "posts{scope}").format(scope=_checked_scope(checked, total))


@message("uniqueness_not_unique")
def uniqueness_not_unique(unit_ids: Sequence[str], checked: int, total: int,
                          tie_break: Any) -> str:
    scope = _checked_scope(checked, total)
    if unit_ids:
        head = _("not unique: {count} unit(s) could get other senior or senior+intermediate "
                 "posts in another optimal plan ({units}){scope}").format(
            count=len(unit_ids), units=_ids(unit_ids, 8), scope=scope)
    else:
        head = _("uniqueness unknown{scope}").format(scope=scope)
    return _("{head}; this plan was chosen by: {rule}").format(head=head, rule=tie_break)


@message("uniqueness_no_plan")
def uniqueness_no_plan() -> str:
    return _("there is no proven-optimal plan to compare with")


@message("uniqueness_out_of_time")
def uniqueness_out_of_time(checked: int, targets: int, seconds: float, max_units: int,
                           total: int) -> str:
    text = _("checked {checked} of {targets} units before the {seconds} s budget ran out "
             "(--time-limit); the rest unknown").format(checked=checked, targets=targets,
                                                        seconds=f"{seconds:g}")
    if targets < total:
        text += _(" (and at most {max_units} of the {total} units are checked: "
                  "max_units)").format(max_units=max_units, total=total)
    return text


@message("uniqueness_max_units")
def uniqueness_max_units(checked: int, total: int, max_units: int) -> str:
    return _("checked {checked} of {total} units (max_units = {max_units}); the others may "
             "differ too").format(checked=checked, total=total, max_units=max_units)


@message("unknown_unit")
def unknown_unit(unit_id: str, hint: str | None) -> str:
    tail = _(" (did you mean {hint}?)").format(hint=repr(hint)) if hint else ""
    return _("no unit {unit} in the units table{tail}; give a unit_id of the table, or the "
             "name of one unit").format(unit=repr(unit_id), tail=tail)


# --------------------------------------------------------------------------------------------
# Feasibility conflicts, their fixes, and the elastic relaxation's rules

@message("unit_place")
def unit_place(unit_id: str, name: str, bare: bool = False) -> str:
    """``unit TX011 (石桥镇卫生院)`` (``bare``: ``TX011 (石桥镇卫生院)``); the name only
    when it differs from the id."""
    who = (_("{unit} ({name})").format(unit=unit_id, name=name) if name and name != unit_id
           else unit_id)
    return who if bare else _("unit {unit}").format(unit=who)


@message("pool_place")
def pool_place(pool: str) -> str:
    return _("pool {pool}").format(pool=pool)


@message("all_units")
def all_units() -> str:
    return _("all units")


@message("ratio_words")
def ratio_words(ratios: Sequence[str], own_type: str | None) -> str:
    """``ratio 1:4:5``; ``ratios 1:4:5 and 1:3:6``; ``ratio 1:3:6 (policy.types.x.ratio)``."""
    if len(ratios) > 1:
        return _("ratios {ratios}").format(ratios=_(" and ").join(ratios))
    if own_type is not None:
        return _("ratio {ratio} (policy.types.{type}.ratio)").format(ratio=ratios[0],
                                                                      type=own_type)
    return _("ratio {ratio}").format(ratio=ratios[0])


@message("units_list")
def units_list(units: Sequence[Message], more: int) -> str:
    text = _(", ").join(map(str, units))
    return text + (_(" and {count} more").format(count=more) if more > 0 else "")


@message("conflict")
def conflict(text: Message, fixes: Sequence[Message]) -> str:
    if not fixes:
        return str(text)
    return _("{conflict}: {fixes}").format(conflict=text,
                                           fixes=_(", or ").join(map(str, fixes)))


@message("conflict_minimum_rules")
def conflict_minimum_rules(where: Message, minimum: tuple[int, int, int],
                           incumbents: tuple[int, int], need: int, posts: int) -> str:
    return _("{where}: minimum rules need {m_s} senior + {m_m} intermediate + {m_j} junior "
             "posts and incumbents hold {i_s} senior + {i_m} intermediate posts: together at "
             "least {need} posts, but it has {posts}").format(
        where=where, m_s=minimum[0], m_m=minimum[1], m_j=minimum[2], i_s=incumbents[0],
        i_m=incumbents[1], need=need, posts=posts)


def _raised_by_minimum(cap: int, refs: Sequence[int] | None) -> str:
    if refs is None:
        return ""
    listed = (", ".join(f"policy.minimum[{k}]" for k in refs) if refs
              else _("the minimum rules"))
    return _(", raised to {cap} by the minimum rules ({refs})").format(cap=cap, refs=listed)


@message("conflict_unit_cap")
def conflict_unit_cap(where: Message, which: str, incumbents: int, ratio: Message, cap: int,
                      posts: int, arithmetic: Message, minimum_refs: Sequence[int] | None) -> str:
    return _("{where} has {incumbents} {which} incumbents but the {ratio} {which} cap allows "
             "{cap} of its {posts} posts ({arithmetic})").format(
        where=where, incumbents=incumbents, which=level_word(which), ratio=ratio, cap=cap,
        posts=posts, arithmetic=str(arithmetic) + _raised_by_minimum(cap, minimum_refs))


def _pool_words(arithmetic: Message, cap: int, grandfathered: bool) -> str:
    return str(arithmetic) + (_(", raised to {cap} for the grandfathered incumbents").format(
        cap=cap) if grandfathered else "")


@message("conflict_pool_incumbents")
def conflict_pool_incumbents(where: Message, which: str, incumbents: int, ratio: Message,
                             cap: int, arithmetic: Message, grandfathered: bool) -> str:
    return _("{where}: its units have {incumbents} {which} incumbents but the pooled {ratio} "
             "{which} cap is {cap} ({arithmetic})").format(
        where=where, incumbents=incumbents, which=level_word(which), ratio=ratio, cap=cap,
        arithmetic=_pool_words(arithmetic, cap, grandfathered))


@message("conflict_pool_minimum")
def conflict_pool_minimum(where: Message, which: str, need: int, incumbents: int,
                          units: Message, ratio: Message, cap: int, arithmetic: Message,
                          grandfathered: bool) -> str:
    return _("{where}: minimum rules and incumbents need {need} {which} posts ({incumbents} "
             "held by incumbents, {more} more for the minimum rules at {units}), the pooled "
             "{ratio} {which} cap is {cap} ({arithmetic})").format(
        where=where, need=need, which=level_word(which), incumbents=incumbents,
        more=need - incumbents, units=units, ratio=ratio, cap=cap,
        arithmetic=_pool_words(arithmetic, cap, grandfathered))


@message("conflict_budget")
def conflict_budget(max_increase: Fraction, cheapest: Fraction) -> str:
    what = (_("a plan that appoints nobody costs 0") if cheapest == 0 else
            _("even the cheapest plan costs {cost}").format(cost=exact(cheapest)))
    return _("budget: max_increase is {amount}, below what any plan costs ({what})").format(
        amount=exact(max_increase), what=what)


@message("fix_grandfather")
def fix_grandfather() -> str:
    return _('set incumbents = "grandfather"')


@message("fix_total")
def fix_total(posts: int) -> str:
    return _("raise its total_posts to {posts}").format(posts=posts)


@message("fix_lower_minimum")
def fix_lower_minimum(level: str, number: int, posts: int, grandfather: bool = False) -> str:
    if grandfather:
        return _('set incumbents = "grandfather" and lower the {level} minimum '
                 "(policy.minimum[{number}]) to {posts} post(s)").format(
            level=level_word(level), number=number, posts=posts)
    return _("lower the {level} minimum (policy.minimum[{number}]) to {posts} post(s)").format(
        level=level_word(level), number=number, posts=posts)


@message("fix_exempt")
def fix_exempt(number: int, posts: int) -> str:
    return _("set policy.minimum[{number}].when_total_at_least to {posts}").format(
        number=number, posts=posts)


@message("fix_raise_key")
def fix_raise_key(key: str, value: str) -> str:
    return _("raise {key} to {value}").format(key=key, value=value)


@message("fix_unit_scope")
def fix_unit_scope() -> str:
    return _('use scope = "unit" (there a minimum lifts the unit\'s own cap)')


@message("fix_add_posts")
def fix_add_posts(posts: int, unit: Message, which: str) -> str:
    return _("add {posts} post(s) to {unit}, whose {which} share is the pool's "
             "largest").format(posts=posts, unit=unit, which=level_word(which))


@message("fix_budget")
def fix_budget(amount: Fraction) -> str:
    return _("raise budget.max_increase to {amount} or more").format(amount=exact(amount))
