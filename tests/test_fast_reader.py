"""The fast CSV reader (pyarrow, column-wise checks) against the general one (Python's csv
module, cell by cell): for every file, the same table — values, dtypes, row numbers,
warnings — or the same problems. The fast path may decline a file (it then goes to the
general reader); it may never give a different answer. No timing is asserted here; speed is
measured by ``python -m benchmarks``.
"""

from __future__ import annotations

import csv
import io
import random
import sys
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotaopt import csvarrow, units
from quotaopt.errors import InputError
from quotaopt.headers import TOTAL_ROW_WORDS_ZH
from quotaopt.table import read_sheet
from tests import fuzz


def slow_read(path, columns=None):
    """read_units with the fast path switched off."""
    original = units._read_clean_csv
    units._read_clean_csv = lambda *a, **k: None
    try:
        return units.read_units(path, columns=columns)
    finally:
        units._read_clean_csv = original


def outcome(read, path, columns=None):
    try:
        return "table", read(path, columns=columns)
    except InputError as exc:
        return "problems", [(p.message, p.file, p.row, p.column, p.unit) for p in exc.problems]


def assert_same(path, columns=None):
    """read_units (fast path first) and the general reader agree on ``path``; returns
    whether the fast path accepted the file."""
    kind_a, a = outcome(units.read_units, path, columns)
    kind_b, b = outcome(slow_read, path, columns)
    assert kind_a == kind_b, (a, b)
    if kind_a == "problems":
        assert a == b
        return False
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes) == list(b.dtypes)
    assert a.attrs.keys() == b.attrs.keys()
    for key, value in a.attrs.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, b.attrs[key])
        else:
            assert value == b.attrs[key], key
    for col in ("unit_id", "name", "type", "pool"):
        assert all(type(v) is str for v in a[col].tolist())
    return units._read_clean_csv(path, columns) is not None


def test_whitespace_is_pythons():
    assert csvarrow.WHITESPACE == tuple(c for c in range(sys.maxunicode + 1) if chr(c).isspace())


def test_totals_words_end_in_a_character_no_other_one_becomes():
    """The fast path looks for totals rows (合计 …) only in cells holding the last character
    of a totals word; that is exact because no other character's NFKC form contains it."""
    ends = {w[-1] for w in TOTAL_ROW_WORDS_ZH}
    assert not [c for c in range(sys.maxunicode + 1) if chr(c) not in ends and any(
        e in unicodedata.normalize("NFKC", chr(c)) for e in ends)]


