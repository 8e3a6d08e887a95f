"""The typed outcome of a solve: :class:`Result` and its :class:`Summary` — frozen dataclasses,
built once by :func:`quotaopt.solve` and never changed afterwards. ``summary.json`` is
:meth:`Summary.as_dict` (schema in docs/formats.md); ``Result.summary`` gives that dict, a fresh
copy each time, for Python users.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .backends import Status
from .caps import UnitLimits, sorted_codes
from .policy import Policy, Scope
from .scenario import Variant


@dataclass(frozen=True)
class SolverRun:
    """Which solver ran, its version, the seconds the solve took, and (for a solved plan) the
    method and how many units each part of it settled."""

    backend: str
    version: str
    seconds: float
    method: str | None = None
    units_structured: int | None = None
    units_mip: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"backend": self.backend, "version": self.version,
                               "seconds": self.seconds}
        if self.method is not None:
            out.update(method=self.method, units_structured=self.units_structured,
                       units_mip=self.units_mip)
        return out


@dataclass(frozen=True)
class Source:
    """A document a rule of the policy cites."""

    rule: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "source": self.source}


@dataclass(frozen=True)
class Provenance:
    """What a result was computed from, and when."""

    input_hash: str
    sources: tuple[Source, ...]
    quotaopt_version: str
    created_at: str


@dataclass(frozen=True)
class Objective:
    """The objective values of a plan (SPEC section 2): weighted appointments (stage 1,
    exact), the distance from the base caps (stage 2, a whole number) and, in scope pool, the
    distance from the Hamilton quotas (stage 3; the correctly rounded sum of every pool's
    exact distance; ``None`` in scope unit)."""

    weighted_appointments: Fraction
    distance_from_base_caps: int
    distance_from_quotas: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"weighted_appointments": json_number(self.weighted_appointments),
                "weighted_appointments_exact": str(self.weighted_appointments),
                "distance_from_base_caps": self.distance_from_base_caps,
                "distance_from_quotas": (None if self.distance_from_quotas is None
                                         else round(self.distance_from_quotas, 9))}


@dataclass(frozen=True)
class Totals:
    """Post totals of a set of units."""

    total_posts: int
    posts_senior: int
    posts_intermediate: int
    posts_junior: int
    vacant_senior: int
    vacant_intermediate: int
    vacant_junior: int
    units: int

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TypeFigures(Totals):
    """:class:`Totals` of one unit type, with its appointments and title-holders waiting."""

    appointed_senior: int
    appointed_intermediate: int
    waiting_senior: int
    waiting_intermediate: int


@dataclass(frozen=True)
class CapTotals:
    """Caps in force: summed over units, or (scope ``pool``) over pools."""

    senior: int
    senior_intermediate: int

    def as_dict(self) -> dict[str, Any]:
        return {"senior": self.senior, "senior_intermediate": self.senior_intermediate}


@dataclass(frozen=True)
class LevelAppointments:
    """Title-holders waiting for a post of one level, appointed, and left waiting."""

    waiting: int
    appointed: int
    left: int

    def as_dict(self) -> dict[str, Any]:
        return {"waiting": self.waiting, "appointed": self.appointed, "left": self.left}


@dataclass(frozen=True)
class PlanFigures:
    """What a plan achieves (present only when there is a plan)."""

    objective: Objective
    totals: Totals
    caps: CapTotals
    senior: LevelAppointments
    intermediate: LevelAppointments
    by_type: Mapping[str, TypeFigures]
    units_over_ratio: int
    promotion_cost: Fraction | None = None
    budget_max_increase: Fraction | None = None
    #: each pool's own budget (``budget.scope = "pool"``): (pool, amount, used), pool order
    pool_budgets: tuple[tuple[str, Fraction, Fraction], ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "objective": self.objective.as_dict(),
            "totals": self.totals.as_dict(),
            "caps": self.caps.as_dict(),
            "appointments": {"senior": self.senior.as_dict(),
                             "intermediate": self.intermediate.as_dict()},
            "by_type": {t: f.as_dict() for t, f in self.by_type.items()},
            "units_over_ratio": self.units_over_ratio,
            "promotion_cost": (None if self.promotion_cost is None
                               else json_number(self.promotion_cost)),
        }
        if self.pool_budgets is not None:
            out["budget"] = {"scope": "pool", "pools": [
                {"pool": pool, "amount": json_number(amount), "used": json_number(used),
                 "left": json_number(amount - used)}
                for pool, amount, used in self.pool_budgets]}
        elif self.budget_max_increase is not None:
            out["budget_max_increase"] = json_number(self.budget_max_increase)
        return out


@dataclass(frozen=True)
class Summary:
    """Everything ``summary.json`` says about one solved (or failed) variant.

    ``units``, ``pools``, ``policy``, ``solver`` and ``provenance`` are ``None`` only for a
    variant whose solver failed before it could start (``quotaopt compare`` keeps going).
    """

    scenario: str
    variant: str
    status: Status
    message: str = ""
    reasons: tuple[str, ...] = ()
    units: int | None = None
    pools: int | None = None
    policy: Policy | None = None
    unit_types: tuple[str, ...] = ()
    solver: SolverRun | None = None
    provenance: Provenance | None = None
    plan: PlanFigures | None = None
    uniqueness: Mapping[str, Any] | None = None

    @property
    def proven_optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    def as_dict(self) -> dict[str, Any]:
        """The content of ``summary.json`` (a new dict each time)."""
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "variant": self.variant,
            "status": self.status.value,
            "proven_optimal": self.proven_optimal,
            "message": self.message,
            "reasons": list(self.reasons),
        }
        if self.solver is None or self.provenance is None or self.policy is None:
            return out
        prov = self.provenance
        out.update({
            "units": self.units,
            "pools": self.pools,
            "policy": policy_summary(self.policy, list(self.unit_types)),
            "solver": self.solver.as_dict(),
            "input_hash": prov.input_hash,
            "sources": [s.as_dict() for s in prov.sources],
            "quotaopt_version": prov.quotaopt_version,
            "created_at": prov.created_at,
        })
        if self.plan is not None:
            out.update(self.plan.as_dict())
        if self.uniqueness is not None:
            out["uniqueness"] = dict(self.uniqueness)
        return out


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of solving one variant.

    Attributes
    ----------
    status
        ``optimal`` (proven), ``not_proven`` (time limit; best plan found), ``infeasible`` or
        ``no_solution``.
    allocation
        One row per unit in input order (columns of ``allocation.csv``); ``None`` when there
        is no plan.
    figures
        The typed :class:`Summary`: objective values, totals, caps, appointments, solver and
        provenance.
    reasons
        For an infeasible scenario: which rules collide, for which units or pools.
    """

    scenario: str
    variant: str
    status: Status
    allocation: pd.DataFrame | None
    figures: Summary
    reasons: tuple[str, ...] = ()
    message: str = ""
    limits: UnitLimits | None = field(default=None, repr=False)

    @property
    def summary(self) -> dict[str, Any]:
        """The content of ``summary.json`` as a dict — a new copy at each call, so changing
        it changes nothing here (the typed values are :attr:`figures`)."""
        return self.figures.as_dict()

    @property
    def proven_optimal(self) -> bool:
        return self.status is Status.OPTIMAL

    @property
    def has_plan(self) -> bool:
        return self.allocation is not None

    def with_uniqueness(self, uniqueness: Mapping[str, Any]) -> Result:
        """A copy whose summary also reports the uniqueness check (``run --check-unique``)."""
        return replace(self, figures=replace(self.figures, uniqueness=dict(uniqueness)))


