"""Documented limits (docs/reliability.md): clear errors beyond them, exact results inside —
no int64 overflow, no float silently losing a whole number."""

from __future__ import annotations

import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import quotaopt as q
from quotaopt.backends import RawSolution, Status
from quotaopt.cli import main
from quotaopt.model import MAX_MIP_MAGNITUDE, budget_row
from quotaopt.scenario import MAX_DECIMALS, MAX_NUMBER, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
TONGXI = ROOT / "scenarios" / "tongxi-county.toml"
BASE = pd.read_csv(ROOT / "scenarios" / "tongxi-county.csv", dtype=str)
COUNTS = ["岗位总量", "现聘高级", "现聘中级", "现聘初级", "高级待聘", "中级待聘"]


def invoke(*args: str):
    res = CliRunner().invoke(main, list(args))
    assert "Traceback" not in res.output and res.exit_code != 70, res.output
    return res


def scenario_file(tmp_path: Path, policy: str, units: str = "u.csv") -> str:
    if not (tmp_path / "u.csv").exists():
        BASE.to_csv(tmp_path / "u.csv", index=False)
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nunits = "{units}"\n' + textwrap.dedent(policy),
                    encoding="utf-8")
    return str(path)


def scaled(factor: int, copies: int = 1) -> pd.DataFrame:
    """Tongxi with every count multiplied (totals up to 10^9), ``copies`` times over."""
    u = BASE.copy()
    for c in COUNTS:
        u[c] = u[c].astype("int64") * factor
    parts = [u.assign(单位编码=u["单位编码"] + f"-{k}") for k in range(copies)]
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------------------
# scenario numbers: at most 10^15, at most 9 decimal places


@pytest.mark.parametrize("toml, key, words", [
    ('[policy]\nratio = "1e99999:1:1"', "policy.ratio", "'1e99999' is too large"),
    ('[policy]\nratio = "1:1e-99999:1"', "policy.ratio", "'1e-99999' has 99999 decimal places"),
    ('[policy]\nratio = "1:3:7.0000000001"', "policy.ratio", "has 10 decimal places"),
    ('[policy]\njunior_to_intermediate = 0.3333333333333333',
     "policy.junior_to_intermediate", "has 16 decimal places; at most 9 are accepted"),
    ('[policy.types.school]\nsenior_bonus = "0.00000001%"', "policy.types.school.senior_bonus",
     "'0.00000001%' has 10 decimal places"),
    ('[objective]\nweights = { senior = 1e300 }', "objective.weights.senior", "is too large"),
    ('[objective]\nweights = { senior = 5e-324 }', "objective.weights.senior",
     "decimal places"),
    ("[budget]\ncost = { senior = 1, intermediate = 1, junior = 1 }\n"
     "max_increase = 10000000000000000", "budget.max_increase", "is too large"),
    ("[[policy.minimum]]\nlevel = 'senior'\nposts = 10000000000000000000000",
     "policy.minimum[1].posts", "above the limit of 1,000,000,000"),
    ("[[policy.minimum]]\nlevel = 'senior'\nposts = 1\nwhen_total_at_least = 10000000000",
     "policy.minimum[1].when_total_at_least", "above the limit of 1,000,000,000"),
    ('[policy]\nratio = "1.000000001:4:5"\n[policy.types.school]\nratio = "1.000000003:4:5"\n'
     '[policy.types.health_centre]\nratio = "1.000000007:4:5"', "policy.ratio",
     "above the limit of 10^12"),
])
def test_scenario_numbers_beyond_the_limits_are_input_errors(tmp_path, toml, key, words):
    res = invoke("validate", scenario_file(tmp_path, toml))
    assert res.exit_code == 2, res.output
    assert f"key {key}" in res.output and words in res.output


