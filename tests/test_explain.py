"""`quotaopt explain`: a hand-derived unit checked line by line; uniqueness of plans.

The unit H1 (东风乡卫生院, a health centre of 20 posts, 1 senior / 6 intermediate / 10 junior
incumbents, 3 waiting for a senior post, 2 for an intermediate post) under 1:4:5, a 5-point
health-centre bonus, junior_to_intermediate 0.5, floor rounding, weights 3/1:

* shares 15 % / 40 % / 45 %; senior cap 20 × 15 % = 3; senior+intermediate cap
  20 × (15 % + 40 % + 0.5 × 45 %) = 15.5 → 15;
* stage 1: 2 senior appointments fill the cap (1 + 2 = 3), both intermediate ones fit
  (7 + 2 = 9 ≤ 15); stage 2: senior posts 3 = 20 × 15 %, senior+intermediate posts
  11 = 20 × 55 % — the only optimum: 3 senior, 8 intermediate, 9 junior;
* vacant: 0 senior, 8 − 6 = 2 intermediate, 9 − 8 = 1 junior;
* at 21 posts: senior cap 21 × 15 % = 3.15 → 3 (no more senior appointments), the
  senior+intermediate cap 16.275 → 16; stage 2 takes 12 = round(21 × 55 % = 11.55);
* the senior cap next rises at 27 posts (27 × 15 % = 4.05), the senior+intermediate cap at 21.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import quotaopt
from quotaopt.cli import main
from quotaopt.explain import alternative_optima, explain
from quotaopt.i18n import using

UNITS = """unit_id,name,type,pool,total_posts,senior_incumbents,intermediate_incumbents,\
junior_incumbents,senior_waiting,intermediate_waiting
H1,东风乡卫生院,health_centre,东片,20,1,6,10,3,2
S1,东风乡中心学校,school,东片,30,3,10,15,0,2
S2,东风乡文化站,school,西片,9,0,1,7,1,3
S3,西河乡文化站,school,西片,9,0,1,7,1,3
"""

SCENARIO = """[scenario]
name = "explain-test"
units = "units.csv"

[policy]
ratio = "1:4:5"
junior_to_intermediate = 0.5
source = "Neijiang 2022 township reform"

[policy.types.health_centre]
senior_bonus = 0.05
source = "乡镇卫生院提高5%设置高级专业技术岗位"

[[policy.minimum]]
type = "health_centre"
level = "senior"
posts = 1
when_total_at_least = 8

[objective]
weights = { senior = 3, intermediate = 1 }

[variants.pooled]
policy.scope = "pool"

