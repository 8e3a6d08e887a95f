"""What one variant changes against another: the *resolved* policies (after the TOML
deep-merge), the solver options and the units tables, each difference a :class:`RuleChange`
kept as data (its words rendered when shown). An override that repeats the baseline's value is
not a change, and ``2:8:10`` is the same ratio as ``1:4:5``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from .i18n import _
from .messages import render
from .numfmt import exact, money, percent
from .policy import Policy, Ratio, TypePolicy
from .scenario import Variant


@dataclass(frozen=True)
class RuleChange:
    """One difference between the resolved policies (or units tables) of two variants.

    ``key`` is the scenario key it comes from (e.g. ``policy.types.health_centre.senior_bonus``),
    ``label`` the plain-language name, ``before``/``after`` the baseline's and the variant's
    value as text (``None``: the rule exists on one side only).
    """

    key: str
    label: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        return render("rule_change", {"label": self.label, "before": self.before,
                                      "after": self.after})


def _ratio_text(ratio: Ratio | None) -> str:
    return _("none") if ratio is None else str(ratio)


def _same_ratio(a: Ratio | None, b: Ratio | None) -> bool:
    """Equal as ceilings: 2:8:10 is the same rule as 1:4:5."""
    if a is None or b is None:
        return a is b
    return a.shares == b.shares


def _own_ratio(policy: Policy, tp: TypePolicy) -> Ratio | None:
    """A type's ratio where it differs from the policy's (``None``: the type follows it).

    A type override that repeats the global value changes nothing, so it is not a change.
    """
    return None if tp.ratio is None or _same_ratio(tp.ratio, policy.ratio) else tp.ratio


def _own_transfer(policy: Policy, tp: TypePolicy) -> Fraction | None:
    """A type's junior share usable for intermediate posts where it differs from the global."""
    f = tp.junior_to_intermediate
    return None if f is None or f == policy.junior_to_intermediate else f


def _policy_changes(a: Policy, b: Policy) -> list[RuleChange]:
    """Every difference of two policies: the global rules, each type's, the minimum rules,
    the objective's weights and the budget, in that order."""
    out: list[RuleChange] = []

    def add(key: str, label: str, before: str | None, after: str | None) -> None:
        out.append(RuleChange(key, label, before, after))

    if not _same_ratio(a.ratio, b.ratio):
        add("policy.ratio", _("ratio"), str(a.ratio), str(b.ratio))
    if a.scope != b.scope:
        add("policy.scope", _("scope"), a.scope.value, b.scope.value)
    if a.rounding != b.rounding:
        add("policy.rounding", _("rounding"), a.rounding.value, b.rounding.value)
    if a.junior_to_intermediate != b.junior_to_intermediate:
        add("policy.junior_to_intermediate", _("junior share usable for intermediate posts"),
            percent(a.junior_to_intermediate), percent(b.junior_to_intermediate))
    if a.incumbents != b.incumbents:
        add("policy.incumbents", _("incumbents"), a.incumbents.value, b.incumbents.value)
    out += _type_changes(a, b)
    out += _minimum_changes(a, b)
    if a.weight_senior != b.weight_senior:
        add("objective.weights.senior", _("weight of a senior appointment"),
            exact(a.weight_senior), exact(b.weight_senior))
    if a.weight_intermediate != b.weight_intermediate:
        add("objective.weights.intermediate", _("weight of an intermediate appointment"),
            exact(a.weight_intermediate), exact(b.weight_intermediate))
    out.extend(_budget_changes(a, b))
    return out


def _type_changes(a: Policy, b: Policy) -> list[RuleChange]:
    """What differs in each unit type's own rules (bonus, own ratio, own junior share)."""
    out: list[RuleChange] = []
    for t in sorted(set(a.types) | set(b.types)):
        ta, tb = a.types.get(t, TypePolicy()), b.types.get(t, TypePolicy())
        key = f"policy.types.{t}"
        if ta.senior_bonus != tb.senior_bonus:
            out.append(RuleChange(f"{key}.senior_bonus",
                                  _("{type} senior bonus").format(type=t),
                                  percent(ta.senior_bonus), percent(tb.senior_bonus)))
        ra, rb = _own_ratio(a, ta), _own_ratio(b, tb)
        if not _same_ratio(ra, rb):
            out.append(RuleChange(f"{key}.ratio", _("{type} own ratio").format(type=t),
                                  _ratio_text(ra), _ratio_text(rb)))
        fa, fb = _own_transfer(a, ta), _own_transfer(b, tb)
        if fa != fb:
            out.append(RuleChange(
                f"{key}.junior_to_intermediate",
                _("{type} own junior share usable for intermediate posts").format(type=t),
                _("none") if fa is None else percent(fa),
                _("none") if fb is None else percent(fb)))
    return out


def _minimum_changes(a: Policy, b: Policy) -> list[RuleChange]:
    """The minimum rules only one side has (counted: a rule given twice on one side and once
    on the other is one change), removed ones first, each in its side's order."""

    def rule_key(r: Any) -> tuple[Any, ...]:
        return (r.type, r.level.value, r.posts, r.when_total_at_least)

    out: list[RuleChange] = []
    left, right = Counter(map(rule_key, a.minimum)), Counter(map(rule_key, b.minimum))
    removed, added = left - right, right - left
    for rule in a.minimum:
        if removed[rule_key(rule)] > 0:
            removed[rule_key(rule)] -= 1
            out.append(RuleChange("policy.minimum", _("minimum rule"), rule.describe(), None))
    for rule in b.minimum:
        if added[rule_key(rule)] > 0:
            added[rule_key(rule)] -= 1
            out.append(RuleChange("policy.minimum", _("minimum rule"), None, rule.describe()))
    return out


