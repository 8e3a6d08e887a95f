"""The optimal face (issue 14 speed): later stages keep the earlier stages' optimum by fixed
bounds proven from the LP relaxation's duals, instead of one dense row. Whatever the duals,
the plan's objective must be the one the dense row gives."""

from __future__ import annotations

import dataclasses
import importlib
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quotaopt as q
from quotaopt.backends.highs import HighsBackend
from quotaopt.model import Formulation, complete_plan, optimal_face, slack_rows

solve_mod = importlib.import_module("quotaopt.solve")


def tiny(matrix, col_lower, col_upper, row_lower, row_upper, integer=True) -> Formulation:
    n = len(col_lower)
    return Formulation(
        idx=np.arange(0), col_lower=np.array(col_lower, float),
        col_upper=np.array(col_upper, float),
        integrality=np.full(n, 1 if integer else 0, dtype=np.int8),
        matrix=sp.csr_matrix(np.array(matrix, float)), row_lower=np.array(row_lower, float),
        row_upper=np.array(row_upper, float), row_kind=("r",), cost1=np.zeros(n), costs=(),
        delta=1, block_range=(0,), batch_range=(0,))  # type: ignore[arg-type]


def test_face_of_a_tiny_lp_by_hand():
    # min 2a + b + c  s.t.  a + b ≥ 1,  b + c ≤ 1,  a, b, c ∈ [0, 1].
    # Optimal dual: y = (1, 0): reduced costs (1, 0, 1), bound D = 1·1 = 1 (b = 1).
    form = tiny([[1, 1, 0], [0, 1, 1]], [0, 0, 0], [1, 1, 1], [1, -np.inf], [np.inf, 1])
    face, bound = optimal_face(form, np.array([2.0, 1.0, 1.0]), np.array([1.0, 0.0]))
    assert bound == 1
    assert face.col_upper.tolist() == [0, 1, 0]  # a and c fixed at 0
    assert face.row_upper.tolist() == [1, 1]  # a + b = 1 now
    # a dual that is not optimal proves a weaker bound, never a wrong face
    _, weak = optimal_face(form, np.array([2.0, 1.0, 1.0]), np.array([0.0, 0.0]))
    assert weak == 0
    # a dual of the wrong sign on a one-sided row proves nothing
    assert optimal_face(form, np.array([2.0, 1.0, 1.0]), np.array([0.0, 1.0])) is None


def test_slack_rows_drop_only_rows_a_free_column_satisfies():
    # rows: x − d ≤ 3 (d makes it redundant), x ≥ 1 (kept); d continuous, cost 0, ≥ 0
    form = tiny([[1, -1], [1, 0]], [0, 0], [5, np.inf], [-np.inf, 1], [3, np.inf])
    form = dataclasses.replace(form, integrality=np.array([1, 0], dtype=np.int8))
    dropped, slack = slack_rows(form, np.array([1.0, 0.0]))
    assert dropped.tolist() == [True, False] and slack.tolist() == [1, -1]
    assert slack_rows(form, np.array([1.0, 1.0]))[0].tolist() == [False, False]  # d has a cost
    # the plan x = 5 needs d = 2 in the dropped row
    assert complete_plan(form, np.array([5.0, 0.0]), slack).tolist() == [5, 2]
    assert complete_plan(form, np.array([0.0, 0.0]), slack) is None  # x ≥ 1 fails


def pool_scenario(df: pd.DataFrame, ratio: str, bonus: int) -> q.Scenario:
    return q.make_scenario(df, q.Policy(
        ratio=q.Ratio.parse(ratio), scope=q.Scope.POOL,
        types={"health_centre": q.TypePolicy(senior_bonus=Fraction(bonus, 100))}
        if "health_centre" in set(df["type"]) else {}))


@st.composite
def pools(draw) -> pd.DataFrame:
    rows = []
    for i in range(draw(st.integers(1, 9))):
        total = draw(st.integers(0, 30))
        s = draw(st.integers(0, total // 6))
        m = draw(st.integers(0, (total - s) // 2))
        j = draw(st.integers(0, total - s - m))
        rows.append({"unit_id": f"U{i}", "type": draw(st.sampled_from(["school", "health_centre"])),
                     "pool": draw(st.sampled_from(["P1", "P2"])), "total_posts": total,
                     "senior_incumbents": s, "intermediate_incumbents": m,
                     "junior_incumbents": j, "senior_waiting": draw(st.integers(0, m)),
                     "intermediate_waiting": draw(st.integers(0, j)),
                     "priority": draw(st.sampled_from([1, 2]))})
    return pd.DataFrame(rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.sampled_from(["1:4:5", "0.7:3.3:6", "1:3:6"]), st.sampled_from([0, 5, 7]),
       st.integers(0, 2**31), st.sampled_from([solve_mod.WEIGHTED_LIMIT, 0.0]))
def test_face_dense_row_and_wrong_duals_agree(df, ratio, bonus, seed, limit):
    # limit 0: every stage on its own, so stage 3 runs on the face of stage 2 on the face
    # of stage 1
    sc = pool_scenario(df, ratio, bonus)
    saved = HighsBackend.relaxation
    saved_limit = solve_mod.WEIGHTED_LIMIT
    rng = np.random.default_rng(seed)
    try:
        solve_mod.WEIGHTED_LIMIT = limit
        face = q.solve(sc, backend="highs", method="mip")
        del HighsBackend.relaxation  # the dense row, as with CBC
        dense = q.solve(sc, backend="highs", method="mip")

        def noisy(self, form, cost, time_limit):
            got = saved(self, form, cost, time_limit)
            if got is None:
                return None
            x, y = got
            return x, y + rng.integers(-2, 3, size=len(y))

        HighsBackend.relaxation = noisy  # type: ignore[method-assign]
        wrong = q.solve(sc, backend="highs", method="mip")
    finally:
        HighsBackend.relaxation = saved  # type: ignore[method-assign]
        solve_mod.WEIGHTED_LIMIT = saved_limit
    assert face.status == dense.status == wrong.status
    if face.status is q.Status.OPTIMAL:
        assert face.summary["objective"] == dense.summary["objective"] == wrong.summary["objective"]


@pytest.mark.parametrize("backend", ["highs", "cbc"])
def test_the_face_is_used_on_the_shipped_pool_scenario(monkeypatch, backend):
    used = []
    real = solve_mod.relaxed_face

    def counted(*args):
        got = real(*args)
        used.append(got is not None)
        return got

    monkeypatch.setattr(solve_mod, "relaxed_face", counted)
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    res = q.solve(sc, "county-pool", backend=backend, method="mip")
    assert res.status is q.Status.OPTIMAL and used and all(used)
    assert res.summary["objective"] == q.solve(sc, "county-pool").summary["objective"]


@pytest.mark.parametrize("variant", ["county-pool"])
def test_face_without_a_whole_number_relaxation_falls_back_to_the_mip(monkeypatch, variant):
    # pretend the relaxation's point is fractional: the stage-1/2 MIP is solved, and its
    # optimum must equal the proven bound for the face to be used
    real = solve_mod.complete_plan
    monkeypatch.setattr(solve_mod, "complete_plan", lambda *a: None)
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    fallback = q.solve(sc, variant, backend="highs", method="mip")
    monkeypatch.setattr(solve_mod, "complete_plan", real)
    direct = q.solve(sc, variant, backend="highs", method="mip")
    assert fallback.summary["objective"] == direct.summary["objective"]
