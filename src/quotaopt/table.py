"""The one table reader: a CSV file or a sheet of a workbook (``.xlsx`` by openpyxl, ``.xls``
and ``.ods`` by python-calamine) → its rows of text cells.

Used by :func:`quotaopt.read_units` (units tables), by ``quotaopt audit`` (plans) and, for
its size limit, by the scenario loader. It decides the format and the text encoding (UTF-8,
UTF-8 with BOM, GB18030/GBK), refuses what it cannot read with a message that names the
file, and keeps every size within the limits below; it checks nothing about the columns.
Of a workbook it chooses the sheet (hidden sheets never by default), reports the hidden rows
and merged ranges, and refuses formulas without a saved value (``.xlsx``) and encrypted
workbooks.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import itertools
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .i18n import _
from .workbook_parts import Merge, is_encrypted, ods_checks, xls_hidden_rows, xlsx_sheet_checks

MAX_ROWS = 2_000_000
"""Most rows below the header (empty rows included) a units table may have."""
MAX_COLUMNS = 200
"""Most columns a units table may have (empty columns at the right end do not count)."""
MAX_CELL_CHARS = 1000
"""Longest text a cell (or header) may hold, in characters."""
MAX_FILE_BYTES = 512 * 2**20
"""Largest units file read (512 MiB); a larger one is refused before it is read."""
MAX_XLSX_UNPACKED_BYTES = 512 * 2**20
"""Largest total size an XLSX workbook may unpack to, from its zip directory (512 MiB): a
zip bomb is refused before anything is decompressed."""

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def read_table(path: str | os.PathLike[str],
               sheet: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The cells of a CSV or workbook sheet as text: the first row's labels and the rows
    below — the one table reader of quotaopt (units tables, audit plans). Reads within the
    size limits (:data:`MAX_FILE_BYTES` …), decodes UTF-8 or GB18030, and raises
    :class:`~quotaopt.errors.InputError` for what it cannot read (see :func:`read_units`).
    Checks nothing about the columns.
    """
    records = read_sheet(path, sheet).records
    if not records:
        return [], []
    return records[0], records[1:]


#: A merged range of cells: first row, first column, last row, last column (rows counted as
#: a spreadsheet does, from 1; columns from 0).


class SheetData:
    """The text cells of one sheet (or CSV file), every row; ``where`` names the file (and
    the sheet when the workbook has several); ``hidden_rows`` are the numbers of rows hidden
    in the workbook (from 1); ``merged`` its merged ranges (:data:`Merge`), whose value is in
    the first cell only."""

    def __init__(self, records: list[list[str]], where: str, hidden_rows: tuple[int, ...] = (),
                 merged: tuple[Merge, ...] = ()):
        self.records, self.where, self.hidden_rows = records, where, hidden_rows
        self.merged = merged

    def filled_hidden_rows(self, below: int) -> tuple[int, ...]:
        """The hidden rows under row ``below`` (the header) that hold a cell: rows a reader
        of the sheet does not see but a program would read."""
        return tuple(r for r in self.hidden_rows if below < r <= len(self.records)
                     and any(c.strip() for c in self.records[r - 1]))


def read_sheet(path: str | os.PathLike[str], sheet: str | None = None,
               looks_like: Callable[[list[list[str]]], bool] | None = None) -> SheetData:
    """Every row of a CSV file or of one sheet of a workbook (``.xlsx``, ``.xls``, ``.ods``),
    as text. Without ``sheet``, the first visible sheet for which ``looks_like`` (given the
    first rows) is true is read — or the first visible sheet without ``looks_like``; hidden
    sheets are never chosen by default."""
    source = os.fspath(path)
    data = read_limited(path, source, MAX_FILE_BYTES)

    if data.startswith(_XLS_MAGIC):
        if is_encrypted(data):
            raise InputError([Problem.of("workbook_encrypted", file=source)])
        with gc_paused():
            return _read_calamine(data, source, sheet, looks_like)
    if data.startswith(_XLSX_MAGIC):
        if _ODS_MIMETYPE in data[:128]:
            _check_archive(data, source)
            with gc_paused():
                return _read_calamine(data, source, sheet, looks_like)
        with gc_paused():
            return _read_xlsx(data, source, sheet, looks_like)
    if sheet is not None:
        raise InputError(
            [
                Problem.of("sheet_given_for_csv", file=source, sheet=sheet)
            ]
        )
    with gc_paused():
        labels, rows = _read_csv(data, source)
    return SheetData([labels, *rows] if labels or rows else [], source)


