"""Terminal text of a solve and of a scenario: ``quotaopt run``'s summary table,
``quotaopt validate``'s description of each variant, and the status lines of run and
compare — and :func:`text_table`, the one layout of a terminal table (the comparison's too).
The CLI prints these; it builds no sentence of its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from .backends import Status
from .caps import compute_limits
from .i18n import _
from .messages import render, setting_word
from .numfmt import exact, share
from .policy import LEVEL_WORDS, Scope
from .result import PlanFigures, Result, json_number
from .scenario import Scenario
from .units import defaulted_columns


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (a wide East Asian character two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(rows: Sequence[Sequence[Any]], header: Sequence[str], left: int = 2) -> str:
    """Rows under a header and a rule, columns padded to their display width (a Chinese
    character takes two columns); the first ``left`` columns left-aligned, the rest right."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for k, r in enumerate(cells):
        parts = []
        for i, c in enumerate(r):
            pad = " " * (widths[i] - _width(c))
            parts.append(c + pad if i < left else pad + c)
        lines.append("  ".join(parts).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def describe_variant(sc: Scenario, name: str) -> str:
    """A variant as ``quotaopt validate`` describes it: its units, rules, shares and caps."""
    v = sc.variant(name)
    u, pol = v.units, v.policy
    lim = compute_limits(pol, u)
    types = sorted(set(u["type"].astype(str)))
    lines = [
        _("[{name}] units {units} · pools {pools} · types {types} · total posts {posts}").format(
            name=name, units=len(u), pools=len(lim.pool_names), types=len(types),
            posts=int(u["total_posts"].sum())),
        "  " + _("ratio {ratio} · scope {scope} · rounding {rounding} · junior_to_intermediate "
                 "{jti} · incumbents {incumbents}").format(
            ratio=pol.ratio, scope=setting_word(pol.scope), rounding=setting_word(pol.rounding),
            jti=pol.junior_to_intermediate, incumbents=setting_word(pol.incumbents)),
        "  " + _("weights senior {senior}, intermediate {intermediate}").format(
            senior=pol.weight_senior, intermediate=pol.weight_intermediate)
        + (_(" · a budget per pool") if pol.budget and pol.budget.per_pool else
           _(" · budget max_increase {amount}").format(amount=pol.budget.max_increase)
           if pol.budget else _(" · no budget"))
        + _(" · solver {solver}").format(solver=v.solver.backend or _("default")),
    ]
    if pol.budget is not None and pol.budget.per_pool:
        lines.append("  " + pool_budget_line(pol.budget.pools, pol.budget.pools_source,
                                             pol.budget.appointment_costs))
    if pol.at_least_one:
        lines.append("  at_least_one (不足1个按1个): "
                     + ", ".join(_(LEVEL_WORDS[level.value]) for level in pol.at_least_one))
    for rule in pol.minimum:
        lines.append("  " + _("minimum: {rule}").format(rule=rule.describe()))
    if defaulted_columns(u):
        lines.append(render("defaulted_columns", {"columns": defaulted_columns(u)}))
    rows = []
    for t in types:
        sh = pol.shares_for(t)
        mask = (u["type"].astype(str) == t).to_numpy()
        rows.append([t, int(mask.sum()), int(u["total_posts"][mask].sum()),
                     share(sh.senior), share(sh.intermediate), share(sh.junior),
                     share(sh.senior_intermediate_cap_share)])
    lines.append(_indent(text_table(rows, [_("type"), _("units"), _("posts"), _("senior share"),
                                           _("intermediate share"), _("junior share"),
                                           _("senior+intermediate cap")], left=1)))
    if pol.scope is Scope.POOL:
        cs, csm = int(lim.pool_cap_s.sum()), int(lim.pool_cap_sm.sum())
        where = _("summed over pools")
    else:
        cs, csm = int(lim.cap_s.sum()), int(lim.cap_sm.sum())
        where = _("summed over units")
    lines.append("  " + _("caps ({where}): senior {senior} · senior+intermediate {both}").format(
        where=where, senior=cs, both=csm))
    return "\n".join(lines)


def render_validation(sc: Scenario, path: Path, infeasible: Mapping[str, list[str]]) -> str:
    """``quotaopt validate``'s report on stdout: the scenario is fine (or how many variants
    fail a feasibility condition), then each variant described."""
    head = {"path": str(path), "name": sc.name, "variants": sc.variant_names}
    lines = [render("validate_infeasible_head", {**head, "count": len(infeasible)})
             if infeasible else render("scenario_ok", head)]
    for name in sc.variant_names:
        lines += ["", describe_variant(sc, name)]
    return "\n".join(lines)


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


def render_summary(res: Result) -> str:
    """``quotaopt run``'s summary: status and solver, the table by level and by type, the
    objective and the budget."""
    lines = _run_head(res)
    if res.allocation is None or res.figures.plan is None:
        return "\n".join(lines)
    s, plan = res.figures, res.figures.plan
    assert s.policy is not None
    lines.append(_("units {units} · pools {pools} · total posts {posts} · ratio {ratio} · "
                   "scope {scope}").format(units=s.units, pools=s.pools,
                                           posts=plan.totals.total_posts,
                                           ratio=s.policy.ratio,
                                           scope=setting_word(s.policy.scope.value)))
    lines += ["", _level_table(res.allocation, plan), "", _type_table(plan), ""]
    lines += _objective_lines(plan)
    return "\n".join(lines)


def _run_head(res: Result) -> list[str]:
    """Scenario and variant, the status with the solver and its time, the method's split."""
    s = res.figures
    solver = s.solver
    assert solver is not None and s.policy is not None
    status = {"optimal": _("optimal (proven, gap 0)"),
              "not_proven": _("NOT PROVEN optimal (time limit)"),
              "infeasible": _("infeasible"), "no_solution": _("no plan found")}[res.status.value]
    lines = [
        _("scenario {scenario} · variant {variant}").format(scenario=s.scenario,
                                                            variant=s.variant),
        _("status: {status} · solver {backend} ({version}) · {seconds} s").format(
            status=status, backend=solver.backend, version=solver.version,
            seconds=f"{solver.seconds:.2f}"),
    ]
    if solver.method is not None:
        lines.append(_("method {method}: {structured} units by the exact structured method, "
                       "{mip} by the MIP").format(method=solver.method,
                                                  structured=solver.units_structured,
                                                  mip=solver.units_mip))
    return lines


def _level_table(a: pd.DataFrame, plan: PlanFigures) -> str:
    """Posts, caps, incumbents, appointments, who waits and vacancies per level."""
    sen, inter = plan.senior, plan.intermediate
    rows = [
        [_("senior"), int(a["posts_senior"].sum()), plan.caps.senior,
         int(a["senior_incumbents"].sum()), sen.appointed, sen.waiting, sen.left,
         int(a["vacant_senior"].sum())],
        [_("intermediate"), int(a["posts_intermediate"].sum()),
         _("(s+m {cap})").format(cap=plan.caps.senior_intermediate),
         int(a["intermediate_incumbents"].sum()),
         inter.appointed, inter.waiting, inter.left, int(a["vacant_intermediate"].sum())],
        [_("junior"), int(a["posts_junior"].sum()), "", int(a["junior_incumbents"].sum()),
         "", "", "", int(a["vacant_junior"].sum())],
    ]
    return text_table(rows, [_("level"), _("posts"), _("cap"), _("incumbents"),
                             _("appointed"), _("waiting"), _("waiting left"),
                             _("vacant")], left=1)


def _type_table(plan: PlanFigures) -> str:
    """Units, posts and appointments (of those waiting) per unit type."""
    trows = []
    for t, d in plan.by_type.items():
        trows.append([t, d.units, d.total_posts, d.posts_senior, d.posts_intermediate,
                      d.posts_junior, f"{d.appointed_senior}/{d.waiting_senior}",
                      f"{d.appointed_intermediate}/{d.waiting_intermediate}"])
    return text_table(trows, [_("type"), _("units"), _("posts"), _("senior"),
                              _("intermediate"), _("junior"), _("appointed senior"),
                              _("appointed intermediate")], left=1)


def _objective_lines(plan: PlanFigures) -> list[str]:
    """The objective's values, the units over the ratio, the promotion cost and budget."""
    obj = plan.objective
    lines = [_("objective: weighted appointments {weighted} · distance from the base "
               "caps {distance}").format(weighted=obj.weighted_appointments,
                                         distance=obj.distance_from_base_caps)
             + ("" if obj.distance_from_quotas is None else
                _(" · distance from the pool quotas {distance}").format(
                    distance=round(obj.distance_from_quotas, 9)))]
    if plan.units_over_ratio:
        lines.append(_("units over ratio (grandfathered): {count}").format(
            count=plan.units_over_ratio))
    if plan.promotion_cost is not None and plan.pool_budgets:
        pool, amount, used = min(plan.pool_budgets, key=lambda t: (t[1] - t[2], t[0]))
        lines.append(_("promotion cost {cost} within each pool's own budget ({total} in all, "
                       "{pools} pools; least left: {left} in pool {pool})").format(
            cost=json_number(plan.promotion_cost),
            total=json_number(sum((t[1] for t in plan.pool_budgets), Fraction(0))),
            pools=len(plan.pool_budgets), left=json_number(amount - used), pool=pool))
    elif plan.promotion_cost is not None and plan.budget_max_increase is not None:
        lines.append(_("promotion cost {cost} of budget {budget}").format(
            cost=json_number(plan.promotion_cost), budget=json_number(plan.budget_max_increase)))
    return lines


def pool_budget_line(pools: Mapping[str, Fraction], source: str | None,
                     costs: tuple[Fraction, Fraction], shown: int = 8) -> str:
    """One line naming each pool's own budget (the first ``shown`` pools by name)."""
    names = sorted(pools)
    listed = " · ".join(f"{p} {exact(pools[p])}" for p in names[:shown])
    if len(names) > shown:
        listed += " " + _("… and {count} more").format(count=len(names) - shown)
    return _("budget per pool (from {source}; an appointment costs senior {senior}, "
             "intermediate {intermediate} more): {pools}").format(
        source=source or "[budget.pools]", senior=exact(costs[0]), intermediate=exact(costs[1]),
        pools=listed)


def status_error(res: Result) -> str | None:
    """The error line of a run that did not end with a proven optimal plan, else None."""
    if res.status is Status.INFEASIBLE:
        return render("run_infeasible", {"reasons": res.reasons})
    if res.status is Status.NOT_PROVEN:
        return render("run_not_proven", {})
    if res.status is Status.NO_SOLUTION:
        return render("run_no_solution", {"message": res.message})
    return None


def compare_status_error(statuses: Mapping[str, Status]) -> str | None:
    """The error line of a comparison with a variant not proven optimal, else None."""
    failed = tuple((n, s.value) for n, s in statuses.items() if s is not Status.OPTIMAL)
    return render("compare_not_all_optimal", {"failed": failed}) if failed else None