# --------------------------------------------------------------------------------------------
# Figures of a plan, computed from its allocation table


def plan_figures(v: Variant, lim: UnitLimits, alloc: pd.DataFrame) -> PlanFigures:
    """Objective values, totals, caps in force, appointments and cost of a checked plan."""
    stage1, stage2, stage3 = exact_objectives(v, lim, alloc)
    ap = appointments(alloc)
    cost = max_increase = None
    pool_budgets = None
    if v.policy.budget is not None:
        b = v.policy.budget
        cost = b.promotion_cost(int(alloc["appointed_senior"].sum()),
                                int(alloc["appointed_intermediate"].sum()))
        max_increase = b.max_increase
        if b.per_pool:  # lim's pools are the allocation's, in name order
            c_s, c_m = b.appointment_costs
            k = len(lim.pool_names)
            sums = [np.bincount(lim.pool_codes, weights=alloc[col].to_numpy(np.int64),
                                minlength=k).astype(np.int64).tolist()
                    for col in ("appointed_senior", "appointed_intermediate")]
            pool_budgets = tuple((name, b.pools[name], c_s * s + c_m * m) for name, s, m in
                                 zip(lim.pool_names, *sums, strict=True))
    return PlanFigures(
        objective=Objective(stage1, stage2, stage3),
        totals=Totals(**totals(alloc)),
        caps=CapTotals(**caps_in_force(alloc, v.policy.scope)),
        senior=LevelAppointments(**ap["senior"]),
        intermediate=LevelAppointments(**ap["intermediate"]),
        by_type={t: TypeFigures(**d) for t, d in by_type(alloc).items()},
        units_over_ratio=int(alloc["over_ratio"].sum()),
        promotion_cost=cost,
        budget_max_increase=max_increase,
        pool_budgets=pool_budgets,
    )