CLEAN = ("单位编码,单位名称,单位类型,县区,岗位总量,现聘高级,现聘中级,现聘初级,"
         "高级待聘,中级待聘,权重\n"
         "007,甲镇卫生院,health_centre,东片,30,2,10,15,1,2,1\n"
         "008,,school,东片,40,3,12,20,0,0,1.5\n"
         "TX-9,乙镇\"学校\",school,西片,12,0,0,0,0,0,\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_clean_file_takes_the_fast_path_in_every_encoding(tmp_path, encoding):
    path = tmp_path / "units.csv"
    path.write_bytes(CLEAN.encode(encoding))
    assert assert_same(path)


@pytest.mark.parametrize("text", [
    CLEAN.replace("\n", "\r\n"),
    CLEAN.replace(",", "\t"),
    CLEAN + ",,,,,,,,,,\n",  # Excel's empty rows at the end
    CLEAN.replace("TX-9", " TX-9 "),  # whitespace is stripped
    "\n".join(line + extra for line, extra in zip(
        CLEAN.splitlines(), [",备注,", ",=1+1,", ", 见附件 ,", ",,"], strict=True)) + "\n",
    CLEAN.replace("县区,", "").replace("东片,", "").replace("西片,", ""),  # no pool column
    CLEAN.replace(",权重", "").replace(",1\n", "\n").replace(",1.5\n", "\n").replace(",\n", "\n"),
])
def test_variants_of_a_clean_file_take_the_fast_path_and_agree(tmp_path, text):
    path = tmp_path / "units.csv"
    path.write_bytes(text.encode("utf-8"))
    assert assert_same(path)


@pytest.mark.parametrize("change", [
    ("007,", "008,"),  # duplicate code
    ("007,", "００８,"),  # look-alike code
    ("007,", ","),  # empty code
    (",30,", ",3,"),  # incumbents above the posts
    (",30,", ",-1,"), (",30,", ",3.5,"), (",30,", ",,"), (",30,", ",３０,"),  # counts
    (",30,", ",1000000001,"), (",30,", ",99999999999999999999999,"),
    (",1\n", ",0\n"), (",1\n", ",abc\n"), (",1\n", ",1e3\n"),  # priorities
    ("health_centre", ""), ("东片", ""),  # empty type, pool on some rows only
    ("007,甲镇卫生院", "合计,甲镇卫生院"), ("甲镇卫生院", "合  计"),  # totals rows
    ("甲镇卫生院", "甲镇\u200b卫生院"), ("007", "0\u200b07"),  # invisible characters
    ("单位编码", "单位代码x"), ("岗位总量", "岗位总量,岗位总量"),  # headers
    ("\n008", "\n,,,,,,,,,,\n008"),  # an empty row among the data
    ("单位编码", "某县岗位设置表\n单位编码"),  # a title row
    ("甲镇卫生院", "x" * 1001),
])
def test_files_with_a_problem_give_the_same_problems(tmp_path, change):
    path = tmp_path / "units.csv"
    path.write_bytes(CLEAN.replace(*change).encode("utf-8"))
    assert_same(path)


def test_a_bom_with_gbk_bytes_is_refused_as_by_the_general_reader(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CLEAN.encode("gbk"))
    assert not assert_same(path)


def test_the_columns_mapping_is_applied_the_same(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(CLEAN.replace("岗位总量", "编制内岗位").encode("utf-8"))
    assert assert_same(path, {"total_posts": "编制内岗位"})
    assert_same(path, {"total_posts": "没有这一列"})


def test_the_benchmark_province_takes_the_fast_path(tmp_path):
    from benchmarks.generate import write_province

    prov = write_province(2000, 3, tmp_path)
    assert assert_same(prov.csv)


# ----------------------------------------------------------------------------------------
# the parser: pyarrow's cells are Python csv's cells, whenever it accepts a file

CELL = st.one_of(
    st.sampled_from(["", " ", "7", "007", "a,b", 'x"y', '"q"', "a\nb", "a\r\nb", "中文", "\u3000",
                     "\ufeff", "=1", "合计", "\t", ";", "é", "\u200b", "'", '""']),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=6),
       delim=st.sampled_from([",", ";", "\t"]), term=st.sampled_from(["\n", "\r\n", "\r"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       noise=st.sampled_from(["", "\n", '"', 'a"b', "\r", ",\n", "\n\n"]))
def test_arrow_cells_are_the_csv_modules(tmp_path_factory, rows, delim, term, quoting,
                                         encoding, noise):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delim, lineterminator=term, quoting=quoting).writerows(rows)
    data = (buf.getvalue() + noise).encode(encoding)
    path = tmp_path_factory.mktemp("p") / "units.csv"
    path.write_bytes(data)
    sheet = csvarrow.read_csv_columns(path)
    if sheet is None:
        return
    try:
        records = read_sheet(path).records
    except InputError:
        pytest.fail("pyarrow read a file the general reader refuses")
    width = len(sheet.columns)
    got = [sheet.header] + [list(r) for r in zip(*(c.to_pylist() for c in sheet.columns),
                                                 strict=True)]
    want = [r + [""] * (width - len(r)) if not r else r for r in records]
    assert got == want


# ----------------------------------------------------------------------------------------
# the column-wise checks on the UTF-8 bytes, against Python's str on random cells


TRICKY = ["a", "1", "0", "计", "合", "\u200b", "\ufeff", "\u00ad", "\u2060", " ", "\u3000",
          "\t", "\u2028", "\u0085", "\u00a0", "\u1680", "é", "\U0001F600", "X", "\u8ba0",
          "\u8ba2", "\u200a", "\u205f"]
COLUMN = st.lists(st.text(st.sampled_from(TRICKY), max_size=5), max_size=12)


def arrow_column(cells):
    """``cells`` as a pyarrow column cut out of a longer one (its bytes start further in)."""
    return pa.array(["pad", *cells, "pad"], type=pa.string()).slice(1, len(cells))


@settings(max_examples=400, deadline=None)
@given(cells=COLUMN)
def test_byte_checks_are_pythons(cells):
    col = arrow_column(cells)
    assert csvarrow.strip(col).to_pylist() == [c.strip() for c in cells]
    chars = "计\u200b\ufeff\u00ad\u2060"
    assert csvarrow.rows_with(col, chars).tolist() == [
        i for i, c in enumerate(cells) if any(ch in c for ch in chars)]
    assert csvarrow.all_distinct(col) == (len(set(cells)) == len(cells))
    ordered = arrow_column(sorted(set(cells)))
    assert csvarrow.all_distinct(ordered)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.text("0123456789", max_size=20) | st.sampled_from(["1a", " 1", "١"]),
                      max_size=10),
       width=st.integers(0, 4))
