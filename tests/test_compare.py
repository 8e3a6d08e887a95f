"""quotaopt compare: KPI arithmetic derived by hand, rule diffs, reports, CLI exit codes."""

from __future__ import annotations

import dataclasses
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import quotaopt
from quotaopt.backends import Status
from quotaopt.cli import main
from quotaopt.compare import Comparison, compare_variants, diff_rules
from quotaopt.errors import InputError, SolverError
from quotaopt.report import column_label, render_html, render_text, write_comparison

ROOT = Path(__file__).resolve().parents[1]
TONGXI = ROOT / "scenarios" / "tongxi-county.toml"
COMPARE_MODULE = sys.modules["quotaopt.compare"]  # quotaopt.compare is the function

# ---------------------------------------------------------------------------------------------
# A tiny scenario, solved by hand. Ratio 1:4:5, unit scope, floor, no junior→intermediate use,
# health centres +5 points senior, weights senior 3 / intermediate 1.
#
# A health_centre T=20, incumbents 1/5/10, waiting W_s=2 W_m=2
#   baseline: shares .15/.40/.45 → C_s = floor(3) = 3, C_sm = floor(11) = 11
#     y_s ≤ min(2, 3-1) = 2; y_m ≤ min(2, 11-6) = 2; posts (3, 8, 9) (targets 3 and 11)
#     staff after: s 3, m 5-2+2 = 5, j 10-2 = 8 → vacant 0 / 3 / 1
#   no-bonus: C_s = 2, C_sm = 10 → y_s ≤ 1, y_m = 2; posts (2, 8, 10)
#     staff after: s 2, m 5-1+2 = 6, j 8 → vacant 0 / 2 / 2; waiting left senior 1
# B school T=20, incumbents 2/6/8, W_s=1 W_m=3 (same in every variant)
#   C_s = 2, C_sm = 10 → y_s ≤ 0, y_m ≤ min(3, 10-8) = 2; posts (2, 8, 10)
#   staff after: s 2, m 8, j 6 → vacant 0 / 0 / 4; waiting left 1 / 1
# C school T=10, incumbents 0/2/5, W_s=1 W_m=1 (same in every variant)
#   C_s = 1, C_sm = 5 → y_s = 1, y_m = 1; posts (1, 4, 5)
#   staff after: s 1, m 2, j 4 → vacant 0 / 2 / 1
#
# baseline totals: posts 6 / 20 / 24, appointed 3 / 5, waiting left 1 / 1,
#   vacant 0 / 5 / 6, caps 6 / 26
# no-bonus totals: posts 5 / 20 / 25, appointed 2 / 5, waiting left 2 / 1,
#   vacant 0 / 4 / 7, caps 5 / 25
# budget (max_increase 60; a senior appointment costs 130-100 = 30, an intermediate one
#   100-85 = 15): weight per cost is 3/30 for senior, 1/15 for intermediate, so the best use
#   of 60 is two senior appointments (value 6; 1 senior + 2 intermediate = 5; 4 intermediate
#   = 4): appointed 2 / 0, cost 60. The baseline's appointments at these costs:
#   3·30 + 5·15 = 165, so the delta is -105.
# ---------------------------------------------------------------------------------------------

UNITS = """unit_id,name,type,pool,total_posts,senior_incumbents,intermediate_incumbents,\
junior_incumbents,senior_waiting,intermediate_waiting
A,Hill health centre,health_centre,east,20,1,5,10,2,2
B,Hill school,school,east,20,2,6,8,1,3
C,River school,school,west,10,0,2,5,1,1
"""

TOML = """
[scenario]
name = "tiny"
units = "units.csv"

[policy]
ratio = "1:4:5"
junior_to_intermediate = 0.0

[policy.types.health_centre]
senior_bonus = 0.05

[objective]
weights = { senior = 3, intermediate = 1 }

[variants.no-bonus]
policy.types.health_centre.senior_bonus = 0.0

[variants.budget]
budget.cost = { senior = 130, intermediate = 100, junior = 85 }
budget.max_increase = 60
"""

