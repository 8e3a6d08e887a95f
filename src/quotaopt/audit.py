"""Audit a plan made by hand: every rule it breaks, and how far it is from the optimum.

A plan file (CSV or XLSX, read as :func:`quotaopt.read_units` reads a file) needs only the
columns ``unit_id``, ``posts_senior``, ``posts_intermediate``, ``posts_junior`` and,
optionally, ``appointed_senior`` and ``appointed_intermediate`` — English names or the Chinese
headers of the ``--lang zh`` workbook. The scenario's own units table is the authority on the
data (total posts, incumbents, waiting staff): any other column of the plan is ignored; the
plan supplies the posts and appointments, matched by ``unit_id``.

The rules are checked by :func:`quotaopt.check_plan` — the same independent checker every
solved plan passes — and the plan is compared with the variant's optimum
(:func:`quotaopt.solve`): appointments of waiting title-holders it leaves on the table.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .backends import Status
from .caps import UnitLimits, compute_limits
from .check import Violation, check_plan
from .errors import InputError, Problem, SolverError
from .explain import provenance_lines
from .feasibility import fmt_num
from .headers import ALLOCATION_ZH, VIOLATION_ZH
from .i18n import language
from .messages import render
from .meta import __version__
from .output import csv_bytes, json_bytes, write_files
from .result import (
    Provenance,
    Result,
    cited_sources,
    exact_objectives,
    provenance_record,
)
from .scenario import Scenario, Variant
from .solve import solve
from .table import SheetData, cell_text, column_letter, read_sheet
from .units import ALIASES as UNIT_ALIASES
from .units import MAX_COUNT

POSTS_COLUMNS = ("posts_senior", "posts_intermediate", "posts_junior")
APPOINTED_COLUMNS = ("appointed_senior", "appointed_intermediate")
VIOLATION_COLUMNS = ("unit_id", "name", "pool", "rule", "allowed", "actual", "message")
_WHOLE = re.compile(r"[+-]?\d+(\.0*)?")


def _whole(value: Any) -> int | str:
    """A whole number from a cell (at most :data:`MAX_COUNT` either way), or the reason it is
    not one."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return render("plan_value_empty", {})
    if isinstance(value, bool):
        return render("plan_value_not_whole", {"value": repr(value)})
    number: Decimal | int
    if isinstance(value, int | np.integer):
        number = int(value)
    elif isinstance(value, float | np.floating):
        if not np.isfinite(value) or not float(value).is_integer():
            return render("plan_value_not_whole", {"value": repr(value)})
        number = Decimal(float(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        if not text:
            return render("plan_value_empty", {})
        if _WHOLE.fullmatch(text) and len(text) < 30:
            number = int(text.split(".")[0])
        else:
            try:
                number = Decimal(text)
            except InvalidOperation:
                return render("plan_value_not_number", {"value": _shown(value)})
            if not number.is_finite() or (number.adjusted() < 30
                                          and number != number.to_integral_value()):
                return render("plan_value_not_whole", {"value": _shown(value), "number": True})
    if (number.copy_abs() if isinstance(number, Decimal) else abs(number)) > MAX_COUNT:
        return render("plan_value_above_limit", {"value": _shown(value), "limit": MAX_COUNT})
    return int(number)


def _shown(value: Any) -> str:
    text = str(value).strip()
    return repr(text if len(text) <= 40 else text[:37] + "...")


#: Accepted plan header (NFKC, stripped, lower-cased) -> plan column. Only ``unit_id`` and
#: the posts and appointments are read from a plan; every other column is ignored (the
#: scenario's units table decides the data). Chinese names: those quotaopt writes in the
#: ``--lang zh`` workbook (:mod:`quotaopt.headers`), and the units table's for ``unit_id``.
PLAN_ALIASES: dict[str, str] = {
    **{c: c for c in ("unit_id", *POSTS_COLUMNS, *APPOINTED_COLUMNS)},
    **{alias: c for alias, c in UNIT_ALIASES.items() if c == "unit_id"},
    **{ALLOCATION_ZH[c]: c for c in ("unit_id", *POSTS_COLUMNS, *APPOINTED_COLUMNS)},
}
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _plan_column(label: Any) -> str | None:
    key = unicodedata.normalize("NFKC", cell_text(label)).strip().strip(_INVISIBLE).strip().lower()
    for candidate in (key, re.sub(r"[\s\-]+", "_", key), re.sub(r"\s+", "", key)):
        if candidate in PLAN_ALIASES:
            return PLAN_ALIASES[candidate]
    return None


def _raw_plan(path: str | Path) -> pd.DataFrame:
    """A plan file's cells as text, header row as column labels — read as
    :func:`quotaopt.read_units` reads a file (encodings, XLSX, size limits), but not checked
    as a units table."""
    sheet = read_sheet(path)
    labels, records = (sheet.records[0], sheet.records[1:]) if sheet.records else ([], [])
    header_row = 1
    if sum(_plan_column(c) is not None for c in labels) < 2:
        # a title row above the table (as on a comparison.xlsx sheet named for a variant it
        # could not take the name of): the header is the first row that has plan columns
        for k, record in enumerate(records[:5]):
            if sum(_plan_column(c) is not None for c in record) >= 2:
                labels, records, header_row = record, records[k + 1:], k + 2
                break
    width = max([len(labels), *map(len, records)])
    cells = [list(r) + [""] * (width - len(r)) for r in records]
    raw = pd.DataFrame(cells, columns=pd.Index(list(labels) + [""] * (width - len(labels)),
                                               dtype=object), dtype=object)
    raw.attrs["header_row"] = header_row
    _check_plan_sheet(sheet, header_row, str(path))
    return raw


def _check_plan_sheet(sheet: SheetData, header_row: int, name: str) -> None:
    """A plan is audited as its reader sees it: hidden rows that hold cells, and merged
    cells below the header that hold a value (one number standing for several units), are
    refused, naming them."""
    problems: list[Problem] = []
    hidden = sheet.filled_hidden_rows(header_row)
    if hidden:
        problems.append(Problem.of("plan_hidden_rows", file=name, row=hidden[0], rows=hidden))
    for r0, c0, r1, c1 in sheet.merged:
        if r1 <= header_row or r0 > len(sheet.records):
            continue  # title or header cells
        top = sheet.records[r0 - 1]
        if c0 < len(top) and top[c0].strip():
            problems.append(Problem.of(
                "plan_merged_cells", file=name, row=r0,
                cells=f"{column_letter(c0)}{r0}:{column_letter(c1)}{r1}"))
    if problems:
        raise InputError(problems)


def read_plan(plan: str | Path | pd.DataFrame, v: Variant) -> tuple[pd.DataFrame, list[str],
                                                                     str]:
    """The plan's posts (and appointments) in the order of the variant's units table.

    Only ``unit_id``, ``posts_senior``, ``posts_intermediate``, ``posts_junior`` and, if
    present, ``appointed_senior`` and ``appointed_intermediate`` are read (English names or
    the Chinese headers of the ``--lang zh`` workbook, see :data:`PLAN_ALIASES`); any other
    column is ignored — the scenario's units table is the authority on the data.

    Returns ``(plan, notes, name)``: ``plan`` is the variant's units table plus the plan's
    columns, as :func:`quotaopt.check_plan` reads it; ``notes`` are remarks that are not
    errors; ``name`` names the plan in messages.

    Raises
    ------
    InputError
        With file, row and column: ``unit_id`` or a ``posts_*`` column missing, a cell that
        is not a whole number, an empty or repeated ``unit_id``, a ``unit_id`` the scenario
        does not have, units of the scenario the plan leaves out — every problem at once.
        (Rows count as a spreadsheet does, header = row 1, empty rows included.)
    """
    name, raw, first = _plan_cells(plan)
    where = _plan_columns(raw, name)
    notes: list[str] = []
    appointed = [c for c in APPOINTED_COLUMNS if c in where]
    if len(appointed) == 1:
        other = next(c for c in APPOINTED_COLUMNS if c not in appointed)
        notes.append(render("plan_appointed_half", {"present": appointed[0], "absent": other}))
    rows = _plan_rows(raw, where, ["unit_id", *POSTS_COLUMNS, *appointed], first)
    known = {str(u): i for i, u in enumerate(v.units["unit_id"].astype(str).tolist())}
    values, problems = _plan_counts(rows, [*POSTS_COLUMNS, *appointed], name)
    problems += _unit_id_problems(rows, known, name)
    if problems:
        raise InputError(problems)
    row_of = {u: j for j, u in enumerate(rows.ids)}
    order = np.array([row_of[u] for u in known], dtype=np.int64)
    out = v.units.copy()
    for c in POSTS_COLUMNS:
        out[c] = values[c][order]
    if appointed:
        for c in APPOINTED_COLUMNS:
            out[c] = values[c][order] if c in values else 0
    return out, notes, name


def _plan_cells(plan: str | Path | pd.DataFrame) -> tuple[str, pd.DataFrame, np.ndarray]:
    """The plan's name in messages, its cells (header row as column labels) and the row
    number of each row as the spreadsheet counts it (a DataFrame's integer index + 2, as if
    written with a header row)."""
    if isinstance(plan, pd.DataFrame):
        first = (np.asarray(plan.index, dtype=np.int64) + 2
                 if pd.api.types.is_integer_dtype(plan.index.dtype)
                 else np.arange(len(plan), dtype=np.int64) + 2)
        return "<DataFrame>", plan, first
    raw = _raw_plan(plan)
    return str(plan), raw, np.arange(len(raw), dtype=np.int64) + 1 + raw.attrs["header_row"]


def _plan_columns(raw: pd.DataFrame, name: str) -> dict[str, int]:
    """Plan column → position of its column in ``raw``; an :class:`InputError` if a column
    comes twice or ``unit_id`` or a ``posts_*`` column is missing."""
    problems: list[Problem] = []
    where: dict[str, int] = {}
    for pos, label in enumerate(raw.columns):
        col = _plan_column(label)
        if col is None:
            continue
        if col in where:
            problems.append(Problem.of(
                "plan_duplicate_columns", file=name, row=1, column=col, target=col,
                first=raw.columns[where[col]], second=label))
        else:
            where[col] = pos
    for c in ("unit_id", *POSTS_COLUMNS):
        if c not in where:
            problems.append(Problem.of("plan_column_missing", file=name, row=1, column=c,
                                       target=c))
    if problems:
        raise InputError(problems)
    return where


@dataclass(frozen=True)
class _PlanRows:
    """The plan's rows that hold a cell in a column read, in file order."""

    rows: list[int]  # as the spreadsheet counts, blank rows included
    ids: list[str]  # the unit_id of each row, as text ("" if empty)
    cells: dict[str, list[Any]]  # plan column -> its cell in each row
    labels: dict[str, str]  # plan column -> its header as the user wrote it


def _plan_rows(raw: pd.DataFrame, where: dict[str, int], used: list[str],
               first: np.ndarray) -> _PlanRows:
    """The rows of ``raw`` with a cell in one of the columns ``used`` (blank rows are left
    out, but still counted in the row numbers)."""
    cols = {c: raw.iloc[:, where[c]].tolist() for c in used}
    keep = [k for k in range(len(raw)) if any(cell_text(cols[c][k]) for c in used)]
    return _PlanRows(rows=first[keep].tolist(),
                     ids=[cell_text(cols["unit_id"][k]) for k in keep],
                     cells={c: [cols[c][k] for k in keep] for c in used},
                     labels={c: cell_text(raw.columns[where[c]]) or c for c in used})


def _plan_counts(plan: _PlanRows, columns: list[str],
                 name: str) -> tuple[dict[str, np.ndarray], list[Problem]]:
    """The whole numbers of each of the ``columns``, row by row, and a problem for every
    cell that is not one (0 stands in its place)."""
    problems: list[Problem] = []
    values: dict[str, np.ndarray] = {}
    for c in columns:
        parsed = np.zeros(len(plan.ids), dtype=np.int64)
        for j, cell in enumerate(plan.cells[c]):
            got = _whole(cell)
            if isinstance(got, int):
                parsed[j] = got
            else:
                label = plan.labels[c]
                problems.append(Problem.of("plan_cell", file=name, row=plan.rows[j],
                                           column=label, unit=plan.ids[j] or None,
                                           header=label, problem=got))
        values[c] = parsed
    return values, problems


def _unit_id_problems(plan: _PlanRows, known: dict[str, int], name: str) -> list[Problem]:
    """An empty, repeated or unknown ``unit_id`` (by row), and the scenario's units
    (``known``) that the plan leaves out."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    id_label = plan.labels["unit_id"]  # the user's header
    for uid, row in zip(plan.ids, plan.rows, strict=True):
        if not uid:
            problems.append(Problem.of("plan_unit_id_empty", file=name, row=row,
                                       column=id_label))
        elif uid in seen:
            problems.append(Problem.of(
                "plan_unit_id_repeated", file=name, row=row, column=id_label, unit=uid,
                value=uid, first_row=seen[uid], second_row=row))
        elif uid not in known:
            problems.append(Problem.of("plan_unit_id_unknown", file=name, row=row,
                                       column=id_label, unit=uid, value=uid))
        seen.setdefault(uid, row)
    absent = [u for u in known if u not in seen]
    if absent:
        problems.append(Problem.of("plan_units_absent", file=name, column=id_label,
                                   units=tuple(absent)))
    return problems


@dataclass(frozen=True)
class AuditResult:
    """The outcome of :func:`audit`; ``ok`` when the plan breaks no rule."""

    scenario: str
    variant: str
    plan: str
    units: int
    violations: tuple[Violation, ...]
    table: pd.DataFrame  # one row per violation: VIOLATION_COLUMNS
    distance: dict[str, Any]
    notes: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def lines(self) -> list[str]:
        """The report as text lines (``quotaopt audit`` prints them)."""
        out = [render("audit_head", {"plan": self.plan, "scenario": self.scenario,
                                     "variant": self.variant, "units": self.units})]
        out += [render("note", {"text": n}) for n in self.notes]
        if self.ok:
            out.append(render("audit_clean", {}))
        else:
            out.append(render("audit_violations", {"count": len(self.violations)}))
            for row in self.table.itertuples(index=False):
                out.append(render("audit_violation", {
                    "unit_id": row.unit_id, "name": row.name, "pool": row.pool,
                    "rule": row.rule, "allowed": row.allowed, "actual": row.actual,
                    "detail": row.message}))
        out += _distance_lines(self.distance)
        out += provenance_lines(self.summary)
        return out


def _distance_lines(d: dict[str, Any]) -> list[str]:
    if not d:
        return []
    plan = d["plan"]
    return [render("audit_distance", {
        "appointments_from": d["appointments_from"], "senior": plan["appointed_senior"],
        "intermediate": plan["appointed_intermediate"],
        "weighted": plan["weighted_appointments"], "optimum_status": d.get("optimum_status"),
        "optimum": d.get("optimum"), "left": d.get("left_on_table"),
        "proven": d.get("optimum_status") == Status.OPTIMAL.value})] + (
        [render("audit_later_stages", {"plan": plan, "optimum": d["optimum"]})]
        if d.get("optimum") else [])


def _violation_table(violations: list[Violation], v: Variant) -> pd.DataFrame:
    names = dict(zip(v.units["unit_id"].astype(str), v.units["name"].astype(str), strict=True))
    pools = dict(zip(v.units["unit_id"].astype(str), v.units["pool"].astype(str), strict=True))
    rows = []
    for x in violations:
        uid = x.unit if x.unit in names else ""
        pool = pools.get(uid, x.unit[5:] if x.unit.startswith("pool ") and not uid else "")
        rows.append({"unit_id": uid, "name": names.get(uid, ""), "pool": pool,
                     "rule": render("violation_rule", {"rule": x.rule}),
                     "allowed": x.allowed, "actual": x.actual, "message": x.message})
    return pd.DataFrame(rows, columns=list(VIOLATION_COLUMNS)).astype(object)


def _room(plan: pd.DataFrame) -> pd.DataFrame:
    """Appointments the plan's posts make room for (when the file gives none)."""
    ps = plan["posts_senior"].to_numpy(np.int64)
    psm = ps + plan["posts_intermediate"].to_numpy(np.int64)
    i_s = plan["senior_incumbents"].to_numpy(np.int64)
    i_sm = i_s + plan["intermediate_incumbents"].to_numpy(np.int64)
    ys = np.clip(np.minimum(plan["senior_waiting"].to_numpy(np.int64), ps - i_s), 0, None)
    ym = np.clip(np.minimum(plan["intermediate_waiting"].to_numpy(np.int64), psm - i_sm), 0,
                 None)
    return plan.assign(appointed_senior=ys, appointed_intermediate=ym)


def audit(
    scenario: Scenario,
    plan: str | Path | pd.DataFrame,
    variant: str | None = None,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    optimum: bool = True,
    method: str | None = None,
) -> AuditResult:
    """Check a hand-made plan against a variant's rules; compare it with the optimum.

    Parameters
    ----------
    plan
        A CSV/XLSX file or a DataFrame: the units table plus ``posts_senior``,
        ``posts_intermediate``, ``posts_junior`` (and optionally ``appointed_senior``,
        ``appointed_intermediate``).
    optimum
        Also solve the variant (with ``method``, as :func:`quotaopt.solve`) and report the
        appointments the plan leaves on the table.

    Raises
    ------
    InputError
        Problems in the plan file (see :func:`read_plan`).

    Examples
    --------
    A plan as the solver wrote it breaks no rule and is at distance 0 from the optimum:

    >>> import pathlib, tempfile, quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> plan = pathlib.Path(tempfile.mkdtemp()) / "plan.csv"
    >>> quotaopt.solve(sc).allocation.to_csv(plan, index=False)
    >>> res = quotaopt.audit(sc, plan)
    >>> res.ok, res.violations
    (True, ())
    """
    v = scenario.variant(variant)
    table, notes, name = read_plan(plan, v)
    violations = check_plan(v.policy, table)
    lim = compute_limits(v.policy, v.units)
    has_appointed = "appointed_senior" in table.columns
    scored = table if has_appointed else _room(table)
    if not has_appointed and v.policy.budget is not None:
        notes.append(render("audit_no_appointments_budget", {}))
    plan_objectives = exact_objectives(v, lim, scored)
    distance: dict[str, Any] = {
        "appointments_from": "plan" if has_appointed else "room",
        "plan": _figures(scored, plan_objectives),
    }
    res = None
    if optimum:
        # check_plan needs no solver: a solver problem only leaves the optimum unknown
        try:
            res = solve(scenario, variant, backend=backend, time_limit=time_limit,
                        method=method)
        except SolverError as exc:
            distance["optimum_status"] = render("audit_solver_failed", {"reason": str(exc)})
            notes.append(render("audit_solver_failed_note", {}))
    if res is not None:
        _compare_with_optimum(distance, res, v, lim, plan_objectives[0])
    out_table = _violation_table(violations, v)
    report = {
        "scenario": scenario.name,
        "variant": v.name,
        "plan": name,
        "units": int(len(v.units)),
        "violations": len(violations),
        "by_rule": dict(sorted(Counter(x.rule for x in violations).items())),
        "distance": distance,
        "notes": notes,
        **_audit_provenance(scenario, v, plan, res),
    }
    return AuditResult(scenario.name, v.name, name, int(len(v.units)), tuple(violations),
                       out_table, distance, tuple(notes), report)


def _figures(alloc: pd.DataFrame,
             objectives: tuple[Fraction, int, float | None]) -> dict[str, Any]:
    """A plan's appointments and its exact objective values (:func:`exact_objectives`), as
    ``audit.json`` shows them."""
    weighted, base_caps, quotas = objectives
    return {"appointed_senior": int(alloc["appointed_senior"].sum()),
            "appointed_intermediate": int(alloc["appointed_intermediate"].sum()),
            "weighted_appointments": fmt_num(weighted),
            "distance_from_base_caps": base_caps,
            "distance_from_quotas": None if quotas is None else round(quotas, 9)}


def _compare_with_optimum(distance: dict[str, Any], res: Result, v: Variant,
                          lim: UnitLimits, plan_weighted: Fraction) -> None:
    """Add the variant's optimum to ``distance``: its status, its figures and what the plan
    leaves on the table (or why there is no optimum)."""
    distance["optimum_status"] = res.status.value
    if res.allocation is None:
        distance["optimum_status"] = (f"{res.status.value}: "
                                      + "; ".join(res.reasons or (res.message,)))
        return
    objectives = exact_objectives(v, lim, res.allocation)
    best = distance["optimum"] = _figures(res.allocation, objectives)
    distance["left_on_table"] = {
        "senior": best["appointed_senior"] - distance["plan"]["appointed_senior"],
        "intermediate": (best["appointed_intermediate"]
                         - distance["plan"]["appointed_intermediate"]),
        "weighted": fmt_num(objectives[0] - plan_weighted)}


def _audit_provenance(scenario: Scenario, v: Variant, plan: str | Path | pd.DataFrame,
                      res: Result | None) -> dict[str, Any]:
    """The provenance keys of ``audit.json``: the solve's when the optimum was solved, else
    what the audit itself read (with no solver); and the plan file's hash."""
    if res is not None:
        assert res.figures.provenance is not None
        prov = provenance_record(res.figures.provenance, res.figures.solver)
    else:
        prov = provenance_record(Provenance(scenario.input_hash, cited_sources(v.policy),
                                            __version__,
                                            datetime.now(UTC).isoformat(timespec="seconds")),
                                 None)
    if isinstance(plan, str | Path):
        prov["plan_hash"] = "sha256:" + hashlib.sha256(Path(plan).read_bytes()).hexdigest()
    return prov


def write_audit(result: AuditResult, out_dir: str | Path,
                encoding: str | None = None) -> list[Path]:
    """``violations.csv`` (one row per violation, Chinese headers in Chinese mode;
    ``encoding`` as for :func:`~quotaopt.output.csv_bytes`) and ``audit.json``, each whole or
    not at all."""
    out = Path(out_dir)
    table = result.table
    if language() == "zh":  # Chinese headers, as every CSV quotaopt writes in Chinese mode
        table = table.rename(columns={**ALLOCATION_ZH, **VIOLATION_ZH})
    files = [(out / "violations.csv", csv_bytes(table, encoding, out / "violations.csv")),
             (out / "audit.json", json_bytes(result.summary))]
    write_files(files)
    return [target for target, _ in files]
