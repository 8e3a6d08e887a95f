"""Reading and checking units tables (CSV in UTF-8 / UTF-8-BOM / GBK, or XLSX).

A units table has one row per township public institution: its code, type, pool, number
of professional-technical posts, incumbents and waiting staff (SPEC section 3). Two
functions are public:

* :func:`read_units` reads a file into raw text cells (it decides the format and the text
  encoding, nothing else) and hands them to
* :func:`normalize_units`, which maps headers (English or Chinese), applies defaults,
  converts numbers and checks every row. A DataFrame built in code is checked the same way.

Every problem in the table is collected and reported at once as one
:class:`~quotaopt.errors.InputError` whose problems name file, row, unit and column.

Choices made here:

* Text columns (``unit_id``, ``name``, ``type``, ``pool``) are ``object`` dtype holding
  Python ``str`` values (never missing), the same under pandas 2 and pandas 3.
* Counts larger than :data:`MAX_COUNT` (10**9) are rejected as implausible.
* Extra columns are carried through after the known ones, with their stripped header. A
  column whose header cell is empty is dropped when all its cells are empty, otherwise it
  is named ``Unnamed: <position>`` (0-based, as pandas does); repeated extra headers get
  ``.1``, ``.2`` … suffixes. Text values in extra columns are stripped of surrounding
  whitespace; numeric extra columns of a DataFrame built in code are kept unchanged.
* The row number of a problem counts like a spreadsheet: header row 1, first data row 2,
  and empty rows (which are skipped) still count. For a DataFrame built in code the row is
  ``index + 2`` when the index is integer, else ``position + 2``.
* A CSV whose first line has no comma but has tabs (or semicolons) is read with that
  delimiter.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import csvarrow
from . import table as tbl
from .errors import InputError, Problem
from .headers import (
    ALLOCATION_ZH,
    HEADER_GROUPS_ZH,
    HEADER_UNITS,
    IGNORED_HEADERS_ZH,
    TOTAL_ROW_WORDS_ZH,
    unit_aliases_zh,
)
from .messages import CATALOGUE, render
from .table import (
    HEADER_SEARCH_ROWS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    SheetData,
    cell_text,
    column_letter,
    gc_paused,
    is_missing,
    read_sheet,
    too_many_rows,
    trim_columns,
)

__all__ = [
    "ALIASES",
    "COUNT_COLUMNS",
    "DEFAULT_POOL",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_COUNT",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_XLSX_UNPACKED_BYTES",
    "REQUIRED_COLUMNS",
    "UNIT_COLUMNS",
    "BUDGET_COLUMN",
    "normalize_units",
    "read_units",
    "source_rows",
    "defaulted_columns",
    "table_warnings",
    "text_key",
]

UNIT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "name",
    "type",
    "pool",
    "total_posts",
    "senior_incumbents",
    "intermediate_incumbents",
    "junior_incumbents",
    "senior_waiting",
    "intermediate_waiting",
    "priority",
)
"""Canonical columns of a normalised units table, in output order."""

BUDGET_COLUMN = "budget"
"""An optional column read only when present: each pool's own budget (``[budget] scope =
"pool"``); kept as given (checked by :mod:`quotaopt.budgets`), after the canonical columns."""

TEXT_COLUMNS: tuple[str, ...] = ("unit_id", "name", "type", "pool")

COUNT_COLUMNS: tuple[str, ...] = (
    "total_posts",
    "senior_incumbents",
    "intermediate_incumbents",
    "junior_incumbents",
    "senior_waiting",
    "intermediate_waiting",
)
"""The integer (``int64``) columns, each a whole number ``>= 0``."""

DEFAULTED_COLUMNS: tuple[str, ...] = (*COUNT_COLUMNS[1:], "priority")
"""Columns a table may lack: each then takes its default (0; priority 1) for every unit."""

REQUIRED_COLUMNS: tuple[str, ...] = ("unit_id", "type", "total_posts")

INCUMBENT_COLUMNS: tuple[str, ...] = (
    "senior_incumbents",
    "intermediate_incumbents",
    "junior_incumbents",
)

DEFAULT_POOL = "all"
"""Pool of a unit whose ``pool`` cell is empty or whose table has no ``pool`` column."""

MAX_COUNT = 10**9
"""Largest accepted value in a count column; anything larger is reported as a problem."""

_CHINESE_ALIASES: dict[str, tuple[str, ...]] = unit_aliases_zh((*UNIT_COLUMNS, BUDGET_COLUMN))

ALIASES: dict[str, str] = {name: name for name in (*UNIT_COLUMNS, BUDGET_COLUMN)}
"""Accepted header (lower-cased, stripped) -> canonical column name."""
ALIASES.update(
    {alias: canonical for canonical, names in _CHINESE_ALIASES.items() for alias in names}
)

#: Headers of numeric columns that never stand for a units column: a serial number, notes,
#: and the columns quotaopt itself writes into an allocation (caps, posts, appointments).
_IGNORED_HEADERS: tuple[str, ...] = (
    *IGNORED_HEADERS_ZH, "no", "no.", "#",
    *(k for k in ALLOCATION_ZH if k not in UNIT_COLUMNS),
    *(v for k, v in ALLOCATION_ZH.items() if k not in UNIT_COLUMNS))

_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_PLAIN_COUNT = re.compile(r"\d{1,9}", re.ASCII)  # fast path: surely an accepted count
_PLAIN_NUMBER = re.compile(r"\d{0,9}[1-9]\d{0,9}(?:\.\d{0,9})?", re.ASCII)  # priority > 0
_MISSING = object()  # marker for an empty cell


# ----------------------------------------------------------------------------------------
# reading files


def read_units(path: str | os.PathLike[str], sheet: str | None = None,
               columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a units table from a CSV, XLSX, XLS or ODS file and check it.

    The format is detected from the content, not the extension: a ZIP container
    (``PK\\x03\\x04``) is read as XLSX (or ODS by its mimetype), an OLE file as XLS,
    anything else as CSV. Title rows above the header, a two-row header and totals rows are
    handled as docs/formats.md describes. CSV text is decoded as UTF-8
    (with or without BOM), else as GB18030 (a superset of GBK). Every cell is read as text,
    so unit codes keep their leading zeros; the cells are then checked and converted by
    :func:`normalize_units`.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Its name is used, as given, in every problem reported.
    sheet : str, optional
        Workbooks only: the worksheet to read. Default: the first visible worksheet whose
        header row has the units table's columns (hidden sheets are never chosen).
    columns : mapping, optional
        Column name -> the header that holds it in this file (the scenario's ``[columns]``
        table), for headers the vocabulary does not know; ``""`` says the table has no such
        column (its default is meant).

    Returns
    -------
    pandas.DataFrame
        The normalised table, see :func:`normalize_units`.

    Raises
    ------
    InputError
        The file cannot be read: missing; UTF-16 text or an HTML page saved with a
        spreadsheet name; text that is neither UTF-8 nor GB18030 (the problem gives the
        byte offset where UTF-8 decoding failed); a damaged or encrypted workbook; an
        unknown ``sheet`` (the problem lists the sheets), no visible sheet with a units
        header, or ``sheet`` given for a CSV; hidden rows holding data, a formula without
        a saved value, merged cells other than a pool or type merged down (see
        docs/formats.md).
        Or the table has any of the problems listed in :func:`normalize_units`; all of
        them are reported together.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "units.csv").write_text(
    ...     "单位编码,单位类型,岗位总量,现聘高级\\n007,health_centre,30,2\\n", encoding="gbk")
    >>> units = read_units(d / "units.csv")
    >>> units[["unit_id", "name", "pool", "total_posts", "senior_incumbents"]]
      unit_id name pool  total_posts  senior_incumbents
    0     007  007  all           30                  2
    """
    source = os.fspath(path)
    if sheet is None:
        fast = _read_clean_csv(path, columns)
        if fast is not None:
            return fast
    mapped = {_header_key(h): c for c, h in (columns or {}).items() if h.strip()}
    sheet_data = read_sheet(path, sheet,
                            looks_like=lambda rows: _header_index(rows, mapped) is not None)
    source = sheet_data.where
    labels, rows, first_row, notes = _locate_header(sheet_data.records, source, mapped)
    _check_hidden_rows(sheet_data, first_row, source)
    _fill_merged(sheet_data.merged, labels, rows, first_row, source, mapped)

    with gc_paused():
        lengths = set(map(len, rows))
        width = max([len(labels), *lengths])
        if width > tbl.MAX_COLUMNS:
            labels, rows, width = trim_columns(labels, rows, source)
            lengths = set(map(len, rows))
        labels = labels + [""] * (width - len(labels))
        if lengths == {width}:
            cells = np.fromiter(itertools.chain.from_iterable(rows), dtype=object,
                                count=len(rows) * width).reshape(len(rows), width)
        else:
            cells = np.empty((len(rows), width), dtype=object)
            cells[:] = ""
            for i, record in enumerate(rows):
                cells[i, : len(record)] = record
        del rows
    raw = pd.DataFrame(cells, columns=pd.Index(labels, dtype=object), dtype=object)
    raw.index = pd.RangeIndex(first_row - 2, first_row - 2 + len(raw))  # row numbers
    return _Normalizer(raw, source, text_cells=True, columns=columns, notes=notes,
                       header_row=first_row - 1).run()


