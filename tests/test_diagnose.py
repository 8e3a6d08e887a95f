"""Infeasibility in policy words: one scenario per kind of collision, the named units and
rules, and the smallest change — checked by solving with it (feasible) and with one less
(still infeasible)."""

from __future__ import annotations

import importlib
from dataclasses import replace
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quotaopt
from quotaopt.caps import compute_limits
from quotaopt.cli import main
from quotaopt.diagnose import (
    decimal_at_least,
    diagnose,
    elastic,
    find_conflicts,
    fmt_num,
    fmt_pct,
    precheck,
    smallest_total,
    threshold,
)
from quotaopt.scenario import (
    Budget,
    Incumbents,
    Level,
    MinimumRule,
    Policy,
    Ratio,
    Rounding,
    Scope,
    TypePolicy,
)


def scenario(units: dict, policy: Policy) -> quotaopt.Scenario:
    return quotaopt.make_scenario(pd.DataFrame(units), policy)


def conflicts(sc: quotaopt.Scenario):
    v = sc.variant()
    return find_conflicts(v.policy, v.units, compute_limits(v.policy, v.units))


def slacks(sc: quotaopt.Scenario):
    v = sc.variant()
    return elastic(v.policy, v.units, compute_limits(v.policy, v.units), backend="highs")


def feasible(units: dict, policy: Policy) -> bool:
    return quotaopt.solve(scenario(units, policy)).status is quotaopt.Status.OPTIMAL


# --------------------------------------------------------------------------------------------
# number words


def test_numbers_are_written_exactly():
    assert fmt_num(F(3)) == "3"
    assert fmt_num(F(5, 2)) == "2.5"
    assert fmt_num(F(1, 20)) == "0.05"
    assert fmt_num(F(7, 3)) == "7/3"
    assert fmt_pct(F(1, 10)) == "10 %"
    assert fmt_pct(F(3, 20)) == "15 %"
    assert decimal_at_least(F(1, 47)) == "0.0213"
    assert decimal_at_least(F(1, 2), strict=True) == "0.5001"
    assert threshold(3, Rounding.FLOOR) == (F(3), False)
    assert threshold(3, Rounding.NEAREST) == (F(5, 2), False)
    assert threshold(3, Rounding.CEIL) == (F(2), True)


# --------------------------------------------------------------------------------------------
# 1. scope unit: incumbents above the senior cap


UNIT_X = {"unit_id": ["X"], "name": ["东风乡中心学校"], "type": ["school"],
          "total_posts": [20], "senior_incumbents": [3]}


def test_senior_incumbents_over_unit_cap_named_with_smallest_total():
    sc = scenario(UNIT_X, Policy())
    (c,) = conflicts(sc)
    assert c.rule == "senior cap"
    assert c.unit_ids == ("X",)
    assert (c.needed, c.allowed) == (3, 2)
    assert str(c) == (
        "unit X (东风乡中心学校) has 3 senior incumbents but the ratio 1:4:5 senior cap allows "
        "2 of its 20 posts (20 × 10 % = 2 → floor 2): set incumbents = \"grandfather\", or "
        "raise its total_posts to 30, or raise policy.types.school.senior_bonus to 0.05"
    )
    res = quotaopt.solve(sc)
    assert res.status is quotaopt.Status.INFEASIBLE
    assert res.reasons == (str(c),)
    # the change is enough, and it is the smallest
    assert feasible({**UNIT_X, "total_posts": [30]}, Policy())
    assert not feasible({**UNIT_X, "total_posts": [29]}, Policy())
    assert feasible(UNIT_X, Policy(incumbents=Incumbents.GRANDFATHER))
    assert feasible(UNIT_X, Policy(types={"school": TypePolicy(senior_bonus=F(5, 100))}))
    assert not feasible(UNIT_X, Policy(types={"school": TypePolicy(senior_bonus=F(49, 1000))}))


