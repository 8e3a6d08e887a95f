"""Scenarios: TOML files (plus variants) → frozen :class:`Scenario` objects.

All validation of scenario files happens here, before anything is built. Every problem is
collected and reported at once as one :class:`~quotaopt.errors.InputError`.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, Problem, approx
from .exact import (
    MAX_DECIMALS,
    MAX_NUMBER,
    NumberRangeError,
    decimal_fraction,
)
from .messages import CATALOGUE, render
from .policy import (
    Budget,
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
from .table import read_limited
from .units import (
    MAX_COUNT,
    UNIT_COLUMNS,
    normalize_units,
    read_units,
    source_rows,
    table_warnings,
    text_key,
)

BASELINE = "baseline"


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
            hint = render("did_you_mean", {"hint": _close(key, self.variants)})
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
        "source": _STR,
    },
    "solver": {"backend": _STR, "time_limit": _NUM, "method": _STR},
    # the header of each column, for headers the vocabulary does not know ("" = none)
    "columns": {c: _STR for c in UNIT_COLUMNS},
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
                                      hint=_close(key, schema), allowed=tuple(schema)))
                continue
            _check_schema(value, schema[key], path, out, file)
        return
    if isinstance(schema, tuple):
        kind, inner = schema
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


def _close(word: Any, choices: Any) -> str | None:
    """The choice most like ``word``, if one is close (for a did-you-mean)."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: tables merge key by key, anything else
    (numbers, text, arrays such as ``[[policy.minimum]]``) is replaced whole."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --------------------------------------------------------------------------------------------
# Building typed objects from validated dicts


class _Collector:
    def __init__(self, file: str | None, variant: str):
        self.file = file
        self.variant = variant
        self.problems: list[Problem] = []

    def add(self, key: str, code: str, **params: Any) -> None:
        """A problem of message ``code`` at ``key`` (a ``code`` that is no message code is
        taken as a sentence already written)."""
        if code in CATALOGUE:
            problem = Problem.of(code, file=self.file, key=key, **params)
        else:
            problem = Problem(code, file=self.file, key=key)
        if self.variant != BASELINE:
            problem = replace(problem, message=render(
                "in_variant", {"message": problem.message, "variant": self.variant}))
        self.problems.append(problem)

    def choice(self, table: Mapping[str, Any], key: str, path: str, enum: type[StrEnum],
               default: Any) -> Any:
        if key not in table:
            return default
        value = table[key]
        try:
            return enum(str(value).strip().lower())
        except ValueError:
            allowed = tuple(e.value for e in enum)  # type: ignore[attr-defined]
            self.add(path, "not_one_of", value=value, allowed=allowed,
                     hint=_close(value, allowed))
            return default

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        default: Fraction | None,
        lo: Fraction | None = None,
        hi: Fraction | None = None,
        positive: bool = False,
    ) -> Fraction | None:
        if key not in table:
            return default
        try:
            value = decimal_fraction(table[key])
        except NumberRangeError as exc:
            self.add(path, str(exc))
            return default
        if value is None:
            self.add(path, "not_a_number", value=table[key])
            return default
        if positive and value <= 0:
            self.add(path, "must_be_positive", value=value)
            return default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add(path, "must_be_between", low=lo or Fraction(0), high=hi or Fraction(0),
                     value=value)
            return default
        return value

    def ratio(self, table: Mapping[str, Any], key: str, path: str,
              default: Ratio | None) -> Ratio | None:
        if key not in table:
            return default
        try:
            return Ratio.parse(table[key])
        except ValueError as exc:
            self.add(path, str(exc))
            return default


