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
from quotaopt.backends.pulp import (
    PulpBackend,
    build_problem,
    make_solver,
    run_cbc,
    solve_problem,
)
from quotaopt.formulation import (
    Formulation,
    complete_plan,
    optimal_face,
    segmented,
    slack_rows,
)

solve_mod = importlib.import_module("quotaopt.solve")
stages = importlib.import_module("quotaopt.stages")


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
       st.integers(0, 2**31), st.sampled_from([stages.WEIGHTED_LIMIT, 0.0]))
def test_face_dense_row_and_wrong_duals_agree(df, ratio, bonus, seed, limit):
    # limit 0: every stage on its own, so stage 3 runs on the face of stage 2 on the face
    # of stage 1
    sc = pool_scenario(df, ratio, bonus)
    saved = HighsBackend.relaxation
    saved_limit = stages.WEIGHTED_LIMIT
    rng = np.random.default_rng(seed)
    try:
        stages.WEIGHTED_LIMIT = limit
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
        stages.WEIGHTED_LIMIT = saved_limit
    assert face.status == dense.status == wrong.status
    if face.status is q.Status.OPTIMAL:
        assert face.summary["objective"] == dense.summary["objective"] == wrong.summary["objective"]


@pytest.mark.parametrize("backend", ["highs", "cbc"])
def test_the_face_is_used_on_the_shipped_pool_scenario(monkeypatch, backend):
    used = []
    real = stages.relaxed_face

    def counted(*args):
        got = real(*args)
        used.append(got is not None)
        return got

    monkeypatch.setattr(stages, "relaxed_face", counted)
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    res = q.solve(sc, "county-pool", backend=backend, method="mip")
    assert res.status is q.Status.OPTIMAL and used and all(used)
    assert res.summary["objective"] == q.solve(sc, "county-pool").summary["objective"]


@pytest.mark.parametrize("variant", ["county-pool"])
def test_face_without_a_whole_number_relaxation_falls_back_to_the_mip(monkeypatch, variant):
    # pretend the relaxation's point is fractional: the stage-1/2 MIP is solved, and its
    # optimum must equal the proven bound for the face to be used
    real = stages.complete_plan
    monkeypatch.setattr(stages, "complete_plan", lambda *a: None)
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    fallback = q.solve(sc, variant, backend="highs", method="mip")
    monkeypatch.setattr(stages, "complete_plan", real)
    direct = q.solve(sc, variant, backend="highs", method="mip")
    assert fallback.summary["objective"] == direct.summary["objective"]


# --------------------------------------------------------------------------------------------
# The last stage group with its deviation rows as segments (model.segmented)

def unit_scenario(df: pd.DataFrame, ratio: str, rounding: str) -> q.Scenario:
    return q.make_scenario(df, q.Policy(ratio=q.Ratio.parse(ratio), scope=q.Scope.UNIT,
                                        rounding=q.Rounding(rounding)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), st.sampled_from(["1:4:5", "0.7:3.3:6", "0:3:7"]), st.sampled_from([0, 5, 7]),
       st.sampled_from(["pool", "floor", "ceil"]), st.sampled_from(["highs", "cbc"]))
def test_segments_and_three_rows_agree(df, ratio, bonus, scope, backend):
    # the same optimum with the segments (LP proof, else their MIP) and with the three rows
    sc = (pool_scenario(df, ratio, bonus) if scope == "pool"
          else unit_scenario(df, ratio, scope))
    rows = []
    real_segmented, real_relaxed = stages.segmented, stages.relaxed_face

    def counted(form, cost):
        got = real_segmented(form, cost)
        rows.append(got is not None)
        return got

    try:
        stages.segmented = counted
        seg = q.solve(sc, backend=backend, method="mip")
        # no LP proof: the segments' MIP
        stages.relaxed_face = lambda form, *a: (None if form.row_kind[-1:] == ("segments",)
                                                   else real_relaxed(form, *a))
        seg_mip = q.solve(sc, backend=backend, method="mip")
        stages.segmented = lambda form, cost: None
        stages.relaxed_face = real_relaxed
        three = q.solve(sc, backend=backend, method="mip")
    finally:
        stages.segmented, stages.relaxed_face = real_segmented, real_relaxed
    assert seg.status == seg_mip.status == three.status
    if three.status is q.Status.OPTIMAL:
        assert rows and all(rows)  # the segments were used in every batch
        assert (seg.summary["objective"] == seg_mip.summary["objective"]
                == three.summary["objective"] == q.solve(sc).summary["objective"])