@pytest.mark.parametrize("rounding, total", [("floor", 30), ("nearest", 25), ("ceil", 21)])
def test_smallest_total_follows_the_rounding(rounding, total):
    pol = Policy(rounding=Rounding(rounding))
    sc = scenario(UNIT_X, pol)
    assert smallest_total(pol, sc.units, 0) == total
    assert f"raise its total_posts to {total}" in str(conflicts(sc)[0])
    assert feasible({**UNIT_X, "total_posts": [total]}, pol)
    assert not feasible({**UNIT_X, "total_posts": [total - 1]}, pol)


def test_smallest_total_counts_a_minimum_rule_that_switches_on():
    # 2 senior + 4 intermediate incumbents, 1:4:5 without transfer: caps at 20 posts are 2 and
    # 10. At 20+ posts a junior minimum of 12 applies — the unit then needs 6 + 12 = 18 ≤ T.
    units = {"unit_id": ["M"], "type": ["school"], "total_posts": [19],
             "senior_incumbents": [2], "intermediate_incumbents": [4]}
    pol = Policy(minimum=(MinimumRule(Level.JUNIOR, 15, None, 20),))
    # at 19 the senior cap is 1: 2 incumbents do not fit; at 20 the cap is 2 but the junior
    # minimum (15) leaves 5 posts for 6 incumbents; 21 leaves 6.
    assert smallest_total(pol, scenario(units, pol).units, 0) == 21
    assert feasible({**units, "total_posts": [21]}, pol)
    assert not feasible({**units, "total_posts": [20]}, pol)


# 2. scope unit: senior+intermediate incumbents above the senior+intermediate cap


def test_senior_intermediate_incumbents_over_cap_suggest_junior_to_intermediate():
    units = {"unit_id": ["X"], "type": ["school"], "total_posts": [20],
             "senior_incumbents": [2], "intermediate_incumbents": [10]}
    sc = scenario(units, Policy())
    (c,) = conflicts(sc)
    assert c.rule == "senior+intermediate cap"
    assert str(c) == (
        "unit X has 12 senior+intermediate incumbents but the ratio 1:4:5 senior+intermediate "
        "cap allows 10 of its 20 posts (20 × (10 % + 40 %) = 10 → floor 10): set incumbents = "
        "\"grandfather\", or raise its total_posts to 24, or raise "
        "policy.junior_to_intermediate to 0.2"
    )
    assert feasible(units, Policy(junior_to_intermediate=F(1, 5)))
    assert not feasible(units, Policy(junior_to_intermediate=F(19, 100)))
    assert feasible({**units, "total_posts": [24]}, Policy())
    assert not feasible({**units, "total_posts": [23]}, Policy())


# 3. a unit whose minimum rules do not fit beside its incumbents


def test_minimums_and_incumbents_do_not_fit_in_a_unit():
    units = {"unit_id": ["Y"], "name": ["西岭镇文化站"], "type": ["culture"],
             "total_posts": [10], "senior_incumbents": [5]}
    pol = Policy(incumbents=Incumbents.GRANDFATHER,
                 minimum=(MinimumRule(Level.INTERMEDIATE, 3), MinimumRule(Level.JUNIOR, 3)))
    sc = scenario(units, pol)
    (c,) = conflicts(sc)
    assert c.rule == "minimum rules"
    assert c.where == "unit Y (西岭镇文化站)"
    assert str(c).startswith(
        "unit Y (西岭镇文化站): minimum rules need 0 senior + 3 intermediate + 3 junior posts "
        "and incumbents hold 5 senior + 0 intermediate posts: together at least 11 posts, but "
        "it has 10: raise its total_posts to 11, or lower the intermediate minimum "
        "(policy.minimum[1]) to 2 post(s)")
    assert "lower the junior minimum (policy.minimum[2]) to 2 post(s)" in str(c)
    assert feasible({**units, "total_posts": [11]}, pol)
    # the elastic model sees the same collision and relaxes a minimum by one post
    (s,) = slacks(sc)
    assert (s.where, s.limit, s.relaxed) == ("unit Y (西岭镇文化站)", 3, 2)
    assert s.rule in ("intermediate minimum", "junior minimum")


