"""The exact method for a budget across all units (scope pool), against the MIP."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import quotaopt as q
from quotaopt.caps import compute_limits
from quotaopt.fastpath import tie_order
from quotaopt.solve import apply_tie_rule, canonical_order

TYPES = ["health_centre", "school"]


@st.composite
def provinces(draw, max_units: int = 12, max_pools: int = 3) -> pd.DataFrame:
    n = draw(st.integers(1, max_units))
    pools = [f"P{i}" for i in range(draw(st.integers(1, max_pools)))]
    rows = []
    for i in range(n):
        total = draw(st.integers(0, 40))
        s = draw(st.integers(0, total // 6))
        m = draw(st.integers(0, (total - s) // 2))
        j = draw(st.integers(0, total - s - m))
        rows.append({
            "unit_id": f"U{i:02d}", "type": draw(st.sampled_from(TYPES)),
            "pool": draw(st.sampled_from(pools)), "total_posts": total,
            "senior_incumbents": s, "intermediate_incumbents": m, "junior_incumbents": j,
            "senior_waiting": draw(st.integers(0, m)),
            "intermediate_waiting": draw(st.integers(0, j)),
            # few distinct priorities: ties across units and pools are the hard case
            "priority": draw(st.sampled_from([1, 1, 2])),
        })
    return pd.DataFrame(rows)


@st.composite
def budget_policies(draw) -> q.Policy:
    costs = draw(st.sampled_from([(130, 100, 85), (130, 100, 70), (120, 100, 90)]))
    rules: tuple[q.MinimumRule, ...] = ()
    if draw(st.booleans()):
        rules = (q.MinimumRule(q.Level.SENIOR, draw(st.integers(1, 2)), "health_centre",
                               draw(st.integers(0, 10))),)
    return q.Policy(
        ratio=q.Ratio.parse(draw(st.sampled_from(["1:4:5", "0.5:3.5:6", "1:3:6"]))),
        scope=q.Scope.POOL,
        rounding=draw(st.sampled_from(list(q.Rounding))),
        junior_to_intermediate=Fraction(draw(st.sampled_from([0, 1, 2, 4])), 4),
        incumbents=draw(st.sampled_from(list(q.Incumbents))),
        types={"health_centre": q.TypePolicy(senior_bonus=Fraction(
            draw(st.sampled_from([0, 5])), 100))},
        minimum=rules,
        weight_senior=Fraction(draw(st.sampled_from([1, 2, 3]))),
        # zero, binding, and (often) not binding
        budget=q.Budget(*(Fraction(c) for c in costs),
                        Fraction(draw(st.sampled_from([0, 15, 30, 45, 60, 100, 150, 300,
                                                       1000, 10000])))),
    )


def fit(policy: q.Policy, df: pd.DataFrame) -> q.Policy:
    present = set(df["type"])
    return q.Policy(**{**policy.__dict__,
                       "types": {t: v for t, v in policy.types.items() if t in present},
                       "minimum": tuple(r for r in policy.minimum
                                        if r.type is None or r.type in present)})


def objectives(res: q.Result) -> tuple:
    o = res.summary["objective"]
    return tuple(sorted((k, str(v)) for k, v in o.items()))


def check_against_mip(df: pd.DataFrame, policy: q.Policy, backends=("highs",)) -> q.Result:
    sc = q.make_scenario(df, fit(policy, df))
    try:
        auto = q.solve(sc, backend="highs", method="auto")
    except q.InputError as e:  # outside the exact method, and too large for an exact MIP
        assert "too large for an exact MIP" in str(e)
        assume(False)
    for b in backends:
        try:
            mip = q.solve(sc, backend=b, method="mip")
        except q.InputError as e:  # numbers too large for an exact MIP: no reference
            assert "too large for an exact MIP" in str(e)
            assume(False)
        except q.SolverError as e:  # the MIP noticed it lost precision: no reference either
            assert "too large for it to be exact" in str(e)
            assume(False)
        assert auto.status == mip.status
        if mip.status is q.Status.OPTIMAL:
            assert objectives(auto) == objectives(mip), b
    if auto.status is q.Status.OPTIMAL:
        assert_tie_rule_kept(sc, auto)
    return auto


def assert_tie_rule_kept(sc: q.Scenario, res: q.Result) -> None:
    """No move of the tie rule (scope pool) changes the plan: it is the documented one."""
    v = sc.variant()
    lim = compute_limits(v.policy, v.units)
    order = canonical_order(v.units, lim.pool_codes)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    tie = tie_order(v.units["total_posts"].to_numpy(np.int64), lim.pool_codes, rank)
    a = res.allocation
    A = a["posts_senior"].to_numpy(np.int64).copy()
    B = A + a["posts_intermediate"].to_numpy(np.int64)
    ys = a["appointed_senior"].to_numpy(np.int64).copy()
    ym = a["appointed_intermediate"].to_numpy(np.int64).copy()
    before = [x.copy() for x in (A, B, ys, ym)]
    apply_tie_rule(v.policy, v.units, lim, np.arange(len(A)), tie, A, B, ys, ym)
    for x, y in zip(before, (A, B, ys, ym), strict=True):
        assert (x == y).all()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(), budget_policies())
def test_budget_method_reaches_the_mip_optimum(df, policy):
    res = check_against_mip(df, policy)
    if res.status is q.Status.OPTIMAL:
        # the structured methods solved it (the MIP only outside what they prove)
        assert res.summary["solver"]["units_mip"] in (0, len(df))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=6, max_pools=2), budget_policies())
def test_budget_method_reaches_the_cbc_optimum(df, policy):
    check_against_mip(df, policy, backends=("cbc",))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=80, max_pools=4), budget_policies())
def test_budget_method_on_medium_provinces(df, policy):
    check_against_mip(df, policy)


def test_budget_over_many_pools_mip_refuses_cleanly_and_auto_solves():
    # 5,000 units in 125 pools: a budget makes them one block whose quotas' common
    # denominator is far beyond an exact MIP (it once overflowed a float: a crash, exit 70)
    from benchmarks.generate import generate_units

    df = generate_units(5000, seed=3)
    policy = q.Policy(ratio=q.Ratio.parse("1:4:5"), scope=q.Scope.POOL,
                      junior_to_intermediate=Fraction(1, 2), weight_senior=Fraction(3),
                      types={"health_centre": q.TypePolicy(senior_bonus=Fraction(5, 100))},
                      budget=q.Budget(Fraction(130000), Fraction(100000), Fraction(85000),
                                      Fraction(600 * 5000)))
    sc = q.make_scenario(df, policy)
    with pytest.raises(q.InputError, match="too large for an exact MIP"):
        q.solve(sc, backend="highs", method="mip")
    res = q.solve(sc, backend="highs", method="auto")
    assert res.status is q.Status.OPTIMAL
    assert res.summary["solver"]["units_mip"] == 0
    assert res.summary["promotion_cost"] <= 600 * 5000
