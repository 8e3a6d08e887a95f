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
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from . import table as tbl
from .errors import InputError, Problem
from .headers import unit_aliases_zh
from .table import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    cell_text,
    column_letter,
    gc_paused,
    is_missing,
    read_table,
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
    "normalize_units",
    "read_units",
    "source_rows",
    "table_warnings",
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

_CHINESE_ALIASES: dict[str, tuple[str, ...]] = unit_aliases_zh(UNIT_COLUMNS)

ALIASES: dict[str, str] = {name: name for name in UNIT_COLUMNS}
"""Accepted header (lower-cased, stripped) -> canonical column name."""
ALIASES.update(
    {alias: canonical for canonical, names in _CHINESE_ALIASES.items() for alias in names}
)

_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_PLAIN_COUNT = re.compile(r"\d{1,9}", re.ASCII)  # fast path: surely an accepted count
_PLAIN_NUMBER = re.compile(r"\d{0,9}[1-9]\d{0,9}(?:\.\d{0,9})?", re.ASCII)  # priority > 0
_MISSING = object()  # marker for an empty cell


# ----------------------------------------------------------------------------------------
# reading files


def read_units(path: str | os.PathLike[str], sheet: str | None = None) -> pd.DataFrame:
    """Read a units table from a CSV or XLSX file and check it.

    The format is detected from the content, not the extension: a ZIP container
    (``PK\\x03\\x04``) is read as XLSX, anything else as CSV. CSV text is decoded as UTF-8
    (with or without BOM), else as GB18030 (a superset of GBK). Every cell is read as text,
    so unit codes keep their leading zeros; the cells are then checked and converted by
    :func:`normalize_units`.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Its name is used, as given, in every problem reported.
    sheet : str, optional
        XLSX only: the worksheet to read. Default: the first worksheet.

    Returns
    -------
    pandas.DataFrame
        The normalised table, see :func:`normalize_units`.

    Raises
    ------
    InputError
        The file cannot be read: missing; an old binary ``.xls``, UTF-16 text or an HTML
        page saved with a spreadsheet name; text that is neither UTF-8 nor GB18030 (the
        problem gives the byte offset where UTF-8 decoding failed); a damaged XLSX; an
        unknown ``sheet`` (the problem lists the sheets) or ``sheet`` given for a CSV.
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
    labels, rows = read_table(path, sheet)

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
    return _Normalizer(raw, source, text_cells=True).run()


# ----------------------------------------------------------------------------------------
# checking and converting


def normalize_units(df: pd.DataFrame, source: str = "<DataFrame>") -> pd.DataFrame:
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
    return _Normalizer(df, source).run()


class _Normalizer:
    """One checking pass over one table; collects problems, then raises or builds."""

    def __init__(self, df: pd.DataFrame, source: str, text_cells: bool = False):
        self.df = df
        self.source = source
        self.text_cells = text_cells  # every cell is known to be a str (read from a file)
        self.header: list[Problem] = []
        self.cells: list[tuple[int, int, Problem]] = []  # (row, column order, problem)
        self.warnings: list[Problem] = []  # not errors: see table_warnings()

    # -- problems ---------------------------------------------------------------------

    def table_problem(self, message: str, row: int | None = None,
                      column: str | None = None) -> None:
        self.header.append(Problem(message, file=self.source, row=row, column=column))

    def cell_problem(self, row: int, unit: str | None, column: str, message: str) -> None:
        order = UNIT_COLUMNS.index(column) if column in UNIT_COLUMNS else len(UNIT_COLUMNS)
        if unit and len(unit) > 60:  # a pasted paragraph as unit_id: do not repeat it whole
            unit = unit[:57] + "..."
        problem = Problem(message, file=self.source, row=row, column=column, unit=unit or None)
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
            self.table_problem(f"the table has {ncols} columns, more than the limit of "
                               f"{tbl.MAX_COLUMNS}; delete the columns that are not needed")
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
            self.table_problem(
                "the table is empty; it needs a header row (unit_id, type, total_posts, …) "
                "and one row per unit"
            )
            raise self.fail()
        if all(not lab for lab in labels):
            filled = ~np.logical_and.reduce(blank) if blank else np.zeros(0, dtype=bool)
            first = int(rownums[np.argmax(filled)])
            self.table_problem(
                f"row 1 is empty but must hold the column names (unit_id, type, "
                f"total_posts, …); the first non-empty row is row {first}: delete the rows "
                "above it",
                row=1,
            )
            raise self.fail()

        canonical, extras = self.map_headers(labels, values, blank, rownums)
        keep = ~np.logical_and.reduce(blank) if ncols else np.zeros(0, dtype=bool)
        rownums = rownums[keep]
        values = [v[keep] for v in values]
        n = len(rownums)
        if n == 0:
            self.table_problem("the table has a header but no data rows; add one row per unit")
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
                    "type",
                    "type is empty; enter the unit's type as the scenario's policy names it "
                    "(e.g. health_centre, school)",
                )
        out["type"] = types
        pools = self.text_column(canonical, values, "pool", n)
        out["pool"] = np.where(pools == "", DEFAULT_POOL, pools).astype(object)

        counts: dict[str, np.ndarray] = {}
        bad: dict[str, np.ndarray] = {}
        for col in COUNT_COLUMNS:
            counts[col], bad[col] = self.count_column(canonical, values, col, rownums, units)
            out[col] = counts[col]
        self.cross_checks(counts, bad, rownums, units)
        out["priority"] = self.priority_column(canonical, values, rownums, units)

        if self.header or self.cells:
            raise self.fail()

        columns = {col: _column_series(col, out[col]) for col in UNIT_COLUMNS}
        for label, pos in extras:  # extra labels never clash with canonical ones
            columns[label] = self.extra_column(pos, keep)
        table = pd.DataFrame(columns, index=pd.RangeIndex(n))
        # kept only when they say something: pandas copies attrs along with the frame
        if self.warnings:
            table.attrs["warnings"] = tuple(self.warnings)
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
                self.table_problem(
                    f"the header of column {column_letter(pos)} has {len(labels[pos]):,} "
                    f"characters, more than the limit of {tbl.MAX_CELL_CHARS:,}; shorten it", row=1)
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
                    self.cell_problem(
                        int(rownums[i]), units[i], name,
                        f"the cell has {len(v):,} characters, more than the limit of "
                        f"{tbl.MAX_CELL_CHARS:,}; shorten it")

    # -- headers ----------------------------------------------------------------------

    def map_headers(
        self,
        labels: list[str],
        values: list[np.ndarray],
        blank: list[np.ndarray],
        rownums: np.ndarray,
    ) -> tuple[dict[str, int], list[tuple[str, int]]]:
        canonical: dict[str, int] = {}
        extras: list[tuple[str, int]] = []
        used = set(UNIT_COLUMNS)
        for pos, label in enumerate(labels):
            target = _canonical_name(label)
            if target is not None:
                if target in canonical:
                    first = labels[canonical[target]]
                    self.table_problem(
                        f"columns {first!r} ({column_letter(canonical[target])}) and {label!r} "
                        f"({column_letter(pos)}) both mean {target}; keep only one of them",
                        row=1,
                        column=target,
                    )
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
        self.warn_near_misses(unknown, canonical)
        for col in missing:
            accepted = " / ".join([col, *_CHINESE_ALIASES[col]])
            message = f"required column {col!r} is missing (header {accepted})"
            hint = _did_you_mean(col, unknown)
            if hint is not None:
                label, pos = hint
                message += (f"; did you mean {label!r} (column {column_letter(pos)})? "
                            f"rename it {col!r}")
            else:
                message += "; add the column"
            self.table_problem(message, row=1, column=col)
        if missing:
            header_row = _find_header_row(values, rownums)
            if header_row is not None:
                self.table_problem(
                    f"the column names seem to be on row {header_row}, but they must be "
                    "on row 1: delete the rows above them",
                    row=1,
                )
        return canonical, extras

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
            default = {"name": "the unit_id", "pool": repr(DEFAULT_POOL),
                       "priority": "1"}.get(target, "0")
            self.warnings.append(Problem(
                f"column {label!r} ({column_letter(pos)}) is not a known column (did you mean "
                f"{close[0]!r}?); it is carried through unchanged, and {target} is taken as "
                f"{default} for every unit", file=self.source, row=1, column=label))

    # -- columns ----------------------------------------------------------------------

    def text_column(
        self, canonical: dict[str, int], values: list[np.ndarray], col: str, n: int
    ) -> np.ndarray:
        if col not in canonical:
            return np.full(n, "", dtype=object)
        column = values[canonical[col]]
        if self.is_text[canonical[col]] and len(column):  # the usual case
            if not _has_space(column):
                return column.copy()  # str.strip() would return every cell itself
            return np.array(list(map(str.strip, column.tolist())), dtype=object)
        return _object_array([cell_text(v) for v in column.tolist()])

    def check_unit_ids(self, unit_ids: np.ndarray, rownums: np.ndarray, present: bool) -> None:
        if not present:
            return
        ids = unit_ids.tolist()
        if len(set(ids)) == len(ids) and "" not in ids:
            return  # all present and distinct: nothing to report
        first_row: dict[str, int] = {}
        for uid, row in zip(unit_ids.tolist(), rownums.tolist(), strict=True):
            if uid == "":
                self.cell_problem(
                    row, None, "unit_id", "unit_id is empty; every unit needs its own code"
                )
            elif uid in first_row:
                self.cell_problem(
                    row,
                    uid,
                    "unit_id",
                    f"unit_id {uid!r} is on rows {first_row[uid]} and {row}; every unit "
                    "needs its own code: change or delete one of the rows",
                )
            else:
                first_row[uid] = row

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
                    self.cell_problem(
                        int(rownums[i]),
                        units[i],
                        col,
                        "total_posts is empty; enter the unit's number of professional-"
                        "technical posts (a whole number, 0 or more)",
                    )
            else:
                bad[i] = True
                self.cell_problem(int(rownums[i]), units[i], col, f"{col} {parsed}")
        return result, bad

    def cross_checks(
        self,
        counts: dict[str, np.ndarray],
        bad: dict[str, np.ndarray],
        rownums: np.ndarray,
        units: np.ndarray,
    ) -> None:
        s, m, j = (counts[c] for c in INCUMBENT_COLUMNS)
        total = counts["total_posts"]
        ok = ~np.logical_or.reduce([bad[c] for c in ("total_posts", *INCUMBENT_COLUMNS)])
        for i in np.flatnonzero(ok & (s + m + j > total)):
            self.cell_problem(
                int(rownums[i]),
                units[i],
                "total_posts",
                f"the incumbents ({s[i]} senior + {m[i]} intermediate + {j[i]} junior = "
                f"{s[i] + m[i] + j[i]}) exceed total_posts {total[i]}; incumbents keep their "
                "posts, so raise total_posts or correct the incumbent counts",
            )
        ws, wm = counts["senior_waiting"], counts["intermediate_waiting"]
        ok = ~(bad["senior_waiting"] | bad["intermediate_incumbents"])
        for i in np.flatnonzero(ok & (ws > m)):
            self.cell_problem(
                int(rownums[i]),
                units[i],
                "senior_waiting",
                f"senior_waiting {ws[i]} exceeds intermediate_incumbents {m[i]}; staff waiting "
                "for a senior post are counted among the intermediate incumbents: lower "
                "senior_waiting or correct intermediate_incumbents",
            )
        ok = ~(bad["intermediate_waiting"] | bad["junior_incumbents"])
        for i in np.flatnonzero(ok & (wm > j)):
            self.cell_problem(
                int(rownums[i]),
                units[i],
                "intermediate_waiting",
                f"intermediate_waiting {wm[i]} exceeds junior_incumbents {j[i]}; staff "
                "waiting for an intermediate post are counted among the junior incumbents: "
                "lower intermediate_waiting or correct junior_incumbents",
            )

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
                self.cell_problem(int(rownums[i]), units[i], "priority", f"priority {parsed}")
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


def table_warnings(units: pd.DataFrame) -> tuple[Problem, ...]:
    """Remarks about a table from :func:`read_units` or :func:`normalize_units` that are not
    errors, e.g. an unknown column whose header looks like a misspelt optional column."""
    return tuple(units.attrs.get("warnings", ()))


# ----------------------------------------------------------------------------------------
# cell helpers


def _column_series(col: str, values: np.ndarray) -> pd.Series:
    if col in TEXT_COLUMNS:
        return pd.Series(values, dtype=object)
    if col == "priority":
        return pd.Series(values, dtype=np.float64)
    return pd.Series(values, dtype=np.int64)


def _label_text(label: Any) -> str:
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return ""
    text = label if isinstance(label, str) else cell_text(label)
    return text.strip().strip(_INVISIBLE).strip()


def _header_key(label: str) -> str:
    return unicodedata.normalize("NFKC", label).strip().strip(_INVISIBLE).strip().lower()


def _canonical_name(label: str) -> str | None:
    key = _header_key(label)
    if not key:
        return None
    for candidate in (key, re.sub(r"[\s\-]+", "_", key), re.sub(r"\s+", "", key)):
        if candidate in ALIASES:
            return ALIASES[candidate]
    return None


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
        return f"must be a whole number (0 or more), not {value!r}"
    if is_missing(value):
        return _MISSING
    if isinstance(value, int | np.integer):
        number: Decimal = Decimal(int(value))
        shown = str(int(value))
    elif isinstance(value, float | np.floating):
        value = float(value)
        if not math.isfinite(value):
            return f"must be a whole number (0 or more), not {value!r}"
        number = Decimal(value)
        shown = repr(value)
    else:
        text = _number_text(value)
        if text is _MISSING:
            return _MISSING
        assert isinstance(text, str)
        shown = text
        if not _NUMBER.fullmatch(text):
            return f"must be a whole number (0 or more), not {_show(value)}"
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            return f"must be a whole number (0 or more), not {_show(value)}"
    if number < 0:
        return f"must not be negative, got {shown}; enter 0 or more"
    if number > MAX_COUNT:
        return f"is {shown}, above the limit of {MAX_COUNT:,}; check the value"
    try:
        integral = number == number.to_integral_value()
    except ArithmeticError:
        integral = False
    if not integral:
        return f"must be a whole number, not {shown}"
    return int(number)


def _parse_priority(value: Any) -> float | object | str:
    """A finite number > 0, _MISSING, or the end of an error message (str)."""
    expected = "must be a number greater than 0 (leave it empty for 1)"
    if isinstance(value, bool | np.bool_):
        return f"{expected}, not {value!r}"
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
            return f"{expected}, not {_show(value)}"
        number = float(text)
        shown = text
    if math.isnan(number):
        return f"{expected}, not {shown}"
    if math.isinf(number):
        return f"{expected} and finite, not {shown}"
    if number <= 0:
        return f"{expected}, not {shown}"
    return number


def _show(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)
