"""The bytes of a table as a CSV file: formula-safe text, exactly as pandas writes it.

Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading apostrophe (the OWASP rule), and so do headers.
:func:`csv_text` gives ``csv_safe(df).to_csv(index=False, lineterminator="\\n")`` character
for character, built column by column; in UTF-8, :func:`csv_utf8` gives the same bytes from
pyarrow's CSV writer without a Python object per cell, when no text cell needs quotes
(:func:`csv_utf8_writer` writes them into a file instead). :mod:`quotaopt.output` writes the
files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .csvarrow import memory_pool
from .errors import InputError, Problem
from .i18n import language
from .messages import render

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Neutralise a text cell that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells — and column headers — a spreadsheet shows as text."""
    out = df.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            # built with the column's own dtype: ``Series.map`` would infer one, and turn an
            # object column of whole numbers and None into floats (235 → "235.0")
            out.isetitem(j, pd.Series([safe_text(v) for v in col.tolist()], index=out.index,
                                      dtype=col.dtype))
    out.columns = pd.Index([safe_text(c) for c in out.columns], dtype=object)
    return out


#: Text encodings a CSV can be written in (``--encoding``). ``utf-8-sig`` starts the file
#: with a byte-order mark, by which Excel recognises UTF-8 (without it, Excel on Chinese
#: Windows reads the file as GBK and garbles every Chinese character).
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gbk")


def csv_encoding(encoding: str | None = None) -> str:
    """``encoding``, else the default of the language in use: ``utf-8-sig`` for Chinese
    (for Excel), ``utf-8`` for English (as before)."""
    if encoding is not None:
        if encoding not in CSV_ENCODINGS:
            raise ValueError(render("csv_encoding_unknown",
                                    {"encoding": encoding, "choices": CSV_ENCODINGS}))
        return encoding
    return "utf-8-sig" if language() == "zh" else "utf-8"


def csv_bytes(df: pd.DataFrame, encoding: str | None = None, target: Path | None = None) -> bytes:
    """The bytes of ``df`` as a CSV file in ``encoding`` (:func:`csv_encoding`); a character
    the encoding cannot hold (GBK lacks some) is an :class:`InputError` naming it."""
    enc = csv_encoding(encoding)
    if enc in ("utf-8", "utf-8-sig"):
        body = csv_utf8(df)
        if body is not None:
            return (b"\xef\xbb\xbf" if enc == "utf-8-sig" else b"") + body
    return encoded_csv_text(df, enc, target)


def encoded_csv_text(df: pd.DataFrame, enc: str, target: Path | None) -> bytes:
    """:func:`csv_text` in ``enc``; a character it cannot hold is an :class:`InputError`."""
    try:
        return csv_text(df).encode(enc)
    except UnicodeEncodeError as exc:
        char = str(exc.object[exc.start])
        raise InputError([Problem.of("csv_not_encodable", file=str(target or ""), char=char,
                                     encoding=enc)]) from None


def csv_text(df: pd.DataFrame) -> str:
    """``csv_safe(df).to_csv(index=False, lineterminator="\\n")``, character for character.

    Built column by column for integer, boolean and text columns (about three times faster
    than pandas at 10⁶ rows, and the formula check only looks at cells that may need it);
    a frame with any other kind of column goes through pandas.
    """
    labels = list(df.columns)
    cols = [_csv_cells(df.iloc[:, j]) for j in range(df.shape[1])] if df.shape[1] > 1 else []
    if not cols or any(c is None for c in cols) or not all(type(x) is str for x in labels):
        return csv_safe(df).to_csv(index=False, lineterminator="\n")
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow([safe_text(c) for c in labels])
    if not len(df):
        return head.getvalue()
    return head.getvalue() + "\n".join(map(",".join, zip(*cols, strict=True))) + "\n"


_CSV_SPECIAL = (",", '"', "\r", "\n")  # characters that make the csv module quote a field


def _csv_cells(series: pd.Series) -> list[str] | None:
    """The CSV cells of one column as pandas would write them, or ``None`` (use pandas)."""
    dtype = series.dtype
    if not isinstance(dtype, np.dtype):  # pandas extension types (nullable, string, …)
        return None
    values = series.to_numpy()
    if dtype.kind == "b":
        return np.where(values, "True", "False").astype(object).tolist()
    if dtype.kind in "iu":
        if not len(values):
            return []
        lo, hi = int(values.min()), int(values.max())
        if hi - lo <= 2 * len(values) + 1000:  # a table of the few texts needed
            table = np.array([str(k) for k in range(lo, hi + 1)], dtype=object)
            return table[values - lo].tolist()
        return values.astype(str).astype(object).tolist()
    if dtype.kind != "O" or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    cells = values.tolist()
    joined = "\x00" + "\x00".join(cells)  # a fast look for the rare cells that need work
    if any("\x00" + c in joined for c in _FORMULA_START):
        cells = [safe_text(x) for x in cells]
    if any(c in joined for c in _CSV_SPECIAL):
        cells = [_quoted(x) if any(c in x for c in _CSV_SPECIAL) else x for x in cells]
    return cells


