"""Each pool its own budget (``[budget] scope = "pool"``): the exact per-pool method against
the MIP, both ways of giving the amounts, every input error, the checker, the summary."""

from __future__ import annotations

import json
import textwrap
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_budget import check_against_mip, fit, objectives, provinces

import quotaopt as q
from quotaopt.check import check_plan
from quotaopt.policy import BudgetScope
from quotaopt.solve import plan_for_check

COSTS = [(130, 100, 85), (130, 100, 70), (120, 100, 90)]
AMOUNTS = [0, 15, 30, 45, 60, 100, 150, 300, 1000]


def drawn_policy(draw, scope: q.Scope, budget: q.Budget) -> q.Policy:
    """A random policy of ``scope`` with ``budget`` (the rules of tests/test_budget.py)."""
    rules: tuple[q.MinimumRule, ...] = ()
    if draw(st.booleans()):
        rules = (q.MinimumRule(q.Level.SENIOR, draw(st.integers(1, 2)), "health_centre",
                               draw(st.integers(0, 10))),)
    return q.Policy(
        ratio=q.Ratio.parse(draw(st.sampled_from(["1:4:5", "0.5:3.5:6", "1:3:6"]))),
        scope=scope,
        rounding=draw(st.sampled_from(list(q.Rounding))),
        junior_to_intermediate=Fraction(draw(st.sampled_from([0, 1, 2, 4])), 4),
        incumbents=draw(st.sampled_from(list(q.Incumbents))),
        types={"health_centre": q.TypePolicy(senior_bonus=Fraction(
            draw(st.sampled_from([0, 5])), 100))},
        minimum=rules,
        weight_senior=Fraction(draw(st.sampled_from([1, 2, 3]))),
        budget=budget,
    )


@st.composite
def pool_budget_policies(draw, scope: q.Scope = q.Scope.POOL) -> q.Policy:
    costs = draw(st.sampled_from(COSTS))
    amounts = {f"P{i}": Fraction(draw(st.sampled_from(AMOUNTS))) for i in range(4)}
    return drawn_policy(draw, scope, q.Budget(*(Fraction(c) for c in costs), Fraction(0),
                                              scope=BudgetScope.POOL, pools=amounts))


def only_present(policy: q.Policy, df: pd.DataFrame) -> q.Policy:
    """The policy with amounts for the pools the drawn table has (and no others)."""
    assert policy.budget is not None
    present = set(df["pool"])
    budget = q.Budget(**{**policy.budget.__dict__,
                         "pools": {p: a for p, a in policy.budget.pools.items()
                                   if p in present}})
    return q.Policy(**{**policy.__dict__, "budget": budget})


def assert_pool_budgets_kept(res: q.Result, policy: q.Policy) -> None:
    assert policy.budget is not None
    a = res.allocation
    c_s, c_m = policy.budget.appointment_costs
    for pool, g in a.groupby("pool"):
        cost = c_s * int(g["appointed_senior"].sum()) + c_m * int(g["appointed_intermediate"].sum())
        assert cost <= policy.budget.pools[pool]


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=12, max_pools=4), pool_budget_policies())
def test_pool_budgets_reach_the_mip_optimum(df, policy):
    policy = only_present(policy, df)
    res = check_against_mip(df, policy)
    if res.status is q.Status.OPTIMAL:
        assert_pool_budgets_kept(res, policy)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=6, max_pools=3), pool_budget_policies())
def test_pool_budgets_reach_the_cbc_optimum(df, policy):
    check_against_mip(df, only_present(policy, df), backends=("cbc",))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=80, max_pools=4), pool_budget_policies())
def test_pool_budgets_on_medium_provinces(df, policy):
    check_against_mip(df, only_present(policy, df))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=10, max_pools=3), pool_budget_policies(scope=q.Scope.UNIT))
def test_pool_budgets_in_unit_scope_reach_the_mip_optimum(df, policy):
    # unit caps, county money: the unbudgeted plan where a pool's budget keeps it, else
    # the pool goes to the MIP (no tie rule in scope unit)
    policy = only_present(policy, df)
    sc = q.make_scenario(df, fit(policy, df))
    auto = q.solve(sc, backend="highs", method="auto")
    mip = q.solve(sc, backend="highs", method="mip")
    assert auto.status == mip.status
    if mip.status is q.Status.OPTIMAL:
        assert objectives(auto) == objectives(mip)
        assert_pool_budgets_kept(auto, policy)


def generated(n: int, seed: int, pools: int = 10) -> pd.DataFrame:
    from benchmarks.generate import generate_units

    df = generate_units(n, seed=seed)
    df["pool"] = [f"P{i % pools}" for i in range(n)]
    return df