def test_digit_values_are_int(cells, width):
    same = [c.zfill(width)[:width] if width else c for c in cells]  # also cells of one width
    for column in (cells, same):
        got = csvarrow.digit_values(arrow_column(column))
        if all(c == "" or (c.isascii() and c.isdigit()) for c in column) and all(
                len(c) <= 18 for c in column):
            assert got is not None and got.tolist() == [int(c or "0") for c in column]
        else:
            assert got is None


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=60).map(lambda b: b.replace(b"\x00", b"")),
       limit=st.integers(1, 12))
def test_line_checks_are_exact(data, limit):
    lines = data.split(b"\n")
    longest = max(map(len, lines))
    got = csvarrow._longest_line(data, limit)
    assert (got > limit) == (longest > limit)
    if got:
        assert got == longest
    assert csvarrow._lone_carriage_return(data) == (data.count(b"\r") != data.count(b"\r\n"))


# ----------------------------------------------------------------------------------------
# the fuzzer's tables: hostile and benign mutations of the shipped county, any encoding


@pytest.mark.parametrize("seed", range(120))
def test_mutated_tables_agree(tmp_path, seed):  # about a fifth take the fast path
    rng = random.Random(f"fast-reader:{seed}")
    base = fuzz._bases()[0]["rows"]
    table = [list(r) for r in base]
    fuzz.mutate_table(rng, table, rng.randint(0, 3), benign=seed % 3 == 0)
    data, _ = fuzz.table_to_csv(rng, table)
    path = tmp_path / "units.csv"
    path.write_bytes(data)
    assert_same(path)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(cells=st.lists(st.sampled_from(
    ["1", "0", "", " 2 ", "３", "-1", "2.0", "1e2", "abc", "1000000000", "1000000001",
     "00012", "0.5", "1.25", "\u200b", "合计", " ", "x,y", "=A1"]), min_size=6, max_size=6),
       ids=st.lists(st.sampled_from(["A", "B", "Ａ", "a", " A", "A\u200b", "", "007", "合计"]),
                    min_size=3, max_size=3),
       types=st.lists(st.sampled_from(["school", "ｓｃｈｏｏｌ", "", " school "]),
                      min_size=3, max_size=3),
       pools=st.lists(st.sampled_from(["p", "", "Ｐ", " p"]), min_size=3, max_size=3))
def test_random_small_tables_agree(tmp_path_factory, cells, ids, types, pools):
    header = ["unit_id", "type", "pool", "total_posts", "senior_incumbents",
              "intermediate_incumbents", "junior_incumbents", "senior_waiting",
              "intermediate_waiting", "priority"]
    rows = []
    for k in range(3):
        counts = ["40", cells[(k) % 6], cells[(k + 1) % 6], cells[(k + 2) % 6], "0",
                  cells[(k + 3) % 6], cells[(k + 4) % 6]]
        rows.append([ids[k], types[k], pools[k], *counts])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path = tmp_path_factory.mktemp("t") / "units.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    assert_same(path)


@pytest.mark.parametrize("env", [None, "1"])
def test_reading_a_csv_turns_numpys_huge_page_advice_off_unless_the_environment_says(
        tmp_path, monkeypatch, env: str | None) -> None:
    """Huge pages on request cost a million-unit run half its time on a machine with direct
    compaction (docs/performance.md); ``NUMPY_MADVISE_HUGEPAGE`` in the environment wins."""
    multiarray = np._core.multiarray
    before = multiarray._get_madvise_hugepage()
    path = tmp_path / "u.csv"
    path.write_text("unit_id,total_posts\nA,3\n", encoding="utf-8")
    try:
        multiarray._set_madvise_hugepage(True)
        if env is None:
            monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
        else:
            monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", env)
        assert csvarrow.read_csv_columns(path) is not None
        assert multiarray._get_madvise_hugepage() is (env is not None)
    finally:
        multiarray._set_madvise_hugepage(before)
