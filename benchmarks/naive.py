"""The naive reference: the straightforward PuLP formulation of SPEC section 2.

This is "THE BENCHMARK REFERENCE" of ``/work/shared/MODEL-NOTES.md``, written the way a
careful modeller would write it first, and deliberately sharing no code with quotaopt's
``caps``/``model``/``fastpath``/``backends``:

* one PuLP variable per quantity (``P_s, P_m, P_j, y_s, y_m`` integer, two deviations
  continuous), built unit by unit with one Python object per coefficient;
* caps computed unit by unit (and pool by pool) with :class:`fractions.Fraction`;
* ``|x − q|`` written with two inequalities ``d ≥ x − q`` and ``d ≥ q − x``;
* the lexicographic objective done in up to three solves: stage 1 (maximise weighted
  appointments), then the row ``stage1 ≥ optimum − δ/2`` and stage 2 (minimise the distance
  to the base caps, whole numbers), then (scope pool) the row ``stage2 ≤ optimum + ½`` and
  stage 3 (minimise the distance to the Hamilton quotas). Stage-1 values are whole multiples
  of δ, the greatest common divisor of all ``priority × weight`` (computed exactly from the
  data), so ``δ/2`` is a tolerance that can neither cut off the optimum nor let a worse
  stage 1 through — a fixed ``1e-6`` is not safe (MODEL-NOTES). Stage 3's coefficients are
  floats (the quotas' denominators differ by pool), solved at relative gap 0; its exact
  value is recomputed from the integer plan.

Solved with PuLP + HiGHS (``pulp.HiGHS``, through highspy) at relative gap 0, or PuLP + the
bundled CBC at relative gap 0, each with an optional time cap. The objective values are
recomputed exactly (``Fraction``) from the integer solution so they can be compared with
quotaopt's ``summary["objective"]`` exactly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
import pulp

from quotaopt.scenario import Incumbents, Level, Policy, Rounding, Scope

SOLVERS = ("highs", "cbc")


@dataclass
class NaiveResult:
    """Outcome of the naive two-stage solve."""

    solver: str
    status: str  # optimal | time_limit | infeasible | error
    build_seconds: float
    stage1_seconds: float
    stage2_seconds: float
    stage1: Fraction | None = None  # weighted appointments, exact
    stage2: Fraction | None = None  # distance from the base caps, exact
    stage3: Fraction | None = None  # scope pool: distance from the Hamilton quotas, exact
    variables: int = 0
    constraints: int = 0
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.status == "optimal"

    @property
    def solve_seconds(self) -> float:
        return self.stage1_seconds + self.stage2_seconds


def _round(value: Fraction, rounding: Rounding) -> int:
    if rounding is Rounding.FLOOR:
        return math.floor(value)
    if rounding is Rounding.CEIL:
        return math.ceil(value)
    return math.floor(value + Fraction(1, 2))


def _at_least_one(policy: Policy, q_s: Fraction, q_sm: Fraction, c_s: int, c_sm: int,
                  b_sm: int) -> tuple[int, int, int]:
    """不足1个按1个 on rounded caps (senior, s+m cap, s+m base cap)."""
    if Level.SENIOR in policy.at_least_one and q_s > 0:
        c_s = max(c_s, 1)
    if policy.at_least_one:
        c_sm, b_sm = max(c_sm, c_s), max(b_sm, c_s)
    if Level.INTERMEDIATE in policy.at_least_one and q_sm > q_s:
        c_sm, b_sm = max(c_sm, c_s + 1), max(b_sm, c_s + 1)
    return c_s, c_sm, b_sm


def _shares(policy: Policy, unit_type: str) -> tuple[Fraction, Fraction, Fraction]:
    """(σ_s, σ_s + σ_m, σ_s + σ_m + f·σ_j) of a unit type, from the policy's words."""
    tp = policy.types.get(unit_type)
    ratio = tp.ratio if tp is not None and tp.ratio is not None else policy.ratio
    total = ratio.senior + ratio.intermediate + ratio.junior
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    f = policy.junior_to_intermediate
    if tp is not None and tp.junior_to_intermediate is not None:
        f = tp.junior_to_intermediate
    s = ratio.senior / total + bonus
    m = ratio.intermediate / total
    j = ratio.junior / total - bonus
    return s, s + m, s + m + f * j


