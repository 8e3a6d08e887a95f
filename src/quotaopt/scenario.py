"""Scenarios: TOML files (plus variants) → frozen :class:`Scenario` objects.

All validation of scenario files happens before anything is built: here the file itself (size,
encoding, nesting, the schema of keys and kinds), the ``[solver]`` table and the variants with
their units tables; in :mod:`quotaopt.scenario_policy` the policy tables and the checks of a
policy against its units table. Every problem is collected and reported at once as one
:class:`~quotaopt.errors.InputError`.
"""

from __future__ import annotations

import copy
import hashlib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .budgets import resolve as resolve_pool_budgets
from .errors import InputError, Problem
from .exact import MAX_DECIMALS, MAX_NUMBER
from .messages import render
from .policy import (
    Budget,
    BudgetScope,
    Incumbents,
    Level,
    MinimumRule,
    Policy,
    Ratio,
    Rounding,
    Scope,
    Shares,
    TypePolicy,
)
from .scenario_policy import (
    BASELINE,
    MAX_DENOMINATOR,
    Collector,
    check_policy_against_units,
    closest,
    policy_from_config,
    table_pools,
    unit_types,
)
from .table import read_limited
from .units import (
    BUDGET_COLUMN,
    UNIT_COLUMNS,
    normalize_units,
    read_units,
    table_warnings,
)


@dataclass(frozen=True)
class SolverOptions:
    """Which backend solves the model and for how long (seconds; ``None`` = no limit)."""

    backend: str | None = None
    time_limit: float | None = None
    method: str = "auto"


@dataclass(frozen=True)
class Variant:
    """One policy variant, fully resolved: policy, solver options and units table."""

    name: str
    policy: Policy
    solver: SolverOptions
    units: pd.DataFrame
    units_file: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A scenario: a baseline and its variants.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> sc.variant_names
    ('baseline', 'old-ratio', 'no-bonus', 'no-transfer', 'county-pool', 'budget')
    """

    name: str
    variants: Mapping[str, Variant]
    path: Path | None = None
    description: str | None = None
    input_hash: str = ""
    warnings: tuple[Problem, ...] = ()
    """Remarks on the input that are not errors (see :func:`quotaopt.units.table_warnings`);
    ``quotaopt validate`` and ``run`` print them."""

    @property
    def variant_names(self) -> tuple[str, ...]:
        return tuple(self.variants)

    @property
    def policy(self) -> Policy:
        """The baseline policy."""
        return self.variants[BASELINE].policy

    @property
    def units(self) -> pd.DataFrame:
        """The baseline units table."""
        return self.variants[BASELINE].units

    def variant(self, name: str | None = None) -> Variant:
        """Return a variant by name (``None`` or ``"baseline"`` is the base)."""
        key = name or BASELINE
        if key not in self.variants:
            hint = render("did_you_mean", {"hint": closest(key, self.variants)})
            raise InputError(
                [
                    Problem.of("unknown_variant", file=self.path.name if self.path else None,
                               name=key, hint=hint, choices=tuple(self.variants))
                ]
            )
        return self.variants[key]


# --------------------------------------------------------------------------------------------
# Schema of the TOML file: nested dicts of allowed keys. A leaf is a type tag.

_NUM = "number"
_STR = "text"
_INT = "whole number"
_LEVELS = "list of levels"
_MIN_SCHEMA: dict[str, Any] = {
    "type": _STR,
    "level": _STR,
    "posts": _INT,
    "when_total_at_least": _INT,
    "source": _STR,
}
_TYPE_SCHEMA: dict[str, Any] = {
    "ratio": _STR,
    "senior_bonus": _NUM,
    "junior_to_intermediate": _NUM,
    "source": _STR,
}
_SCHEMA: dict[str, Any] = {
    "scenario": {"name": _STR, "units": _STR, "sheet": _STR, "description": _STR},
    "policy": {
        "ratio": _STR,
        "scope": _STR,
        "rounding": _STR,
        "junior_to_intermediate": _NUM,
        "incumbents": _STR,
        "source": _STR,
        "at_least_one": _LEVELS,
        "types": ("table-of", _TYPE_SCHEMA),
        "minimum": ("array-of", _MIN_SCHEMA),
    },
    "objective": {"weights": {"senior": _NUM, "intermediate": _NUM}},
    "budget": {
        "cost": {"senior": _NUM, "intermediate": _NUM, "junior": _NUM},
        "max_increase": _NUM,
        "scope": _STR,
        "pools": ("map-of", _NUM),
        "source": _STR,
    },
    "solver": {"backend": _STR, "time_limit": _NUM, "method": _STR},
    # the header of each column, for headers the vocabulary does not know ("" = none)
    "columns": {c: _STR for c in (*UNIT_COLUMNS, BUDGET_COLUMN)},
}


def _check_schema(data: Any, schema: Any, where: str, out: list[Problem], file: str) -> None:
    """Check ``data`` against ``schema``; append a Problem per unknown key or wrong type."""
    if isinstance(schema, dict):
        if not isinstance(data, dict):
            out.append(Problem.of("expected_table", file=file, key=where, value=data))
            return
        for key, value in data.items():
            path = f"{where}.{key}" if where else key
            if key not in schema:
                out.append(Problem.of("unknown_key", file=file, key=path,
                                      hint=closest(key, schema), allowed=tuple(schema)))
                continue
            _check_schema(value, schema[key], path, out, file)
        return
    if isinstance(schema, tuple):
        kind, inner = schema
        if kind == "map-of":  # any keys (names the user chooses), each value of one kind
            if not isinstance(data, dict):
                out.append(Problem.of("expected_table", file=file, key=where, value=data))
                return
            for name, sub in data.items():
                _check_schema(sub, inner, f"{where}.{name}", out, file)
            return
        if kind == "table-of":
            if not isinstance(data, dict):
                out.append(Problem.of("expected_table", file=file, key=where, value=data))
                return
            for name, sub in data.items():
                _check_schema(sub, inner, f"{where}.{name}", out, file)
        else:
            if not isinstance(data, list):
                out.append(Problem.of("expected_array_of_tables", file=file, key=where,
                                      where=where, value=data))
                return
            for i, sub in enumerate(data):
                _check_schema(sub, inner, f"{where}[{i + 1}]", out, file)
        return
    ok = {
        _STR: isinstance(data, str),
        _NUM: (isinstance(data, int | float) and not isinstance(data, bool))
        or isinstance(data, str),
        _INT: isinstance(data, int) and not isinstance(data, bool),
        _LEVELS: isinstance(data, list),
    }[schema]
    if not ok:
        out.append(Problem.of("expected_kind", file=file, key=where, kind=schema, value=data))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: tables merge key by key, anything else
    (numbers, text, arrays such as ``[[policy.minimum]]``) is replaced whole.

    >>> deep_merge({"policy": {"ratio": "1:4:5", "scope": "unit"}}, {"policy": {"ratio": "1:3:6"}})
    {'policy': {'ratio': '1:3:6', 'scope': 'unit'}}
    """
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --------------------------------------------------------------------------------------------
# The [solver] table