def read_limited(path: str | os.PathLike[str], source: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or an :class:`InputError`.

    A folder, a device such as ``/dev/zero`` or a pipe is refused before it is opened (a
    pipe would block, a device never end).
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem.of("path_is_folder", file=source)])
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem.of("not_regular_file", file=source)])
        if info.st_size > limit:
            raise InputError([Problem.of("file_too_large", file=source, size=info.st_size,
                                          limit=limit)])
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError([Problem.of("file_not_found", file=source)]) from None
    except OSError as exc:
        raise InputError(
            [Problem.of("cannot_read_file", file=source, reason=str(exc.strerror or exc))]
        ) from None
    if len(data) > limit:  # it grew while we looked
        raise InputError([Problem.of("file_grew_too_large", file=source, limit=limit)])
    return data


def trim_columns(labels: list[str], rows: list[list[str]],
                  source: str) -> tuple[list[str], list[list[str]], int]:
    """Drop empty columns at the right end; more than :data:`MAX_COLUMNS` left is an error."""
    used = max([0, *(i + 1 for i, c in enumerate(labels) if c.strip())])
    for record in rows:
        if len(record) > used:
            used = max([used, *(i + 1 for i, c in enumerate(record) if c.strip())])
    if used > MAX_COLUMNS:
        raise InputError([Problem.of("too_many_columns", file=source, row=1, used=used,
                                     limit=MAX_COLUMNS)])
    return labels[:used], [r[:used] for r in rows], used


def too_many_rows(source: str) -> InputError:
    return InputError([Problem.of("too_many_rows", file=source, limit=MAX_ROWS)])


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million row lists are alive.

    The rows hold no reference cycles; without the pause, collections triggered by the
    allocations walk the growing heap again and again and take two thirds of the reading
    time at 10**6 rows. The collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_csv(data: bytes, source: str) -> tuple[list[str], list[list[str]]]:
    _check_line_length(data, source)
    text = _decode(data, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    head = text.lstrip(" \t\r\n")[:16].lower()  # a prefix: lowering 10**8 characters is slow
    if head.startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise InputError(
            [
                Problem.of("file_is_html", file=source)
            ]
        )
    newline = text.find("\n")
    first_line = text if newline < 0 else text[:newline]
    delimiter = ","
    if "," not in first_line:
        if "\t" in first_line:
            delimiter = "\t"
        elif ";" in first_line:
            delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(itertools.islice(reader, MAX_ROWS + 2))  # each record is a new list
        if len(records) > MAX_ROWS + 1:
            raise too_many_rows(source)
    except csv.Error as exc:
        raise InputError(
            [Problem.of("csv_parse_error", file=source, line=reader.line_num, reason=str(exc))]
        ) from None
    if not records:
        return [], []
    return records[0], records[1:]


# no valid line is longer: 200 cells of 1,000 characters of at most 4 bytes, quoted
_MAX_LINE_BYTES = MAX_COLUMNS * (4 * MAX_CELL_CHARS + 3)


def _check_line_length(data: bytes, source: str) -> None:
    """Refuse a line that no valid table has, before the CSV parser makes a list of it (a
    line of 10^8 commas would become 10^8 cells)."""
    if len(data) <= _MAX_LINE_BYTES:
        return
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    lengths = np.diff(np.concatenate([[-1], breaks, [len(data)]])) - 1
    longest = int(np.argmax(lengths))
    if lengths[longest] > _MAX_LINE_BYTES:
        raise InputError([Problem.of(
            "line_too_long", file=source, line=longest + 1, length=int(lengths[longest]),
            columns=MAX_COLUMNS, chars=MAX_CELL_CHARS)])


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            [
                Problem.of("file_is_unicode_text", file=source)
            ]
        )
    try:
        return data.decode("utf-8")  # a BOM decodes to U+FEFF, removed by the caller
    except UnicodeDecodeError as exc:
        offset = exc.start
    if not data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM rules out GBK
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    line = data.count(b"\n", 0, offset) + 1
    raise InputError(
        [
            Problem.of("cannot_decode", file=source, byte=data[offset], offset=offset,
                       line=line)
        ]
    )


