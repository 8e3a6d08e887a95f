"""Rendering a :class:`~quotaopt.compare.Comparison`: terminal text, HTML, XLSX and CSV.

Presentation only: every number shown is a cell of the comparison's tables (``kpi``,
``by_type``, ``unit_diff``, ``movers``) or of a result's allocation — nothing is recomputed
here. The HTML report is one self-contained file (no scripts, no web fonts, no CDN); its
charts are inline SVG drawn by matplotlib without pyplot (no GUI backend, no global state),
with fixed ids and no date stamp, so the same comparison gives byte-identical files.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from . import plan_table
from .compare import Comparison
from .errors import QuotaoptError
from .headers import LABELS_ZH, PRESENCE_ZH, STATUS_ZH
from .i18n import N_, _, language
from .messages import render
from .meta import __version__
from .numfmt import money as money_text
from .numfmt import whole
from .output import csv_bytes, sheet_name, write_files, xlsx_bytes
from .result import Result

REPORT_FORMATS = ("html", "xlsx", "csv")
LANGS = ("en", "zh")


class MissingDependencyError(QuotaoptError):
    """An optional library that the requested output needs is not installed (exit code 2)."""

    exit_code = 2


def require_matplotlib() -> None:
    """Raise :class:`MissingDependencyError` (before any solving) if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError(render("matplotlib_missing", {})) from None


# --------------------------------------------------------------------------------------------
# Labels

LABELS_EN: dict[str, str] = {
    "variant": N_("variant"),
    "status": N_("status"),
    "reason": N_("reason"),
    "type": N_("type"),
    "unit_id": N_("unit_id"),
    "name": N_("name"),
    "pool": N_("pool"),
    "presence": N_("presence"),
    "cap_senior": N_("senior cap"),
    "cap_senior_intermediate": N_("senior+intermediate cap"),
    "posts_senior": N_("senior posts"),
    "posts_intermediate": N_("intermediate posts"),
    "posts_junior": N_("junior posts"),
    "posts_senior_intermediate": N_("senior+intermediate posts"),
    "appointed_senior": N_("appointed senior"),
    "appointed_intermediate": N_("appointed intermediate"),
    "appointed": N_("appointed (senior+intermediate)"),
    "waiting_left_senior": N_("still waiting senior"),
    "waiting_left_intermediate": N_("still waiting intermediate"),
    "vacant_senior": N_("vacant senior"),
    "vacant_intermediate": N_("vacant intermediate"),
    "vacant_junior": N_("vacant junior"),
    "units_over_ratio": N_("units over ratio"),
    "promotion_cost": N_("promotion cost / year"),
    "promotion_cost_basis": N_("priced at the costs of"),
    "units": N_("units"),
    "total_posts": N_("total posts"),
}


_SHEETS = {
    "en": {"kpi": "KPI", "by_type": "by type", "unit_diff": "unit diff", "movers": "movers",
           "rules": "rules"},
    "zh": {"kpi": "指标", "by_type": "按单位类型", "unit_diff": "单位变化",
           "movers": "增减统计", "rules": "规则变化"},
}


def column_label(column: str, lang: str = "en") -> str:
    """Header of a column: its name (``en``) or Chinese label (``zh``, ``x_delta`` → x（变化）)."""
    if lang != "zh":
        return column
    for suffix, word in (("_delta", "（变化）"), ("_baseline", "（基准）")):
        if column.endswith(suffix):
            return column_label(column[: -len(suffix)], lang) + word
    return LABELS_ZH.get(column, column)


def _label(column: str) -> str:
    return _(LABELS_EN[column]) if column in LABELS_EN else column.replace("_", " ")


# --------------------------------------------------------------------------------------------
# Cell formatting (no arithmetic: values and deltas come from the comparison's tables)


