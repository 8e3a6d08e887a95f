"""A :class:`~quotaopt.compare.Comparison` written for people: the files of ``quotaopt compare
--out`` (``report.html``, ``comparison.xlsx``, the CSVs), and the entry point to its
renderings.

Presentation only: every number shown is a cell of the comparison's tables (``kpi``,
``by_type``, ``unit_diff``, ``movers``) or of a result's allocation — nothing is recomputed
here. The pieces: :mod:`quotaopt.report_cells` (labels and cells, shared),
:mod:`quotaopt.report_text` (terminal text), :mod:`quotaopt.report_html` (the HTML page) and
:mod:`quotaopt.report_charts` (its charts); this module writes the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from . import plan_table
from .compare import Comparison
from .headers import LABELS_ZH, PRESENCE_ZH, STATUS_ZH
from .output import csv_bytes, sheet_name, write_files, xlsx_bytes
from .report_cells import column_label
from .report_charts import MissingDependencyError, require_matplotlib
from .report_html import render_html
from .report_text import render_text
from .result import Result

REPORT_FORMATS = ("html", "xlsx", "csv")
LANGS = ("en", "zh")

#: Sheet names of the comparison workbook.
_SHEETS = {
    "en": {"kpi": "KPI", "by_type": "by type", "unit_diff": "unit diff", "movers": "movers",
           "rules": "rules"},
    "zh": {"kpi": "指标", "by_type": "按单位类型", "unit_diff": "单位变化",
           "movers": "增减统计", "rules": "规则变化"},
}


def _for_file(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table as written to a file: index as columns, missing as empty, in ``lang``."""
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
