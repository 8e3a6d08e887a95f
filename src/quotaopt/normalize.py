"""Checking a raw units table and converting it to the canonical form.

:func:`normalize_units` takes a table of raw cells — read from a file by
:func:`quotaopt.units.read_units`, or a DataFrame built in code — and gives the canonical
table (:data:`~quotaopt.unitcells.UNIT_COLUMNS` first, then the extra columns). One
:class:`Normalizer` makes one pass: it maps the headers (English, Chinese, the scenario's
``[columns]``), skips empty and totals rows, converts every column and checks every row,
collecting each problem with its row, unit and the user's own header; it raises them all at
once as one :class:`~quotaopt.errors.InputError`, or builds the table
(:meth:`Normalizer.table`, also used by the fast CSV path of :mod:`quotaopt.csvunits`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import table as tbl
from .errors import InputError, Problem
from .headers import TOTAL_ROW_WORDS_ZH
from .messages import CATALOGUE
from .table import cell_text, column_letter, too_many_rows
from .unitcells import (
    ALIASES,
    BUDGET_COLUMN,
    CHINESE_ALIASES,
    COUNT_COLUMNS,
    DEFAULT_POOL,
    DEFAULTED_COLUMNS,
    IGNORED_HEADERS,
    INCUMBENT_COLUMNS,
    MISSING,
    PLAIN_COUNT,
    PLAIN_NUMBER,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    UNIT_COLUMNS,
    all_str,
    blank_mask,
    canonical_name,
    did_you_mean,
    find_header_row,
    has_space,
    header_key,
    holds_numbers,
    is_total_word,
    label_text,
    needs_cleaning,
    object_array,
    parse_count,
    parse_priority,
    plain_counts,
    plain_priorities,
    text_key,
    without_invisible,
)


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
        Raw table: one row per unit, cells as text (as
        :func:`~quotaopt.units.read_units` gives them) or already as numbers.
    source : str, default "<DataFrame>"
        Name used as ``file`` in every problem reported.
    columns : mapping, optional
        Column name -> its header in ``df``, as for :func:`~quotaopt.units.read_units`.

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
        whole number, negative or above :data:`~quotaopt.unitcells.MAX_COUNT`; incumbents
        summing to more than ``total_posts``; ``senior_waiting > intermediate_incumbents``;
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
    return Normalizer(df, source, columns=columns).run()


class Normalizer:
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
        labels = [label_text(c) for c in df.columns]
        values = [_object_values(df.iloc[:, i]) for i in range(ncols)]
        # per column: every cell is exactly a str — the fast paths below rely on it
        self.is_text = [self.text_cells or all_str(v.tolist()) for v in values]
        if pd.api.types.is_integer_dtype(df.index.dtype):
            rownums = np.asarray(df.index, dtype=np.int64) + 2
        else:
            rownums = np.arange(len(df), dtype=np.int64) + 2

        blank = [blank_mask(v, t) for v, t in zip(values, self.is_text, strict=True)]
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
            target = mapped.get(pos, canonical_name(label))
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
        hints = {col: did_you_mean(col, unknown) for col in missing}
        hinted = {h[1] for h in hints.values() if h is not None}
        self.refuse_unknown_numbers([u for u in unknown if u[1] not in hinted], canonical,
                                    values, blank)
        self.warn_near_misses(unknown, canonical)
        for col in missing:
            hint = hints[col]
            self.table_problem(
                "required_column_missing", row=hrow, column=col, target=col,
                accepted=(col, *CHINESE_ALIASES[col]),
                hint=None if hint is None else (hint[0], column_letter(hint[1])))
        if missing and hrow == 1:
            header_row = find_header_row(values, rownums)
            if header_row is not None:
                self.table_problem("header_on_later_row", row=1, header_row=header_row)
        absent = [c for c in DEFAULTED_COLUMNS if c not in canonical]
        if absent:
            self.defaulted = tuple(absent)
        return canonical, extras

    def mapped_columns(self, labels: list[str]) -> dict[int, str]:
        """Positions of the headers the scenario's ``[columns]`` table names."""
        keys = [header_key(lab) for lab in labels]
        out: dict[int, str] = {}
        for col, header in self.columns.items():
            if not header.strip():
                continue  # "": the table has no such column, its default is meant
            want = header_key(header)
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
        ignored = {header_key(h) for h in IGNORED_HEADERS}
        names = [a for a, c in ALIASES.items() if c in absent]
        for label, pos in unknown:
            key = header_key(label)
            if key in ignored or blank[pos].all() or not holds_numbers(values[pos],
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
            key = header_key(label)
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
        if needs_cleaning("".join(out.tolist())):
            # types and pools are compared after NFKC (ＴＹＰＥ is TYPE); codes and names keep
            # their width (a duplicate code is found by text_key) but lose zero-width marks
            clean = text_key if col in ("type", "pool") else without_invisible
            out = object_array([clean(v) for v in out.tolist()])
        return out

    def stripped_column(self, column: np.ndarray, pos: int) -> np.ndarray:
        if self.is_text[pos] and len(column):  # the usual case
            if not has_space(column):
                return column.copy()  # str.strip() would return every cell itself
            return np.array(list(map(str.strip, column.tolist())), dtype=object)
        return object_array([cell_text(v) for v in column.tolist()])

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
            total |= np.fromiter((is_total_word(v) for v in cells.tolist()), dtype=bool,
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
        keys = [text_key(u) for u in ids] if needs_cleaning("".join(ids)) else ids
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
        plain = plain_counts(values[canonical[col]], self.is_text[canonical[col]],
                              allow_empty=col != "total_posts")
        if plain is not None:
            return plain, bad
        for i, raw in enumerate(values[canonical[col]].tolist()):
            if type(raw) is str and PLAIN_COUNT.fullmatch(raw):
                result[i] = int(raw)
                continue
            parsed = parse_count(raw)
            if isinstance(parsed, int):
                result[i] = parsed
            elif parsed is MISSING:
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
        plain = plain_priorities(values[canonical["priority"]],
                                  self.is_text[canonical["priority"]])
        if plain is not None:
            return plain
        for i, raw in enumerate(values[canonical["priority"]].tolist()):
            if type(raw) is str and PLAIN_NUMBER.fullmatch(raw):
                result[i] = float(raw)
                continue
            parsed = parse_priority(raw)
            if isinstance(parsed, float):
                result[i] = parsed
            elif parsed is not MISSING:
                self.cell_problem(int(rownums[i]), units[i], "priority", "bad_cell",
                                  header=self.show("priority"), problem=parsed)
        return result

    def extra_column(self, pos: int, keep: np.ndarray) -> pd.Series:
        series = self.df.iloc[:, pos]
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            vals = series.to_numpy(dtype=object)[keep]
            stripped = [v.strip() if isinstance(v, str) else v for v in vals.tolist()]
            return pd.Series(object_array(stripped), index=pd.RangeIndex(len(vals)), dtype=object)
        return pd.Series(series.to_numpy()[keep], index=pd.RangeIndex(int(keep.sum())))


# ----------------------------------------------------------------------------------------
# helpers of the checked table


def _problem(code: str, params: Mapping[str, Any], **where: Any) -> Problem:
    """The problem of message ``code`` at ``where``; a ``code`` that is no message code is
    taken as a sentence already written (kept for callers not yet moved to codes)."""
    if code in CATALOGUE:
        return Problem.of(code, **where, **params)
    return Problem(code, **where)


def _object_values(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=object)


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

