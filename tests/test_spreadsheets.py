"""Government spreadsheets (issue 12): the layouts county bureaus send are read as the clean
table is — the same plan — or refused with exit 2 naming the row and the user's header.
Never a different plan with exit 0."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotaopt import load_scenario, solve
from quotaopt.cli import main
from quotaopt.errors import InputError
from quotaopt.policy import Ratio
from quotaopt.units import table_warnings

ROOT = Path(__file__).resolve().parent.parent
LINES = (ROOT / "scenarios" / "tongxi-county.csv").read_text(encoding="utf-8").splitlines()
HEADER = LINES[0].split(",")  # 单位编码,单位名称,单位类型,县区,岗位总量,现聘高级,…,中级待聘
ROWS = [line.split(",") for line in LINES[1:17]]  # 16 units, 4 types, 3 pools
POSTS = ["unit_id", "posts_senior", "posts_intermediate", "posts_junior"]

POLICY = """\
[policy]
ratio = "1:4:5"
scope = "pool"
junior_to_intermediate = 1.0
[policy.types.health_centre]
senior_bonus = 0.05
[[policy.minimum]]
type = "health_centre"
level = "senior"
posts = 1
when_total_at_least = 8
[objective]
weights = { senior = 3, intermediate = 1 }
"""


def scenario(tmp_path: Path, units: str, extra: str = "", policy: str = POLICY) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nname = "t"\nunits = "{units}"\n{extra}\n{policy}',
                    encoding="utf-8")
    return path


def write_csv(tmp_path: Path, header: list[str], rows: list[list[str]],
              name: str = "u.csv") -> str:
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def plan(path: Path) -> list[tuple[object, ...]]:
    res = solve(load_scenario(path))
    assert res.status.value == "optimal"
    alloc = res.allocation
    return sorted(map(tuple, alloc[POSTS].astype(str).to_numpy().tolist()))


@pytest.fixture(scope="module")
def clean_plan(tmp_path_factory) -> list[tuple[object, ...]]:
    d = tmp_path_factory.mktemp("clean")
    return plan(scenario(d, write_csv(d, HEADER, ROWS)))


def refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return str(info.value)


def run_exit(path: Path, *more: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(path.parent / "out"),
                                    *more])
    return res.exit_code, res.output


# ----------------------------------------------------------------------------------------
# workbooks as bureaus make them


def workbook(tmp_path: Path, *, header: list[str] | None = None,
             rows: list[list[str]] | None = None, title: bool = False,
             two_row: bool = False, totals: bool = False, instructions: bool = False,
             hidden_old: bool = False, hidden_row: int | None = None,
             formula_row: int | None = None, merge_pools: bool = False,
             merge: str | None = None, name: str = "u.xlsx") -> str:
    header = list(header or HEADER)
    rows = [list(r) for r in (rows or ROWS)]
    wb = openpyxl.Workbook()
    first = wb.active
    if hidden_old:  # last year's data, hidden, in front
        first.title = "2023"
        first.append(header)
        for r in rows:  # other numbers: a different plan if this sheet were read
            first.append([str(int(c) + 7) if c.isdigit() else c for c in r])
        first.sheet_state = "hidden"
        ws = wb.create_sheet("2024")
    elif instructions:
        first.title = "填表说明"
        first.append(["填表说明：请按单位逐行填写，岗位总量为专业技术岗位数。"])
        first.append(["数据填写在“岗位表”工作表。"])
        ws = wb.create_sheet("岗位表")
    else:
        ws = first
        ws.title = "岗位表"
    if title:
        ws.append(["桐溪县乡镇事业单位专业技术岗位结构比例测算表"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.append(["填报单位：县人社局", None, None, None, None, "单位：人、个"])
    if two_row:
        top = header[:5] + ["现聘人数", None, None, "持证未聘人数", None]
        sub = [None] * 5 + ["高级", "中级", "初级", "高级", "中级"]
        ws.append(top)
        r0 = ws.max_row
        ws.append(sub)
        ws.merge_cells(start_row=r0, start_column=6, end_row=r0, end_column=8)
        ws.merge_cells(start_row=r0, start_column=9, end_row=r0, end_column=10)
        for c in range(1, 6):
            ws.merge_cells(start_row=r0, start_column=c, end_row=r0 + 1, end_column=c)
    else:
        ws.append(header)
    for r in rows:
        ws.append([int(c) if c.isdigit() and not c.startswith("0") else c for c in r])
    first_data = ws.max_row - len(rows) + 1
    if merge_pools:  # 东片 once over its four units, and so on (scope = "pool" needs them)
        for k in range(0, len(rows), 4):
            ws.merge_cells(start_row=first_data + k, start_column=4,
                           end_row=first_data + k + 3, end_column=4)
    if totals:
        ws.append(["合计", None, None, None,
                   *(sum(int(r[k]) for r in rows) for k in range(4, 10))])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
    if merge:
        ws.merge_cells(merge)
    if hidden_row is not None:
        ws.row_dimensions[hidden_row].hidden = True
    if formula_row is not None:
        ws.cell(formula_row, 5).value = "=40+6"
    wb.save(tmp_path / name)
    return name


@pytest.mark.parametrize("layout", [
    {}, {"title": True}, {"two_row": True}, {"title": True, "two_row": True},
    {"merge_pools": True}, {"merge_pools": True, "two_row": True, "title": True},
    {"instructions": True}, {"hidden_old": True}, {"totals": True},
    {"instructions": True, "title": True, "two_row": True, "totals": True},
], ids=lambda d: "+".join(d) or "plain")
def test_layouts_give_the_clean_plan(tmp_path, clean_plan, layout):
    path = scenario(tmp_path, workbook(tmp_path, **layout))
    assert plan(path) == clean_plan


@pytest.mark.parametrize("layout, row", [
    ({}, 4), ({"title": True}, 6), ({"two_row": True}, 5),
    ({"title": True, "two_row": True, "instructions": True}, 7),
], ids=lambda v: "+".join(v) if isinstance(v, dict) else str(v))
def test_problems_name_the_file_row_sheet_and_header_of_each_layout(tmp_path, layout, row):
    rows = [list(r) for r in ROWS]
    rows[2][5] = "-1"  # 现聘高级 of the third unit
    text = refused(scenario(tmp_path, workbook(tmp_path, rows=rows, **layout)))
    sheet = ", sheet '岗位表'" if layout.get("instructions") else ""
    assert (f"u.xlsx{sheet}, row {row}, unit TX013, column 现聘高级: 现聘高级 must not be "
            "negative") in text


def test_a_totals_row_is_skipped_with_a_note_naming_it(tmp_path):
    path = scenario(tmp_path, workbook(tmp_path, totals=True, title=True))
    notes = [str(w) for w in table_warnings(load_scenario(path).units)]
    assert any("row 20: row(s) 20 are totals" in n for n in notes), notes


def test_merged_count_cells_are_refused_naming_them(tmp_path):
    path = scenario(tmp_path, workbook(tmp_path, merge="E3:E4"))  # one 岗位总量 for two units
    text = refused(path)
    assert ("u.xlsx, row 3, column 岗位总量: cells E3:E4 are merged, so their one value would "
            "stand for several rows") in text


def test_a_hidden_row_with_data_is_refused_naming_it(tmp_path):
    path = scenario(tmp_path, workbook(tmp_path, hidden_row=5))
    text = refused(path)
    assert "u.xlsx, row 5: row(s) 5 are hidden but hold data" in text
    code, out = run_exit(path)
    assert code == 2 and "row(s) 5 are hidden" in out


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path):
    path = scenario(tmp_path, workbook(tmp_path, formula_row=4))
    text = refused(path)
    assert "row 4, column E: cell E4 holds a formula without a saved value" in text
    assert "open and save the file in Excel or WPS" in text


def test_only_hidden_or_instruction_sheets_are_refused_with_the_sheet_list(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["请填写"])
    old = wb.create_sheet("数据")
    old.append(HEADER)
    old.append(ROWS[0])
    extra = wb.create_sheet("2024年")
    extra.append(["编码", "名称", "类别", "片", "岗位"])  # no header quotaopt knows
    extra.append(ROWS[0][:5])
    old.sheet_state = "hidden"
    wb.save(tmp_path / "u.xlsx")
    text = refused(scenario(tmp_path, "u.xlsx"))
    assert "no visible sheet has a units table header" in text
    assert "'说明', '数据' (hidden), '2024年'; '2024年' looks most like the data" in text
    # named in the scenario, the hidden sheet is read
    assert len(load_scenario(scenario(tmp_path, "u.xlsx", 'sheet = "数据"')).units) == 1


def test_an_encrypted_workbook_has_its_own_message(tmp_path):
    (tmp_path / "u.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
                                      + "EncryptedPackage".encode("utf-16-le") + bytes(600))
    assert "protected by a password" in refused(scenario(tmp_path, "u.xlsx"))


def test_an_encrypted_xls_has_its_own_message(tmp_path):
    """An .xls saved with a password starts its workbook globals with a FILEPASS record
    (its other records are scrambled); python-calamine would read them without a word.
    Made here from the shipped .xls: INTERFACEHDR, MMS and INTERFACEEND (16 bytes right
    after the BOF) become a FILEPASS record and an MMS record of the same length."""
    data = bytearray((OFFICE_FIXTURES / "u.xls").read_bytes())
    bof = data.find(b"\x09\x08\x10\x00\x00\x06\x05\x00")  # BIFF8 BOF of the globals
    assert bof > 0 and data[bof + 20:bof + 22] == b"\xe1\x00"  # INTERFACEHDR follows it
    data[bof + 20:bof + 36] = (struct.pack("<HHHHH", 0x2F, 6, 0, 0x1234, 0x5678)
                                + struct.pack("<HHH", 0xC1, 2, 0))
    (tmp_path / "u.xls").write_bytes(bytes(data))
    assert "protected by a password" in refused(scenario(tmp_path, "u.xls"))


#: .xls and .ods copies of three workbooks of :func:`workbook`, made by LibreOffice and
#: shipped, so that these tests run where LibreOffice is not installed. To make them again:
#: ``QUOTAOPT_REGEN_OFFICE=1 python -m pytest tests/test_spreadsheets.py -k office``.
OFFICE_FIXTURES = Path(__file__).parent / "fixtures" / "office"
OFFICE_BOOKS = {"u.xlsx": {"title": True, "totals": True},
                "m.xlsx": {"merge_pools": True, "instructions": True},
                "h.xlsx": {"hidden_row": 5}}


@pytest.fixture(scope="module")
def office_files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("office")
    if os.environ.get("QUOTAOPT_REGEN_OFFICE"):
        soffice = shutil.which("soffice")
        if soffice is None:
            pytest.fail("QUOTAOPT_REGEN_OFFICE is set but LibreOffice (soffice) is not installed")
        books = [workbook(d, name=name, **layout) for name, layout in OFFICE_BOOKS.items()]
        for fmt in ("xls", "ods"):  # one LibreOffice start per format
            subprocess.run([soffice, "--headless", "--convert-to", fmt, "--outdir",
                            str(OFFICE_FIXTURES), *(str(d / b) for b in books)], check=True,
                           capture_output=True, timeout=180)
    for f in OFFICE_FIXTURES.iterdir():
        shutil.copy(f, d / f.name)
    return d


@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_old_xls_and_ods_give_the_clean_plan(office_files, clean_plan, ext):
    assert plan(scenario(office_files, f"u.{ext}")) == clean_plan
    assert plan(scenario(office_files, f"m.{ext}")) == clean_plan  # merged pools


def test_an_ods_formula_without_a_saved_value_is_refused_naming_the_cell(tmp_path):
    """A program that writes .ods without calculating leaves a formula cell with no value;
    calamine reads it as empty. Made here from the shipped .ods: the first posts cell (E4,
    46) becomes the formula 40+6 without its value."""
    with zipfile.ZipFile(OFFICE_FIXTURES / "u.ods") as src, \
            zipfile.ZipFile(tmp_path / "u.ods", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "content.xml":
                cell = (b'<table:table-cell office:value-type="float" office:value="46" '
                        b'calcext:value-type="float"><text:p>46</text:p></table:table-cell>')
                assert data.count(cell) >= 1
                data = data.replace(cell, b'<table:table-cell table:formula="of:=40+6"/>', 1)
            dst.writestr(item, data)
    text = refused(scenario(tmp_path, "u.ods"))
    assert "u.ods, row 4, column E: cell E4 holds a formula without a saved value" in text


@pytest.mark.parametrize("ext", ["xls", "ods"])
def test_hidden_rows_of_xls_and_ods_are_refused(office_files, ext):
    text = refused(scenario(office_files, f"h.{ext}"))
    assert f"h.{ext}, row 5: row(s) 5 are hidden but hold data" in text


# ----------------------------------------------------------------------------------------
# headers: synonyms, units in brackets, the scenario's [columns]


def renamed(**new: str) -> list[str]:
    return [new.get(h, h) for h in HEADER]


@pytest.mark.parametrize("header", [
    renamed(县区="片区", 高级待聘="持证未聘高级", 中级待聘="持证未聘中级", 岗位总量="岗位总数"),
    renamed(县区="统筹片区", 高级待聘="已取得高级职称未聘", 中级待聘="已取得中级职称未聘",
            岗位总量="核定岗位数", 现聘高级="现聘高级人数"),
    renamed(岗位总量="岗位总量（个）", 现聘高级="现聘高级（人）", 现聘中级="现聘中级 (人)",
            现聘初级="现聘初级［人］", 单位编码=" 单位编码 ", 高级待聘="高级待聘(人)"),
], ids=["synonyms", "more-synonyms", "bracketed-units"])
def test_header_synonyms_give_the_clean_plan(tmp_path, clean_plan, header):
    assert plan(scenario(tmp_path, write_csv(tmp_path, header, ROWS))) == clean_plan


def test_the_scenario_columns_table_maps_any_header(tmp_path, clean_plan):
    header = renamed(高级待聘="已取得副高职称未聘人数", 县区="所属乡镇片")
    name = write_csv(tmp_path, header, ROWS)
    text = refused(scenario(tmp_path, name))
    assert "column '已取得副高职称未聘人数' (I) holds numbers but is not a known column" in text
    mapping = '[columns]\nsenior_waiting = "已取得副高职称未聘人数"\npool = "所属乡镇片"\n'
    assert plan(scenario(tmp_path, name, policy=mapping + POLICY)) == clean_plan
    bad = '[columns]\nsenior_waiting = "已取得副高未聘"\n'
    text = refused(scenario(tmp_path, name, policy=bad + POLICY))
    assert "maps senior_waiting to the header '已取得副高未聘', which the table does not have" \
        in text


def test_columns_mapped_in_the_scenario_find_the_header_below_title_rows(tmp_path,
                                                                          clean_plan):
    header = renamed(单位编码="机构代码", 岗位总量="核定专技岗位")
    name = workbook(tmp_path, header=header, title=True, instructions=True)
    mapping = '[columns]\nunit_id = "机构代码"\ntotal_posts = "核定专技岗位"\n'
    assert plan(scenario(tmp_path, name, policy=mapping + POLICY)) == clean_plan


def test_a_one_character_slip_in_a_header_is_refused_with_did_you_mean(tmp_path):
    path = scenario(tmp_path, write_csv(tmp_path, renamed(现聘高级="现聘高职"), ROWS))
    code, out = run_exit(path)
    assert code == 2
    assert ("u.csv, row 1, column 现聘高职: column '现聘高职' (F) holds numbers but is not a "
            "known column") in out
    assert "did you mean 现聘高级 (senior_incumbents)?" in out


def test_messages_quote_the_header_of_the_file(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][4] = "-3"
    text = refused(scenario(tmp_path, write_csv(tmp_path, HEADER, rows)))
    assert "row 4, unit TX013, column 岗位总量: 岗位总量 must not be negative" in text


def test_validate_names_the_columns_that_take_their_default(tmp_path):
    header, rows = HEADER[:5], [r[:5] for r in ROWS]
    res = CliRunner().invoke(main, ["validate", str(scenario(
        tmp_path, write_csv(tmp_path, header, rows)))])
    assert res.exit_code == 0, res.output
    assert ("columns not in the units table, taken as their default for every unit: "
            "senior_incumbents = 0, intermediate_incumbents = 0, junior_incumbents = 0, "
            "senior_waiting = 0, intermediate_waiting = 0, priority = 1") in res.output


# ----------------------------------------------------------------------------------------
# codes, types and pools as compared


def test_full_width_and_zero_width_codes_collide_naming_both_rows(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[5][0] = "ＴＸ011"
    text = refused(scenario(tmp_path, write_csv(tmp_path, HEADER, rows)))
    assert ("row 7, unit ＴＸ011, column 单位编码: 单位编码 'ＴＸ011' on row 7 is the same code "
            "as 'TX011' on row 2") in text
    rows[5][0] = "TX011\u200b"
    text = refused(scenario(tmp_path, write_csv(tmp_path, HEADER, rows)))
    assert "单位编码 'TX011' is on rows 2 and 7" in text


@pytest.mark.parametrize("typo", ["Health_Centre", "health_centre\u200b", "ｈｅａｌｔｈ_centre",
                                  "health centre", "helth_centre"])
def test_a_type_like_a_policy_type_is_refused_naming_the_rows(tmp_path, clean_plan, typo):
    rows = [list(r) for r in ROWS]
    hc = [k for k, r in enumerate(rows) if r[2] == "health_centre"]
    rows[hc[1]][2] = typo
    path = scenario(tmp_path, write_csv(tmp_path, HEADER, rows))
    if typo in ("health_centre\u200b", "ｈｅａｌｔｈ_centre"):  # NFKC, zero-width: the same type
        assert plan(path) == clean_plan
        return
    text = refused(path)
    assert (f"u.csv, row {hc[1] + 2}, column 单位类型: type {typo!r} (row(s) {hc[1] + 2}) is "
            "not the policy's type 'health_centre'") in text


def test_a_type_the_policy_does_not_name_stays_valid(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][2] = "library"
    assert len(load_scenario(scenario(tmp_path, write_csv(tmp_path, HEADER, rows))).units) \
        == 16


def test_pools_are_compared_after_nfkc(tmp_path, clean_plan):
    rows = [list(r) for r in ROWS]
    rows[0][3] = " 东片\u200b "
    assert plan(scenario(tmp_path, write_csv(tmp_path, HEADER, rows))) == clean_plan


# ----------------------------------------------------------------------------------------
# validate says what run would refuse; ratios; explain by name


def test_validate_reports_the_feasibility_conditions_run_checks(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][5:8] = ["10", "15", "20"]  # senior incumbents above the protected cap of 6
    path = scenario(tmp_path, write_csv(tmp_path, HEADER, rows),
                    policy=POLICY.replace('scope = "pool"', 'scope = "unit"'))
    res = CliRunner().invoke(main, ["validate", str(path)])
    assert res.exit_code == 3, res.output
    code, out = run_exit(path)
    assert code == 3
    run_reasons = [ln for ln in out.splitlines() if ln.startswith("  - ")]
    assert run_reasons and all(r in res.output for r in run_reasons)
    assert "variant 'baseline' is infeasible; run would refuse it before solving" \
        in res.output


def test_ratios_accept_the_ratio_sign_and_full_width_colon():
    assert Ratio.parse("1∶4∶5") == Ratio.parse("1：4：5") == Ratio.parse("1:4:5")


def test_explain_accepts_a_unique_unit_name(tmp_path):
    path = scenario(tmp_path, write_csv(tmp_path, HEADER, ROWS))
    by_name = CliRunner().invoke(main, ["explain", str(path), "--unit", ROWS[0][1]])
    by_code = CliRunner().invoke(main, ["explain", str(path), "--unit", ROWS[0][0]])
    def lines(out: str) -> list[str]:  # the provenance line has a time stamp
        return [ln for ln in out.splitlines() if not ln.startswith("provenance:")]

    assert by_name.exit_code == 0 and lines(by_name.output) == lines(by_code.output)
    assert lines(by_name.output)[0].startswith(f"unit {ROWS[0][0]} {ROWS[0][1]}")
    rows = [list(r) for r in ROWS]
    rows[1][1] = rows[0][1]
    path = scenario(tmp_path, write_csv(tmp_path, HEADER, rows))
    res = CliRunner().invoke(main, ["explain", str(path), "--unit", ROWS[0][1]])
    assert res.exit_code == 2 and "2 units are named" in res.output


# ----------------------------------------------------------------------------------------
# any change of layout only: the same plan, or refused


def wide(text: str) -> str:
    """ASCII letters, digits and brackets in their full-width forms."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


