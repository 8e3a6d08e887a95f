"""The independent checker catches every kind of violation, with the numbers."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

import quotaopt as q
from quotaopt.check import check_plan


def plan(**overrides) -> pd.DataFrame:
    # one school of 20 posts, 1:4:5 → senior cap 2, senior+intermediate cap 10
    row = {"unit_id": "A", "type": "school", "total_posts": 20, "senior_incumbents": 1,
           "intermediate_incumbents": 8, "junior_incumbents": 10, "senior_waiting": 1,
           "intermediate_waiting": 1, "posts_senior": 2, "posts_intermediate": 8,
           "posts_junior": 10, "appointed_senior": 1, "appointed_intermediate": 1}
    row.update(overrides)
    units = q.make_scenario(pd.DataFrame([row])[[c for c in row if not c.startswith(
        ("posts_", "appointed_"))]]).units
    return units.assign(**{k: [v] for k, v in row.items() if k.startswith(("posts_",
                                                                             "appointed_"))})


def rules(policy: q.Policy, df: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [(v.rule, v.allowed, v.actual) for v in check_plan(policy, df)]


def test_a_compliant_plan_passes():
    assert check_plan(q.Policy(), plan()) == []


@pytest.mark.parametrize("overrides, expected", [
    ({"posts_senior": 3, "posts_intermediate": 7, "appointed_senior": 1},
     ("senior cap", "2", "3")),
    ({"posts_intermediate": 9, "posts_junior": 9}, ("senior+intermediate cap", "10", "11")),
    ({"posts_junior": 11}, ("total posts", "20", "21")),
    ({"appointed_senior": 2}, ("senior appointments", "0..1", "2")),
    ({"appointed_intermediate": 2, "intermediate_waiting": 1},
     ("intermediate appointments", "0..1", "2")),
    ({"posts_senior": 1, "posts_intermediate": 9},
     ("incumbents keep their posts (senior)", "1", "2")),
    ({"posts_intermediate": 7, "posts_junior": 11},
     ("incumbents keep their posts (senior+intermediate)", "9", "10")),
    ({"posts_junior": -1, "posts_intermediate": 19, "posts_senior": 2},
     ("non-negative posts", "≥ 0", "2/19/-1")),
])
def test_each_violation_kind(overrides, expected):
    assert expected in rules(q.Policy(), plan(**overrides))


def test_minimum_rule_violation():
    rule = q.MinimumRule(q.Level.JUNIOR, 12, "school")
    assert ("minimum junior posts", "≥ 12", "10") in rules(q.Policy(minimum=(rule,)), plan())


def test_pooled_cap_violation():
    # two schools of 20 in one pool: pooled senior cap floor(4) = 4; the plan uses 2 + 3
    a = plan()
    b = plan(posts_senior=3, posts_intermediate=7).assign(unit_id="B")
    both = pd.concat([a, b], ignore_index=True)
    got = rules(q.Policy(scope=q.Scope.POOL), both)
    assert got == [("pooled senior cap", "4", "5")]


def test_budget_violation():
    budget = q.Budget(Fraction(130), Fraction(100), Fraction(85), Fraction(40))
    # 1 senior (30) + 1 intermediate (15) = 45 > 40
    assert rules(q.Policy(budget=budget), plan()) == [("budget", "40", "45")]


def test_grandfathered_incumbents_are_not_violations():
    df = plan(senior_incumbents=3, intermediate_incumbents=6, posts_senior=3,
              posts_intermediate=7, appointed_senior=0, appointed_intermediate=0)
    assert ("senior cap", "2", "3") in rules(q.Policy(), df)
    assert rules(q.Policy(incumbents=q.Incumbents.GRANDFATHER), df) == []


def test_a_negative_count_is_not_also_reported_as_a_missed_minimum():
    got = rules(q.Policy(), plan(posts_junior=-1, posts_intermediate=19))
    assert [r[0] for r in got if r[0].startswith("minimum")] == []
