"""Scenario files: every key, defaults, variants, exact numbers, and one bad file per check."""

from __future__ import annotations

import textwrap
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quotaopt as q

UNITS = """unit_id,type,total_posts,pool
H1,health_centre,20,East
S1,school,30,East
"""


def write(tmp_path: Path, toml: str, units: str = UNITS) -> Path:
    (tmp_path / "units.csv").write_text(units, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(textwrap.dedent(toml), encoding="utf-8")
    return path


BASE = """
[scenario]
units = "units.csv"
"""


def problems(tmp_path: Path, toml: str) -> list[q.Problem]:
    with pytest.raises(q.InputError) as err:
        q.load_scenario(write(tmp_path, toml))
    return list(err.value.problems)


def test_defaults(tmp_path):
    sc = q.load_scenario(write(tmp_path, BASE))
    p = sc.policy
    assert sc.name == "s" and sc.variant_names == ("baseline",)
    assert str(p.ratio) == "1:4:5" and p.scope is q.Scope.UNIT
    assert p.rounding is q.Rounding.FLOOR and p.junior_to_intermediate == 0
    assert p.incumbents is q.Incumbents.PROTECT and p.budget is None and p.minimum == ()
    assert (p.weight_senior, p.weight_intermediate) == (1, 1)
    assert sc.variant().solver == q.SolverOptions(backend=None, time_limit=None, method="auto")
    assert sc.input_hash.startswith("sha256:")


def test_every_key(tmp_path):
    sc = q.load_scenario(write(tmp_path, BASE + """
        name = "full"
        description = "all keys"
        [policy]
        ratio = "0.5:3.5:6"
        scope = "pool"
        rounding = "nearest"
        junior_to_intermediate = 0.5
        incumbents = "grandfather"
        source = "doc 1"
        [policy.types.health_centre]
        senior_bonus = "5%"
        ratio = "1:4:5"
        junior_to_intermediate = 1
        source = "doc 2"
        [[policy.minimum]]
        type = "health_centre"
        level = "senior"
        posts = 1
        when_total_at_least = 8
        source = "doc 3"
        [objective]
        weights = { senior = 3, intermediate = 0.5 }
        [budget]
        cost = { senior = 130000, intermediate = 100000, junior = 85000 }
        max_increase = 2000000
        source = "doc 4"
        [solver]
        backend = "cbc"
        time_limit = 30
        method = "mip"
    """))
    p = sc.policy
    assert sc.name == "full" and sc.description == "all keys"
    assert p.ratio.shares == (Fraction(1, 20), Fraction(7, 20), Fraction(3, 5))
    assert (p.scope, p.rounding, p.incumbents) == (q.Scope.POOL, q.Rounding.NEAREST,
                                                   q.Incumbents.GRANDFATHER)
    hc = p.types["health_centre"]
    assert hc.senior_bonus == Fraction(1, 20) and str(hc.ratio) == "1:4:5"
    assert p.shares_for("health_centre").senior == Fraction(3, 20)
    assert p.shares_for("health_centre").junior_to_intermediate == 1
    assert p.shares_for("school").junior_to_intermediate == Fraction(1, 2)
    assert p.minimum == (q.MinimumRule(q.Level.SENIOR, 1, "health_centre", 8, "doc 3"),)
    assert p.weight_intermediate == Fraction(1, 2)
    assert p.budget == q.Budget(Fraction(130000), Fraction(100000), Fraction(85000),
                                Fraction(2000000), "doc 4")
    assert sc.variant().solver == q.SolverOptions("cbc", 30.0, "mip")


def test_exact_shares():
    # 0.5:3.5:6 at 10 posts: senior+intermediate share exactly 4
    s, m, _ = q.Ratio.parse("0.5:3.5:6").shares
    assert (s + m) * 10 == 4
    assert q.Ratio.parse("1：4：5") == q.Ratio.parse("1:4:5")  # full-width colons


def test_variants_deep_merge(tmp_path):
    (tmp_path / "other.csv").write_text(UNITS + "X1,school,5,West\n", encoding="utf-8")
    sc = q.load_scenario(write(tmp_path, BASE + """
        [policy]
        scope = "pool"
        [policy.types.health_centre]
        senior_bonus = 0.05
        [variants.old]
        policy.ratio = "0.5:3.5:6"
        policy.types.health_centre.senior_bonus = 0.0
        [variants.other-units]
        scenario.units = "other.csv"
    """))
    old = sc.variant("old")
    assert str(old.policy.ratio) == "0.5:3.5:6" and old.policy.scope is q.Scope.POOL
    assert old.policy.types["health_centre"].senior_bonus == 0
    assert sc.policy.types["health_centre"].senior_bonus == Fraction(1, 20)
    assert len(sc.variant("other-units").units) == 3 and len(sc.units) == 2
    with pytest.raises(q.InputError, match="no variant named 'od'.*did you mean 'old'"):
        sc.variant("od")


# ---------------------------------------------------------------------------------------------
# one bad file per check: (toml, key named, words in the message)

BAD = [
    ("[policy]\nratoi = '1:4:5'", "policy.ratoi", "did you mean 'ratio'"),
    ("[polcy]\nratio = '1:4:5'", "polcy", "did you mean 'policy'"),
    ("[policy]\nratio = '1:4'", "policy.ratio", "2 part(s)"),
    ("[policy]\nratio = '1:-4:5'", "policy.ratio", "not a number ≥ 0"),
    ("[policy]\nratio = 'a:b:c'", "policy.ratio", "not a number ≥ 0"),
    ("[policy]\nratio = '0:0:0'", "policy.ratio", "all three parts are 0"),
    ("[policy]\nat_least_one = 'senior'", "policy.at_least_one", "expected a list of levels"),
    ("[policy]\nratio = 145", "policy.ratio", "expected a text"),
    ("[policy]\nscope = 'county'", "policy.scope", "not one of unit | pool"),
    ("[policy]\nrounding = 'round'", "policy.rounding", "not one of floor | nearest | ceil"),
    ("[policy]\nincumbents = 'keep'", "policy.incumbents", "protect | grandfather"),
    ("[policy]\njunior_to_intermediate = 1.5", "policy.junior_to_intermediate",
     "between 0 and 1"),
    ("[policy]\njunior_to_intermediate = 'lots'", "policy.junior_to_intermediate",
     "not a number"),
    ("[policy.types.health_centre]\nsenior_bonus = 0.6", "policy.types.health_centre.senior_bonus",
     "larger than the junior share"),
    ("[policy.types.clinic]\nsenior_bonus = 0.05", "policy.types.clinic",
     "does not occur in the units table"),
    ("[[policy.minimum]]\ntype = 'clinic'\nlevel = 'senior'\nposts = 1",
     "policy.minimum[1].type", "does not occur"),
    ("[[policy.minimum]]\nlevel = 'boss'\nposts = 1", "policy.minimum[1].level", "not one of"),
    ("[[policy.minimum]]\nlevel = 'senior'\nposts = -1", "policy.minimum[1].posts",
     "whole number"),
    ("[objective]\nweights = { senior = 0, intermediate = 1 }", "objective.weights.senior",
     "greater than 0"),
    ("[budget]\ncost = { senior = 1, intermediate = 1, junior = 1 }\nmax_increase = -5",
     "budget.max_increase", "below zero"),
    ("[budget]\nmax_increase = 5", "budget.cost.senior", "missing"),
    ("[budget]\ncost = { senior = 1, intermediate = 2, junior = 1 }\nmax_increase = 5",
     "budget.cost", "must not fall"),
    ("[solver]\nbackend = 'gurobi'", "solver.backend", "not highs, cbc or pulp:"),
    ("[solver]\ntime_limit = 0", "solver.time_limit", "greater than 0"),
    ("[solver]\nmethod = 'fast'", "solver.method", "not auto or mip"),
    ("[variants.x]\npolicy.scope = 'county'", "policy.scope", "in variant 'x'"),
    ("[variants.x]\npolicy.colour = 'red'", "variants.x.policy.colour", "unknown key"),
    ("[variants.baseline]\npolicy.scope = 'pool'", "variants.baseline", "name of the base"),
]


@pytest.mark.parametrize("toml, key, words", BAD, ids=[b[1] for b in BAD])
def test_bad_scenario(tmp_path, toml, key, words):
    found = problems(tmp_path, BASE + toml)
    assert any(p.key == key and words in p.message and p.file == "s.toml" for p in found), \
        [str(p) for p in found]


def test_all_problems_at_once(tmp_path):
    found = problems(tmp_path, BASE + "[policy]\nscope = 'x'\nrounding = 'y'\nratio = '1:2'")
    assert {p.key for p in found} == {"policy.scope", "policy.rounding", "policy.ratio"}


def test_missing_units_key_and_missing_file(tmp_path):
    assert any(p.key == "scenario.units" for p in problems(tmp_path, "[policy]\n"))
    found = problems(tmp_path, "[scenario]\nunits = 'nope.csv'\n")
    assert any("nope.csv" in str(p) for p in found)
    with pytest.raises(q.InputError, match="file not found"):
        q.load_scenario(tmp_path / "absent.toml")


def test_units_problems_are_reported_with_the_scenario(tmp_path):
    units = "unit_id,type,total_posts\nA,school,x\n"
    with pytest.raises(q.InputError) as err:
        q.load_scenario(write(tmp_path, BASE, units))
    (p,) = err.value.problems
    assert p.file.endswith("units.csv")
    assert (p.row, p.column, p.unit) == (2, "total_posts", "A")


def test_invalid_toml_and_encoding(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[policy\nratio=", encoding="utf-8")
    with pytest.raises(q.InputError, match="not valid TOML"):
        q.load_scenario(path)
    path.write_bytes(b"name = '\xff\xfe'")
    with pytest.raises(q.InputError, match="not UTF-8"):
        q.load_scenario(path)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_junk_bytes_only_raise_our_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("junk") / "s.toml"
    path.write_bytes(data)
    with pytest.raises(q.QuotaoptError):
        q.load_scenario(path)


TOML_VALUES = st.recursive(
    st.none().map(lambda _: 1) | st.booleans() | st.integers(-10**20, 10**20)
    | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["scenario", "policy", "ratio", "scope", "types", "minimum", "units",
                         "weights", "budget", "cost", "solver", "variants", "x", "senior"]),
        inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["scenario", "policy", "objective", "budget", "solver",
                                        "variants", "junk"]), TOML_VALUES, max_size=5))
def test_junk_tables_only_raise_our_error(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("tables")
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    data = dict(data)
    try:
        q.scenario.scenario_from_dict(data, base_dir=folder, file="s.toml")
    except q.QuotaoptError:
        pass
