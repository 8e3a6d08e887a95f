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

This module is the public face of reading; the work is done by
:mod:`quotaopt.unitcells` (the columns, header words and cell parsing),
:mod:`quotaopt.unitlayout` (where the table sits on its sheet),
:mod:`quotaopt.normalize` (checking and converting) and :mod:`quotaopt.csvunits` (a plain
CSV file read column by column by pyarrow).

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

import itertools
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import table as tbl
from .csvunits import read_clean_csv as _read_clean_csv  # the fast path (tests switch it off)
from .errors import InputError as InputError  # what read_units raises
from .errors import Problem
from .normalize import Normalizer, normalize_units
from .table import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    gc_paused,
    read_sheet,
    trim_columns,
)
from .unitcells import (
    ALIASES,
    BUDGET_COLUMN,
    COUNT_COLUMNS,
    DEFAULT_POOL,
    MAX_COUNT,
    REQUIRED_COLUMNS,
    UNIT_COLUMNS,
    header_key,
    text_key,
)
from .unitlayout import check_hidden_rows, fill_merged, header_index, locate_header

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
    if sheet is None:
        fast = _read_clean_csv(path, columns)
        if fast is not None:
            return fast
    mapped = {header_key(h): c for c, h in (columns or {}).items() if h.strip()}
    sheet_data = read_sheet(path, sheet,
                            looks_like=lambda rows: header_index(rows, mapped) is not None)
    source = sheet_data.where
    labels, rows, first_row, notes = locate_header(sheet_data.records, source, mapped)
    check_hidden_rows(sheet_data, first_row, source)
    fill_merged(sheet_data.merged, labels, rows, first_row, source, mapped)
    labels, cells = _cell_grid(labels, rows, source)
    del rows
    raw = pd.DataFrame(cells, columns=pd.Index(labels, dtype=object), dtype=object)
    raw.index = pd.RangeIndex(first_row - 2, first_row - 2 + len(raw))  # row numbers
    return Normalizer(raw, source, text_cells=True, columns=columns, notes=notes,
                      header_row=first_row - 1).run()


def _cell_grid(labels: list[str], rows: list[list[str]], source: str
               ) -> tuple[list[str], np.ndarray]:
    """The header labels and the cells as one 2-D ``object`` array of ``str``, every row as
    wide as the widest (short rows padded with ``""``; beyond
    :data:`~quotaopt.table.MAX_COLUMNS` the empty columns at the right are dropped)."""
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
    return labels, cells


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
    """The columns of :data:`~quotaopt.unitcells.DEFAULTED_COLUMNS` that the table read did
    not have (each took its default for every unit); ``quotaopt validate`` names them."""
    return tuple(units.attrs.get("defaulted", ()))


def table_warnings(units: pd.DataFrame) -> tuple[Problem, ...]:
    """Remarks about a table from :func:`read_units` or :func:`normalize_units` that are not
    errors, e.g. an unknown column whose header looks like a misspelt optional column."""
    return tuple(units.attrs.get("warnings", ()))