def test_scenario_numbers_at_the_limits_are_accepted(tmp_path):
    assert MAX_NUMBER == 10**15 and MAX_DECIMALS == 9
    res = invoke("validate", scenario_file(tmp_path, """\
        [policy]
        ratio = "1:4:4.999999999"
        junior_to_intermediate = 0.5
        [objective]
        weights = { senior = 1000000000000000, intermediate = 0.000000001 }
        [budget]
        cost = { senior = 1000000000000000, intermediate = 2.5, junior = 0.000000001 }
        max_increase = 1000000000000000
        """))
    assert res.exit_code == 0, res.output
    # each number is fine, together they are beyond exact arithmetic in double precision:
    # exit 2 — found by the exact budget method (the weights' stage-1 coefficients) before
    # the MIP would find its budget row too large
    res = invoke("run", str(tmp_path / "s.toml"))
    assert res.exit_code == 2, res.output
    assert ("the priorities and objective weights are too different in size" in res.output
            or "the budget row is too large to be solved exactly" in res.output), res.output
    res = invoke("run", str(tmp_path / "s.toml"), "--method", "mip")
    assert res.exit_code == 2, res.output


# ----------------------------------------------------------------------------------------
# counts near 10^9: exact, same answers from every method and backend


def test_counts_near_a_billion_solve_exactly_by_every_method_and_backend():
    u = scaled(12_500_000, copies=3)  # 288 units, totals up to 975,000,000
    assert u["岗位总量"].max() <= 10**9
    sc = scenario_from_dict({"policy": {"junior_to_intermediate": 1.0, "types": {
        "health_centre": {"senior_bonus": 0.05}}}}, units=u)
    reference = q.solve(sc, method="auto")
    assert reference.status is Status.OPTIMAL
    obj = reference.summary["objective"]
    for backend in ("highs", "cbc"):
        res = q.solve(sc, method="mip", backend=backend)
        assert res.status is Status.OPTIMAL
        assert res.summary["objective"] == obj, backend
    # exact integers all the way to the summary: no float rounding of the totals
    assert reference.summary["totals"]["total_posts"] == int(u["岗位总量"].sum())
    alloc = reference.allocation
    assert (alloc["posts_senior"] + alloc["posts_intermediate"] + alloc["posts_junior"]
            == alloc["total_posts"]).all()