def _solver_options(cfg: Mapping[str, Any], col: Collector) -> SolverOptions:
    """``[solver]``: the backend (``highs``, ``cbc`` or ``pulp:<name>``), the time limit in
    seconds (> 0) and the method (``auto`` or ``mip``); problems go to ``col``."""
    sol = cfg.get("solver", {}) if isinstance(cfg.get("solver"), dict) else {}
    backend = sol.get("backend")
    if isinstance(backend, str):
        backend = backend.strip()
        if backend.lower() in ("highs", "cbc"):
            backend = backend.lower()
        elif not backend.startswith("pulp:") or len(backend) <= 5:
            col.add("solver.backend", "solver_backend_invalid", backend=backend,
                    hint=closest(backend, ["highs", "cbc"]))
            backend = None
    time_limit = col.number(sol, "time_limit", "solver.time_limit", None, positive=True)
    method = str(sol.get("method", "auto")).strip().lower()
    if method not in ("auto", "mip"):
        col.add("solver.method", "solver_method_invalid", method=sol.get("method"))
        method = "auto"
    return SolverOptions(
        backend=backend, time_limit=float(time_limit) if time_limit is not None else None,
        method=method,
    )


# --------------------------------------------------------------------------------------------
# Reading the file


MAX_SCENARIO_BYTES = 10 * 2**20
"""Largest scenario file read (10 MiB)."""


MAX_NESTING = 32
"""Deepest nesting of arrays, inline tables and keys in a scenario file (a real one needs 6)."""

# strings and comments (whose brackets do not count), and the brackets that nest
_TOML_TOKENS = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                          r"|'[^'\n]*'|#[^\n]*|[\[\]{}]", re.S)


