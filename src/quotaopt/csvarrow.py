"""A plain CSV file parsed by pyarrow into columns of text, and the column-wise text checks
the fast path of :func:`quotaopt.read_units` needs (whitespace, invisible characters,
lengths, digits), each over a whole column at once.

:func:`read_csv_columns` gives the same cells as :func:`quotaopt.table.read_sheet` (Python's
``csv`` module) for the files it accepts, and ``None`` for everything else — a workbook,
UTF-16, an HTML page, NUL bytes, a bare carriage return, a line longer than any table has,
text that is neither UTF-8 nor GB18030, rows of different lengths, too many rows or columns
— which the general reader then reads, with its messages. It decides nothing about the
columns and reports nothing; ``tests/test_fast_reader.py`` compares its cells with the
general reader's on random files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import table as tbl

__all__ = ["ArrowSheet", "read_csv_columns", "strip", "has_space", "has_match", "is_blank",
           "max_length", "all_ascii", "all_digits", "char_class", "to_objects", "matches_all",
           "take_columns", "rows_with", "all_distinct", "digit_values", "WHITESPACE"]

_BOM = b"\xef\xbb\xbf"


#: The characters Python's ``str.strip()`` and ``str.isspace()`` treat as whitespace (RE2's
#: ``\\s`` is ASCII only); ``tests/test_fast_reader.py`` checks the list against Python.
WHITESPACE: tuple[int, ...] = (
    0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
    0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029,
    0x202F, 0x205F, 0x3000)


def char_class(chars: Sequence[int] | str) -> str:
    """An RE2 character class of exactly these characters."""
    codes = [ord(c) for c in chars] if isinstance(chars, str) else list(chars)
    return "[" + "".join(f"\\x{{{c:04X}}}" for c in codes) + "]"


_WS = char_class(WHITESPACE)
_STRIP = f"^{_WS}+|{_WS}+$"


class ArrowSheet:
    """The header cells of a CSV file and its data columns (one ``pyarrow`` string array
    per column, every row below the header, empty rows included as empty cells)."""

    def __init__(self, header: list[str], columns: list[pa.Array], where: str):
        self.header, self.columns, self.where = header, columns, where

    @property
    def rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def head(self, count: int) -> list[list[str]]:
        """The first ``count`` records (the header row first) as lists of text."""
        cells = [col[: max(count - 1, 0)].to_pylist() for col in self.columns]
        return [self.header, *(list(r) for r in zip(*cells, strict=True))][:count]


def memory_pool() -> pa.MemoryPool:
    """jemalloc, told to give freed memory back at once, where this pyarrow has it: the
    default pool (mimalloc) keeps the parser's scratch memory (about 3× the file) after the
    table is made, and a million-unit run would carry it to the end.

    Also stops numpy from asking the kernel for huge pages for its large arrays (unless the
    environment says otherwise: ``NUMPY_MADVISE_HUGEPAGE``): where transparent huge pages
    are granted on request with direct compaction (Linux ``defrag = madvise``, a common
    default), every fresh array of a million-unit run waited for it — half its time went to
    the kernel (docs/performance.md)."""
    if "NUMPY_MADVISE_HUGEPAGE" not in os.environ:
        multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
        set_hugepage = getattr(multiarray, "_set_madvise_hugepage", None)
        if set_hugepage is not None:
            set_hugepage(False)
    try:
        pool = pa.jemalloc_memory_pool()
        pa.jemalloc_set_decay_ms(0)
        return pool
    except (NotImplementedError, pa.ArrowNotImplementedError):
        return pa.default_memory_pool()


def read_csv_columns(path: str | os.PathLike[str]) -> ArrowSheet | None:
    """The cells of a plain CSV file as pyarrow string columns, or ``None`` when the file
    is not one the general reader would read into the same cells without a message."""
    source = os.fspath(path)
    # the limits are read from table.py at each call (tests lower them)
    data = tbl.read_limited(path, source, tbl.MAX_FILE_BYTES)  # the general reader's errors
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
        return None
    bom = data.startswith(_BOM)
    if bom:
        data = data[len(_BOM):]
        if data.startswith(_BOM):
            return None  # a second mark would stay in the first header: the general reader
    if b"\x00" in data or _lone_carriage_return(data):
        return None  # Python's csv module and pyarrow differ on NUL and on a lone \r
    if not data or data.isspace():  # exactly ``not data.strip()``, without a copy
        return None
    start = re.compile(rb"[ \t\r\n]*").match(data).end()  # type: ignore[union-attr]
    head = data[start: start + 16].lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        return None
    # no valid line is longer: 200 cells of 1,000 characters of at most 4 bytes, quoted
    longest_line = tbl.MAX_COLUMNS * (4 * tbl.MAX_CELL_CHARS + 3)
    if len(data) > longest_line and _longest_line(data, longest_line) > longest_line:
        return None
    pool = memory_pool()
    table = _parse(data, pool)
    if table is None:
        if bom:
            return None  # a UTF-8 byte-order mark rules out GBK: the general reader says why
        try:
            data.decode("utf-8")
            return None  # valid UTF-8 that pyarrow refused: not a plain file
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            return None
        del data
        data = text.encode("utf-8")
        del text
        if data.startswith(_BOM):
            return None
        table = _parse(data, pool)
        if table is None:
            return None
    if table.num_rows - 1 > tbl.MAX_ROWS or table.num_columns > tbl.MAX_COLUMNS:
        return None
    columns = []
    for col in table.columns:
        if col.type != pa.string() or col.null_count:
            return None
        columns.append(col.chunk(0) if col.num_chunks == 1  # joining one piece copies it
                       else col.combine_chunks(memory_pool=pool))
    del table
    header = [col[0].as_py() for col in columns]
    return ArrowSheet(header, [col.slice(1) for col in columns], source)


def _longest_line(data: bytes, limit: int) -> int:
    """The length of the longest line, or 0 when no line is longer than ``limit``: a line
    longer than that covers one of the stretches of ``limit // 2`` bytes (from the start)
    whole, so when each of those holds a line break, as in any table, no line does."""
    half = max(limit // 2, 1)
    if all(data.find(b"\n", start, start + half) >= 0
           for start in range(0, len(data) - half + 1, half)):
        return 0
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return int(np.diff(np.concatenate([[-1], breaks, [len(data)]])).max()) - 1


def _lone_carriage_return(data: bytes) -> bool:
    """Some ``\\r`` is not followed by ``\\n`` (one look for a ``\\r`` first: most files
    have none)."""
    if b"\r" not in data:
        return False
    returns = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 13)
    if int(returns[-1]) == len(data) - 1:
        return True
    return not bool((np.frombuffer(data, dtype=np.uint8)[returns + 1] == 10).all())


def _parse(data: bytes, pool: pa.MemoryPool) -> pa.Table | None:
    """Every record as text (no type inference, no missing values), or ``None``."""
    newline = data.find(b"\n")
    first_line = data if newline < 0 else data[:newline]
    delimiter = ","
    if b"," not in first_line:
        if b"\t" in first_line:
            delimiter = "\t"
        elif b";" in first_line:
            delimiter = ";"
    width = first_line.count(delimiter.encode()) + 1  # checked below: every column is text
    # one block for the whole file (up to 1 GiB): the columns come in one piece each, and
    # joining pieces would copy the whole table once more
    read = pacsv.ReadOptions(autogenerate_column_names=True,
                             block_size=min(max(len(data) + 1, 1 << 20), 1 << 30))
    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                               escape_char=False, newlines_in_values=True,
                               ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(
        column_types={f"f{i}": pa.string() for i in range(width)}, strings_can_be_null=False,
        quoted_strings_can_be_null=False, null_values=[])
    try:
        return pacsv.read_csv(pa.BufferReader(data), read, parse, convert, memory_pool=pool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None


# ----------------------------------------------------------------------------------------
# column-wise text checks: on the UTF-8 bytes with numpy where a column is ASCII, else RE2


def _bytes(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of the cells (concatenated) and each cell's length in bytes."""
    data, offsets = _cells(col)
    return data, np.diff(offsets)


