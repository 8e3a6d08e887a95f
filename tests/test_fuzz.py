"""The deterministic slice of the fuzzer (tests/fuzz.py) and hypothesis-driven hostile input.

The full run is ``python -m tests.fuzz --n 10000`` (docs/reliability.md); here 300 fixed
cases (seed 2024) and a few hundred generated ones keep every outcome an ordinary exit code
with a message: never exit 70, never a traceback.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotaopt.errors import InputError
from quotaopt.units import normalize_units
from tests import fuzz

SEED = 2024
CHUNK = 50


@pytest.mark.parametrize("start", range(0, 300, CHUNK))
def test_fuzz_slice(start):
    outcomes = fuzz.fuzz(CHUNK, seed=SEED, start=start)
    failures = [f"{o.case.describe()}\n  -> {o.problem}\n{o.output[-800:]}"
                for o in outcomes if o.problem]
    assert not failures, "\n".join(failures)
    COVERED.update(o.case.command for o in outcomes)
    COVERED.update(o.exit_code for o in outcomes)


COVERED: set = set()


def test_the_slice_reached_every_command_and_outcome():
    """(Runs after the slice.) The slice is not all rejections: it solves, too."""
    if not COVERED:
        pytest.skip("run with the slice")
    assert set(fuzz.ALLOWED) <= COVERED
    assert {0, 2} <= COVERED


def test_the_judge_rejects_what_it_must():
    case = fuzz.Case(0, "validate", ["validate", "s.toml"], {})
    assert fuzz.judge(case, 70, "internal error: boom", None) == "internal error (exit 70)"
    assert "traceback" in fuzz.judge(case, 2, "Traceback (most recent call last):", None)
    assert fuzz.judge(case, 1, "error: x", None) == "exit code 1 is not allowed for validate"
    assert fuzz.judge(case, 2, "", None) == "exit code 2 without any message"
    assert fuzz.judge(case, None, "", None).endswith("(hang)")
    assert fuzz.judge(case, 2, "error: s.toml: bad", None) is None


def test_toml_writer_round_trips():
    import tomllib

    data = {"scenario": {"name": 'a "b"\\ \x01\x7f', "units": "u.csv"},
            "policy": {"ratio": "1:4:5", "minimum": [{"level": "senior", "posts": 1}],
                       "junior_to_intermediate": 0.5, "x": [1, 2.5, True]},
            "variants": {"a b": {"policy": {"scope": "pool"}}}, "n": float("inf")}
    assert tomllib.loads(fuzz.toml_dump(data)) == data


# ----------------------------------------------------------------------------------------
# hypothesis: generated seeds for the mutation fuzzer, and arbitrary cells


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32))
def test_generated_mutations_never_crash(tmp_path_factory, seed):
    case = fuzz.make_case(seed, 0)
    outcome = fuzz.run_case(case, tmp_path_factory.mktemp("case"))
    assert outcome.problem is None, (case.describe(), outcome.problem, outcome.output[-800:])


CELLS = st.one_of(
    st.sampled_from(fuzz.HOSTILE_VALUES),
    st.text(max_size=12),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.sampled_from([np.int64(5), np.float32(2.5), np.nan, pd.NA, pd.NaT, np.uint64(2**64 - 1),
                     b"bytes", [1, 2], {"a": 1}, 3 + 4j, pd.Timestamp("2024-01-01")]),
)
HEADERS = st.one_of(st.sampled_from(fuzz.HEADER_NAMES), st.text(max_size=10), st.none(),
                    st.integers(0, 5), st.floats(allow_nan=True))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(headers=st.lists(HEADERS, min_size=0, max_size=8), data=st.data())
def test_any_cells_give_a_table_or_an_input_error(headers, data):
    rows = data.draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)),
                              max_size=6))
    df = pd.DataFrame(rows, columns=pd.Index(headers, dtype=object), dtype=object) \
        if headers else pd.DataFrame(rows)
    try:
        out = normalize_units(df)
    except InputError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        assert str(exc)  # the message itself can always be made
    else:
        assert len(out) <= len(df)
        assert (out["total_posts"] >= 0).all() and (out["total_posts"] <= 10**9).all()
        assert np.isfinite(out["priority"]).all() and (out["priority"] > 0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32))
def test_valid_tables_from_hostile_numbers_solve_and_check(seed):
    """Counts drawn across the whole accepted range (0 … 10^9): a table that passes the
    checks is solved, and the plan passes the independent checker (solve() runs it)."""
    import quotaopt as q

    rng = random.Random(seed)
    n = rng.randint(1, 6)
    rows = []
    for i in range(n):
        total = rng.choice([0, 1, 7, 10**9, rng.randint(0, 10**9)])
        j = rng.randint(0, total)
        m = rng.randint(0, total - j)
        s = rng.randint(0, total - j - m)
        rows.append({"unit_id": f"U{i}", "type": rng.choice(["a", "b"]),
                     "pool": rng.choice(["p", "q"]), "total_posts": total,
                     "senior_incumbents": s, "intermediate_incumbents": m,
                     "junior_incumbents": j, "senior_waiting": rng.randint(0, m),
                     "intermediate_waiting": rng.randint(0, j),
                     "priority": rng.choice([1, 1.5, 1e-6, 1e6, math.pi])})
    policy = q.Policy(scope=rng.choice(list(q.Scope)), rounding=rng.choice(list(q.Rounding)),
                      incumbents=q.Incumbents.GRANDFATHER,
                      junior_to_intermediate=Fraction(rng.choice([0, 1, 1, 3]), 3))
    sc = q.make_scenario(pd.DataFrame(rows), policy)
    try:
        res = q.solve(sc, method=rng.choice(["auto", "mip"]))
    except InputError as exc:  # beyond what a MIP holds exactly: said so, clearly
        assert "too large" in str(exc) or "too different" in str(exc)
        return
    assert res.status.value in ("optimal", "infeasible")
