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
from hypothesis import HealthCheck, given, settings
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
    # stage 1 = 4 appointments; stage 2 = |14 − 10| = 4
    assert res.summary["objective"]["weighted_appointments"] == 4
    assert res.summary["objective"]["deviation_from_share"] == 4


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
    # Senior shares 1.7, 1.8, 1.9 → pool cap floor(5.4) = 5. Floors 1+1+1 = 3; the two posts
    # left go to the largest remainders .9 (S19) and .8 (S18): A = 1, 2, 2.
    # s+m shares 6.8, 7.2, 7.6 → pool cap floor(21.6) = 21; floors 6+7+7 = 20; one post to the
    # largest remainder .8 (S17): B = 7, 7, 7.
    # stage 2 = .7 + .2 + .1 + .2 + .2 + .6 = 2
    rows = [{"unit_id": f"S{t}", "type": "school", "total_posts": t, "pool": "P"}
            for t in (17, 18, 19)]
    res = solved(scenario(rows, ratio=q.Ratio.parse("1:3:6"), scope=q.Scope.POOL), backend)
    got = {r["unit_id"]: (r["posts_senior"], r["posts_senior"] + r["posts_intermediate"])
           for r in res.allocation.to_dict("records")}
    assert got == {"S17": (1, 7), "S18": (2, 7), "S19": (2, 7)}
    assert res.summary["objective"]["deviation_from_share_exact"] == "2"
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
    solve_mod = importlib.import_module("quotaopt.solve")

    sc = q.load_scenario("scenarios/tongxi-county.toml")
    one = q.solve(sc, "county-pool", method="mip")
    monkeypatch.setattr(solve_mod, "WEIGHTED_LIMIT", 0.0)
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