INFEASIBLE = """
[variants.tight]                 # senior share 1 %: school B's 2 senior incumbents exceed it
policy.ratio = "0.1:4:5.9"
"""


def write_scenario(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    path = tmp_path / "tiny.toml"
    path.write_text(TOML + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    path = write_scenario(tmp_path_factory.mktemp("tiny"))
    return compare_variants(path)


@pytest.fixture(scope="module")
def tongxi() -> Comparison:
    return compare_variants(TONGXI)


# --------------------------------------------------------------------------------------------
# KPI arithmetic


def test_kpi_baseline_and_no_bonus_by_hand(tiny: Comparison) -> None:
    k = tiny.kpi
    assert list(k.index) == ["baseline", "no-bonus", "budget"]
    assert (k["status"] == "optimal").all()
    base = k.loc["baseline"]
    expected = dict(cap_senior=6, cap_senior_intermediate=26, posts_senior=6,
                    posts_intermediate=20, posts_junior=24, appointed_senior=3,
                    appointed_intermediate=5, waiting_left_senior=1,
                    waiting_left_intermediate=1, vacant_senior=0, vacant_intermediate=5,
                    vacant_junior=6, units_over_ratio=0)
    assert {m: int(base[m]) for m in expected} == expected
    nb = k.loc["no-bonus"]
    expected_nb = dict(cap_senior=5, cap_senior_intermediate=25, posts_senior=5,
                       posts_intermediate=20, posts_junior=25, appointed_senior=2,
                       appointed_intermediate=5, waiting_left_senior=2,
                       waiting_left_intermediate=1, vacant_senior=0, vacant_intermediate=4,
                       vacant_junior=7)
    assert {m: int(nb[m]) for m in expected_nb} == expected_nb
    deltas = {m: int(nb[f"{m}_delta"]) for m in expected_nb}
    assert deltas == dict(cap_senior=-1, cap_senior_intermediate=-1, posts_senior=-1,
                          posts_intermediate=0, posts_junior=1, appointed_senior=-1,
                          appointed_intermediate=0, waiting_left_senior=1,
                          waiting_left_intermediate=0, vacant_senior=0,
                          vacant_intermediate=-1, vacant_junior=1)
    assert all(int(base[f"{m}_delta"]) == 0 for m in expected)


def test_kpi_budget_and_promotion_cost_basis(tiny: Comparison) -> None:
    b = tiny.kpi.loc["budget"]
    assert (int(b["appointed_senior"]), int(b["appointed_intermediate"])) == (2, 0)
    assert int(b["promotion_cost"]) == 60
    # the baseline has no budget: priced at the budget variant's costs, 3·30 + 5·15
    assert int(tiny.kpi.loc["baseline", "promotion_cost"]) == 165
    assert int(b["promotion_cost_delta"]) == -105
    assert set(tiny.kpi["promotion_cost_basis"]) == {"budget"}
    # the summary of the budget variant says the same
    assert tiny.results["budget"].summary["promotion_cost"] == 60


OTHER_COSTS = """
[budget]
cost = { senior = 130, intermediate = 100, junior = 85 }
max_increase = 1000
[variants.dearer]                # other costs: its cost is not comparable with the baseline's
budget.cost = { senior = 160, intermediate = 100, junior = 85 }
[variants.tighter]               # the same costs, a smaller budget: comparable
budget.max_increase = 60
"""


def test_promotion_cost_delta_only_at_the_same_costs(tmp_path: Path) -> None:
    comp = compare_variants(write_scenario(tmp_path, OTHER_COSTS), ["dearer", "tighter"])
    kpi = comp.kpi
    assert kpi["promotion_cost_basis"].tolist() == ["baseline", "dearer", "tighter"]
    assert int(kpi.loc["baseline", "promotion_cost"]) == 165  # 3·30 + 5·15
    assert int(kpi.loc["tighter", "promotion_cost"]) == 60
    assert int(kpi.loc["tighter", "promotion_cost_delta"]) == -105
    assert pd.notna(kpi.loc["dearer", "promotion_cost"])
    assert pd.isna(kpi.loc["dearer", "promotion_cost_delta"])
    assert int(kpi.loc["dearer", "appointed_senior_delta"]) == 0  # the other deltas stay
    assert "no change shown for dearer: priced at other costs than baseline" in \
        render_text(comp)
    assert "No change is shown for dearer: priced at other costs than baseline." in \
        render_html(comp)


def test_kpi_matches_the_results(tongxi: Comparison) -> None:
    for name in tongxi.variants:
        res = tongxi.results[name]
        row = tongxi.kpi.loc[name]
        assert int(row["posts_senior"]) == int(res.allocation["posts_senior"].sum())
        assert int(row["appointed_intermediate"]) == \
            res.summary["appointments"]["intermediate"]["appointed"]
        for m in ("posts_senior", "posts_junior", "appointed_senior", "vacant_intermediate"):
            per_type = tongxi.by_type.xs(name, level="variant")[m].sum()
            assert int(per_type) == int(row[m])


def test_by_type_and_unit_diff_by_hand(tiny: Comparison) -> None:
    bt = tiny.by_type
    assert int(bt.loc[("health_centre", "no-bonus"), "posts_senior"]) == 2
    assert int(bt.loc[("health_centre", "no-bonus"), "posts_senior_delta"]) == -1
    assert int(bt.loc[("school", "no-bonus"), "posts_senior_delta"]) == 0
    assert int(bt.loc[("school", "baseline"), "units"]) == 2
    d = tiny.unit_diff[tiny.unit_diff["variant"] == "no-bonus"].set_index("unit_id")
    assert list(d.index) == ["A", "B", "C"]
    assert d.loc["A", ["posts_senior_delta", "posts_senior_intermediate_delta",
                       "appointed_delta", "posts_junior_delta"]].tolist() == [-1, -1, -1, 1]
    assert d["changed"].tolist() == [True, False, False]
    mv = tiny.movers.loc["no-bonus"]
    assert (int(mv["units_losing_senior"]), int(mv["units_gaining_senior"]),
            int(mv["units_losing_senior_intermediate"]),
            int(mv["units_appointments_changed"])) == (1, 0, 1, 1)
    top = tiny.top_changes("no-bonus", "posts_senior")
    assert top["unit_id"].tolist() == ["A"] and top["posts_senior_delta"].tolist() == [-1]
    with pytest.raises(InputError):
        tiny.top_changes("no-bonus", "posts_everything")


def test_compare_returns_the_kpi_table(tmp_path: Path) -> None:
    sc = quotaopt.load_scenario(write_scenario(tmp_path))
    table = quotaopt.compare(sc, variants=["no-bonus"])
    assert isinstance(table, pd.DataFrame)
    assert list(table.index) == ["baseline", "no-bonus"]
    assert int(table.loc["no-bonus", "appointed_senior_delta"]) == -1
    # another baseline: the deltas turn round
    other = quotaopt.compare(sc, variants="baseline", baseline="no-bonus")
    assert list(other.index) == ["no-bonus", "baseline"]
    assert int(other.loc["baseline", "appointed_senior_delta"]) == 1
    with pytest.raises(InputError, match="no variant named 'nope'"):
        quotaopt.compare(sc, variants=["nope"])


def test_parallel_equals_serial(tmp_path: Path) -> None:
    path = write_scenario(tmp_path)
    serial = compare_variants(path, jobs=1)
    parallel = compare_variants(path, jobs=2)
    for attr in ("kpi", "by_type", "unit_diff", "movers"):
        pd.testing.assert_frame_equal(getattr(serial, attr), getattr(parallel, attr))
    assert serial.rule_diff == parallel.rule_diff
    assert render_html(serial) == render_html(parallel)


# --------------------------------------------------------------------------------------------
# Failing variants


def test_infeasible_variant_is_a_row(tmp_path: Path) -> None:
    comp = compare_variants(write_scenario(tmp_path, INFEASIBLE))
    row = comp.kpi.loc["tight"]
    assert row["status"] == "infeasible"
    assert "B" in row["reason"]
    assert pd.isna(row["posts_senior"]) and pd.isna(row["posts_senior_delta"])
    assert int(comp.kpi.loc["no-bonus", "posts_senior_delta"]) == -1  # others still compare
    assert not (comp.unit_diff["variant"] == "tight").any()
    assert pd.isna(comp.movers.loc["tight", "units_compared"])
    assert not comp.all_optimal
    assert "INFEASIBLE" in render_text(comp)


def test_baseline_without_plan_gives_no_deltas(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, INFEASIBLE)
    comp = compare_variants(path, ["no-bonus"], baseline="tight")
    assert comp.kpi.loc["tight", "status"] == "infeasible"
    assert int(comp.kpi.loc["no-bonus", "posts_senior"]) == 5
    assert comp.kpi["posts_senior_delta"].isna().all()
    assert comp.unit_diff.empty
    assert "the baseline tight has no plan: nothing to compare" in render_text(comp)
    ET.fromstring(render_html(comp))


def test_csv_keeps_whole_numbers_beside_a_variant_without_plan(tmp_path: Path) -> None:
    # an infeasible row makes the columns nullable: still "6", never "6.0"; missing is empty
    comp = compare_variants(write_scenario(tmp_path, INFEASIBLE))
    (tmp_path / "out").mkdir()
    write_comparison(comp, tmp_path / "out", ["csv"])
    for name in ("kpi", "by_type", "movers", "unit_diff"):
        text = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8")
        assert not re.search(r"(^|,)-?\d+\.0(,|$)", text, re.M), name
    lines = (tmp_path / "out" / "kpi.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    base = dict(zip(header, lines[1].split(","), strict=False))
    tight = dict(zip(header, next(x for x in lines if x.startswith("tight,")).split(","),
                     strict=False))
    assert (base["posts_senior"], base["cap_senior_intermediate"]) == ("6", "26")
    assert (tight["status"], tight["posts_senior"], tight["posts_senior_delta"]) == \
        ("infeasible", "", "")


def _fake_solve(status_of: dict[str, Status | type[Exception]]):
    real = quotaopt.solve

    def fake(scenario, variant=None, **kw):
        want = status_of.get(variant or "baseline")
        if isinstance(want, type):
            raise want("the solver crashed (test)")
        res = real(scenario, variant, **kw)
        if want is Status.NOT_PROVEN:
            res = dataclasses.replace(res, status=Status.NOT_PROVEN, message="gap 3 %")
        return res

    return fake


# --------------------------------------------------------------------------------------------
# Rule differences: one kind of override at a time

RULES = """
[scenario]
name = "rules"
units = "units.csv"

[policy]
ratio = "1:4:5"
junior_to_intermediate = 1.0

[policy.types.health_centre]
senior_bonus = 0.05

[[policy.minimum]]
type = "health_centre"
level = "senior"
posts = 1
when_total_at_least = 8

[objective]
weights = { senior = 3, intermediate = 1 }

[solver]
time_limit = 60

[variants.ratio]
policy.ratio = "0.5:3.5:6"
[variants.same-ratio]
policy.ratio = "2:8:10"
[variants.same-value]
policy.junior_to_intermediate = 1.0
[variants.scope]
policy.scope = "pool"
[variants.rounding]
policy.rounding = "nearest"
[variants.transfer]
policy.junior_to_intermediate = 0.5
[variants.incumbents]
policy.incumbents = "grandfather"
[variants.bonus]
policy.types.health_centre.senior_bonus = 0.0
[variants.type-ratio]
policy.types.school.ratio = "1:3:6"
[variants.type-transfer]
policy.types.school.junior_to_intermediate = 0.25
[variants.same-own]                # a type's own value equal to the global one: no change
policy.types.school.ratio = "2:8:10"
policy.types.school.junior_to_intermediate = 1.0
[variants.keep-own]                # the global ratio changes, schools keep the old one
policy.ratio = "0.5:3.5:6"
policy.types.school.ratio = "1:4:5"
[variants.minimum]
policy.minimum = [{ type = "health_centre", level = "senior", posts = 2, when_total_at_least = 8 }]
[variants.no-minimum]
policy.minimum = []
[variants.weights]
objective.weights = { senior = 1, intermediate = 1 }
[variants.budget]
budget.cost = { senior = 130000, intermediate = 100000, junior = 85000 }
budget.max_increase = 3000000
[variants.time]
solver.time_limit = 5
[variants.units]
scenario.units = "units2.csv"
"""

UNITS2 = """unit_id,name,type,pool,total_posts,senior_incumbents,intermediate_incumbents,\
junior_incumbents,senior_waiting,intermediate_waiting
A,Hill health centre,health_centre,east,20,1,5,10,2,2
B,Hill school,school,east,22,2,6,8,1,3
D,New school,school,west,10,0,2,5,1,1
"""

EXPECTED_RULES = {
    "ratio": ["ratio 1:4:5 → 0.5:3.5:6"],
    "same-ratio": [],
    "same-value": [],
    "same-own": [],
    "keep-own": ["ratio 1:4:5 → 0.5:3.5:6", "school own ratio none → 1:4:5"],
    "scope": ["scope unit → pool"],
    "rounding": ["rounding floor → nearest"],
    "transfer": ["junior share usable for intermediate posts 100 % → 50 %"],
    "incumbents": ["incumbents protect → grandfather"],
    "bonus": ["health_centre senior bonus 5 % → 0 %"],
    "type-ratio": ["school own ratio none → 1:3:6"],
    "type-transfer": ["school own junior share usable for intermediate posts none → 25 %"],
    "minimum": [
        "minimum rule removed: every health_centre with at least 8 posts gets at least 1 "
        "senior post(s)",
        "minimum rule added: every health_centre with at least 8 posts gets at least 2 "
        "senior post(s)",
    ],
    "no-minimum": ["minimum rule removed: every health_centre with at least 8 posts gets at "
                   "least 1 senior post(s)"],
    "weights": ["weight of a senior appointment 3 → 1"],
    "budget": ["promotion budget added: max increase 3,000,000 a year (costs senior 130,000 / "
               "intermediate 100,000 / junior 85,000)"],
    "time": ["solver time limit 60 s → 5 s"],
    "units": ["units file units.csv → units2.csv",
              "units table 3 units → 3 units (1 added: D; 1 removed: C; 1 changed: B)"],
}


@pytest.fixture(scope="module")
def rules_scenario(tmp_path_factory: pytest.TempPathFactory) -> quotaopt.Scenario:
    d = tmp_path_factory.mktemp("rules")
    (d / "units.csv").write_text(UNITS, encoding="utf-8")
    (d / "units2.csv").write_text(UNITS2, encoding="utf-8")
    (d / "rules.toml").write_text(RULES, encoding="utf-8")
    return quotaopt.load_scenario(d / "rules.toml")


@pytest.mark.parametrize("variant", sorted(EXPECTED_RULES))
def test_rule_diff_text(rules_scenario: quotaopt.Scenario, variant: str) -> None:
    changes = diff_rules(rules_scenario.variant(), rules_scenario.variant(variant))
    assert [str(c) for c in changes] == EXPECTED_RULES[variant]


def test_units_table_variant_compares_by_unit_id(rules_scenario: quotaopt.Scenario) -> None:
    comp = compare_variants(rules_scenario, ["units"])
    d = comp.unit_diff.set_index("unit_id")
    assert d["presence"].to_dict() == {"A": "both", "B": "both", "C": "removed", "D": "added"}
    assert int(d.loc["B", "total_posts_delta"]) == 2
    assert pd.isna(d.loc["D", "posts_senior_delta"]) and bool(d.loc["D", "changed"])
    mv = comp.movers.loc["units"]
    assert (int(mv["units_compared"]), int(mv["units_added"]), int(mv["units_removed"])) == \
        (2, 1, 1)


def test_rule_diff_removed_and_changed_budget(rules_scenario: quotaopt.Scenario) -> None:
    base, budget = rules_scenario.variant(), rules_scenario.variant("budget")
    assert [str(c) for c in diff_rules(budget, base)] == [
        "promotion budget removed: max increase 3,000,000 a year (costs senior 130,000 / "
        "intermediate 100,000 / junior 85,000)"]
    cheaper = dataclasses.replace(
        budget, policy=dataclasses.replace(
            budget.policy, budget=dataclasses.replace(budget.policy.budget,
                                                      max_increase=2500000)))
    changes = diff_rules(budget, cheaper)
    assert [str(c) for c in changes] == ["promotion budget max increase 3,000,000 → 2,500,000"]
    assert changes[0].key == "budget.max_increase"


def test_rule_diff_keys_point_at_the_scenario(rules_scenario: quotaopt.Scenario) -> None:
    keys = {c.key for v in ("bonus", "type-ratio", "scope")
            for c in diff_rules(rules_scenario.variant(), rules_scenario.variant(v))}
    assert keys == {"policy.types.health_centre.senior_bonus", "policy.types.school.ratio",
                    "policy.scope"}


# --------------------------------------------------------------------------------------------
# Files


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.void = {"meta", "br", "img", "hr", "link", "input"}

    def handle_starttag(self, tag, attrs):
        if tag not in self.void:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def test_html_report_is_well_formed_with_one_chart_per_section(tiny: Comparison,
                                                                tmp_path: Path) -> None:
    paths = write_comparison(tiny, tmp_path, ["html"])
    assert paths == [tmp_path / "report.html"]
    text = paths[0].read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert parser.stack == []
    root = ET.fromstring(text)  # also well-formed XML
    sections = root.findall(".//section")
    assert [s.get("id") for s in sections] == ["rules", "kpi", "by-type", "units"]
    for s in sections:
        assert len(s.findall(".//{http://www.w3.org/2000/svg}svg")) == 1, s.get("id")
    # self-contained: nothing to fetch
    assert not re.search(r"<script|<link|<img|\bsrc=|@import", text)
    assert set(re.findall(r"https?://[^\"' )]+", text)) <= {"http://www.w3.org/2000/svg",
                                                            "http://www.w3.org/1999/xlink"}
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))
    assert "health_centre senior bonus 5 % → 0 %" in text
    assert render_html(tiny) == text  # deterministic


def test_xlsx_and_csv_reread(tiny: Comparison, tmp_path: Path) -> None:
    paths = write_comparison(tiny, tmp_path, ["xlsx", "csv"])
    names = sorted(p.name for p in paths)
    assert names == ["by_type.csv", "comparison.xlsx", "kpi.csv", "movers.csv", "rules.csv",
                     "unit_diff.csv"]
    book = pd.read_excel(tmp_path / "comparison.xlsx", sheet_name=None, engine="openpyxl")
    assert list(book) == ["KPI", "by type", "unit diff", "movers", "rules", "baseline",
                          "plan table baseline", "no-bonus", "plan table no-bonus", "budget",
                          "plan table budget"]  # each allocation, then its 岗位设置方案表
    assert book["KPI"]["posts_senior"].tolist() == [6, 5, 6]
    assert book["no-bonus"]["posts_senior"].tolist() == [2, 2, 1]
    changed = tiny.unit_diff[tiny.unit_diff["changed"]]
    assert book["unit diff"]["unit_id"].tolist() == changed["unit_id"].tolist()
    assert ("no-bonus", "A") in set(zip(changed["variant"], changed["unit_id"], strict=True))
    kpi = pd.read_csv(tmp_path / "kpi.csv")
    assert kpi["variant"].tolist() == ["baseline", "no-bonus", "budget"]
    assert kpi["appointed_senior_delta"].tolist() == [0, -1, -1]
    diff = pd.read_csv(tmp_path / "unit_diff.csv")
    assert len(diff) == 6 and "posts_senior_intermediate_delta" in diff.columns
    rules = pd.read_csv(tmp_path / "rules.csv")
    assert rules["change"].tolist()[0] == "health_centre senior bonus 5 % → 0 %"


def test_xlsx_chinese_headers(tiny: Comparison, tmp_path: Path) -> None:
    write_comparison(tiny, tmp_path, ["xlsx"], lang="zh")
    book = pd.read_excel(tmp_path / "comparison.xlsx", sheet_name=None, engine="openpyxl")
    assert list(book)[:5] == ["指标", "按单位类型", "单位变化", "增减统计", "规则变化"]
    assert "高级岗位（变化）" in book["指标"].columns
    assert {"单位编码", "单位名称", "高级岗位（基准）"} <= set(book["单位变化"].columns)
    assert "新聘高级" in book["baseline"].columns
    assert book["指标"]["求解状态"].tolist() == ["最优", "最优", "最优"]


def test_xlsx_chinese_status_values(tmp_path: Path) -> None:
    comp = compare_variants(write_scenario(tmp_path, INFEASIBLE), ["tight"])
    (tmp_path / "out").mkdir()
    write_comparison(comp, tmp_path / "out", ["xlsx", "csv"], lang="zh")
    kpi = pd.read_excel(tmp_path / "out" / "comparison.xlsx", sheet_name="指标", engine="openpyxl")
    assert kpi["求解状态"].tolist() == ["最优", "无可行方案"]
    # the CSVs have the workbook's Chinese headers and values too (issue 13)
    assert pd.read_csv(tmp_path / "out" / "kpi.csv", encoding="utf-8-sig")["求解状态"] \
        .tolist() == ["最优", "无可行方案"]
    assert column_label("posts_senior", "en") == "posts_senior"


# --------------------------------------------------------------------------------------------
# Command line


def test_cli_compare_writes_everything(tmp_path: Path) -> None:
    path = write_scenario(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["compare", str(path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "3 of 3 solved to proven optimality" in r.output
    assert "    - health_centre senior bonus 5 % → 0 %" in r.output
    assert re.search(r"no-bonus\s+optimal\s+5 \(-1\)\s+20\s+25 \(\+1\)\s+2 \(-1\)", r.output)
    assert "senior posts: 0 units gain, 1 lose; largest: A Hill health centre -1" in r.output
    assert sorted(p.name for p in out.iterdir()) == [
        "by_type.csv", "comparison.xlsx", "kpi.csv", "movers.csv", "report.html", "rules.csv",
        "unit_diff.csv"]


def test_cli_compare_options(tmp_path: Path) -> None:
    path = write_scenario(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["compare", str(path), "--variants", "no-bonus", "--out",
                                  str(out), "--format", "csv", "--quiet"])
    assert r.exit_code == 0, r.output
    assert r.output == ""
    assert sorted(p.name for p in out.iterdir()) == ["by_type.csv", "kpi.csv", "movers.csv",
                                                     "rules.csv", "unit_diff.csv"]
    assert pd.read_csv(out / "kpi.csv")["variant"].tolist() == ["baseline", "no-bonus"]
    r = CliRunner().invoke(main, ["compare", str(path), "--format", "pdf", "--out", str(out)])
    assert r.exit_code == 2
    assert "pdf" in r.output
    r = CliRunner().invoke(main, ["compare", str(path), "--variants", "no-bonsu"])
    assert r.exit_code == 2
    assert "no variant named 'no-bonsu'" in r.output


def test_cli_compare_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_scenario(tmp_path, INFEASIBLE)
    runner = CliRunner()
    r = runner.invoke(main, ["compare", str(path)])
    assert r.exit_code == 3
    assert "tight: INFEASIBLE —" in r.output
    assert re.search(r"no-bonus\s+optimal", r.output)
    r = runner.invoke(main, ["compare", str(path), "--variants", "no-bonus,budget"])
    assert r.exit_code == 0
    monkeypatch.setattr(COMPARE_MODULE, "solve", _fake_solve({"budget": Status.NOT_PROVEN}))
    r = runner.invoke(main, ["compare", str(path), "--variants", "no-bonus,budget"])
    assert r.exit_code == 4
    assert "budget: NOT PROVEN — time limit reached before optimality was proven (gap 3 %)" \
        in r.output
    # infeasible outranks not proven
    r = runner.invoke(main, ["compare", str(path)])
    assert r.exit_code == 3
    monkeypatch.setattr(COMPARE_MODULE, "solve", _fake_solve({"no-bonus": SolverError}))
    r = runner.invoke(main, ["compare", str(path), "--variants", "no-bonus"])
    assert r.exit_code == 4
    assert "no-bonus: NO PLAN — the solver crashed (test)" in r.output


def test_cli_help_documents_exit_codes() -> None:
    r = CliRunner().invoke(main, ["compare", "--help"])
    assert r.exit_code == 0
    text = " ".join(r.output.split())
    assert "0 only when every compared variant was solved to proven optimality" in text
    assert "3 if any variant is infeasible" in text


# --------------------------------------------------------------------------------------------
# The shipped policy study


def test_shipped_scenario_compares(tongxi: Comparison, tmp_path: Path) -> None:
    assert tongxi.variants == ("baseline", "old-ratio", "no-bonus", "no-transfer",
                               "county-pool", "budget")
    assert tongxi.all_optimal
    assert tongxi.describe_rules("no-bonus") == "health_centre senior bonus 5 % → 0 %"
    # without the bonus only health centres change their senior posts
    senior = tongxi.by_type.xs("no-bonus", level="variant")["posts_senior_delta"]
    assert senior["health_centre"] < 0
    assert (senior.drop("health_centre") == 0).all()
    k = tongxi.kpi
    assert int(k.loc["old-ratio", "appointed_senior_delta"]) < 0
    assert int(k.loc["county-pool", "appointed_senior_delta"]) > 0
    assert int(k.loc["budget", "promotion_cost"]) <= 3_000_000
    paths = write_comparison(tongxi, tmp_path)
    assert len(paths) == 7
    ET.fromstring((tmp_path / "report.html").read_text(encoding="utf-8"))


def test_docs_walk_through_matches_the_output(tongxi: Comparison) -> None:
    doc = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    block = doc.split("<!-- kpi-table -->")[1].split("<!-- /kpi-table -->")[0]
    table = block.strip().removeprefix("```").removesuffix("```").strip("\n")
    assert table in render_text(tongxi)


def test_missing_matplotlib_is_a_clear_error(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_scenario(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib → ImportError
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["compare", str(path), "--out", str(out)])
    assert r.exit_code == 2
    assert "pip install matplotlib" in r.output
    assert not out.exists()  # refused before solving or writing anything
    r = CliRunner().invoke(main, ["compare", str(path), "--out", str(out), "--format", "csv",
                                  "-q"])
    assert r.exit_code == 0 and (out / "kpi.csv").exists()