def _read_xlsx(data: bytes, source: str, sheet: str | None,
               looks_like: Callable[[list[list[str]]], bool] | None) -> SheetData:
    import openpyxl

    _check_archive(data, source)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InputError(
            [
                Problem.of("cannot_read_xlsx", file=source, kind=type(exc).__name__,
                           reason=str(exc))
            ]
        ) from None
    try:
        names = [ws.title for ws in wb.worksheets]
        hidden = [ws.sheet_state != "visible" for ws in wb.worksheets]

        def rows_of(index: int, limit: int | None = None) -> list[list[str]]:
            ws = wb.worksheets[index]
            try:
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # stored dimensions are often wrong; read all rows
                rows: list[list[str]] = []
                for row in ws.iter_rows(values_only=True, max_row=limit):
                    if len(row) > MAX_COLUMNS:  # often only formatted empty cells: trimmed
                        row = _trim_row(row, len(rows) + 1, source)
                    rows.append([_xlsx_text(v) for v in row])
                    if len(rows) > MAX_ROWS + 1:
                        raise too_many_rows(source)
            except InputError:
                raise
            except Exception as exc:
                raise InputError(
                    [
                        Problem.of("cannot_read_sheet", file=source, sheet=ws.title,
                                   kind=type(exc).__name__, reason=str(exc))
                    ]
                ) from None
            return rows

        index = _choose_sheet(source, names, hidden, sheet, looks_like,
                              lambda i: rows_of(i, HEADER_SEARCH_ROWS + 1))
        rows = rows_of(index)
    finally:
        wb.close()
    where = _sheet_where(source, names, index)
    hidden_rows, formulas, merged = xlsx_sheet_checks(data, index)
    _refuse_formulas(formulas, where)
    _drop_trailing_empty(rows)
    return SheetData(rows, where, hidden_rows, merged)


def _refuse_formulas(formulas: list[tuple[int, int]], where: str) -> None:
    """Refuse a sheet whose cells (row, 0-based column) hold a formula without a saved value,
    naming the first 20 of them."""
    if formulas:
        raise InputError([Problem.of("formula_without_value", file=where, row=row,
                                     column=column_letter(col), cell=f"{column_letter(col)}{row}")
                          for row, col in formulas[:20]])


def _drop_trailing_empty(rows: list[list[str]]) -> None:
    """Trailing empty rows are layout, not data."""
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()


def _sheet_where(source: str, names: list[str], index: int) -> str:
    """The file, and the sheet when the workbook has more than one."""
    return source if len(names) == 1 else _("{file}, sheet {sheet}").format(
        file=source, sheet=repr(names[index]))


#: Rows searched for the header row (title and note rows may stand above it).
HEADER_SEARCH_ROWS = 12


def _choose_sheet(source: str, names: list[str], hidden: list[bool], sheet: str | None,
                  looks_like: Callable[[list[list[str]]], bool] | None,
                  head: Callable[[int], list[list[str]]]) -> int:
    """The index of the sheet to read: ``sheet`` when given; else the first visible sheet
    whose first rows ``looks_like`` a table; else an error listing the sheets."""
    if not names:
        raise InputError([Problem.of("no_worksheet", file=source)])
    if sheet is not None:
        if sheet in names:
            return names.index(sheet)
        raise InputError([Problem.of("no_such_sheet", file=source, sheet=sheet,
                                     sheets=tuple(names))])
    visible = [i for i, h in enumerate(hidden) if not h]
    if not visible:
        raise InputError([Problem.of("no_visible_sheet", file=source, sheets=tuple(names))])
    if looks_like is None or (len(visible) == 1 and len(names) == 1):
        return visible[0]
    heads = {}
    for i in visible:
        heads[i] = head(i)
        if looks_like(heads[i]):
            return i
    if len(visible) == 1:
        return visible[0]  # its own problems say what is wrong with it
    # the sheet that looks most like data: the most filled cells in its first rows
    filled = {i: sum(bool(c.strip()) for r in rows for c in r) for i, rows in heads.items()}
    likely = max(visible, key=lambda i: filled[i])
    raise InputError([Problem.of(
        "no_matching_sheet", file=source,
        sheets=tuple((n, h) for n, h in zip(names, hidden, strict=True)),
        likely=names[likely])])