def _cells(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of the cells (concatenated) and where each cell starts in them, with
    the end of the last one: cell ``i`` is ``data[offsets[i]: offsets[i + 1]]``."""
    offsets = np.frombuffer(col.buffers()[1], dtype=np.int32)[col.offset: col.offset + len(col)
                                                              + 1]
    buffer = col.buffers()[2]
    data = (np.frombuffer(buffer, dtype=np.uint8)[offsets[0]: offsets[-1]] if buffer is not None
            else np.zeros(0, dtype=np.uint8))
    return data, (offsets - offsets[0] if offsets[0] else offsets)


_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[c for c in WHITESPACE if c < 128]] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0"): ord("9") + 1] = True


def all_ascii(col: pa.Array) -> bool:
    """Every cell is ASCII text."""
    data, _ = _bytes(col)
    return not data.size or int(data.max()) < 128


def has_space(col: pa.Array) -> bool:
    """Some cell holds a character Python counts as whitespace."""
    if all_ascii(col):
        return bool(_ASCII_SPACE[_bytes(col)[0]].any())
    return has_match(col, _WS)


def has_match(col: pa.Array, pattern: str, ascii_free: bool = False) -> bool:
    """Some cell matches the RE2 ``pattern`` (a search, not a full match); ``ascii_free``:
    the pattern matches no ASCII text, so an ASCII column is not searched."""
    if not len(col) or (ascii_free and all_ascii(col)):
        return False
    return bool(pc.any(pc.match_substring_regex(col, pattern)).as_py())


def strip(col: pa.Array) -> pa.Array:
    """Every cell as Python's ``str.strip()`` gives it."""
    if not _space_at_an_end(col):
        return col
    return pc.replace_substring_regex(col, _STRIP, "")


_WIDE_SPACES = tuple(chr(c).encode("utf-8") for c in WHITESPACE if c >= 128)
_WIDE_SPACE_LEAD = np.zeros(256, dtype=bool)
_WIDE_SPACE_LEAD[[enc[0] for enc in _WIDE_SPACES]] = True


def _space_at_an_end(col: pa.Array) -> bool:
    """Some cell starts or ends with whitespace (``str.strip()`` would change it), seen on
    the first and last bytes of each cell; the few cells that may start or end with a
    non-ASCII space are compared with each such character's UTF-8 bytes."""
    data, offsets = _cells(col)
    if not data.size:
        return False
    starts, ends = offsets[:-1], offsets[1:]
    lengths = ends - starts
    if not bool(lengths.all()):  # empty cells have no ends
        starts, ends, lengths = starts[lengths > 0], ends[lengths > 0], lengths[lengths > 0]
    if bool(_ASCII_SPACE[data[starts]].any()) or bool(_ASCII_SPACE[data[ends - 1]].any()):
        return True
    if int(data.max()) < 128:
        return False
    # a non-ASCII space has 2 or 3 bytes: its first byte starts the cell, or ends 2 or 3
    # bytes before the cell does
    maybe = _WIDE_SPACE_LEAD[data[starts]]
    for k in (2, 3):
        maybe |= (lengths >= k) & _WIDE_SPACE_LEAD[data[np.maximum(ends - k, starts)]]
    some = np.flatnonzero(maybe)
    starts, ends, lengths = starts[some], ends[some], lengths[some]
    for enc in _WIDE_SPACES:
        k = len(enc)
        for at in (starts, ends - k):
            match = lengths >= k
            for j in range(k):
                match &= data[np.clip(at + j, 0, data.size - 1)] == enc[j]
            if match.any():
                return True
    return False


def rows_with(col: pa.Array, chars: str) -> np.ndarray:
    """The positions of the cells holding one of the non-ASCII ``chars``, found on the UTF-8
    bytes (no Python object per cell, no regular expression): a character's bytes can only
    match where a character starts (UTF-8 never repeats a leading byte inside a
    character), so a match is the character itself."""
    data, offsets = _cells(col)
    if not data.size:
        return np.zeros(0, dtype=np.intp)
    encoded = sorted({c.encode("utf-8") for c in chars})
    if any(len(enc) < 2 for enc in encoded):
        raise ValueError("rows_with looks for non-ASCII characters only")
    hits = []
    for lead in sorted({enc[0] for enc in encoded}):
        at = np.flatnonzero(data == lead)
        for enc in (e for e in encoded if e[0] == lead):
            pos = at[at <= data.size - len(enc)]
            for j in range(1, len(enc)):
                pos = pos[data[pos + j] == enc[j]]
            hits.append(pos)
    found = np.concatenate(hits) if hits else np.zeros(0, dtype=np.intp)
    if not found.size:
        return np.zeros(0, dtype=np.intp)
    return np.unique(np.searchsorted(offsets[1:], found, side="right"))


def all_distinct(col: pa.Array) -> bool:
    """No two cells are the same text. Cells of one length in increasing byte order (a table
    sorted by its codes, the usual case) are seen to be distinct in one comparison of
    neighbours; any other column is hashed."""
    data, lengths = _bytes(col)
    if len(col) < 2:
        return True
    width = int(lengths.max()) if len(lengths) else 0
    if width and int(lengths.min()) == width:
        fixed = data.reshape(len(col), width)  # one row of bytes per cell
        diff = fixed[1:] != fixed[:-1]
        first = diff.argmax(axis=1)  # where each cell first differs from the one before
        rows = np.arange(len(col) - 1)
        if bool(diff[rows, first].all()) and bool(
                (fixed[1:][rows, first] > fixed[:-1][rows, first]).all()):
            return True  # strictly increasing: no two alike
    return len(col.unique()) == len(col)


def is_blank(stripped: pa.Array) -> np.ndarray:
    """``cell.strip() == ""`` of every cell, given the stripped column."""
    return _bytes(stripped)[1] == 0


def max_length(col: pa.Array) -> int:
    """The most characters (code points, as Python's ``len``) of a cell, or its most bytes
    when that is at most ``table.MAX_CELL_CHARS`` (a cell has no more characters than
    bytes)."""
    if not len(col):
        return 0
    longest = int(_bytes(col)[1].max())
    if longest <= tbl.MAX_CELL_CHARS:
        return longest
    return int(pc.max(pc.utf8_length(col)).as_py())


def all_digits(col: pa.Array) -> bool:
    """Every cell is one or more ASCII digits."""
    data, lengths = _bytes(col)
    return not len(col) or (bool(lengths.min() > 0) and bool(_DIGIT[data].all()))


def digit_values(col: pa.Array) -> np.ndarray | None:
    """The numbers the cells write, when every cell is ASCII digits (at most 18) or empty
    (0); ``None`` otherwise. Computed digit by digit from the right with numpy."""
    data, offsets = _cells(col)
    ends = offsets[1:]
    lengths = ends - offsets[:-1]
    width = int(lengths.max()) if len(lengths) else 0
    if width > 18 or not bool(_DIGIT[data].all()):
        return None
    values = np.zeros(len(col), dtype=np.int64)
    full = int(lengths.min()) if len(lengths) else 0  # every cell has this many digits
    place = 1
    for k in range(1, width + 1):  # the k-th digit from the right, where a cell has one
        if k <= full:
            values += (data[ends - k].astype(np.int64) - ord("0")) * place
        else:
            has = lengths >= k
            values[has] += (data[ends[has] - k].astype(np.int64) - ord("0")) * place
        place *= 10
    return values


def to_objects(col: pa.Array) -> np.ndarray:
    """The cells as a 1-D ``object`` array of Python ``str``."""
    out = col.to_numpy(zero_copy_only=False)
    return out if out.dtype == object else out.astype(object)


def matches_all(col: pa.Array, pattern: str) -> bool:
    """Every cell fully matches the RE2 ``pattern`` (anchored by the caller)."""
    return not len(col) or bool(pc.all(pc.match_substring_regex(col, pattern)).as_py())


def take_columns(columns: Sequence[pa.Array], keep: np.ndarray) -> list[pa.Array]:
    """The rows marked in ``keep`` of every column."""
    if keep.all():
        return list(columns)
    mask = pa.array(keep)
    return [col.filter(mask) for col in columns]
