"""Result files: whole or nothing, ordinary permissions, formula-safe text."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from quotaopt.output import atomic_write, write_csv


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