def json_number(value: Fraction) -> int | float:
    """A whole number as ``int``, else the nearest ``float`` (summary.json's numbers)."""
    return int(value) if value.denominator == 1 else float(value)


def exact_objectives(v: Variant, lim: UnitLimits, alloc: pd.DataFrame
                     ) -> tuple[Fraction, int, float | None]:
    """(stage 1, stage 2, stage 3) of an integer plan: stages 1 and 2 exactly; stage 3 (scope
    pool, else ``None``) as the correctly rounded sum of every pool's exact distance (see
    :func:`quota_distances`: the exact total would need the common denominator of every
    pool's quotas)."""
    pol = v.policy
    prio = v.units["priority"].to_numpy(np.float64)
    ys = alloc["appointed_senior"].to_numpy(np.int64)
    ym = alloc["appointed_intermediate"].to_numpy(np.int64)
    stage1 = Fraction(0)
    for g in sorted(set(prio.tolist())):
        mask = prio == g
        gf = Fraction(repr(float(g)))
        stage1 += gf * (pol.weight_senior * int(ys[mask].sum())
                        + pol.weight_intermediate * int(ym[mask].sum()))
    A = alloc["posts_senior"].to_numpy(np.int64)
    B = A + alloc["posts_intermediate"].to_numpy(np.int64)
    if pol.scope is Scope.POOL:
        k = len(lim.pool_names)
        sums = [np.bincount(lim.pool_codes, weights=x, minlength=k).astype(np.int64)
                for x in (A, B)]
        stage2 = int(np.abs(sums[0] - lim.pool_target_s).sum()
                     + np.abs(sums[1] - lim.pool_target_sm).sum())
        stage3: float | None = math.fsum(quota_distance_terms(lim, A, B))
    else:
        stage2 = int(np.abs(A - lim.target_s).sum() + np.abs(B - lim.target_sm).sum())
        stage3 = None
    return stage1, stage2, stage3


def quota_distance_terms(lim: UnitLimits, A: np.ndarray, B: np.ndarray) -> list[float]:
    """Every pool's and level's exact distance to its quotas, each correctly rounded."""
    out: list[float] = []
    for level, x in (("s", A), ("sm", B)):
        num, den = lim.quotas(level)
        if num.dtype != object and den.dtype != object and (
                not len(x) or int(np.abs(x).max()) * int(den.max()) * len(x) < 2**53):
            k = len(lim.pool_names)
            # whole numbers below 2^53: the float sums are exact
            per = np.rint(np.bincount(lim.pool_codes, weights=np.abs(x * den - num),
                                      minlength=k)).astype(np.int64)
            pool_den = np.ones(k, dtype=np.int64)
            pool_den[lim.pool_codes] = den
            keep = per > 0
            # int / int is correctly rounded in Python; per and the denominators are exact
            out += [a / b for a, b in zip(per[keep].tolist(), pool_den[keep].tolist(),
                                          strict=True)]
        else:
            out += [float(d) for d in quota_distances(lim, A if level == "s" else None,
                                                      B if level == "sm" else None)]
    return out