def test_segments_only_where_the_deviations_are_as_built():
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    v = sc.variant("county-pool")
    lim = solve_mod.compute_limits(v.policy, v.units)
    idx = np.arange(len(v.units))
    form = solve_mod.build(v.policy, v.units, lim, idx, solve_mod.block_codes(
        v.policy, v.units, lim)[idx])
    cost3 = form.costs[1]
    got = segmented(form, cost3)
    assert got is not None
    n = form.n
    # three rows per unit and level become one
    assert got.form.matrix.shape[0] == form.matrix.shape[0] - 4 * n
    assert segmented(form, -form.cost1) is None  # stage 1 has no cost on the deviations
    d = form.deviations[0].d
    fixed = form.col_upper.copy()
    fixed[d] = 0.0  # a face that fixed a deviation: the segments would lose it
    assert segmented(dataclasses.replace(form, col_upper=fixed), cost3) is None
    fewer = dataclasses.replace(form, matrix=form.matrix[1:], row_lower=form.row_lower[1:],
                                row_upper=form.row_upper[1:])
    assert segmented(fewer, cost3) is None  # rows moved: not the rows build() made
    # a plan maps back with tight deviations and the same objective
    x = np.zeros(got.form.num_col)
    x[:got.kept.size] = form.col_lower[got.kept]
    back = got.plan(x)
    dev = form.deviations[1]
    num = dev.den * dev.floor + dev.rem
    assert np.array_equal(back[dev.d:dev.d + n], np.abs(dev.den * back[dev.x:dev.x + n] - num))


# --------------------------------------------------------------------------------------------
# The bundled CBC given an MPS file written from the arrays (backends.pulp.run_cbc)



@pytest.mark.parametrize("seed", range(12))
def test_cbc_from_the_arrays_solves_what_pulp_solves(seed):
    # every kind of row (≤, ≥, =, ranged, free) and column bound (fixed, free, below zero,
    # none above, integer or not), plus an extra row a · x ≥ b; against PuLP's own route
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 9)), int(rng.integers(1, 8))
    dense = rng.integers(-3, 4, size=(m, n)) * (rng.random((m, n)) < 0.6)
    lo = rng.integers(-4, 3, size=n).astype(float)
    hi = lo + rng.integers(0, 6, size=n)
    lo[rng.random(n) < 0.2] = -np.inf
    hi[rng.random(n) < 0.2] = np.inf
    lo[0], hi[0] = max(lo[0], -5.0), max(lo[0], -5.0) + 3  # at least one bounded column
    rl = rng.integers(-6, 2, size=m).astype(float)
    ru = rl + rng.integers(0, 6, size=m)
    rl[rng.random(m) < 0.4] = -np.inf
    ru[rng.random(m) < 0.3] = np.inf
    form = tiny(dense, lo, hi, rl, ru)
    form = dataclasses.replace(form, integrality=(rng.random(n) < 0.6).astype(np.int8))
    cost = rng.integers(-5, 6, size=n).astype(float)
    cost[np.isinf(lo) & (cost > 0)] = 0.0  # keep it bounded where a column has no bound …
    cost[np.isinf(hi) & (cost < 0)] = 0.0
    extra = [(rng.integers(-2, 3, size=n).astype(float), float(rng.integers(-8, 0)))]
    if np.isinf(lo).any() or np.isinf(hi).any():  # … and in every row
        form = dataclasses.replace(form, col_lower=np.where(np.isinf(lo), -50.0, lo),
                                   col_upper=np.where(np.isinf(hi), 50.0, hi))
    solver = make_solver(None, None)
    got, duals = run_cbc(solver, form, cost, extra, None, integer=True)
    prob, variables = build_problem(form, cost, extra)
    ref = solve_problem(prob, variables, solver)
    assert got.status == ref.status
    if ref.status is q.Status.OPTIMAL:
        assert float(cost @ got.x) == pytest.approx(float(cost @ ref.x), abs=1e-6)
        x = got.x
        assert np.all(x >= form.col_lower - 1e-6) and np.all(x <= form.col_upper + 1e-6)
        ax = form.matrix @ x
        assert np.all(ax >= form.row_lower - 1e-6) and np.all(ax <= form.row_upper + 1e-6)
        assert float(extra[0][0] @ x) >= extra[0][1] - 1e-6
        integer = form.integrality == 1
        assert np.allclose(x[integer], np.rint(x[integer]))
    assert len(duals) == form.matrix.shape[0]
    # the relaxation (the face reads its duals): the same optimum as HiGHS's
    relaxed = PulpBackend().relaxation(form, cost, None)
    highs = HighsBackend().relaxation(form, cost, None)
    assert (relaxed is None) == (highs is None)
    if relaxed is not None and highs is not None:
        assert float(cost @ relaxed[0]) == pytest.approx(float(cost @ highs[0]), abs=1e-6)
