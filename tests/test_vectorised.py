"""Vectorised helpers on the 10⁵-unit path give exactly what the plain pandas code gave."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quotaopt as q
from quotaopt.caps import sorted_codes

solve_mod = importlib.import_module("quotaopt.solve")
tierule = importlib.import_module("quotaopt.tierule")
result_mod = importlib.import_module("quotaopt.result")  # the summary figures (were in solve)

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
    for c in (*result_mod._TOTAL_COLUMNS, "appointed_senior", "appointed_intermediate",
              "waiting_left_senior", "waiting_left_intermediate"):
        alloc[c] = rng.integers(0, 50, n)
    expected = {
        str(t): {**result_mod.totals(g), "appointed_senior": int(g["appointed_senior"].sum()),
                 "appointed_intermediate": int(g["appointed_intermediate"].sum()),
                 "waiting_senior": int(g["appointed_senior"].sum()
                                       + g["waiting_left_senior"].sum()),
                 "waiting_intermediate": int(g["appointed_intermediate"].sum()
                                             + g["waiting_left_intermediate"].sum())}
        for t, g in alloc.groupby("type", sort=True)}
    got = result_mod.by_type(alloc)
    assert got == expected
    assert list(got) == list(expected)
    assert [list(d) for d in got.values()] == [list(d) for d in expected.values()]
    assert result_mod.by_type(alloc.iloc[:0]) == {}


def test_quota_distances_in_int64_and_in_python_integers():
    # one pool of two schools (1:4:5) of 10 and 30 posts: senior shares 1 and 3, base cap 4,
    # quotas 1 and 3; plan 2 and 2 → distance |2 − 1| + |2 − 3| = 2 at the senior level
    from quotaopt.caps import compute_limits

    units = pd.DataFrame({"unit_id": ["A", "B"], "type": ["school"] * 2,
                          "total_posts": [10, 30], "pool": ["P", "P"]})
    sc = q.make_scenario(units, q.Policy(scope=q.Scope.POOL))
    lim = compute_limits(sc.policy, sc.units)
    A, B = np.array([2, 2]), np.array([5, 15])
    assert result_mod.quota_distances(lim, A, B) == [2]
    big = dataclasses.replace(lim, qa_num=lim.qa_num.astype(object),
                              pool_qa_num=lim.pool_qa_num.astype(object))
    assert result_mod.quota_distances(big, A, B) == [2]


def test_allocation_text_columns_stay_object():
    units = pd.DataFrame({"unit_id": ["A"], "type": ["school"], "total_posts": [10]})
    alloc = q.solve(q.make_scenario(units)).allocation
    assert [alloc[c].dtype for c in ("unit_id", "name", "type", "pool")] == [object] * 4


# --------------------------------------------------------------------------------------------
# units: the column-at-once paths give what the cell-by-cell checks give


def _read(tmp_path, text: str) -> pd.DataFrame:
    path = tmp_path / "u.csv"
    path.write_text(text, encoding="utf-8")
    return q.read_units(path)


def test_digit_cells_of_any_length(tmp_path):
    u = _read(tmp_path, "unit_id,type,total_posts,senior_incumbents,priority\n"
                        "A,school,0000000012,,00000000002\nB,school,7,1,\n")
    assert u["total_posts"].tolist() == [12, 7]
    assert u["senior_incumbents"].tolist() == [0, 1]
    assert u["priority"].tolist() == [2.0, 1.0]


@pytest.mark.parametrize("cell, message", [
    ("1000000001", "total_posts is 1000000001, above the limit of 1,000,000,000"),
    ("99999999999999999999", "above the limit"),
    ("", "total_posts is empty"),
])
def test_plain_looking_counts_that_need_a_message(tmp_path, cell, message):
    with pytest.raises(q.InputError) as exc:
        _read(tmp_path, f"unit_id,type,total_posts\nA,school,{cell}\n")
    assert message in str(exc.value)
    assert "row 2" in str(exc.value)


@pytest.mark.parametrize("cell", ["0", "000", "1" * 400])
def test_digit_priorities_that_need_a_message(tmp_path, cell):
    with pytest.raises(q.InputError) as exc:
        _read(tmp_path, f"unit_id,type,total_posts,priority\nA,school,5,{cell}\n")
    assert "column priority" in str(exc.value)


def test_whitespace_of_every_kind_is_blank_and_stripped(tmp_path):
    # U+3000 (ideographic space), U+0085 and U+001F are whitespace to str.strip(); U+200B
    # (zero-width space) is not, but text cells lose zero-width characters (issue 12): a name
    # of only U+200B is empty, so the name is the unit_id
    u = _read(tmp_path, "unit_id,type,total_posts,name\n"
                        "\u3000A\u0085,school,5,\x1fname \n"
                        "\u3000,\u0085, ,\n"
                        "B,school,6,\u200b\n")
    assert u["unit_id"].tolist() == ["A", "B"]
    assert u["name"].tolist() == ["name", "B"]


def test_frames_built_in_code_with_integers_and_numpy_text():
    raw = pd.DataFrame({"unit_id": ["A", "B"], "type": ["school", "school"],
                        "total_posts": pd.Series([5, np.int64(6)], dtype=object),
                        "senior_incumbents": [True, 0]})
    with pytest.raises(q.InputError) as exc:
        q.make_scenario(raw)
    assert "senior_incumbents must be a whole number (0 or more), not True" in str(exc.value)
    ok = q.make_scenario(raw.drop(columns="senior_incumbents")).units
    assert ok["total_posts"].tolist() == [5, 6]
    odd = pd.DataFrame({"unit_id": pd.Series([np.str_("A"), "B"], dtype=object),
                        "type": ["school", "school"], "total_posts": [5, 6]})
    assert q.make_scenario(odd).units["unit_id"].tolist() == ["A", "B"]


@pytest.mark.parametrize("seed", range(6))
def test_tie_rule_over_arrays_makes_the_moves_of_the_pair_at_a_time_loop(seed):
    # any arrays (not only optimal plans): the same moves, in the same order, so the same end
    rng = np.random.default_rng(seed)
    sc = q.load_scenario("scenarios/tongxi-county.toml")
    v = sc.variant(["county-pool", "county-pool", "baseline"][seed % 3])
    if v.policy.scope is not q.Scope.POOL:
        v = dataclasses.replace(v, policy=dataclasses.replace(v.policy, scope=q.Scope.POOL))
    units = v.units
    lim = solve_mod.compute_limits(v.policy, units)
    n = len(units)
    order = solve_mod.canonical_order(units, lim.pool_codes)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    T = units["total_posts"].to_numpy(np.int64)
    tie = solve_mod.tie_order(T, lim.pool_codes, rank)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    A = rng.integers(0, T // 4 + 2)
    B = np.minimum(T, A + rng.integers(0, T // 2 + 2))
    ys = np.clip(A - inc_s, 0, units["senior_waiting"].to_numpy(np.int64)) * rng.integers(0, 2, n)
    ym = (np.clip(B - inc_sm, 0, units["intermediate_waiting"].to_numpy(np.int64))
          * rng.integers(0, 2, n))
    idx = np.sort(rng.choice(n, size=int(rng.integers(n // 2, n + 1)), replace=False))
    fast = [a.copy() for a in (A, B, ys, ym)]
    slow = [a.copy() for a in (A, B, ys, ym)]
    solve_mod.apply_tie_rule(v.policy, units, lim, idx, tie, *fast)
    pools: dict[int, list[int]] = {}
    for i in sorted(idx.tolist(), key=lambda i: int(tie[i])):
        pools.setdefault(int(lim.pool_codes[i]), []).append(i)
    tierule.tie_rule_one_move_at_a_time(v.policy, units, lim, pools, *slow)
    assert all(np.array_equal(a, b) for a, b in zip(fast, slow, strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(fast, (A, B, ys, ym), strict=True))


@pytest.mark.parametrize("close_span", [3, 10**9, 10**15, 10**17])
@pytest.mark.parametrize("seed", range(4))
def test_step_order_is_the_stable_lexsort(close_span: int, seed: int) -> None:
    """The structured method's step order (a value sort of a packed key, an argsort of the key,
    or a lexsort, by the key's size) is ``np.lexsort((tie, -close, -gain, pool))`` — steps of
    one unit repeat its tie position, so equal keys occur and the order must be stable."""
    from quotaopt.fastpath import _step_order

    rng = np.random.default_rng(seed)
    units, pools = 300, 7
    unit_pool = rng.integers(0, pools, units)
    # tie positions run pool by pool, as fastpath.tie_order gives them
    tie_of_unit = np.empty(units, dtype=np.int64)
    tie_of_unit[np.lexsort((rng.permutation(units), unit_pool))] = np.arange(units)
    steps = rng.integers(0, units, 2000)
    pool = unit_pool[steps]
    gain = rng.choice(np.array([0, 1, 5, 10**9]), len(steps))
    close = rng.integers(-close_span, close_span + 1, len(steps))
    tie = tie_of_unit[steps]
    want = np.lexsort((tie, -close, -gain, pool))
    assert np.array_equal(_step_order(pool, gain, close, tie, pools), want)
    # the same steps picked inside from longer arrays (as take_best_steps passes them):
    # gain and closeness at positions ``at``, tie positions by unit; the inputs stay as given
    at = rng.permutation(3 * len(steps))[:len(steps)]
    all_gain = rng.choice(np.array([0, 1, 5, 10**9]), 3 * len(steps))
    all_close = rng.integers(-close_span, close_span + 1, 3 * len(steps))
    all_gain[at], all_close[at] = gain, close
    kept = all_gain.copy(), all_close.copy(), tie_of_unit.copy()
    got = _step_order(pool, all_gain, all_close, tie_of_unit, pools, at, steps)
    assert np.array_equal(got, want)
    assert all(np.array_equal(a, b) for a, b in zip(kept, (all_gain, all_close, tie_of_unit),
                                                    strict=True))
