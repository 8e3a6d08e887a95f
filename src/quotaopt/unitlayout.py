"""Where a units table sits on its sheet: the header row, a two-row header, merged cells,
hidden rows.

:func:`header_index` finds the header row under title rows, :func:`locate_header` joins a
second header row of levels (``高级 / 中级 / 初级``) to its group cells, :func:`fill_merged`
fills a pool or type merged down over several units (and refuses any other merged data),
:func:`check_hidden_rows` refuses hidden rows that hold data. Used by
:func:`quotaopt.units.read_units` and, to tell a plain CSV file, by
:mod:`quotaopt.csvunits`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .errors import InputError, Problem
from .headers import HEADER_GROUPS_ZH
from .table import HEADER_SEARCH_ROWS, SheetData, column_letter
from .unitcells import REQUIRED_COLUMNS, canonical_name, header_key, is_total_word


def header_index(rows: list[list[str]], mapped: Mapping[str, str]) -> int | None:
    """The index of the first of the first rows naming two required columns (by the
    vocabulary or by the scenario's ``[columns]``: ``mapped`` is header key -> column)."""
    for k, record in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {mapped.get(header_key(c)) or canonical_name(c) for c in record}
        if sum(c in names for c in REQUIRED_COLUMNS) >= 2:
            return k
    return None


_LEVELS = {"高级": "高级", "中级": "中级", "初级": "初级"}


def locate_header(records: list[list[str]], source: str, mapped: Mapping[str, str]
                   ) -> tuple[list[str], list[list[str]], int, list[Problem]]:
    """The header labels, the data rows, the row number of the first data row, and notes.

    The header row is the first row naming two required columns (title and note rows above
    it are skipped); a second header row of levels (``高级 / 中级 / 初级``) under merged group
    cells (``现聘人数``) is joined to the row above it (``现聘高级``).
    """
    if not records:
        return [], [], 2, []
    k = header_index(records, mapped)
    if k is None:
        k = 0
    labels = list(records[k])
    notes: list[Problem] = []
    if k > 0:
        notes.append(Problem.of("rows_above_header", file=source, row=k + 1, rows=k))
    data_start = k + 1
    if data_start < len(records):
        sub = records[data_start]
        keys = [header_key(c) for c in sub]
        if any(key in _LEVELS for key in keys) and not any(
                canonical_name(c) in REQUIRED_COLUMNS for c in sub):
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
                    gkey = header_key(group)
                    prefix = HEADER_GROUPS_ZH.get(gkey, gkey)
                    labels[pos] = prefix + _LEVELS[level]
                elif pos < len(sub) and sub[pos].strip() and not labels[pos].strip():
                    labels[pos] = sub[pos]
            data_start += 1
    return labels, records[data_start:], data_start + 1, notes


#: Columns whose merged cells (one value over several rows) mean that value on every row.
_FILLED_DOWN = ("pool", "type")


def fill_merged(merged: Sequence[tuple[int, int, int, int]], labels: list[str],
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
        if not value.strip() or any(is_total_word(c) for c in top if c.strip()):
            continue
        label = labels[c0] if c0 < len(labels) else ""
        col = mapped.get(header_key(label)) or canonical_name(label)
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


def check_hidden_rows(sheet: SheetData, first_row: int, source: str) -> None:
    """Hidden rows that hold data are refused: they would be read as units unseen."""
    filled = sheet.filled_hidden_rows(first_row - 1)
    if filled:
        raise InputError([Problem.of("hidden_rows", file=source, row=filled[0],
                                     rows=filled)])

