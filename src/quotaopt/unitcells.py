"""The units table's columns, its header words, and how one cell is read.

The vocabulary (:data:`UNIT_COLUMNS`, :data:`ALIASES` …) and the small functions every
reader of a units table shares: a header as compared (:func:`header_key`,
:func:`canonical_name`), a code, type or pool as compared (:func:`text_key`), totals-row
words, empty cells, and the parsing of counts and priorities — cell by cell
(:func:`parse_count`, :func:`parse_priority`, which give the end of the message for a bad
cell) and a whole column at once when no cell needs a message (:func:`plain_counts`,
:func:`plain_priorities`). Nothing here reports a problem itself; :mod:`quotaopt.normalize`
does.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from .headers import (
    ALLOCATION_ZH,
    HEADER_UNITS,
    IGNORED_HEADERS_ZH,
    TOTAL_ROW_WORDS_ZH,
    unit_aliases_zh,
)
from .messages import render
from .table import cell_text, is_missing

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

CHINESE_ALIASES: dict[str, tuple[str, ...]] = unit_aliases_zh((*UNIT_COLUMNS, BUDGET_COLUMN))

ALIASES: dict[str, str] = {name: name for name in (*UNIT_COLUMNS, BUDGET_COLUMN)}
"""Accepted header (lower-cased, stripped) -> canonical column name."""
ALIASES.update(
    {alias: canonical for canonical, names in CHINESE_ALIASES.items() for alias in names}
)

#: Headers of numeric columns that never stand for a units column: a serial number, notes,
#: and the columns quotaopt itself writes into an allocation (caps, posts, appointments).
IGNORED_HEADERS: tuple[str, ...] = (
    *IGNORED_HEADERS_ZH, "no", "no.", "#",
    *(k for k in ALLOCATION_ZH if k not in UNIT_COLUMNS),
    *(v for k, v in ALLOCATION_ZH.items() if k not in UNIT_COLUMNS))

#: Characters a cell may hold unseen (byte-order mark, zero-width space and joiners, word
#: joiner); dropped from headers, codes and names.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
#: A cell surely an accepted count (tried before :func:`parse_count`).
PLAIN_COUNT = re.compile(r"\d{1,9}", re.ASCII)
#: A cell surely an accepted priority > 0 (tried before :func:`parse_priority`).
PLAIN_NUMBER = re.compile(r"\d{0,9}[1-9]\d{0,9}(?:\.\d{0,9})?", re.ASCII)
#: What :func:`parse_count` and :func:`parse_priority` give for an empty cell.
MISSING = object()


def label_text(label: Any) -> str:
    """A header cell as text: stripped, without invisible characters at its ends (``""``
    for a missing one)."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return ""
    text = label if isinstance(label, str) else cell_text(label)
    return text.strip().strip(INVISIBLE).strip()


_UNIT_SUFFIX = re.compile(r"\s*[(\[【〔]\s*(?:" + "|".join(HEADER_UNITS)
                          + r")\s*[)\]】〕]\s*$")
#: ``str.translate`` table dropping :data:`INVISIBLE` and the soft hyphen.
DROP_INVISIBLE = {ord(c): None for c in INVISIBLE + "\u00ad"}


def header_key(label: str) -> str:
    """A header as compared: NFKC, without invisible characters, lower case, stripped,
    without a bracketed unit at its end (``（人）``)."""
    key = unicodedata.normalize("NFKC", label).translate(DROP_INVISIBLE).strip().lower()
    return _UNIT_SUFFIX.sub("", key)


_INVISIBLE_CHAR = re.compile("[" + INVISIBLE + "\u00ad]")


def needs_cleaning(text: str) -> bool:
    """Some cell of the joined ``text`` changes under :func:`text_key` (fast: one pass)."""
    if text.isascii():
        return False
    return (_INVISIBLE_CHAR.search(text) is not None
            or not unicodedata.is_normalized("NFKC", text))


def without_invisible(value: str) -> str:
    """``value`` without invisible characters, stripped (codes and names keep their width)."""
    return value.translate(DROP_INVISIBLE).strip()


