"""The message catalogue: every code used in the source is defined, every defined code used,
and a coded problem keeps its code and parameters."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

import quotaopt
from quotaopt.errors import InputError, Problem
from quotaopt.messages import CATALOGUE, render

SRC = Path(__file__).resolve().parent.parent / "src" / "quotaopt"
USE = re.compile(r"""(?:render|Problem\.of|Message\.of)\(\s*["']([a-z_]+)["']""")


def used_codes() -> set[str]:
    return {m.group(1) for p in SRC.rglob("*.py")
            for m in USE.finditer(p.read_text(encoding="utf-8"))}


def test_every_code_used_is_defined_and_every_defined_code_used():
    used = used_codes()
    assert used - set(CATALOGUE) == set(), "codes used but not in quotaopt.messages"
    assert set(CATALOGUE) - used == set(), "codes in quotaopt.messages that nothing uses"


def test_coded_problem_keeps_code_params_and_pickles():
    p = Problem.of("unknown_variant", file="s.toml", name="x", hint="", choices=("baseline",))
    assert p.code == "unknown_variant" and dict(p.params)["name"] == "x"
    assert str(p) == "s.toml: no variant named 'x'; the scenario has: baseline"
    err = pickle.loads(pickle.dumps(InputError([p])))
    assert err.problems == (p,)


def test_unknown_variant_is_a_coded_problem():
    sc = quotaopt.load_scenario(SRC.parent.parent / "scenarios" / "tongxi-county.toml")
    with pytest.raises(InputError) as info:
        sc.variant("old-ratioo")
    (problem,) = info.value.problems
    assert problem.code == "unknown_variant"
    assert "did you mean 'old-ratio'" in problem.message


def test_problem_counts_are_rendered_from_codes():
    err = InputError([Problem(f"p{k}") for k in range(5)])
    assert err.text(limit=2).splitlines() == [
        render("problems_found", {"count": 5, "shown": 2}), "  - p0", "  - p1",
        "  " + render("more_problems", {"count": 3})]
    assert err.text().splitlines()[0] == "5 problems found:"