def stage1_granularity(policy: Policy, priorities: list[float]) -> Fraction:
    """δ: every stage-1 value is a whole multiple of the gcd of all ``g·w``."""
    values = {Fraction(repr(float(g))) * w for g in set(priorities)
              for w in (policy.weight_senior, policy.weight_intermediate)}
    num, den = 0, 1
    for v in values:  # gcd of reduced fractions = gcd(numerators) / lcm(denominators)
        num = math.gcd(num, v.numerator)
        den = math.lcm(den, v.denominator)
    return Fraction(num, den) if num else Fraction(1)


def make_solver(solver: str, time_limit: float | None):
    kwargs: dict = {"msg": False, "gapRel": 0.0}
    if time_limit is not None:
        kwargs["timeLimit"] = max(1.0, float(time_limit))
    if solver == "highs":
        return pulp.HiGHS(**kwargs)
    if solver == "cbc":
        return pulp.PULP_CBC_CMD(**kwargs)
    raise ValueError(f"unknown solver {solver!r}: choose one of {SOLVERS}")


def _describe(prob: pulp.LpProblem) -> str:
    sol = getattr(prob, "sol_status", None)
    return (f"PuLP status {pulp.LpStatus[prob.status]}, solution "
            f"{pulp.LpSolution.get(sol, sol)}")


def _outcome(prob: pulp.LpProblem) -> str:
    if prob.status == pulp.LpStatusOptimal and getattr(prob, "sol_status", 1) in (
            None, pulp.LpSolutionOptimal):
        return "optimal"
    if prob.status == pulp.LpStatusInfeasible:
        return "infeasible"
    return "time_limit"


