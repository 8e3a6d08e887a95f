"""岗位设置方案表: the print-ready plan sheet of results.xlsx and plan.html (issue 13)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from quotaopt import load_scenario, solve
from quotaopt.cli import main
from quotaopt.i18n import using
from quotaopt.plan_table import reason, rows

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "tongxi-county.toml"


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return solve(load_scenario(SCENARIO))


def run_xlsx(out: Path, lang: str, epoch: str = "1764460800") -> Path:
    res = CliRunner(env={"SOURCE_DATE_EPOCH": epoch}).invoke(
        main, ["--lang", lang, "run", str(SCENARIO), "--out", str(out), "--format", "xlsx",
               "-q"])
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.parametrize(("lang", "sheet", "head", "title"), [
    ("zh", "岗位设置方案表", ["单位编码", "单位", "岗位总量", "高级岗位数", "中级岗位数",
                            "初级岗位数", "现聘", "新聘", "仍待聘", "超比例", "核定依据"],
     "岗位设置方案表（测算方案 tongxi-county · 政策方案 baseline · 2025年11月30日）"),
    ("en", "plan table", ["unit code", "unit", "total posts", "senior posts",
                          "intermediate posts", "junior posts", "incumbents",
                          "new appointments", "still waiting", "over ratio", "basis"],
     "Post-setting plan: scenario tongxi-county · variant baseline · 2025-11-30"),
])
def test_plan_sheet(tmp_path: Path, result, lang: str, sheet: str, head: list[str],  # type: ignore[no-untyped-def]
                    title: str) -> None:
    out = run_xlsx(tmp_path, lang)
    wb = load_workbook(out / "results.xlsx")
    assert wb.sheetnames[0] == sheet
    ws = wb[sheet]
    assert ws.cell(1, 1).value == title
    assert [c.value for c in ws[2]] == head
    a = result.allocation
    body = list(ws.iter_rows(min_row=3, max_row=2 + len(a), values_only=True))
    assert [r[0] for r in body] == list(a["unit_id"])
    assert [r[3] for r in body] == list(a["posts_senior"])
    assert [r[7] for r in body] == list(a["appointed_senior"] + a["appointed_intermediate"])
    total = [c.value for c in ws[3 + len(a)]]
    assert total[2:9] == [int(a[c].sum()) for c in (
        "total_posts", "posts_senior", "posts_intermediate", "posts_junior")] + [
        int(a[["senior_incumbents", "intermediate_incumbents", "junior_incumbents"]]
            .to_numpy().sum()),
        int(a[["appointed_senior", "appointed_intermediate"]].to_numpy().sum()),
        int(a[["waiting_left_senior", "waiting_left_intermediate"]].to_numpy().sum())]
    assert ws.max_row == 3 + len(a)
    # print-ready: repeated title rows, frozen panes, landscape A4 fitted to the width
    assert ws.print_title_rows == "$1:$2"
    assert ws.freeze_panes == "C3"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["K"].width >= 40
    html = (out / "plan.html").read_text(encoding="utf-8")
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert f"<h1>{title}</h1>" in html and "@page { size: A4 landscape" in html
    assert html.count("<tr>") == len(a) + 2  # head, units, totals


def test_reasons(result) -> None:  # type: ignore[no-untyped-def]
    policy = result.figures.policy
    with using("zh"):
        assert reason(policy, "health_centre", 46, "东片", False) == (
            "按1:4:5核定，提高5%设置高级岗位，初级岗位结构比例用于中级岗位设置，"
            "至少设置1个高级岗位")
        assert reason(policy, "school", 53, "东片", True) == (
            "按1:4:5核定，初级岗位结构比例用于中级岗位设置，超比例，保留现聘、逐步消化")
        assert set(rows(result)["over_ratio"]) <= {"是", "否"}
    assert reason(policy, "health_centre", 7, "", False) == (
        "by the ratio 1:4:5; senior posts raised by 5 %; the junior share used for "
        "intermediate posts")


def test_plan_files_are_byte_identical_across_runs(tmp_path: Path) -> None:
    one = run_xlsx(tmp_path / "a", "zh")
    two = run_xlsx(tmp_path / "b", "zh")
    assert (one / "plan.html").read_bytes() == (two / "plan.html").read_bytes()
    # the workbook's summary sheet holds the run's time and seconds; the plan sheet (cells,
    # print settings, styles) and the package's time stamps are the same
    with zipfile.ZipFile(one / "results.xlsx") as x, zipfile.ZipFile(two / "results.xlsx") as y:
        assert x.namelist() == y.namelist()
        for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml",
                     "docProps/core.xml"):
            assert x.read(name) == y.read(name), name
        assert [i.date_time for i in x.infolist()] == [i.date_time for i in y.infolist()]
    wa, wb = load_workbook(one / "results.xlsx"), load_workbook(two / "results.xlsx")
    assert [[c.value for c in r] for r in wa.worksheets[0].iter_rows()] == \
        [[c.value for c in r] for r in wb.worksheets[0].iter_rows()]


@pytest.mark.parametrize(("lang", "prefix", "title"), [
    ("zh", "岗位设置方案表-",
     "岗位设置方案表（测算方案 tongxi-county · 政策方案 {v} · 2025年11月30日）"),
    ("en", "plan table ",
     "Post-setting plan: scenario tongxi-county · variant {v} · 2025-11-30"),
])
def test_compare_workbook_has_a_plan_table_per_variant(tmp_path: Path, lang: str, prefix: str,
                                                       title: str) -> None:
    """compare --format xlsx: each variant's allocation sheet is followed by its plan table,
    the same sheet as run's (same title, rows and totals as that variant's plan)."""
    variants = ("baseline", "county-pool")
    res = CliRunner(env={"SOURCE_DATE_EPOCH": "1764460800"}).invoke(
        main, ["--lang", lang, "compare", str(SCENARIO), "--variants", ",".join(variants),
               "--out", str(tmp_path), "--format", "xlsx", "-q"])
    assert res.exit_code == 0, res.output
    wb = load_workbook(tmp_path / "comparison.xlsx")
    sc = load_scenario(SCENARIO)
    for v in variants:
        sheet = prefix + v
        assert wb.sheetnames.index(sheet) == wb.sheetnames.index(v) + 1
        ws = wb[sheet]
        assert ws.cell(1, 1).value == title.format(v=v)
        a = solve(sc, v).allocation
        assert [c.value for c in ws[3 + len(a)]][2:6] == [int(a[c].sum()) for c in (
            "total_posts", "posts_senior", "posts_intermediate", "posts_junior")]
        assert [r[0] for r in ws.iter_rows(min_row=3, max_row=2 + len(a), values_only=True)] \
            == list(a["unit_id"])
        assert ws.print_title_rows == "$1:$2" and ws.page_setup.orientation == "landscape"
    # the two variants' plans differ (county-pool pools the caps), and so do their sheets
    assert [c.value for c in wb[prefix + variants[0]]["D"]] != \
        [c.value for c in wb[prefix + variants[1]]["D"]]