def _build_policy(
    cfg: Mapping[str, Any], col: _Collector
) -> tuple[Policy, SolverOptions]:
    pol = cfg.get("policy", {}) if isinstance(cfg.get("policy"), dict) else {}
    ratio = col.ratio(pol, "ratio", "policy.ratio", Ratio.parse("1:4:5"))
    scope = col.choice(pol, "scope", "policy.scope", Scope, Scope.UNIT)
    rounding = col.choice(pol, "rounding", "policy.rounding", Rounding, Rounding.FLOOR)
    incumbents = col.choice(pol, "incumbents", "policy.incumbents", Incumbents, Incumbents.PROTECT)
    f = col.number(
        pol, "junior_to_intermediate", "policy.junior_to_intermediate", Fraction(0),
        Fraction(0), Fraction(1),
    )
    types: dict[str, TypePolicy] = {}
    raw_types = pol.get("types", {})
    if isinstance(raw_types, dict):
        for tname, traw in raw_types.items():
            if not isinstance(traw, dict):
                continue
            base = f"policy.types.{tname}"
            t_ratio = col.ratio(traw, "ratio", f"{base}.ratio", None)
            bonus = col.number(
                traw, "senior_bonus", f"{base}.senior_bonus", Fraction(0), Fraction(0), Fraction(1)
            )
            tf = col.number(
                traw, "junior_to_intermediate", f"{base}.junior_to_intermediate", None,
                Fraction(0), Fraction(1),
            )
            tp = TypePolicy(
                senior_bonus=bonus or Fraction(0),
                ratio=t_ratio,
                junior_to_intermediate=tf,
                source=traw.get("source"),
            )
            junior = (t_ratio or ratio or Ratio.parse("1:4:5")).shares[2]
            if tp.senior_bonus > junior:
                col.add(f"{base}.senior_bonus", "bonus_above_junior", bonus=tp.senior_bonus,
                        junior=junior)
            types[str(tname)] = tp
    minimum: list[MinimumRule] = []
    raw_min = pol.get("minimum", [])
    if isinstance(raw_min, list):
        for i, rule in enumerate(raw_min):
            if not isinstance(rule, dict):
                continue
            base = f"policy.minimum[{i + 1}]"
            level = col.choice(rule, "level", f"{base}.level", Level, None)
            if "level" not in rule:
                col.add(f"{base}.level", "minimum_level_missing")
            posts = rule.get("posts")
            if not isinstance(posts, int) or isinstance(posts, bool) or posts < 0:
                col.add(f"{base}.posts", "minimum_posts_invalid")
                posts = 0
            elif posts > MAX_COUNT:
                col.add(f"{base}.posts", "above_limit", value=posts, limit=MAX_COUNT)
                posts = 0
            when = rule.get("when_total_at_least", 0)
            if not isinstance(when, int) or isinstance(when, bool) or when < 0:
                col.add(f"{base}.when_total_at_least", "not_whole_number")
                when = 0
            elif when > MAX_COUNT:
                col.add(f"{base}.when_total_at_least", "above_limit", value=when,
                        limit=MAX_COUNT)
                when = 0
            if level is not None:
                minimum.append(
                    MinimumRule(level, posts, rule.get("type"), when, rule.get("source"))
                )
    at_least_one: list[Level] = []
    raw_alo = pol.get("at_least_one", [])
    for i, name in enumerate(raw_alo if isinstance(raw_alo, list) else []):
        key = f"policy.at_least_one[{i + 1}]"
        text = name.strip().lower() if isinstance(name, str) else None
        if text == Level.JUNIOR.value:
            col.add(key, "at_least_one_junior")
        elif text in (Level.SENIOR.value, Level.INTERMEDIATE.value):
            if Level(text) not in at_least_one:
                at_least_one.append(Level(text))
        else:
            col.add(key, "at_least_one_not_level", name=name)
    obj = cfg.get("objective", {}) if isinstance(cfg.get("objective"), dict) else {}
    weights = obj.get("weights", {}) if isinstance(obj.get("weights"), dict) else {}
    ws = col.number(weights, "senior", "objective.weights.senior", Fraction(1), positive=True)
    wm = col.number(
        weights, "intermediate", "objective.weights.intermediate", Fraction(1), positive=True
    )
    budget = None
    if isinstance(cfg.get("budget"), dict):
        b = cfg["budget"]
        cost = b.get("cost", {}) if isinstance(b.get("cost"), dict) else {}
        for lvl in ("senior", "intermediate", "junior"):
            if lvl not in cost:
                col.add(f"budget.cost.{lvl}", "budget_cost_missing")
        if "max_increase" not in b:
            col.add("budget.max_increase", "budget_max_missing")
        cs = col.number(cost, "senior", "budget.cost.senior", Fraction(0), lo=Fraction(0))
        cm = col.number(cost, "intermediate", "budget.cost.intermediate", Fraction(0),
                        lo=Fraction(0))
        cj = col.number(cost, "junior", "budget.cost.junior", Fraction(0), lo=Fraction(0))
        mx = col.number(b, "max_increase", "budget.max_increase", Fraction(0))
        if mx is not None and mx < 0:
            col.add("budget.max_increase", "budget_negative", value=mx)
        if cs is not None and cm is not None and cj is not None and not cs >= cm >= cj:
            col.add("budget.cost", "budget_costs_fall")
        budget = Budget(cs or Fraction(0), cm or Fraction(0), cj or Fraction(0),
                        mx or Fraction(0), b.get("source"))
    sol = cfg.get("solver", {}) if isinstance(cfg.get("solver"), dict) else {}
    backend = sol.get("backend")
    if isinstance(backend, str):
        backend = backend.strip()
        if backend.lower() in ("highs", "cbc"):
            backend = backend.lower()
        elif not backend.startswith("pulp:") or len(backend) <= 5:
            col.add("solver.backend", "solver_backend_invalid", backend=backend,
                    hint=_close(backend, ["highs", "cbc"]))
            backend = None
    time_limit = col.number(sol, "time_limit", "solver.time_limit", None, positive=True)
    method = str(sol.get("method", "auto")).strip().lower()
    if method not in ("auto", "mip"):
        col.add("solver.method", "solver_method_invalid", method=sol.get("method"))
        method = "auto"
    policy = Policy(
        ratio=ratio or Ratio.parse("1:4:5"),
        scope=scope,
        rounding=rounding,
        junior_to_intermediate=f if f is not None else Fraction(0),
        incumbents=incumbents,
        types=types,
        minimum=tuple(minimum),
        weight_senior=ws or Fraction(1),
        weight_intermediate=wm or Fraction(1),
        budget=budget,
        source=pol.get("source"),
        at_least_one=tuple(sorted(at_least_one, key=list(Level).index)),
    )
    return policy, SolverOptions(
        backend=backend, time_limit=float(time_limit) if time_limit is not None else None,
        method=method,
    )


