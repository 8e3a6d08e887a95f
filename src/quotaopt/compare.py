"""Policy variants side by side: key figures with deltas, per-type tables, per-unit changes and
the rule changes that cause them.

Logic only: this module solves (through :func:`quotaopt.solve`, the same path as
``quotaopt run``), aggregates the results and derives the differences. It never prints and
renders nothing; ``report.py`` turns a :class:`Comparison` into text, HTML, XLSX and CSV.

Every number here is taken from a :class:`~quotaopt.solve.Result` (its ``allocation`` table or
its ``summary``); every delta is *variant minus baseline*, computed once, here.

Examples
--------
(Run from the repository root, where the shipped scenario is.)

>>> import quotaopt
>>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
>>> table = quotaopt.compare(sc)                                    # KPI DataFrame
>>> int(table.loc["old-ratio", "appointed_senior_delta"])
-86
>>> comp = quotaopt.compare_variants(sc, ["old-ratio", "no-bonus"])
>>> len(comp.unit_diff.query("variant == 'no-bonus' and changed"))  # units that change
22
>>> print(comp.describe_rules("old-ratio"))  # doctest: +ELLIPSIS
ratio 1:4:5 → 0.5:3.5:6; junior share usable for intermediate posts 100 % → 0 %; ...
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from .backends import Status, get_backend
from .errors import InputError, Problem, SolverError
from .i18n import _
from .messages import render
from .numfmt import exact, money, percent
from .policy import Policy, Ratio, TypePolicy
from .result import Result, Summary
from .scenario import BASELINE, Scenario, Variant, load_scenario
from .solve import solve

#: Key figures of a whole variant, in table order. Each has a ``<name>_delta`` column too.
KPI_METRICS: tuple[str, ...] = (
    "cap_senior",
    "cap_senior_intermediate",
    "posts_senior",
    "posts_intermediate",
    "posts_junior",
    "appointed_senior",
    "appointed_intermediate",
    "waiting_left_senior",
    "waiting_left_intermediate",
    "vacant_senior",
    "vacant_intermediate",
    "vacant_junior",
    "units_over_ratio",
    "promotion_cost",
)

#: Figures per unit type (sums over the type's units), each with a ``<name>_delta`` column.
TYPE_METRICS: tuple[str, ...] = (
    "units",
    "total_posts",
    "posts_senior",
    "posts_intermediate",
    "posts_junior",
    "appointed_senior",
    "appointed_intermediate",
    "waiting_left_senior",
    "waiting_left_intermediate",
    "vacant_senior",
    "vacant_intermediate",
    "vacant_junior",
    "units_over_ratio",
)

#: Allocation columns compared unit by unit (``<col>_baseline``, ``<col>``, ``<col>_delta``).
UNIT_COLUMNS: tuple[str, ...] = (
    "total_posts",
    "posts_senior",
    "posts_intermediate",
    "posts_junior",
    "appointed_senior",
    "appointed_intermediate",
)

#: Per-unit deltas derived from two columns: name → (columns summed).
_SUM_DELTAS: dict[str, tuple[str, ...]] = {
    "posts_senior_intermediate": ("posts_senior", "posts_intermediate"),
    "appointed": ("appointed_senior", "appointed_intermediate"),
}

#: Measures of :meth:`Comparison.top_changes` (the unit_diff has ``<measure>_delta``).
MEASURES: tuple[str, ...] = (*UNIT_COLUMNS, *_SUM_DELTAS)

#: Units in all solves below which ``jobs=None`` solves serially (processes cost more).
PARALLEL_MIN_UNITS = 20_000


# --------------------------------------------------------------------------------------------
# Rule differences


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
    for t in sorted(set(a.types) | set(b.types)):
        ta, tb = a.types.get(t, TypePolicy()), b.types.get(t, TypePolicy())
        key = f"policy.types.{t}"
        if ta.senior_bonus != tb.senior_bonus:
            add(f"{key}.senior_bonus", _("{type} senior bonus").format(type=t),
                percent(ta.senior_bonus), percent(tb.senior_bonus))
        ra, rb = _own_ratio(a, ta), _own_ratio(b, tb)
        if not _same_ratio(ra, rb):
            add(f"{key}.ratio", _("{type} own ratio").format(type=t), _ratio_text(ra),
                _ratio_text(rb))
        fa, fb = _own_transfer(a, ta), _own_transfer(b, tb)
        if fa != fb:
            add(f"{key}.junior_to_intermediate",
                _("{type} own junior share usable for intermediate posts").format(type=t),
                _("none") if fa is None else percent(fa),
                _("none") if fb is None else percent(fb))

    def rule_key(r: Any) -> tuple[Any, ...]:
        return (r.type, r.level.value, r.posts, r.when_total_at_least)

    left, right = Counter(map(rule_key, a.minimum)), Counter(map(rule_key, b.minimum))
    removed, added = left - right, right - left
    for rule in a.minimum:
        if removed[rule_key(rule)] > 0:
            removed[rule_key(rule)] -= 1
            add("policy.minimum", _("minimum rule"), rule.describe(), None)
    for rule in b.minimum:
        if added[rule_key(rule)] > 0:
            added[rule_key(rule)] -= 1
            add("policy.minimum", _("minimum rule"), None, rule.describe())
    if a.weight_senior != b.weight_senior:
        add("objective.weights.senior", _("weight of a senior appointment"),
            exact(a.weight_senior), exact(b.weight_senior))
    if a.weight_intermediate != b.weight_intermediate:
        add("objective.weights.intermediate", _("weight of an intermediate appointment"),
            exact(a.weight_intermediate), exact(b.weight_intermediate))
    out.extend(_budget_changes(a, b))
    return out


def _budget_text(policy: Policy) -> str:
    b = policy.budget
    assert b is not None
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
    if a.budget.max_increase != b.budget.max_increase:
        out.append(RuleChange("budget.max_increase", _("promotion budget max increase"),
                              money(a.budget.max_increase), money(b.budget.max_increase)))
    for level in ("senior", "intermediate", "junior"):
        ca, cb = getattr(a.budget, f"cost_{level}"), getattr(b.budget, f"cost_{level}")
        if ca != cb:
            out.append(RuleChange(f"budget.cost.{level}",
                                  _("yearly cost of a {level} post").format(level=_(level)),
                                  money(ca), money(cb)))
    return out


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


# --------------------------------------------------------------------------------------------
# Solving


def _solve_one(scenario: Scenario, name: str, backend: str | None,
               time_limit: float | None, method: str | None = None) -> Result:
    """Solve one variant; a solver failure becomes a ``no_solution`` result, not an error."""
    try:
        return solve(scenario, name, backend=backend, time_limit=time_limit, method=method)
    except SolverError as exc:
        figures = Summary(scenario.name, name, Status.NO_SOLUTION, message=str(exc))
        return Result(scenario.name, name, Status.NO_SOLUTION, None, figures, (), str(exc))


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork would copy solver threads of the parent; forkserver starts clean and is cheap
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def solve_variants(scenario: Scenario, names: Sequence[str], *, backend: str | None = None,
                   time_limit: float | None = None, method: str | None = None,
                   jobs: int | None = 1) -> dict[str, Result]:
    """Solve several variants independently, in parallel processes when ``jobs > 1``.

    Every variant goes through :func:`quotaopt.solve`, exactly as ``quotaopt run --variant``.
    The results are identical whatever ``jobs`` is and come back in the order of ``names``.
    ``jobs=None`` decides by size: serially below ``PARALLEL_MIN_UNITS`` units summed over
    the variants (starting processes costs more than it saves), else one process per
    variant up to the number of CPUs. Processes are started with ``forkserver`` (``spawn``
    where that is missing), so a *script* that calls this with ``jobs > 1`` needs the usual
    ``if __name__ == "__main__":`` guard; if the worker processes cannot start, the variants
    are solved serially instead.
    """
    names = list(dict.fromkeys(names))
    if jobs is None:
        work = sum(len(scenario.variant(n).units) for n in names)
        jobs = 1 if work < PARALLEL_MIN_UNITS else (os.cpu_count() or 1)
    jobs = max(1, min(int(jobs), len(names)))
    if jobs > 1:
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context()) as pool:
                futures = {n: pool.submit(_solve_one, scenario, n, backend, time_limit,
                                          method) for n in names}
                return {n: futures[n].result() for n in names}
        except BrokenProcessPool:
            pass  # workers could not start (or died): the serial path gives the same result
    return {n: _solve_one(scenario, n, backend, time_limit, method) for n in names}


# --------------------------------------------------------------------------------------------
# Aggregation


def _cost_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _promotion_cost(res: Result, policy: Policy) -> int | float:
    """Yearly extra cost of ``res``'s appointments at the costs of ``policy``'s budget."""
    assert policy.budget is not None and res.allocation is not None
    cost = policy.budget.promotion_cost(int(res.allocation["appointed_senior"].sum()),
                                        int(res.allocation["appointed_intermediate"].sum()))
    return _cost_number(cost)


def _kpi_row(res: Result, cost: int | float | None) -> dict[str, Any]:
    if res.allocation is None:
        return {m: None for m in KPI_METRICS}
    plan = res.figures.plan
    assert plan is not None
    totals = plan.totals
    return {
        "cap_senior": plan.caps.senior,
        "cap_senior_intermediate": plan.caps.senior_intermediate,
        "posts_senior": totals.posts_senior,
        "posts_intermediate": totals.posts_intermediate,
        "posts_junior": totals.posts_junior,
        "appointed_senior": plan.senior.appointed,
        "appointed_intermediate": plan.intermediate.appointed,
        "waiting_left_senior": plan.senior.left,
        "waiting_left_intermediate": plan.intermediate.left,
        "vacant_senior": totals.vacant_senior,
        "vacant_intermediate": totals.vacant_intermediate,
        "vacant_junior": totals.vacant_junior,
        "units_over_ratio": plan.units_over_ratio,
        "promotion_cost": cost,
    }


def _delta(value: Any, base: Any) -> Any:
    if value is None or base is None or pd.isna(value) or pd.isna(base):
        return None
    return value - base


def _reason(res: Result) -> str:
    if res.reasons:
        return "; ".join(res.reasons)
    if res.status is Status.NOT_PROVEN:
        return render("not_proven_reason", {"message": res.message})
    return res.message


def _nullable(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Whole-number columns as nullable Int64 (a missing plan is <NA>, not NaN floats)."""
    for c in columns:
        values = df[c]
        if values.map(lambda x: x is None or pd.isna(x) or float(x).is_integer()).all():
            df[c] = values.astype("Int64")
        else:
            df[c] = values.astype("Float64")
    return df