def _isna(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _fmt(value: Any, money: bool = False) -> str:
    if _isna(value):
        return "—"
    if money:
        return money_text(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return whole(value)


def _fmt_delta(delta: Any, money: bool = False) -> str:
    """Signed change, or "" when there is none (unchanged, or not comparable)."""
    if _isna(delta) or delta == 0:
        return ""
    sign = "+" if delta > 0 else "-"
    return sign + _fmt(abs(delta), money)


def _other_costs(comp: Comparison) -> list[str]:
    """Variants whose promotion cost has no delta because it is priced at other costs."""
    k = comp.kpi
    if pd.isna(k.loc[comp.baseline, "promotion_cost"]):
        return []
    return [n for n in comp.others
            if pd.notna(k.loc[n, "promotion_cost"]) and pd.isna(k.loc[n, "promotion_cost_delta"])]


def _cell(value: Any, delta: Any, money: bool = False) -> str:
    d = _fmt_delta(delta, money)
    return _fmt(value, money) + (f" ({d})" if d else "")


_STATUS_TEXT = {"optimal": N_("optimal"), "not_proven": N_("NOT PROVEN"),
                "infeasible": N_("INFEASIBLE"), "no_solution": N_("NO PLAN")}


def _status(value: str) -> str:
    return _(_STATUS_TEXT[value])


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(rows: Sequence[Sequence[Any]], header: Sequence[str], left: int = 2) -> str:
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


# --------------------------------------------------------------------------------------------
# Terminal text

_TEXT_KPI_1 = ("posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
               "appointed_intermediate", "waiting_left_senior", "waiting_left_intermediate")
_TEXT_KPI_2 = ("cap_senior", "cap_senior_intermediate", "vacant_senior", "vacant_intermediate",
               "vacant_junior", "units_over_ratio", "promotion_cost")
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
        cells = [n, _status(row["status"])] if with_status else [n, ""]
        cells += [_cell(row[m], row[f"{m}_delta"], money=m == "promotion_cost")
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
              _kpi_text(comp, _TEXT_KPI_1, True), "", _kpi_text(comp, _TEXT_KPI_2, False)]
    basis = comp.kpi["promotion_cost_basis"]
    priced = {b for b in basis if b}
    if priced:
        lines.append(_("promotion cost: extra yearly pay of the appointments, at the costs of "
                       "the variant's own [budget], else of variant {variants}").format(
            variants=", ".join(sorted(priced))))
        if _other_costs(comp):
            lines.append("  " + _("no change shown for {variants}: priced at other costs "
                                  "than {baseline}").format(
                variants=", ".join(_other_costs(comp)), baseline=comp.baseline))
    failed = [n for n in comp.variants if comp.kpi.loc[n, "status"] != "optimal"]
    if failed:
        lines += ["", _("Variants without a proven optimal plan:")]
        for n in failed:
            row = comp.kpi.loc[n]
            lines.append(f"  {n}: {_status(row['status'])} — {row['reason']}")
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
                    + [_cell(row[m], row[f"{m}_delta"]) for m in metrics])
        last = t
    return text_table(rows, [_("type"), _("variant"), _("units")]
                      + [_short(m) for m in metrics[1:]])


def _movers_text(comp: Comparison, n: str, top: int) -> list[str]:
    mv = comp.movers.loc[n]
    if _isna(mv["units_compared"]):
        return [f"  {n}: " + _("no plan to compare")]

    def largest(measure: str) -> str:
        t = comp.top_changes(n, measure, top)
        if t.empty:
            return ""
        return _("; largest: {units}").format(units=", ".join(
            f"{r.unit_id} {r.name} {_fmt_delta(r[-1])}" for r in t.itertuples(index=False)))

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


# --------------------------------------------------------------------------------------------
# Charts (matplotlib → inline SVG)

_BASE_COLOR = "#8c8c8c"
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
            "#bcbd22", "#17becf")


def _colors(comp: Comparison) -> dict[str, str]:
    out, k = {}, 0
    for n in comp.variants:
        if n == comp.baseline:
            out[n] = _BASE_COLOR
        else:
            out[n] = _PALETTE[k % len(_PALETTE)]
            k += 1
    return out


def _rc(salt: str) -> AbstractContextManager[Any]:
    import matplotlib

    return matplotlib.rc_context({
        "svg.hashsalt": f"quotaopt-{salt}",  # fixed, distinct ids per chart
        "svg.fonttype": "none",  # text stays text: the browser renders CJK names
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Noto Sans CJK SC", "Microsoft YaHei",
                            "sans-serif"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
    })


