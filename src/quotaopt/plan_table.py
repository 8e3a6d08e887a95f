"""岗位设置方案表 — the post-setting plan table a bureau prints, submits or posts.

One row per unit (unit, total posts, senior / intermediate / junior posts, incumbents, new
appointments, still waiting, over ratio, and a one-line reason such as
"按1:4:5核定，高级岗位提高5%设置"), a totals row, and a title naming the scenario, the variant
and the date. Written as a print-ready worksheet of ``results.xlsx`` (:func:`add_sheet`:
repeated title rows, column widths, frozen panes, landscape A4 fitted to the page width) and
as a standalone ``plan.html`` with print CSS (:func:`render_html`), in the language in use.

The date is the day of ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today:
two runs on the same day write the same bytes.
"""

from __future__ import annotations

import datetime
import html
import os
import unicodedata
from fractions import Fraction
from typing import Any

import pandas as pd

from .i18n import _, language
from .numfmt import percent
from .output import text_cells, xlsx_row
from .policy import Level, Policy, Scope
from .result import Result

#: Columns of the table: key → header (translated when shown).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("unit_id", "unit code"),
    ("name", "unit"),
    ("total_posts", "total posts"),
    ("posts_senior", "senior posts"),
    ("posts_intermediate", "intermediate posts"),
    ("posts_junior", "junior posts"),
    ("incumbents", "incumbents"),
    ("appointed", "new appointments"),
    ("waiting_left", "still waiting"),
    ("over_ratio", "over ratio"),
    ("reason", "basis"),
)
_WIDTHS = {"unit_id": 10, "name": 26, "total_posts": 8, "posts_senior": 8,
           "posts_intermediate": 8, "posts_junior": 8, "incumbents": 8, "appointed": 8,
           "waiting_left": 8, "over_ratio": 7, "reason": 60}
NUMBERS = ("total_posts", "posts_senior", "posts_intermediate", "posts_junior", "incumbents",
           "appointed", "waiting_left")


def header(key: str) -> str:
    """The header of a column in the language in use."""
    return {
        "unit_id": _("unit code"), "name": _("unit"), "total_posts": _("total posts"),
        "posts_senior": _("senior posts"), "posts_intermediate": _("intermediate posts"),
        "posts_junior": _("junior posts"), "incumbents": _("incumbents"),
        "appointed": _("new appointments"), "waiting_left": _("still waiting"),
        "over_ratio": _("over ratio"), "reason": _("basis"),
    }[key]


def table_date() -> datetime.date:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return datetime.datetime.fromtimestamp(int(raw), tz=datetime.UTC).date()
    except (ValueError, OverflowError, OSError):
        return datetime.date.today()


def title(res: Result, day: datetime.date) -> str:
    return _("Post-setting plan: scenario {scenario} · variant {variant} · {date}").format(
        scenario=res.scenario, variant=res.variant,
        date=_("{year}-{month:02d}-{day:02d}").format(year=day.year, month=day.month,
                                                      day=day.day))


def _pct(value: Fraction) -> str:
    text = percent(value)
    return text.replace(" %", "%") if language() == "zh" else text


def reason(policy: Policy, unit_type: str, total: int, pool: str, over_ratio: bool) -> str:
    """The one-line basis of a unit's numbers: its ratio, bonus, transfer, minimum, pool."""
    tp = policy.types.get(unit_type)
    ratio = tp.ratio if tp is not None and tp.ratio is not None else policy.ratio
    parts = [_("by the ratio {ratio}").format(ratio=str(ratio))]
    if tp is not None and tp.senior_bonus:
        parts.append(_("senior posts raised by {bonus}").format(
            bonus=_pct(Fraction(tp.senior_bonus))))
    jti = (tp.junior_to_intermediate if tp is not None and tp.junior_to_intermediate
           is not None else policy.junior_to_intermediate)
    if jti == 1:
        parts.append(_("the junior share used for intermediate posts"))
    elif jti:
        parts.append(_("{share} of the junior share used for intermediate posts").format(
            share=_pct(Fraction(jti))))
    for rule in policy.minimum:
        if rule.applies(unit_type, total):
            level = {Level.SENIOR: _("senior"), Level.INTERMEDIATE: _("intermediate")}.get(
                rule.level, str(rule.level))
            parts.append(_("at least {n} {level} post(s)").format(n=rule.posts, level=level))
    if policy.scope is Scope.POOL and pool:
        parts.append(_("pooled in {pool}").format(pool=pool))
    if over_ratio:
        parts.append(_("over ratio: incumbents kept, absorbed over time"))
    return _("; ").join(parts)