def is_total_word(value: str) -> bool:
    """The cell says 合计 / 小计 / 总计 (a totals row), spaces and colons aside."""
    key = re.sub(r"[\s:：]", "", unicodedata.normalize("NFKC", value))
    return key in TOTAL_ROW_WORDS_ZH


def text_key(value: str) -> str:
    """A unit code, type or pool as compared: NFKC, without zero-width characters,
    stripped (``ＴＸ01`` and ``TX01\u200b`` are ``TX01``)."""
    if value.isascii():
        return value.strip()
    return unicodedata.normalize("NFKC", value).translate(DROP_INVISIBLE).strip()


def canonical_name(label: str) -> str | None:
    """The column a header names by the vocabulary (:data:`ALIASES`), or ``None``."""
    key = header_key(label)
    if not key:
        return None
    for candidate in (key, re.sub(r"[\s\-]+", "_", key), re.sub(r"\s+", "", key)):
        if candidate in ALIASES:
            return ALIASES[candidate]
    return None


def holds_numbers(values: np.ndarray, blank: np.ndarray) -> bool:
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


def did_you_mean(col: str, unknown: Sequence[tuple[str, int]]) -> tuple[str, int] | None:
    """The unknown header most like a name of ``col`` (difflib), with its position."""
    names = list(ALIASES)
    best: tuple[float, str, int] | None = None
    for label, pos in unknown:
        key = header_key(label)
        match = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        if match and ALIASES[match[0]] == col:
            score = difflib.SequenceMatcher(None, key, match[0]).ratio()
            if best is None or score > best[0]:
                best = (score, label, pos)
    return None if best is None else (best[1], best[2])


def find_header_row(values: list[np.ndarray], rownums: np.ndarray) -> int | None:
    """Row number of a data row among the first ten that looks like the real header row."""
    for r in range(min(len(rownums), 10)):
        names = {canonical_name(cell_text(v[r])) for v in values}
        if sum(c in names for c in REQUIRED_COLUMNS) >= 2:
            return int(rownums[r])
    return None


def object_array(items: Sequence[Any]) -> np.ndarray:
    """A 1-D object array, even when the items are themselves sequences."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def all_str(items: list[Any]) -> bool:
    """Every item is exactly a ``str`` (not a subclass, not a number, not missing)."""
    return bool(items) and set(map(type, items)) == {str}


_SPACE = re.compile(r"\s")  # the characters str.isspace() and str.strip() see as whitespace


def has_space(cells: np.ndarray) -> bool:
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


def plain_counts(values: np.ndarray, is_text: bool, allow_empty: bool) -> np.ndarray | None:
    """The column's counts when no cell needs a message, else ``None`` (check cell by cell).

    That is: ASCII digits up to :data:`MAX_COUNT` (``parse_count`` accepts exactly these
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


def plain_priorities(values: np.ndarray, is_text: bool) -> np.ndarray | None:
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


def blank_mask(values: np.ndarray, is_text: bool = False) -> np.ndarray:
    """Each cell is empty: only whitespace, or a missing value (``is_text``: every cell is
    known to be a ``str``)."""
    if is_text and len(values):  # empty or only whitespace: exactly ``not v.strip()``
        empty = values == ""
        if not has_space(values):
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
    """Stripped, NFKC-normalised text of a cell, or MISSING."""
    text = value.strip() if isinstance(value, str) else str(value).strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    return text if text else MISSING


def parse_count(value: Any) -> int | object | str:
    """A whole number 0..MAX_COUNT, MISSING, or the end of an error message (str)."""
    if isinstance(value, bool | np.bool_):
        return render("count_not_whole", {"value": repr(value)})
    if is_missing(value):
        return MISSING
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
        if text is MISSING:
            return MISSING
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


def parse_priority(value: Any) -> float | object | str:
    """A finite number > 0, MISSING, or the end of an error message (str)."""
    if isinstance(value, bool | np.bool_):
        return render("priority_invalid", {"value": repr(value)})
    if is_missing(value):
        return MISSING
    if isinstance(value, int | float | np.integer | np.floating):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        shown = repr(value) if isinstance(value, float) else str(value)
    else:
        text = _number_text(value)
        if text is MISSING:
            return MISSING
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
