"""The column-wise CSV writer gives exactly what pandas gives (after the formula guard)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quotaopt.output import csv_safe, csv_text


def pandas_csv(df: pd.DataFrame) -> str:
    return csv_safe(df).to_csv(index=False, lineterminator="\n")


TRICKY = ["plain", "", " spaced ", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "=1+1",
          "+3", "-x", "@SUM(A1)", "\tTab", "\rCR", "'quoted", "卫生院,东片", "=a,b\"c",
          "x\x00y", "\x00=z"]


@pytest.mark.parametrize("df", [
    pd.DataFrame({"unit_id": TRICKY, "n": np.arange(len(TRICKY)) - 5,
                  "flag": [i % 3 == 0 for i in range(len(TRICKY))]}),
    pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=np.int64)}),
    pd.DataFrame({"big": [0, 10**15, -(10**12)], "t": ["a", "b", "c"]}),
    pd.DataFrame({"x": [1.5, 2.0, np.nan], "t": ["a", "=b", "c"]}),  # float → pandas path
    pd.DataFrame({"t": ["a", None, "c"], "n": [1, 2, 3]}),  # missing text → pandas path
    pd.DataFrame({"only": ["", "=x", "a,b"]}),  # one column → pandas path
    pd.DataFrame({"s": pd.array(["a", "=b", None], dtype="string"), "n": [1, 2, 3]}),
    pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "t": ["a", "b", "c"]}),
    pd.DataFrame({"col,with comma": [1, 2], 'q"uote': ["x", "y"]}),
    pd.DataFrame({"u": np.array([3, 1, 2], dtype=np.uint8), "t": ["-", "+", "@"]}),
])
def test_same_text_as_pandas(df):
    assert csv_text(df) == pandas_csv(df)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.integers(-10**6, 10**6), st.booleans()),
                max_size=30))
def test_same_text_as_pandas_on_any_text(rows):
    df = pd.DataFrame(rows, columns=["name", "n", "flag"])
    df["name"] = df["name"].astype(object)
    assert csv_text(df) == pandas_csv(df)


# ----------------------------------------------------------------------------------------
# csv_bytes: pyarrow's writer where no text cell needs quotes, the same bytes as csv_text


UNQUOTED = [t for t in TRICKY if not any(c in t for c in ',"\r\n')]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("df", [
    pd.DataFrame({"unit_id": pd.Series(UNQUOTED, dtype=object),
                  "n": np.arange(len(UNQUOTED)) - 5,
                  "flag": [i % 3 == 0 for i in range(len(UNQUOTED))]}),
    pd.DataFrame({"unit_id": TRICKY, "n": np.arange(len(TRICKY))}),  # quotes: the old writer
    pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=np.int64)}),
    pd.DataFrame({"big": [0, 10**15, -(10**12)], "t": ["a", "b", "中文"]}),
    pd.DataFrame({"u": np.array([3, 1, 2], dtype=np.uint8), "t": ["-", "+", "@"]}),
    pd.DataFrame({"x": [1.5, 2.0, np.nan], "t": ["a", "=b", "c"]}),
])
def test_csv_bytes_are_csv_text_encoded(df, encoding):
    from quotaopt.csvtext import csv_utf8 as _csv_utf8
    from quotaopt.output import csv_bytes

    want = csv_text(df).encode(encoding)
    assert csv_bytes(df, encoding) == want
    fast = _csv_utf8(df)
    if fast is not None:
        assert fast == csv_text(df).encode("utf-8")
    if len(df.columns) == 3:  # the first frame: no cell needs quotes, pyarrow writes it
        assert fast is not None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.integers(-10**12, 10**12), st.booleans(),
                          st.sampled_from(["=1", "", "中", "a b", "-", "\t"])), max_size=30))
def test_csv_bytes_are_csv_text_encoded_on_any_text(rows):
    from quotaopt.output import csv_bytes

    df = pd.DataFrame(rows, columns=["name", "n", "flag", "t"])
    df["name"] = df["name"].astype(object)
    df["t"] = df["t"].astype(object)
    assert csv_bytes(df, "utf-8") == csv_text(df).encode("utf-8")


# write_results: allocation.csv streamed from pyarrow's writer into its file, hashed on the way


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize("names", [["东风乡卫生院", "=SUM(A1)", "-x"],  # streamed
                                   ["东风乡卫生院", "a,b", 'say "hi"']])  # quoted: csv_text
def test_results_are_csv_bytes_and_the_summary_names_their_hash(tmp_path, encoding, names):
    import hashlib
    import json
    from types import SimpleNamespace

    from quotaopt.output import csv_bytes, for_people, verify_result_file, write_results

    allocation = pd.DataFrame({"unit_id": ["A1", "A2", "A3"], "name": names,
                               "posts_senior": np.array([1, 0, 12], dtype=np.int64),
                               "over_ratio": [False, True, False]})
    result = SimpleNamespace(allocation=allocation, summary={"status": "optimal"})
    paths = write_results(result, tmp_path, encoding=encoding)
    assert [p.name for p in paths] == ["allocation.csv", "summary.json"]
    data = (tmp_path / "allocation.csv").read_bytes()
    assert data == csv_bytes(for_people(allocation), encoding)
    summary = json.loads((tmp_path / "summary.json").read_bytes())
    assert summary == {"status": "optimal", "files": {"allocation.csv": {
        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}}}
    assert verify_result_file(tmp_path / "allocation.csv")[0] is True


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_file_of_many_batches_and_pieces_is_written_whole(tmp_path, encoding):
    """20,000 rows: several of the writer's batches (8,192 rows) and many 64 KiB pieces;
    the file is csv_text's text byte for byte and the summary names its hash."""
    import hashlib
    import json
    from types import SimpleNamespace

    from quotaopt.output import csv_text, write_results

    n = 20_000
    rows = np.arange(n)
    allocation = pd.DataFrame({
        "unit_id": [f"U{k:07d}" for k in range(n)],
        "name": [("=" if k % 997 == 0 else "") + f"乡镇{k}卫生院" for k in range(n)],
        "posts_senior": (rows * 7919 % 1000).astype(np.int64),
        "over_ratio": rows % 3 == 0})
    result = SimpleNamespace(allocation=allocation, summary={"status": "optimal"})
    write_results(result, tmp_path, encoding=encoding)
    data = (tmp_path / "allocation.csv").read_bytes()
    assert len(data) > 8 * (1 << 16)
    assert data == csv_text(allocation).encode(encoding)  # utf-8-sig: with its BOM
    summary = json.loads((tmp_path / "summary.json").read_bytes())
    assert summary["files"]["allocation.csv"] == {
        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