def _read_calamine(data: bytes, source: str, sheet: str | None,
                   looks_like: Callable[[list[list[str]]], bool] | None) -> SheetData:
    """A ``.xls`` (Excel 97-2003) or ``.ods`` workbook, read by python-calamine. Calamine
    does not tell hidden rows; hidden sheets it does."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        hidden = [str(getattr(m, "visible", "visible")).lower().rsplit(".", 1)[-1]
                  != "visible" for m in wb.sheets_metadata]

        def rows_of(index: int, limit: int | None = None) -> list[list[str]]:
            ws = wb.get_sheet_by_index(index)
            top, left = ws.start or (0, 0)  # calamine starts at the first used cell
            rows: list[list[str]] = [[] for _ in range(top)]
            for cells in ws.iter_rows():
                row = (None,) * left + tuple(cells)
                if len(row) > MAX_COLUMNS:
                    row = _trim_row(row, len(rows) + 1, source)
                rows.append([_xlsx_text(v) for v in row])
                if limit is not None and len(rows) >= limit:
                    break
                if len(rows) > MAX_ROWS + 1:
                    raise too_many_rows(source)
            return rows

        index = _choose_sheet(source, names, hidden, sheet, looks_like,
                              lambda i: rows_of(i, HEADER_SEARCH_ROWS + 1))
        rows = rows_of(index)
        kinds = [str(getattr(m, "typ", "")).rsplit(".", 1)[-1].lower()
                 for m in wb.sheets_metadata]
        ordinal = sum(k == "worksheet" for k in kinds[:index])  # among the worksheets
        ranges = wb.get_sheet_by_index(index).merged_cell_ranges or []
        merged = tuple((r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in ranges)
    except InputError:
        raise
    except pc.PasswordError:
        raise InputError([Problem.of("workbook_encrypted", file=source)]) from None
    except Exception as exc:  # calamine raises several kinds on a damaged file
        raise InputError(
            [Problem.of("cannot_read_workbook", file=source, kind=type(exc).__name__,
                        reason=str(exc))]) from None
    if data.startswith(_XLS_MAGIC):  # calamine does not tell hidden rows; the ROW records do
        hidden_rows = xls_hidden_rows(data, ordinal)
    else:  # .ods: calamine tells neither hidden rows nor merged cells; the XML does
        hidden_rows, formulas, merged = ods_checks(data, names[index])
        where = _sheet_where(source, names, index)
        _refuse_formulas(formulas, where)
    _drop_trailing_empty(rows)
    return SheetData(rows, _sheet_where(source, names, index), hidden_rows, merged)


def _check_archive(data: bytes, source: str) -> None:
    """Refuse a workbook that would unpack to more than :data:`MAX_XLSX_UNPACKED_BYTES`.

    The sizes come from the zip directory, so nothing is decompressed; Python's zipfile
    never unpacks a member beyond its declared size, so a lying directory cannot get past.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:
        return  # not a readable zip: openpyxl says so, with its reason
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_XLSX_UNPACKED_BYTES or len(infos) > 10_000:
        raise InputError([Problem.of("workbook_too_large", file=source, unpacked=unpacked,
                                     parts=len(infos), limit=MAX_XLSX_UNPACKED_BYTES)])


def _trim_row(row: tuple[Any, ...], number: int, source: str) -> tuple[Any, ...]:
    end = len(row)
    while end > MAX_COLUMNS and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    if end > MAX_COLUMNS:
        raise InputError([Problem.of("row_beyond_columns", file=source, row=number, number=number,
                                     letter=column_letter(end - 1), limit=MAX_COLUMNS)])
    return row[:end]


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def cell_text(value: Any) -> str:
    """A cell as stripped text; "" for an empty cell."""
    if type(value) is str:
        return value.strip()
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def column_letter(pos: int) -> str:
    """Spreadsheet column letter of a 0-based position (0 -> A, 26 -> AA)."""
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False