# 4. scope pool: incumbents above a pooled cap


def test_pool_incumbents_over_pooled_cap():
    units = {"unit_id": ["A", "B"], "type": ["health_centre", "school"], "pool": ["东片"] * 2,
             "total_posts": [30, 20], "senior_incumbents": [4, 3]}
    pol = Policy(scope=Scope.POOL, types={"health_centre": TypePolicy(senior_bonus=F(1, 20))})
    sc = scenario(units, pol)
    (c,) = conflicts(sc)
    assert c.rule == "pooled senior cap"
    assert c.where == "pool 东片"
    assert c.unit_ids == ("A", "B")
    assert str(c) == (
        "pool 东片: its units have 7 senior incumbents but the pooled ratio 1:4:5 senior cap is "
        "6 (Σ posts × share over 2 units = 6.5 → floor 6): set incumbents = \"grandfather\", "
        "or add 4 post(s) to unit A, whose senior share is the pool's largest"
    )
    assert feasible({**units, "total_posts": [34, 20]}, pol)
    assert not feasible({**units, "total_posts": [33, 20]}, pol)
    (s,) = slacks(sc)
    assert (s.rule, s.where, s.limit, s.relaxed) == ("pooled senior cap", "pool 东片", 6, 7)


def test_pool_incumbents_and_minimums_grandfather_is_not_offered_alone():
    # 5 senior incumbents over a pooled cap of 4, and a minimum rule needs 1 more at B: the
    # need is 6, so grandfathering (a cap of 5) alone cannot be enough
    units = {"unit_id": ["A", "B"], "type": ["school", "health_centre"], "pool": ["P"] * 2,
             "total_posts": [30, 10], "senior_incumbents": [5, 0],
             "intermediate_incumbents": [0, 0]}
    pol = Policy(scope=Scope.POOL, minimum=(MinimumRule(Level.SENIOR, 1, "health_centre", 8),))
    (c,) = conflicts(scenario(units, pol))
    assert (c.needed, c.allowed) == (6, 4)
    assert str(c).startswith(
        "pool P: minimum rules and incumbents need 6 senior posts (5 held by incumbents, 1 more "
        "for the minimum rules at B), the pooled ratio 1:4:5 senior cap is 4 (Σ posts × share "
        "over 2 units = 4 → floor 4): set incumbents = \"grandfather\" and lower the senior "
        "minimum (policy.minimum[1]) to 0 post(s)")
    assert 'set incumbents = "grandfather",' not in str(c)
    gf = Policy(scope=Scope.POOL, incumbents=Incumbents.GRANDFATHER, minimum=pol.minimum)
    assert not feasible(units, gf)
    assert feasible(units, Policy(scope=Scope.POOL, incumbents=Incumbents.GRANDFATHER,
                                  minimum=(MinimumRule(Level.SENIOR, 0, "health_centre", 8),)))
    # with grandfather: the real need, and the cap raised to the incumbents said so
    (c,) = conflicts(scenario(units, gf))
    assert (c.needed, c.allowed) == (6, 5)
    assert ("the pooled ratio 1:4:5 senior cap is 5 (Σ posts × share over 2 units = 4 → "
            "floor 4, raised to 5 for the grandfathered incumbents): lower the senior minimum "
            "(policy.minimum[1]) to 0 post(s)") in str(c)
    # scope "unit" is offered only when it works: with protect, A's 5 incumbents are over
    # its own cap of 3; grandfathered, they are not
    assert 'scope = "unit"' in str(c)
    assert feasible(units, replace(gf, scope=Scope.UNIT))
    (c,) = conflicts(scenario(units, pol))
    assert 'scope = "unit"' not in str(c)
    assert not feasible(units, replace(pol, scope=Scope.UNIT))