def _header_index(rows: list[list[str]], mapped: Mapping[str, str]) -> int | None:
    """The index of the first of the first rows naming two required columns (by the
    vocabulary or by the scenario's ``[columns]``: ``mapped`` is header key -> column)."""
    for k, record in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {mapped.get(_header_key(c)) or _canonical_name(c) for c in record}
        if sum(c in names for c in REQUIRED_COLUMNS) >= 2:
            return k
    return None


_LEVELS = {"高级": "高级", "中级": "中级", "初级": "初级"}


def _locate_header(records: list[list[str]], source: str, mapped: Mapping[str, str]
                   ) -> tuple[list[str], list[list[str]], int, list[Problem]]:
    """The header labels, the data rows, the row number of the first data row, and notes.

    The header row is the first row naming two required columns (title and note rows above
    it are skipped); a second header row of levels (``高级 / 中级 / 初级``) under merged group
    cells (``现聘人数``) is joined to the row above it (``现聘高级``).
    """
    if not records:
        return [], [], 2, []
    k = _header_index(records, mapped)
    if k is None:
        k = 0
    labels = list(records[k])
    notes: list[Problem] = []
    if k > 0:
        notes.append(Problem.of("rows_above_header", file=source, row=k + 1, rows=k))
    data_start = k + 1
    if data_start < len(records):
        sub = records[data_start]
        keys = [_header_key(c) for c in sub]
        if any(key in _LEVELS for key in keys) and not any(
                _canonical_name(c) in REQUIRED_COLUMNS for c in sub):
            group = ""
            width = max(len(labels), len(sub))
            labels += [""] * (width - len(labels))
            for pos in range(width):
                if labels[pos].strip():
                    group = labels[pos]
                elif pos < len(sub) and keys[pos] in _LEVELS:
                    pass  # under the merged group cell to the left
                else:
                    group = ""
                level = keys[pos] if pos < len(keys) else ""
                if level in _LEVELS and group:
                    gkey = _header_key(group)
                    prefix = HEADER_GROUPS_ZH.get(gkey, gkey)
                    labels[pos] = prefix + _LEVELS[level]
                elif pos < len(sub) and sub[pos].strip() and not labels[pos].strip():
                    labels[pos] = sub[pos]
            data_start += 1
    return labels, records[data_start:], data_start + 1, notes


#: Columns whose merged cells (one value over several rows) mean that value on every row.
_FILLED_DOWN = ("pool", "type")


def _fill_merged(merged: Sequence[tuple[int, int, int, int]], labels: list[str],
                 rows: list[list[str]], first_row: int, source: str,
                 mapped: Mapping[str, str]) -> None:
    """Merged cells among the data rows: a pool or type merged down over several units
    (``东片`` once for a district) holds for each of them, and is filled down; any other
    merged range holding a value (a count shared by several units?) is refused, except on
    a totals row. The value of a merged range is in its first cell only."""
    if not merged:
        return
    problems = []
    for r0, c0, r1, c1 in merged:
        if r1 < first_row or r0 - first_row >= len(rows):
            continue  # title or header rows
        top = rows[r0 - first_row] if r0 >= first_row else []
        value = top[c0] if c0 < len(top) else ""
        if not value.strip() or any(_is_total_word(c) for c in top if c.strip()):
            continue
        label = labels[c0] if c0 < len(labels) else ""
        col = mapped.get(_header_key(label)) or _canonical_name(label)
        if c0 == c1 and r0 >= first_row and col in _FILLED_DOWN:
            for r in range(r0 + 1, min(r1, first_row + len(rows) - 1) + 1):
                record = rows[r - first_row]
                record.extend([""] * (c0 + 1 - len(record)))
                record[c0] = value
            continue
        span = f"{column_letter(c0)}{r0}:{column_letter(c1)}{r1}"
        problems.append(Problem.of("merged_data_cells", file=source, row=r0,
                                   column=label or column_letter(c0), cells=span))
    if problems:
        raise InputError(problems)


def _check_hidden_rows(sheet: SheetData, first_row: int, source: str) -> None:
    """Hidden rows that hold data are refused: they would be read as units unseen."""
    filled = sheet.filled_hidden_rows(first_row - 1)
    if filled:
        raise InputError([Problem.of("hidden_rows", file=source, row=filled[0],
                                     rows=filled)])


# ----------------------------------------------------------------------------------------
# checking and converting