_SPECIAL_BYTE = np.zeros(256, dtype=bool)
_SPECIAL_BYTE[[ord(c) for c in _CSV_SPECIAL]] = True
_FORMULA_BYTE = np.zeros(256, dtype=bool)
_FORMULA_BYTE[[ord(c) for c in _FORMULA_START]] = True


def csv_utf8(df: pd.DataFrame) -> bytes | None:
    """:func:`csv_text` encoded as UTF-8, byte for byte, written by pyarrow's CSV writer (no
    Python object per cell); ``None`` for a frame with a column of another kind than
    integer, boolean or text, or with a text cell that needs quotes (``csv_text`` then
    writes it)."""
    write = csv_utf8_writer(df)
    if write is None:
        return None
    # a BytesIO grows in place and hands its buffer over without a copy (getvalue)
    sink = io.BytesIO()
    write(sink)
    return sink.getvalue()


def csv_utf8_writer(df: pd.DataFrame) -> Callable[[IO[bytes]], None] | None:
    """A function writing the bytes of :func:`csv_utf8` to a file, made before anything is
    written (``None`` as for :func:`csv_utf8`): the file need not be held in memory."""
    labels = list(df.columns)
    if df.shape[1] < 2 or not all(type(x) is str for x in labels):
        return None
    # the columns in jemalloc's pool: the default pool (mimalloc) maps its memory asking for
    # huge pages, and each first touch of it could wait for the kernel to compact memory
    # (most of the write phase's system time at 10⁶ units, docs/performance.md); the CSV
    # writer's per-batch scratch memory, used again and again, stays in the default pool
    pool = memory_pool()
    columns = []
    for j in range(df.shape[1]):
        col = _arrow_cells(df.iloc[:, j], pool)
        if col is None:
            return None
        columns.append(col)
    head = io.StringIO()
    csv.writer(head, lineterminator="\n").writerow([safe_text(c) for c in labels])
    header = head.getvalue().encode("utf-8")
    table = pa.table(columns, names=[f"c{j}" for j in range(len(columns))])
    del columns

    def write(fh: IO[bytes]) -> None:
        fh.write(header)
        pacsv.write_csv(table, fh, pacsv.WriteOptions(
            include_header=False, batch_size=1 << 13, delimiter=",", eol="\n",
            quoting_style="none"))

    return write


def _arrow_cells(series: pd.Series, pool: pa.MemoryPool) -> pa.Array | None:
    """One column as pyarrow writes the cells :func:`_csv_cells` gives: integers as they
    are, booleans as ``True``/``False``, text formula-safe; ``None`` when a text cell needs
    quotes or the column is of another kind."""
    dtype = series.dtype
    if not isinstance(dtype, np.dtype):
        return None
    values = series.to_numpy()
    if dtype.kind == "b":
        return pc.if_else(pa.array(values, type=pa.bool_(), memory_pool=pool), "True",
                          "False", memory_pool=pool)
    if dtype.kind in "iu":
        return pa.array(values, memory_pool=pool)
    if dtype.kind != "O" or pd.api.types.infer_dtype(values, skipna=False) != "string":
        return None
    cells = pa.array(values, type=pa.string(), memory_pool=pool)
    offsets = np.frombuffer(cells.buffers()[1], dtype=np.int32)[: len(cells) + 1]
    data = (np.frombuffer(cells.buffers()[2], dtype=np.uint8)[: offsets[-1]]
            if cells.buffers()[2] is not None else np.zeros(0, dtype=np.uint8))
    if _SPECIAL_BYTE[data].any():  # ASCII: never a byte of a multi-byte character
        return None
    filled = np.flatnonzero(offsets[:-1] < offsets[1:])
    odd = filled[_FORMULA_BYTE[data[offsets[filled]]]]
    if not odd.size:
        return cells
    fixed = values.copy()
    fixed[odd] = [safe_text(x) for x in values[odd].tolist()]
    return pa.array(fixed, type=pa.string(), memory_pool=pool)


def _quoted(text: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([text])
    return buf.getvalue()[:-1]
