"""The one table reader: a CSV or XLSX file → its header labels and its rows of text cells.

Used by :func:`quotaopt.read_units` (units tables), by ``quotaopt audit`` (plans) and, for
its size limit, by the scenario loader. It decides the format and the text encoding (UTF-8,
UTF-8 with BOM, GB18030/GBK), refuses what it cannot read with a message that names the
file, and keeps every size within the limits below; it checks nothing about the columns.
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
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError, Problem

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


def read_table(path: str | os.PathLike[str],
               sheet: str | None = None) -> tuple[list[str], list[list[str]]]:
    """The cells of a CSV or XLSX file as text: the header row's labels and the data rows —
    the one table reader of quotaopt (units tables, audit plans). Reads within the size
    limits (:data:`MAX_FILE_BYTES` …), decodes UTF-8 or GB18030, and raises
    :class:`~quotaopt.errors.InputError` for what it cannot read (see :func:`read_units`).
    Checks nothing about the columns.
    """
    source = os.fspath(path)
    data = read_limited(path, source, MAX_FILE_BYTES)

    if data.startswith(_XLSX_MAGIC):
        with gc_paused():
            labels, rows = _read_xlsx(data, source, sheet)
    elif data.startswith(_XLS_MAGIC):
        raise InputError(
            [
                Problem(
                    "this is an old binary Excel (.xls) file, which is not supported; "
                    "open it in Excel or WPS and save it as .xlsx or as CSV (UTF-8)",
                    file=source,
                )
            ]
        )
    else:
        if sheet is not None:
            raise InputError(
                [
                    Problem(
                        f"sheet={sheet!r} was given but the file is CSV, which has no sheets; "
                        "remove the sheet setting or give the XLSX file",
                        file=source,
                    )
                ]
            )
        with gc_paused():
            labels, rows = _read_csv(data, source)
    return labels, rows



def read_limited(path: str | os.PathLike[str], source: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or an :class:`InputError`.

    A folder, a device such as ``/dev/zero`` or a pipe is refused before it is opened (a
    pipe would block, a device never end).
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem("is a folder, not a file; give the path of the file",
                                      file=source)])
        if not stat.S_ISREG(info.st_mode):
            raise InputError([Problem("is not a regular file (a device or a pipe); save the "
                                      "data to a file and give its path", file=source)])
        if info.st_size > limit:
            raise InputError([Problem(
                f"the file is {info.st_size / 2**20:,.0f} MiB, more than the limit of "
                f"{limit / 2**20:,.0f} MiB; split the table or remove what is not needed",
                file=source)])
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError([Problem("file not found; check the path", file=source)]) from None
    except OSError as exc:
        raise InputError(
            [Problem(f"cannot read the file: {exc.strerror or exc}", file=source)]
        ) from None
    if len(data) > limit:  # it grew while we looked
        raise InputError([Problem(f"the file is more than the limit of "
                                  f"{limit / 2**20:,.0f} MiB", file=source)])
    return data


def trim_columns(labels: list[str], rows: list[list[str]],
                  source: str) -> tuple[list[str], list[list[str]], int]:
    """Drop empty columns at the right end; more than :data:`MAX_COLUMNS` left is an error."""
    used = max([0, *(i + 1 for i, c in enumerate(labels) if c.strip())])
    for record in rows:
        if len(record) > used:
            used = max([used, *(i + 1 for i, c in enumerate(record) if c.strip())])
    if used > MAX_COLUMNS:
        raise InputError([Problem(
            f"the table has {used} columns, more than the limit of {MAX_COLUMNS}; a units "
            "table needs 11 at most, plus any notes: delete the columns that are not needed",
            file=source, row=1)])
    return labels[:used], [r[:used] for r in rows], used


def too_many_rows(source: str) -> InputError:
    return InputError([Problem(
        f"the table has more than {MAX_ROWS:,} rows below the header, the limit; split it "
        "into several files (one per pool, say)", file=source)])


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
                Problem(
                    "this file is a web page (HTML) or XML with a spreadsheet name, not CSV "
                    "or XLSX; open it in Excel or WPS and save it as .xlsx or as CSV (UTF-8)",
                    file=source,
                )
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
            [Problem(f"cannot parse the CSV near line {reader.line_num}: {exc}", file=source)]
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
        raise InputError([Problem(
            f"line {longest + 1} is {int(lengths[longest]):,} bytes long, more than any table "
            f"of at most {MAX_COLUMNS} columns of {MAX_CELL_CHARS} characters can have; is "
            "this really a CSV file?", file=source)])


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            [
                Problem(
                    "the file is UTF-16 text (Excel's 'Unicode text'); save it as "
                    "'CSV UTF-8 (comma delimited)' or as .xlsx",
                    file=source,
                )
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
            Problem(
                f"cannot decode the file as text: not UTF-8 (invalid byte "
                f"0x{data[offset]:02X} at byte offset {offset}, line {line}) and not "
                "GBK/GB18030 either; save it as 'CSV UTF-8' or as .xlsx",
                file=source,
            )
        ]
    )


def _read_xlsx(data: bytes, source: str, sheet: str | None) -> tuple[list[str], list[list[str]]]:
    import openpyxl

    _check_archive(data, source)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise InputError(
            [
                Problem(
                    f"cannot read the file as XLSX ({type(exc).__name__}: {exc}); "
                    "open it in Excel or WPS and save it again as .xlsx or as CSV (UTF-8)",
                    file=source,
                )
            ]
        ) from None
    try:
        names = [ws.title for ws in wb.worksheets]
        if sheet is None:
            if not names:
                raise InputError([Problem("the workbook has no worksheet", file=source)])
            ws = wb.worksheets[0]
        elif sheet in names:
            ws = wb.worksheets[names.index(sheet)]
        else:
            listed = ", ".join(repr(n) for n in names) or "none"
            raise InputError(
                [
                    Problem(
                        f"the workbook has no sheet {sheet!r}; its sheets are: {listed}",
                        file=source,
                    )
                ]
            )
        try:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # stored dimensions are often wrong; read all rows
            rows: list[list[str]] = []
            for row in ws.iter_rows(values_only=True):
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
                    Problem(
                        f"cannot read sheet {ws.title!r} ({type(exc).__name__}: {exc}); "
                        "open the file in Excel or WPS and save it again as .xlsx",
                        file=source,
                    )
                ]
            ) from None
    finally:
        wb.close()
    # trailing empty cells and rows are layout, not data
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        return [], []
    return rows[0], rows[1:]


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
        raise InputError([Problem(
            f"the workbook would unpack to {unpacked / 2**20:,.0f} MiB in {len(infos):,} "
            f"parts, more than the limit of {MAX_XLSX_UNPACKED_BYTES / 2**20:,.0f} MiB; it is "
            "damaged or not a plain table: open it in Excel or WPS and save the table as CSV "
            "(UTF-8)", file=source)])


def _trim_row(row: tuple[Any, ...], number: int, source: str) -> tuple[Any, ...]:
    end = len(row)
    while end > MAX_COLUMNS and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    if end > MAX_COLUMNS:
        raise InputError([Problem(
            f"row {number} has a value in column {column_letter(end - 1)}, beyond the limit of "
            f"{MAX_COLUMNS} columns; delete the columns that are not needed", file=source,
            row=number)])
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
