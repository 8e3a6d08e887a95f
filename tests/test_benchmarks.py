"""The benchmark suite works: deterministic data, a naive reference that agrees with quotaopt,
and a driver that runs end to end. Benchmarks are not tests: nothing here looks at a clock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import quotaopt as q
from benchmarks.generate import generate_units, write_province
from benchmarks.naive import solve_naive, stage1_granularity

ROOT = Path(__file__).resolve().parent.parent


def test_generator_is_deterministic_for_a_seed(tmp_path):
    a, b = generate_units(500, seed=3), generate_units(500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(generate_units(500, seed=4))
    p1 = write_province(300, seed=5, out_dir=tmp_path / "one")
    p2 = write_province(300, seed=5, out_dir=tmp_path / "two")
    assert p1.csv.read_bytes() == p2.csv.read_bytes()
    assert p1.scenario.read_text().replace("one", "two") == p2.scenario.read_text()


def test_generated_province_is_realistic_and_valid(tmp_path):
    sc = q.load_scenario(write_province(2000, seed=1, out_dir=tmp_path).scenario)
    u = sc.units
    assert len(u) == 2000
    assert set(u["type"]) == {"health_centre", "school", "agri_service", "culture_station"}
    sizes = u.groupby("pool").size()
    assert 25 <= sizes.mean() <= 55
    assert set(u["priority"]) == {1.0, 2.0}
    assert u["senior_waiting"].sum() > 0 and u["intermediate_waiting"].sum() > 0
    assert sc.policy.scope is q.Scope.POOL
    assert len(sc.variant_names) == 8
    # incumbents fit the old ceiling, so every variant is feasible with incumbents = protect
    for name in sc.variant_names:
        assert q.solve(sc, name).status is q.Status.OPTIMAL, name


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    return q.load_scenario(write_province(200, seed=2,
                                          out_dir=tmp_path_factory.mktemp("p")).scenario)


@pytest.mark.parametrize("variant", ["baseline", "unit-scope", "hc-minimum", "nearest"])
def test_naive_reference_reaches_quotaopt_objective_values(province, variant):
    v = province.variant(variant)
    ours = q.solve(province, variant).summary["objective"]
    naive = solve_naive(v.policy, v.units, "highs")
    assert naive.status == "optimal", naive.message
    assert str(naive.stage1) == ours["weighted_appointments_exact"]
    assert naive.stage2 == ours["distance_from_base_caps"]
    if ours["distance_from_quotas"] is None:
        assert naive.stage3 is None
    else:
        assert round(float(naive.stage3), 9) == ours["distance_from_quotas"]


def test_naive_reference_with_budget_and_grandfathering(province):
    import dataclasses
    from fractions import Fraction

    v = province.variant("unit-scope")
    policy = dataclasses.replace(
        v.policy, incumbents=q.Incumbents.GRANDFATHER,
        budget=q.Budget(Fraction(130000), Fraction(100000), Fraction(85000),
                        Fraction(1_500_000)))
    sc = q.make_scenario(v.units, policy)
    ours = q.solve(sc).summary["objective"]
    naive = solve_naive(policy, v.units, "highs")
    assert naive.status == "optimal", naive.message
    assert (str(naive.stage1), naive.stage2) == (ours["weighted_appointments_exact"],
                                                 ours["distance_from_base_caps"])


def test_stage1_granularity_is_derived_from_the_data():
    policy = q.Policy(weight_senior=q.Policy().weight_senior * 3)
    assert stage1_granularity(policy, [1.0, 2.0]) == 1
    assert stage1_granularity(policy, [0.5, 1.5]) == pytest.approx(0.5)
    assert str(stage1_granularity(q.Policy(), [0.2, 0.3])) == "1/10"


def test_driver_runs_end_to_end_quick(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--data", str(tmp_path / "data"),
         "--results", str(tmp_path / "results")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "OBJECTIVE MISMATCH" not in out
    for label in ("quotaopt auto", "quotaopt mip/HiGHS", "quotaopt mip/CBC",
                  "naive PuLP+HiGHS", "naive PuLP+CBC", "compare 8 variants"):
        assert label in out
    md = list((tmp_path / "results").glob("*.md"))
    js = list((tmp_path / "results").glob("*.json"))
    assert len(md) == 1 and len(js) == 1
    data = json.loads(js[0].read_text())
    assert data["machine"]["cores"] and data["machine"]["python"]
    by_key = {c["key"]: c["median"] for c in data["configs"]}
    naive = by_key["naive-200-highs"]
    ours = by_key["quotaopt-200-baseline-highs-auto"]
    assert naive["status"] == "optimal" and ours["status"] == "optimal"
    assert ((naive["stage1"], naive["stage2"], naive["stage3"])
            == (ours["stage1"], ours["stage2"], ours["stage3"]))
    assert ours["agrees"] is True
    assert ours["peak_rss_mb"] > 0
    assert "| units | scope |" in md[0].read_text()


def test_performance_doc_points_at_a_results_file_with_its_numbers():
    import re

    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    latest = text[text.index("## Latest run"):]  # the full run with the naive reference
    name = re.search(r"benchmarks/results/([\w.-]+)\.md", latest).group(1)
    results = json.loads((ROOT / "benchmarks" / "results" / f"{name}.json").read_text())
    assert not results["mismatches"]
    medians = {c["key"]: c["median"] for c in results["configs"]}
    for n, stage1, stage2 in ((5000, "42795", "8833/2"), (20000, "171500", "89409/5")):
        assert f"{stage1} / {stage2}" in text
        ours = medians[f"quotaopt-{n}-baseline-highs-auto"]
        assert (ours["stage1"], ours["stage2"]) == (stage1, stage2)
        assert medians[f"naive-{n}-highs"]["stage1"] == stage1
    e2e = medians["quotaopt-100000-baseline-highs-auto"]
    assert f"**{e2e['total']:.2f}**" in text