SYNONYMS = {
    "县区": ["县区", "片区", "统筹片区", "统筹范围"],
    "岗位总量": ["岗位总量", "岗位总数", "核定岗位数", "岗位总量（个）", "total_posts"],
    "现聘高级": ["现聘高级", "现聘高级人数", "现聘高级(人)", "senior_incumbents"],
    "高级待聘": ["高级待聘", "持证未聘高级", "已取得高级职称未聘"],
    "中级待聘": ["中级待聘", "持证未聘中级", "已取得中级职称未聘"],
}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_layout_only_changes_never_change_the_plan(tmp_path, clean_plan, data):
    header = [data.draw(st.sampled_from(SYNONYMS.get(h, [h]))) for h in HEADER]
    header = [data.draw(st.sampled_from([h, f" {h} ", f"\u3000{h}", wide(h)])) for h in header]
    order = data.draw(st.permutations(range(len(HEADER))))
    rows = [[r[k] for k in order] for r in ROWS]
    header = [header[k] for k in order]
    blanks = data.draw(st.lists(st.integers(0, len(rows)), max_size=3))
    for at in sorted(blanks, reverse=True):
        rows.insert(at, [""] * len(header))
    kind = data.draw(st.sampled_from(["csv", "xlsx"]))
    if kind == "csv":
        title_rows = data.draw(st.integers(0, 2))
        text = "\n".join(["桐溪县岗位测算表" + "," * (len(header) - 1)] * title_rows
                         + [",".join(r) for r in [header, *rows]]) + "\n"
        (tmp_path / "h.csv").write_text(text, encoding="utf-8")
        name = "h.csv"
    else:
        front = data.draw(st.sampled_from(["", "instructions", "hidden_old"]))
        name = workbook(tmp_path, header=header, rows=rows, name="h.xlsx",
                        title=data.draw(st.booleans()), **({front: True} if front else {}))
    path = scenario(tmp_path, name)
    try:
        got = plan(path)
    except InputError:
        return  # refused: allowed
    assert got == clean_plan


