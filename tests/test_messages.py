"""The message catalogue: every code used in the source is defined, every defined code used,
and a coded problem keeps its code and parameters."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

import quotaopt
from quotaopt.errors import InputError, Problem
from quotaopt.messages import CATALOGUE, render

SRC = Path(__file__).resolve().parent.parent / "src" / "quotaopt"
USE = re.compile(r"""(?:render|Problem\.of|Message\.of)\(\s*["']([a-z_]+)["']""")
#: Functions that take a message code as a positional argument → its position: the readers'
#: collectors (units.py, scenario_policy.py) pass the code on to Problem.of.
CODE_ARGUMENT = {"table_problem": 0, "cell_problem": 3, "add": 1, "post_count": 2}


def used_codes() -> set[str]:
    found = {m.group(1) for p in SRC.rglob("*.py")
             for m in USE.finditer(p.read_text(encoding="utf-8"))}
    for p in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            pos = CODE_ARGUMENT.get(name) if isinstance(name, str) else None
            if pos is not None and len(node.args) > pos:
                arg = node.args[pos]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                        and re.fullmatch(r"[a-z_]+", arg.value):
                    found.add(arg.value)
    return found


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