def test_conflicts_name_the_types_own_ratio_and_a_cap_a_minimum_raised():
    units = {"unit_id": ["S", "H"], "type": ["school", "health_centre"],
             "total_posts": [46, 20], "senior_incumbents": [2, 0],
             "intermediate_incumbents": [0, 0]}
    pol = Policy(types={"school": TypePolicy(ratio=Ratio.parse("0.2:3:6.8"))},
                 minimum=(MinimumRule(Level.JUNIOR, 1), MinimumRule(Level.SENIOR, 1, "school")))
    (c,) = conflicts(scenario(units, pol))
    assert str(c).startswith(
        "unit S has 2 senior incumbents but the ratio 0.2:3:6.8 (policy.types.school.ratio) "
        "senior cap allows 1 of its 46 posts (46 × 2 % = 0.92 → floor 0, raised to 1 by the "
        "minimum rules (policy.minimum[2])): ")
    mixed = find_conflicts(replace(pol, scope=Scope.POOL, minimum=()),
                           *(lambda v: (v.units, compute_limits(
                               replace(pol, scope=Scope.POOL, minimum=()), v.units)))(
                               scenario({**units, "senior_incumbents": [2, 2]}, pol)
                               .variant()))
    assert "ratios 0.2:3:6.8 and 1:4:5" in str(mixed[0])


# 5. scope pool: minimum rules above a pooled cap (the issue's "pool East" example)


EAST = {"unit_id": [f"H{k:02d}" for k in range(14)] + ["S1"],
        "type": ["health_centre"] * 14 + ["school"], "pool": ["East"] * 15,
        "total_posts": [8] * 14 + [0]}
EAST_POLICY = Policy(scope=Scope.POOL,
                     minimum=(MinimumRule(Level.SENIOR, 1, "health_centre", 8),))


def test_pool_minimums_over_pooled_cap_issue_example():
    # 14 health centres of 8 posts and a school of 0: 14 × 0.8 = 11.2 → pooled cap 11
    units = EAST
    sc = scenario(units, EAST_POLICY)
    (c,) = conflicts(sc)
    text = str(c)
    assert text.startswith(
        "pool East: minimum rules and incumbents need 14 senior posts (0 held by incumbents, "
        "14 more for the minimum rules at H00, H01, H02, H03, H04, H05 and 8 more), the pooled "
        "ratio 1:4:5 senior cap is 11 (Σ posts × share over 15 units = 11.2 → floor 11): ")
    assert "lower the senior minimum (policy.minimum[1]) to 0 post(s)" in text
    assert "use scope = \"unit\"" in text
    assert "add 28 post(s) to unit H00, whose senior share is the pool's largest" in text
    bigger = {**units, "total_posts": [36] + [8] * 13 + [0]}
    assert feasible(bigger, EAST_POLICY)
    assert not feasible({**units, "total_posts": [35] + [8] * 13 + [0]}, EAST_POLICY)
    res = quotaopt.solve(sc)
    assert res.status is quotaopt.Status.INFEASIBLE and res.reasons == (text,)
    # elastic: three minimums are lowered (cheaper than raising the ratio's cap)
    got = slacks(sc)
    assert [s.rule for s in got] == ["senior minimum"] * 3
    assert all((s.limit, s.relaxed) == (1, 0) for s in got)


def test_pool_senior_intermediate_minimums_and_transfer_fix():
    units = {"unit_id": ["A", "B"], "type": ["school", "school"], "pool": ["P", "P"],
             "total_posts": [10, 10], "intermediate_incumbents": [5, 5]}
    pol = Policy(scope=Scope.POOL, minimum=(MinimumRule(Level.SENIOR, 1),
                                            MinimumRule(Level.INTERMEDIATE, 5)))
    (c,) = conflicts(scenario(units, pol))
    assert c.rule == "pooled senior+intermediate cap"
    assert (c.needed, c.allowed) == (12, 10)
    assert "lower the senior minimum (policy.minimum[1]) to 0 post(s)" in str(c)
    assert "lower the intermediate minimum (policy.minimum[2]) to 4 post(s)" in str(c)
    assert "raise policy.junior_to_intermediate to 0.2" in str(c)
    assert feasible(units, Policy(scope=Scope.POOL, minimum=pol.minimum,
                                  junior_to_intermediate=F(1, 5)))
    assert not feasible(units, Policy(scope=Scope.POOL, minimum=pol.minimum,
                                      junior_to_intermediate=F(19, 100)))