def test_the_shipped_scenario_validates_unchanged():
    res = CliRunner().invoke(main, ["validate", str(ROOT / "scenarios" / "tongxi-county.toml")])
    assert res.exit_code == 0, res.output
    assert textwrap.dedent("priority = 1") in res.output


# ----------------------------------------------------------------------------------------
# audit reads a plan as its reader sees it


def plan_workbook(tmp_path: Path, *, hidden_row: int | None = None,
                  merge: str | None = None) -> Path:
    res = solve(load_scenario(scenario(tmp_path, write_csv(tmp_path, HEADER, ROWS))))
    alloc = res.allocation
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(POSTS)
    for record in alloc[POSTS].itertuples(index=False):
        ws.append([str(record[0]), *(int(v) for v in record[1:])])
    if hidden_row is not None:
        ws.row_dimensions[hidden_row].hidden = True
    if merge:
        ws.merge_cells(merge)
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    return path


def audit_exit(tmp_path: Path, plan_path: Path) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["audit", str(tmp_path / "s.toml"), "--plan",
                                    str(plan_path)])
    return res.exit_code, res.output


def test_audit_takes_a_clean_plan_workbook(tmp_path):
    code, out = audit_exit(tmp_path, plan_workbook(tmp_path))
    assert code == 0, out


def test_audit_refuses_a_plan_with_a_hidden_row(tmp_path):
    code, out = audit_exit(tmp_path, plan_workbook(tmp_path, hidden_row=4))
    assert code == 2
    assert "plan.xlsx, row 4: row(s) 4 of the plan are hidden but hold cells" in out


def test_audit_refuses_a_plan_with_merged_numbers(tmp_path):
    code, out = audit_exit(tmp_path, plan_workbook(tmp_path, merge="B3:B5"))
    assert code == 2
    assert "plan.xlsx, row 3: cells B3:B5 of the plan are merged" in out
