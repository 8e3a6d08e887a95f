"""Tests for quotaopt.units: reading (CSV encodings, XLSX, Chinese headers) and checking."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from quotaopt.errors import InputError, Problem
from quotaopt.units import (
    ALIASES,
    COUNT_COLUMNS,
    DEFAULT_POOL,
    UNIT_COLUMNS,
    normalize_units,
    read_units,
    text_key,
)

ENGLISH_HEADER = ",".join(UNIT_COLUMNS)
CHINESE_HEADER = (
    "单位编码,单位名称,单位类型,统筹范围,岗位总量,现聘高级,现聘中级,现聘初级,高级待聘,中级待聘,权重"
)
GOOD_ROWS = [
    "0001,东风乡卫生院,health_centre,A县,30,3,10,12,1,2,2",
    "0002,东风乡中心学校,school,A县,45,4,15,20,0,5,1",
    "0103,西岭镇农业服务中心,agri_centre,B县,8,0,2,5,0,0,1.5",
]


# ----------------------------------------------------------------------------------------
# helpers


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["" if v is None else v for v in row] for row in rows]
    )
    return buf.getvalue()


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def problems(call, *args, **kwargs) -> tuple[Problem, ...]:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value.problems


def only_problem(call, *args, **kwargs) -> Problem:
    found = problems(call, *args, **kwargs)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# ----------------------------------------------------------------------------------------
# the catalogue of bad files: one per check, exact row, column and unit

HEADER = "unit_id,type,total_posts,senior_incumbents,intermediate_incumbents,junior_incumbents"
WAITING = HEADER + ",senior_waiting,intermediate_waiting,priority"

# (id, file text, expected row, column, unit, words the message must contain)
CATALOGUE = [
    ("empty-file", "", None, None, None, "empty"),
    ("blank-lines-only", "\r\n\r\n  \r\n", None, None, None, "empty"),
    ("header-but-no-data", "unit_id,type,total_posts\n\n,,\n", None, None, None, "no data rows"),
    (
        "missing-unit_id",
        "code,type,total_posts\nA1,school,3\n",
        1,
        "unit_id",
        None,
        "required column 'unit_id' is missing",
    ),
    (
        "missing-type-did-you-mean",
        "unit_id,typ,total_posts\nA1,school,3\n",
        1,
        "type",
        None,
        "did you mean 'typ'",
    ),
    (
        "missing-total-chinese-did-you-mean",
        "单位编码,单位类型,岗位总和\nA1,school,3\n",
        1,
        "total_posts",
        None,
        "did you mean '岗位总和'",
    ),
    (
        "two-headers-same-column",
        "unit_id,单位代码,type,total_posts\nA1,A1,school,3\n",
        1,
        "单位代码",
        None,
        "both mean unit_id",
    ),
    ("empty-unit_id", HEADER + "\nA1,school,3,0,0,0\n,school,3,0,0,0\n", 3, "unit_id", None, ""),
    (
        "duplicate-unit_id",
        HEADER + "\nA1,school,3,0,0,0\nA2,school,3,0,0,0\nA1,school,4,0,0,0\n",
        4,
        "unit_id",
        "A1",
        "rows 2 and 4",
    ),
    ("empty-type", HEADER + "\nA1,,3,0,0,0\n", 2, "type", "A1", "type is empty"),
    ("empty-total", HEADER + "\nA1,school,,0,0,0\n", 2, "total_posts", "A1", "empty"),
    (
        "count-not-a-number",
        HEADER + "\nA1,school,3,abc,0,0\n",
        2,
        "senior_incumbents",
        "A1",
        "'abc'",
    ),
    (
        "count-fraction",
        HEADER + "\nA1,school,30,0,12.5,0\n",
        2,
        "intermediate_incumbents",
        "A1",
        "whole number",
    ),
    ("count-negative", HEADER + "\nA1,school,3,0,0,-1\n", 2, "junior_incumbents", "A1", "negative"),
    ("count-too-large", HEADER + "\nA1,school,1000000001,0,0,0\n", 2, "total_posts", "A1", "limit"),
    ("count-huge-exponent", HEADER + "\nA1,school,1e400,0,0,0\n", 2, "total_posts", "A1", "limit"),
    ("count-nan", HEADER + "\nA1,school,nan,0,0,0\n", 2, "total_posts", "A1", "'nan'"),
    ("count-inf", HEADER + "\nA1,school,3,inf,0,0\n", 2, "senior_incumbents", "A1", "'inf'"),
    (
        "count-thousands-separator",
        HEADER + '\nA1,school,"1,200",0,0,0\n',
        2,
        "total_posts",
        "A1",
        "'1,200'",
    ),
    (
        "incumbents-exceed-total",
        HEADER + "\nA1,school,10,2,4,5\n",
        2,
        "total_posts",
        "A1",
        "= 11) exceed total_posts 10",
    ),
    (
        "senior-waiting-exceeds-intermediate",
        WAITING + "\nA1,school,10,1,2,3,3,0,1\n",
        2,
        "senior_waiting",
        "A1",
        "senior_waiting 3 exceeds intermediate_incumbents 2",
    ),
    (
        "intermediate-waiting-exceeds-junior",
        WAITING + "\nA1,school,10,1,2,3,0,4,1\n",
        2,
        "intermediate_waiting",
        "A1",
        "intermediate_waiting 4 exceeds junior_incumbents 3",
    ),
    (
        "priority-zero",
        WAITING + "\nA1,school,3,0,0,0,0,0,0\n",
        2,
        "priority",
        "A1",
        "greater than 0",
    ),
    ("priority-negative", WAITING + "\nA1,school,3,0,0,0,0,0,-2\n", 2, "priority", "A1", "-2"),
    ("priority-text", WAITING + "\nA1,school,3,0,0,0,0,0,high\n", 2, "priority", "A1", "'high'"),
    ("priority-nan", WAITING + "\nA1,school,3,0,0,0,0,0,NaN\n", 2, "priority", "A1", "'NaN'"),
    ("priority-inf", WAITING + "\nA1,school,3,0,0,0,0,0,inf\n", 2, "priority", "A1", "'inf'"),
    (
        "priority-overflow",
        WAITING + "\nA1,school,3,0,0,0,0,0,1e400\n",
        2,
        "priority",
        "A1",
        "finite",
    ),
    (
        "row-numbers-count-empty-rows",
        HEADER + "\nA1,school,3,0,0,0\n\n,,,,,\nA2,school,3,9,0,0\n",
        5,
        "total_posts",
        "A2",
        "exceed",
    ),
    (
        "row-numbers-count-records-not-lines",
        'unit_id,name,type,total_posts\nA1,"two\nlines",school,3\nA2,x,school,-3\n',
        3,
        "total_posts",
        "A2",
        "negative",
    ),
]


@pytest.mark.parametrize(
    "text, row, column, unit, words",
    [case[1:] for case in CATALOGUE],
    ids=[case[0] for case in CATALOGUE],
)
def test_catalogue_of_bad_files(tmp_path, text, row, column, unit, words):
    path = write(tmp_path / "units.csv", text)
    problem = only_problem(read_units, path)
    assert (problem.row, problem.column, problem.unit) == (row, column, unit)
    assert problem.file == str(path)
    assert words in problem.message
    assert str(path) in str(problem)


def test_all_problems_are_reported_at_once_in_row_order(tmp_path):
    text = (
        "unit_id,type,total_posts,senior_incumbents,priority\n"
        "A1,school,x,0,1\n"
        "A2,,3,0,0\n"
        "A1,school,3,5,1\n"
    )
    path = write(tmp_path / "units.csv", text)
    found = problems(read_units, path)
    located = [(p.row, p.column, p.unit) for p in found]
    assert located == [
        (2, "total_posts", "A1"),
        (3, "type", "A2"),
        (3, "priority", "A2"),
        (4, "unit_id", "A1"),
        (4, "total_posts", "A1"),
    ]
    with pytest.raises(InputError, match="5 problems found"):
        read_units(path)


def test_missing_total_posts_column_is_reported_once(tmp_path):
    path = write(tmp_path / "u.csv", "unit_id,type,senior_incumbents\nA1,school,4\n")
    problem = only_problem(read_units, path)
    assert (problem.row, problem.column) == (1, "total_posts")


def test_title_and_blank_rows_above_the_header_are_skipped_with_a_note(tmp_path):
    text = "某县乡镇事业单位岗位表,,\n\n单位编码,单位类型,岗位总量\nA1,school,3\n"
    units = read_units(write(tmp_path / "u.csv", text))
    from quotaopt.units import source_rows, table_warnings

    assert units["unit_id"].tolist() == ["A1"] and source_rows(units).tolist() == [4]
    (note,) = table_warnings(units)
    assert note.row == 3 and "the 2 row(s) above it" in note.message


def test_old_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "units.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    problem = only_problem(read_units, path)
    assert ".xlsx" in problem.message and problem.file == str(path)


def test_html_saved_as_xls_is_refused_with_advice(tmp_path):
    path = write(tmp_path / "export.xls", "<html><body><table><tr><td>单位编码</td></tr></table>")
    assert "HTML" in only_problem(read_units, path).message


def test_undecodable_bytes_name_the_utf8_offset(tmp_path):
    path = tmp_path / "units.csv"
    # valid UTF-8 header, then bytes that are neither UTF-8 nor GB18030
    path.write_bytes(b"unit_id,type,total_posts\nA1,\x80\xff,3\n")
    problem = only_problem(read_units, path)
    assert problem.file == str(path)
    assert "byte offset 28" in problem.message and "line 2" in problem.message


def test_utf8_bom_with_bad_bytes_is_not_read_as_gbk(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"\xef\xbb\xbfunit_id,type,total_posts\nA1,\xd6\xd0,3\n")
    assert "byte offset 31" in only_problem(read_units, path).message


def test_utf16_text_is_refused_with_advice(tmp_path):
    path = write(tmp_path / "units.txt", "unit_id\ttype\ttotal_posts\n", "utf-16")
    assert "UTF-16" in only_problem(read_units, path).message


def test_missing_file_is_an_input_error(tmp_path):
    problem = only_problem(read_units, tmp_path / "nope.csv")
    assert "not found" in problem.message


def test_damaged_xlsx_is_an_input_error(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    assert "XLSX" in only_problem(read_units, path).message


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "u.xlsx", {"说明": [["x"]], "units": [["unit_id"]]})
    problem = only_problem(read_units, path, sheet="Units")
    assert "'说明', 'units'" in problem.message


def test_sheet_on_a_csv_is_a_problem(tmp_path):
    path = write(tmp_path / "u.csv", "unit_id,type,total_posts\nA1,school,3\n")
    assert "sheet" in only_problem(read_units, path, sheet="units").message


def test_dataframe_problems_use_index_plus_two():
    raw = pd.DataFrame(
        {"unit_id": ["a", "b"], "type": ["x", "x"], "total_posts": [3, -1]}, index=[10, 11]
    )
    problem = only_problem(normalize_units, raw, source="mine")
    assert (problem.file, problem.row, problem.unit) == ("mine", 13, "b")
    raw.index = ["p", "q"]
    assert only_problem(normalize_units, raw).row == 3
    assert only_problem(normalize_units, raw).file == "<DataFrame>"


@pytest.mark.parametrize(
    "value, ok",
    [
        (3, True),
        (np.int64(3), True),
        (3.0, True),
        ("３", True),
        ("3.0", True),
        (None, False),
        (np.nan, False),
        (3.5, False),
        (-1, False),
        (True, False),
        (float("inf"), False),
        (10**9 + 1, False),
        ("1_000", False),
        ("3/2", False),
    ],
)
def test_dataframe_count_cells(value, ok):
    raw = pd.DataFrame({"unit_id": ["a"], "type": ["x"], "total_posts": [value]}, dtype=object)
    if ok:
        assert normalize_units(raw)["total_posts"].tolist() == [3]
    else:
        assert only_problem(normalize_units, raw).column == "total_posts"


# ----------------------------------------------------------------------------------------
# reading good files


def english_table() -> pd.DataFrame:
    return read_units_from_text(ENGLISH_HEADER + "\n" + "\n".join(GOOD_ROWS) + "\n")


def read_units_from_text(text: str, encoding: str = "utf-8") -> pd.DataFrame:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return read_units(write(Path(d) / "u.csv", text, encoding))


def test_result_layout_and_dtypes():
    units = english_table()
    assert tuple(units.columns) == UNIT_COLUMNS
    assert isinstance(units.index, pd.RangeIndex) and list(units.index) == [0, 1, 2]
    for col in ("unit_id", "name", "type", "pool"):
        assert units[col].dtype == object
        assert all(type(v) is str for v in units[col])
    for col in COUNT_COLUMNS:
        assert units[col].dtype == np.int64
    assert units["priority"].dtype == np.float64
    assert units["unit_id"].tolist() == ["0001", "0002", "0103"]  # leading zeros kept
    assert units["priority"].tolist() == [2.0, 1.0, 1.5]
    assert units.loc[2, ["total_posts", "intermediate_incumbents"]].tolist() == [8, 2]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_headers_read_like_english(tmp_path, encoding):
    text = CHINESE_HEADER + "\r\n" + "\r\n".join(GOOD_ROWS) + "\r\n"
    path = write(tmp_path / "单位.csv", text, encoding)
    assert_frame_equal(read_units(path), english_table())


def test_header_spelling_is_forgiving(tmp_path):
    header = "\u3000Unit_ID ,NAME,Type, 县区 ,Total Posts,现聘 高级,intermediate-incumbents,"
    header += "JUNIOR_INCUMBENTS,senior_waiting,中级待聘,权重"
    path = write(tmp_path / "u.csv", header + "\n" + "\n".join(GOOD_ROWS) + "\n", "utf-8-sig")
    assert_frame_equal(read_units(path), english_table())


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    rows = [r.split(",") for r in [CHINESE_HEADER, *GOOD_ROWS]]
    numeric = [rows[0]] + [[*r[:4], *(int(v) for v in r[4:10]), float(r[10])] for r in rows[1:]]
    path = write_xlsx(tmp_path / "u.xlsx", {"县直": numeric, "说明": [["nothing here"]]})
    assert_frame_equal(read_units(path), english_table())
    path = write_xlsx(tmp_path / "v.xlsx", {"说明": [["nothing here"]], "units": rows})
    assert_frame_equal(read_units(path, sheet="units"), english_table())


def test_xlsx_with_a_csv_name_still_reads(tmp_path):
    rows = [r.split(",") for r in [ENGLISH_HEADER, *GOOD_ROWS]]
    path = write_xlsx(tmp_path / "really-a-workbook.csv", {"Sheet1": rows})
    assert_frame_equal(read_units(path), english_table())


def test_xlsx_cell_types(tmp_path):
    rows = [
        ["unit_id", "type", "total_posts", "senior_incumbents", "priority", "note"],
        [1001, "school", 12.0, None, 2, 3.5],
        None,  # an empty row is skipped
        ["007", " school ", "１２", 1, 0.25, "x"],
    ]
    path = tmp_path / "u.xlsx"
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row or [])
    wb.active["H9"] = None  # stray formatting far below: no effect
    wb.save(path)
    units = read_units(path)
    assert units["unit_id"].tolist() == ["1001", "007"]
    assert units["total_posts"].tolist() == [12, 12]
    assert units["senior_incumbents"].tolist() == [0, 1]
    assert units["priority"].tolist() == [2.0, 0.25]
    assert units["type"].tolist() == ["school", "school"]
    assert units["note"].tolist() == ["3.5", "x"]


def test_xlsx_problem_rows_count_like_the_spreadsheet(tmp_path):
    path = write_xlsx(
        tmp_path / "u.xlsx",
        {"s": [["unit_id", "type", "total_posts"], ["a", "x", 1], [], [], ["b", "x", -2]]},
    )
    problem = only_problem(read_units, path)
    assert (problem.row, problem.unit, problem.column) == (5, "b", "total_posts")


def test_full_width_digits_and_integral_decimals(tmp_path):
    text = HEADER + "\nA1,school,３５,１,12.0,０\n"
    units = read_units(write(tmp_path / "u.csv", text))
    columns = ["total_posts", "senior_incumbents", "intermediate_incumbents"]
    assert units.loc[0, columns].tolist() == [35, 1, 12]


def test_defaults_are_applied(tmp_path):
    text = "unit_id,name,type,pool,total_posts,priority\nA1,,school,,5,\nA2,Two,school,,6,3\n"
    units = read_units(write(tmp_path / "u.csv", text))
    assert units["name"].tolist() == ["A1", "Two"]
    assert units["pool"].tolist() == [DEFAULT_POOL, DEFAULT_POOL]
    assert units["priority"].tolist() == [1.0, 3.0]
    # an empty pool beside named ones (a merged cell saved as CSV) is not the default pool
    mixed = text.replace("school,,6", "school,B县,6")
    (problem,) = problems(read_units, write(tmp_path / "x.csv", mixed))
    assert (problem.row, problem.column) == (2, "pool") and "other units name" in problem.message
    minimal = read_units(write(tmp_path / "m.csv", "unit_id,type,total_posts\nA1,school,5\n"))
    row = minimal.iloc[0]
    assert (row["name"], row["pool"], row["priority"]) == ("A1", DEFAULT_POOL, 1.0)
    assert [int(row[c]) for c in COUNT_COLUMNS] == [5, 0, 0, 0, 0, 0]


def test_extra_columns_are_carried_through(tmp_path):
    text = (
        " 备注 ,unit_id,type,total_posts,联系人,联系人,\n"
        " 远郊 ,A1,school,5,张三,,\n"
        ",A2,school,6,,李四,x\n"
    )
    units = read_units(write(tmp_path / "u.csv", text))
    assert list(units.columns) == [*UNIT_COLUMNS, "备注", "联系人", "联系人.1", "Unnamed: 6"]
    assert units["备注"].tolist() == ["远郊", ""]
    assert units["联系人.1"].tolist() == ["", "李四"]
    assert units["Unnamed: 6"].tolist() == ["", "x"]
    assert units["备注"].dtype == object


def test_trailing_empty_columns_and_rows_are_ignored(tmp_path):
    text = "unit_id,type,total_posts,,\nA1,school,5,,\n,,,,\n\n"
    units = read_units(write(tmp_path / "u.csv", text))
    assert list(units.columns) == list(UNIT_COLUMNS) and len(units) == 1


def test_tab_separated_text_reads(tmp_path):
    units = read_units(write(tmp_path / "u.txt", "unit_id\ttype\ttotal_posts\n007\tschool\t7\n"))
    assert units.loc[0, "unit_id"] == "007" and units.loc[0, "total_posts"] == 7


def test_aliases_cover_the_spec():
    for alias in (
        "单位编码 单位代码 单位名称 单位类型 统筹范围 县区 岗位总量 专技岗位总量 "
        "现聘高级 现聘中级 现聘初级 高级待聘 中级待聘 权重"
    ).split():
        assert alias in ALIASES
    assert all(ALIASES[c] == c for c in UNIT_COLUMNS)
    # and the optional budget column of each pool's own budget (read only when present)
    assert set(ALIASES.values()) == {*UNIT_COLUMNS, "budget"}
    assert all(ALIASES[a] == "budget" for a in ("budget", "预算", "增资额度", "岗位增资预算"))


def test_a_dataframe_from_pandas_read_csv_normalizes_like_the_file(tmp_path):
    text = (
        "unit_id,name,type,total_posts,senior_incumbents,senior_waiting,intermediate_incumbents,"
        "priority,note\n"
        "A1,,school,5,1,,2,,x\n"
        "B2,Two,school,6,,1,1,2.5,\n"
    )
    path = write(tmp_path / "u.csv", text)
    from_pandas = normalize_units(pd.read_csv(path), source=str(path))
    from_file = read_units(path)
    assert_frame_equal(from_pandas.drop(columns="note"), from_file.drop(columns="note"))
    assert from_pandas["name"].tolist() == ["A1", "Two"]
    assert from_pandas["senior_incumbents"].tolist() == [1, 0]
    assert from_pandas["priority"].tolist() == [1.0, 2.5]


def test_normalize_does_not_change_its_input():
    raw = pd.DataFrame({"unit_id": [" a "], "type": ["x"], "total_posts": ["3"]}, dtype=object)
    before = raw.copy()
    normalize_units(raw)
    assert_frame_equal(raw, before)


# ----------------------------------------------------------------------------------------
# properties

_CHINESE = (
    "卫生院中心学校农业服务站文化县乡镇第一二三东西南北"
    + "小初高级岗位名称统筹范围社区医疗林水利畜牧兽"
)
# characters whose GBK encoding can never be mistaken for UTF-8 (trail byte not 0x80-0xBF)
CHINESE = "".join(c for c in _CHINESE if not 0x80 <= c.encode("gbk")[1] <= 0xBF)
ALPHABET = "abcXYZ019 -_.,'\"()#&" + CHINESE
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

text_values = st.text(ALPHABET, min_size=0, max_size=8)
ids = st.text(ALPHABET, min_size=1, max_size=6).filter(lambda s: text_key(s) != "")


def count_cell(n: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([n, str(n), str(n).translate(FULL_WIDTH), f"{n}.0", f" {n} "])


@st.composite
def unit_tables(draw) -> pd.DataFrame:
    unit_ids = draw(st.lists(ids, min_size=1, max_size=6, unique_by=text_key))
    pools_given = draw(st.booleans())  # a pool on every row or on none (issue 12)
    optional = [c for c in UNIT_COLUMNS if c not in ("unit_id", "type", "total_posts")]
    chosen = ["unit_id", "type", "total_posts"] + [c for c in optional if draw(st.booleans())]
    extra = draw(st.booleans())
    columns = draw(st.permutations(chosen + (["备注"] if extra else [])))
    headers = []
    for col in columns:
        names = [k for k, v in ALIASES.items() if v == col] if col != "备注" else ["备注"]
        name = draw(st.sampled_from(names))
        if name.isascii():
            name = draw(st.sampled_from([name, name.upper(), name.title()]))
        headers.append(draw(st.sampled_from([name, f" {name}", f"{name}\u3000"])))
    rows = []
    for uid in unit_ids:
        s, m, j = (
            draw(st.integers(0, 12)) if col in chosen else 0  # a missing column counts 0
            for col in ("senior_incumbents", "intermediate_incumbents", "junior_incumbents")
        )
        values = {
            "unit_id": uid,
            "name": draw(st.none() | text_values),
            "type": draw(ids),
            "pool": draw(text_values.filter(lambda t: text_key(t) != "")) if pools_given
            else None,
            "total_posts": draw(count_cell(s + m + j + draw(st.integers(0, 5)))),
            "senior_incumbents": draw(count_cell(s)),
            "intermediate_incumbents": draw(count_cell(m)),
            "junior_incumbents": draw(count_cell(j)),
            "senior_waiting": draw(st.none() | count_cell(draw(st.integers(0, m)))),
            "intermediate_waiting": draw(st.none() | count_cell(draw(st.integers(0, j)))),
            "priority": draw(
                st.none()
                | st.integers(1, 100)
                | st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False)
            ),
            "备注": draw(text_values),
        }
        rows.append([values[c] for c in columns])
        if draw(st.integers(0, 4)) == 0:
            rows.append([None] * len(columns))  # an empty row
    return pd.DataFrame(rows, columns=pd.Index(headers, dtype=object), dtype=object)


def as_csv_cell(value: Any) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(table=unit_tables(), fmt=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "xlsx"]))
def test_written_tables_read_back_as_normalized(tmp_path, table, fmt):
    expected = normalize_units(table)
    header = list(table.columns)
    rows = table.values.tolist()
    if fmt == "xlsx":
        path = write_xlsx(tmp_path / "units.xlsx", {"units": [header, *rows]})
    else:
        text = csv_text([header, *[[as_csv_cell(v) for v in row] for row in rows]])
        data = text.encode(fmt)
        if fmt == "gbk":  # GBK bytes that happen to be valid UTF-8 are ambiguous
            assume(data.isascii() or not _is_utf8(data))
        path = tmp_path / "units.csv"
        path.write_bytes(data)
    assert_frame_equal(read_units(path), expected)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


csv_like_text = st.lists(
    st.sampled_from([*ALIASES, ",", ",", "\n", "\r\n", '"', "1", "-3", "x", "2.5", " ", "１"]),
    max_size=40,
).map("".join)
any_bytes = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=50).map(lambda b: b"\xd0\xcf\x11\xe0" + b),
    st.tuples(csv_like_text, st.sampled_from(["utf-8", "utf-8-sig", "gbk"])).map(
        lambda t: t[0].encode(t[1])
    ),
    st.tuples(csv_like_text, st.binary(max_size=5)).map(lambda t: t[0].encode() + t[1]),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=any_bytes)
def test_any_bytes_give_a_table_or_an_input_error(tmp_path, data):
    path = tmp_path / "units.csv"
    path.write_bytes(data)
    try:
        units = read_units(path)
    except InputError as exc:
        assert exc.problems and all(p.file == str(path) for p in exc.problems)
    else:
        assert isinstance(units, pd.DataFrame)
        assert tuple(units.columns[: len(UNIT_COLUMNS)]) == UNIT_COLUMNS