def _chart(salt: str, draw: Callable[[Any], None], size: tuple[float, float]) -> str:
    """Draw on a fresh Figure (no pyplot) and return its ``<svg>`` element."""
    from matplotlib.figure import Figure

    with _rc(salt):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        buf = io.StringIO()
        # no date, creator or licence metadata: same input, same bytes. The text stays text
        # (svg.fonttype none): the browser draws Chinese with its own fonts, so matplotlib's
        # warnings about glyphs missing from its fonts do not concern the reader
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")
            fig.savefig(buf, format="svg",
                        metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    svg = text[text.index("<svg"):]
    # ids unique within the page (several charts share matplotlib's "figure_1", …)
    svg = re.sub(r'(\bid="|url\(#|href="#)', rf"\g<1>{salt}-", svg)
    # scale with the page; the viewBox keeps the proportions
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)


def _height(value: Any) -> float:
    return 0.0 if _isna(value) else float(value)


def _hbars(ax: Any, comp: Comparison, metric: str, colors: dict[str, str], title: str,
           money: bool = False) -> None:
    from matplotlib.ticker import MaxNLocator

    names = list(comp.variants)
    values = [comp.kpi.loc[n, metric] for n in names]
    deltas = [comp.kpi.loc[n, f"{metric}_delta"] for n in names]
    ys = list(range(len(names)))[::-1]
    heights = [_height(v) for v in values]
    ax.barh(ys, heights, color=[colors[n] for n in names], height=0.7)
    top = max(heights + [1.0])
    for y, v, d, h in zip(ys, values, deltas, heights, strict=True):
        label = _("no plan") if _isna(v) else _cell(v, d, money)
        ax.text(h + top * 0.02, y, label, va="center", fontsize=8)
    ax.set_yticks(ys, names)
    ax.set_xlim(0, top * 1.45)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, loc="left")
    ax.tick_params(axis="x", labelsize=7)


def chart_caps(comp: Comparison) -> str:
    """Caps in force per variant: what the rule changes do to the ceilings."""
    colors = _colors(comp)

    def draw(fig: Any) -> None:
        ax1, ax2 = fig.subplots(1, 2)
        _hbars(ax1, comp, "cap_senior", colors, _("senior cap (posts)"))
        _hbars(ax2, comp, "cap_senior_intermediate", colors,
               _("senior+intermediate cap (posts)"))

    return _chart("caps", draw, (11, 0.3 * len(comp.variants) + 0.9))


def chart_kpi(comp: Comparison) -> str:
    """Key figures per variant, one panel per figure, baseline in grey."""
    colors = _colors(comp)
    panels = ("posts_senior", "posts_intermediate", "appointed_senior",
              "appointed_intermediate", "waiting_left_senior", "waiting_left_intermediate")

    def draw(fig: Any) -> None:
        axes = fig.subplots(3, 2)
        for ax, m in zip(axes.flat, panels, strict=True):
            _hbars(ax, comp, m, colors, _label(m))

    return _chart("kpi", draw, (11, 3 * (0.3 * len(comp.variants) + 0.8)))


def chart_by_type(comp: Comparison) -> str:
    """Grouped bars: per unit type, one bar per variant."""
    colors = _colors(comp)
    panels = ("posts_senior", "posts_intermediate", "appointed_senior", "appointed_intermediate")
    from matplotlib.ticker import MaxNLocator

    types = list(dict.fromkeys(t for t, _ in comp.by_type.index))
    names = list(comp.variants)
    width = 0.8 / max(1, len(names))

    def draw(fig: Any) -> None:
        axes = fig.subplots(2, 2)
        for ax, m in zip(axes.flat, panels, strict=True):
            for k, n in enumerate(names):
                xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(types))]
                hs = [comp.by_type.loc[(t, n), m] if (t, n) in comp.by_type.index else None
                      for t in types]
                ax.bar(xs, [_height(h) for h in hs], width=width * 0.95,
                       color=colors[n], label=n)
            ax.set_xticks(range(len(types)), types)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(_("{figure} by type").format(figure=_label(m)), loc="left")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=min(8, len(names)),
                   frameon=False, fontsize=8)

    return _chart("types", draw, (11, 6.0))


