"""The policy tables of a scenario file → a typed :class:`~quotaopt.policy.Policy`.

``[policy]`` (ratio, scope, rounding, incumbents, ``[policy.types.*]``, ``[[policy.minimum]]``,
``at_least_one``), ``[objective.weights]`` and ``[budget]`` are read here, section by section,
from a mapping whose keys and kinds :mod:`quotaopt.scenario` has already checked; every value
that is out of range or not one of its choices becomes a :class:`~quotaopt.errors.Problem`
naming its key, collected by a :class:`Collector` so that all of them are told at once. The
checks of a policy against a units table (types the rules name, look-alike types, the common
denominator of the shares) live here too.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from enum import StrEnum
from fractions import Fraction
from typing import Any

import pandas as pd

from .errors import Problem, approx
from .exact import NumberRangeError, decimal_fraction
from .messages import CATALOGUE, render
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
    TypePolicy,
)
from .units import MAX_COUNT, source_rows, text_key

BASELINE = "baseline"
"""The name of a scenario's base variant (the top-level tables of the file)."""

_DEFAULT_RATIO = "1:4:5"  # senior:intermediate:junior when ``policy.ratio`` is not given


def closest(word: Any, choices: Any) -> str | None:
    """The choice most like ``word``, if one is close (for a did-you-mean).

    >>> closest("baseilne", ["baseline", "budget"])
    'baseline'
    >>> closest("xyz", ["baseline"]) is None
    True
    """
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


class Collector:
    """The problems found in one variant of a scenario file, each with its key.

    The reading helpers (:meth:`choice`, :meth:`number`, :meth:`ratio`) return the value of a
    key, or its default after noting why the value cannot be used.
    """

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
        """``table[key]`` as a member of ``enum`` (case and spaces ignored), else ``default``."""
        if key not in table:
            return default
        value = table[key]
        try:
            return enum(str(value).strip().lower())
        except ValueError:
            allowed = tuple(e.value for e in enum)  # type: ignore[attr-defined]
            self.add(path, "not_one_of", value=value, allowed=allowed,
                     hint=closest(value, allowed))
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
        """``table[key]`` as an exact number (in ``lo`` … ``hi``, or > 0 when ``positive``),
        else ``default``."""
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
        """``table[key]`` as a :class:`Ratio` (``"1:4:5"``), else ``default``."""
        if key not in table:
            return default
        try:
            return Ratio.parse(table[key])
        except ValueError as exc:
            self.add(path, str(exc))
            return default

    def post_count(self, value: Any, path: str, code: str) -> int:
        """``value`` as a count of posts (0 … :data:`~quotaopt.units.MAX_COUNT`); otherwise
        0, after a problem at ``path`` (message ``code`` when it is no whole number ≥ 0)."""
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.add(path, code)
            return 0
        if value > MAX_COUNT:
            self.add(path, "above_limit", value=value, limit=MAX_COUNT)
            return 0
        return value