def normalize_units(df: pd.DataFrame, source: str = "<DataFrame>",
                    columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Check a raw units table and convert it to the canonical form.

    Headers may be the English column names (any case) or their Chinese aliases (see
    :data:`ALIASES`); surrounding spaces, including the full-width space, are ignored.
    Cells are stripped of surrounding whitespace; numbers may use full-width digits
    (``３５``) and integral decimals (``12.0``, as Excel writes them). Completely empty rows
    are skipped.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw table: one row per unit, cells as text (as :func:`read_units` gives them) or
        already as numbers.
    source : str, default "<DataFrame>"
        Name used as ``file`` in every problem reported.
    columns : mapping, optional
        Column name -> its header in ``df``, as for :func:`read_units`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNIT_COLUMNS` in that order, then the extra columns of ``df`` in
        their order; ``RangeIndex`` 0..n-1 in input order. ``unit_id``, ``name``, ``type``
        and ``pool`` are ``object`` dtype holding ``str``; the :data:`COUNT_COLUMNS` are
        ``int64``; ``priority`` is ``float64``. Defaults: ``name`` = ``unit_id``,
        ``pool`` = :data:`DEFAULT_POOL`, other counts than ``total_posts`` = 0,
        ``priority`` = 1.

    Raises
    ------
    InputError
        With one :class:`~quotaopt.errors.Problem` per problem found, all at once:
        empty table, missing header or data rows; a required column (``unit_id``, ``type``,
        ``total_posts``) missing; two headers meaning the same column; an empty or repeated
        ``unit_id``; an empty ``type``; an empty ``total_posts``; a count that is not a
        whole number, negative or above :data:`MAX_COUNT`; incumbents summing to more than
        ``total_posts``; ``senior_waiting > intermediate_incumbents``;
        ``intermediate_waiting > junior_incumbents``; a ``priority`` that is not a finite
        number > 0.

    Examples
    --------
    >>> raw = pd.DataFrame({"unit_id": ["007"], "单位类型": ["school"], "岗位总量": ["１２"]})
    >>> units = normalize_units(raw)
    >>> units[["unit_id", "type", "total_posts", "priority"]]
      unit_id    type  total_posts  priority
    0     007  school           12       1.0
    >>> bad = pd.DataFrame({"unit_id": ["a"], "type": ["x"], "total_posts": [-1]})
    >>> try:  # doctest: +ELLIPSIS
    ...     normalize_units(bad)
    ... except InputError as exc:
    ...     print(exc)
    <DataFrame>, row 2, unit a, column total_posts: total_posts must not be negative, ...
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"normalize_units expects a pandas DataFrame, got {type(df).__name__}")
    return _Normalizer(df, source, columns=columns).run()


class _Normalizer:
    """One checking pass over one table; collects problems, then raises or builds."""

    def __init__(self, df: pd.DataFrame, source: str, text_cells: bool = False,
                 columns: Mapping[str, str] | None = None,
                 notes: Sequence[Problem] = (), header_row: int = 1):
        self.df = df
        self.source = source
        self.text_cells = text_cells  # every cell is known to be a str (read from a file)
        self.columns = dict(columns or {})  # the scenario's [columns]: column -> header
        self.header_row = header_row  # the row of the (last) header row
        self.header: list[Problem] = []
        self.cells: list[tuple[int, int, Problem]] = []  # (row, column order, problem)
        self.warnings: list[Problem] = list(notes)  # not errors: see table_warnings()
        self.shown: dict[str, str] = {}  # column -> its header as the file writes it
        self.defaulted: tuple[str, ...] = ()  # columns the table lacks: defaults used

    def show(self, col: str) -> str:
        """The header of ``col`` as written in the user's file (else the column name)."""
        return self.shown.get(col, col)

    # -- problems ---------------------------------------------------------------------

    def table_problem(self, code: str, row: int | None = None, column: str | None = None,
                      **params: Any) -> None:
        """A problem of the table (message ``code`` of :mod:`quotaopt.messages`)."""
        self.header.append(_problem(code, params, file=self.source, row=row, column=column))

    def cell_problem(self, row: int, unit: str | None, column: str, code: str,
                     **params: Any) -> None:
        """A problem of one cell (message ``code`` of :mod:`quotaopt.messages`)."""
        order = UNIT_COLUMNS.index(column) if column in UNIT_COLUMNS else len(UNIT_COLUMNS)
        if unit and len(unit) > 60:  # a pasted paragraph as unit_id: do not repeat it whole
            unit = unit[:57] + "..."
        problem = _problem(code, params, file=self.source, row=row, column=self.show(column),
                           unit=unit or None)
        self.cells.append((row, order, problem))

    def fail(self) -> InputError:
        self.cells.sort(key=lambda item: (item[0], item[1]))
        return InputError(self.header + [p for _, _, p in self.cells])

    # -- main -------------------------------------------------------------------------

    def run(self) -> pd.DataFrame:
        df = self.df
        ncols = df.shape[1]
        if len(df) > tbl.MAX_ROWS:
            raise too_many_rows(self.source)
        if ncols > tbl.MAX_COLUMNS:
            self.table_problem("table_too_wide", columns=ncols, limit=tbl.MAX_COLUMNS)
            raise self.fail()
        labels = [_label_text(c) for c in df.columns]
        values = [_object_values(df.iloc[:, i]) for i in range(ncols)]
        # per column: every cell is exactly a str — the fast paths below rely on it
        self.is_text = [self.text_cells or _all_str(v.tolist()) for v in values]
        if pd.api.types.is_integer_dtype(df.index.dtype):
            rownums = np.asarray(df.index, dtype=np.int64) + 2
        else:
            rownums = np.arange(len(df), dtype=np.int64) + 2

        blank = [_blank_mask(v, t) for v, t in zip(values, self.is_text, strict=True)]
        if ncols == 0 or (all(not lab for lab in labels) and all(b.all() for b in blank)):
            self.table_problem("table_empty")
            raise self.fail()
        if all(not lab for lab in labels):
            filled = ~np.logical_and.reduce(blank) if blank else np.zeros(0, dtype=bool)
            first = int(rownums[np.argmax(filled)])
            self.table_problem("header_row_empty", row=1, first=first)
            raise self.fail()

        canonical, extras = self.map_headers(labels, values, blank, rownums)
        self.shown = {col: labels[pos] for col, pos in canonical.items()}
        keep = ~np.logical_and.reduce(blank) if ncols else np.zeros(0, dtype=bool)
        keep &= ~self.totals_rows(canonical, values, rownums)
        rownums = rownums[keep]
        values = [v[keep] for v in values]
        n = len(rownums)
        if n == 0:
            self.table_problem("no_data_rows")
            raise self.fail()

        unit_ids = self.text_column(canonical, values, "unit_id", n)  # "" when unknown
        units = unit_ids  # the unit named in each row's problems
        self.check_lengths(labels, values, canonical, rownums, units)
        out: dict[str, Any] = {"unit_id": unit_ids}
        self.check_unit_ids(unit_ids, rownums, present="unit_id" in canonical)

        names = self.text_column(canonical, values, "name", n)
        out["name"] = np.where(names == "", unit_ids, names).astype(object)
        types = self.text_column(canonical, values, "type", n)
        if "type" in canonical:
            for i in np.flatnonzero(types == ""):
                self.cell_problem(
                    int(rownums[i]),
                    units[i],
                    "type", "type_empty", header=self.show("type"),
                )
        out["type"] = types
        pools = self.text_column(canonical, values, "pool", n)
        empty_pool = pools == ""
        if empty_pool.any() and not empty_pool.all():
            # some units name a pool, others not: most likely a merged pool cell saved as CSV
            # (its value only on its first row) — the others would silently form pool "all"
            for i in np.flatnonzero(empty_pool):
                self.cell_problem(int(rownums[i]), units[i], "pool", "pool_partly_empty",
                                  header=self.show("pool"))
        out["pool"] = np.where(empty_pool, DEFAULT_POOL, pools).astype(object)

        counts: dict[str, np.ndarray] = {}
        bad: dict[str, np.ndarray] = {}
        for col in COUNT_COLUMNS:
            counts[col], bad[col] = self.count_column(canonical, values, col, rownums, units)
            out[col] = counts[col]
        self.cross_checks(counts, bad, rownums, units)
        out["priority"] = self.priority_column(canonical, values, rownums, units)

        if self.header or self.cells:
            raise self.fail()

        extra = {label: self.extra_column(pos, keep) for label, pos in extras}
        if BUDGET_COLUMN in canonical:  # each pool's own budget: read, checked later
            extra[BUDGET_COLUMN] = self.extra_column(canonical[BUDGET_COLUMN], keep)
        return self.table(extra, out, rownums)

    def table(self, extra: dict[str, pd.Series], out: dict[str, Any],
              rownums: np.ndarray, fresh: bool = False) -> pd.DataFrame:
        """The checked table: ``out``'s columns, the ``extra`` ones, and what it says in
        ``attrs`` (warnings, defaulted columns, source, the rows read). ``fresh``: the
        arrays in ``out`` (views included) were made for this table and nothing else holds
        them."""
        n = len(rownums)
        # an array made for this table alone becomes its column without a copy (at 10⁶ units
        # the copies of the text columns cost most of a second); a shared one is copied
        owners = Counter(id(out[col]) for col in UNIT_COLUMNS)
        columns = {col: _column_series(col, out[col],
                                       copy=not _own_array(out[col], owners, fresh))
                   for col in UNIT_COLUMNS}
        columns.update(extra)  # extra labels never clash with canonical ones
        table = pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)
        if BUDGET_COLUMN in extra:  # checked where the scenario says what it means
            table.attrs["budget_header"] = self.show(BUDGET_COLUMN)
        # kept only when they say something: pandas copies attrs along with the frame
        if self.warnings:
            table.attrs["warnings"] = tuple(self.warnings)
        if self.defaulted:
            table.attrs["defaulted"] = self.defaulted
        if self.text_cells:  # read from a file: later checks name it, and its type header
            table.attrs["source"] = self.source
            table.attrs["type_header"] = self.show("type")
        if not np.array_equal(rownums, np.arange(2, n + 2)):  # rows were skipped
            rows = rownums.copy()
            rows.flags.writeable = False
            table.attrs["source_rows"] = rows
        return table

    def check_lengths(self, labels: list[str], values: list[np.ndarray],
                      canonical: dict[str, int], rownums: np.ndarray, units: np.ndarray) -> None:
        """Headers and cells longer than :data:`~quotaopt.table.MAX_CELL_CHARS` characters."""
        names = {pos: col for col, pos in canonical.items()}
        for pos, column in enumerate(values):
            name = names.get(pos) or labels[pos] or column_letter(pos)
            if len(labels[pos]) > tbl.MAX_CELL_CHARS:
                self.table_problem("header_too_long", row=1, letter=column_letter(pos),
                                   length=len(labels[pos]), limit=tbl.MAX_CELL_CHARS)
                name = column_letter(pos)
            cells = column.tolist()
            if self.is_text[pos]:
                longest = max(map(len, cells), default=0)
            else:
                longest = max((len(v) for v in cells if type(v) is str), default=0)
            if longest <= tbl.MAX_CELL_CHARS:
                continue
            for i, v in enumerate(cells):
                if type(v) is str and len(v) > tbl.MAX_CELL_CHARS:
                    self.cell_problem(int(rownums[i]), units[i], name, "cell_too_long",
                                      length=len(v), limit=tbl.MAX_CELL_CHARS)

    # -- headers ----------------------------------------------------------------------

    def map_headers(
        self,
        labels: list[str],
        values: list[np.ndarray],
        blank: list[np.ndarray],
        rownums: np.ndarray,
    ) -> tuple[dict[str, int], list[tuple[str, int]]]:
        hrow = self.header_row
        canonical: dict[str, int] = {}
        extras: list[tuple[str, int]] = []
        used = {*UNIT_COLUMNS, BUDGET_COLUMN}
        mapped = self.mapped_columns(labels)
        for pos, label in enumerate(labels):
            target = mapped.get(pos, _canonical_name(label))
            if target is not None and target in self.columns and pos not in mapped:
                target = None  # [columns] names another header for this column
            if target is not None:
                if target in canonical:
                    first = labels[canonical[target]]
                    self.table_problem(
                        "duplicate_columns", row=hrow, column=label, first=first,
                        first_letter=column_letter(canonical[target]), second=label,
                        second_letter=column_letter(pos), target=target)
                else:
                    canonical[target] = pos
                continue
            if not label:
                if blank[pos].all():
                    continue  # an empty column without a header: layout, not data
                label = f"Unnamed: {pos}"
            name, k = label, 0
            while name in used:
                k += 1
                name = f"{label}.{k}"
            used.add(name)
            extras.append((name, pos))

        missing = [c for c in REQUIRED_COLUMNS if c not in canonical]
        unknown = [(labels[pos], pos) for _, pos in extras if labels[pos]]
        hints = {col: _did_you_mean(col, unknown) for col in missing}
        hinted = {h[1] for h in hints.values() if h is not None}
        self.refuse_unknown_numbers([u for u in unknown if u[1] not in hinted], canonical,
                                    values, blank)
        self.warn_near_misses(unknown, canonical)
        for col in missing:
            hint = hints[col]
            self.table_problem(
                "required_column_missing", row=hrow, column=col, target=col,
                accepted=(col, *_CHINESE_ALIASES[col]),
                hint=None if hint is None else (hint[0], column_letter(hint[1])))
        if missing and hrow == 1:
            header_row = _find_header_row(values, rownums)
            if header_row is not None:
                self.table_problem("header_on_later_row", row=1, header_row=header_row)
        absent = [c for c in DEFAULTED_COLUMNS if c not in canonical]
        if absent:
            self.defaulted = tuple(absent)
        return canonical, extras

    def mapped_columns(self, labels: list[str]) -> dict[int, str]:
        """Positions of the headers the scenario's ``[columns]`` table names."""
        keys = [_header_key(lab) for lab in labels]
        out: dict[int, str] = {}
        for col, header in self.columns.items():
            if not header.strip():
                continue  # "": the table has no such column, its default is meant
            want = _header_key(header)
            hits = [pos for pos, key in enumerate(keys) if key == want]
            if not hits:
                close = difflib.get_close_matches(header, [lab for lab in labels if lab],
                                                  n=1, cutoff=0.6)
                self.table_problem(
                    "columns_header_missing", row=self.header_row, column=col, target=col,
                    header=header, hint=close[0] if close else None)
                continue
            out[hits[0]] = col
        return out

    def refuse_unknown_numbers(self, unknown: list[tuple[str, int]],
                               canonical: dict[str, int], values: list[np.ndarray],
                               blank: list[np.ndarray]) -> None:
        """An unknown column holding numbers while a column with a default (incumbents,
        waiting staff, priority) is missing is an error: it is most likely that column
        under a header quotaopt does not know, and reading it as 0 would change the plan."""
        absent = [c for c in DEFAULTED_COLUMNS
                  if c not in canonical and c not in self.columns]
        if not absent:
            return
        ignored = {_header_key(h) for h in _IGNORED_HEADERS}
        names = [a for a, c in ALIASES.items() if c in absent]
        for label, pos in unknown:
            key = _header_key(label)
            if key in ignored or blank[pos].all() or not _holds_numbers(values[pos],
                                                                        blank[pos]):
                continue
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.5)
            self.table_problem(
                "unknown_number_column", row=self.header_row, column=label, header=label,
                letter=column_letter(pos),
                hint=(close[0], ALIASES[close[0]]) if close else None,
                missing=tuple(absent))

    def warn_near_misses(self, unknown: list[tuple[str, int]],
                         canonical: dict[str, int]) -> None:
        """An unknown header that looks like an optional column the table lacks (a typo such
        as ``senior_incumbent``): the column is carried through and the real one takes its
        default, which is legal but rarely meant — a warning, not an error."""
        for label, pos in unknown:
            key = _header_key(label)
            close = difflib.get_close_matches(key, list(ALIASES), n=1, cutoff=0.8)
            if not close:
                continue
            target = ALIASES[close[0]]
            if target in canonical or target in REQUIRED_COLUMNS:
                continue  # present, or reported as missing with this hint
            self.warnings.append(Problem.of(
                "near_miss_column", file=self.source, row=self.header_row, column=label,
                header=label, letter=column_letter(pos), alias=close[0], target=target,
                default_pool=DEFAULT_POOL))

    # -- columns ----------------------------------------------------------------------

    def text_column(
        self, canonical: dict[str, int], values: list[np.ndarray], col: str, n: int
    ) -> np.ndarray:
        if col not in canonical:
            return np.full(n, "", dtype=object)
        out = self.stripped_column(values[canonical[col]], canonical[col])
        if _needs_cleaning("".join(out.tolist())):
            # types and pools are compared after NFKC (ＴＹＰＥ is TYPE); codes and names keep
            # their width (a duplicate code is found by text_key) but lose zero-width marks
            clean = text_key if col in ("type", "pool") else _without_invisible
            out = _object_array([clean(v) for v in out.tolist()])
        return out

    def stripped_column(self, column: np.ndarray, pos: int) -> np.ndarray:
        if self.is_text[pos] and len(column):  # the usual case
            if not _has_space(column):
                return column.copy()  # str.strip() would return every cell itself
            return np.array(list(map(str.strip, column.tolist())), dtype=object)
        return _object_array([cell_text(v) for v in column.tolist()])

    def totals_rows(self, canonical: dict[str, int], values: list[np.ndarray],
                    rownums: np.ndarray) -> np.ndarray:
        """Rows whose code or name cell says 合计 / 小计 / 总计: skipped, with a note."""
        n = len(rownums)
        total = np.zeros(n, dtype=bool)
        for col in ("unit_id", "name"):
            if col not in canonical or not n:
                continue
            raw = values[canonical[col]]
            if self.is_text[canonical[col]]:  # one search over the joined text first
                joined = "".join(raw.tolist())
                if joined.isascii() or not any(w[-1] in joined for w in TOTAL_ROW_WORDS_ZH):
                    continue
            cells = self.stripped_column(raw, canonical[col])
            total |= np.fromiter((_is_total_word(v) for v in cells.tolist()), dtype=bool,
                                 count=n)
        if total.any():
            rows = tuple(int(r) for r in rownums[total])
            self.warnings.append(Problem.of("totals_rows_skipped", file=self.source,
                                            row=rows[0], rows=rows))
        return total

    def check_unit_ids(self, unit_ids: np.ndarray, rownums: np.ndarray, present: bool) -> None:
        if not present:
            return
        ids = unit_ids.tolist()
        keys = [text_key(u) for u in ids] if _needs_cleaning("".join(ids)) else ids
        if len(set(keys)) == len(keys) and "" not in keys:
            return  # all present and distinct: nothing to report
        first_row: dict[str, tuple[int, str]] = {}
        for uid, key, row in zip(ids, keys, rownums.tolist(), strict=True):
            if key == "":
                self.cell_problem(row, None, "unit_id", "unit_id_empty",
                                  header=self.show("unit_id"))
            elif key in first_row:
                other_row, other = first_row[key]
                if other == uid:
                    self.cell_problem(row, uid, "unit_id", "duplicate_unit_id",
                                      header=self.show("unit_id"), value=uid,
                                      first_row=other_row, second_row=row)
                else:
                    self.cell_problem(row, uid, "unit_id", "lookalike_codes",
                                      header=self.show("unit_id"), first=other,
                                      first_row=other_row, second=uid, second_row=row)
            else:
                first_row[key] = (row, uid)

    def count_column(
        self,
        canonical: dict[str, int],
        values: list[np.ndarray],
        col: str,
        rownums: np.ndarray,
        units: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        n = len(rownums)
        result = np.zeros(n, dtype=np.int64)
        bad = np.zeros(n, dtype=bool)
        if col not in canonical:
            # a missing total_posts is reported once, as a missing column: no row checks
            return result, np.full(n, col == "total_posts")
        plain = _plain_counts(values[canonical[col]], self.is_text[canonical[col]],
                              allow_empty=col != "total_posts")
        if plain is not None:
            return plain, bad
        for i, raw in enumerate(values[canonical[col]].tolist()):
            if type(raw) is str and _PLAIN_COUNT.fullmatch(raw):
                result[i] = int(raw)
                continue
            parsed = _parse_count(raw)
            if isinstance(parsed, int):
                result[i] = parsed
            elif parsed is _MISSING:
                if col == "total_posts":
                    bad[i] = True
                    self.cell_problem(int(rownums[i]), units[i], col, "total_posts_empty",
                                      header=self.show(col))
            else:
                bad[i] = True
                self.cell_problem(int(rownums[i]), units[i], col, "bad_cell",
                                  header=self.show(col), problem=parsed)
        return result, bad

    def cross_checks(
        self,
        counts: dict[str, np.ndarray],
        bad: dict[str, np.ndarray],
        rownums: np.ndarray,
        units: np.ndarray,
    ) -> None:
        h = self.show
        s, m, j = (counts[c] for c in INCUMBENT_COLUMNS)
        total = counts["total_posts"]
        ok = ~np.logical_or.reduce([bad[c] for c in ("total_posts", *INCUMBENT_COLUMNS)])
        for i in np.flatnonzero(ok & (s + m + j > total)):
            self.cell_problem(
                int(rownums[i]), units[i], "total_posts", "incumbents_exceed_posts",
                senior=int(s[i]), intermediate=int(m[i]), junior=int(j[i]),
                header=h("total_posts"), total=int(total[i]))
        ws, wm = counts["senior_waiting"], counts["intermediate_waiting"]
        ok = ~(bad["senior_waiting"] | bad["intermediate_incumbents"])
        for i in np.flatnonzero(ok & (ws > m)):
            self.cell_problem(
                int(rownums[i]), units[i], "senior_waiting", "waiting_exceeds_incumbents",
                level="senior", waiting_header=h("senior_waiting"), waiting=int(ws[i]),
                below_header=h("intermediate_incumbents"), below=int(m[i]))
        ok = ~(bad["intermediate_waiting"] | bad["junior_incumbents"])
        for i in np.flatnonzero(ok & (wm > j)):
            self.cell_problem(
                int(rownums[i]), units[i], "intermediate_waiting", "waiting_exceeds_incumbents",
                level="intermediate", waiting_header=h("intermediate_waiting"),
                waiting=int(wm[i]), below_header=h("junior_incumbents"), below=int(j[i]))

    def priority_column(
        self,
        canonical: dict[str, int],
        values: list[np.ndarray],
        rownums: np.ndarray,
        units: np.ndarray,
    ) -> np.ndarray:
        n = len(rownums)
        result = np.ones(n, dtype=np.float64)
        if "priority" not in canonical:
            return result
        plain = _plain_priorities(values[canonical["priority"]],
                                  self.is_text[canonical["priority"]])
        if plain is not None:
            return plain
        for i, raw in enumerate(values[canonical["priority"]].tolist()):
            if type(raw) is str and _PLAIN_NUMBER.fullmatch(raw):
                result[i] = float(raw)
                continue
            parsed = _parse_priority(raw)
            if isinstance(parsed, float):
                result[i] = parsed
            elif parsed is not _MISSING:
                self.cell_problem(int(rownums[i]), units[i], "priority", "bad_cell",
                                  header=self.show("priority"), problem=parsed)
        return result

    def extra_column(self, pos: int, keep: np.ndarray) -> pd.Series:
        series = self.df.iloc[:, pos]
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            vals = series.to_numpy(dtype=object)[keep]
            stripped = [v.strip() if isinstance(v, str) else v for v in vals.tolist()]
            return pd.Series(_object_array(stripped), index=pd.RangeIndex(len(vals)), dtype=object)
        return pd.Series(series.to_numpy()[keep], index=pd.RangeIndex(int(keep.sum())))


def source_rows(units: pd.DataFrame) -> np.ndarray:
    """The row number, as a spreadsheet counts (header = 1), of each row of a table from
    :func:`read_units` or :func:`normalize_units` — empty rows are skipped when reading, so
    row ``k`` of the table is not always row ``k + 2`` of the file.

    Examples
    --------
    >>> raw = pd.DataFrame({"unit_id": ["A", None, "B"], "type": ["x", None, "y"],
    ...                     "total_posts": [1, None, 2]})
    >>> source_rows(normalize_units(raw)).tolist()
    [2, 4]
    """
    rows = units.attrs.get("source_rows")
    if rows is not None and len(rows) == len(units):
        return np.asarray(rows, dtype=np.int64)
    return np.arange(len(units), dtype=np.int64) + 2


def defaulted_columns(units: pd.DataFrame) -> tuple[str, ...]:
    """The columns of :data:`DEFAULTED_COLUMNS` that the table read did not have (each took
    its default for every unit); ``quotaopt validate`` names them."""
    return tuple(units.attrs.get("defaulted", ()))


def table_warnings(units: pd.DataFrame) -> tuple[Problem, ...]:
    """Remarks about a table from :func:`read_units` or :func:`normalize_units` that are not
    errors, e.g. an unknown column whose header looks like a misspelt optional column."""
    return tuple(units.attrs.get("warnings", ()))


# ----------------------------------------------------------------------------------------
# the fast path: a CSV file that needs no message


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


_INVISIBLE_CLASS = csvarrow.char_class(_INVISIBLE + "\u00ad")
_TOTAL_ENDS = csvarrow.char_class("".join(sorted({w[-1] for w in TOTAL_ROW_WORDS_ZH})))


def _read_clean_csv(path: str | os.PathLike[str],
                    columns: Mapping[str, str] | None) -> pd.DataFrame | None:
    """The table of a CSV file that needs no message, no note and no repair, read by pyarrow
    and checked column by column; ``None`` for any other file (a workbook, a title row, an
    empty row among the data, a cell to report, …), which :func:`read_units` then reads
    cell by cell. Gives exactly what the general reader gives for the files it accepts
    (``tests/test_fast_reader.py`` compares the two on random files)."""
    sheet = csvarrow.read_csv_columns(path)
    if sheet is None or not sheet.columns or not sheet.rows:
        return None
    source, cols, ncols = sheet.where, sheet.columns, len(sheet.columns)
    mapped = {_header_key(h): c for c, h in (columns or {}).items() if h.strip()}
    head = sheet.head(HEADER_SEARCH_ROWS)
    if _header_index(head, mapped) != 0 or _locate_header(head, source, mapped)[2] != 2:
        return None  # rows above the header, or a two-row header
    labels = [_label_text(c) for c in sheet.header]
    if (not any(labels) or max(map(len, labels)) > tbl.MAX_CELL_CHARS
            or any(csvarrow.max_length(c) > tbl.MAX_CELL_CHARS for c in cols)):
        return None
    stripped = _LazyColumns(ncols, lambda pos: csvarrow.strip(cols[pos]))
    blank = _LazyColumns(ncols, lambda pos: csvarrow.is_blank(stripped[pos]))
    raw = _LazyColumns(ncols, lambda pos: csvarrow.to_objects(cols[pos]))
    rownums = np.arange(sheet.rows, dtype=np.int64) + 2
    norm = _Normalizer(pd.DataFrame(), source, text_cells=True, columns=columns)
    norm.is_text = [True] * ncols
    canonical, extras = norm.map_headers(labels, cast(list[np.ndarray], raw),
                                         cast(list[np.ndarray], blank), rownums)
    if norm.header:
        return None
    norm.shown = {col: labels[pos] for col, pos in canonical.items()}

    keep = ~np.logical_and.reduce([blank[pos] for pos in range(ncols)])
    for col in ("unit_id", "name"):  # totals rows: a note, read by the general reader
        if col in canonical and csvarrow.has_match(stripped[canonical[col]], _TOTAL_ENDS,
                                                   ascii_free=True):
            cells = stripped[canonical[col]]
            hits = np.flatnonzero(pc.match_substring_regex(cells, _TOTAL_ENDS).to_numpy(
                zero_copy_only=False))
            if any(_is_total_word(cells[int(i)].as_py()) for i in hits if keep[i]):
                return None
    n = int(keep.sum())
    if n == 0:
        return None
    rows = rownums[keep]
    text = {col: csvarrow.take_columns([stripped[pos]], keep)[0]
            for col, pos in canonical.items()}
    out: dict[str, Any] = {}

    ids = text.get("unit_id")
    if ids is None or csvarrow.has_match(ids, _INVISIBLE_CLASS, ascii_free=True):
        return None
    out["unit_id"] = csvarrow.to_objects(ids)
    if csvarrow.all_ascii(ids):  # text_key changes no ASCII code (they are stripped)
        if bool(csvarrow.is_blank(ids).any()) or len(ids.unique()) != n:
            return None
    else:  # duplicates are found by text_key
        keys = out["unit_id"].copy()
        odd = np.flatnonzero(~np.asarray(pc.string_is_ascii(ids).to_numpy(
            zero_copy_only=False), dtype=bool))
        keys[odd] = [text_key(v) for v in keys[odd].tolist()]
        if bool((keys == "").any()) or len(pd.unique(keys)) != n:
            return None
    names = text.get("name")
    if names is not None:
        if csvarrow.has_match(names, _INVISIBLE_CLASS, ascii_free=True):
            return None
        out["name"] = csvarrow.to_objects(names)
        empty = csvarrow.is_blank(names)
        if empty.any():
            out["name"][empty] = out["unit_id"][empty]
    else:
        out["name"] = out["unit_id"]
    for col in ("type", "pool"):
        if col not in text:
            out[col] = np.full(n, DEFAULT_POOL if col == "pool" else "", dtype=object)
            continue
        codes = text[col].dictionary_encode()
        uniques = np.array([text_key(v) for v in codes.dictionary.to_pylist()] or [""],
                           dtype=object)
        values = uniques[codes.indices.to_numpy(zero_copy_only=False)]
        if bool((values == "").any()):
            if col == "type" or not bool((values == "").all()):
                return None  # an empty type, or a pool empty on some rows only
            values = np.full(n, DEFAULT_POOL, dtype=object)
        out[col] = values
    if "type" not in text:
        return None
    for col in COUNT_COLUMNS:
        if col not in text:
            if col == "total_posts":
                return None
            out[col] = np.zeros(n, dtype=np.int64)
            continue
        cells = text[col]
        if col != "total_posts" and bool(csvarrow.is_blank(cells).any()):
            cells = pc.if_else(pc.equal(cells, ""), "0", cells)
        if not csvarrow.all_digits(cells):
            return None
        try:
            counts = pc.cast(cells, pa.int64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, OverflowError):
            return None
        if counts.size and int(counts.max()) > MAX_COUNT:
            return None
        out[col] = counts
    s, m, j = (out[c] for c in INCUMBENT_COLUMNS)
    if (bool((s + m + j > out["total_posts"]).any())
            or bool((out["senior_waiting"] > m).any())
            or bool((out["intermediate_waiting"] > j).any())):
        return None
    if "priority" in text:
        cells = pc.if_else(pc.equal(text["priority"], ""), "1", text["priority"])
        # at most 15 digits: every parser of doubles reads them exactly as float() does
        if not csvarrow.matches_all(cells, r"^[0-9]{1,9}(\.[0-9]{1,6})?$"):
            return None
        priority = pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
        if not bool((priority > 0).all()):
            return None
        out["priority"] = priority
    else:
        out["priority"] = np.ones(n, dtype=np.float64)
    extra = {}
    budget = [(BUDGET_COLUMN, canonical[BUDGET_COLUMN])] if BUDGET_COLUMN in canonical else []
    for label, pos in [*extras, *budget]:  # the budget column: read, checked later
        cells = csvarrow.take_columns([stripped[pos]], keep)[0]
        extra[label] = pd.Series(csvarrow.to_objects(cells), index=pd.RangeIndex(n),
                                 dtype=object)
    return norm.table(extra, out, rows, fresh=True)


# ----------------------------------------------------------------------------------------
# cell helpers


def _own_array(values: Any, owners: Counter[int], fresh: bool) -> bool:
    """``values`` is a writeable array no other column holds, that owns its data (or is a
    view made for the table alone: ``fresh``)."""
    return (isinstance(values, np.ndarray) and bool(values.flags.writeable)
            and (fresh or bool(values.flags.owndata)) and owners[id(values)] == 1)


def _column_series(col: str, values: np.ndarray, copy: bool = True) -> pd.Series:
    # copy=False: the Series keeps ``values`` when its dtype is already the column's
    if col in TEXT_COLUMNS:
        return pd.Series(values, dtype=object, copy=copy)
    if col == "priority":
        return pd.Series(values, dtype=np.float64, copy=copy)
    return pd.Series(values, dtype=np.int64, copy=copy)


def _label_text(label: Any) -> str:
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return ""
    text = label if isinstance(label, str) else cell_text(label)
    return text.strip().strip(_INVISIBLE).strip()


_UNIT_SUFFIX = re.compile(r"\s*[(\[【〔]\s*(?:" + "|".join(HEADER_UNITS)
                          + r")\s*[)\]】〕]\s*$")
_DROP_INVISIBLE = {ord(c): None for c in _INVISIBLE + "\u00ad"}


def _header_key(label: str) -> str:
    """A header as compared: NFKC, without invisible characters, lower case, stripped,
    without a bracketed unit at its end (``（人）``)."""
    key = unicodedata.normalize("NFKC", label).translate(_DROP_INVISIBLE).strip().lower()
    return _UNIT_SUFFIX.sub("", key)


_INVISIBLE_CHAR = re.compile("[" + _INVISIBLE + "\u00ad]")


def _needs_cleaning(text: str) -> bool:
    """Some cell of the joined ``text`` changes under :func:`text_key` (fast: one pass)."""
    if text.isascii():
        return False
    return (_INVISIBLE_CHAR.search(text) is not None
            or not unicodedata.is_normalized("NFKC", text))


def _without_invisible(value: str) -> str:
    return value.translate(_DROP_INVISIBLE).strip()


def _is_total_word(value: str) -> bool:
    key = re.sub(r"[\s:：]", "", unicodedata.normalize("NFKC", value))
    return key in TOTAL_ROW_WORDS_ZH


def text_key(value: str) -> str:
    """A unit code, type or pool as compared: NFKC, without zero-width characters,
    stripped (``ＴＸ01`` and ``TX01\u200b`` are ``TX01``)."""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).translate(_DROP_INVISIBLE).strip()


def _canonical_name(label: str) -> str | None:
    key = _header_key(label)
    if not key:
        return None
    for candidate in (key, re.sub(r"[\s\-]+", "_", key), re.sub(r"\s+", "", key)):
        if candidate in ALIASES:
            return ALIASES[candidate]
    return None


def _holds_numbers(values: np.ndarray, blank: np.ndarray) -> bool:
    """Every non-empty cell is a number."""
    for v, b in zip(values.tolist(), blank.tolist(), strict=True):
        if b:
            continue
        if isinstance(v, bool | np.bool_):
            return False
        if isinstance(v, int | float | np.integer | np.floating):
            continue
        text = _number_text(v)
        if not isinstance(text, str) or not _NUMBER.fullmatch(text.replace(",", "")):
            return False
    return True


def _did_you_mean(col: str, unknown: Sequence[tuple[str, int]]) -> tuple[str, int] | None:
    """The unknown header most like a name of ``col`` (difflib), with its position."""
    names = list(ALIASES)
    best: tuple[float, str, int] | None = None
    for label, pos in unknown:
        key = _header_key(label)
        match = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        if match and ALIASES[match[0]] == col:
            score = difflib.SequenceMatcher(None, key, match[0]).ratio()
            if best is None or score > best[0]:
                best = (score, label, pos)
    return None if best is None else (best[1], best[2])


def _find_header_row(values: list[np.ndarray], rownums: np.ndarray) -> int | None:
    """Row number of a data row among the first ten that looks like the real header row."""
    for r in range(min(len(rownums), 10)):
        names = {_canonical_name(cell_text(v[r])) for v in values}
        if sum(c in names for c in REQUIRED_COLUMNS) >= 2:
            return int(rownums[r])
    return None


def _object_values(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=object)


def _object_array(items: Sequence[Any]) -> np.ndarray:
    """A 1-D object array, even when the items are themselves sequences."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _all_str(items: list[Any]) -> bool:
    """Every item is exactly a ``str`` (not a subclass, not a number, not missing)."""
    return bool(items) and set(map(type, items)) == {str}


_SPACE = re.compile(r"\s")  # the characters str.isspace() and str.strip() see as whitespace


def _has_space(cells: np.ndarray) -> bool:
    """Some ``str`` cell holds whitespace (one search over the joined text, not one per cell)."""
    return _SPACE.search("".join(cells.tolist())) is not None


def _digit_cells(cells: np.ndarray, is_text: bool) -> np.ndarray | None:
    """``cells == ""`` when every cell is a ``str`` of ASCII digits or empty, else ``None``."""
    if not is_text:
        return None
    digits = "".join(cells.tolist())
    if digits and not (digits.isascii() and digits.isdigit()):
        return None
    return cells == ""


def _plain_counts(values: np.ndarray, is_text: bool, allow_empty: bool) -> np.ndarray | None:
    """The column's counts when no cell needs a message, else ``None`` (check cell by cell).

    That is: ASCII digits up to :data:`MAX_COUNT` (``_parse_count`` accepts exactly these
    digit strings), empty text where an empty cell means 0, or, in a frame built in code,
    integers 0..MAX_COUNT.
    """
    if not len(values):
        return np.zeros(0, dtype=np.int64)
    empty = _digit_cells(values, is_text)
    if empty is not None:
        if empty.any():
            if not allow_empty:
                return None
            values = np.where(empty, "0", values)
    else:
        kinds = set(map(type, values.tolist()))
        if not all(issubclass(k, int | np.integer) and not issubclass(k, bool) for k in kinds):
            return None
    try:
        counts = values.astype(np.int64)
    except (OverflowError, ValueError):
        return None
    if not bool(((counts >= 0) & (counts <= MAX_COUNT)).all()):
        return None
    return counts


def _plain_priorities(values: np.ndarray, is_text: bool) -> np.ndarray | None:
    """The priorities when every cell is empty (1) or ASCII digits worth more than 0, or, in
    a frame built in code, a number (a missing one, NaN, means 1)."""
    if not len(values):
        return None
    empty = _digit_cells(values, is_text)
    if empty is not None:
        out = np.where(empty, "1", values).astype(np.float64)
    elif _number_kinds(values, bool_is_int=False) in ("int", "float"):
        try:
            out = values.astype(np.float64)
        except OverflowError:
            return None
        out[np.isnan(out)] = 1.0
    else:
        return None
    if not bool(((out > 0) & np.isfinite(out)).all()):
        return None  # "0" or an overflow: reported by the cell-by-cell check
    return out


def _problem(code: str, params: Mapping[str, Any], **where: Any) -> Problem:
    """The problem of message ``code`` at ``where``; a ``code`` that is no message code is
    taken as a sentence already written (kept for callers not yet moved to codes)."""
    if code in CATALOGUE:
        return Problem.of(code, **where, **params)
    return Problem(code, **where)


def _number_kinds(values: np.ndarray, bool_is_int: bool = True) -> str | None:
    """``"int"`` when every cell is an integer (a bool too, unless ``bool_is_int`` is
    false), ``"float"`` when every cell is a float, else ``None``."""
    kinds = set(map(type, values.tolist()))
    ints = int | np.integer | np.bool_ if bool_is_int else int | np.integer
    if all(issubclass(k, ints) and (bool_is_int or not issubclass(k, bool)) for k in kinds):
        return "int"
    if all(issubclass(k, float | np.floating) for k in kinds):
        return "float"
    return None


def _blank_mask(values: np.ndarray, is_text: bool = False) -> np.ndarray:
    if is_text and len(values):  # empty or only whitespace: exactly ``not v.strip()``
        empty = values == ""
        if not _has_space(values):
            return empty
        return empty | np.fromiter(map(str.isspace, values.tolist()), dtype=bool,
                                   count=len(values))
    kind = _number_kinds(values) if len(values) else None
    if kind == "int":  # numbers in a frame built in code: only NaN is missing
        return np.zeros(len(values), dtype=bool)
    if kind == "float":
        return np.isnan(values.astype(np.float64))
    return np.fromiter(
        ((not v.strip()) if type(v) is str else is_missing(v) for v in values.tolist()),
        dtype=bool,
        count=len(values),
    )


def _number_text(value: Any) -> str | object:
    """Stripped, NFKC-normalised text of a cell, or _MISSING."""
    text = value.strip() if isinstance(value, str) else str(value).strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    return text if text else _MISSING


def _parse_count(value: Any) -> int | object | str:
    """A whole number 0..MAX_COUNT, _MISSING, or the end of an error message (str)."""
    if isinstance(value, bool | np.bool_):
        return render("count_not_whole", {"value": repr(value)})
    if is_missing(value):
        return _MISSING
    if isinstance(value, int | np.integer):
        number: Decimal = Decimal(int(value))
        shown = str(int(value))
    elif isinstance(value, float | np.floating):
        value = float(value)
        if not math.isfinite(value):
            return render("count_not_whole", {"value": repr(value)})
        number = Decimal(value)
        shown = repr(value)
    else:
        text = _number_text(value)
        if text is _MISSING:
            return _MISSING
        assert isinstance(text, str)
        shown = text
        if not _NUMBER.fullmatch(text):
            return render("count_not_whole", {"value": _show(value)})
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            return render("count_not_whole", {"value": _show(value)})
    if number < 0:
        return render("count_negative", {"value": shown})
    if number > MAX_COUNT:
        return render("count_above_limit", {"value": shown, "limit": MAX_COUNT})
    try:
        integral = number == number.to_integral_value()
    except ArithmeticError:
        integral = False
    if not integral:
        return render("count_not_integer", {"value": shown})
    return int(number)


def _parse_priority(value: Any) -> float | object | str:
    """A finite number > 0, _MISSING, or the end of an error message (str)."""
    if isinstance(value, bool | np.bool_):
        return render("priority_invalid", {"value": repr(value)})
    if is_missing(value):
        return _MISSING
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        shown = repr(value) if isinstance(value, float) else str(value)
    else:
        text = _number_text(value)
        if text is _MISSING:
            return _MISSING
        assert isinstance(text, str)
        if not _NUMBER.fullmatch(text):
            return render("priority_invalid", {"value": _show(value)})
        number = float(text)
        shown = text
    if math.isnan(number):
        return render("priority_invalid", {"value": shown})
    if math.isinf(number):
        return render("priority_invalid", {"value": shown, "finite": True})
    if number <= 0:
        return render("priority_invalid", {"value": shown})
    return number


def _show(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)