def _nesting_problem(text: str) -> str | None:
    """A message if ``text`` nests arrays or inline tables deeper than :data:`MAX_NESTING`.

    Checked before parsing: Python's TOML parser recurses once per level and fails with a
    ``RecursionError`` near 1,000 (``x = [[[[…]]]]``).
    """
    depth = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, match.start()) + 1
                return render("toml_nested_line", {"line": line, "limit": MAX_NESTING})
        elif token in "]}":
            depth = max(depth - 1, 0)
    return None


def _depth(data: Any) -> int:
    """Nesting depth of parsed TOML (tables and arrays), without recursion."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        node, level = todo.pop()
        deepest = max(deepest, level)
        if level > MAX_NESTING:
            break
        children = node.values() if isinstance(node, dict) else node
        todo += [(c, level + 1) for c in children if isinstance(c, dict | list)]
    return deepest


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file, its variants and units tables; validate everything.

    Parameters
    ----------
    path
        The scenario file. The units table path inside it is relative to this file.

    Returns
    -------
    Scenario
        Frozen; ``scenario.variant("old-ratio")`` gives a fully resolved variant.

    Raises
    ------
    InputError
        Listing every problem found in the scenario and in the units tables.
    """
    path = Path(path)
    file = path.name
    if path.is_dir():
        raise InputError([Problem.of("scenario_is_folder", file=str(path))])
    raw_bytes = read_limited(path, str(path), MAX_SCENARIO_BYTES)
    data = _parse_toml(raw_bytes, file)
    return scenario_from_dict(data, base_dir=path.parent, file=file, path=path,
                              raw_bytes=raw_bytes)


def _parse_toml(raw_bytes: bytes, file: str) -> dict[str, Any]:
    """The parsed TOML of a scenario file's bytes (UTF-8, a BOM allowed), nested at most
    :data:`MAX_NESTING` deep; otherwise an :class:`InputError` naming ``file``."""
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem.of("scenario_not_unicode", file=file, byte=exc.start)]
        ) from None
    too_deep = _nesting_problem(text)
    if too_deep:
        raise InputError([Problem(too_deep, file=file)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem.of("toml_invalid", file=file, reason=str(exc))]) from None
    except RecursionError:  # cannot happen within MAX_NESTING; kept as the last guard
        raise InputError([Problem.of("toml_too_deep", file=file, limit=MAX_NESTING)]) from None
    if _depth(data) > MAX_NESTING:  # dotted keys (a.b.c.… = 1) nest without brackets
        raise InputError([Problem.of("toml_keys_too_deep", file=file, limit=MAX_NESTING)])
    return data


# --------------------------------------------------------------------------------------------
# Variants and their units tables


def scenario_from_dict(
    data: Mapping[str, Any],
    base_dir: str | Path = ".",
    file: str = "<scenario>",
    path: Path | None = None,
    raw_bytes: bytes | None = None,
    units: pd.DataFrame | None = None,
) -> Scenario:
    """Build a scenario from an already parsed TOML mapping (see :func:`load_scenario`).

    ``units`` may be given as a DataFrame instead of the ``scenario.units`` file.
    """
    _check_file_schema(data, file)
    problems: list[Problem] = []
    variants_raw = data.get("variants", {})
    base_cfg = {k: v for k, v in data.items() if k != "variants"}
    scen = base_cfg.get("scenario", {})
    name = scen.get("name") or (path.stem if path else "scenario")
    if BASELINE in variants_raw:
        problems.append(
            Problem.of("baseline_variant_name", file=file, key=f"variants.{BASELINE}",
                       name=BASELINE)
        )
    hasher = hashlib.sha256(raw_bytes or repr(sorted(data.items())).encode())
    tables = _UnitTables(Path(base_dir), file, units, hasher)
    variants: dict[str, Variant] = {}
    budget_tables: set[int] = set()  # id() of the tables whose budget column a variant reads
    for vname, cfg, overrides in _variant_configs(base_cfg, variants_raw):
        col = Collector(file, vname)
        policy = policy_from_config(cfg, col)
        solver = _solver_options(cfg, col)
        problems.extend(col.problems)
        df, found = tables.read(vname, cfg, overrides)
        problems.extend(found)
        if df is None:
            continue
        policy, found = _pool_budgets(policy, cfg, df, file, vname)
        problems.extend(found)
        if policy.budget is not None and policy.budget.per_pool:
            budget_tables.add(id(df))
        problems.extend(check_policy_against_units(policy, df, file, vname,
                                                   tables.types_of(df)))
        variants[vname] = Variant(name=vname, policy=policy, solver=solver, units=df,
                                  units_file=cfg.get("scenario", {}).get("units"))
    problems.extend(_unused_budget_columns(variants.values(), budget_tables))
    if problems:
        raise InputError(dict.fromkeys(problems))  # variants share a table's problems
    return Scenario(
        name=str(name),
        variants=variants,
        path=path,
        description=scen.get("description"),
        input_hash="sha256:" + hasher.hexdigest(),
        warnings=tuple(tables.warnings),
    )


