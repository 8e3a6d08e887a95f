"""`quotaopt audit`: every kind of violation is caught with its unit, rule, allowed and
actual numbers; a solved plan passes; plan-file problems are bad input (exit 2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import quotaopt
from quotaopt.audit import audit, read_plan
from quotaopt.cli import main

UNITS = """unit_id,name,type,pool,total_posts,senior_incumbents,intermediate_incumbents,\
junior_incumbents,senior_waiting,intermediate_waiting
A,东风乡卫生院,health_centre,P,20,1,6,10,3,2
B,东风乡中心学校,school,P,30,3,10,15,0,2
C,西岭镇文化站,school,Q,10,0,2,6,1,2
"""

SCENARIO = """[scenario]
name = "audit-test"
units = "units.csv"

[policy]
ratio = "1:4:5"
junior_to_intermediate = 0.5

[policy.types.health_centre]
senior_bonus = 0.05

[[policy.minimum]]
type = "health_centre"
level = "senior"
posts = 1
when_total_at_least = 8

[objective]
weights = { senior = 3, intermediate = 1 }

[variants.pooled]
policy.scope = "pool"

[variants.budget]
budget.cost = { senior = 130000, intermediate = 100000, junior = 85000 }
budget.max_increase = 60000
"""

PLAN_COLUMNS = ["unit_id", "name", "type", "pool", "total_posts", "senior_incumbents",
                "intermediate_incumbents", "junior_incumbents", "senior_waiting",
                "intermediate_waiting", "posts_senior", "posts_intermediate", "posts_junior",
                "appointed_senior", "appointed_intermediate"]


@pytest.fixture()
def sc_file(tmp_path: Path) -> Path:
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "s.toml").write_text(SCENARIO, encoding="utf-8")
    return tmp_path / "s.toml"


@pytest.fixture()
def sc(sc_file: Path) -> quotaopt.Scenario:
    return quotaopt.load_scenario(sc_file)


def optimal_plan(sc: quotaopt.Scenario, variant: str | None = None) -> pd.DataFrame:
    """The units table plus the optimal plan's posts and appointments."""
    alloc = quotaopt.solve(sc, variant).allocation
    return sc.variant(variant).units.assign(
        **{c: alloc[c].to_numpy() for c in PLAN_COLUMNS[-5:]})[PLAN_COLUMNS].copy()


def rows(result) -> list[tuple[str, str, str, str]]:
    return [(r.unit_id or r.pool or "all", r.rule, r.allowed, r.actual)
            for r in result.table.itertuples(index=False)]


def test_optimal_plan_passes(sc):
    plan = optimal_plan(sc)
    # hand check of unit A: caps 3 and 15, posts 3 / 8 / 9 (see test_explain)
    assert plan.loc[0, ["posts_senior", "posts_intermediate", "posts_junior"]].tolist() == \
        [3, 8, 9]
    res = audit(sc, plan)
    assert res.ok and res.exit_code == 0 and res.table.empty
    assert res.distance["left_on_table"] == {"senior": 0, "intermediate": 0, "weighted": "0"}


@pytest.mark.parametrize("change, expected", [
    # senior cap: A gets 4 senior posts, the 1:4:5 + 5 % cap is 20 × 15 % = 3
    ({("A", "posts_senior"): 4, ("A", "posts_junior"): 8},
     [("A", "senior cap", "3", "4")]),
    # senior+intermediate cap: 20 × (15 % + 40 % + 0.5 × 45 %) = 15.5 → 15
    ({("A", "posts_intermediate"): 13, ("A", "posts_junior"): 4},
     [("A", "senior+intermediate cap", "15", "16")]),
    # totals: one junior post too many
    ({("B", "posts_junior"): 16},
     [("B", "total posts", "30", "31")]),
    # a negative post count (the total still adds up)
    ({("C", "posts_intermediate"): 10, ("C", "posts_junior"): -1},
     [("C", "non-negative posts", "≥ 0", "1/10/-1"),
      ("C", "senior+intermediate cap", "7", "11")]),
    # more appointments than people waiting
    ({("C", "appointed_senior"): 2},
     [("C", "senior appointments", "0..1", "2"),
      ("C", "incumbents keep their posts (senior)", "1", "2")]),
    # incumbents without a post: B has 3 senior incumbents
    ({("B", "posts_senior"): 2, ("B", "posts_intermediate"): 13},
     [("B", "incumbents keep their posts (senior)", "2", "3")]),
    # a minimum rule: every health centre with ≥ 8 posts gets ≥ 1 senior post
    ({("A", "posts_senior"): 0, ("A", "posts_intermediate"): 11, ("A", "appointed_senior"): 0},
     [("A", "incumbents keep their posts (senior)", "0", "1"),
      ("A", "minimum senior posts", "≥ 1", "0")]),
])
def test_each_violation_kind(sc, change, expected):
    plan = optimal_plan(sc).set_index("unit_id")
    for (uid, col), value in change.items():
        plan.loc[uid, col] = value
    res = audit(sc, plan.reset_index())
    assert rows(res) == expected
    assert res.exit_code == 1


