"""Terminal text of a solve and of a scenario: ``quotaopt run``'s summary table,
``quotaopt validate``'s description of each variant, and the status lines of run and
compare. The CLI prints these; it builds no sentence of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from .backends import Status
from .caps import compute_limits
from .messages import render
from .numfmt import share
from .policy import Scope
from .report import text_table
from .result import Result, json_number
from .scenario import Scenario
from .units import defaulted_columns


def describe_variant(sc: Scenario, name: str) -> str:
    v = sc.variant(name)
    u, pol = v.units, v.policy
    lim = compute_limits(pol, u)
    types = sorted(set(u["type"].astype(str)))
    lines = [
        f"[{name}] units {len(u)} · pools {len(lim.pool_names)} · types {len(types)} · "
        f"total posts {int(u['total_posts'].sum())}",
        f"  ratio {pol.ratio} · scope {pol.scope} · rounding {pol.rounding} · "
        f"junior_to_intermediate {pol.junior_to_intermediate} · incumbents {pol.incumbents}",
        f"  weights senior {pol.weight_senior}, intermediate {pol.weight_intermediate}"
        + (f" · budget max_increase {pol.budget.max_increase}" if pol.budget else " · no budget")
        + f" · solver {v.solver.backend or 'default'}",
    ]
    if pol.at_least_one:
        lines.append("  at_least_one (不足1个按1个): "
                     + ", ".join(level.value for level in pol.at_least_one))
    for rule in pol.minimum:
        lines.append(f"  minimum: {rule.describe()}")
    if defaulted_columns(u):
        lines.append(render("defaulted_columns", {"columns": defaulted_columns(u)}))
    rows = []
    for t in types:
        sh = pol.shares_for(t)
        mask = (u["type"].astype(str) == t).to_numpy()
        rows.append([t, int(mask.sum()), int(u["total_posts"][mask].sum()),
                     share(sh.senior), share(sh.intermediate), share(sh.junior),
                     share(sh.senior_intermediate_cap_share)])
    lines.append(_indent(text_table(rows, ["type", "units", "posts", "senior share",
                                           "intermediate share", "junior share",
                                           "senior+intermediate cap"], left=1)))
    if pol.scope is Scope.POOL:
        cs, csm = int(lim.pool_cap_s.sum()), int(lim.pool_cap_sm.sum())
        where = "summed over pools"
    else:
        cs, csm = int(lim.cap_s.sum()), int(lim.cap_sm.sum())
        where = "summed over units"
    lines.append(f"  caps ({where}): senior {cs} · senior+intermediate {csm}")
    return "\n".join(lines)


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


def render_summary(res: Result) -> str:
    s = res.figures
    solver = s.solver
    assert solver is not None and s.policy is not None
    status = {"optimal": "optimal (proven, gap 0)",
              "not_proven": "NOT PROVEN optimal (time limit)",
              "infeasible": "infeasible", "no_solution": "no plan found"}[res.status.value]
    lines = [
        f"scenario {s.scenario} · variant {s.variant}",
        f"status: {status} · solver {solver.backend} ({solver.version}) · "
        f"{solver.seconds:.2f} s",
    ]
    if solver.method is not None:
        lines.append(f"method {solver.method}: {solver.units_structured} units by the "
                     f"exact structured method, {solver.units_mip} by the MIP")
    if res.allocation is None or s.plan is None:
        return "\n".join(lines)
    a, plan = res.allocation, s.plan
    lines.append(f"units {s.units} · pools {s.pools} · total posts "
                 f"{plan.totals.total_posts} · ratio {s.policy.ratio} · "
                 f"scope {s.policy.scope.value}")
    sen, inter = plan.senior, plan.intermediate
    rows = [
        ["senior", int(a["posts_senior"].sum()), plan.caps.senior,
         int(a["senior_incumbents"].sum()), sen.appointed, sen.waiting, sen.left,
         int(a["vacant_senior"].sum())],
        ["intermediate", int(a["posts_intermediate"].sum()),
         f"(s+m {plan.caps.senior_intermediate})", int(a["intermediate_incumbents"].sum()),
         inter.appointed, inter.waiting, inter.left, int(a["vacant_intermediate"].sum())],
        ["junior", int(a["posts_junior"].sum()), "", int(a["junior_incumbents"].sum()),
         "", "", "", int(a["vacant_junior"].sum())],
    ]
    lines += ["", text_table(rows, ["level", "posts", "cap", "incumbents", "appointed",
                                    "waiting", "waiting left", "vacant"], left=1)]
    trows = []
    for t, d in plan.by_type.items():
        trows.append([t, d.units, d.total_posts, d.posts_senior, d.posts_intermediate,
                      d.posts_junior, f"{d.appointed_senior}/{d.waiting_senior}",
                      f"{d.appointed_intermediate}/{d.waiting_intermediate}"])
    lines += ["", text_table(trows, ["type", "units", "posts", "senior", "intermediate",
                                     "junior", "appointed senior", "appointed intermediate"],
                             left=1)]
    obj = plan.objective
    lines += ["", f"objective: weighted appointments {obj.weighted_appointments} · "
                  f"distance from the base caps {obj.distance_from_base_caps}"
                  + ("" if obj.distance_from_quotas is None else
                     f" · distance from the pool quotas {round(obj.distance_from_quotas, 9)}")]
    if plan.units_over_ratio:
        lines.append(f"units over ratio (grandfathered): {plan.units_over_ratio}")
    if plan.promotion_cost is not None and plan.budget_max_increase is not None:
        lines.append(f"promotion cost {json_number(plan.promotion_cost)} of budget "
                     f"{json_number(plan.budget_max_increase)}")
    return "\n".join(lines)


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