def quota_distances(lim: UnitLimits, A: np.ndarray | None, B: np.ndarray | None
                    ) -> list[Fraction]:
    """Scope pool: every pool's exact stage 3, ``Σ_u |A_u − Q_s,u| + |B_u − Q_sm,u|``."""
    k = len(lim.pool_names)
    out = [Fraction(0)] * k
    for level, x in (("s", A), ("sm", B)):
        if x is None:
            continue
        num, den = lim.quotas(level)
        if num.dtype != object and den.dtype != object and (
                not len(x) or int(np.abs(x).max()) * int(den.max()) < 2**61):
            dist = np.abs(x * den - num)
            per = np.zeros(k, dtype=np.int64)
            np.add.at(per, lim.pool_codes, dist)
            pool_den = np.ones(k, dtype=np.int64)
            pool_den[lim.pool_codes] = den
            for p in np.flatnonzero(per).tolist():
                out[p] += Fraction(int(per[p]), int(pool_den[p]))
        else:
            acc = [0] * k
            dens = [1] * k
            for p, xi, q, d in zip(lim.pool_codes.tolist(), x.tolist(), num.tolist(),
                                   den.tolist(), strict=True):
                acc[p] += abs(int(xi) * int(d) - int(q))
                dens[p] = int(d)
            for p in range(k):
                if acc[p]:
                    out[p] += Fraction(acc[p], dens[p])
    return out


def policy_summary(policy: Policy, types: list[str]) -> dict[str, Any]:
    """The effective policy values, as every report shows them."""
    shares = {}
    for t in sorted(types):
        sh = policy.shares_for(t)
        shares[t] = {
            "senior": str(sh.senior),
            "intermediate": str(sh.intermediate),
            "junior": str(sh.junior),
            "junior_to_intermediate": str(sh.junior_to_intermediate),
            "senior_intermediate_cap": str(sh.senior_intermediate_cap_share),
        }
    out: dict[str, Any] = {
        "ratio": str(policy.ratio),
        "scope": policy.scope.value,
        "rounding": policy.rounding.value,
        "junior_to_intermediate": str(policy.junior_to_intermediate),
        "incumbents": policy.incumbents.value,
        "types": {t: {"senior_bonus": str(tp.senior_bonus),
                      "ratio": str(tp.ratio) if tp.ratio else None,
                      "source": tp.source} for t, tp in sorted(policy.types.items())},
        "shares": shares,
        "minimum": [{"type": r.type, "level": r.level.value, "posts": r.posts,
                     "when_total_at_least": r.when_total_at_least, "source": r.source}
                    for r in policy.minimum],
        "at_least_one": [level.value for level in policy.at_least_one],
        "weights": {"senior": str(policy.weight_senior),
                    "intermediate": str(policy.weight_intermediate)},
        "budget": None,
        "source": policy.source,
    }
    if policy.budget is not None:
        b = policy.budget
        out["budget"] = {"cost": {"senior": str(b.cost_senior),
                                  "intermediate": str(b.cost_intermediate),
                                  "junior": str(b.cost_junior)},
                         "max_increase": None if b.per_pool else str(b.max_increase),
                         "source": b.source}
        if b.per_pool:
            out["budget"].update(scope="pool", pools_source=b.pools_source,
                                 pools={p: str(a) for p, a in sorted(b.pools.items())})
    return out


def cited_sources(policy: Policy) -> tuple[Source, ...]:
    """The documents the policy cites, rule by rule."""
    cited = [("policy", policy.source)]
    cited += [(f"policy.types.{t}", tp.source) for t, tp in sorted(policy.types.items())]
    cited += [(f"policy.minimum[{k + 1}]", r.source) for k, r in enumerate(policy.minimum)]
    if policy.budget is not None:
        cited.append(("budget", policy.budget.source))
    return tuple(Source(rule, src) for rule, src in cited if src)