def test_pooled_cap_violation(sc):
    plan = optimal_plan(sc, "pooled").set_index("unit_id")
    # pool P: 20 × 15 % + 30 × 10 % = 6 senior posts; the plan uses them all; one more
    assert int(plan.loc[["A", "B"], "posts_senior"].sum()) == 6
    plan.loc["B", "posts_senior"] += 1
    plan.loc["B", "posts_junior"] -= 1
    res = audit(sc, plan.reset_index(), "pooled")
    assert rows(res) == [("P", "pooled senior cap", "6", "7")]
    assert res.lines()[2] == ("  - pool P: pooled senior cap: allowed 6, plan has 7 — the "
                              "pool's units have more senior posts than its pooled cap")


def test_budget_violation(sc):
    plan = optimal_plan(sc, "budget").set_index("unit_id")
    # one senior appointment costs 30 000, an intermediate one 15 000; the budget is 60 000
    plan.loc["C", "appointed_intermediate"] = 2
    plan.loc["C", "posts_intermediate"] = 4
    plan.loc["C", "posts_junior"] = 10 - 4 - int(plan.loc["C", "posts_senior"])
    plan.loc["A", "appointed_senior"] = 2
    plan.loc["A", "appointed_intermediate"] = 2
    res = audit(sc, plan.reset_index(), "budget")
    budget = [r for r in rows(res) if r[1] == "budget"]
    cost = 30000 * int(plan["appointed_senior"].sum()) + 15000 * int(
        plan["appointed_intermediate"].sum())
    assert budget == [("all", "budget", "60000", str(cost))]
    assert cost > 60000


def test_distance_from_the_optimum(sc):
    plan = optimal_plan(sc)
    best_s, best_m = int(plan["appointed_senior"].sum()), int(plan["appointed_intermediate"]
                                                              .sum())
    plan["appointed_senior"] = 0
    res = audit(sc, plan)
    assert res.ok
    assert res.distance["left_on_table"] == {"senior": best_s, "intermediate": 0,
                                             "weighted": str(3 * best_s)}
    (line,) = [x for x in res.lines() if x.startswith("distance from the optimum")]
    assert line == (f"distance from the optimum: the plan appoints 0 senior + {best_m} "
                    f"intermediate title-holders (weighted {best_m}); the optimal plan appoints "
                    f"{best_s} + {best_m} (weighted {3 * best_s + best_m}): it leaves {best_s} "
                    f"senior and 0 intermediate appointments (weighted {3 * best_s}) on the "
                    "table")
    # the same posts: stages 2 and 3 are the optimum's
    d = res.distance
    assert d["plan"]["distance_from_base_caps"] == d["optimum"]["distance_from_base_caps"]
    assert d["plan"]["distance_from_quotas"] == d["optimum"]["distance_from_quotas"]
    assert any(x.startswith("  base caps (stage 2): the plan's posts are ") for x in res.lines())
    # one senior post moved to another unit of the pool keeps every rule here but is farther
    # from the base caps or the quotas, or the same: never closer than the optimum
    moved = optimal_plan(sc)
    i, j = moved.index[0], moved.index[-1]
    if moved.at[i, "posts_senior"] > moved.at[i, "senior_incumbents"] + \
            moved.at[i, "appointed_senior"] and moved.at[j, "posts_junior"] > 0:
        moved.at[i, "posts_senior"] -= 1
        moved.at[i, "posts_junior"] += 1
        moved.at[j, "posts_senior"] += 1
        moved.at[j, "posts_junior"] -= 1
        r2 = audit(sc, moved)
        p, o = r2.distance["plan"], r2.distance["optimum"]
        assert (p["distance_from_base_caps"], p["distance_from_quotas"] or 0) >= (
            o["distance_from_base_caps"], o["distance_from_quotas"] or 0)
    # without appointed_* columns the posts' room for appointments is counted
    room = audit(sc, plan.drop(columns=["appointed_senior", "appointed_intermediate"]))
    assert room.distance["appointments_from"] == "room"
    assert room.distance["left_on_table"]["weighted"] == "0"