def check_policy_against_units(
    policy: Policy, units: pd.DataFrame, file: str | None, variant: str = BASELINE,
    present: set[str] | None = None,
) -> list[Problem]:
    """Rules that name a unit type must name one that the units table has.

    ``present`` is :func:`unit_types` of ``units`` when the caller already has it.
    """
    if present is None:
        present = unit_types(units)
    col = _Collector(file, variant)
    for tname in policy.types:
        if tname not in present:
            col.add(f"policy.types.{tname}", "type_not_in_units", type=tname,
                    hint=_close(tname, present), present=tuple(present))
    for i, rule in enumerate(policy.minimum):
        if rule.type is not None and rule.type not in present:
            col.add(f"policy.minimum[{i + 1}].type", "type_not_in_units", type=rule.type,
                    hint=_close(rule.type, present), present=tuple(present))
    problems = col.problems
    problems.extend(_lookalike_types(policy, units, present, file))
    _denominator_problems(policy, present, col)
    return problems


def _type_key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", text_key(name)).casefold()


def _one_slip(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter replaced, added or removed (or two swapped)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _lookalike_types(policy: Policy, units: pd.DataFrame, present: set[str],
                     file: str | None) -> list[Problem]:
    """A type of the table that is not a policy type but differs from one only by case,
    width, spacing or one letter: its rules would silently not apply — an error naming the
    rows. A type the policy does not name at all stays valid."""
    named = set(policy.types) | {r.type for r in policy.minimum if r.type is not None}
    if not named:
        return []
    keys = {_type_key(t): t for t in named}
    problems: list[Problem] = []
    for t in sorted(present - named):
        key = _type_key(t)
        match = keys.get(key) or next(
            (keys[k] for k in sorted(keys) if len(key) >= 4 and _one_slip(key, k)), None)
        if match is None:
            continue
        mask = (units["type"].astype(str) == t).to_numpy()
        rows = tuple(int(r) for r in source_rows(units)[mask])
        if "source" in units.attrs:  # the rows are the units file's
            where = {"file": units.attrs["source"], "row": rows[0],
                     "column": units.attrs.get("type_header", "type")}
        else:
            where = {"file": file, "key": "units.type"}
        problems.append(Problem.of("type_lookalike", type=t, policy_type=match, rows=rows,
                                   **where))
    return problems


MAX_DENOMINATOR = 10**12
"""Largest common denominator of the shares of a variant's unit types (see docs/reliability.md):
every cap is computed over it exactly, and the MIP must hold ``denominator × posts``."""


def _denominator_problems(policy: Policy, present: set[str], col: _Collector) -> None:
    """The shares of all types present, over one denominator, must stay computable exactly."""
    used = [t for t in policy.types if t in present]
    if any(t not in policy.types for t in present):
        used.append("")  # the types without their own rules share the base policy
    den = 1
    for t in used:
        try:
            sh = policy.shares_for(t)
        except ValueError:
            continue  # reported where the bonus is set
        for v in (sh.senior, sh.intermediate, sh.senior_intermediate_cap_share):
            den = math.lcm(den, v.denominator)
        if den > MAX_DENOMINATOR:
            break
    if den > MAX_DENOMINATOR:
        col.add("policy.ratio", "denominator_too_large", denominator=approx(den))


def unit_types(units: pd.DataFrame) -> set[str]:
    """The distinct unit types of a table, as text."""
    return set(units["type"].astype(str).unique().tolist()) if "type" in units else set()


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
    return scenario_from_dict(data, base_dir=path.parent, file=file, path=path,
                              raw_bytes=raw_bytes)


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
    problems: list[Problem] = []
    top_schema = dict(_SCHEMA)
    top_schema["variants"] = ("table-of", {k: v for k, v in _SCHEMA.items()})
    _check_schema(dict(data), top_schema, "", problems, file)
    if problems:
        raise InputError(problems)
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
    unit_cache: dict[tuple[str, str | None, tuple[tuple[str, str], ...]],
                     pd.DataFrame | None] = {}
    warnings: list[Problem] = []  # from each units table read, once
    types_cache: dict[int, set[str]] = {}  # by id() of the tables held in unit_cache
    configs = [(BASELINE, base_cfg, {})] + [
        (vname, deep_merge(base_cfg, vraw), vraw)
        for vname, vraw in variants_raw.items()
        if vname != BASELINE
    ]
    variants: dict[str, Variant] = {}
    for vname, cfg, overrides in configs:
        col = _Collector(file, vname)
        policy, solver = _build_policy(cfg, col)
        problems.extend(col.problems)
        s = cfg.get("scenario", {})
        units_file = s.get("units")
        sheet = s.get("sheet")
        columns = cfg.get("columns") or None
        cols_key = tuple(sorted(columns.items())) if columns else ()
        df: pd.DataFrame | None
        own_file = "units" in overrides.get("scenario", {})
        if units is not None and (vname == BASELINE or not own_file):
            key = ("<DataFrame>", None, cols_key)
            if key not in unit_cache:
                try:
                    unit_cache[key] = normalize_units(units, columns=columns)
                    warnings.extend(table_warnings(unit_cache[key]))
                except InputError as exc:
                    problems.extend(exc.problems)
                    unit_cache[key] = None
            df = unit_cache[key]
        elif not units_file:
            if vname == BASELINE:
                problems.append(
                    Problem.of("units_path_missing", file=file, key="scenario.units")
                )
            df = None
        else:
            key = (units_file, sheet, cols_key)
            if key not in unit_cache:
                upath = Path(base_dir) / units_file
                try:
                    unit_cache[key] = read_units(upath, sheet=sheet, columns=columns)
                    hasher.update(upath.read_bytes())
                    warnings.extend(table_warnings(unit_cache[key]))
                except InputError as exc:
                    problems.extend(exc.problems)
                    unit_cache[key] = None
            df = unit_cache[key]
        if df is None:
            continue
        if id(df) not in types_cache:  # variants share their units table: look once
            types_cache[id(df)] = unit_types(df)
        problems.extend(check_policy_against_units(policy, df, file, vname,
                                                   types_cache[id(df)]))
        variants[vname] = Variant(
            name=vname,
            policy=policy,
            solver=solver,
            units=df,
            units_file=units_file,
        )
    if problems:
        raise InputError(dict.fromkeys(problems))  # variants share a table's problems
    return Scenario(
        name=str(name),
        variants=variants,
        path=path,
        description=scen.get("description"),
        input_hash="sha256:" + hasher.hexdigest(),
        warnings=tuple(warnings),
    )


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
    out = {BASELINE: Variant(BASELINE, policy, solver, df)}
    for vname, vpol in (variants or {}).items():
        problems.extend(check_policy_against_units(vpol, df, None, vname, present))
        out[vname] = Variant(vname, vpol, solver, df)
    if problems:
        raise InputError(problems)
    digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).values.tobytes())
    return Scenario(name=name, variants=out, input_hash="sha256:" + digest.hexdigest(),
                    warnings=table_warnings(df))


__all__ = [
    # defined here
    "BASELINE", "Scenario", "SolverOptions", "Variant", "load_scenario", "make_scenario",
    "scenario_from_dict", "check_policy_against_units", "deep_merge", "unit_types",
    # the domain types (quotaopt.policy) and number limits (quotaopt.exact), re-exported for
    # the Python API users who import them from here
    "Budget", "Incumbents", "Level", "MinimumRule", "Policy", "Ratio", "Rounding", "Scope",
    "Shares", "TypePolicy", "MAX_DECIMALS", "MAX_NUMBER",
]
