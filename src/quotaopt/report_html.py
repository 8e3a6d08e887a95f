"""A :class:`~quotaopt.compare.Comparison` as one self-contained HTML page (``report.html``):
no scripts, no web fonts, no CDN; the charts are inline SVG (:mod:`quotaopt.report_charts`).
The page is also well-formed XML, and the same comparison gives the same bytes."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .compare import Comparison
from .i18n import N_, _, language
from .meta import __version__
from .report_cells import (
    CHANGE_MEASURES,
    KPI_LIMITS,
    KPI_PLAN,
    delta_text,
    isna,
    label,
    other_costs,
    status_text,
    value_text,
)
from .report_charts import (
    chart_by_type,
    chart_caps,
    chart_kpi,
    chart_unit_changes,
    require_matplotlib,
    variant_colors,
)

_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",system-ui,sans-serif;
 margin:0;color:#222;background:#fff;font-size:14px}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:36px 0 8px;
 border-bottom:2px solid #1f77b4;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#555;font-size:13px}.note{color:#555;font-size:13px;margin:6px 0}
.warn{background:#fff4e5;border-left:4px solid #e67e22;padding:8px 12px;margin:12px 0}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0 4px}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f3f5f8;font-weight:600;vertical-align:bottom;white-space:normal;max-width:110px}
td.l,th.l{text-align:left}tr.base td{background:#f7f7f7}
.scroll{overflow-x:auto}.up{color:#1f5fa8}.down{color:#b35900}
.d{font-size:11px;margin-left:3px}.status-bad{color:#c0392b;font-weight:600}
.chart svg{width:100%;height:auto;display:block;margin:8px 0}
ul.rules{margin:4px 0 10px;padding-left:22px}ul.rules li{margin:2px 0}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
.grid{display:flex;flex-wrap:wrap;gap:18px}.grid>div{flex:1 1 330px}
footer{margin-top:40px;color:#666;font-size:12px;border-top:1px solid #ddd;padding-top:8px}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _hcell(value: Any, delta: Any, money: bool = False) -> str:
    d = delta_text(delta, money)
    span = ""
    if d:
        cls = "up" if d.startswith("+") else "down"
        span = f'<span class="d {cls}">{_e(d)}</span>'
    return f"<td>{_e(value_text(value, money))}{span}</td>"


def _delta_cell(delta: Any) -> str:
    d = delta_text(delta)
    cls = "up" if d.startswith("+") else "down"
    return f'<td class="{cls}">{_e(d)}</td>'


def _status_html(status: str) -> str:
    cls = "" if status == "optimal" else ' class="status-bad"'
    return f"<span{cls}>{_e(status_text(status))}</span>"


def _html_kpi_table(comp: Comparison, colors: dict[str, str], metrics: Sequence[str],
                    with_status: bool) -> str:
    head = "".join(f"<th>{_e(label(m))}</th>" for m in metrics)
    rows = []
    for n in comp.variants:
        r = comp.kpi.loc[n]
        cls = ' class="base"' if n == comp.baseline else ""
        cells = "".join(_hcell(r[m], r[f"{m}_delta"], m == "promotion_cost") for m in metrics)
        status = f'<td class="l">{_status_html(r["status"])}</td>' if with_status else ""
        rows.append(f'<tr{cls}><td class="l"><span class="swatch" style="background:'
                    f'{colors[n]}"></span>{_e(n)}</td>{status}{cells}</tr>')
    status, variant = _e(_("status")), _e(_("variant"))
    status_head = f'<th class="l">{status}</th>' if with_status else ""
    return (f'<div class="scroll"><table><thead><tr><th class="l">{variant}</th>'
            f"{status_head}"
            f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _html_by_type_table(comp: Comparison) -> str:
    metrics = ("units", "total_posts", "posts_senior", "posts_intermediate", "posts_junior",
               "appointed_senior", "appointed_intermediate", "waiting_left_senior",
               "waiting_left_intermediate", "vacant_senior", "vacant_intermediate",
               "vacant_junior", "units_over_ratio")
    head = "".join(f"<th>{_e(label(m))}</th>" for m in metrics)
    rows, last = [], None
    for (t, n), r in comp.by_type.iterrows():
        cls = ' class="base"' if n == comp.baseline else ""
        first = f"<strong>{_e(t)}</strong>" if t != last else ""
        last = t
        cells = "".join(_hcell(r[m], r[f"{m}_delta"]) for m in metrics)
        rows.append(f'<tr{cls}><td class="l">{first}</td><td class="l">{_e(n)}</td>'
                    f"{cells}</tr>")
    type_, variant = _e(_("type")), _e(_("variant"))
    return (f'<div class="scroll"><table><thead><tr><th class="l">{type_}</th>'
            f'<th class="l">{variant}</th>{head}</tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></div>")


def _html_movers(comp: Comparison, top: int) -> str:
    cols = ("units_compared", "units_gaining_senior", "units_losing_senior",
            "units_gaining_senior_intermediate", "units_losing_senior_intermediate",
            "units_appointments_changed", "units_added", "units_removed")
    heads = (N_("units compared"), N_("gain senior"), N_("lose senior"),
             N_("gain senior + intermediate"), N_("lose senior + intermediate"),
             N_("appointments change"), N_("added"), N_("removed"))
    head = "".join("<th>" + _e(_(h)) + "</th>" for h in heads)
    rows = []
    for n, r in comp.movers.iterrows():
        rows.append(f'<tr><td class="l">{_e(n)}</td>'
                    + "".join(f"<td>{_e(value_text(r[c]))}</td>" for c in cols) + "</tr>")
    variant = _e(_("variant"))
    parts = [f'<div class="scroll"><table><thead><tr><th class="l">{variant}</th>'
             f"{head}</tr>"
             f'</thead><tbody>{"".join(rows)}</tbody></table></div>']
    for n in comp.others:
        if isna(comp.movers.loc[n, "units_compared"]):
            continue
        boxes = [_largest_changes(comp, n, measure, title, top)
                 for measure, title in CHANGE_MEASURES]
        parts.append(f'<div class="grid">{"".join(boxes)}</div>')
    return "".join(parts)


def _largest_changes(comp: Comparison, n: str, measure: str, title: str, top: int) -> str:
    """The ``top`` units of variant ``n`` whose ``measure`` changes most, as a titled box."""
    t = comp.top_changes(n, measure, top)
    if t.empty:
        body = '<p class="note">' + _e(_("no unit changes")) + "</p>"
    else:
        trs = "".join(
            f'<tr><td class="l">{_e(r.unit_id)}</td><td class="l">{_e(r.name)}</td>'
            f'<td class="l">{_e(r.type)}</td>{_delta_cell(r[-1])}</tr>'
            for r in t.itertuples(index=False))
        unit, name, kind, change = (_e(_("unit")), _e(_("name")), _e(_("type")),
                                    _e(_("change")))
        body = (f'<table><thead><tr><th class="l">{unit}</th>'
                f'<th class="l">{name}</th>'
                f'<th class="l">{kind}</th><th>{change}</th></tr>'
                f"</thead><tbody>{trs}</tbody></table>")
    head3 = _("{variant}: largest changes in {what}").format(variant=n, what=_(title))
    return f"<div><h3>{_e(head3)}</h3>{body}</div>"


def _html_rules(comp: Comparison, colors: dict[str, str]) -> str:
    items = []
    for n in comp.others:
        changes = comp.rule_diff[n]
        lis = "".join(f"<li>{_e(c)}</li>" for c in changes) or \
            "<li>" + _e(_("no change in the rules")) + "</li>"
        items.append(f'<h3><span class="swatch" style="background:{colors[n]}"></span>'
                     f'{_e(n)}</h3><ul class="rules">{lis}</ul>')
    return "".join(items)


def _failed_warning(comp: Comparison) -> str:
    """The warning box listing the variants without a proven optimal plan ("" if none)."""
    failed = [n for n in comp.variants if comp.kpi.loc[n, "status"] != "optimal"]
    if not failed:
        return ""
    lis = "".join(f"<li><strong>{_e(n)}</strong>: "
                  f"{_status_html(comp.kpi.loc[n, 'status'])} — "
                  f"{_e(comp.kpi.loc[n, 'reason'])}</li>" for n in failed)
    return ('<div class="warn">' + _(
        "Not every variant has a proven optimal plan; their figures are missing (—) or, "
        "if NOT PROVEN, may still improve:") + f"<ul>{lis}"
            "</ul></div>")


def _cost_note(comp: Comparison) -> str:
    """What the promotion cost is and at whose costs it is priced ("" when nothing is)."""
    basis = sorted({b for b in comp.kpi["promotion_cost_basis"] if b})
    if not basis:
        return ""
    return ('<p class="note">' + _(
        "Promotion cost is the extra yearly pay of the appointments (senior − "
        "intermediate pay per senior appointment, intermediate − junior per intermediate "
        "one), at the costs of the variant's own [budget], else of variant {variants}.")
        .format(variants=_e(", ".join(basis)))
            + ("" if not other_costs(comp) else " " + _(
                "No change is shown for {variants}: priced at other costs than "
                "{baseline}.").format(variants=_e(", ".join(other_costs(comp))),
                                      baseline=_e(comp.baseline)))
            + "</p>")


def _sections(comp: Comparison, top: int) -> str:
    """The four sections of the page, each an introduction, one chart and its tables."""
    colors = variant_colors(comp)
    b = _e(comp.baseline)
    strong = f"<strong>{b}</strong>"
    # (id, title, text before the chart, the chart, what follows it); one chart per section
    sections = [
        ("rules", _("1. What each variant changes"),
         '<p class="note">' + _(
             "Derived from the scenario: each variant's resolved rules compared with those of "
             "{baseline}. The chart shows the caps these rules put on the senior and "
             "senior+intermediate posts, summed over units (or pools).").format(
             baseline=strong) + "</p>"
         + _html_rules(comp, colors), chart_caps(comp), ""),
        ("kpi", _("2. Key figures"),
         '<p class="note">' + _(
             "Small coloured numbers are the change against {baseline} (blue: higher, "
             "orange: lower — neither good nor bad by itself); none means unchanged. “Still "
             "waiting” counts title-holders left without a post of their level.").format(
             baseline=strong) + "</p>" + _failed_warning(comp), chart_kpi(comp),
         _html_kpi_table(comp, colors, KPI_PLAN, True)
         + _html_kpi_table(comp, colors, KPI_LIMITS, False) + _cost_note(comp)),
        ("by-type", _("3. By unit type"),
         '<p class="note">' + _("Sums over the units of each type; changes against "
                                "{baseline}.").format(baseline=b) + "</p>",
         chart_by_type(comp), _html_by_type_table(comp)),
        ("units", _("4. Units that gain or lose"),
         '<p class="note">' + _(
             "Per unit, posts and appointments of each variant minus those of {baseline}. "
             "The full list is unit_diff.csv / the “unit diff” sheet.").format(
             baseline=b) + "</p>",
         chart_unit_changes(comp), _html_movers(comp, top)),
    ]
    return "".join(
        f'<section id="{sid}"><h2>{_e(title)}</h2>{intro}<div class="chart">{chart}</div>'
        f"{after}</section>"
        for sid, title, intro, chart, after in sections)


def render_html(comp: Comparison, top: int = 5) -> str:
    """The whole report as one self-contained HTML (also well-formed XML) document."""
    require_matplotlib()
    names = ", ".join(comp.others) or _("none")
    strong = f"<strong>{_e(comp.baseline)}</strong>"
    body = _sections(comp, top)
    lang = "zh-CN" if language() == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        "<title>" + _("quotaopt compare — {scenario}").format(scenario=_e(comp.scenario))
        + f"</title><style>{_CSS}</style></head><body><main><h1>"
        + _("Policy variants compared — {scenario}").format(scenario=_e(comp.scenario))
        + '</h1><p class="meta">' + _(
            "baseline {baseline} · variants {variants} · every plan solved exactly (integer "
            "programme); figures are sums over all units").format(
            baseline=strong, variants=_e(names)) + "</p>"
        + f"{body}<footer>"
        + _("quotaopt {version} · input {input} · statuses: {statuses}").format(
            version=_e(__version__), input=_e(comp.input_hash),
            statuses=_e(", ".join(f"{n} {status_text(comp.kpi.loc[n, 'status'])}"
                                  for n in comp.variants)))
        + "</footer></main></body></html>\n"
    )
