"""The elastic relaxation is built on the one formulation: its rows are the formulation's
rows that restrict plans (plus the caps and minimums, bounds there), and with every slack
zero it admits exactly the formulation's plans."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest

import quotaopt
from quotaopt.caps import compute_limits
from quotaopt.formulation import slack_rows
from quotaopt.model import build
from quotaopt.policy import (
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
from quotaopt.relax import LEFT_OUT, elastic, elastic_model


def small_case(seed: int, budget: str | None = None) -> quotaopt.Scenario:
    """One to two units of at most 5 posts and a random policy (often infeasible), with a
    budget over all units (``budget="all"``) or one per pool (``"pool"``)."""
    rnd = random.Random(seed)
    rows = []
    for k in range(rnd.randint(1, 2)):
        T = rnd.randint(0, 5)
        s = rnd.randint(0, T)
        m = rnd.randint(0, T - s)
        j = rnd.randint(0, T - s - m)
        rows.append({"unit_id": f"U{k}", "type": rnd.choice(["hc", "school"]),
                     "pool": rnd.choice(["P", "Q"]), "total_posts": T,
                     "senior_incumbents": s, "intermediate_incumbents": m,
                     "junior_incumbents": j, "senior_waiting": rnd.randint(0, min(m, 2)),
                     "intermediate_waiting": rnd.randint(0, min(j, 2))})
    types = {r["type"] for r in rows}
    rules = tuple(MinimumRule(rnd.choice(list(Level)), rnd.randint(0, 3),
                              rnd.choice([None, "hc"]), rnd.randint(0, 4))
                  for _ in range(rnd.randint(0, 3)))
    pol = Policy(
        ratio=Ratio.parse(rnd.choice(["1:4:5", "1:3:6", "0.2:1.8:8"])),
        scope=rnd.choice(list(Scope)), rounding=rnd.choice(list(Rounding)),
        junior_to_intermediate=rnd.choice([F(0), F(1, 2)]),
        incumbents=rnd.choice(list(Incumbents)),
        types={"hc": TypePolicy(senior_bonus=F(1, 20))} if "hc" in types else {},
        minimum=tuple(r for r in rules if r.type is None or r.type in types),
        budget=None if budget is None else
        Budget(F(301, 100), F(2), F(1), F(rnd.randint(-2, 4))) if budget == "all" else
        Budget(F(3), F(2), F(1), F(0), scope=BudgetScope.POOL,
               pools={r["pool"]: F(1) for r in rows}))
    return quotaopt.make_scenario(pd.DataFrame(rows), pol)


def parts(sc: quotaopt.Scenario):
    v = sc.variant()
    lim = compute_limits(v.policy, v.units)
    idx = np.arange(len(v.units))
    return v, lim, build(v.policy, v.units, lim, idx, idx), elastic_model(v.policy, v.units,
                                                                          lim, idx)


@pytest.mark.parametrize("seed", range(40))
def test_elastic_rows_are_the_formulations_rows(seed):
    v, lim, form, model = parts(small_case(seed, budget=("all", "pool", None)[seed % 3]))
    n = form.n
    left_out = np.concatenate([form.rows_of(k) for k in form.row_kind if k.startswith(LEFT_OUT)])
    kept = np.setdiff1d(np.arange(form.matrix.shape[0]), left_out)
    m = len(kept)
    el = model.form.matrix
    # the kept rows, in their order, over the columns A, B, y_s, y_m: the same numbers
    assert (el[:m, :4 * n] != form.matrix[kept][:, :4 * n]).nnz == 0
    assert form.matrix[kept][:, 4 * n:].nnz == 0  # the left-out columns are not in them
    assert np.array_equal(model.form.row_upper[:m], form.row_upper[kept])
    assert np.isinf(form.row_lower).all() and np.isinf(model.form.row_lower).all()
    # what is left out: rows that a free column satisfies at every plan (the deviations and
    # distances of the objective), and each pool's own budget
    redundant, _ = slack_rows(form, np.zeros(form.num_col))
    budget_pool = form.rows_of("budget_pool")
    assert set(left_out.tolist()) == set(np.flatnonzero(redundant).tolist()) | set(
        budget_pool.tolist())
    # one slack column per rule, −1 in its row only, weighed by the penalties
    slack = el[:, model.first_slack:].tocsc()
    assert slack.shape[1] == len(model.rows)
    assert np.array_equal(slack.indices, [r.row for r in model.rows])
    assert (slack.data == -1).all()
    assert (model.cost[:model.first_slack] == 0).all()
    assert (model.cost[model.first_slack:] > 0).all()
    assert np.array_equal(model.cost, np.rint(model.cost))


def points(form, n: int):
    """Every whole (A, B, y_s, y_m) of the units with 0 ≤ A, B ≤ T and the appointments
    within their bounds (as the elastic model's bounds say)."""
    T = form.col_upper[:n]
    ranges = ([range(int(t) + 1) for t in T] * 2
              + [range(int(form.col_upper[2 * n + k]) + 1) for k in range(2 * n)])
    return np.array(list(itertools.product(*ranges)), dtype=np.float64)


def inside(matrix, col_lower, col_upper, row_upper, x) -> np.ndarray:
    return (((x >= col_lower) & (x <= col_upper)).all(axis=1)
            & ((matrix @ x.T).T <= row_upper + 1e-9).all(axis=1))


@pytest.mark.parametrize("seed", range(40))
def test_with_zero_slacks_the_elastic_model_is_the_formulation(seed):
    v, lim, form, model = parts(small_case(seed, budget="all" if seed % 3 == 0 else None))
    n = form.n
    P = points(model.form, n)
    # the formulation: its deviation and distance columns set high enough for any plan
    big = np.full((len(P), form.num_col - 4 * n), 1e6)
    original = inside(form.matrix, form.col_lower, form.col_upper, form.row_upper,
                      np.hstack([P, big]))
    el = model.form
    zero = inside(el.matrix, el.col_lower, el.col_upper, el.row_upper,
                  np.hstack([P, np.zeros((len(P), len(model.rows)))]))
    assert np.array_equal(original, zero)
    # and the elastic model's answer is empty exactly when the formulation has a plan
    assert (elastic(v.policy, v.units, lim, backend="highs") == []) == bool(original.any())


def test_elastic_through_either_backend_relaxes_as_much():
    units = pd.DataFrame({"unit_id": ["A", "B"], "type": ["school"] * 2, "pool": ["P"] * 2,
                          "total_posts": [10, 10], "senior_incumbents": [3, 3],
                          "intermediate_incumbents": [5, 5]})
    pol = Policy(scope=Scope.POOL, minimum=(MinimumRule(Level.JUNIOR, 3),),
                 budget=Budget(F(130000), F(100000), F(85000), F(-5000)))
    v = quotaopt.make_scenario(units, pol).variant()
    lim = compute_limits(v.policy, v.units)
    got = {b: [(s.rule, s.limit, s.relaxed) for s in elastic(v.policy, v.units, lim, backend=b)]
           for b in ("highs", "cbc")}
    assert got["highs"] == got["cbc"]
    assert ("budget", -5000, 0) in got["highs"]
    assert ("pooled senior+intermediate cap", 10, 16) in got["highs"]


@pytest.mark.parametrize("backend", ["highs", "cbc"])
def test_a_minimum_is_never_relaxed_below_zero(backend):
    """Lowering the intermediate minimum further than to 0 would admit ``A > B`` (fewer than
    no intermediate posts): the slack of a minimum is bounded by the minimum. Here every
    optimum of the unbounded model costs the same, and CBC chose ``1 → −1``."""
    units = pd.DataFrame({"unit_id": ["A"], "type": ["school"], "total_posts": [5],
                          "senior_incumbents": [0], "intermediate_incumbents": [0]})
    pol = Policy(scope=Scope.UNIT, minimum=(MinimumRule(Level.SENIOR, 3),
                                            MinimumRule(Level.INTERMEDIATE, 1),
                                            MinimumRule(Level.JUNIOR, 3)))
    v = quotaopt.make_scenario(units, pol).variant()
    lim = compute_limits(v.policy, v.units)
    model = elastic_model(v.policy, v.units, lim)
    f = model.form
    x = np.zeros(f.num_col)
    x[:2] = [3, 2]  # A = 3 > B = 2, every slack at its upper bound
    x[model.first_slack:] = np.minimum(f.col_upper[model.first_slack:], 10)
    assert not inside(f.matrix, f.col_lower, f.col_upper, f.row_upper, x[None, :])[0]
    slacks = elastic(v.policy, v.units, lim, backend=backend)
    assert slacks and all(s.relaxed >= 0 for s in slacks)
    assert sum(s.amount for s in slacks) == 2
