"""The tables of a comparison, built from the variants' results: key figures per variant
(``kpi``), the same per unit type (``by_type``), unit by unit (``unit_diff``) and how many
units gain or lose (``movers``). Every number is taken from a
:class:`~quotaopt.result.Result` (its allocation or its summary); every delta is *variant
minus baseline*, computed once, here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import pandas as pd

from .backends import Status
from .messages import render
from .policy import Policy
from .result import Result
from .scenario import Scenario

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

#: Measures of :meth:`~quotaopt.compare.Comparison.top_changes` (the unit_diff has
#: ``<measure>_delta``).
MEASURES: tuple[str, ...] = (*UNIT_COLUMNS, *_SUM_DELTAS)


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


def kpi_table(names: Sequence[str], baseline: str, results: Mapping[str, Result],
              scenario: Scenario) -> pd.DataFrame:
    """One row per variant: status, the :data:`KPI_METRICS` with their deltas, whose budget
    costs priced the appointments, and why a variant has no proven plan."""
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


def by_type_table(names: Sequence[str], baseline: str,
                  results: Mapping[str, Result]) -> pd.DataFrame:
    """Index ``(type, variant)``: the :data:`TYPE_METRICS` summed over the type's units, with
    deltas against the baseline's units of the same type."""
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


def unit_diff_table(names: Sequence[str], baseline: str,
                    results: Mapping[str, Result]) -> pd.DataFrame:
    """One row per unit for each non-baseline variant (when it and the baseline both have a
    plan), matched by unit_id, added and removed units included: the :data:`UNIT_COLUMNS` of
    both sides, their deltas and ``changed``."""
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


def movers_table(names: Sequence[str], baseline: str, diff: pd.DataFrame) -> pd.DataFrame:
    """Per non-baseline variant: how many units gain or lose senior and senior+intermediate
    posts, whose appointments change, and how many are added or removed."""
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