def test_pool_sums_of_huge_numerators_do_not_overflow_int64(tmp_path):
    """Regression: caps and the checker kept σ·T·D in int64 when each unit fitted, but a
    pool's sum overflowed silently — a pooled cap of -8,446,744,083 and a false
    'infeasible'. Now exact (Python integers) whenever the sum could overflow."""
    rows = ["unit_id,type,pool,total_posts"] + [f"U{i},school,P,1000000000" for i in range(20)]
    (tmp_path / "u.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = scenario_file(tmp_path, '[policy]\nratio = "1:4:4.99999999"\nscope = "pool"\n')
    res = invoke("run", path)
    assert res.exit_code == 0, res.output
    sc = q.load_scenario(path)
    alloc = q.solve(sc).allocation
    # the pooled caps, exactly: floor(2·10^10 × share)
    from fractions import Fraction

    share_s = Fraction(1) / Fraction("9.99999999")
    assert int(alloc["cap_senior"].iloc[0]) == int(20 * 10**9 * share_s)
    assert int(alloc["cap_senior_intermediate"].iloc[0]) == int(20 * 10**9 * 5 * share_s)
    assert q.check_plan(sc.policy, sc.units.assign(**{
        c: alloc[c] for c in ("posts_senior", "posts_intermediate", "posts_junior")})) == []


def test_a_mip_too_large_for_floats_is_a_clear_input_error(tmp_path):
    # two types with ratios of many decimals in one pool: the quotas' denominators are huge
    rows = ["unit_id,type,pool,total_posts"] + [
        f"U{i},{'school' if i % 2 else 'clinic'},P,{1000000000 - i}" for i in range(20)]
    (tmp_path / "u.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    path = scenario_file(tmp_path, '[policy]\nratio = "1:4:4.99999999"\nscope = "pool"\n'
                         '[policy.types.clinic]\nratio = "1.01:4:4.99"\n')
    res = invoke("run", path, "--method", "mip")
    assert res.exit_code == 2
    assert "the numbers are too large for an exact MIP" in res.output
    assert "limit is 2^50" in res.output and "fewer decimal places" in res.output


def test_priorities_and_weights_too_far_apart_are_a_clear_input_error():
    u = BASE.copy()
    u["权重"] = ["0.000001" if i % 2 else "999999.999999" for i in range(len(u))]
    sc = scenario_from_dict({"objective": {"weights": {"senior": 123456.000000007,
                                                       "intermediate": 0.000000011}}}, units=u)
    with pytest.raises(q.InputError, match="too different in size or have too many decimal"):
        q.solve(sc)


def test_budget_row_is_exact_in_whole_numbers():
    from fractions import Fraction

    b = q.Budget(Fraction("100.1"), Fraction("100.05"), Fraction("0.3"), Fraction("1.2"))
    # extra costs 0.05 and 99.75, scaled by 20: whole numbers; rhs floor(1.2 × 20)
    assert budget_row(b) == (1, 1995, 24)


def test_budget_with_decimal_costs_keeps_the_budget_exactly():
    u = BASE.copy()
    sc = scenario_from_dict({"budget": {"cost": {"senior": 0.3, "intermediate": 0.2,
                                                 "junior": 0.1},
                                        "max_increase": 3.0}}, units=u)
    for backend in ("highs", "cbc"):
        res = q.solve(sc, method="mip", backend=backend)
        assert res.status is Status.OPTIMAL
        # 0.1 per appointment (either level), so exactly 30 appointments fit in 3.0
        ap = res.summary["appointments"]
        assert ap["senior"]["appointed"] + ap["intermediate"]["appointed"] == 30
        assert res.summary["promotion_cost"] == 3


def test_a_solver_that_drops_stage_one_in_stage_two_is_exit_4(monkeypatch):
    """Seen with CBC on MIPs whose numbers reach ~10^11: stage 2 came back 'optimal' with
    the stage-1 row ignored. The lexicographic result is verified, so this is exit 4."""
    import importlib

    from quotaopt.backends.highs import HighsBackend

    stages = importlib.import_module("quotaopt.stages")

    real = HighsBackend.solve

    def sloppy(self, form, cost, extra_row, time_limit):
        raw = real(self, form, cost, extra_row, time_limit)
        if extra_row is None:
            return raw
        x = raw.x.copy()
        n = form.n
        x[2 * n:4 * n] = 0  # nobody appointed: stage 1 lost
        return RawSolution(Status.OPTIMAL, x)

    monkeypatch.setattr(HighsBackend, "solve", sloppy)
    monkeypatch.setattr(stages, "WEIGHTED_LIMIT", 0)  # force two stages
    # --method mip: the exact budget method solves this variant without a MIP now
    res = invoke("run", str(TONGXI), "--variant", "budget", "--solver", "highs",
                 "--method", "mip")
    assert res.exit_code == 4, res.output
    assert ("the highs solver returned a plan that loses an earlier stage's optimum"
            in res.output)


def test_int64_totals_in_the_summary_do_not_overflow():
    n = 2000
    u = pd.DataFrame({"unit_id": [f"U{i}" for i in range(n)], "type": "school",
                      "total_posts": 10**9, "junior_incumbents": 10**9,
                      "intermediate_waiting": 10**9})
    sc = q.make_scenario(u, q.Policy(junior_to_intermediate=Fraction(1)))
    res = q.solve(sc)
    assert res.status is Status.OPTIMAL
    assert res.summary["totals"]["total_posts"] == n * 10**9
    assert res.summary["appointments"]["intermediate"]["waiting"] == n * 10**9
    assert int(np.asarray(res.allocation["posts_senior"]).sum()) == n * 10**8
    assert MAX_MIP_MAGNITUDE == 2**50
