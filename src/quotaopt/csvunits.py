"""The fast path of :func:`quotaopt.units.read_units`: a plain CSV file read by pyarrow and
checked column by column.

:func:`read_clean_csv` takes a CSV file that needs no message, no note and no repair — the
usual case, and the one that matters at a million units — and gives the same table the
general reader gives, without making a Python object per cell where it can help it. For
any other file (a workbook, a title row, an empty row among the data, a totals row, a cell
to report, …) it gives ``None`` and :func:`~quotaopt.units.read_units` reads the file cell
by cell, with its messages. ``tests/test_fast_reader.py`` compares the two readers on random
files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import csvarrow
from . import table as tbl
from .headers import TOTAL_ROW_WORDS_ZH
from .normalize import Normalizer
from .table import HEADER_SEARCH_ROWS
from .unitcells import (
    BUDGET_COLUMN,
    COUNT_COLUMNS,
    DEFAULT_POOL,
    INCUMBENT_COLUMNS,
    INVISIBLE,
    MAX_COUNT,
    header_key,
    is_total_word,
    label_text,
    text_key,
)
from .unitlayout import header_index, locate_header

__all__ = ["read_clean_csv"]


class _LazyColumns:
    """A list of columns made on first use: the header checks need only a few of them."""

    def __init__(self, count: int, make: Callable[[int], Any]):
        self.count, self.make, self.made = count, make, {}  # type: ignore[var-annotated]

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, pos: int) -> Any:
        if not 0 <= pos < self.count:
            raise IndexError(pos)
        if pos not in self.made:
            self.made[pos] = self.make(pos)
        return self.made[pos]

    def __iter__(self) -> Iterator[Any]:
        return (self[pos] for pos in range(self.count))


#: Characters the general reader drops from codes and names (a repair: not the fast path).
_INVISIBLE_CHARS = INVISIBLE + "\u00ad"
#: The last characters of the totals-row words (合计 …): a cell without one is no totals cell.
_TOTAL_ENDS = "".join(sorted({w[-1] for w in TOTAL_ROW_WORDS_ZH}))


class _Columns:
    """The columns of a plain CSV file, as the header checks found them."""

    def __init__(self, norm: Normalizer, canonical: dict[str, int],
                 extras: list[tuple[str, int]], stripped: _LazyColumns, keep: np.ndarray,
                 rows: np.ndarray):
        self.norm = norm  # its header problems are none; it builds the table
        self.canonical = canonical  # column -> position
        self.extras = extras  # (label, position) of the columns carried through
        self.stripped = stripped  # every column, stripped, as pyarrow arrays (lazily)
        self.keep = keep  # the rows that are not empty
        self.rows = rows  # their row numbers


def read_clean_csv(path: str | os.PathLike[str],
                   columns: Mapping[str, str] | None) -> pd.DataFrame | None:
    """The table of a CSV file that needs no message, no note and no repair, read by pyarrow
    and checked column by column; ``None`` for any other file (a workbook, a title row, an
    empty row among the data, a cell to report, …), which
    :func:`~quotaopt.units.read_units` then reads cell by cell. Gives exactly what the
    general reader gives for the files it accepts (``tests/test_fast_reader.py`` compares
    the two on random files)."""
    sheet = csvarrow.read_csv_columns(path)
    if sheet is None or not sheet.columns or not sheet.rows:
        return None
    found = _headers(sheet, columns)
    if found is None or _has_totals_row(found):
        return None
    n = len(found.rows)
    text = {col: csvarrow.take_columns([found.stripped[pos]], found.keep)[0]
            for col, pos in found.canonical.items()}
    out = _text_columns(text, n)
    if out is None or not _count_columns(text, n, out):
        return None
    priority = _priorities(text, n)
    if priority is None:
        return None
    out["priority"] = priority
    extra = {}
    budget = ([(BUDGET_COLUMN, found.canonical[BUDGET_COLUMN])]
              if BUDGET_COLUMN in found.canonical else [])
    for label, pos in [*found.extras, *budget]:  # the budget column: read, checked later
        cells = csvarrow.take_columns([found.stripped[pos]], found.keep)[0]
        extra[label] = pd.Series(csvarrow.to_objects(cells), index=pd.RangeIndex(n),
                                 dtype=object)
    return found.norm.table(extra, out, found.rows, fresh=True)


def _headers(sheet: csvarrow.ArrowSheet, columns: Mapping[str, str] | None) -> _Columns | None:
    """The header mapped as the general reader maps it, when it is on the first row, is one
    row, and gives no problem; ``None`` otherwise (or when no data row is left)."""
    source, cols, ncols = sheet.where, sheet.columns, len(sheet.columns)
    mapped = {header_key(h): c for c, h in (columns or {}).items() if h.strip()}
    head = sheet.head(HEADER_SEARCH_ROWS)
    if header_index(head, mapped) != 0 or locate_header(head, source, mapped)[2] != 2:
        return None  # rows above the header, or a two-row header
    labels = [label_text(c) for c in sheet.header]
    if (not any(labels) or max(map(len, labels)) > tbl.MAX_CELL_CHARS
            or any(csvarrow.max_length(c) > tbl.MAX_CELL_CHARS for c in cols)):
        return None
    stripped = _LazyColumns(ncols, lambda pos: csvarrow.strip(cols[pos]))
    blank = _LazyColumns(ncols, lambda pos: csvarrow.is_blank(stripped[pos]))
    raw = _LazyColumns(ncols, lambda pos: csvarrow.to_objects(cols[pos]))
    rownums = np.arange(sheet.rows, dtype=np.int64) + 2
    norm = Normalizer(pd.DataFrame(), source, text_cells=True, columns=columns)
    norm.is_text = [True] * ncols
    canonical, extras = norm.map_headers(labels, cast(list[np.ndarray], raw),
                                         cast(list[np.ndarray], blank), rownums)
    if norm.header:
        return None
    norm.shown = {col: labels[pos] for col, pos in canonical.items()}
    keep = ~np.logical_and.reduce([blank[pos] for pos in range(ncols)])
    if not keep.any():
        return None
    return _Columns(norm, canonical, extras, stripped, keep, rownums[keep])


def _has_totals_row(found: _Columns) -> bool:
    """A code or name cell says 合计 / 小计 / 总计: the general reader skips that row with a
    note."""
    for col in ("unit_id", "name"):
        pos = found.canonical.get(col)
        if pos is None:
            continue
        cells = found.stripped[pos]
        hits = csvarrow.rows_with(cells, _TOTAL_ENDS)
        if any(is_total_word(cells[int(i)].as_py()) for i in hits if found.keep[i]):
            return True
    return False


def _text_columns(text: dict[str, pa.Array], n: int) -> dict[str, Any] | None:
    """``unit_id``, ``name``, ``type`` and ``pool`` as the general reader gives them, or
    ``None`` when a cell needs a message (an empty or repeated code, an empty type, a pool
    empty on some rows only) or a repair (an invisible character in a code or name)."""
    out: dict[str, Any] = {}
    ids = text.get("unit_id")
    if ids is None or csvarrow.rows_with(ids, _INVISIBLE_CHARS).size:
        return None
    keys = ids  # duplicates are found by text_key, which changes no ASCII code (stripped)
    if not csvarrow.all_ascii(ids):
        odd = ~np.asarray(pc.string_is_ascii(ids).to_numpy(zero_copy_only=False), dtype=bool)
        changed = [text_key(v) for v in ids.filter(pa.array(odd)).to_pylist()]
        keys = pc.replace_with_mask(ids, pa.array(odd), pa.array(changed, type=pa.string()))
    if bool(csvarrow.is_blank(keys).any()) or not csvarrow.all_distinct(keys):
        return None
    out["unit_id"] = csvarrow.to_objects(ids)
    names = text.get("name")
    if names is not None:
        if csvarrow.rows_with(names, _INVISIBLE_CHARS).size:
            return None
        out["name"] = csvarrow.to_objects(names)
        empty = csvarrow.is_blank(names)
        if empty.any():
            out["name"][empty] = out["unit_id"][empty]
    else:
        out["name"] = out["unit_id"]
    if "type" not in text:
        return None
    for col in ("type", "pool"):
        if col not in text:
            out[col] = np.full(n, DEFAULT_POOL, dtype=object)
            continue
        codes = text[col].dictionary_encode()
        distinct = codes.dictionary  # each of them is on some row
        if csvarrow.all_ascii(distinct):  # stripped ASCII text is its own text_key
            uniques = csvarrow.to_objects(distinct)
        else:
            uniques = np.array([text_key(v) for v in distinct.to_pylist()], dtype=object)
        if bool((uniques == "").any()):
            if col == "type" or not bool((uniques == "").all()):
                return None  # an empty type, or a pool empty on some rows only
            out[col] = np.full(n, DEFAULT_POOL, dtype=object)
            continue
        out[col] = uniques[codes.indices.to_numpy(zero_copy_only=False)]
    return out


def _count_columns(text: dict[str, pa.Array], n: int, out: dict[str, Any]) -> bool:
    """Puts the :data:`~quotaopt.unitcells.COUNT_COLUMNS` into ``out``; false when a cell
    needs a message (not plain digits, above the limit, an empty ``total_posts``) or a
    row fails a cross-check."""
    for col in COUNT_COLUMNS:
        if col not in text:
            if col == "total_posts":
                return False
            out[col] = np.zeros(n, dtype=np.int64)
            continue
        counts = _counts(text[col], empty_is_zero=col != "total_posts")
        if counts is None or (counts.size and int(counts.max()) > MAX_COUNT):
            return False
        out[col] = counts
    s, m, j = (out[c] for c in INCUMBENT_COLUMNS)
    return not (bool((s + m + j > out["total_posts"]).any())
                or bool((out["senior_waiting"] > m).any())
                or bool((out["intermediate_waiting"] > j).any()))


def _counts(cells: pa.Array, empty_is_zero: bool) -> np.ndarray | None:
    """The numbers of a column of ASCII digits (empty cells 0 where ``empty_is_zero``), or
    ``None`` when a cell is anything else."""
    if not empty_is_zero and bool(csvarrow.is_blank(cells).any()):
        return None
    counts = csvarrow.digit_values(cells)
    if counts is not None:
        return counts
    # more than 18 digits (leading zeros): pyarrow reads them, or says they overflow
    if empty_is_zero and bool(csvarrow.is_blank(cells).any()):
        cells = pc.if_else(pc.equal(cells, ""), "0", cells)
    if not csvarrow.all_digits(cells):
        return None
    try:
        return cast(np.ndarray, pc.cast(cells, pa.int64()).to_numpy(zero_copy_only=False))
    except (pa.ArrowInvalid, OverflowError):
        return None


def _priorities(text: dict[str, pa.Array], n: int) -> np.ndarray | None:
    """The ``priority`` column (1 where empty or absent), or ``None`` when a cell is not a
    plain number > 0."""
    if "priority" not in text:
        return np.ones(n, dtype=np.float64)
    whole = csvarrow.digit_values(text["priority"])
    if whole is not None and int(csvarrow.max_length(text["priority"])) <= 9:
        priority = whole.astype(np.float64)  # whole numbers, as float() reads them
        priority[csvarrow.is_blank(text["priority"])] = 1.0
    else:
        cells = pc.if_else(pc.equal(text["priority"], ""), "1", text["priority"])
        # at most 15 digits: every parser of doubles reads them exactly as float() does
        if not csvarrow.matches_all(cells, r"^[0-9]{1,9}(\.[0-9]{1,6})?$"):
            return None
        priority = pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
    if not bool((priority > 0).all()):
        return None
    return priority