_DIST = (("posts_senior", N_("senior posts")),
         ("posts_senior_intermediate", N_("senior+intermediate posts")),
         ("appointed", N_("appointments")))


def chart_unit_changes(comp: Comparison) -> str:
    """Per variant, how many units change by how much (unchanged units noted, not drawn)."""
    from matplotlib.ticker import MaxNLocator

    colors = _colors(comp)
    shown = [n for n in comp.others if (comp.unit_diff["variant"] == n).any()]

    def draw(fig: Any) -> None:
        if not shown:
            ax = fig.subplots()
            ax.axis("off")
            ax.text(0.5, 0.5, _("no variant with a plan to compare with the baseline"),
                    ha="center", va="center")
            return
        axes = fig.subplots(len(shown), len(_DIST), squeeze=False)
        for r, n in enumerate(shown):
            d = comp.unit_diff[(comp.unit_diff["variant"] == n)
                               & (comp.unit_diff["presence"] == "both")]
            for c, (measure, title) in enumerate(_DIST):
                ax = axes[r][c]
                counts = d[f"{measure}_delta"].astype("int64").value_counts().sort_index()
                unchanged = int(counts.get(0, 0))
                moved = counts[counts.index != 0]
                xs = [int(x) for x in moved.index]
                ax.bar(xs, moved.to_numpy(), color=colors[n], width=0.8)
                ax.axvline(0, color="#444444", linewidth=0.8)
                ax.set_xlim(min([-1, *xs]) - 0.8, max([1, *xs]) + 0.8)
                ax.set_ylim(0, max([1, *moved.tolist()]) * 1.1)
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_title(_("{variant} · {title}\n{count} units unchanged").format(
                    variant=n, title=_(title), count=unchanged), loc="left",
                             fontsize=9)
                if not xs:
                    ax.text(0.5, 0.5, _("no unit changes"), transform=ax.transAxes,
                            ha="center", va="center", fontsize=8, color="#444444")
                ax.tick_params(labelsize=7)
                if c == 0:
                    ax.set_ylabel(_("units"), fontsize=8)
        for ax in axes[-1]:
            ax.set_xlabel(_("change per unit vs baseline"), fontsize=8)

    return _chart("units", draw, (11, max(2.0, 2.0 * len(shown))))


# --------------------------------------------------------------------------------------------
# HTML

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
    d = _fmt_delta(delta, money)
    span = ""
    if d:
        cls = "up" if d.startswith("+") else "down"
        span = f'<span class="d {cls}">{_e(d)}</span>'
    return f"<td>{_e(_fmt(value, money))}{span}</td>"


def _delta_cell(delta: Any) -> str:
    d = _fmt_delta(delta)
    cls = "up" if d.startswith("+") else "down"
    return f'<td class="{cls}">{_e(d)}</td>'


def _status_html(status: str) -> str:
    cls = "" if status == "optimal" else ' class="status-bad"'
    return f"<span{cls}>{_e(_status(status))}</span>"


_HTML_KPI_1 = ("posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
               "appointed_intermediate", "waiting_left_senior", "waiting_left_intermediate")
_HTML_KPI_2 = ("cap_senior", "cap_senior_intermediate", "vacant_senior", "vacant_intermediate",
               "vacant_junior", "units_over_ratio", "promotion_cost")


