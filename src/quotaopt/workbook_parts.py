"""What a workbook's own structures say that the cell readers do not: hidden rows, merged
ranges, formulas without a saved value and encryption, read from the ``.xlsx`` sheet XML, the
``.xls`` (BIFF) records and the ``.ods`` ``content.xml``.

Used by :mod:`quotaopt.table` after openpyxl or python-calamine has read the cells. Nothing
here raises on a damaged part: the cell reader has read the file, and what it did not need is
not ours to judge (an empty answer is returned).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Iterator
from typing import Any

#: A merged range: first row (from 1), first column (from 0), last row, last column.
Merge = tuple[int, int, int, int]


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def xlsx_sheet_checks(data: bytes, index: int) -> tuple[tuple[int, ...],
                                                        list[tuple[int, int]],
                                                        tuple[Merge, ...]]:
    """From the sheet's XML: the numbers of hidden rows, and the cells (row, 0-based column)
    that hold a formula without a saved value (a workbook written by a program that did not
    calculate it: openpyxl reads such a cell as empty)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            path = _sheet_paths(archive)[index]
            xml = archive.read(path)
    except Exception:  # openpyxl read it; a part it did not need is not ours to judge
        return (), [], ()
    hidden: list[int] = []
    if b"hidden=" in xml:
        for m in _ROW_TAG.finditer(xml):
            attrs = m.group(1)
            if re.search(rb'\bhidden="(?:1|true)"', attrs):
                number = re.search(rb'\br="(\d+)"', attrs)
                if number:
                    hidden.append(int(number.group(1)))
    formulas: list[tuple[int, int]] = []
    if b"<f" in xml or b":f" in xml:
        for m in _CELL.finditer(xml):
            inner = m.group(2) or b""
            if re.search(rb"<(?:\w+:)?f\b", inner) and not re.search(
                    rb"<(?:\w+:)?v\b[^>]*>[^<]", inner):
                ref = _REF.search(m.group(1))
                if ref:
                    formulas.append((int(ref.group(2)), _column_index(ref.group(1)) - 1))
    merged: list[Merge] = []
    for m in _MERGE.finditer(xml) if b"mergeCell" in xml else ():
        c0, r0, c1, r1 = m.groups()
        merged.append((int(r0), _column_index(c0) - 1, int(r1), _column_index(c1) - 1))
    return tuple(hidden), formulas, tuple(merged)


def _column_index(letters: bytes) -> int:
    """1-based column of ``b"A"``, ``b"AB"``."""
    col = 0
    for ch in letters.decode():
        col = col * 26 + ord(ch) - 64
    return col


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The XML part of each worksheet, in the workbook's order."""
    import xml.etree.ElementTree as ET

    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    paths = []
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            paths.append(target.lstrip("/") if target.startswith("/") else "xl/" + target)
    return paths


def is_encrypted(data: bytes) -> bool:
    """An OLE file holding an encrypted OOXML package (a password-protected .xlsx), or an
    encrypted ``.xls`` (see :func:`_xls_encrypted`)."""
    return "EncryptedPackage".encode("utf-16-le") in data or _xls_encrypted(data)


def _xls_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The BIFF records (type, body) of a ``.xls`` file's workbook stream, read from the
    compound file by olefile (the stream's sectors need not lie in order in the file)."""
    import olefile

    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if name is None:
            return
        stream = ole.openstream(name).read()
    pos = 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4:pos + 4 + size]
        pos += 4 + size


_XLS_BOF, _XLS_EOF, _XLS_ROW, _XLS_FILEPASS = 0x0809, 0x000A, 0x0208, 0x002F
_XLS_WORKSHEET = 0x0010  # the BOF's substream type of a worksheet


def _xls_encrypted(data: bytes) -> bool:
    """A ``.xls`` saved with a password: a FILEPASS record right after the BOF of the
    workbook globals ([MS-XLS] 2.4.117). python-calamine reads such a file's scrambled
    records without a word."""
    try:
        records = _xls_records(data)
        first, second = next(records, None), next(records, None)
    except Exception:  # not a compound file olefile can read: calamine will say so
        return False
    return bool(first and first[0] == _XLS_BOF and second and second[0] == _XLS_FILEPASS)


def xls_hidden_rows(data: bytes, ordinal: int) -> tuple[int, ...]:
    """Hidden rows of the ``ordinal``-th worksheet of a ``.xls`` file: its ROW records
    whose flags have fDyZero (0x20; 0x100 is always set)."""
    hidden: list[int] = []
    sheet, depth = -1, 0
    for kind, body in _xls_records(data):
        if kind == _XLS_BOF:
            depth += 1
            if depth == 1 and len(body) >= 4 and struct.unpack_from("<H", body, 2)[0] \
                    == _XLS_WORKSHEET:
                sheet += 1
        elif kind == _XLS_EOF:
            depth -= 1
            if depth == 0 and sheet == ordinal:
                break
        elif kind == _XLS_ROW and sheet == ordinal and depth == 1 and len(body) >= 16:
            row, first, last, _, _, _, flags = struct.unpack_from("<HHHHHHI", body)
            if first <= last <= 256 and flags & 0x100 and flags & 0x20:
                hidden.append(row + 1)
    return tuple(hidden)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_checks(data: bytes, sheet: str) -> tuple[tuple[int, ...], list[tuple[int, int]],
                                                  tuple[Merge, ...]]:
    """Hidden (collapsed or filtered) rows holding cells, the cells (row, 0-based column)
    holding a formula without a saved value (written by a program that did not calculate
    it: calamine reads such a cell as empty) and merged ranges of one sheet of an ``.ods``
    workbook, from its ``content.xml``."""
    import xml.etree.ElementTree as ET

    t = _ODS_TABLE
    hidden: list[int] = []
    formulas: list[tuple[int, int]] = []
    merged: list[Merge] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
        inside, row, col = False, 0, 0
        for event, el in ET.iterparse(io.BytesIO(content), events=("start", "end")):
            if el.tag == t + "table":
                if event == "start":
                    inside = el.get(t + "name") == sheet
                elif inside:
                    break
                continue
            if not inside:
                if event == "end":
                    el.clear()
                continue
            if el.tag == t + "table-row":
                repeat = int(el.get(t + "number-rows-repeated", "1"))
                if event == "start":
                    col = 0
                    if el.get(t + "visibility", "visible") != "visible" and repeat < 1000:
                        hidden.extend(range(row + 1, row + repeat + 1))
                else:
                    row += repeat
                    el.clear()
            elif el.tag in (t + "table-cell", t + "covered-table-cell") and event == "end":
                rows = int(el.get(t + "number-rows-spanned", "1"))
                cols = int(el.get(t + "number-columns-spanned", "1"))
                if rows > 1 or cols > 1:
                    merged.append((row + 1, col, row + rows, col + cols - 1))
                if el.get(t + "formula") and not _ods_has_value(el):
                    formulas.append((row + 1, col))
                col += int(el.get(t + "number-columns-repeated", "1"))
    except Exception:  # calamine read it; a part it did not need is not ours to judge
        return (), [], ()
    return tuple(hidden), formulas, tuple(merged)


_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_VALUES = tuple(_ODS_OFFICE + a for a in ("value", "string-value", "boolean-value",
                                              "date-value", "time-value"))


def _ods_has_value(cell: Any) -> bool:
    """An ``.ods`` cell's saved value: a value attribute, or text in its paragraphs."""
    return (any(cell.get(a) is not None for a in _ODS_VALUES)
            or any((node.text or "").strip() for node in cell.iter() if node is not cell))