# 6. the budget


def test_budget_below_zero_is_caught_before_solving():
    units = {"unit_id": ["Z"], "type": ["school"], "total_posts": [10],
             "intermediate_incumbents": [3], "senior_waiting": [1]}
    pol = Policy(budget=Budget(F(130000), F(100000), F(85000), F(-5000)))
    sc = scenario(units, pol)
    (c,) = conflicts(sc)
    assert c.rule == "budget"
    assert str(c) == (
        "budget: max_increase is -5000, below what any plan costs (a plan that appoints nobody "
        "costs 0): raise budget.max_increase to 0 or more")
    (s,) = slacks(sc)
    assert (s.rule, s.limit, s.relaxed) == ("budget", -5000, 0)


def test_negative_budget_is_still_rejected_at_load(tmp_path: Path):
    (tmp_path / "u.csv").write_text("unit_id,type,total_posts\nA,school,10\n")
    (tmp_path / "s.toml").write_text(
        '[scenario]\nunits = "u.csv"\n[budget]\n'
        'cost = { senior = 3, intermediate = 2, junior = 1 }\nmax_increase = -1\n')
    with pytest.raises(quotaopt.InputError, match="below zero"):
        quotaopt.load_scenario(tmp_path / "s.toml")


# --------------------------------------------------------------------------------------------
# the elastic relaxation behind solve's infeasible branch


def test_solve_falls_back_to_the_elastic_relaxation(monkeypatch):
    """What precheck would not see is explained by the relaxation: hide precheck from solve."""
    solve_module = importlib.import_module("quotaopt.solve")
    relax_module = importlib.import_module("quotaopt.relax")
    monkeypatch.setattr(solve_module, "precheck", lambda *a: [])
    monkeypatch.setattr(relax_module, "precheck", lambda *a: [])
    res = quotaopt.solve(scenario(UNIT_X, Policy()), method="mip")
    assert res.status is quotaopt.Status.INFEASIBLE
    assert res.reasons[0].startswith("no plan meets every rule at once; the least relaxation")
    assert res.reasons[1] == (
        "unit X (东风乡中心学校): the senior cap of 2 would have to be 3 (+1)")


def test_diagnose_for_python_users():
    d = diagnose(scenario(UNIT_X, Policy()))
    assert not d.feasible
    assert [c.rule for c in d.conflicts] == ["senior cap"]
    assert [s.rule for s in d.slacks] == ["senior cap"]
    ok = diagnose(scenario({**UNIT_X, "total_posts": [30]}, Policy()))
    assert ok.feasible and ok.reasons == []