def _html_kpi_table(comp: Comparison, colors: dict[str, str], metrics: Sequence[str],
                    with_status: bool) -> str:
    head = "".join(f"<th>{_e(_label(m))}</th>" for m in metrics)
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
    head = "".join(f"<th>{_e(_label(m))}</th>" for m in metrics)
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
                    + "".join(f"<td>{_e(_fmt(r[c]))}</td>" for c in cols) + "</tr>")
    variant = _e(_("variant"))
    parts = [f'<div class="scroll"><table><thead><tr><th class="l">{variant}</th>'
             f"{head}</tr>"
             f'</thead><tbody>{"".join(rows)}</tbody></table></div>']
    for n in comp.others:
        if _isna(comp.movers.loc[n, "units_compared"]):
            continue
        boxes = []
        for measure, title in _DIST:
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
            boxes.append(f"<div><h3>{_e(head3)}</h3>{body}</div>")
        parts.append(f'<div class="grid">{"".join(boxes)}</div>')
    return "".join(parts)


def _html_rules(comp: Comparison, colors: dict[str, str]) -> str:
    items = []
    for n in comp.others:
        changes = comp.rule_diff[n]
        lis = "".join(f"<li>{_e(c)}</li>" for c in changes) or \
            "<li>" + _e(_("no change in the rules")) + "</li>"
        items.append(f'<h3><span class="swatch" style="background:{colors[n]}"></span>'
                     f'{_e(n)}</h3><ul class="rules">{lis}</ul>')
    return "".join(items)


def render_html(comp: Comparison, top: int = 5) -> str:
    """The whole report as one self-contained HTML (also well-formed XML) document."""
    require_matplotlib()
    colors = _colors(comp)
    failed = [n for n in comp.variants if comp.kpi.loc[n, "status"] != "optimal"]
    warn = ""
    if failed:
        lis = "".join(f"<li><strong>{_e(n)}</strong>: "
                      f"{_status_html(comp.kpi.loc[n, 'status'])} — "
                      f"{_e(comp.kpi.loc[n, 'reason'])}</li>" for n in failed)
        warn = ('<div class="warn">' + _(
            "Not every variant has a proven optimal plan; their figures are missing (—) or, "
            "if NOT PROVEN, may still improve:") + f"<ul>{lis}"
                "</ul></div>")
    basis = sorted({b for b in comp.kpi["promotion_cost_basis"] if b})
    cost_note = ""
    if basis:
        cost_note = ('<p class="note">' + _(
            "Promotion cost is the extra yearly pay of the appointments (senior − "
            "intermediate pay per senior appointment, intermediate − junior per intermediate "
            "one), at the costs of the variant's own [budget], else of variant {variants}.")
            .format(variants=_e(", ".join(basis)))
                     + ("" if not _other_costs(comp) else " " + _(
                         "No change is shown for {variants}: priced at other costs than "
                         "{baseline}.").format(variants=_e(", ".join(_other_costs(comp))),
                                               baseline=_e(comp.baseline)))
                     + "</p>")
    names = ", ".join(comp.others) or _("none")
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
             baseline=strong) + "</p>" + warn, chart_kpi(comp),
         _html_kpi_table(comp, colors, _HTML_KPI_1, True)
         + _html_kpi_table(comp, colors, _HTML_KPI_2, False) + cost_note),
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
    body = "".join(
        f'<section id="{sid}"><h2>{_e(title)}</h2>{intro}<div class="chart">{chart}</div>'
        f"{after}</section>"
        for sid, title, intro, chart, after in sections)
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
            statuses=_e(", ".join(f"{n} {_status(comp.kpi.loc[n, 'status'])}"
                                  for n in comp.variants)))
        + "</footer></main></body></html>\n"
    )


# --------------------------------------------------------------------------------------------
# Files