def _kpi_table(names: Sequence[str], baseline: str, results: Mapping[str, Result],
               scenario: Scenario) -> pd.DataFrame:
    # promotion cost: at the variant's own budget costs, else at those of the first compared
    # variant (baseline first) that has a budget — so the figures stay comparable
    pricing = next((n for n in names if scenario.variant(n).policy.budget is not None), None)
    rows = []
    for n in names:
        res = results[n]
        own = scenario.variant(n).policy
        basis = n if own.budget is not None else pricing
        cost = None
        if res.allocation is not None and basis is not None:
            cost = _promotion_cost(res, scenario.variant(basis).policy)
        rows.append({"variant": n, "status": res.status.value,
                     **_kpi_row(res, cost), "promotion_cost_basis": basis or "",
                     "reason": _reason(res)})
    kpi = pd.DataFrame(rows).set_index("variant")
    base = kpi.loc[baseline]
    for m in KPI_METRICS:
        kpi[f"{m}_delta"] = [_delta(v, base[m]) for v in kpi[m]]

    def costs(basis: str) -> tuple[Fraction, ...] | None:
        b = scenario.variant(basis).policy.budget if basis else None
        return None if b is None else (b.cost_senior, b.cost_intermediate, b.cost_junior)

    # figures priced at other costs are not comparable: no delta between them
    base_costs = costs(base["promotion_cost_basis"])
    kpi["promotion_cost_delta"] = [
        d if costs(basis) == base_costs else None
        for d, basis in zip(kpi["promotion_cost_delta"], kpi["promotion_cost_basis"],
                            strict=True)]
    order = ["status"] + [c for m in KPI_METRICS for c in (m, f"{m}_delta")]
    kpi = kpi[order + ["promotion_cost_basis", "reason"]]
    return _nullable(kpi, [c for c in order if c != "status"])