def _budget_text(policy: Policy) -> str:
    b = policy.budget
    assert b is not None
    if b.per_pool:
        return _("each pool its own budget, {total} a year in all over {pools} pools (costs "
                 "senior {senior} / intermediate {intermediate} / junior {junior})").format(
            total=money(sum(b.pools.values(), Fraction(0))), pools=len(b.pools),
            senior=money(b.cost_senior), intermediate=money(b.cost_intermediate),
            junior=money(b.cost_junior))
    return _("max increase {amount} a year (costs senior {senior} / intermediate "
             "{intermediate} / junior {junior})").format(
        amount=money(b.max_increase), senior=money(b.cost_senior),
        intermediate=money(b.cost_intermediate), junior=money(b.cost_junior))


def _budget_changes(a: Policy, b: Policy) -> list[RuleChange]:
    if a.budget is None and b.budget is None:
        return []
    if a.budget is None:
        return [RuleChange("budget", _("promotion budget"), None, _budget_text(b))]
    if b.budget is None:
        return [RuleChange("budget", _("promotion budget"), _budget_text(a), None)]
    out = []
    if a.budget.per_pool != b.budget.per_pool:
        out.append(RuleChange("budget.scope", _("promotion budget"), _budget_text(a),
                              _budget_text(b)))
    elif a.budget.per_pool:
        out.extend(_pool_budget_changes(a.budget.pools, b.budget.pools))
    elif a.budget.max_increase != b.budget.max_increase:
        out.append(RuleChange("budget.max_increase", _("promotion budget max increase"),
                              money(a.budget.max_increase), money(b.budget.max_increase)))
    for level in ("senior", "intermediate", "junior"):
        ca, cb = getattr(a.budget, f"cost_{level}"), getattr(b.budget, f"cost_{level}")
        if ca != cb:
            out.append(RuleChange(f"budget.cost.{level}",
                                  _("yearly cost of a {level} post").format(level=_(level)),
                                  money(ca), money(cb)))
    return out


def _pool_budget_changes(a: Mapping[str, Fraction], b: Mapping[str, Fraction],
                         limit: int = 5) -> list[RuleChange]:
    """One line for the pools whose own budget differs (the first ``limit`` named)."""
    changed = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
    if not changed:
        return []

    def side(amounts: Mapping[str, Fraction]) -> str:
        text = " · ".join(f"{p} {money(amounts[p]) if p in amounts else '—'}"
                          for p in changed[:limit])
        if len(changed) > limit:
            text += " " + _("… and {count} more").format(count=len(changed) - limit)
        return text

    return [RuleChange("budget.pools", _("budget of each pool ({count} pool(s) differ)").format(
        count=len(changed)), side(a), side(b))]


def _units_change(a: pd.DataFrame, b: pd.DataFrame) -> RuleChange | None:
    """What differs between two units tables, by unit_id (None: the same table)."""
    if a is b or a.equals(b):
        return None
    ida = a["unit_id"].astype(str).tolist()
    idb = b["unit_id"].astype(str).tolist()
    seta, setb = set(ida), set(idb)
    added = [u for u in idb if u not in seta]
    removed = [u for u in ida if u not in setb]
    cols = [c for c in a.columns if c in b.columns and c != "unit_id"]
    left = a.assign(unit_id=ida).set_index("unit_id")[cols].astype(str)
    right = b.assign(unit_id=idb).set_index("unit_id")[cols].astype(str)
    common = [u for u in ida if u in setb]
    differs = (left.loc[common] != right.loc[common]).any(axis=1)
    changed = [u for u, d in zip(common, differs.tolist(), strict=True) if d]
    return RuleChange("scenario.units", render("units_table", {}),
                      render("units_count", {"count": len(a)}),
                      render("units_table_after", {"count": len(b), "added": tuple(added),
                                                   "removed": tuple(removed),
                                                   "changed": tuple(changed)}))


def diff_rules(base: Variant, other: Variant) -> tuple[RuleChange, ...]:
    """What ``other`` changes against ``base``: policy, solver options and units table.

    Compares the *resolved* variants (after the TOML deep-merge), so an override that
    repeats the baseline's value is not a change, and ``2:8:10`` equals ``1:4:5``.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> [str(c) for c in diff_rules(sc.variant(), sc.variant("no-bonus"))]
    ['health_centre senior bonus 5 % → 0 %']
    """
    out = _policy_changes(base.policy, other.policy)
    solver = [("solver.backend", "backend", base.solver.backend, other.solver.backend),
              ("solver.method", "method", getattr(base.solver, "method", None),
               getattr(other.solver, "method", None)),
              ("solver.time_limit", "time_limit", base.solver.time_limit,
               other.solver.time_limit)]
    for key, option, before, after in solver:
        if before != after:
            out.append(RuleChange(key, render("solver_option", {"option": option}),
                                  render("solver_value", {"option": option, "value": before}),
                                  render("solver_value", {"option": option, "value": after})))
    if (base.units_file or None) != (other.units_file or None):
        out.append(RuleChange("scenario.units", render("units_file", {}),
                              render("units_file_name", {"name": base.units_file}),
                              render("units_file_name", {"name": other.units_file})))
    units = _units_change(base.units, other.units)
    if units is not None:
        out.append(units)
    return tuple(out)
