"""The elastic relaxation: the least change of the rules that admits a plan.

A safety net for what the feasibility conditions (:mod:`quotaopt.feasibility`) cannot see (a
rule added later, costs that fall with the level in a scenario built in code): the model with
one slack variable per rule — unit caps, pooled caps, minimum rules, budget — and a penalty on
each, solved by the same open solvers (PuLP with HiGHS or CBC). Its non-zero slacks, grouped
by rule and unit, are the least relaxation that lets every rule hold at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .backends import Status, default_backend
from .backends.highs import new_highs
from .backends.pulp import make_solver, solve_problem
from .caps import UnitLimits
from .errors import SolverError
from .feasibility import precheck, unit_label
from .messages import Message, render
from .policy import Level, Policy, Scope

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


def _pulp_solver(backend: str | None, time_limit: float | None) -> Any:
    import pulp

    name = (backend or default_backend()).strip()
    if name.lower() == "highs" and "HiGHS" in pulp.listSolvers(onlyAvailable=True):
        new_highs()  # HiGHS's one-time banner must not reach standard output
        kwargs: dict[str, Any] = {"msg": False, "gapRel": 0.0}
        if time_limit is not None:
            kwargs["timeLimit"] = float(time_limit)
        return pulp.HiGHS(**kwargs)
    if name.startswith("pulp:"):
        return make_solver(name[5:], time_limit)
    return make_solver(None, time_limit)


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

    The model of SPEC section 2 over the units at positions ``idx`` (default: all), with
    incumbents and total posts kept hard (they are data) and every rule elastic: the unit
    caps (scope ``unit``), the pooled caps (scope ``pool``), each minimum rule's posts per
    unit, and the budget. Penalties: :data:`PENALTY`. Solved with PuLP (HiGHS when the
    backend is ``highs``, else CBC or the named PuLP solver).

    Returns
    -------
    list of Slack
        Sorted by rule, then unit; empty when the rules admit a plan as they are.
    """
    import pulp

    idx = np.arange(len(units)) if idx is None else np.asarray(idx)
    prob = pulp.LpProblem("quotaopt_elastic", pulp.LpMinimize)
    T = units["total_posts"].to_numpy(np.int64)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    w_s = units["senior_waiting"].to_numpy(np.int64)
    w_m = units["intermediate_waiting"].to_numpy(np.int64)
    ids = units["unit_id"].astype(str).to_numpy()
    penalty: list[tuple[Any, int | float]] = []
    slacks: list[tuple[Any, str, Message, tuple[str, ...], Fraction, int]] = []

    def slack(name: str, rule: str, where: Message, uids: tuple[str, ...], limit: Fraction,
              direction: int, weight: float) -> Any:
        e = pulp.LpVariable(name, 0)
        penalty.append((e, weight))
        slacks.append((e, rule, where, uids, limit, direction))
        return e

    A: dict[int, Any] = {}
    B: dict[int, Any] = {}
    ys: dict[int, Any] = {}
    ym: dict[int, Any] = {}
    for k, i in enumerate(idx.tolist()):
        A[i] = pulp.LpVariable(f"posts_senior_cum_{k}", 0, int(T[i]), pulp.LpInteger)
        B[i] = pulp.LpVariable(f"posts_si_cum_{k}", 0, int(T[i]), pulp.LpInteger)
        ys[i] = pulp.LpVariable(f"appoint_senior_{k}", 0, int(w_s[i]), pulp.LpInteger)
        ym[i] = pulp.LpVariable(f"appoint_intermediate_{k}", 0, int(w_m[i]), pulp.LpInteger)
        where = unit_label(units, i)
        uid = (str(ids[i]),)
        prob += A[i] <= B[i], f"levels_{k}"
        prob += inc_s[i] + ys[i] <= A[i], f"incumbents_senior_{k}"
        prob += inc_sm[i] + ym[i] <= B[i], f"incumbents_si_{k}"
        if policy.scope is Scope.UNIT:
            cs, csm = int(lim.cap_s[i]), int(lim.cap_sm[i])
            prob += A[i] <= cs + slack(f"e_cap_senior_{k}", "senior cap", where, uid,
                                       Fraction(cs), 1, PENALTY["cap"]), f"cap_senior_{k}"
            prob += B[i] <= csm + slack(f"e_cap_si_{k}", "senior+intermediate cap", where, uid,
                                        Fraction(csm), 1, PENALTY["cap"]), f"cap_si_{k}"
        for lvl, need, expr in ((Level.SENIOR, lim.min_s[i], A[i]),
                                (Level.INTERMEDIATE, lim.min_m[i], B[i] - A[i]),
                                (Level.JUNIOR, lim.min_j[i], int(T[i]) - B[i])):
            if need > 0:
                e = slack(f"e_min_{lvl.value}_{k}", f"{lvl} minimum", where, uid,
                          Fraction(int(need)), -1, PENALTY["minimum"])
                prob += expr + e >= int(need), f"minimum_{lvl.value}_{k}"
    if policy.scope is Scope.POOL:
        codes = lim.pool_codes[idx]
        for p in sorted(set(codes.tolist())):
            members = idx[codes == p].tolist()
            where = Message.of("pool_place", pool=lim.pool_names[p])
            uids = tuple(str(ids[i]) for i in members)
            for cap, var, rule, tag in ((lim.pool_cap_s[p], A, "pooled senior cap", "senior"),
                                        (lim.pool_cap_sm[p], B, "pooled senior+intermediate cap",
                                         "si")):
                e = slack(f"e_pool_cap_{tag}_{p}", rule, where, uids, Fraction(int(cap)), 1,
                          PENALTY["cap"])
                prob += pulp.lpSum(var[i] for i in members) <= int(cap) + e, \
                    f"pool_cap_{tag}_{p}"
    if policy.budget is not None:
        b = policy.budget
        c_s, c_m = b.appointment_costs
        scale = min([c for c in (c_s, c_m) if c > 0], default=Fraction(1))
        e = slack("e_budget", "budget", Message.of("all_units"), (), b.max_increase, 1,
                  PENALTY["budget"] / float(scale))
        prob += (pulp.lpSum(float(c_s) * ys[i] + float(c_m) * ym[i] for i in idx.tolist())
                 <= float(b.max_increase) + e), "budget"
    prob += pulp.lpSum(w * e for e, w in penalty)
    raw = solve_problem(prob, [e for e, *_ in slacks], _pulp_solver(backend, time_limit))
    if raw.status is not Status.OPTIMAL:
        raise SolverError(render("relaxation_no_answer",
                                 {"detail": raw.message or raw.status.value}))
    out: list[Slack] = []
    for e, rule, where, uids, limit, direction in slacks:
        value = e.varValue or 0.0
        if value <= 1e-6:
            continue
        amount = Fraction(round(value)) if rule != "budget" else \
            Fraction(Decimal(repr(value))).limit_denominator(100)
        out.append(Slack(rule, where, uids, limit, limit + direction * amount))
    order = {r: n for n, r in enumerate(_RULE_ORDER)}
    canon = {str(u): n for n, u in enumerate(ids.tolist())}
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