def _type_rows(res: Result) -> dict[str, dict[str, int]]:
    a = res.allocation
    assert a is not None
    data = a.assign(units=1, units_over_ratio=a["over_ratio"].astype(int))
    sums = data.groupby(a["type"].astype(str), sort=True)[list(TYPE_METRICS)].sum()
    return {str(t): {m: int(row[m]) for m in TYPE_METRICS} for t, row in sums.iterrows()}


def _by_type_table(names: Sequence[str], baseline: str,
                   results: Mapping[str, Result]) -> pd.DataFrame:
    per = {n: _type_rows(results[n]) for n in names if results[n].allocation is not None}
    types = sorted({t for rows in per.values() for t in rows})
    zero = dict.fromkeys(TYPE_METRICS, 0)
    rows = []
    for t in types:
        base = per[baseline].get(t, zero) if baseline in per else None
        for n in names:
            vals = per[n].get(t, zero) if n in per else dict.fromkeys(TYPE_METRICS)
            row: dict[str, Any] = {"type": t, "variant": n}
            for m in TYPE_METRICS:
                row[m] = vals[m]
                row[f"{m}_delta"] = _delta(vals[m], None if base is None else base[m])
            rows.append(row)
    cols = [c for m in TYPE_METRICS for c in (m, f"{m}_delta")]
    table = pd.DataFrame(rows, columns=["type", "variant", *cols]).set_index(["type", "variant"])
    return _nullable(table, cols)


