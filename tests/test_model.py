"""Reference scenarios with hand-derived optimal plans, and properties of every plan.

Each case states the arithmetic in comments; an exact allocation is asserted only where the
optimum is unique, otherwise the objective values and the checker.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import quotaopt as q
from quotaopt.caps import compute_limits, round_fraction
from quotaopt.check import check_plan
from quotaopt.solve import plan_for_check

# "auto" = the structured exact method (MIP where it does not apply); "highs" and "cbc" = the
# MIP reference on each backend. Every reference case is checked on all three.
BACKENDS = ["auto", "highs", "cbc"]


def solve_with(sc: q.Scenario, how: str, variant: str | None = None) -> q.Result:
    if how == "auto":
        return q.solve(sc, variant, backend="highs", method="auto")
    return q.solve(sc, variant, backend=how, method="mip")


def units(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def scenario(rows: list[dict], **policy) -> q.Scenario:
    return q.make_scenario(units(rows), q.Policy(**policy))


def solved(sc: q.Scenario, backend: str = "highs", variant: str | None = None) -> q.Result:
    res = solve_with(sc, backend, variant)
    if res.allocation is not None:
        assert check_plan(sc.variant(variant).policy,
                          plan_for_check(sc.variant(variant), res.allocation)) == []
    return res


def row(res: q.Result, uid: str) -> dict:
    a = res.allocation
    return a[a["unit_id"] == uid].iloc[0].to_dict()


# --------------------------------------------------------------------------------------------
# exact caps


def test_cap_that_floats_get_wrong_floor():
    # 0.5:3.5:6 → senior+intermediate share 0.05 + 0.35; in floats 0.39999999999999997,
    # × 10 = 3.9999999999999996 → floor 3. Exactly it is 4/10 × 10 = 4.
    assert 0.5 / 10 + 3.5 / 10 < 0.4
    sc = scenario([{"unit_id": "A", "type": "school", "total_posts": 10}],
                  ratio=q.Ratio.parse("0.5:3.5:6"))
    lim = compute_limits(sc.policy, sc.units)
    assert lim.cap_sm[0] == 4


def test_cap_that_floats_get_wrong_ceil():
    # Health centre, 1:4:5 + 5 points: in floats 0.1 + 0.05 = 0.15000000000000002 and
    # × 20 = 3.0000000000000004, so ceil would give 4; exactly 15 % × 20 = 3.
    assert math.ceil((1 / 10 + 0.05) * 20) == 4
    sc = scenario([{"unit_id": "A", "type": "health_centre", "total_posts": 20}],
                  rounding=q.Rounding.CEIL,
                  types={"health_centre": q.TypePolicy(senior_bonus=Fraction(5, 100))})
    lim = compute_limits(sc.policy, sc.units)
    assert lim.cap_s[0] == 3
    assert round_fraction(Fraction(5, 2), q.Rounding.NEAREST) == 3  # halves go up


def test_health_centre_bonus_and_rounding_modes():
    # 25 posts, 1:4:5 + 5 points → 15 % × 25 = 3.75: floor 3, nearest 4, ceil 4.
    rows = [{"unit_id": "H", "type": "health_centre", "total_posts": 25}]
    types = {"health_centre": q.TypePolicy(senior_bonus=Fraction(5, 100))}
    got = {}
    for r in q.Rounding:
        sc = scenario(rows, types=types, rounding=r)
        lim = compute_limits(sc.policy, sc.units)
        got[r.value] = int(lim.cap_s[0])
    assert got == {"floor": 3, "nearest": 4, "ceil": 4}


# --------------------------------------------------------------------------------------------
# reference plans


@pytest.mark.parametrize("backend", BACKENDS)
def test_transfer_used_only_where_needed(backend):
    # Two schools of 20 posts, 1:4:5, junior_to_intermediate = 1 (s+m cap 20).
    # Base shares: senior 2, senior+intermediate 10.
    # NEED: 1 senior + 9 intermediate incumbents (s+m block full at 10), 4 waiting for an
    #   intermediate post → B = 10 + 4 = 14: the transfer gives 4 junior-share posts.
    # NONE: same staff, nobody waiting → B stays at its proportional share 10.
    base = {"type": "school", "total_posts": 20, "senior_incumbents": 1,
            "intermediate_incumbents": 9, "junior_incumbents": 10}
    sc = scenario([{**base, "unit_id": "NEED", "intermediate_waiting": 4},
                   {**base, "unit_id": "NONE"}], junior_to_intermediate=Fraction(1))
    res = solved(sc, backend)
    assert res.status is q.Status.OPTIMAL
    need, none = row(res, "NEED"), row(res, "NONE")
    assert (need["posts_senior"], need["posts_intermediate"], need["posts_junior"]) == (2, 12, 6)
    assert need["appointed_intermediate"] == 4
    assert (none["posts_senior"], none["posts_intermediate"], none["posts_junior"]) == (2, 8, 10)
    # stage 1 = 4 appointments; stage 2 = |2 − 2| + |14 − 10| for NEED, 0 for NONE = 4
    assert res.summary["objective"]["weighted_appointments"] == 4
    assert res.summary["objective"]["distance_from_base_caps"] == 4
    assert res.summary["objective"]["distance_from_quotas"] is None  # scope unit


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_transfer_waiting_staff_stay_waiting(backend):
    base = {"type": "school", "total_posts": 20, "senior_incumbents": 1,
            "intermediate_incumbents": 9, "junior_incumbents": 10, "intermediate_waiting": 4}
    res = solved(scenario([{**base, "unit_id": "A"}]), backend)
    a = row(res, "A")
    assert (a["posts_senior"], a["posts_intermediate"], a["appointed_intermediate"]) == (2, 8, 0)
    assert a["waiting_left_intermediate"] == 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_pool_split_by_largest_remainder(backend):
    # Pool scope, ratio 1:3:6 (senior 10 %, senior+intermediate 40 %), schools of 17, 18, 19.
    # Senior shares 1.7, 1.8, 1.9 (sum 5.4) → pool base cap floor(5.4) = 5; Hamilton quotas
    # 5 × 1.7/5.4 = 85/54 ≈ 1.574, 90/54 ≈ 1.667, 95/54 ≈ 1.759. Floors 1+1+1 = 3; the two
    # posts left go to the largest remainders .759 (S19) and .667 (S18): A = 1, 2, 2.
    # s+m shares 6.8, 7.2, 7.6 (sum 21.6) → base cap 21; quotas 21 × 6.8/21.6 = 119/18 ≈ 6.611,
    # 7, 133/18 ≈ 7.389. Floors 6+7+7 = 20; one post to the largest remainder .611 (S17):
    # B = 7, 7, 7. Stage 2 = |5 − 5| + |21 − 21| = 0.
    # Stage 3 = 31/54 + 18/54 + 13/54 + 7/18 + 0 + 7/18 = 31/27 + 21/27 = 52/27
    rows = [{"unit_id": f"S{t}", "type": "school", "total_posts": t, "pool": "P"}
            for t in (17, 18, 19)]
    res = solved(scenario(rows, ratio=q.Ratio.parse("1:3:6"), scope=q.Scope.POOL), backend)
    got = {r["unit_id"]: (r["posts_senior"], r["posts_senior"] + r["posts_intermediate"])
           for r in res.allocation.to_dict("records")}
    assert got == {"S17": (1, 7), "S18": (2, 7), "S19": (2, 7)}
    assert res.summary["objective"]["distance_from_base_caps"] == 0
    assert res.summary["objective"]["distance_from_quotas"] == round(52 / 27, 9)
    assert set(res.allocation["cap_senior"]) == {5}
    assert set(res.allocation["cap_senior_intermediate"]) == {21}


@pytest.mark.parametrize("backend", BACKENDS)
def test_pool_rounding_applies_to_the_pool_sum(backend):
    # Three schools of 5 posts: unit by unit floor(0.5) = 0 senior each; pooled
    # floor(1.5) = 1 senior post for the pool, which goes to the unit with a senior waiting.
    rows = [{"unit_id": f"U{i}", "type": "school", "total_posts": 5, "pool": "P",
             "intermediate_incumbents": 2, "junior_incumbents": 3,
             "senior_waiting": 1 if i == 2 else 0} for i in range(3)]
    unit_res = solved(scenario(rows), backend)
    assert unit_res.allocation["posts_senior"].sum() == 0
    pool_res = solved(scenario(rows, scope=q.Scope.POOL), backend)
    assert row(pool_res, "U2")["posts_senior"] == 1
    assert row(pool_res, "U2")["appointed_senior"] == 1
    assert pool_res.allocation["posts_senior"].sum() == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_minimum_rule_lifts_a_small_units_cap(backend):
    # A school of 8 posts: 10 % × 8 = 0.8 → floor 0 senior posts. The rule "every school with
    # at least 8 posts gets 1 senior post" lifts its cap to 1 (scope unit).
    rule = q.MinimumRule(level=q.Level.SENIOR, posts=1, type="school", when_total_at_least=8)
    rows = [{"unit_id": "S8", "type": "school", "total_posts": 8},
            {"unit_id": "S7", "type": "school", "total_posts": 7}]
    res = solved(scenario(rows, minimum=(rule,)), backend)
    assert (row(res, "S8")["posts_senior"], row(res, "S8")["cap_senior"]) == (1, 1)
    assert (row(res, "S7")["posts_senior"], row(res, "S7")["cap_senior"]) == (0, 0)


def test_over_ratio_unit_protect_is_infeasible():
    # 10 posts, 1:4:5 → senior cap 1, but 2 senior incumbents.
    rows = [{"unit_id": "X", "name": "石桥镇卫生院", "type": "school", "total_posts": 10,
             "senior_incumbents": 2, "intermediate_incumbents": 2, "senior_waiting": 1}]
    res = q.solve(scenario(rows))
    assert res.status is q.Status.INFEASIBLE and res.allocation is None
    text = " ".join(res.reasons)
    assert "unit X (石桥镇卫生院)" in text and "2 senior incumbents" in text
    assert "allows 1" in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_over_ratio_unit_grandfather(backend):
    rows = [{"unit_id": "X", "type": "school", "total_posts": 10, "senior_incumbents": 2,
             "intermediate_incumbents": 2, "senior_waiting": 1}]
    res = solved(scenario(rows, incumbents=q.Incumbents.GRANDFATHER), backend)
    x = row(res, "X")
    # cap raised to the 2 incumbents, no room for the waiting senior
    assert (x["cap_senior"], x["posts_senior"], x["appointed_senior"]) == (2, 2, 0)
    assert x["over_ratio"] is True or x["over_ratio"] == np.True_
    assert res.summary["units_over_ratio"] == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_budget_that_binds(backend):
    # Two schools of 30 posts (senior cap 3), 1 senior incumbent each, 1 senior and 4
    # intermediate title-holders waiting each. A senior appointment costs 130k − 100k = 30k,
    # an intermediate one 100k − 85k = 15k. Budget 60k, weights 3 / 1:
    # 2 senior (cost 60k, value 6) beats 1 senior + 2 intermediate (60k, 5) and 4 intermediate
    # (60k, 4). Optimum: both seniors appointed, nobody else.
    base = {"type": "school", "total_posts": 30, "senior_incumbents": 1,
            "intermediate_incumbents": 10, "junior_incumbents": 15, "senior_waiting": 1,
            "intermediate_waiting": 4}
    budget = q.Budget(Fraction(130000), Fraction(100000), Fraction(85000), Fraction(60000))
    sc = scenario([{**base, "unit_id": "A"}, {**base, "unit_id": "B"}],
                  junior_to_intermediate=Fraction(1), budget=budget,
                  weight_senior=Fraction(3), weight_intermediate=Fraction(1))
    res = solved(sc, backend)
    assert res.allocation["appointed_senior"].sum() == 2
    assert res.allocation["appointed_intermediate"].sum() == 0
    assert res.summary["promotion_cost"] == 60000
    assert res.summary["objective"]["weighted_appointments"] == 6


@pytest.mark.parametrize("backend", BACKENDS)
def test_priorities_decide_who_is_appointed(backend):
    # One pool with a senior cap of 1 (two schools of 5: floor(1.0) = 1) and a waiting senior in
    # each unit; priority 2 beats priority 1.
    rows = [{"unit_id": u, "type": "school", "total_posts": 5, "pool": "P",
             "intermediate_incumbents": 2, "senior_waiting": 1, "priority": p}
            for u, p in (("LOW", 1), ("HIGH", 2))]
    res = solved(scenario(rows, scope=q.Scope.POOL), backend)
    assert row(res, "HIGH")["appointed_senior"] == 1
    assert row(res, "LOW")["appointed_senior"] == 0


def test_fractional_priorities_and_weights_are_exact():
    # Priorities 1.5 and 1 and weights 0.3 / 0.1: stage 1 = 1.5·0.3 = 0.45 exactly.
    rows = [{"unit_id": u, "type": "school", "total_posts": 5, "pool": "P",
             "intermediate_incumbents": 2, "senior_waiting": 1, "priority": p}
            for u, p in (("A", 1.0), ("B", 1.5))]
    res = solved(scenario(rows, scope=q.Scope.POOL, weight_senior=Fraction(3, 10),
                          weight_intermediate=Fraction(1, 10)))
    assert res.summary["objective"]["weighted_appointments_exact"] == "9/20"
    assert row(res, "B")["appointed_senior"] == 1


def test_two_stage_fallback_gives_the_same_optimum(monkeypatch):
    stages = importlib.import_module("quotaopt.stages")

    sc = q.load_scenario("scenarios/tongxi-county.toml")
    one = q.solve(sc, "county-pool", method="mip")
    monkeypatch.setattr(stages, "WEIGHTED_LIMIT", 0.0)
    two = q.solve(sc, "county-pool", method="mip")
    assert two.summary["objective"] == one.summary["objective"]


def test_vacancies_count_lower_staff_on_higher_posts():
    # 10 posts, shares senior 1, s+m 5. Five intermediate incumbents, nobody waiting:
    # stage 2 sets P_s = 1, P_m = 4; the fifth intermediate holds the senior post.
    rows = [{"unit_id": "A", "type": "school", "total_posts": 10,
             "intermediate_incumbents": 5, "junior_incumbents": 5}]
    a = row(solved(scenario(rows)), "A")
    assert (a["posts_senior"], a["posts_intermediate"], a["posts_junior"]) == (1, 4, 5)
    assert (a["vacant_senior"], a["vacant_intermediate"], a["vacant_junior"]) == (0, 0, 0)


# --------------------------------------------------------------------------------------------
# shipped scenarios: every variant, both backends, same objective values, checker clean


SHIPPED = ["scenarios/tongxi-county.toml"]


@pytest.mark.parametrize("path", SHIPPED)
def test_shipped_scenarios_solve_with_both_backends(path):
    sc = q.load_scenario(path)
    for name in sc.variant_names:
        results = {b: solved(sc, b, name) for b in BACKENDS}
        objs = {b: r.summary["objective"] for b, r in results.items()}
        assert all(r.status is q.Status.OPTIMAL for r in results.values()), name
        assert objs["highs"] == objs["cbc"] == objs["auto"], name


def test_init_example_solves(tmp_path):
    from click.testing import CliRunner

    from quotaopt.cli import main

    r = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert r.exit_code == 0, r.output
    sc = q.load_scenario(tmp_path / "scenario.toml")
    for name in sc.variant_names:
        assert solved(sc, "highs", name).status is q.Status.OPTIMAL


# --------------------------------------------------------------------------------------------
# properties

TYPES = ["health_centre", "school"]


@st.composite
def unit_tables(draw, max_units: int = 7) -> pd.DataFrame:
    n = draw(st.integers(1, max_units))
    rows = []
    for i in range(n):
        total = draw(st.integers(0, 40))
        s = draw(st.integers(0, total // 8))
        m = draw(st.integers(0, (total - s) // 2))
        j = draw(st.integers(0, total - s - m))
        rows.append({
            "unit_id": f"U{i:02d}", "type": draw(st.sampled_from(TYPES)),
            "pool": draw(st.sampled_from(["P1", "P2"])), "total_posts": total,
            "senior_incumbents": s, "intermediate_incumbents": m, "junior_incumbents": j,
            "senior_waiting": draw(st.integers(0, m)),
            "intermediate_waiting": draw(st.integers(0, j)),
            "priority": draw(st.sampled_from([1, 1, 2, 1.5])),
        })
    return pd.DataFrame(rows)


@st.composite
def policies(draw, minimums: bool = True, budgets: bool = True) -> q.Policy:
    rules: tuple[q.MinimumRule, ...] = ()
    if minimums and draw(st.booleans()):
        rules = (q.MinimumRule(q.Level.SENIOR, draw(st.integers(1, 2)), "health_centre",
                               draw(st.integers(0, 10))),)
    if minimums and draw(st.booleans()):  # any level, any type: exercises the MIP fallback
        rules += (q.MinimumRule(draw(st.sampled_from(list(q.Level))), draw(st.integers(0, 4)),
                                draw(st.sampled_from([None, "school", "health_centre"])),
                                draw(st.integers(0, 20))),)
    budget = None
    if budgets and draw(st.booleans()):
        budget = q.Budget(Fraction(130), Fraction(100), Fraction(85),
                          Fraction(draw(st.integers(0, 200))))
    return q.Policy(
        ratio=q.Ratio.parse(draw(st.sampled_from(["1:4:5", "0.5:3.5:6", "1:3:6"]))),
        scope=draw(st.sampled_from(list(q.Scope))),
        rounding=draw(st.sampled_from(list(q.Rounding))),
        junior_to_intermediate=Fraction(draw(st.sampled_from([0, 1, 2, 4])), 4),
        incumbents=draw(st.sampled_from(list(q.Incumbents))),
        types={"health_centre": q.TypePolicy(senior_bonus=Fraction(
            draw(st.sampled_from([0, 5])), 100))},
        minimum=rules,
        weight_senior=Fraction(draw(st.sampled_from([1, 3]))),
        budget=budget,
    )


def fit(policy: q.Policy, df: pd.DataFrame) -> q.Policy:
    """Drop type settings and rules for types the table lacks (they are input errors)."""
    present = set(df["type"])
    return dataclasses.replace(
        policy,
        types={t: v for t, v in policy.types.items() if t in present},
        minimum=tuple(r for r in policy.minimum if r.type is None or r.type in present),
    )


PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPS
@given(unit_tables(), policies())
def test_every_plan_passes_the_checker_and_backends_agree(df, policy):
    policy = fit(policy, df)
    sc = q.make_scenario(df, policy)
    res = {b: solve_with(sc, b) for b in BACKENDS}
    assert res["highs"].status == res["cbc"].status == res["auto"].status
    if res["highs"].status is q.Status.OPTIMAL:
        for r in res.values():  # solve() already ran the checker; run it again here
            assert check_plan(policy, plan_for_check(sc.variant(), r.allocation)) == []
        assert (res["highs"].summary["objective"] == res["cbc"].summary["objective"]
                == res["auto"].summary["objective"])


@PROPS
@given(unit_tables(), policies(minimums=False), st.data())
def test_more_posts_never_reduce_appointments(df, policy, data):
    policy = fit(policy, df)
    sc = q.make_scenario(df, policy)
    before = q.solve(sc)
    if before.status is not q.Status.OPTIMAL:
        return
    i = data.draw(st.integers(0, len(df) - 1))
    grown = df.copy()
    grown.loc[i, "total_posts"] += data.draw(st.integers(1, 5))
    after = q.solve(q.make_scenario(grown, policy))
    assert after.status is q.Status.OPTIMAL
    assert (Fraction(after.summary["objective"]["weighted_appointments_exact"])
            >= Fraction(before.summary["objective"]["weighted_appointments_exact"]))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 500), st.sampled_from(list(q.Rounding)),
       st.integers(0, 20), st.integers(0, 20),
       st.sampled_from(["1:4:5", "0.5:3.5:6", "1:3:6", "0.5:3:6.5"]))
def test_raising_the_bonus_never_lowers_the_senior_cap(total, rounding, b1, b2, ratio):
    lo, hi = sorted((b1, b2))
    rows = q.make_scenario(pd.DataFrame(
        [{"unit_id": "H", "type": "health_centre", "total_posts": total}])).units
    caps = []
    for bonus in (lo, hi):
        pol = q.Policy(ratio=q.Ratio.parse(ratio), rounding=rounding, types={
            "health_centre": q.TypePolicy(senior_bonus=Fraction(bonus, 100))})
        caps.append(int(compute_limits(pol, rows).cap_s[0]))
    assert caps[0] <= caps[1]


@PROPS
@given(unit_tables(), policies(), st.randoms(use_true_random=False))
def test_shuffling_rows_changes_nothing(df, policy, rnd):
    policy = fit(policy, df)
    sc = q.make_scenario(df, policy)
    order = list(range(len(df)))
    rnd.shuffle(order)
    shuffled = q.make_scenario(df.iloc[order].reset_index(drop=True), policy)
    a, b = q.solve(sc), q.solve(shuffled)
    assert a.status == b.status
    if a.allocation is not None:
        left = a.allocation.sort_values("unit_id").reset_index(drop=True)
        right = b.allocation.sort_values("unit_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right)


def test_policy_replace_keeps_types():
    # Policy objects are frozen; variants are made with dataclasses.replace
    p = q.Policy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.scope = q.Scope.POOL  # type: ignore[misc]


@pytest.mark.parametrize("variant", ["baseline", "county-pool"])
def test_small_batches_give_the_same_optimum(variant):
    # MIP batches never split a block (a unit, or a pool): tiny batches change nothing
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    whole = q.solve(sc, variant, method="mip")
    split = q.solve(sc, variant, method="mip", batch_units=3)
    assert split.status is q.Status.OPTIMAL
    assert split.summary["objective"] == whole.summary["objective"]


# --------------------------------------------------------------------------------------------
# SPEC section 2 revised (issue 14): base caps filled, pooled quotas split by largest
# remainder, zero ratio parts, at_least_one. Each expected plan is derived by hand.


def alloc_map(res: q.Result) -> dict[str, tuple[int, int]]:
    return {r["unit_id"]: (r["posts_senior"], r["posts_senior"] + r["posts_intermediate"])
            for r in res.allocation.to_dict("records")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_ceil_rounding_fills_the_ceiling(backend):
    # Scope unit, ceil, 1:4:5, a school of 23 posts: senior share 2.3 → base cap 3, s+m share
    # 11.5 → 12. Stage 2 fills both: P_s = 3, P_s + P_m = 12 (the old stage 2 gave 2 and 11 or
    # 12). Nobody waits, so the allowance (f = 1, s+m cap 23) stays unused.
    sc = scenario([{"unit_id": "S", "type": "school", "total_posts": 23}],
                  rounding=q.Rounding.CEIL, junior_to_intermediate=Fraction(1))
    res = solved(sc, backend)
    assert alloc_map(res) == {"S": (3, 12)}
    assert (row(res, "S")["cap_senior"], row(res, "S")["cap_senior_intermediate"]) == (3, 23)
    assert res.summary["objective"]["distance_from_base_caps"] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_pool_quota_handed_out_even_below_half(backend):
    # Pool, 1:4:5, schools of 12, 12, 13: senior shares 1.2, 1.2, 1.3 (sum 3.7) → base cap 3.
    # Quotas 3 × 1.2/3.7 ≈ 0.973, 0.973, 3 × 1.3/3.7 ≈ 1.054. Floors 0 + 0 + 1 = 1; two posts
    # left go to the largest remainders .973 (A12) and .973 (B12): A = 1, 1, 1 — the whole
    # pooled quota is used (the old stage 2 left a unit with remainder < ½ at its floor only
    # when the cap did not bind; here it checks the quotas, not σT).
    # s+m: shares 6, 6, 6.5 (sum 18.5) → 18; quotas 18 × 6/18.5 ≈ 5.838, 5.838, 6.324;
    # floors 5 + 5 + 6 = 16, two left → .838, .838: B = 6, 6, 6.
    rows = [{"unit_id": u, "type": "school", "total_posts": t, "pool": "P"}
            for u, t in (("A12", 12), ("B12", 12), ("C13", 13))]
    res = solved(scenario(rows, scope=q.Scope.POOL), backend)
    assert alloc_map(res) == {"A12": (1, 6), "B12": (1, 6), "C13": (1, 6)}
    assert res.summary["objective"]["distance_from_base_caps"] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_tie_in_remainders_goes_to_the_larger_unit_then_unit_id(backend):
    # Pool, 1:4:5. Y5 and X5 (5 posts each) and Z15 (15 posts): senior shares .5, .5, 1.5
    # (sum 2.5) → base cap 2; quotas 2 × .5/2.5 = 0.4, 0.4, 1.2: floors 0 + 0 + 1 = 1, one
    # post left, remainders .4, .4, .2 → tie between X5 and Y5 (equal size): X5 comes first
    # by unit_id. A = X5 1, Y5 0, Z15 1.
    # s+m shares 2.5, 2.5, 7.5 (sum 12.5) → base cap 12; quotas 12 × 2.5/12.5 = 2.4, 2.4, 7.2;
    # floors 2 + 2 + 7 = 11, one left, remainders .4, .4, .2 → X5 again: B = 3, 2, 7.
    rows = [{"unit_id": u, "type": "school", "total_posts": t, "pool": "P"}
            for u, t in (("Y5", 5), ("Z15", 15), ("X5", 5))]
    res = solved(scenario(rows, scope=q.Scope.POOL), backend)
    assert alloc_map(res) == {"X5": (1, 3), "Y5": (0, 2), "Z15": (1, 7)}
    # quotas .4 .4 1.2 → |1 − .4| + .4 + .2; 2.4 2.4 7.2 → .6 + .4 + .2: total 2.4
    assert res.summary["objective"]["distance_from_quotas"] == 2.4


@pytest.mark.parametrize("backend", BACKENDS)
def test_tie_goes_to_the_larger_unit_first(backend):
    # Pool, 1:4:5, A5 (5 posts) and B15 (15): senior shares .5 and 1.5 → base cap 2, quotas
    # exactly .5 and 1.5: floors 0 + 1, one post left, equal remainders .5 → the larger unit
    # B15 gets it: A = 0, 2. s+m shares 2.5 and 7.5 → 10, quotas 2.5, 7.5 → B15 again: 2, 8.
    rows = [{"unit_id": u, "type": "school", "total_posts": t, "pool": "P"}
            for u, t in (("A5", 5), ("B15", 15))]
    res = solved(scenario(rows, scope=q.Scope.POOL), backend)
    assert alloc_map(res) == {"A5": (0, 2), "B15": (2, 8)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_appointment_forces_a_unit_above_its_quota(backend):
    # Pool, 1:4:5, schools S10 and S20: senior shares 1 and 2 → base cap 3, quotas exactly 1
    # and 2. S10 has two intermediate incumbents holding senior titles (waiting): stage 1
    # appoints both (A_S10 ≥ 2), the pool cap leaves S20 one senior post. A = 2, 1; stage 3 at
    # the senior level |2 − 1| + |1 − 2| = 2. s+m: shares 5, 10 → 15, quotas 5, 10, B = 5, 10.
    rows = [{"unit_id": "S10", "type": "school", "total_posts": 10, "pool": "P",
             "intermediate_incumbents": 2, "junior_incumbents": 3, "senior_waiting": 2},
            {"unit_id": "S20", "type": "school", "total_posts": 20, "pool": "P"}]
    res = solved(scenario(rows, scope=q.Scope.POOL), backend)
    assert alloc_map(res) == {"S10": (2, 5), "S20": (1, 10)}
    assert row(res, "S10")["appointed_senior"] == 2
    obj = res.summary["objective"]
    assert (obj["weighted_appointments"], obj["distance_from_base_caps"],
            obj["distance_from_quotas"]) == (2, 0, 2)


def test_zero_ratio_part():
    assert q.Ratio.parse("0:3:7").shares == (0, Fraction(3, 10), Fraction(7, 10))
    with pytest.raises(ValueError, match="all three parts are 0"):
        q.Ratio.parse("0:0:0")
    with pytest.raises(ValueError, match="not a number ≥ 0"):
        q.Ratio.parse("-1:3:8")


@pytest.mark.parametrize("backend", BACKENDS)
def test_zero_senior_share_type(backend):
    # culture_station 0:3:7, 10 posts: senior cap 0, s+m cap 3 → plan 0 / 3 / 7. A school of
    # 10 (1:4:5) beside it: 1 / 4 / 5. at_least_one senior changes nothing for the station:
    # its senior share is 0, not "above 0 but rounded to 0".
    rows = [{"unit_id": "C", "type": "culture_station", "total_posts": 10},
            {"unit_id": "S", "type": "school", "total_posts": 10}]
    types = {"culture_station": q.TypePolicy(ratio=q.Ratio.parse("0:3:7"))}
    for alo in ((), (q.Level.SENIOR,)):
        res = solved(scenario(rows, types=types, at_least_one=alo), backend)
        assert alloc_map(res) == {"C": (0, 3), "S": (1, 5)}
        assert row(res, "C")["cap_senior"] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_at_least_one_unit_scope(backend):
    # 1:4:5, floor. S4 (4 posts): senior share .4 → 0, at_least_one senior → cap 1; s+m share
    # 2 → 2: plan 1 / 1 / 2. S2 (2 posts) with senior and intermediate: senior .2 → cap 1;
    # s+m 1.0 → 1 leaves no intermediate post though the intermediate share .8 > 0 → 2:
    # plan 1 / 1 / 0. S20: 2 / 8 / 10, untouched.
    rows = [{"unit_id": u, "type": "school", "total_posts": t}
            for u, t in (("S4", 4), ("S2", 2), ("S20", 20))]
    res = solved(scenario(rows, at_least_one=(q.Level.SENIOR,)), backend)
    assert alloc_map(res) == {"S4": (1, 2), "S2": (1, 1), "S20": (2, 10)}
    assert row(res, "S4")["cap_senior"] == 1
    both = solved(scenario(rows, at_least_one=(q.Level.SENIOR, q.Level.INTERMEDIATE)), backend)
    assert alloc_map(both) == {"S4": (1, 2), "S2": (1, 2), "S20": (2, 10)}
    assert row(both, "S2")["cap_senior_intermediate"] == 2
    plain = solved(scenario(rows), backend)
    assert alloc_map(plain) == {"S4": (0, 2), "S2": (0, 1), "S20": (2, 10)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_at_least_one_pool_scope(backend):
    # Pool of two schools of 2 posts: senior shares .2 + .2 = .4 → 0; at_least_one senior →
    # the pool's cap 1; quotas .5 and .5 → tie, same size → A2 (unit_id) gets it.
    rows = [{"unit_id": u, "type": "school", "total_posts": 2, "pool": "P"} for u in ("B2", "A2")]
    res = solved(scenario(rows, scope=q.Scope.POOL, at_least_one=(q.Level.SENIOR,)), backend)
    # s+m shares 1 + 1 = 2 → 2, quotas 1 and 1
    assert alloc_map(res) == {"A2": (1, 1), "B2": (0, 1)}
    assert set(res.allocation["cap_senior"]) == {1}


def test_at_least_one_in_the_scenario_file(tmp_path):
    (tmp_path / "u.csv").write_text("unit_id,type,total_posts\nA,school,4\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        '[scenario]\nunits = "u.csv"\n[policy]\nat_least_one = ["senior"]\n'
        '[policy.types.school]\nratio = "0:4:6"\n', encoding="utf-8")
    sc = q.load_scenario(tmp_path / "s.toml")
    assert sc.policy.at_least_one == (q.Level.SENIOR,)
    res = q.solve(sc)  # 0:4:6 has no senior share: at_least_one gives nothing
    assert res.summary["policy"]["at_least_one"] == ["senior"]
    assert res.allocation["cap_senior"].tolist() == [0]
    (tmp_path / "s.toml").write_text(
        '[scenario]\nunits = "u.csv"\n[policy]\nat_least_one = ["senior"]\n', encoding="utf-8")
    from quotaopt.explain import explain
    lines = explain(q.load_scenario(tmp_path / "s.toml"), "A").lines
    assert ("senior cap: 4 × 10 % = 0.4 → floor 0 → 1 by policy.at_least_one (不足1个按1个: a "
            "share above 0 that rounds to 0 still gives 1 post)") in lines
    (tmp_path / "s.toml").write_text(
        '[scenario]\nunits = "u.csv"\n[policy]\nat_least_one = ["junior", "seniour"]\n',
        encoding="utf-8")
    with pytest.raises(q.InputError) as err:
        q.load_scenario(tmp_path / "s.toml")
    text = str(err.value)
    assert "policy.at_least_one[1]" in text and "junior posts have no cap" in text
    assert "policy.at_least_one[2]" in text and "'seniour' is not a level" in text


# -- properties against independent references -----------------------------------------------


def _round(x: Fraction, rounding: q.Rounding) -> int:
    if rounding is q.Rounding.FLOOR:
        return math.floor(x)
    if rounding is q.Rounding.CEIL:
        return math.ceil(x)
    return math.floor(x + Fraction(1, 2))


def hamilton(seats: int, shares: list[Fraction], sizes: list[int], ids: list[str]) -> list[int]:
    """Largest remainder, written from the textbook: quotas, floors, remainders ranked; equal
    remainders → larger unit, then unit_id. A unit never gets more seats than its posts
    (``sizes``): with ``ceil`` a quota can exceed them; the seat goes to the next cheapest
    step, as the distance Σ|x − quota| counts it (closest to the quota first)."""
    total = sum(shares)
    if total == 0:
        return [0] * len(shares)
    quotas = [seats * s / total for s in shares]
    out = [min(math.floor(x), n) for x, n in zip(quotas, sizes, strict=True)]

    def step(i: int) -> Fraction:  # how much one more seat changes |x − quota|
        return abs(out[i] + 1 - quotas[i]) - abs(out[i] - quotas[i])

    for _ in range(seats - sum(out)):
        room = [i for i in range(len(shares)) if out[i] < sizes[i]]
        out[min(room, key=lambda i: (step(i), -sizes[i], ids[i]))] += 1
    return out


RATIOS = ["1:4:5", "0:3:7", "1:3:6", "0.5:3.5:6", "2:3:0"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(["a", "b"])), min_size=1,
                max_size=9),
       st.sampled_from(RATIOS), st.sampled_from(RATIOS), st.sampled_from(list(q.Rounding)),
       st.sampled_from([0, 5]), st.sampled_from(["auto", "highs"]))
# a quota above the unit's posts (ceil, a type whose senior+intermediate share is 100 %)
@example([(1, "a"), (1, "b")], "0:3:7", "2:3:0", q.Rounding.CEIL, 0, "auto")
@example([(1, "a"), (1, "b")], "0:3:7", "2:3:0", q.Rounding.CEIL, 0, "highs")
def test_pool_without_waiting_is_the_hamilton_apportionment(sizes, ra, rb, rounding, bonus,
                                                           how):
    rows = [{"unit_id": f"U{i:02d}", "type": t, "total_posts": n, "pool": "P"}
            for i, (n, t) in enumerate(sizes)]
    ratio = {"a": q.Ratio.parse(ra), "b": q.Ratio.parse(rb)}
    b = Fraction(bonus, 100)
    if any(b > ratio[t].shares[2] for t in "ab"):
        b = Fraction(0)
    types = {"a": q.TypePolicy(ratio=ratio["a"], senior_bonus=b),
             "b": q.TypePolicy(ratio=ratio["b"])}
    present = {t for _, t in sizes}
    sc = scenario(rows, scope=q.Scope.POOL, rounding=rounding,
                  types={t: v for t, v in types.items() if t in present})
    # the reference, from the policy's words
    shares = {t: (ratio[t].shares[0] + (b if t == "a" else 0),
                  ratio[t].shares[0] + ratio[t].shares[1] + (b if t == "a" else 0))
              for t in "ab"}
    ids = [r["unit_id"] for r in rows]
    T = [r["total_posts"] for r in rows]
    want = []
    for lvl in (0, 1):
        st_ = [shares[r["type"]][lvl] * r["total_posts"] for r in rows]
        want.append(hamilton(_round(sum(st_), rounding), st_, T, ids))
    res = solve_with(sc, how)
    assert res.status is q.Status.OPTIMAL
    got = alloc_map(res)
    if all(a <= c for a, c in zip(*want, strict=True)):  # else the levels' order binds
        assert got == {u: (a, c) for u, a, c in zip(ids, *want, strict=True)}
        assert res.summary["objective"]["distance_from_base_caps"] == 0


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 200), st.sampled_from(RATIOS), st.sampled_from(list(q.Rounding)),
       st.sampled_from([0, 1, 2, 4]), st.sampled_from([(), ("senior",), ("senior",
                                                                        "intermediate")]),
       st.sampled_from(["auto", "highs", "cbc"]))
def test_unit_scope_fills_the_base_caps(total, ratio, rounding, f, alo, how):
    r = q.Ratio.parse(ratio)
    levels = tuple(q.Level(x) for x in alo)
    sc = scenario([{"unit_id": "U", "type": "school", "total_posts": total}], ratio=r,
                  rounding=rounding, junior_to_intermediate=Fraction(f, 4), at_least_one=levels)
    s, m, _ = r.shares
    b_s = _round(s * total, rounding)
    b_sm = _round((s + m) * total, rounding)
    if "senior" in alo and s * total > 0:
        b_s = max(b_s, 1)
    b_sm = max(b_sm, b_s)
    if "intermediate" in alo and m * total > 0:
        b_sm = max(b_sm, b_s + 1)
    res = solve_with(sc, how)
    assert alloc_map(res) == {"U": (min(b_s, total), min(b_sm, total))}
    # the base caps count at most the unit's posts, so they are always reached here
    assert res.summary["objective"]["distance_from_base_caps"] == 0


@pytest.mark.parametrize("scope", list(q.Scope))
def test_zero_senior_share_with_senior_incumbents_is_diagnosed(scope):
    # 0:3:7 allows no senior post; a senior incumbent makes it infeasible (protect), and the
    # diagnosis searches (which divide by the share) must not fail on the share 0
    rows = [{"unit_id": "C", "type": "culture_station", "total_posts": 10, "pool": "P",
             "senior_incumbents": 1, "intermediate_incumbents": 2}]
    sc = scenario(rows, scope=scope,
                  types={"culture_station": q.TypePolicy(ratio=q.Ratio.parse("0:3:7"))})
    res = q.solve(sc)
    assert res.status is q.Status.INFEASIBLE
    assert "1 senior incumbents" in res.reasons[0] and "0:3:7" in res.reasons[0]
    assert q.diagnose(sc).conflicts[0].allowed == 0


def test_a_pool_budget_row_too_large_for_an_exact_mip_is_an_input_error():
    from quotaopt.model import build
    from quotaopt.policy import Budget, BudgetScope, Policy, Scope

    units = pd.DataFrame({"unit_id": ["A"], "type": ["school"], "pool": ["P"],
                          "total_posts": [10], "intermediate_incumbents": [3],
                          "senior_waiting": [2]})
    # the extra cost of a senior appointment has 15 decimal places: in whole steps, appointing
    # both waiting staff costs ~2·10^15, above 2^50
    pol = Policy(scope=Scope.POOL, budget=Budget(
        Fraction(3) + Fraction(1, 10**15), Fraction(2), Fraction(1), Fraction(0),
        scope=BudgetScope.POOL, pools={"P": Fraction(0)}))
    v = q.make_scenario(units, pol).variant()
    lim = compute_limits(v.policy, v.units)
    with pytest.raises(q.InputError) as err:
        build(v.policy, v.units, lim, np.arange(1), np.zeros(1, dtype=np.int64))
    (problem,) = err.value.problems
    assert problem.code == "pool_budget_row_too_large" and problem.key == "budget"
    assert str(problem.message).startswith("a pool's budget row is too large to be solved")


def test_pulp_model_with_added_constraints_that_admit_no_plan():
    from pathlib import Path

    sc = q.load_scenario(Path(__file__).parent.parent / "scenarios" / "tongxi-county.toml")
    m = q.build_pulp(sc)
    m.problem += m.posts_senior["TX011"] >= 10**6, "impossible"
    res = m.solve()
    assert res.status is q.Status.INFEASIBLE
    assert list(res.reasons) == ["the policy with your added constraints admits no plan"]