def _check_file_schema(data: Mapping[str, Any], file: str) -> None:
    """Every key of the file known and of its kind, in the top-level tables and in each
    ``[variants.<name>]`` (which may hold any of them); an :class:`InputError` listing every
    one that is not."""
    problems: list[Problem] = []
    top_schema = dict(_SCHEMA)
    top_schema["variants"] = ("table-of", {k: v for k, v in _SCHEMA.items()})
    _check_schema(dict(data), top_schema, "", problems, file)
    if problems:
        raise InputError(problems)


def _variant_configs(base_cfg: dict[str, Any], variants_raw: Mapping[str, Any]
                     ) -> list[tuple[str, dict[str, Any], Mapping[str, Any]]]:
    """``(name, tables, own tables)`` of the baseline and of each variant in file order: a
    variant's tables are the baseline's with its own merged in (:func:`deep_merge`)."""
    return [(BASELINE, base_cfg, {})] + [
        (vname, deep_merge(base_cfg, vraw), vraw)
        for vname, vraw in variants_raw.items()
        if vname != BASELINE
    ]


_TableKey = tuple[str, str | None, tuple[tuple[str, str], ...]]


class _UnitTables:
    """The units tables of a scenario's variants, each read once.

    Variants that name the same file, sheet and ``[columns]`` share one table (its problems
    and warnings are told once); every file read is added to the input hash ``hasher``. A
    DataFrame ``given`` in code stands for the baseline's table and for every variant that
    names no file of its own.
    """

    def __init__(self, base_dir: Path, file: str, given: pd.DataFrame | None,
                 hasher: Any):
        self.base_dir = base_dir
        self.file = file
        self.given = given
        self.hasher = hasher
        self.warnings: list[Problem] = []  # from each units table read, once
        self._tables: dict[_TableKey, pd.DataFrame | None] = {}
        self._types: dict[int, set[str]] = {}  # by id() of the tables held in _tables

    def read(self, variant: str, cfg: Mapping[str, Any], overrides: Mapping[str, Any]
             ) -> tuple[pd.DataFrame | None, list[Problem]]:
        """The units table of one variant (``None`` if there is none to use) and the
        problems found reading it, told the first time the table is asked for."""
        s = cfg.get("scenario", {})
        units_file = s.get("units")
        sheet = s.get("sheet")
        columns = cfg.get("columns") or None
        cols_key = tuple(sorted(columns.items())) if columns else ()
        own_file = "units" in overrides.get("scenario", {})
        given = self.given
        if given is not None and (variant == BASELINE or not own_file):
            return self._once(("<DataFrame>", None, cols_key),
                              lambda: normalize_units(given, columns=columns))
        if not units_file:
            if variant == BASELINE:
                return None, [Problem.of("units_path_missing", file=self.file,
                                         key="scenario.units")]
            return None, []
        upath = self.base_dir / units_file
        return self._once((units_file, sheet, cols_key),
                          lambda: self._read_file(upath, sheet, columns))

    def _read_file(self, upath: Path, sheet: Any, columns: Any) -> pd.DataFrame:
        """A units file, read and added to the input hash."""
        table = read_units(upath, sheet=sheet, columns=columns)
        self.hasher.update(upath.read_bytes())
        return table

    def _once(self, key: _TableKey, read: Callable[[], pd.DataFrame]
              ) -> tuple[pd.DataFrame | None, list[Problem]]:
        """The table under ``key``, read by ``read`` the first time (then its warnings are
        kept and its problems returned)."""
        if key in self._tables:
            return self._tables[key], []
        try:
            self._tables[key] = read()
            self.warnings.extend(table_warnings(self._tables[key]))
        except InputError as exc:
            self._tables[key] = None
            return None, list(exc.problems)
        return self._tables[key], []

    def types_of(self, table: pd.DataFrame) -> set[str]:
        """:func:`unit_types` of a table read here, looked up once (variants share it)."""
        if id(table) not in self._types:
            self._types[id(table)] = unit_types(table)
        return self._types[id(table)]