@st.composite
def small_cases(draw):
    n = draw(st.integers(1, 4))
    rows = []
    for k in range(n):
        T = draw(st.integers(0, 14))
        s = draw(st.integers(0, T))
        m = draw(st.integers(0, T - s))
        j = draw(st.integers(0, T - s - m))
        rows.append({"unit_id": f"U{k}", "type": draw(st.sampled_from(["hc", "school"])),
                     "pool": draw(st.sampled_from(["P", "Q"])), "total_posts": T,
                     "senior_incumbents": s, "intermediate_incumbents": m,
                     "junior_incumbents": j,
                     "senior_waiting": draw(st.integers(0, m)),
                     "intermediate_waiting": draw(st.integers(0, j))})
    rules = tuple(
        MinimumRule(draw(st.sampled_from(list(Level))), draw(st.integers(0, 4)),
                    draw(st.sampled_from([None, "hc"])), draw(st.integers(0, 10)))
        for _ in range(draw(st.integers(0, 2))))
    types = {t for r in rows for t in [r["type"]]}
    pol = Policy(
        ratio=Ratio.parse(draw(st.sampled_from(["1:4:5", "0.5:3.5:6", "1:3:6"]))),
        scope=draw(st.sampled_from(list(Scope))),
        rounding=draw(st.sampled_from(list(Rounding))),
        junior_to_intermediate=draw(st.sampled_from([F(0), F(1, 2), F(1)])),
        incumbents=draw(st.sampled_from(list(Incumbents))),
        types={"hc": TypePolicy(senior_bonus=F(1, 20))} if "hc" in types else {},
        minimum=tuple(r for r in rules if r.type is None or r.type in types),
    )
    return pd.DataFrame(rows), pol


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases())
def test_precheck_is_complete_and_agrees_with_the_elastic_model(case):
    """No conflict found before solving ⟺ the MIP has a plan ⟺ no slack is needed."""
    units, pol = case
    sc = quotaopt.make_scenario(units, pol)
    v = sc.variant()
    lim = compute_limits(v.policy, v.units)
    found = precheck(v.policy, v.units, lim)
    needed = elastic(v.policy, v.units, lim, backend="highs")
    assert bool(found) == bool(needed)
    if not found:
        assert quotaopt.solve(sc, method="mip").status is quotaopt.Status.OPTIMAL


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_cases())
def test_suggested_total_posts_is_the_smallest_that_works(case):
    units, pol = case
    pol = Policy(ratio=pol.ratio, rounding=pol.rounding, minimum=pol.minimum, types=pol.types,
                 junior_to_intermediate=pol.junior_to_intermediate)  # scope unit, protect
    sc = quotaopt.make_scenario(units, pol)
    v = sc.variant()
    for i in range(len(v.units)):
        t = smallest_total(pol, v.units, i)
        one = v.units.iloc[[i]].reset_index(drop=True)
        assert t is not None and t >= int(one["total_posts"].iat[0])

        def fits(total: int, one: pd.DataFrame = one) -> bool:
            df = one.assign(total_posts=np.int64(total))
            lim = compute_limits(pol, df)
            return not precheck(pol, df, lim)

        assert fits(t)
        if t > int(one["total_posts"].iat[0]):
            assert not fits(t - 1)


# --------------------------------------------------------------------------------------------
# the command line: exit 3 with the reasons


def test_cli_run_infeasible_exit_3(tmp_path: Path):
    (tmp_path / "u.csv").write_text(
        "unit_id,name,type,total_posts,senior_incumbents\nX,东风乡中心学校,school,20,3\n",
        encoding="utf-8")
    (tmp_path / "s.toml").write_text('[scenario]\nunits = "u.csv"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["run", str(tmp_path / "s.toml")])
    assert r.exit_code == 3
    assert (
        "  - unit X (东风乡中心学校) has 3 senior incumbents but the ratio 1:4:5 senior cap "
        "allows 2 of its 20 posts (20 × 10 % = 2 → floor 2): set incumbents = \"grandfather\", "
        "or raise its total_posts to 30, or raise policy.types.school.senior_bonus to 0.05"
    ) in r.output


def test_reasons_are_capped_for_messages_but_all_conflicts_are_kept():
    from quotaopt.diagnose import MAX_REASONS

    n = MAX_REASONS + 7
    units = {"unit_id": [f"U{k:03d}" for k in range(n)], "type": ["school"] * n,
             "total_posts": [20] * n, "senior_incumbents": [3] * n}
    sc = scenario(units, Policy())
    res = quotaopt.solve(sc)
    assert res.status is quotaopt.Status.INFEASIBLE
    assert len(res.reasons) == MAX_REASONS + 1
    assert res.reasons[MAX_REASONS - 1].startswith(f"unit U{MAX_REASONS - 1:03d} has 3 senior")
    assert res.reasons[-1] == (
        "… and 7 more units/pools with the same kinds of conflict (7 senior cap); all "
        f"{n} are listed by quotaopt.diagnose(scenario, variant).conflicts in Python")
    assert res.summary["reasons"] == list(res.reasons)
    d = diagnose(sc, relax=False)
    assert len(d.conflicts) == n and d.conflicts[-1].unit_ids == (f"U{n - 1:03d}",)
    assert len(precheck(sc.variant().policy, sc.variant().units,
                        compute_limits(sc.variant().policy, sc.variant().units), limit=n)) == n