def policy_sources(policy: Policy) -> list[dict[str, str]]:
    """The documents the policy cites: ``[{"rule": "policy", "source": "…"}, …]``."""
    return [s.as_dict() for s in cited_sources(policy)]


_TOTAL_COLUMNS = ("total_posts", "posts_senior", "posts_intermediate", "posts_junior",
                  "vacant_senior", "vacant_intermediate", "vacant_junior")


def by_type(alloc: pd.DataFrame) -> dict[str, dict[str, int]]:
    """:func:`totals` and appointments per unit type (sorted), summed without copying groups."""
    names, codes = sorted_codes(alloc["type"])
    if not names:
        return {}
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(names))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    present = counts > 0

    def sums(col: str) -> list[int]:
        values = alloc[col].to_numpy(np.int64)[order]
        return np.add.reduceat(values, starts[present]).tolist() if len(values) else []

    cols = {c: sums(c) for c in (*_TOTAL_COLUMNS, "appointed_senior", "appointed_intermediate",
                                 "waiting_left_senior", "waiting_left_intermediate")}
    out: dict[str, dict[str, int]] = {}
    for k, name in enumerate(t for t, ok in zip(names, present, strict=True) if ok):
        d = {c: int(cols[c][k]) for c in _TOTAL_COLUMNS}
        d["units"] = int(counts[present][k])
        d["appointed_senior"] = int(cols["appointed_senior"][k])
        d["appointed_intermediate"] = int(cols["appointed_intermediate"][k])
        d["waiting_senior"] = d["appointed_senior"] + int(cols["waiting_left_senior"][k])
        d["waiting_intermediate"] = (d["appointed_intermediate"]
                                     + int(cols["waiting_left_intermediate"][k]))
        out[name] = d
    return out


def caps_in_force(alloc: pd.DataFrame, scope: Scope) -> dict[str, int]:
    """Total senior and senior+intermediate caps: summed over units, or (scope ``pool``)
    over pools, each pool's cap counted once."""
    cols = ["cap_senior", "cap_senior_intermediate"]
    caps = (alloc.groupby("pool", sort=True)[cols].first().sum() if scope is Scope.POOL
            else alloc[cols].sum())
    return {"senior": int(caps["cap_senior"]),
            "senior_intermediate": int(caps["cap_senior_intermediate"])}


def totals(alloc: pd.DataFrame) -> dict[str, int]:
    """Post totals of a set of units."""
    out = {c: int(alloc[c].sum()) for c in (
        "total_posts", "posts_senior", "posts_intermediate", "posts_junior",
        "vacant_senior", "vacant_intermediate", "vacant_junior")}
    out["units"] = int(len(alloc))
    return out


def appointments(alloc: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {
        "senior": {"waiting": int(alloc["appointed_senior"].sum()
                                  + alloc["waiting_left_senior"].sum()),
                   "appointed": int(alloc["appointed_senior"].sum()),
                   "left": int(alloc["waiting_left_senior"].sum())},
        "intermediate": {"waiting": int(alloc["appointed_intermediate"].sum()
                                        + alloc["waiting_left_intermediate"].sum()),
                         "appointed": int(alloc["appointed_intermediate"].sum()),
                         "left": int(alloc["waiting_left_intermediate"].sum())},
    }


def provenance_record(prov: Provenance, solver: SolverRun | None) -> dict[str, Any]:
    """What a report says it was computed from (``audit.json``, explain): input hash, cited
    sources, quotaopt version, solver (backend and version) and time."""
    return {"input_hash": prov.input_hash, "sources": [s.as_dict() for s in prov.sources],
            "quotaopt_version": prov.quotaopt_version,
            "solver": {"backend": solver.backend if solver else None,
                       "version": solver.version if solver else None},
            "created_at": prov.created_at}