def _for_file(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = df.reset_index() if df.index.name or any(df.index.names) else df.copy()
    out = out.astype(object).where(out.notna(), None)
    if lang == "zh" and "status" in out.columns:
        out["status"] = [STATUS_ZH.get(v, v) if isinstance(v, str) else v
                         for v in out["status"]]
    if lang == "zh" and "presence" in out.columns:
        out["presence"] = [PRESENCE_ZH.get(v, v) if isinstance(v, str) else v
                           for v in out["presence"]]
    if lang == "zh":  # true/false cells: 是/否
        for j in range(out.shape[1]):
            col = out.iloc[:, j]
            if len(col) and all(isinstance(v, bool) or v is None for v in col):
                out.isetitem(j, [None if v is None else "是" if v else "否" for v in col])
    out.columns = [column_label(str(c), lang) for c in out.columns]
    return out


def rules_table(comp: Comparison) -> pd.DataFrame:
    """The rule changes as rows: variant, key, label, before, after, change."""
    rows = [{"variant": n, "key": c.key, "label": c.label, "before": c.before,
             "after": c.after, "change": str(c)}
            for n in comp.others for c in comp.rule_diff[n]]
    return pd.DataFrame(rows, columns=["variant", "key", "label", "before", "after", "change"])


def tables(comp: Comparison) -> dict[str, pd.DataFrame]:
    """The comparison's tables as written to files (key → DataFrame)."""
    return {"kpi": comp.kpi, "by_type": comp.by_type, "unit_diff": comp.unit_diff,
            "movers": comp.movers, "rules": rules_table(comp)}


def write_comparison(comp: Comparison, out_dir: str | Path,
                     formats: Iterable[str] = REPORT_FORMATS, lang: str = "en",
                     encoding: str | None = None) -> list[Path]:
    """Write ``report.html``, ``comparison.xlsx`` and/or the CSVs; returns the paths.

    CSVs: ``kpi.csv``, ``by_type.csv``, ``unit_diff.csv``, ``movers.csv``, ``rules.csv``
    (headers as the workbook's; ``encoding`` as for :func:`~quotaopt.output.csv_bytes`).
    The workbook has the same tables — its unit diff only the rows of units that change —
    plus, for each variant with a plan, its allocation sheet followed by its 岗位设置方案表
    (:func:`quotaopt.plan_table.add_sheet`, print-ready); ``lang="zh"`` gives it (and the
    CSVs) Chinese sheet names and column headers.
    Every file is written whole or not at all.
    """
    out = Path(out_dir)
    formats = [f for f in REPORT_FORMATS if f in set(formats)]
    files: list[tuple[Path, bytes]] = []  # written as one set: all renamed, or none
    data = tables(comp)
    if "html" in formats:
        files.append((out / "report.html", render_html(comp).encode("utf-8")))
    if "xlsx" in formats:
        taken: set[str] = set()
        # the workbook's unit diff lists only the units that change (the CSV lists all)
        book = {**data, "unit_diff": comp.unit_diff[comp.unit_diff["changed"]]}
        sheets = {sheet_name(_SHEETS[lang][k], taken): _for_file(df, lang)
                  for k, df in book.items()}
        titles = {}
        plans: list[tuple[str, str, Result]] = []  # (after sheet, plan sheet, result)
        for n in comp.variants:
            res = comp.results[n]
            if res.allocation is not None:
                name = sheet_name(n, taken)
                sheets[name] = _for_file(res.allocation, lang)
                if name != n:  # the sheet could not take the variant's name: row 1 gives it
                    titles[name] = f"{_VARIANT_TITLE[lang]}{n}"
                plans.append((name, sheet_name(plan_table.sheet_title(n), taken), res))
        files.append((out / "comparison.xlsx",
                      xlsx_bytes(sheets, titles, partial(_plan_sheets, plans=plans))))
    if "csv" in formats:
        for key, df in data.items():
            target = out / f"{key}.csv"
            files.append((target, csv_bytes(_for_file(df, lang), encoding, target)))
    write_files(files)
    return [target for target, _ in files]


def _plan_sheets(wb: Any, plans: Sequence[tuple[str, str, Result]]) -> None:
    """Each variant's 岗位设置方案表 (:mod:`quotaopt.plan_table`), after its allocation sheet."""
    day = plan_table.table_date()
    for after, name, res in plans:
        plan_table.add_sheet(wb, res, day, name=name, index=wb.sheetnames.index(after) + 1)


#: The first row of an allocation sheet whose name is not the variant's own.
_VARIANT_TITLE = {"en": "variant: ", "zh": "方案："}


__all__ = [
    "LABELS_ZH",
    "REPORT_FORMATS",
    "STATUS_ZH",
    "MissingDependencyError",
    "column_label",
    "render_html",
    "render_text",
    "require_matplotlib",
    "rules_table",
    "tables",
    "write_comparison",
]