def rows(res: Result) -> pd.DataFrame:
    """The table's rows (one per unit, keys of :data:`COLUMNS`) and no totals row."""
    a, policy = res.allocation, res.figures.policy
    assert a is not None and policy is not None
    out = pd.DataFrame({
        "unit_id": a["unit_id"].astype(str),
        "name": a["name"].astype(str),
        "total_posts": a["total_posts"].astype(int),
        "posts_senior": a["posts_senior"].astype(int),
        "posts_intermediate": a["posts_intermediate"].astype(int),
        "posts_junior": a["posts_junior"].astype(int),
        "incumbents": (a["senior_incumbents"] + a["intermediate_incumbents"]
                       + a["junior_incumbents"]).astype(int),
        "appointed": (a["appointed_senior"] + a["appointed_intermediate"]).astype(int),
        "waiting_left": (a["waiting_left_senior"] + a["waiting_left_intermediate"]).astype(int),
        "over_ratio": [_("yes") if v else _("no") for v in a["over_ratio"]],
    })
    out["reason"] = [reason(policy, str(t), int(n), str(p), bool(o)) for t, n, p, o in
                     zip(a["type"], a["total_posts"], a["pool"], a["over_ratio"], strict=True)]
    return out


def totals(table: pd.DataFrame) -> dict[str, Any]:
    row: dict[str, Any] = {k: "" for k, _h in COLUMNS}
    row["name"] = _("total ({units} units)").format(units=len(table))
    for k in NUMBERS:
        row[k] = int(table[k].sum())
    over = int((table["over_ratio"] == _("yes")).sum())
    row["over_ratio"] = over
    return row


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet cell: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(variant: str | None = None) -> str:
    """The plan sheet's name: ``plan table`` (``run``), ``plan table <variant>`` (compare's
    workbook, one per variant)."""
    if variant is None:
        return _("plan table")
    return _("plan table {variant}").format(variant=variant)


def add_sheet(wb: Any, res: Result, day: datetime.date | None = None, *,
              name: str | None = None, index: int | None = 0) -> None:
    """Add the print-ready plan sheet to an openpyxl workbook: by default as its first
    sheet, named :func:`sheet_title`; ``name`` and ``index`` (``None``: last) place it
    elsewhere (compare's workbook has one per variant)."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    day = day or table_date()
    table = rows(res)
    keys = [k for k, _h in COLUMNS]
    ws = wb.create_sheet(title=name or sheet_title(), index=index)
    ncol = len(keys)
    ws.append(xlsx_row([title(res, day)]))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 24
    ws.append(xlsx_row([header(k) for k in keys]))
    for rec in table.itertuples(index=False):
        ws.append(xlsx_row([getattr(rec, k) for k in keys]))
    total = totals(table)
    ws.append(xlsx_row([total[k] for k in keys]))
    text_cells(ws)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = ws.max_row
    for r in range(2, last + 1):
        for c in range(1, ncol + 1):
            cell = ws.cell(r, c)
            cell.border = box
            wrap = keys[c - 1] in ("name", "reason") or r == 2
            centred = r == 2 or keys[c - 1] == "over_ratio"
            cell.alignment = Alignment(wrap_text=wrap, vertical="center",
                                       horizontal="center" if centred else None)
            if r in (2, last):
                cell.font = Font(bold=True)
    for c, k in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS[k]
    # wrapped rows get the height of their longest cell (spreadsheets do not measure them
    # when they open a file)
    for r in range(2, last + 1):
        lines = max(-(-_display_width(str(ws.cell(r, c).value or "")) // (_WIDTHS[k] - 1))
                    for c, k in enumerate(keys, start=1)
                    if k in ("name", "reason") or r == 2)
        ws.row_dimensions[r].height = 15 * max(1, lines)
    ws.freeze_panes = "C3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = _("page &P of &N")


_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimSun", sans-serif;
       margin: 1.5em; }
h1 { font-size: 1.3em; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; }
th, td { border: 1px solid #444; padding: 0.2em 0.4em; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.u { white-space: nowrap; }
td.c { text-align: center; }
tfoot td { font-weight: bold; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
}
"""


_CLASS = {"unit_id": "u", "name": "u", "over_ratio": "c"}


def render_html(res: Result, day: datetime.date | None = None) -> str:
    """``plan.html``: the same table as a standalone page with print CSS."""
    day = day or table_date()
    table = rows(res)
    keys = [k for k, _h in COLUMNS]
    e = html.escape
    lang = "zh-CN" if language() == "zh" else "en"

    def cells(values: dict[str, Any]) -> str:
        return "".join(f'<td class="n">{e(str(values[k]))}</td>' if k in NUMBERS
                       else f'<td class="{_CLASS.get(k, "t")}">{e(str(values[k]))}</td>'
                       for k in keys)

    body = "\n".join(f"<tr>{cells(dict(zip(keys, rec, strict=True)))}</tr>"
                     for rec in table.itertuples(index=False))
    head = "".join(f"<th>{e(header(k))}</th>" for k in keys)
    heading = e(title(res, day))
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"/>'
            f"<title>{heading}</title><style>{_CSS}</style></head><body>\n"
            f"<h1>{heading}</h1>\n<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n"
            f"</tbody>\n<tfoot><tr>{cells(totals(table))}</tr></tfoot></table>\n"
            "</body></html>\n")