def _table(cfg: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The table ``cfg[key]``, or an empty one when it is absent (or not a table: the schema
    check has told that already)."""
    value = cfg.get(key, {})
    return value if isinstance(value, dict) else {}


def policy_from_config(cfg: Mapping[str, Any], col: Collector) -> Policy:
    """The :class:`Policy` of one variant's merged tables; problems go to ``col``.

    The sections are read in the order of the file's documentation (``[policy]``, its types,
    minimum rules and ``at_least_one``, ``[objective]``, ``[budget]``), so the problems are
    told in that order.

    >>> col = Collector("s.toml", "baseline")
    >>> policy = policy_from_config({"policy": {"ratio": "1:3:6", "scope": "pool"}}, col)
    >>> str(policy.ratio), policy.scope.value, col.problems
    ('1:3:6', 'pool', [])
    >>> policy = policy_from_config({"policy": {"scope": "county"}}, col)
    >>> policy.scope.value, [problem.key for problem in col.problems]
    ('unit', ['policy.scope'])
    """
    pol = _table(cfg, "policy")
    ratio = col.ratio(pol, "ratio", "policy.ratio", Ratio.parse(_DEFAULT_RATIO))
    scope = col.choice(pol, "scope", "policy.scope", Scope, Scope.UNIT)
    rounding = col.choice(pol, "rounding", "policy.rounding", Rounding, Rounding.FLOOR)
    incumbents = col.choice(pol, "incumbents", "policy.incumbents", Incumbents, Incumbents.PROTECT)
    f = col.number(
        pol, "junior_to_intermediate", "policy.junior_to_intermediate", Fraction(0),
        Fraction(0), Fraction(1),
    )
    types = _type_policies(pol, ratio, col)
    minimum = _minimum_rules(pol, col)
    at_least_one = _at_least_one(pol, col)
    ws, wm = _objective_weights(cfg, col)
    budget = _budget(cfg, col)
    return Policy(
        ratio=ratio or Ratio.parse(_DEFAULT_RATIO),
        scope=scope,
        rounding=rounding,
        junior_to_intermediate=f if f is not None else Fraction(0),
        incumbents=incumbents,
        types=types,
        minimum=minimum,
        weight_senior=ws or Fraction(1),
        weight_intermediate=wm or Fraction(1),
        budget=budget,
        source=pol.get("source"),
        at_least_one=at_least_one,
    )


def _type_policies(pol: Mapping[str, Any], ratio: Ratio | None,
                   col: Collector) -> dict[str, TypePolicy]:
    """``[policy.types.<type>]``: each type's own ratio, senior bonus and transfer share.

    A senior bonus larger than the junior share of the type's ratio (``ratio`` when the type
    has none) is a problem: the bonus is taken from the junior posts.
    """
    types: dict[str, TypePolicy] = {}
    raw_types = pol.get("types", {})
    if not isinstance(raw_types, dict):
        return types
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
        junior = (t_ratio or ratio or Ratio.parse(_DEFAULT_RATIO)).shares[2]
        if tp.senior_bonus > junior:
            col.add(f"{base}.senior_bonus", "bonus_above_junior", bonus=tp.senior_bonus,
                    junior=junior)
        types[str(tname)] = tp
    return types


def _minimum_rules(pol: Mapping[str, Any], col: Collector) -> tuple[MinimumRule, ...]:
    """``[[policy.minimum]]``: at least ``posts`` posts of ``level`` (for one ``type``, from
    ``when_total_at_least`` total posts). A rule without a valid level is left out after its
    problem is told."""
    minimum: list[MinimumRule] = []
    raw_min = pol.get("minimum", [])
    if not isinstance(raw_min, list):
        return ()
    for i, rule in enumerate(raw_min):
        if not isinstance(rule, dict):
            continue
        base = f"policy.minimum[{i + 1}]"
        level = col.choice(rule, "level", f"{base}.level", Level, None)
        if "level" not in rule:
            col.add(f"{base}.level", "minimum_level_missing")
        posts = col.post_count(rule.get("posts"), f"{base}.posts", "minimum_posts_invalid")
        when = col.post_count(rule.get("when_total_at_least", 0),
                              f"{base}.when_total_at_least", "not_whole_number")
        if level is not None:
            minimum.append(MinimumRule(level, posts, rule.get("type"), when, rule.get("source")))
    return tuple(minimum)


def _at_least_one(pol: Mapping[str, Any], col: Collector) -> tuple[Level, ...]:
    """``policy.at_least_one``: the levels (senior, intermediate) every unit keeps one post
    of, each once, in level order."""
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
    return tuple(sorted(at_least_one, key=list(Level).index))


def _objective_weights(cfg: Mapping[str, Any],
                       col: Collector) -> tuple[Fraction | None, Fraction | None]:
    """``[objective.weights]``: the weights of a senior and an intermediate appointment
    (each > 0, default 1)."""
    weights = _table(_table(cfg, "objective"), "weights")
    ws = col.number(weights, "senior", "objective.weights.senior", Fraction(1), positive=True)
    wm = col.number(
        weights, "intermediate", "objective.weights.intermediate", Fraction(1), positive=True
    )
    return ws, wm


def _budget(cfg: Mapping[str, Any], col: Collector) -> Budget | None:
    """``[budget]``: the cost of a post per level and the largest increase, for the whole
    county (``max_increase``) or per pool (``scope = "pool"``, amounts from ``[budget.pools]``
    or the units table, resolved later by :func:`quotaopt.budgets.resolve`)."""
    if not isinstance(cfg.get("budget"), dict):
        return None
    b = cfg["budget"]
    cost = _table(b, "cost")
    for lvl in ("senior", "intermediate", "junior"):
        if lvl not in cost:
            col.add(f"budget.cost.{lvl}", "budget_cost_missing")
    b_scope = col.choice(b, "scope", "budget.scope", BudgetScope, BudgetScope.ALL)
    per_pool = b_scope is BudgetScope.POOL
    if per_pool and "max_increase" in b:
        col.add("budget.max_increase", "budget_scope_pool_max_increase")
    elif "max_increase" not in b and not per_pool:
        col.add("budget.max_increase", "budget_max_missing")
    if "pools" in b and not per_pool and "scope" not in b:
        col.add("budget.pools", "budget_pools_need_scope")
    elif "pools" in b and not per_pool:
        col.add("budget.scope", "budget_pools_need_scope")
    cs = col.number(cost, "senior", "budget.cost.senior", Fraction(0), lo=Fraction(0))
    cm = col.number(cost, "intermediate", "budget.cost.intermediate", Fraction(0),
                    lo=Fraction(0))
    cj = col.number(cost, "junior", "budget.cost.junior", Fraction(0), lo=Fraction(0))
    mx = col.number(b, "max_increase", "budget.max_increase", Fraction(0))
    if mx is not None and mx < 0:
        col.add("budget.max_increase", "budget_negative", value=mx)
    if cs is not None and cm is not None and cj is not None and not cs >= cm >= cj:
        col.add("budget.cost", "budget_costs_fall")
    return Budget(cs or Fraction(0), cm or Fraction(0), cj or Fraction(0),
                  mx or Fraction(0), b.get("source"), scope=b_scope)


def table_pools(cfg: Mapping[str, Any], col: Collector) -> dict[str, Fraction] | None:
    """The scenario's ``[budget.pools]`` (pool name → amount ≥ 0), or ``None``."""
    b = cfg.get("budget")
    raw = b.get("pools") if isinstance(b, dict) else None
    if not isinstance(raw, dict):
        return None
    out: dict[str, Fraction] = {}
    for name in raw:
        amount = col.number(raw, name, f"budget.pools.{name}", None)
        if amount is not None and amount < 0:
            col.add(f"budget.pools.{name}", "budget_negative", value=amount)
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
    col = Collector(file, variant)
    for tname in policy.types:
        if tname not in present:
            col.add(f"policy.types.{tname}", "type_not_in_units", type=tname,
                    hint=closest(tname, present), present=tuple(present))
    for i, rule in enumerate(policy.minimum):
        if rule.type is not None and rule.type not in present:
            col.add(f"policy.minimum[{i + 1}].type", "type_not_in_units", type=rule.type,
                    hint=closest(rule.type, present), present=tuple(present))
    problems = col.problems
    problems.extend(_lookalike_types(policy, units, present, file))
    _denominator_problems(policy, present, col)
    return problems


def _type_key(name: str) -> str:
    """A unit type as compared for look-alikes: NFKC, no spaces, ``_`` or ``-``, any case."""
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


def _denominator_problems(policy: Policy, present: set[str], col: Collector) -> None:
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

