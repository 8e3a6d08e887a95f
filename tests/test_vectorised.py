"""Vectorised helpers on the 10⁵-unit path give exactly what the plain pandas code gave."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import quotaopt as q
from quotaopt.caps import sorted_codes

solve_mod = importlib.import_module("quotaopt.solve")

TEXT = st.text(alphabet=["a", "b", "B", "é", "\x00", "1", "9", " ", "卫"], max_size=3)


def reference_order(units: pd.DataFrame) -> np.ndarray:
    keys = pd.DataFrame({"pool": units["pool"].astype(str).to_numpy(),
                         "uid": units["unit_id"].astype(str).to_numpy()})
    return keys.sort_values(["pool", "uid"], kind="stable").index.to_numpy()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=25), st.booleans())
def test_canonical_order_is_a_stable_sort_by_pool_then_unit_id(rows, presorted):
    df = pd.DataFrame({"unit_id": pd.Series([r[0] for r in rows], dtype=object),
                       "pool": pd.Series([r[1] for r in rows], dtype=object)})
    if presorted:
        df = df.iloc[reference_order(df)].reset_index(drop=True)
    assert solve_mod.canonical_order(df).tolist() == reference_order(df).tolist()


def test_canonical_order_of_long_and_non_text_ids():
    df = pd.DataFrame({"unit_id": pd.Series([3, 1, 2, 10], dtype=object),
                       "pool": pd.Series(["b", "a", "a", "a"], dtype=object)})
    assert solve_mod.canonical_order(df).tolist() == reference_order(df).tolist()
    many = pd.DataFrame({"unit_id": pd.Series([f"x{k % 7}" * 30 for k in range(50)],
                                              dtype=object),
                         "pool": pd.Series(["p"] * 50, dtype=object)})
    assert solve_mod.canonical_order(many).tolist() == reference_order(many).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=30))
def test_sorted_codes(values):
    names, codes = sorted_codes(pd.Series(values, dtype=object))
    assert list(names) == sorted(set(values))
    assert [names[c] for c in codes.tolist()] == values


def test_by_type_equals_groupby():
    rng = np.random.default_rng(0)
    n = 500
    alloc = pd.DataFrame({"type": pd.Series(rng.choice(["school", "b", "卫生院"], n),
                                            dtype=object)})
    for c in (*solve_mod._TOTAL_COLUMNS, "appointed_senior", "appointed_intermediate",
              "waiting_left_senior", "waiting_left_intermediate"):
        alloc[c] = rng.integers(0, 50, n)
    expected = {
        str(t): {**solve_mod.totals(g), "appointed_senior": int(g["appointed_senior"].sum()),
                 "appointed_intermediate": int(g["appointed_intermediate"].sum()),
                 "waiting_senior": int(g["appointed_senior"].sum()
                                       + g["waiting_left_senior"].sum()),
                 "waiting_intermediate": int(g["appointed_intermediate"].sum()
                                             + g["waiting_left_intermediate"].sum())}
        for t, g in alloc.groupby("type", sort=True)}
    got = solve_mod.by_type(alloc)
    assert got == expected
    assert list(got) == list(expected)
    assert [list(d) for d in got.values()] == [list(d) for d in expected.values()]
    assert solve_mod.by_type(alloc.iloc[:0]) == {}


def test_exact_deviation_in_int64_and_in_python_integers():
    x = np.array([3, 0, 7], dtype=np.int64)
    q_num = np.array([25, 4, 71], dtype=np.int64)
    expected = sum(abs(int(a) * 10 - int(b)) for a, b in zip(x, q_num, strict=True))
    assert solve_mod._abs_dev(x, q_num, 10) == expected
    assert solve_mod._abs_dev(x, q_num.astype(object), 10) == expected
    huge = np.array([2**40, 2**40], dtype=np.int64)
    assert solve_mod._abs_dev(huge, np.zeros(2, dtype=np.int64), 2**30) == 2 * 2**70


def test_allocation_text_columns_stay_object():
    units = pd.DataFrame({"unit_id": ["A"], "type": ["school"], "total_posts": [10]})
    alloc = q.solve(q.make_scenario(units)).allocation
    assert [alloc[c].dtype for c in ("unit_id", "name", "type", "pool")] == [object] * 4