def solve_naive(policy: Policy, units: pd.DataFrame, solver: str = "highs",
                time_limit: float | None = None) -> NaiveResult:
    """Build and solve the straightforward two-stage formulation.

    ``time_limit`` caps the two solves together (seconds); the build is not capped.
    """
    started = time.perf_counter()
    prob = pulp.LpProblem("naive_stage1", pulp.LpMaximize)
    minimums = [(r, r.level) for r in policy.minimum]
    pooled = policy.scope is Scope.POOL
    grandfather = policy.incumbents is Incumbents.GRANDFATHER
    pool_members: dict[str, list[tuple]] = {}
    pool_qs: dict[str, Fraction] = {}
    pool_qc: dict[str, Fraction] = {}
    pool_is: dict[str, int] = {}
    pool_ism: dict[str, int] = {}
    stage1_terms = []
    stage2_terms: list = []
    stage3_terms: list = []
    targets: list[tuple[int, int]] = []  # scope unit: base caps per unit
    quotas: list[tuple[Fraction, Fraction]] = []  # scope pool: quotas per unit
    pool_qsm: dict[str, Fraction] = {}
    budget_terms = []
    records = []  # per unit: (vars, q_s, q_sm, g)
    for k, u in enumerate(units.itertuples(index=False)):
        T = int(u.total_posts)
        i_s, i_m = int(u.senior_incumbents), int(u.intermediate_incumbents)
        s_share, sm_share, cap_share = _shares(policy, str(u.type))
        q_s, q_sm = s_share * T, sm_share * T
        p_s = pulp.LpVariable(f"P_s_{k}", 0, None, pulp.LpInteger)
        p_m = pulp.LpVariable(f"P_m_{k}", 0, None, pulp.LpInteger)
        p_j = pulp.LpVariable(f"P_j_{k}", 0, None, pulp.LpInteger)
        y_s = pulp.LpVariable(f"y_s_{k}", 0, int(u.senior_waiting), pulp.LpInteger)
        y_m = pulp.LpVariable(f"y_m_{k}", 0, int(u.intermediate_waiting), pulp.LpInteger)
        d_s = pulp.LpVariable(f"d_s_{k}", 0)
        d_sm = pulp.LpVariable(f"d_sm_{k}", 0)
        prob += p_s + p_m + p_j == T, f"total_{k}"
        prob += i_s + y_s <= p_s, f"capacity_senior_{k}"
        prob += i_s + i_m + y_m <= p_s + p_m, f"capacity_si_{k}"
        need = {lvl: 0 for lvl in Level}
        for rule, lvl in minimums:
            if T >= rule.when_total_at_least and (rule.type is None or rule.type == u.type):
                need[lvl] = max(need[lvl], min(rule.posts, T))
        for lvl, var in ((Level.SENIOR, p_s), (Level.INTERMEDIATE, p_m), (Level.JUNIOR, p_j)):
            if need[lvl]:
                prob += var >= need[lvl], f"minimum_{lvl.value}_{k}"
        if pooled:
            pool = str(u.pool)
            pool_members.setdefault(pool, []).append((p_s, p_m))
            pool_qs[pool] = pool_qs.get(pool, Fraction(0)) + q_s
            pool_qc[pool] = pool_qc.get(pool, Fraction(0)) + cap_share * T
            pool_is[pool] = pool_is.get(pool, 0) + i_s
            pool_ism[pool] = pool_ism.get(pool, 0) + i_s + i_m
            pool_qsm[pool] = pool_qsm.get(pool, Fraction(0)) + q_sm
        else:
            r_s, r_c, r_b = _at_least_one(policy, q_s, q_sm, _round(q_s, policy.rounding),
                                          _round(cap_share * T, policy.rounding),
                                          _round(q_sm, policy.rounding))
            cap_s = max(r_s, need[Level.SENIOR])
            lift = (max(need[Level.SENIOR], i_s) + need[Level.INTERMEDIATE]
                    if need[Level.INTERMEDIATE] else need[Level.SENIOR])
            cap_sm = max(r_c, lift)
            base_sm = max(r_b, lift)
            if grandfather:
                cap_s, cap_sm = max(cap_s, i_s), max(cap_sm, i_s + i_m)
                base_sm = max(base_sm, i_s + i_m)
            prob += p_s <= cap_s, f"cap_senior_{k}"
            prob += p_s + p_m <= cap_sm, f"cap_si_{k}"
            # stage 2: the distance to the base caps (at most the unit's posts)
            t_s, t_sm = min(cap_s, T), min(base_sm, T)
            prob += d_s >= p_s - t_s, f"dev_senior_above_{k}"
            prob += d_s >= t_s - p_s, f"dev_senior_below_{k}"
            prob += d_sm >= p_s + p_m - t_sm, f"dev_si_above_{k}"
            prob += d_sm >= t_sm - p_s - p_m, f"dev_si_below_{k}"
            stage2_terms += [(d_s, 1.0), (d_sm, 1.0)]
            targets.append((t_s, t_sm))
        g = float(u.priority)
        stage1_terms += [(y_s, g * float(policy.weight_senior)),
                         (y_m, g * float(policy.weight_intermediate))]
        if policy.budget is not None:
            b = policy.budget
            budget_terms += [(y_s, float(b.cost_senior - b.cost_intermediate)),
                             (y_m, float(b.cost_intermediate - b.cost_junior))]
        records.append((p_s, p_m, y_s, y_m, q_s, q_sm, Fraction(repr(g)), d_s, d_sm,
                        str(u.pool)))
    pool_base: dict[str, tuple[int, int]] = {}
    for j, (pool, members) in enumerate(pool_members.items()):
        cap_s, cap_sm, base_sm = _at_least_one(
            policy, pool_qs[pool], pool_qsm[pool], _round(pool_qs[pool], policy.rounding),
            _round(pool_qc[pool], policy.rounding), _round(pool_qsm[pool], policy.rounding))
        if grandfather:
            cap_s, cap_sm = max(cap_s, pool_is[pool]), max(cap_sm, pool_ism[pool])
            base_sm = max(base_sm, pool_ism[pool])
        pool_base[pool] = (cap_s, base_sm)
        sum_s = pulp.lpSum(p_s for p_s, _ in members)
        sum_sm = pulp.lpSum(p_s + p_m for p_s, p_m in members)
        prob += sum_s <= cap_s, f"pool_cap_senior_{pool}"
        prob += sum_sm <= cap_sm, f"pool_cap_si_{pool}"
        e_s = pulp.LpVariable(f"e_s_{j}", 0)
        e_sm = pulp.LpVariable(f"e_sm_{j}", 0)
        prob += e_s >= sum_s - cap_s, f"pool_dev_senior_above_{pool}"
        prob += e_s >= cap_s - sum_s, f"pool_dev_senior_below_{pool}"
        prob += e_sm >= sum_sm - base_sm, f"pool_dev_si_above_{pool}"
        prob += e_sm >= base_sm - sum_sm, f"pool_dev_si_below_{pool}"
        stage2_terms += [(e_s, 1.0), (e_sm, 1.0)]
    # stage 3 (scope pool): distance to the Hamilton quotas Q = B(pool)·σT / Σ_pool σT
    for k, (p_s, p_m, _, _, q_s, q_sm, _, d_s, d_sm, pool) in enumerate(records):
        if not pooled:
            break
        b_s, b_sm = pool_base[pool]
        quota_s = b_s * q_s / pool_qs[pool] if pool_qs[pool] else Fraction(0)
        quota_sm = b_sm * q_sm / pool_qsm[pool] if pool_qsm[pool] else Fraction(0)
        quotas.append((quota_s, quota_sm))
        prob += d_s >= p_s - float(quota_s), f"dev_senior_above_{k}"
        prob += d_s >= float(quota_s) - p_s, f"dev_senior_below_{k}"
        prob += d_sm >= p_s + p_m - float(quota_sm), f"dev_si_above_{k}"
        prob += d_sm >= float(quota_sm) - p_s - p_m, f"dev_si_below_{k}"
        stage3_terms += [(d_s, 1.0), (d_sm, 1.0)]
    if policy.budget is not None:
        prob += (pulp.LpAffineExpression(budget_terms) <= float(policy.budget.max_increase),
                 "budget")
    stage1 = pulp.LpAffineExpression(stage1_terms)
    prob.setObjective(stage1)
    build = time.perf_counter() - started
    out = NaiveResult(solver, "error", build, 0.0, 0.0, variables=len(prob.variables()),
                      constraints=len(prob.constraints))

    t0 = time.perf_counter()
    prob.solve(make_solver(solver, time_limit))
    out.stage1_seconds = time.perf_counter() - t0
    out.status = _outcome(prob)
    if not out.finished:
        out.message = f"stage 1: {_describe(prob)}"
        return out
    delta = stage1_granularity(policy, units["priority"].tolist())
    best = round(Fraction(pulp.value(stage1)) / delta) * delta
    prob += stage1 >= float(best - delta / 2), "stage1_optimum"
    prob.sense = pulp.LpMinimize
    prob.setObjective(pulp.LpAffineExpression(stage2_terms))
    left = None if time_limit is None else time_limit - out.stage1_seconds
    t0 = time.perf_counter()
    if left is not None and left <= 0:
        out.status, out.message = "time_limit", "no time left for stage 2"
        return out
    prob.solve(make_solver(solver, left))
    out.stage2_seconds = time.perf_counter() - t0
    out.status = _outcome(prob)
    if not out.finished:
        out.message = f"stage 2: {_describe(prob)}"
        return out
    if pooled:
        stage2 = pulp.LpAffineExpression(stage2_terms)
        best2 = round(pulp.value(stage2))
        prob += stage2 <= best2 + 0.5, "stage2_optimum"
        prob.setObjective(pulp.LpAffineExpression(stage3_terms))
        left = None if time_limit is None else time_limit - out.solve_seconds
        if left is not None and left <= 0:
            out.status, out.message = "time_limit", "no time left for stage 3"
            return out
        t0 = time.perf_counter()
        prob.solve(make_solver(solver, left))
        out.stage2_seconds += time.perf_counter() - t0
        out.status = _outcome(prob)
        if not out.finished:
            out.message = f"stage 3: {_describe(prob)}"
            return out
    out.stage1, out.stage2, out.stage3 = exact_objectives(records, policy, targets, quotas,
                                                          pool_base)
    if out.stage1 != best:
        out.status, out.message = "error", f"stage 2 changed stage 1: {out.stage1} != {best}"
    return out


def exact_objectives(records, policy: Policy, targets, quotas, pool_base
                     ) -> tuple[Fraction, Fraction, Fraction | None]:
    """(stage 1, stage 2, stage 3) recomputed exactly from the integer solution."""
    s1 = Fraction(0)
    s2 = Fraction(0)
    s3 = Fraction(0)
    sums: dict[str, list[int]] = {}
    for k, (p_s, p_m, y_s, y_m, _, _, g, _, _, pool) in enumerate(records):
        a = round(p_s.varValue)
        b = a + round(p_m.varValue)
        s1 += g * (policy.weight_senior * round(y_s.varValue)
                   + policy.weight_intermediate * round(y_m.varValue))
        if quotas:
            acc = sums.setdefault(pool, [0, 0])
            acc[0] += a
            acc[1] += b
            s3 += abs(a - quotas[k][0]) + abs(b - quotas[k][1])
        else:
            s2 += abs(a - targets[k][0]) + abs(b - targets[k][1])
    for pool, (a, b) in sums.items():
        s2 += abs(a - pool_base[pool][0]) + abs(b - pool_base[pool][1])
    return s1, s2, (s3 if quotas else None)
