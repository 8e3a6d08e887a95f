"""The elastic relaxation: the least change of the rules that admits a plan.

A safety net for what the feasibility conditions (:mod:`quotaopt.feasibility`) cannot see (a
rule added later, costs that fall with the level in a scenario built in code). Built on the
one formulation (:func:`quotaopt.model.plan_rows`): its rows that restrict plans, its caps and
minimums (bounds there) written as rows, and one slack column with a penalty in the row of
every rule — unit caps, pooled caps, minimum rules, budget (:func:`elastic_model`). Solved by
a backend (:mod:`quotaopt.backends`: HiGHS, or CBC through PuLP), which maps the statuses.
Its non-zero slacks, grouped by rule and unit, are the least relaxation that lets every rule
hold at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .backends import Status, get_backend
from .caps import UnitLimits
from .errors import SolverError
from .feasibility import precheck, unit_label
from .formulation import Formulation
from .messages import Message, render
from .model import budget_row, plan_rows
from .policy import Policy, Scope

#: Penalty per post of slack, by rule family. Caps cost a little more than minimum rules, so
#: that where either would do, the relaxation lowers a minimum (a policy exception) rather
#: than the ratio; the budget's slack is counted in appointments' worth of money.
PENALTY = {"cap": 1001, "minimum": 1000, "budget": 1000}

_RULE_ORDER = ("senior cap", "senior+intermediate cap", "pooled senior cap",
               "pooled senior+intermediate cap", "senior minimum", "intermediate minimum",
               "junior minimum", "budget")


@dataclass(frozen=True)
class Slack:
    """A rule relaxed by the elastic model: ``limit`` would have to become ``relaxed``.

    ``rule`` names the rule (a code: ``"senior cap"``, ``"junior minimum"``, ``"budget"`` …;
    :func:`quotaopt.messages.rule_name` writes it); ``place`` is the unit, pool or all units
    (:class:`~quotaopt.messages.Message`), ``where`` and ``str()`` write them in the language
    in use.
    """

    rule: str
    place: Message
    unit_ids: tuple[str, ...]
    limit: Fraction
    relaxed: Fraction

    @property
    def where(self) -> str:
        return str(self.place)

    @property
    def amount(self) -> Fraction:
        return abs(self.relaxed - self.limit)

    def __str__(self) -> str:
        return render("relaxed_limit", {"where": self.place, "rule": self.rule,
                                        "limit": self.limit, "relaxed": self.relaxed})


@dataclass(frozen=True)
class ElasticRow:
    """A rule of the elastic model: row ``row`` has a slack column, and ``limit`` (in the
    rule's own units: posts, or money for the budget) becomes ``base + direction · e · step``
    at slack ``e``. ``base`` is the row's right side in the rule's units (the limit itself,
    except for a budget the whole-number row rounds down)."""

    row: int
    rule: str
    place: Message
    unit_ids: tuple[str, ...]
    limit: Fraction
    base: Fraction
    direction: int  # +1: the rule is a ceiling; −1: a floor
    step: Fraction = Fraction(1)

    def slack(self, value: float) -> Slack:
        """The relaxed rule at slack ``value`` (a whole number of steps at an optimum)."""
        return Slack(self.rule, self.place, self.unit_ids, self.limit,
                     self.base + self.direction * round(value) * self.step)


@dataclass(frozen=True)
class ElasticModel:
    """The formulation's rows that restrict plans (:func:`quotaopt.model.plan_rows`), its
    caps and minimums written as rows instead of bounds, and one slack column (−1, ≥ 0; a
    minimum's at most the minimum) in every row of a rule: ``form`` has the original columns
    ``A, B, y_s, y_m`` first, then one slack column per :class:`ElasticRow` (``rows[k]`` →
    column ``4n + k``); ``cost`` weighs the slacks by :data:`PENALTY` (whole numbers)."""

    form: Formulation
    cost: np.ndarray
    rows: tuple[ElasticRow, ...]

    @property
    def first_slack(self) -> int:
        return self.form.num_col - len(self.rows)


#: Row groups of the formulation left out of the elastic model: the deviations and the
#: distances to the pooled targets only measure the objective (their free columns satisfy them
#: at every plan), and each pool's own budget is kept by appointing nobody, so none can be
#: among the rules that collide (the budget over all units is kept, as it always was).
LEFT_OUT = ("deviation_", "pool_distance_", "budget_pool")


def elastic_model(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                  idx: np.ndarray | None = None) -> ElasticModel:
    """The elastic model of the units at positions ``idx`` (default: all), built on the
    formulation (:func:`quotaopt.model.plan_rows`): incumbents and total posts stay hard
    (they are data); every rule gets a slack — each unit's caps (scope ``unit``) and senior
    and junior minimums (bounds of ``A`` and ``B`` in the formulation, rows here), the
    intermediate minimum, the pooled caps (scope ``pool``) and the budget over all units.
    With every slack zero it admits exactly the plans of the formulation."""
    idx = np.arange(len(units)) if idx is None else np.asarray(idx)
    base = plan_rows(policy, units, lim, idx)
    n = base.n
    kinds = [(kind, start) for kind, start in zip(base.row_kind, base.row_start, strict=True)
             if not kind.startswith(LEFT_OUT)]
    kept_rows = np.sort(np.concatenate([base.rows_of(kind) for kind, _ in kinds]
                                       or [np.zeros(0, dtype=np.int64)]))
    T = units["total_posts"].to_numpy(np.int64)[idx].astype(np.float64)
    rules = _row_rules(policy, units, lim, idx, base, kept_rows)
    bound_rows, bound_upper, bound_rules = _bound_rows(policy, units, lim, idx, len(kept_rows))
    rules += bound_rules
    n_slack = len(rules)
    matrix = sp.vstack([base.matrix[kept_rows][:, :4 * n], bound_rows], format="csr")
    slack = sp.csr_matrix((-np.ones(n_slack), ([r.row for r in rules], np.arange(n_slack))),
                          shape=(matrix.shape[0], n_slack))
    form = replace(
        base,
        col_lower=np.concatenate([np.zeros(2 * n), base.col_lower[2 * n:4 * n],
                                  np.zeros(n_slack)]),
        col_upper=np.concatenate([T, T, base.col_upper[2 * n:4 * n], _slack_upper(rules)]),
        integrality=np.concatenate([base.integrality[:4 * n], np.zeros(n_slack, np.int8)]),
        matrix=sp.hstack([matrix, slack], format="csr"),
        row_lower=np.full(matrix.shape[0], -np.inf),
        row_upper=np.concatenate([base.row_upper[kept_rows], bound_upper]),
        row_kind=(*(kind for kind, _ in kinds), "rule_bounds"),
        row_start=(*(int(np.searchsorted(kept_rows, start)) for _, start in kinds),
                   len(kept_rows)),
        cost1=np.zeros(4 * n + n_slack), deviations=(),
        unit_groups=base.unit_groups[:4], extra_group="slack")
    return ElasticModel(form, np.concatenate([np.zeros(4 * n), _penalties(policy, rules)]),
                        tuple(rules))


def _row_rules(policy: Policy, units: pd.DataFrame, lim: UnitLimits, idx: np.ndarray,
               base: Formulation, kept_rows: np.ndarray) -> list[ElasticRow]:
    """The rules that are rows of the formulation: each unit's intermediate minimum, the
    pooled caps, the budget over all units (``kept_rows``: the formulation's rows in the
    model, in order)."""

    def position(rows: np.ndarray) -> list[int]:
        return np.searchsorted(kept_rows, rows).tolist()

    ids = units["unit_id"].astype(str).to_numpy()
    out = []
    rows = position(base.rows_of("posts_intermediate_min"))
    for k, i in enumerate(idx.tolist()):
        if lim.min_m[i] > 0:
            out.append(ElasticRow(rows[k], "intermediate minimum",
                                  unit_label(units, i), (str(ids[i]),),
                                  Fraction(int(lim.min_m[i])), Fraction(int(lim.min_m[i])), -1))
    if policy.scope is Scope.POOL and len(idx):
        present = np.unique(lim.pool_codes[idx])
        codes = lim.pool_codes[idx]
        for which, rule, caps in (("senior", "pooled senior cap", lim.pool_cap_s),
                                  ("senior_intermediate", "pooled senior+intermediate cap",
                                   lim.pool_cap_sm)):
            for row, p in zip(position(base.rows_of(f"pool_cap_{which}")),
                              present.tolist(), strict=True):
                cap = Fraction(int(caps[p]))
                out.append(ElasticRow(row, rule,
                                      Message.of("pool_place", pool=lim.pool_names[p]),
                                      tuple(str(ids[i]) for i in idx[codes == p].tolist()),
                                      cap, cap, 1))
    for row in position(base.rows_of("budget")):
        b = policy.budget
        assert b is not None
        _, _, rhs = budget_row(b)
        scale = math.lcm(*(c.denominator for c in b.appointment_costs))
        out.append(ElasticRow(row, "budget", Message.of("all_units"), (),
                              b.max_increase, Fraction(rhs, scale), 1, Fraction(1, scale)))
    return out


def _bound_rows(policy: Policy, units: pd.DataFrame, lim: UnitLimits, idx: np.ndarray,
                first: int) -> tuple[sp.csr_matrix, np.ndarray, list[ElasticRow]]:
    """The rules that are bounds of ``A`` and ``B`` in the formulation, as rows ``a·x ≤ hi``
    from row ``first`` on, unit by unit: its caps (scope ``unit``: ``A ≤ B_s``,
    ``B ≤ B_sm``), its senior minimum (``−A ≤ −min``) and its junior minimum
    (``B ≤ T − min``). Returns the rows (over the ``4n`` columns), their ``hi`` and rules."""
    n = len(idx)
    ids = units["unit_id"].astype(str).to_numpy()
    T = units["total_posts"].to_numpy(np.int64)
    cols: list[int] = []
    vals: list[float] = []
    upper: list[float] = []
    out: list[ElasticRow] = []

    def add(col: int, val: float, hi: int, rule: str, i: int, limit: int,
            direction: int) -> None:
        cols.append(col)
        vals.append(val)
        upper.append(float(hi))
        out.append(ElasticRow(first + len(out), rule, unit_label(units, i), (str(ids[i]),),
                              Fraction(limit), Fraction(limit), direction))

    for k, i in enumerate(idx.tolist()):
        if policy.scope is Scope.UNIT:
            cs, csm = int(lim.cap_s[i]), int(lim.cap_sm[i])
            add(k, 1.0, cs, "senior cap", i, cs, 1)
            add(n + k, 1.0, csm, "senior+intermediate cap", i, csm, 1)
        min_s, min_j = int(lim.min_s[i]), int(lim.min_j[i])
        if min_s > 0:
            add(k, -1.0, -min_s, "senior minimum", i, min_s, -1)
        if min_j > 0:
            add(n + k, 1.0, int(T[i]) - min_j, "junior minimum", i, min_j, -1)
    matrix = sp.csr_matrix((vals, (np.arange(len(out)), cols)), shape=(len(out), 4 * n))
    return matrix, np.array(upper, dtype=np.float64), out


def _slack_upper(rules: list[ElasticRow]) -> np.ndarray:
    """Each slack's upper bound: a minimum is lowered at most to 0 (beyond, the intermediate
    minimum's row ``A − B ≤ −min + e`` would admit ``A > B``: fewer than no intermediate
    posts), a ceiling is raised without bound."""
    return np.array([float(r.limit) if r.direction < 0 else np.inf for r in rules],
                    dtype=np.float64)


def _penalties(policy: Policy, rules: list[ElasticRow]) -> np.ndarray:
    """Each slack's weight: :data:`PENALTY` per post, and for the budget per appointment's
    worth of money (the smallest positive appointment cost), all scaled to whole numbers so
    that the objective is one at every optimum (a backend proves optimality to ½)."""
    scale = 1
    if any(r.rule == "budget" for r in rules):
        assert policy.budget is not None
        cheapest = min([c for c in policy.budget.appointment_costs if c > 0],
                       default=Fraction(1))
        per_step = cheapest * math.lcm(*(c.denominator for c in policy.budget.appointment_costs))
        scale = int(per_step)  # a whole number: the steps are the costs' common denominator
    g = math.gcd(PENALTY["budget"], scale)
    weight = {"cap": PENALTY["cap"] * scale // g, "minimum": PENALTY["minimum"] * scale // g,
              "budget": PENALTY["budget"] // g}
    return np.array([float(weight[_family(r.rule)]) for r in rules], dtype=np.float64)


def _family(rule: str) -> str:
    return "budget" if rule == "budget" else "cap" if rule.endswith("cap") else "minimum"


def elastic(
    policy: Policy,
    units: pd.DataFrame,
    lim: UnitLimits,
    idx: np.ndarray | None = None,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
) -> list[Slack]:
    """The least relaxation of the rules that admits a plan, as non-zero slacks.

    The elastic model (:func:`elastic_model`) over the units at positions ``idx`` (default:
    all), solved by the backend ``backend`` (``highs``, ``cbc`` or ``pulp:<SolverClass>``;
    default: the fastest installed) with the penalties of :data:`PENALTY`.

    Returns
    -------
    list of Slack
        Sorted by rule, then unit; empty when the rules admit a plan as they are.
    """
    model = elastic_model(policy, units, lim, idx)
    raw = get_backend(backend).solve(model.form, model.cost, None, time_limit)
    if raw.status is not Status.OPTIMAL or raw.x is None:
        raise SolverError(render("relaxation_no_answer",
                                 {"detail": raw.message or raw.status.value}))
    values = raw.x[model.first_slack:].tolist()
    out = [r.slack(v) for r, v in zip(model.rows, values, strict=True) if round(v) != 0]
    order = {r: n for n, r in enumerate(_RULE_ORDER)}
    canon = {str(u): n for n, u in enumerate(units["unit_id"].astype(str).tolist())}
    out.sort(key=lambda s: (order.get(s.rule, 99),
                            canon.get(s.unit_ids[0], -1) if s.unit_ids else -1, str(s.where)))
    return out


def infeasibility_reasons(
    policy: Policy,
    units: pd.DataFrame,
    lim: UnitLimits,
    idx: np.ndarray | None = None,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    limit: int = 25,
) -> list[str]:
    """Why the units at ``idx`` admit no plan: the conflicts :func:`find_conflicts` sees, else
    the elastic relaxation's slacks, grouped by rule and unit (at most ``limit`` lines)."""
    sub_idx = np.arange(len(units)) if idx is None else np.asarray(idx)
    reasons = precheck(policy, units, lim)
    if reasons:
        return reasons
    slacks = elastic(policy, units, lim, sub_idx, backend=backend, time_limit=time_limit)
    if not slacks:
        shown = tuple(units["unit_id"].astype(str).to_numpy()[sub_idx][:10].tolist())
        return [render("relaxation_needs_nothing", {"unit_ids": shown})]
    total = sum((s.amount for s in slacks if s.rule != "budget"), Fraction(0))
    lines = [render("least_relaxation", {"posts": total})] + [str(s) for s in slacks[:limit]]
    if len(slacks) > limit:
        lines.append(render("more_relaxed_limits", {"count": len(slacks) - limit}))
    return lines
