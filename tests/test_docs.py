"""The docs say what the code does: worked examples and code snippets are run here."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pandas as pd

import quotaopt as q

ROOT = Path(__file__).resolve().parent.parent


def test_model_md_worked_example():
    units = pd.DataFrame([{"unit_id": "H", "type": "health_centre", "total_posts": 20,
                           "senior_incumbents": 1, "intermediate_incumbents": 8,
                           "junior_incumbents": 10, "senior_waiting": 3,
                           "intermediate_waiting": 4}])
    policy = q.Policy(junior_to_intermediate=Fraction(1), weight_senior=Fraction(3),
                      types={"health_centre": q.TypePolicy(senior_bonus=Fraction(5, 100))})
    for method in ("auto", "mip"):
        res = q.solve(q.make_scenario(units, policy), method=method)
        h = res.allocation.iloc[0]
        assert (h.cap_senior, h.cap_senior_intermediate) == (3, 20)
        assert (h.posts_senior, h.posts_intermediate, h.posts_junior) == (3, 10, 7)
        assert (h.appointed_senior, h.appointed_intermediate, h.waiting_left_senior) == (2, 4, 1)
        assert res.summary["objective"]["weighted_appointments"] == 10
        assert res.summary["objective"]["distance_from_base_caps"] == 2


def test_model_md_pulp_snippet_runs(monkeypatch, capsys):
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    block = re.search(r"## Adding your own constraints.*?```python\n(.*?)```", text, re.S)
    assert block, "the PuLP example is missing from docs/model.md"
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(block.group(1), scope)  # noqa: S102 - our own documentation
    res = scope["res"]
    assert res.status is q.Status.OPTIMAL
    alloc = res.allocation.set_index("unit_id")
    assert alloc.loc["TX011", "posts_senior"] >= 3
    assert alloc.loc[["TX012", "TX022"], "appointed_intermediate"].sum() <= 5
    # the added rows cost appointments: fewer than the unconstrained optimum
    free = q.solve(q.load_scenario("scenarios/tongxi-county.toml"))
    assert (Fraction(res.summary["objective"]["weighted_appointments_exact"])
            < Fraction(free.summary["objective"]["weighted_appointments_exact"]))


def test_build_pulp_without_extra_rows_matches_solve():
    sc = q.load_scenario(ROOT / "scenarios" / "tongxi-county.toml")
    for variant in ("baseline", "county-pool"):
        model = q.build_pulp(sc, variant)
        assert model.solve().summary["objective"] == q.solve(sc, variant).summary["objective"]
