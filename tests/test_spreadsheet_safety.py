"""Spreadsheet safety: text that a spreadsheet would run as a formula is written as text —
an apostrophe in CSV (OWASP), a string cell in XLSX — in every file quotaopt writes; input
workbooks are read values-only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from quotaopt.cli import main
from quotaopt.units import read_units

ROOT = Path(__file__).resolve().parent.parent
TONGXI_CSV = (ROOT / "scenarios" / "tongxi-county.csv").read_text(encoding="utf-8")
HOSTILE = ["=1+1", "+SUM(A1:A2)", "-2+3", "@SUM(1)", "\t=1", "\r=1",
           "=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")']


def hostile_units() -> str:
    """Tongxi with formula-like unit names, pool names, an extra column and its header."""
    lines = TONGXI_CSV.splitlines()
    out = [lines[0] + ",=note"]
    for k, line in enumerate(lines[1:]):
        cells = next(csv.reader([line]))
        cells[1] = HOSTILE[k % len(HOSTILE)] + cells[1]
        if k % 5 == 0:
            cells[3] = "=" + cells[3]  # a pool name
        cells.append(HOSTILE[(k + 3) % len(HOSTILE)])
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(cells)  # quotes a field with CR
        out.append(buf.getvalue()[:-2])
    return "\n".join(out) + "\n"


@pytest.fixture
def scenario(tmp_path: Path) -> str:
    (tmp_path / "u.csv").write_text(hostile_units(), encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        '[scenario]\nunits = "u.csv"\n[policy]\njunior_to_intermediate = 1.0\n'
        '[variants.pooled]\npolicy.scope = "pool"\n', encoding="utf-8")
    return str(tmp_path / "s.toml")


def assert_no_formulas(path: Path) -> int:
    """Every cell of every sheet is a value, none a formula; returns the text cells seen."""
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would show as type 'f'
    texts = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                texts += cell.data_type == "s"
    return texts


def invoke(*args: str):
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res


def test_results_xlsx_has_no_formula_cells(scenario, tmp_path):
    invoke("run", scenario, "--out", str(tmp_path / "out"), "--format", "xlsx")
    path = tmp_path / "out" / "results.xlsx"
    assert assert_no_formulas(path) > 0
    wb = openpyxl.load_workbook(path)
    names = [r[1] for r in wb["allocation"].iter_rows(min_row=2, values_only=True)]
    assert names[0] == "=1+1石桥镇卫生院"  # the text itself, unchanged, as a string cell
    header = [c.value for c in wb["allocation"][1]]
    assert "=note" in header


def test_comparison_xlsx_has_no_formula_cells(scenario, tmp_path):
    for lang in ("en", "zh"):
        out = tmp_path / f"cmp-{lang}"
        invoke("compare", scenario, "--out", str(out), "--format", "xlsx,csv", "--lang", lang)
        assert assert_no_formulas(out / "comparison.xlsx") > 0


def test_audit_files_have_no_formula_cells(scenario, tmp_path):
    invoke("run", scenario, "--out", str(tmp_path / "plan"))
    plan = tmp_path / "plan" / "allocation.csv"
    res = CliRunner().invoke(main, ["audit", scenario, "--plan", str(plan), "--out",
                                    str(tmp_path / "audit")])
    assert res.exit_code == 0, res.output
    # a plan that breaks rules: violations.csv names units with formula-like names
    rows = list(csv.reader(plan.read_text(encoding="utf-8").splitlines()))
    head = rows[0]
    ps, pm = head.index("posts_senior"), head.index("posts_intermediate")
    for r in rows[1:]:
        r[ps], r[pm] = str(int(r[ps]) + 5), str(int(r[pm]) - 5)
        r[1] = r[1].lstrip("'")  # as a person would retype it
    with open(tmp_path / "bad.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    res = CliRunner().invoke(main, ["audit", scenario, "--plan", str(tmp_path / "bad.csv"),
                                    "--out", str(tmp_path / "audit")])
    assert res.exit_code == 1, res.output
    assert_csv_safe(tmp_path / "audit" / "violations.csv")


def assert_csv_safe(path: Path) -> int:
    """No field of a CSV starts with a character that makes a spreadsheet formula."""
    checked = 0
    for row in csv.reader(path.read_text(encoding="utf-8").splitlines()):
        for field in row:
            if field and field[0] in "=+-@\t\r":
                # a negative number is a number, not a formula
                assert _is_number(field), (path.name, field)
            checked += 1
    return checked


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_csv_written_is_formula_safe(scenario, tmp_path):
    invoke("run", scenario, "--out", str(tmp_path / "run"))
    invoke("compare", scenario, "--out", str(tmp_path / "cmp"), "--format", "csv")
    files = sorted((tmp_path / "run").glob("*.csv")) + sorted((tmp_path / "cmp").glob("*.csv"))
    assert {p.name for p in files} >= {"allocation.csv", "kpi.csv", "unit_diff.csv"}
    for path in files:
        assert_csv_safe(path)
    text = (tmp_path / "run" / "allocation.csv").read_text(encoding="utf-8")
    assert "\nTX011,'=1+1石桥镇卫生院," in text
    assert text.splitlines()[0].endswith(",over_ratio,'=note")  # a header from the input


def test_the_written_csv_reads_back_as_the_same_text(scenario, tmp_path):
    """The apostrophe is the only change, and quotaopt does not strip it back: a result read
    as input keeps the visible text — what a spreadsheet shows."""
    invoke("run", scenario, "--out", str(tmp_path / "run"))
    back = read_units(tmp_path / "run" / "allocation.csv")
    assert back.loc[0, "name"] == "'=1+1石桥镇卫生院"


def test_input_workbooks_are_read_values_only(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in TONGXI_CSV.splitlines():
        ws.append(line.split(","))
    ws["B2"] = "=HYPERLINK(\"http://evil\",\"x\")"  # a formula without a cached value
    ws["E3"] = "=40+13"  # total_posts as a formula: its (absent) value, not its text
    wb.save(tmp_path / "u.xlsx")
    from quotaopt import InputError

    with pytest.raises(InputError) as info:
        read_units(tmp_path / "u.xlsx")
    # a formula without a saved value is refused, naming the cell (issue 12): never read
    # as empty, never as its text
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "B"), (3, "E")]
    assert all("open and save the file in Excel or WPS" in p.message
               for p in info.value.problems)
    ws["B2"] = "TX011"
    ws["E3"] = 53
    wb.save(tmp_path / "u.xlsx")
    units = read_units(tmp_path / "u.xlsx")
    assert units.loc[0, "name"] == "TX011"  # the formula's text never becomes data
    assert not units.astype(str).apply(lambda c: c.str.startswith("=")).any().any()


def test_the_html_report_escapes_markup_from_the_data(tmp_path):
    lines = TONGXI_CSV.splitlines()
    rows = [lines[0]] + [line.replace("镇", "<script>alert(1)</script>", 1) for line in lines[1:]]
    (tmp_path / "u.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text('[scenario]\nunits = "u.csv"\n[variants.v]\n'
                                     'policy.ratio = "0.5:3.5:6"\n', encoding="utf-8")
    invoke("compare", str(tmp_path / "s.toml"), "--out", str(tmp_path / "cmp"), "--format",
           "html")
    page = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
