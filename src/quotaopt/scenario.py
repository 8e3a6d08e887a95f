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

from .budgets import resolve as resolve_pool_budgets
from .errors import InputError, Problem, approx
from .exact import (
    MAX_DECIMALS,
    MAX_NUMBER,
    NumberRangeError,
    decimal_fraction,
    fmt_number,
    fmt_pct,
)
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
from .table import read_limited
from .units import (
    BUDGET_COLUMN,
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
            hint = _did_you_mean(key, self.variants)
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
            out.append(Problem(f"expected a table, got {_tname(data)}", file=file, key=where))
            return
        for key, value in data.items():
            path = f"{where}.{key}" if where else key
            if key not in schema:
                out.append(
                    Problem(
                        f"unknown key{_did_you_mean(key, schema)}; allowed here: "
                        + ", ".join(schema),
                        file=file,
                        key=path,
                    )
                )
                continue
            _check_schema(value, schema[key], path, out, file)
        return
    if isinstance(schema, tuple):
        kind, inner = schema
        if kind == "map-of":  # any keys (names the user chooses), each value of one kind
            if not isinstance(data, dict):
                out.append(Problem(f"expected a table, got {_tname(data)}", file=file, key=where))
                return
            for name, sub in data.items():
                _check_schema(sub, inner, f"{where}.{name}", out, file)
            return
        if kind == "table-of":
            if not isinstance(data, dict):
                out.append(Problem(f"expected a table, got {_tname(data)}", file=file, key=where))
                return
            for name, sub in data.items():
                _check_schema(sub, inner, f"{where}.{name}", out, file)
        else:
            if not isinstance(data, list):
                out.append(
                    Problem(
                        f"expected an array of tables ([[{where}]]), got {_tname(data)}",
                        file=file,
                        key=where,
                    )
                )
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
        out.append(Problem(f"expected a {schema}, got {_tname(data)}", file=file, key=where))


def _tname(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return f"text {value!r}"
    return f"{type(value).__name__} {value!r}"


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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
    def __init__(self, file: str, variant: str):
        self.file = file
        self.variant = variant
        self.problems: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        if self.variant != BASELINE:
            message = f"{message} (in variant {self.variant!r})"
        self.problems.append(Problem(message, file=self.file, key=key))

    def choice(self, table: Mapping[str, Any], key: str, path: str, enum: type[StrEnum],
               default: Any) -> Any:
        if key not in table:
            return default
        value = table[key]
        try:
            return enum(str(value).strip().lower())
        except ValueError:
            allowed = " | ".join(e.value for e in enum)  # type: ignore[attr-defined]
            hint = _did_you_mean(value, allowed.split(" | "))
            self.add(path, f"{value!r} is not one of {allowed}{hint}")
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
            self.add(path, f"{table[key]!r} is not a number")
            return default
        if positive and value <= 0:
            self.add(path, f"must be greater than 0, got {fmt_number(value)}")
            return default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.add(
                path,
                f"must be between {fmt_number(lo or Fraction(0))} and "
                f"{fmt_number(hi or Fraction(0))}, got {fmt_number(value)}",
            )
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
                col.add(
                    f"{base}.senior_bonus",
                    f"the bonus {fmt_pct(tp.senior_bonus)} is larger than the junior share "
                    f"{fmt_pct(junior)} it is taken from; lower the bonus or change the ratio",
                )
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
                col.add(f"{base}.level", "missing: say senior, intermediate or junior")
            posts = rule.get("posts")
            if not isinstance(posts, int) or isinstance(posts, bool) or posts < 0:
                col.add(f"{base}.posts", "missing or not a whole number ≥ 0")
                posts = 0
            elif posts > MAX_COUNT:
                col.add(f"{base}.posts", f"is {posts}, above the limit of {MAX_COUNT:,}")
                posts = 0
            when = rule.get("when_total_at_least", 0)
            if not isinstance(when, int) or isinstance(when, bool) or when < 0:
                col.add(f"{base}.when_total_at_least", "must be a whole number ≥ 0")
                when = 0
            elif when > MAX_COUNT:
                col.add(f"{base}.when_total_at_least",
                        f"is {when}, above the limit of {MAX_COUNT:,}")
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
            col.add(key, "junior posts have no cap (they are the posts the senior and "
                    "intermediate caps leave), so 'at least one' cannot raise one; list senior "
                    "and/or intermediate")
        elif text in (Level.SENIOR.value, Level.INTERMEDIATE.value):
            if Level(text) not in at_least_one:
                at_least_one.append(Level(text))
        else:
            col.add(key, f"{name!r} is not a level: write senior and/or intermediate, e.g. "
                    'at_least_one = ["senior"]')
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
                col.add(f"budget.cost.{lvl}", "missing: a budget needs the cost of each level")
        b_scope = col.choice(b, "scope", "budget.scope", BudgetScope, BudgetScope.ALL)
        per_pool = b_scope is BudgetScope.POOL
        if per_pool and "max_increase" in b:
            col.add("budget.max_increase", Problem.of("budget_scope_pool_max_increase").message)
        elif "max_increase" not in b and not per_pool:
            col.add("budget.max_increase", "missing: the largest allowed cost increase")
        if "pools" in b and not per_pool and "scope" not in b:
            col.add("budget.pools", Problem.of("budget_pools_need_scope").message)
        elif "pools" in b and not per_pool:
            col.add("budget.scope", Problem.of("budget_pools_need_scope").message)
        cs = col.number(cost, "senior", "budget.cost.senior", Fraction(0), lo=Fraction(0))
        cm = col.number(cost, "intermediate", "budget.cost.intermediate", Fraction(0),
                        lo=Fraction(0))
        cj = col.number(cost, "junior", "budget.cost.junior", Fraction(0), lo=Fraction(0))
        mx = col.number(b, "max_increase", "budget.max_increase", Fraction(0))
        if mx is not None and mx < 0:
            col.add(
                "budget.max_increase",
                f"is {fmt_number(mx)}, below zero: no plan can cost less than nothing; "
                "set 0 or more",
            )
        if cs is not None and cm is not None and cj is not None and not cs >= cm >= cj:
            col.add(
                "budget.cost",
                "costs must not fall with the level (senior ≥ intermediate ≥ junior)",
            )
        budget = Budget(cs or Fraction(0), cm or Fraction(0), cj or Fraction(0),
                        mx or Fraction(0), b.get("source"), scope=b_scope)
    sol = cfg.get("solver", {}) if isinstance(cfg.get("solver"), dict) else {}
    backend = sol.get("backend")
    if isinstance(backend, str):
        backend = backend.strip()
        if backend.lower() in ("highs", "cbc"):
            backend = backend.lower()
        elif not backend.startswith("pulp:") or len(backend) <= 5:
            col.add(
                "solver.backend",
                f"{backend!r} is not highs, cbc or pulp:<PuLP solver class name>"
                + _did_you_mean(backend, ["highs", "cbc"]),
            )
            backend = None
    time_limit = col.number(sol, "time_limit", "solver.time_limit", None, positive=True)
    method = str(sol.get("method", "auto")).strip().lower()
    if method not in ("auto", "mip"):
        col.add("solver.method", f"{sol.get('method')!r} is not auto or mip")
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


def _table_pools(cfg: Mapping[str, Any], col: _Collector) -> dict[str, Fraction] | None:
    """The scenario's ``[budget.pools]`` (pool name → amount ≥ 0), or ``None``."""
    b = cfg.get("budget")
    raw = b.get("pools") if isinstance(b, dict) else None
    if not isinstance(raw, dict):
        return None
    out: dict[str, Fraction] = {}
    for name in raw:
        amount = col.number(raw, name, f"budget.pools.{name}", None)
        if amount is not None and amount < 0:
            col.add(f"budget.pools.{name}", f"is {fmt_number(amount)}, below zero: no plan "
                    "can cost less than nothing; set 0 or more")
        elif amount is not None:
            out[str(name)] = amount
    return out


def check_policy_against_units(
    policy: Policy, units: pd.DataFrame, file: str | None, variant: str = BASELINE,
    present: set[str] | None = None,
) -> list[Problem]:
    """Rules that name a unit type must name one that the units table has.

    ``present`` is :func:`unit_types` of ``units`` when the caller already has it.
    """
    if present is None:
        present = unit_types(units)
    problems: list[Problem] = []
    suffix = "" if variant == BASELINE else f" (in variant {variant!r})"
    for tname in policy.types:
        if tname not in present:
            problems.append(
                Problem(
                    f"type {tname!r} does not occur in the units table"
                    f"{_did_you_mean(tname, present)}; types present: "
                    + _listed(present) + suffix,
                    file=file,
                    key=f"policy.types.{tname}",
                )
            )
    for i, rule in enumerate(policy.minimum):
        if rule.type is not None and rule.type not in present:
            problems.append(
                Problem(
                    f"type {rule.type!r} does not occur in the units table"
                    f"{_did_you_mean(rule.type, present)}; types present: "
                    + _listed(present) + suffix,
                    file=file,
                    key=f"policy.minimum[{i + 1}].type",
                )
            )
    problems.extend(_lookalike_types(policy, units, present, file))
    problems.extend(_denominator_problems(policy, present, file, suffix))
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


def _denominator_problems(policy: Policy, present: set[str], file: str | None,
                          suffix: str) -> list[Problem]:
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
    if den <= MAX_DENOMINATOR:
        return []
    return [Problem(
        f"the shares of the unit types have the common denominator {approx(den)}, above the "
        "limit "
        f"of 10^12 for exact arithmetic: use ratios, bonuses and junior_to_intermediate "
        f"values with fewer decimal places{suffix}", file=file, key="policy.ratio")]


def _listed(names: set[str], limit: int = 20) -> str:
    """Sorted names, the first ``limit`` of them, for a message."""
    shown = sorted(names)
    more = f" … and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


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
                return (f"line {line}: arrays or inline tables are nested more than "
                        f"{MAX_NESTING} levels deep; a scenario needs a few at most")
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
        raise InputError([Problem("is a folder, not a scenario file", file=str(path))])
    raw_bytes = read_limited(path, str(path), MAX_SCENARIO_BYTES)
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [Problem(f"is not UTF-8 text (byte {exc.start}); save the scenario as UTF-8",
                     file=file)]
        ) from None
    too_deep = _nesting_problem(text)
    if too_deep:
        raise InputError([Problem(too_deep, file=file)])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(f"is not valid TOML: {exc}", file=file)]) from None
    except RecursionError:  # cannot happen within MAX_NESTING; kept as the last guard
        raise InputError([Problem(f"is nested too deeply (more than {MAX_NESTING} levels)",
                                  file=file)]) from None
    if _depth(data) > MAX_NESTING:  # dotted keys (a.b.c.… = 1) nest without brackets
        raise InputError([Problem(f"has keys nested more than {MAX_NESTING} levels deep; a "
                                  "scenario needs a few at most", file=file)])
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
            Problem(f"{BASELINE!r} is the name of the base scenario; rename this variant",
                    file=file, key=f"variants.{BASELINE}")
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
    budget_tables: set[int] = set()  # id() of the tables whose budget column a variant reads
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
                    Problem("missing: the path of the units table (CSV or XLSX), relative to "
                            "this file", file=file, key="scenario.units")
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
        pool_col = _Collector(file, vname)
        table_pools = _table_pools(cfg, pool_col)
        problems.extend(pool_col.problems)
        if not pool_col.problems:  # else an amount is missing for a reason already told
            policy, budget_problems = resolve_pool_budgets(policy, df, file, table_pools)
            problems.extend(budget_problems)
        if policy.budget is not None and policy.budget.per_pool:
            budget_tables.add(id(df))
        problems.extend(check_policy_against_units(policy, df, file, vname,
                                                   types_cache[id(df)]))
        variants[vname] = Variant(
            name=vname,
            policy=policy,
            solver=solver,
            units=df,
            units_file=units_file,
        )
    for table in {id(v.units): v.units for v in variants.values()}.values():
        if BUDGET_COLUMN in table.columns and id(table) not in budget_tables:
            header = str(table.attrs.get("budget_header", BUDGET_COLUMN))
            problems.append(Problem.of("budget_column_unused", file=table.attrs.get("source"),
                                       column=header, header=header))
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
    "BASELINE", "Scenario", "SolverOptions", "Variant", "load_scenario", "make_scenario",
    "scenario_from_dict", "check_policy_against_units", "deep_merge", "unit_types",
    # the domain types (quotaopt.policy) and number limits (quotaopt.exact), re-exported for
    # the Python API users who import them from here
    "Budget", "BudgetScope", "Incumbents", "Level", "MinimumRule", "Policy", "Ratio",
    "Rounding", "Scope", "Shares", "TypePolicy", "MAX_DECIMALS", "MAX_NUMBER",
]
