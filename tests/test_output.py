"""Result files: whole or nothing, ordinary permissions, formula-safe text."""

from __future__ import annotations

import os
import stat
import zipfile

import pandas as pd
import pytest

from quotaopt.output import atomic_write, write_csv, write_xlsx


def test_written_files_get_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "a.csv"
        write_csv(pd.DataFrame({"x": [1]}), target)
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")

    def boom(fh):
        fh.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_csv_text_cells_never_become_formulas(tmp_path):
    target = tmp_path / "a.csv"
    write_csv(pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "-x", "ok"], "n": [-1, 2, 3, 4]}),
              target)
    text = target.read_text(encoding="utf-8").splitlines()
    assert text[1:] == ["'=1+1,-1", "'@SUM(A1),2", "'-x,3", "ok,4"]


def test_csv_nullable_whole_numbers_stay_whole(tmp_path):
    df = pd.DataFrame({"n": pd.array([235, None], dtype="Int64"), "t": ["=x", None]})
    for frame in (df, df.astype(object).where(df.notna(), None)):
        target = tmp_path / "a.csv"
        write_csv(frame, target)
        assert target.read_text(encoding="utf-8").splitlines() == ["n,t", "235,'=x", ","]


def test_xlsx_is_byte_identical_and_carries_no_time_of_writing(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    sheets = {"a": pd.DataFrame({"n": [1, 2], "t": ["x", "=y"]}), "b": pd.DataFrame({"k": [3]})}
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    write_xlsx(sheets, first)
    write_xlsx(sheets, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "<dc:creator>quotaopt</dc:creator>" in core
    assert core.count("2000-01-01T00:00:00Z") == 2
    assert pd.read_excel(first, sheet_name="a", engine="openpyxl")["t"].tolist() == ["x", "=y"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    write_xlsx(sheets, second)
    with zipfile.ZipFile(second) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert "2023-11-14T22:13:20Z" in z.read("docProps/core.xml").decode()