# --------------------------------------------------------------------------------------------
# command line


def write_plan(path: Path, plan: pd.DataFrame) -> Path:
    plan.to_csv(path, index=False, encoding="utf-8")
    return path


def test_cli_clean_plan_from_run_exit_0(sc_file: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["run", str(sc_file), "--out", str(out)]).exit_code == 0
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(out / "allocation.csv"),
                                  "--out", str(tmp_path / "audit")])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == (f"audit of {out / 'allocation.csv'} against scenario audit-test · "
                        "variant baseline · 3 units")
    assert lines[1] == "no violations: the plan keeps every rule of the policy"
    assert lines[2].endswith("it appoints as many as the optimum")
    with open(tmp_path / "audit" / "violations.csv", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["unit_id", "name", "pool", "rule", "allowed",
                                         "actual", "message"]]
    report = json.loads((tmp_path / "audit" / "audit.json").read_text(encoding="utf-8"))
    assert report["violations"] == 0
    for key in ("input_hash", "sources", "quotaopt_version", "solver", "created_at",
                "plan_hash"):
        assert key in report


def test_cli_violations_exit_1_and_csv(sc: quotaopt.Scenario, sc_file: Path, tmp_path: Path):
    plan = optimal_plan(sc)
    plan.loc[0, "posts_senior"] = 4
    plan.loc[0, "posts_junior"] = 8
    plan_file = write_plan(tmp_path / "plan.csv", plan)
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(plan_file),
                                  "--out", str(tmp_path / "a")])
    assert r.exit_code == 1
    assert r.output.splitlines()[1:3] == [
        "1 violation(s):",
        "  - unit A (东风乡卫生院): senior cap: allowed 3, plan has 4 — more senior posts than "
        "the ratio allows"]
    with open(tmp_path / "a" / "violations.csv", encoding="utf-8") as fh:
        assert list(csv.reader(fh))[1] == ["A", "东风乡卫生院", "P", "senior cap", "3", "4",
                                           "more senior posts than the ratio allows"]


def test_cli_xlsx_plan(sc: quotaopt.Scenario, sc_file: Path, tmp_path: Path):
    plan_file = tmp_path / "plan.xlsx"
    optimal_plan(sc).to_excel(plan_file, index=False)
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(plan_file)])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("edit, message", [
    (lambda p: p.drop(columns=["posts_junior"]),
     "plan.csv, row 1, column posts_junior: required column 'posts_junior' is missing"),
    (lambda p: p.assign(posts_senior=p["posts_senior"].astype(object).where(
        p["unit_id"] != "B", "2.5")),
     "plan.csv, row 3, unit B, column posts_senior: posts_senior '2.5' is not a whole number"),
    (lambda p: p.assign(posts_intermediate=p["posts_intermediate"].astype(object).where(
        p["unit_id"] != "C", "abc")),
     "plan.csv, row 4, unit C, column posts_intermediate: posts_intermediate 'abc' is not a "
     "number"),
    (lambda p: p.assign(unit_id=p["unit_id"].where(p["unit_id"] != "C", "X")),
     "plan.csv, row 4, unit X, column unit_id: unit_id 'X' is not in the scenario's units "
     "table"),
    (lambda p: p[p["unit_id"] != "B"],
     "plan.csv, column unit_id: the plan has no row for 1 unit(s) of the scenario: B"),
])
def test_cli_bad_plan_exit_2(sc: quotaopt.Scenario, sc_file: Path, tmp_path: Path, edit,
                             message):
    plan_file = write_plan(tmp_path / "plan.csv", edit(optimal_plan(sc)))
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(plan_file)])
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert message in r.output.replace(str(tmp_path) + "/", "")


def test_read_plan_accepts_excel_style_numbers(sc: quotaopt.Scenario):
    plan = optimal_plan(sc).astype(object)
    plan["posts_senior"] = [f"{x}.0" for x in plan["posts_senior"]]
    plan["posts_junior"] = ["９", *plan["posts_junior"].tolist()[1:]]  # full-width digit
    table, notes, _ = read_plan(plan, sc.variant())
    assert table["posts_senior"].tolist() == optimal_plan(sc)["posts_senior"].tolist()
    assert table["posts_junior"].iat[0] == 9
    assert notes == []