def _pool_budgets(policy: Policy, cfg: Mapping[str, Any], units: pd.DataFrame, file: str,
                  variant: str) -> tuple[Policy, list[Problem]]:
    """``policy`` with each pool's budget amount from ``[budget.pools]`` or the units table
    (:func:`quotaopt.budgets.resolve`), and the problems found."""
    col = Collector(file, variant)
    pools = table_pools(cfg, col)
    if col.problems:  # an amount is missing for a reason already told
        return policy, col.problems
    return resolve_pool_budgets(policy, units, file, pools)


def _unused_budget_columns(variants: Iterable[Variant],
                           budget_tables: set[int]) -> list[Problem]:
    """A budget column in a units table that no variant's per-pool budget reads: a problem
    (the user meant it to count)."""
    problems: list[Problem] = []
    for table in {id(v.units): v.units for v in variants}.values():
        if BUDGET_COLUMN in table.columns and id(table) not in budget_tables:
            header = str(table.attrs.get("budget_header", BUDGET_COLUMN))
            problems.append(Problem.of("budget_column_unused", file=table.attrs.get("source"),
                                       column=header, header=header))
    return problems


# --------------------------------------------------------------------------------------------
# Scenarios built in code


def _api_pool_budgets(policy: Policy, units: pd.DataFrame) -> tuple[Policy, list[Problem]]:
    """A policy built in code: its ``Budget.pools`` (if any) play ``[budget.pools]``."""
    b = policy.budget
    given = dict(b.pools) if b is not None and b.pools else None
    if given is not None and b is not None:
        policy = replace(policy, budget=replace(b, pools={}))
    return resolve_pool_budgets(policy, units, None, given)


def make_scenario(
    units: pd.DataFrame,
    policy: Policy | None = None,
    *,
    name: str = "scenario",
    solver: SolverOptions | None = None,
    variants: Mapping[str, Policy] | None = None,
) -> Scenario:
    """Build a scenario in code from a units DataFrame and :class:`Policy` objects.

    Examples
    --------
    >>> import pandas as pd, quotaopt
    >>> units = pd.DataFrame({"unit_id": ["A"], "type": ["school"], "total_posts": [20]})
    >>> sc = quotaopt.make_scenario(units, quotaopt.Policy(ratio=quotaopt.Ratio.parse("1:4:5")))
    >>> sc.units.loc[0, "total_posts"]
    np.int64(20)
    """
    df = normalize_units(units)
    policy = policy or Policy()
    solver = solver or SolverOptions()
    present = unit_types(df)
    problems = check_policy_against_units(policy, df, None, present=present)
    policy, found = _api_pool_budgets(policy, df)
    problems.extend(found)
    out = {BASELINE: Variant(BASELINE, policy, solver, df)}
    for vname, vpol in (variants or {}).items():
        problems.extend(check_policy_against_units(vpol, df, None, vname, present))
        vpol, found = _api_pool_budgets(vpol, df)
        problems.extend(found)
        out[vname] = Variant(vname, vpol, solver, df)
    if BUDGET_COLUMN in df.columns and not any(
            v.policy.budget is not None and v.policy.budget.per_pool for v in out.values()):
        problems.append(Problem.of("budget_column_unused", column=BUDGET_COLUMN,
                                   header=BUDGET_COLUMN))
    if problems:
        raise InputError(problems)
    digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes())
    return Scenario(name=name, variants=out, input_hash="sha256:" + digest.hexdigest(),
                    warnings=table_warnings(df))


__all__ = [
    # defined here
    "Scenario", "SolverOptions", "Variant", "load_scenario", "make_scenario",
    "scenario_from_dict", "deep_merge",
    # defined in quotaopt.scenario_policy (the policy tables' reader), importable from here
    "BASELINE", "MAX_DENOMINATOR", "check_policy_against_units", "unit_types",
    # the domain types (quotaopt.policy) and number limits (quotaopt.exact), re-exported for
    # the Python API users who import them from here
    "Budget", "BudgetScope", "Incumbents", "Level", "MinimumRule", "Policy", "Ratio",
    "Rounding", "Scope", "Shares", "TypePolicy", "MAX_DECIMALS", "MAX_NUMBER",
]
