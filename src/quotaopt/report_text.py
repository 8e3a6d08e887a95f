"""A :class:`~quotaopt.compare.Comparison` as terminal text (``quotaopt compare``): what each
variant changes in the rules, the key figures with their change, the same by unit type, and
the units that gain or lose posts."""

from __future__ import annotations

from collections.abc import Sequence

from .compare import Comparison
from .i18n import N_, _
from .report_cells import (
    KPI_LIMITS,
    KPI_PLAN,
    cell_text,
    delta_text,
    isna,
    other_costs,
    status_text,
)
from .text import text_table

#: Short column heads of the terminal tables (they must fit a terminal's width).
_SHORT = {
    "posts_senior": N_("senior"), "posts_intermediate": N_("intermediate"),
    "posts_junior": N_("junior"),
    "appointed_senior": N_("appt senior"), "appointed_intermediate": N_("appt interm."),
    "waiting_left_senior": N_("wait senior"), "waiting_left_intermediate": N_("wait interm."),
    "cap_senior": N_("cap senior"), "cap_senior_intermediate": N_("cap s+m"),
    "vacant_senior": N_("vacant senior"), "vacant_intermediate": N_("vacant interm."),
    "vacant_junior": N_("vacant junior"), "units_over_ratio": N_("over ratio"),
    "promotion_cost": N_("promotion cost"),
}


def _short(metric: str) -> str:
    return _(_SHORT[metric])


def _kpi_text(comp: Comparison, metrics: Sequence[str], with_status: bool) -> str:
    rows = []
    for n in comp.variants:
        row = comp.kpi.loc[n]
        cells = [n, status_text(row["status"])] if with_status else [n, ""]
        cells += [cell_text(row[m], row[f"{m}_delta"], money=m == "promotion_cost")
                  for m in metrics]
        rows.append(cells if with_status else [cells[0], *cells[2:]])
    header = [_("variant"), _("status")] if with_status else [_("variant")]
    return text_table(rows, header + [_short(m) for m in metrics], left=len(header))


def render_text(comp: Comparison, top: int = 3) -> str:
    """The comparison as terminal text: rule changes, KPI tables, per type, movers."""
    n_ok = sum(1 for n in comp.variants if comp.kpi.loc[n, "status"] == "optimal")
    lines = [
        _("scenario {scenario} · baseline {baseline} · {count} variant(s) compared · {ok} of "
          "{total} solved to proven optimality").format(
            scenario=comp.scenario, baseline=comp.baseline, count=len(comp.others), ok=n_ok,
            total=len(comp.variants)),
        "",
        _("What each variant changes (vs {baseline}):").format(baseline=comp.baseline),
    ]
    for n in comp.others:
        changes = comp.rule_diff[n]
        lines.append(f"  {n}:" + ("" if changes else " " + _("no change in the rules")))
        lines += [f"    - {c}" for c in changes]
    lines += ["", _("Key figures — in brackets the change vs {baseline} (no bracket: "
                    "unchanged)").format(baseline=comp.baseline),
              _kpi_text(comp, KPI_PLAN, True), "", _kpi_text(comp, KPI_LIMITS, False)]
    basis = comp.kpi["promotion_cost_basis"]
    priced = {b for b in basis if b}
    if priced:
        lines.append(_("promotion cost: extra yearly pay of the appointments, at the costs of "
                       "the variant's own [budget], else of variant {variants}").format(
            variants=", ".join(sorted(priced))))
        if other_costs(comp):
            lines.append("  " + _("no change shown for {variants}: priced at other costs "
                                  "than {baseline}").format(
                variants=", ".join(other_costs(comp)), baseline=comp.baseline))
    failed = [n for n in comp.variants if comp.kpi.loc[n, "status"] != "optimal"]
    if failed:
        lines += ["", _("Variants without a proven optimal plan:")]
        for n in failed:
            row = comp.kpi.loc[n]
            lines.append(f"  {n}: {status_text(row['status'])} — {row['reason']}")
    lines += ["", _("By unit type"), _by_type_text(comp), "",
              _("Units that gain or lose (vs {baseline})").format(baseline=comp.baseline)]
    if comp.results[comp.baseline].allocation is None:
        lines.append("  " + _("the baseline {baseline} has no plan: nothing to compare").format(
            baseline=comp.baseline))
    else:
        for n in comp.others:
            lines += _movers_text(comp, n, top)
    return "\n".join(lines)


def _by_type_text(comp: Comparison) -> str:
    metrics = ("units", "posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
               "appointed_intermediate", "waiting_left_senior", "waiting_left_intermediate")
    rows = []
    last = None
    for (t, n), row in comp.by_type.iterrows():
        rows.append([t if t != last else "", n]
                    + [cell_text(row[m], row[f"{m}_delta"]) for m in metrics])
        last = t
    return text_table(rows, [_("type"), _("variant"), _("units")]
                      + [_short(m) for m in metrics[1:]])


def _movers_text(comp: Comparison, n: str, top: int) -> list[str]:
    mv = comp.movers.loc[n]
    if isna(mv["units_compared"]):
        return [f"  {n}: " + _("no plan to compare")]

    def largest(measure: str) -> str:
        t = comp.top_changes(n, measure, top)
        if t.empty:
            return ""
        return _("; largest: {units}").format(units=", ".join(
            f"{r.unit_id} {r.name} {delta_text(r[-1])}" for r in t.itertuples(index=False)))

    out = [f"  {n}:"]
    out.append("    " + _("senior posts: {gain} units gain, {lose} lose").format(
        gain=mv["units_gaining_senior"], lose=mv["units_losing_senior"])
        + largest("posts_senior"))
    out.append("    " + _("senior+intermediate posts: {gain} gain, {lose} lose").format(
        gain=mv["units_gaining_senior_intermediate"],
        lose=mv["units_losing_senior_intermediate"]) + largest("posts_senior_intermediate"))
    out.append("    " + _("appointments: change in {count} units").format(
        count=mv["units_appointments_changed"]) + largest("appointed"))
    if mv["units_added"] or mv["units_removed"]:
        out.append("    " + _("units table: {added} added, {removed} removed").format(
            added=mv["units_added"], removed=mv["units_removed"]))
    return out