def test_docs_example_is_real_output(sc: quotaopt.Scenario):
    """docs/explain.md shows this audit; its lines must be what audit prints."""
    plan = optimal_plan(sc).set_index("unit_id")
    plan.loc["A", ["posts_senior", "posts_junior"]] = [4, 8]
    plan.loc["C", "appointed_senior"] = 0
    lines = audit(sc, plan.reset_index()).lines()[1:4]
    doc = (Path(__file__).resolve().parent.parent / "docs" / "explain.md").read_text("utf-8")
    for line in lines:
        assert line in doc


def test_cli_solver_failure_still_lists_the_violations(sc: quotaopt.Scenario, sc_file: Path,
                                                       tmp_path: Path):
    # check_plan needs no solver: an unknown solver leaves only the optimum unknown
    plan = optimal_plan(sc)
    plan.loc[0, "posts_senior"] = 4
    plan.loc[0, "posts_junior"] = 8
    plan_file = write_plan(tmp_path / "plan.csv", plan)
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(plan_file),
                                  "--solver", "foo", "--out", str(tmp_path / "a")])
    assert r.exit_code == 1, r.output
    assert ("  - unit A (东风乡卫生院): senior cap: allowed 3, plan has 4 — more senior posts "
            "than the ratio allows") in r.output.splitlines()
    assert "the optimum is unknown: the solver failed: unknown solver backend 'foo'" in r.output
    report = json.loads((tmp_path / "a" / "audit.json").read_text(encoding="utf-8"))
    assert report["violations"] == 1 and "optimum" not in report["distance"]
    # a clean plan: exit 0 although the optimum is unknown
    clean = write_plan(tmp_path / "clean.csv", optimal_plan(sc))
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(clean), "--solver",
                                  "foo"])
    assert r.exit_code == 0, r.output
    assert "no violations" in r.output


def test_plan_needs_only_unit_id_and_posts(sc: quotaopt.Scenario, sc_file: Path,
                                           tmp_path: Path):
    full = optimal_plan(sc)
    minimal = write_plan(tmp_path / "min.csv", full[["unit_id", *PLAN_COLUMNS[-5:-2]]])
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(minimal)])
    assert r.exit_code == 0, r.output
    assert "no violations" in r.output
    # other columns are the scenario's business: stale or impossible values there are ignored
    stale = full.assign(junior_incumbents=99, total_posts=1, type="nonsense")
    table, notes, _ = read_plan(write_plan(tmp_path / "stale.csv", stale), sc.variant())
    assert notes == []
    assert table["junior_incumbents"].tolist() == sc.variant().units["junior_incumbents"].tolist()
    assert table["total_posts"].tolist() == sc.variant().units["total_posts"].tolist()
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(tmp_path / "stale.csv")])
    assert r.exit_code == 0, r.output


def test_plan_with_the_chinese_headers_of_the_zh_workbook(sc: quotaopt.Scenario,
                                                          tmp_path: Path):
    from quotaopt.headers import ALLOCATION_ZH

    full = optimal_plan(sc)
    zh = full.rename(columns=ALLOCATION_ZH)
    assert "高级岗位" in zh.columns and "新聘中级" in zh.columns
    path = tmp_path / "zh.csv"
    zh.to_csv(path, index=False, encoding="gb18030")
    table, notes, _ = read_plan(path, sc.variant())
    for c in PLAN_COLUMNS[-5:]:
        assert table[c].tolist() == full[c].tolist()
    assert audit(sc, path).ok


def test_plan_blank_rows_and_repeated_units_are_counted_as_a_spreadsheet(
        sc: quotaopt.Scenario, tmp_path: Path):
    full = optimal_plan(sc)[["unit_id", *PLAN_COLUMNS[-5:-2]]]
    lines = full.to_csv(index=False).splitlines()
    path = tmp_path / "p.csv"
    path.write_text("\n".join([lines[0], lines[1], ",,,", lines[2], lines[2], lines[3]]) + "\n",
                    encoding="utf-8")
    with pytest.raises(quotaopt.InputError) as exc:
        read_plan(path, sc.variant())
    assert "row 5, unit B, column unit_id: unit_id 'B' is on rows 4 and 5" in str(exc.value)


def test_cli_audit_method_option(sc: quotaopt.Scenario, sc_file: Path, tmp_path: Path):
    clean = write_plan(tmp_path / "clean.csv", optimal_plan(sc))
    r = CliRunner().invoke(main, ["audit", str(sc_file), "--plan", str(clean), "--method",
                                  "mip"])
    assert r.exit_code == 0, r.output