def _unit_diff_one(name: str, base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    keep = ["unit_id", "name", "type", "pool", *UNIT_COLUMNS]
    b = base[keep].assign(unit_id=base["unit_id"].astype(str), _pos_b=range(len(base)))
    v = other[keep].assign(unit_id=other["unit_id"].astype(str), _pos_v=range(len(other)))
    m = b.merge(v, on="unit_id", how="outer", suffixes=("_baseline", ""), indicator=True)
    m["_in_b"] = m["_pos_b"].isna()
    m = m.sort_values(["_in_b", "_pos_b", "_pos_v"], kind="stable").reset_index(drop=True)
    both = (m["_merge"] == "both").to_numpy()
    out = pd.DataFrame({
        "variant": name,
        "unit_id": m["unit_id"].astype(object),
        "name": m["name"].where(m["name"].notna(), m["name_baseline"]).astype(object),
        "type": m["type"].where(m["type"].notna(), m["type_baseline"]).astype(object),
        "pool": m["pool"].where(m["pool"].notna(), m["pool_baseline"]).astype(object),
        "presence": m["_merge"].map({"both": "both", "left_only": "removed",
                                     "right_only": "added"}).astype(object),
    })
    for c in UNIT_COLUMNS:
        out[f"{c}_baseline"] = m[f"{c}_baseline"].astype("Int64")
        out[c] = m[c].astype("Int64")
    for c in UNIT_COLUMNS:
        out[f"{c}_delta"] = (out[c] - out[f"{c}_baseline"]).where(both, pd.NA)
    for name_, parts in _SUM_DELTAS.items():
        out[f"{name_}_delta"] = sum(out[f"{p}_delta"] for p in parts)
    deltas = [f"{c}_delta" for c in MEASURES]
    out["changed"] = (~both) | (out[deltas].fillna(0) != 0).any(axis=1).to_numpy()
    return out


def _unit_diff_table(names: Sequence[str], baseline: str,
                     results: Mapping[str, Result]) -> pd.DataFrame:
    base = results[baseline].allocation
    parts = [_unit_diff_one(n, base, results[n].allocation) for n in names
             if n != baseline and base is not None and results[n].allocation is not None]
    if parts:
        return pd.concat(parts, ignore_index=True)
    empty = pd.DataFrame(columns=["unit_id", "name", "type", "pool", *UNIT_COLUMNS])
    return _unit_diff_one("", empty, empty).iloc[0:0]


_MOVER_COLUMNS = (
    "units_compared",
    "units_gaining_senior",
    "units_losing_senior",
    "units_gaining_senior_intermediate",
    "units_losing_senior_intermediate",
    "units_appointments_changed",
    "units_added",
    "units_removed",
)


def _movers_table(names: Sequence[str], baseline: str, diff: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for n in names:
        if n == baseline:
            continue
        d = diff[diff["variant"] == n]
        if d.empty:
            rows.append({"variant": n, **dict.fromkeys(_MOVER_COLUMNS)})
            continue
        s = d["posts_senior_delta"].fillna(0)
        sm = d["posts_senior_intermediate_delta"].fillna(0)
        ap = (d["appointed_senior_delta"].fillna(0) != 0) | (
            d["appointed_intermediate_delta"].fillna(0) != 0)
        rows.append({
            "variant": n,
            "units_compared": int((d["presence"] == "both").sum()),
            "units_gaining_senior": int((s > 0).sum()),
            "units_losing_senior": int((s < 0).sum()),
            "units_gaining_senior_intermediate": int((sm > 0).sum()),
            "units_losing_senior_intermediate": int((sm < 0).sum()),
            "units_appointments_changed": int(ap.sum()),
            "units_added": int((d["presence"] == "added").sum()),
            "units_removed": int((d["presence"] == "removed").sum()),
        })
    table = pd.DataFrame(rows, columns=["variant", *_MOVER_COLUMNS]).set_index("variant")
    return _nullable(table, _MOVER_COLUMNS)


# --------------------------------------------------------------------------------------------
# The comparison


@dataclass(frozen=True)
class Comparison:
    """Variants side by side, everything derived from their :class:`Result` objects.

    Attributes
    ----------
    scenario, baseline
        Names; ``variants`` lists the compared variants, baseline first.
    results
        ``{variant: Result}`` — the plans themselves (``result.allocation``).
    kpi
        One row per variant (index ``variant``): ``status``, the :data:`KPI_METRICS` each
        with ``<metric>_delta`` (variant − baseline; ``<NA>`` when either has no plan),
        ``promotion_cost_basis`` (whose budget costs priced the appointments) and
        ``reason`` (why a variant has no proven plan).
    by_type
        Index ``(type, variant)``; the :data:`TYPE_METRICS` with deltas against the
        baseline's units of the same type.
    unit_diff
        One row per unit and non-baseline variant with a plan: ``presence`` (``both``,
        ``added``, ``removed``), ``<col>_baseline``, ``<col>`` and ``<col>_delta`` for the
        columns in :data:`UNIT_COLUMNS`, ``posts_senior_intermediate_delta``,
        ``appointed_delta`` and ``changed``.
    movers
        Per non-baseline variant: how many units gain or lose senior and
        senior+intermediate posts, whose appointments change, added and removed units.
    rule_diff
        ``{variant: (RuleChange, …)}`` — what each variant changes against the baseline.
    """

    scenario: str
    baseline: str
    variants: tuple[str, ...]
    results: Mapping[str, Result]
    kpi: pd.DataFrame
    by_type: pd.DataFrame
    unit_diff: pd.DataFrame
    movers: pd.DataFrame
    rule_diff: Mapping[str, tuple[RuleChange, ...]]
    input_hash: str = ""

    @property
    def others(self) -> tuple[str, ...]:
        """The compared variants without the baseline."""
        return tuple(n for n in self.variants if n != self.baseline)

    @property
    def statuses(self) -> dict[str, Status]:
        return {n: self.results[n].status for n in self.variants}

    @property
    def all_optimal(self) -> bool:
        """True when every compared variant was solved to proven optimality."""
        return all(s is Status.OPTIMAL for s in self.statuses.values())

    def describe_rules(self, variant: str, sep: str = "; ") -> str:
        """The rule changes of ``variant`` as one line of plain language."""
        changes = self.rule_diff.get(variant, ())
        if not changes:
            if variant == self.baseline:
                return render("rules_of_baseline", {})
            return render("rules_unchanged", {})
        return sep.join(str(c) for c in changes)

    def top_changes(self, variant: str, measure: str = "posts_senior",
                    n: int = 5) -> pd.DataFrame:
        """The ``n`` units whose ``measure`` changes most (by size; ties in input order).

        ``measure`` is one of :data:`MEASURES`, e.g. ``posts_senior``,
        ``posts_senior_intermediate`` or ``appointed`` (senior + intermediate).
        """
        if measure not in MEASURES:
            raise InputError([Problem.of("unknown_measure", measure=measure,
                                         choices=MEASURES)])
        col = f"{measure}_delta"
        d = self.unit_diff[self.unit_diff["variant"] == variant]
        d = d[d[col].fillna(0) != 0]
        order = d[col].abs().astype("int64").sort_values(ascending=False, kind="stable").index
        return d.loc[order[:n], ["unit_id", "name", "type", "pool", col]].reset_index(drop=True)


def _resolve(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def resolve_variants(scenario: Scenario, variants: Sequence[str] | str | None = None,
                     baseline: str = BASELINE) -> list[str]:
    """The variants a comparison solves: the baseline first, then ``variants`` (default all).

    ``variants`` may be a list or ``"a,b"``; raises :class:`InputError` for an unknown name.
    """
    if isinstance(variants, str):
        variants = [v.strip() for v in variants.split(",") if v.strip()]
    wanted = list(scenario.variant_names) if not variants else list(variants)
    names = [baseline] + [n for n in dict.fromkeys(wanted) if n != baseline]
    unknown = [n for n in names if n not in scenario.variants]
    if unknown:
        scenario.variant(unknown[0])  # raises with the list of known variants
    return names


def compare_variants(
    scenario: Scenario | str | Path,
    variants: Sequence[str] | str | None = None,
    baseline: str = BASELINE,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    method: str | None = None,
    jobs: int | None = 1,
) -> Comparison:
    """Solve the baseline and the variants and compare them: the full :class:`Comparison`.

    Parameters
    ----------
    scenario
        A :class:`~quotaopt.Scenario` or the path of a scenario TOML file.
    variants
        Names (a list, or ``"a,b"``); default every variant of the scenario.
    baseline
        The variant the others are compared with (default ``"baseline"``).
    backend, time_limit, method
        As for :func:`quotaopt.solve` (default: each variant's ``[solver]`` settings).
    jobs
        Processes solving variants at once: ``1`` (default) solves serially, ``None``
        decides by size (see :func:`solve_variants`). The comparison is identical whatever
        the value.

    Returns
    -------
    Comparison
        Infeasible or unproven variants are rows with their ``status`` and ``reason``; their
        deltas are ``<NA>``.

    Raises
    ------
    InputError
        An unknown variant name, or a bad scenario file.
    SolverError
        ``backend`` names a solver that is not installed.
    """
    sc = _resolve(scenario)
    names = resolve_variants(sc, variants, baseline)
    if backend is not None:
        get_backend(backend)  # a wrong --solver is one error, not one per variant
    results = solve_variants(sc, names, backend=backend, time_limit=time_limit, method=method,
                             jobs=jobs)
    unit_diff = _unit_diff_table(names, baseline, results)
    base_variant = sc.variant(baseline)
    return Comparison(
        scenario=sc.name,
        baseline=baseline,
        variants=tuple(names),
        results=results,
        kpi=_kpi_table(names, baseline, results, sc),
        by_type=_by_type_table(names, baseline, results),
        unit_diff=unit_diff,
        movers=_movers_table(names, baseline, unit_diff),
        rule_diff={n: diff_rules(base_variant, sc.variant(n)) for n in names if n != baseline},
        input_hash=sc.input_hash,
    )


def compare(
    scenario: Scenario | str | Path,
    variants: Sequence[str] | str | None = None,
    baseline: str = BASELINE,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    method: str | None = None,
    jobs: int | None = 1,
) -> pd.DataFrame:
    """Variants side by side: the KPI table (one row per variant, deltas vs the baseline).

    A shortcut for ``compare_variants(...).kpi``; use :func:`compare_variants` for the
    per-type table, the per-unit diff and the rule changes.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> table = quotaopt.compare(sc)
    >>> table[["status", "appointed_senior", "appointed_senior_delta"]]
                  status  appointed_senior  appointed_senior_delta
    variant
    baseline     optimal               110                       0
    old-ratio    optimal                24                     -86
    no-bonus     optimal                99                     -11
    no-transfer  optimal               110                       0
    county-pool  optimal               148                      38
    budget       optimal               100                     -10
    """
    return compare_variants(scenario, variants, baseline, backend=backend,
                            time_limit=time_limit, method=method, jobs=jobs).kpi


__all__ = [
    "KPI_METRICS",
    "MEASURES",
    "TYPE_METRICS",
    "UNIT_COLUMNS",
    "Comparison",
    "RuleChange",
    "compare",
    "compare_variants",
    "diff_rules",
    "resolve_variants",
    "solve_variants",
]