[variants.tight]
policy.ratio = "0.2:3.8:6"
"""


@pytest.fixture()
def scenario_file(tmp_path: Path) -> Path:
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "s.toml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path / "s.toml"


EXPECTED_H1 = [
    "unit H1 东风乡卫生院 · type health_centre · pool 东片 · scenario explain-test · "
    "variant baseline",
    "data: 20 posts · incumbents 1 senior, 6 intermediate, 10 junior · waiting 3 for senior, "
    "2 for intermediate · priority 1",
    "policy: ratio 1:4:5 · scope unit · rounding floor · incumbents protect",
    "shares of health_centre (ratio 1:4:5): senior 10 % + bonus 5 % = 15 % · intermediate "
    "40 % · junior 50 % − 5 % = 45 % · junior_to_intermediate 0.5",
    "senior cap: 20 × (10 % + 5 %) = 3 → floor 3",
    "senior+intermediate cap: 20 × (10 % + 5 % + 40 % + 0.5 × 45 %) = 15.5 → floor 15",
    "minimum (policy.minimum[1]): every health_centre with at least 8 posts gets at least 1 "
    "senior post(s) → at least 1 senior post(s) here",
    "plan: 3 senior · 8 intermediate · 9 junior posts",
    "  appointed 2 of 3 waiting for senior, 2 of 2 waiting for intermediate · vacant 0 senior, "
    "2 intermediate, 1 junior",
    "what binds:",
    "  - senior cap: all 3 senior posts it allows are set",
    "  - incumbents: every senior post is held (1 incumbents + 2 appointed)",
    "  - waiting staff: all 2 waiting for an intermediate post are appointed",
    "  - waiting left: 1 of 3 waiting for a senior post stay unappointed, held back by the "
    "senior cap",
    "one more post (21 instead of 20): senior cap 3 → 3, senior+intermediate cap 15 → 16",
    # 21 posts: base caps floor(3.15) = 3 and floor(11.55) = 11 → 3 · 8 · 10
    "  re-solved (this unit): this unit 3 senior · 8 intermediate · 10 junior; appointments +0 "
    "senior, +0 intermediate (weighted +0)",
    "  it buys no appointment: the post raises no limit that holds a waiting title-holder back",
    "  its senior cap next rises at 27 posts, its senior+intermediate cap at 21 posts",
    "other optimal plans: none gives this unit other senior or senior+intermediate posts "
    "(checked by solving again with them forced one lower and one higher)",
]


def test_explain_hand_derived_unit_line_by_line(scenario_file: Path):
    sc = quotaopt.load_scenario(scenario_file)
    e = explain(sc, "H1")
    assert e.lines[:len(EXPECTED_H1)] == tuple(EXPECTED_H1)
    tail = e.lines[len(EXPECTED_H1):]
    assert tail[0].startswith(f"provenance: input {sc.input_hash} · quotaopt "
                              f"{quotaopt.__version__} · solver ")
    assert tail[1:] == ("source (policy): Neijiang 2022 township reform",
                        "source (policy.types.health_centre): 乡镇卫生院提高5%设置高级专业技术岗位")
    assert e.status is quotaopt.Status.OPTIMAL
    assert e.alternatives == ()
    assert e.one_more["weighted_gain"] == "0"
    assert e.provenance["sources"][0] == {"rule": "policy",
                                          "source": "Neijiang 2022 township reform"}


def test_explain_pool_scope_shows_the_pooled_arithmetic(scenario_file: Path):
    sc = quotaopt.load_scenario(scenario_file)
    e = explain(sc, "H1", "pooled")
    # pool 东片: 20 × 15 % + 30 × 10 % = 6; 20 × 77.5 % + 30 × 75 % = 15.5 + 22.5 = 38
    assert ("pooled senior cap of pool 东片: Σ posts × share over 2 units = 6 → floor 6; this "
            "unit's part: 20 × (10 % + 5 %) = 3") in e.lines
    assert ("pooled senior+intermediate cap of pool 东片: Σ posts × share over 2 units = 38 → "
            "floor 38; this unit's part: 20 × (10 % + 5 % + 40 % + 0.5 × 45 %) = 15.5") in e.lines
    assert "  - pool quota: pool 东片 uses all 6 senior posts of its pooled cap" in e.lines
    assert any(line.startswith("one more post (21 instead of 20): pooled senior cap 6 → 6")
               for line in e.lines)


def test_explain_names_an_alternative_optimum(scenario_file: Path):
    # Variant pooled, pool 西片: S2 and S3 are the same (9 posts, one senior title-holder
    # waiting each). Senior shares .9 + .9 = 1.8 → base cap 1: one of them gets the senior
    # post and appoints; equal step values, equal size → S2 by unit_id. S3 could have it.
    # s+m: 4.5 + 4.5 = 9 → quotas 4.5 and 4.5, one gets 5: again S2 (tie rule).
    sc = quotaopt.load_scenario(scenario_file)
    e = explain(sc, "S2", "pooled")
    assert "plan: 1 senior · 4 intermediate · 4 junior posts" in e.lines
    assert ("other optimal plans: yes — one gives it 0 senior and 5 intermediate posts (this "
            "plan: 1 and 4) with the same appointments and the same distances to the base caps "
            "and quotas") in e.lines
    assert e.alternatives[0].posts_senior == (1, 0)
    assert e.alternatives[0].posts_senior_intermediate == (5, 5)
    assert any(line.startswith("  this plan was chosen by: ") for line in e.lines)
    assert any(line.startswith("  senior quota (Hamilton): 1 × this unit's share / the "
                               "pool's = 0.5 ≈ 0.500: floor 0, remainder 0.500, ranked 1 of 2")
               for line in e.lines)


def test_explain_infeasible_variant_shows_caps_and_reasons(scenario_file: Path):
    sc = quotaopt.load_scenario(scenario_file)
    e = explain(sc, "S1", "tight")
    assert e.status is quotaopt.Status.INFEASIBLE
    assert "senior cap: 30 × 2 % = 0.6 → floor 0" in e.lines
    assert "plan: none — the variant is infeasible:" in e.lines
    assert any("unit S1 (东风乡中心学校) has 3 senior incumbents" in line for line in e.lines)


def test_alternative_optima_counts_units_that_could_differ(scenario_file: Path):
    sc = quotaopt.load_scenario(scenario_file)
    res = quotaopt.solve(sc, "pooled")
    u = alternative_optima(sc, "pooled", res)
    assert u.checked and u.unique is False and u.complete
    assert [a.unit_id for a in u.could_differ] == ["S2", "S3"]
    d = u.as_dict()
    assert d["units_could_differ"] == 2 and d["units_checked"] == 4
    assert d["could_differ"][0] == {"unit_id": "S2", "posts_senior": [1, 0],
                                    "posts_senior_intermediate": [5, 4]}
    assert "equal steps go to the larger unit (total_posts), then to the first unit" in u.tie_break
    limited = alternative_optima(sc, "pooled", res, max_units=2)  # H1, S1: unique, S2 unseen
    assert (limited.units_checked, limited.unique, limited.complete) == (2, None, False)
    assert limited.note.startswith("checked 2 of 4 units")
    # the verdict is data: the same object speaks Chinese when asked to
    assert u.describe().startswith("not unique: 2 unit(s) could get other senior")
    with using("zh"):
        assert u.describe().startswith(
            "不唯一：另有最优方案可使 2 个单位的高级或高级+中级岗位数不同（S2、S3）；"
            "本方案按以下规则选定：")
        assert limited.note == "检查了 4 个单位中的 2 个（max_units = 2）；其余单位也可能不同"
        assert "uniqueness" not in u.describe() and "unique" not in u.describe()
    mip = quotaopt.solve(sc, "pooled", method="mip")
    assert "by the MIP" in alternative_optima(sc, "pooled", mip).tie_break
    # scope unit: stage 2 fills every unit to its base caps, a unique plan
    assert alternative_optima(sc, None, quotaopt.solve(sc)).unique is True


def test_alternative_optima_stops_at_its_time_budget(scenario_file: Path):
    from quotaopt.explain import CHECK_SECONDS

    assert CHECK_SECONDS == 60  # the default budget of run --check-unique
    sc = quotaopt.load_scenario(scenario_file)
    res = quotaopt.solve(sc, "budget") if "budget" in sc.variant_names else quotaopt.solve(sc)
    u = alternative_optima(sc, res.variant, res, time_limit=1e-9)
    assert (u.units_checked, u.unique, u.complete) == (0, None, False)
    assert u.note == ("checked 0 of 4 units before the 1e-09 s budget ran out (--time-limit); "
                      "the rest unknown")


def test_unique_plan_is_reported_unique(tmp_path: Path):
    (tmp_path / "units.csv").write_text(UNITS.splitlines()[0] + "\n" + UNITS.splitlines()[1]
                                        + "\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text(SCENARIO, encoding="utf-8")
    sc = quotaopt.load_scenario(tmp_path / "s.toml")
    u = alternative_optima(sc, None, quotaopt.solve(sc))
    assert u.unique is True and u.could_differ == ()
    assert u.describe() == ("unique: no other optimal plan gives any unit other senior or "
                            "senior+intermediate posts")


@pytest.mark.parametrize(("uid", "senior", "senior_intermediate"), [
    ("A", 40, 22),  # 3 grandfathered incumbents over a cap of 2: 3 until 40 × 10 % = 4
    ("C", 30, 14),  # a minimum of 2 over a cap of 1: 2 until 30 × 10 % = 3
    ("D", 8, 8),    # 7 posts: the minimum rule switches on at 8 and lifts the cap to 2
])
def test_next_rise_of_a_cap_a_minimum_or_grandfathering_lifted(tmp_path: Path, uid: str,
                                                               senior: int,
                                                               senior_intermediate: int):
    from quotaopt.caps import compute_limits
    from quotaopt.explain import next_cap_rise

    (tmp_path / "u.csv").write_text(
        "unit_id,type,total_posts,senior_incumbents,intermediate_incumbents,junior_incumbents\n"
        "A,school,20,3,5,10\nC,health_centre,12,0,6,6\nD,health_centre,7,0,2,4\n",
        encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        '[scenario]\nname = "gf"\nunits = "u.csv"\n[policy]\nratio = "1:4:5"\n'
        'incumbents = "grandfather"\njunior_to_intermediate = 0.5\n[[policy.minimum]]\n'
        'type = "health_centre"\nlevel = "senior"\nposts = 2\nwhen_total_at_least = 8\n',
        encoding="utf-8")
    sc = quotaopt.load_scenario(tmp_path / "s.toml")
    ex = explain(sc, uid)
    assert (f"  its senior cap next rises at {senior} posts, its senior+intermediate cap at "
            f"{senior_intermediate} posts") in ex.lines
    # the claim, checked: the cap in force is the same one post below, higher at that size
    v = sc.variant()
    lim = compute_limits(v.policy, v.units)
    pos = v.units["unit_id"].tolist().index(uid)
    for which, rise, cap in (("senior", senior, lim.cap_s[pos]),
                             ("senior+intermediate", senior_intermediate, lim.cap_sm[pos])):
        assert next_cap_rise(v.policy, v.units, lim, pos, which) == rise
        for T, higher in ((rise - 1, False), (rise, True)):
            df = v.units.copy()
            df.loc[pos, "total_posts"] = T
            got = compute_limits(v.policy, df)
            assert bool((got.cap_s if which == "senior" else got.cap_sm)[pos] > cap) is higher


# --------------------------------------------------------------------------------------------
# command line


def test_cli_explain(scenario_file: Path):
    r = CliRunner().invoke(main, ["explain", str(scenario_file), "--unit", "H1"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[:len(EXPECTED_H1)] == EXPECTED_H1


def test_cli_explain_unknown_unit_exit_2(scenario_file: Path):
    r = CliRunner().invoke(main, ["explain", str(scenario_file), "--unit", "H11"])
    assert r.exit_code == 2
    assert "no unit 'H11' in the units table (did you mean 'H1'?)" in r.output


def test_cli_explain_infeasible_exit_3(scenario_file: Path):
    r = CliRunner().invoke(main, ["explain", str(scenario_file), "--unit", "S1",
                                  "--variant", "tight"])
    assert r.exit_code == 3
    assert "plan: none — the variant is infeasible:" in r.output


def test_cli_run_check_unique(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["run", str(scenario_file), "--variant", "pooled",
                                  "--check-unique", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert ("not unique: 2 unit(s) could get other senior or senior+intermediate posts in "
            "another optimal plan (S2, S3)") in r.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["uniqueness"]["units_could_differ"] == 2
    assert summary["sources"] == [
        {"rule": "policy", "source": "Neijiang 2022 township reform"},
        {"rule": "policy.types.health_centre", "source": "乡镇卫生院提高5%设置高级专业技术岗位"}]
    for key in ("input_hash", "quotaopt_version", "solver", "created_at"):
        assert summary[key]
    plain = CliRunner().invoke(main, ["run", str(scenario_file)])
    assert "unique" not in plain.output


def test_docs_example_is_real_output():
    """docs/explain.md shows `explain --unit TX014` on the shipped Tongxi scenario."""
    root = Path(__file__).resolve().parent.parent
    sc = quotaopt.load_scenario(root / "scenarios" / "tongxi-county.toml")
    e = explain(sc, "TX014")
    doc = (root / "docs" / "explain.md").read_text(encoding="utf-8")
    upto = next((k for k, line in enumerate(e.lines) if line.startswith("  this plan was")),
                next(k for k, line in enumerate(e.lines) if line.startswith("provenance")))
    for line in e.lines[:upto]:
        assert line in doc, line


def test_alternatives_compare_exact_values_whatever_the_priorities():
    """Stage-1 values are compared on one scale for all units. Pool P: U1 (priority 3, 10
    posts) and U3 (priority 3, 10 posts, same data) tie for the pool's senior+intermediate
    quota (5.5 each, 11 in all); U2 (priority 2) is a unit of its own pool. The alternative is
    found only in the solve that forces U1 one lower; the plan's values must not have been
    scaled by the priorities of an earlier, larger solve."""
    from fractions import Fraction

    import pandas as pd

    units = pd.DataFrame({
        "unit_id": ["U1", "U2", "U3"], "type": ["health_centre", "school", "health_centre"],
        "pool": ["P", "Q", "P"], "total_posts": [10, 20, 10],
        "senior_incumbents": [0, 0, 0], "intermediate_incumbents": [1, 2, 1],
        "junior_incumbents": [7, 10, 7], "senior_waiting": [0, 2, 0],
        "intermediate_waiting": [0, 0, 0], "priority": [3, 2, 3]})
    policy = quotaopt.Policy(scope=quotaopt.Scope.POOL, types={
        "health_centre": quotaopt.TypePolicy(senior_bonus=Fraction(5, 100))})
    sc = quotaopt.make_scenario(units, policy)
    res = quotaopt.solve(sc)
    # P: senior 1.5 + 1.5 = 3 → 3, quotas 1.5 each → U1 2, U3 1; s+m 5.5 + 5.5 = 11 → U1 6
    assert res.allocation["posts_senior"].tolist() == [2, 2, 1]
    assert (res.allocation["posts_senior"] + res.allocation["posts_intermediate"]).tolist() \
        == [6, 10, 5]
    u = alternative_optima(sc, None, res)
    assert [(a.unit_id, a.posts_senior_intermediate) for a in u.could_differ][0] == (
        "U1", (6, 5))


def test_cli_explain_method_mip_uses_the_mip(scenario_file: Path):
    r = CliRunner().invoke(main, ["explain", str(scenario_file), "--unit", "S2", "--variant",
                                  "pooled", "--method", "mip"])
    assert r.exit_code == 0, r.output
    assert "by the MIP" in r.output