def province_policy(amounts: dict[str, Fraction]) -> q.Policy:
    return q.Policy(ratio=q.Ratio.parse("1:4:5"), scope=q.Scope.POOL,
                    junior_to_intermediate=Fraction(1, 2), weight_senior=Fraction(3),
                    types={"health_centre": q.TypePolicy(senior_bonus=Fraction(5, 100))},
                    budget=q.Budget(Fraction(130000), Fraction(100000), Fraction(85000),
                                    Fraction(0), scope=BudgetScope.POOL, pools=amounts))


def test_binding_pool_budgets_are_solved_by_the_exact_method_not_the_mip():
    df = generated(400, seed=5)
    unbudgeted = q.solve(q.make_scenario(df, q.Policy(**{**province_policy({}).__dict__,
                                                          "budget": None})))
    spent = unbudgeted.allocation.groupby("pool")[["appointed_senior",
                                                   "appointed_intermediate"]].sum()
    # about half of what each pool would spend without a budget: every budget binds
    amounts = {p: Fraction(int(30000 * r.appointed_senior + 15000 * r.appointed_intermediate)
                           // 2) for p, r in spent.iterrows()}
    policy = province_policy(amounts)
    res = check_against_mip(df, policy)
    assert res.status is q.Status.OPTIMAL
    assert res.summary["solver"]["units_mip"] == 0
    assert_pool_budgets_kept(res, policy)
    assert (res.summary["objective"]["weighted_appointments"]
            < unbudgeted.summary["objective"]["weighted_appointments"])


def test_the_checker_rejects_a_plan_over_a_pools_budget():
    df = generated(60, seed=2, pools=3)
    policy = province_policy({"P0": Fraction(60000), "P1": Fraction(0), "P2": Fraction(10**7)})
    sc = q.make_scenario(df, policy)
    res = q.solve(sc)
    v = sc.variant()
    plan = plan_for_check(v, res.allocation)
    assert check_plan(v.policy, plan) == []
    # one more intermediate appointment in pool P1, whose budget is 0, where a post allows
    a = plan.copy()
    ok = ((a["pool"] == "P1") & (a["appointed_intermediate"] < a["intermediate_waiting"])
          & (a["posts_junior"] > 0))
    i = ok.idxmax()
    assert ok[i]
    a.loc[i, "appointed_intermediate"] += 1
    a.loc[i, "posts_intermediate"] += 1
    a.loc[i, "posts_junior"] -= 1
    found = [x for x in check_plan(v.policy, a) if x.rule == "pool budget"]
    assert [(x.unit, x.allowed, x.actual) for x in found] == [("pool P1", "0", "15000")]
    # the same plan against a budget over all units that allows it: no budget violation
    total = q.Policy(**{**policy.__dict__, "budget": q.Budget(
        Fraction(130000), Fraction(100000), Fraction(85000), Fraction(10**9))})
    assert not [x for x in check_plan(total, a) if "budget" in x.rule]


# --------------------------------------------------------------------------------------------
# The two ways to give the amounts, and every input error

UNITS = textwrap.dedent("""\
    单位编码,单位类型,县区,岗位总量,现聘高级,现聘中级,现聘初级,高级待聘,中级待聘{extra_head}
    A1,school,东片区,40,2,10,20,4,6{a1}
    A2,school,东片区,30,1,8,15,3,4{a2}
    B1,health_centre,西片区,50,3,12,25,5,8{b1}
    B2,school,西片区,20,1,5,10,2,3{b2}
    """)

SCENARIO = textwrap.dedent("""\
    [scenario]
    units = "units.csv"
    [policy]
    scope = "pool"
    [budget]
    cost = {{ senior = 130000, intermediate = 100000, junior = 85000 }}
    {budget}
    """)


def write(tmp_path: Path, budget: str, head: str = "", cells=("", "", "", "")) -> Path:
    a1, a2, b1, b2 = cells
    (tmp_path / "units.csv").write_text(
        UNITS.format(extra_head=head, a1=a1, a2=a2, b1=b1, b2=b2), encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(budget=budget), encoding="utf-8")
    return path


def problems(path: Path) -> list[q.Problem]:
    with pytest.raises(q.InputError) as info:
        q.load_scenario(path)
    return list(info.value.problems)


def test_table_and_column_give_the_same_plan(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "c").mkdir()
    by_table = write(tmp_path / "t", 'scope = "pool"\n[budget.pools]\n"东片区" = 60000\n'
                     '"西片区" = 45000')
    by_column = write(tmp_path / "c", 'scope = "pool"', head=",岗位增资预算",
                      cells=(",60000", ",60000", ",45000", ",45000"))
    a, b = q.load_scenario(by_table), q.load_scenario(by_column)
    assert a.policy.budget.pools == b.policy.budget.pools == {
        "东片区": Fraction(60000), "西片区": Fraction(45000)}
    assert b.policy.budget.pools_source == "岗位增资预算"
    ra, rb = q.solve(a), q.solve(b)
    assert ra.status is rb.status is q.Status.OPTIMAL
    assert ra.allocation.equals(rb.allocation)
    assert "budget" not in rb.allocation.columns  # an input, not carried to the plan
    assert objectives(ra) == objectives(q.solve(a, method="mip"))


@pytest.mark.parametrize("header", ["预算", "增资额度", "岗位增资预算", "budget"])
def test_every_budget_header_is_read(tmp_path, header):
    path = write(tmp_path, 'scope = "pool"', head="," + header,
                 cells=(",1,200", ",1,200", ",0", ",0"))
    path.parent.joinpath("units.csv").write_text(
        path.parent.joinpath("units.csv").read_text(encoding="utf-8").replace(",1,200", ',"1,200"'),
        encoding="utf-8")
    sc = q.load_scenario(path)
    assert sc.policy.budget.pools == {"东片区": Fraction(1200), "西片区": Fraction(0)}


def test_different_amounts_in_one_pool_name_the_rows_and_header(tmp_path):
    path = write(tmp_path, 'scope = "pool"', head=",预算",
                 cells=(",60000", ",50000", ",45000", ",45000"))
    (p,) = problems(path)
    assert p.file.endswith("units.csv") and p.column == "预算" and p.row == 2
    assert "东片区" in p.message and "60000 in row(s) 2" in p.message
    assert "50000 in row(s) 3" in p.message


def test_an_empty_cell_in_a_filled_pool_is_a_difference(tmp_path):
    path = write(tmp_path, 'scope = "pool"', head=",预算",
                 cells=(",60000", ",", ",45000", ",45000"))
    (p,) = problems(path)
    assert p.column == "预算" and "empty in row(s) 3" in p.message


def test_a_cell_that_is_not_an_amount(tmp_path):
    path = write(tmp_path, 'scope = "pool"', head=",预算",
                 cells=(",60000", ",60000", ",5%", ",-3"))
    found = problems(path)
    assert [(p.row, p.column, p.unit) for p in found] == [(4, "预算", "B1"), (5, "预算", "B2")]
    assert "'5%' is not an amount" in found[0].message


def test_a_pool_without_an_amount_in_the_column(tmp_path):
    path = write(tmp_path, 'scope = "pool"', head=",预算", cells=(",60000", ",60000", ",", ","))
    (p,) = problems(path)
    assert p.column == "预算" and "'西片区'" in p.message and "no budget amount" in p.message


def test_a_pool_without_an_amount_in_the_table(tmp_path):
    path = write(tmp_path, 'scope = "pool"\n[budget.pools]\n"东片区" = 60000')
    (p,) = problems(path)
    assert p.key == "budget.pools" and "'西片区'" in p.message
    assert '"西片区" = 1200000' in p.message


def test_both_forms_given(tmp_path):
    path = write(tmp_path, 'scope = "pool"\n[budget.pools]\n"东片区" = 1\n"西片区" = 1',
                 head=",预算", cells=(",1", ",1", ",1", ",1"))
    (p,) = problems(path)
    assert p.key == "budget.pools" and "given twice" in p.message and "预算" in p.message


def test_neither_form_given(tmp_path):
    (p,) = problems(write(tmp_path, 'scope = "pool"'))
    assert p.key == "budget.scope" and "[budget.pools]" in p.message


def test_an_unknown_pool_name(tmp_path):
    path = write(tmp_path, 'scope = "pool"\n[budget.pools]\n"东片区" = 1\n"西片" = 1\n'
                 '"西片区" = 1')
    (p,) = problems(path)
    assert p.key == "budget.pools.西片" and "did you mean '西片区'" in p.message


def test_max_increase_with_scope_pool(tmp_path):
    path = write(tmp_path, 'scope = "pool"\nmax_increase = 5\n[budget.pools]\n"东片区" = 1\n'
                 '"西片区" = 1')
    (p,) = problems(path)
    assert p.key == "budget.max_increase" and 'scope = "all"' in p.message


def test_pools_without_scope_pool(tmp_path):
    path = write(tmp_path, 'max_increase = 5\n[budget.pools]\n"东片区" = 1\n"西片区" = 1')
    (p,) = problems(path)
    assert p.key == "budget.pools" and 'scope = "pool"' in p.message


def test_a_negative_amount_in_the_table(tmp_path):
    path = write(tmp_path, 'scope = "pool"\n[budget.pools]\n"东片区" = -1\n"西片区" = 1')
    found = problems(path)
    assert [p.key for p in found] == ["budget.pools.东片区"]
    assert "below zero" in found[0].message


def test_a_budget_column_nobody_reads_is_an_error(tmp_path):
    path = write(tmp_path, "max_increase = 5", head=",预算", cells=(",1", ",1", ",1", ",1"))
    (p,) = problems(path)
    assert p.column == "预算" and "silently change nothing" in p.message


def test_summary_reports_each_pools_budget(tmp_path):
    path = write(tmp_path, 'scope = "pool"\n[budget.pools]\n"东片区" = 60000\n"西片区" = 0')
    res = q.solve(q.load_scenario(path))
    pools = {p["pool"]: p for p in res.summary["budget"]["pools"]}
    assert res.summary["budget"]["scope"] == "pool"
    assert pools["西片区"]["used"] == 0 and pools["西片区"]["left"] == 0
    east = pools["东片区"]
    assert east["amount"] == 60000 and east["used"] + east["left"] == 60000
    assert json.loads(json.dumps(res.summary, default=str))


def test_audit_names_the_pool_over_its_budget(tmp_path):
    from quotaopt.audit import audit

    path = write(tmp_path, 'scope = "pool"\n[budget.pools]\n"东片区" = 60000\n"西片区" = 0')
    sc = q.load_scenario(path)
    plan = q.solve(sc).allocation.copy()
    assert audit(sc, plan).ok
    i = int(plan.index[plan["unit_id"] == "B1"][0])
    plan.loc[i, ["appointed_intermediate", "posts_intermediate", "posts_junior"]] += [1, 1, -1]
    res = audit(sc, plan)
    assert not res.ok
    found = res.table[res.table["rule"] == "pool budget"]
    assert found[["pool", "allowed", "actual"]].values.tolist() == [["西片区", "0", "15000"]]


# --------------------------------------------------------------------------------------------
# One budget across all units in scope unit: the exact method with every unit a pool of its own


@st.composite
def unit_scope_budgets(draw) -> q.Policy:
    costs = draw(st.sampled_from(COSTS))
    return drawn_policy(draw, q.Scope.UNIT, q.Budget(
        *(Fraction(c) for c in costs), Fraction(draw(st.sampled_from(AMOUNTS + [10000])))))


def unit_scope_against_mip(df: pd.DataFrame, policy: q.Policy,
                           backends=("highs",)) -> q.Result:
    sc = q.make_scenario(df, fit(policy, df))
    auto = q.solve(sc, backend="highs", method="auto")
    for b in backends:
        mip = q.solve(sc, backend=b, method="mip")
        assert auto.status == mip.status
        if mip.status is q.Status.OPTIMAL:
            assert objectives(auto) == objectives(mip), b
    if auto.status is q.Status.OPTIMAL:
        assert auto.summary["promotion_cost"] <= policy.budget.max_increase
    return auto


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=12, max_pools=3), unit_scope_budgets())
def test_unit_scope_budget_method_reaches_the_mip_optimum(df, policy):
    unit_scope_against_mip(df, policy)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=6, max_pools=2), unit_scope_budgets())
def test_unit_scope_budget_method_reaches_the_cbc_optimum(df, policy):
    unit_scope_against_mip(df, policy, backends=("cbc",))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(provinces(max_units=80, max_pools=3), unit_scope_budgets())
def test_unit_scope_budget_method_on_medium_provinces(df, policy):
    unit_scope_against_mip(df, policy)


def test_a_binding_unit_scope_budget_is_solved_without_the_mip():
    df = generated(600, seed=7)
    policy = q.Policy(ratio=q.Ratio.parse("1:4:5"), junior_to_intermediate=Fraction(1, 2),
                      weight_senior=Fraction(3),
                      budget=q.Budget(Fraction(130000), Fraction(100000), Fraction(85000),
                                      Fraction(600 * 6000)))
    res = unit_scope_against_mip(df, policy)
    assert res.status is q.Status.OPTIMAL
    assert res.summary["solver"]["units_mip"] == 0
    assert res.summary["promotion_cost"] > 600 * 6000 - 30000  # the budget binds


def test_both_readers_keep_the_budget_column_and_its_header(tmp_path):
    from quotaopt.units import _read_clean_csv, normalize_units

    path = tmp_path / "u.csv"
    path.write_text("单位编码,单位类型,县区,岗位总量,增资额度\nA1,school,东,40,100\n"
                    "A2,school,东,30,100\n", encoding="utf-8")
    fast = _read_clean_csv(path, None)  # the pyarrow path takes this plain file
    assert fast is not None
    # ... and the cell-by-cell reader, here through a DataFrame
    general = normalize_units(pd.read_csv(path, dtype=str))
    for table in (fast, q.read_units(path), general):
        assert table["budget"].tolist() == ["100", "100"]
        assert table.attrs["budget_header"] == "增资额度"
