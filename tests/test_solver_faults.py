"""A solver that is missing, broken, crashes or runs out of time: exit 4 with a message that
names it and how to pick another; never a plan presented as optimal."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import quotaopt
from quotaopt.backends import RawSolution, Status
from quotaopt.cli import main

ROOT = Path(__file__).resolve().parent.parent
TONGXI = str(ROOT / "scenarios" / "tongxi-county.toml")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("solver, words", [
    ("pulp:NoSuchSolver", "PuLP has no solver class 'NoSuchSolver'"),
    # fuzz case 548: a PuLP class that is not a solver crashed with a TypeError (exit 70)
    ("pulp:LpProblem", "PuLP has no solver class 'LpProblem'"),
    ("pulp:LpVariable", "PuLP has no solver class 'LpVariable'"),
    ("pulp:value", "PuLP has no solver class 'value'"),
    ("gurobi", "unknown solver backend 'gurobi'"),
])
def test_unknown_solver_exits_4_naming_it_and_the_choices(solver, words):
    res = invoke("run", TONGXI, "--variant", "budget", "--method", "mip", "--solver", solver)
    assert res.exit_code == 4, res.output
    assert words in res.output
    assert "highs" in res.output and "cbc" in res.output
    assert "Traceback" not in res.output


def test_pulp_solver_not_available_on_this_machine(monkeypatch):
    import pulp

    monkeypatch.setattr(pulp.GLPK_CMD, "available", lambda self: False)
    res = invoke("run", TONGXI, "--variant", "budget", "--method", "mip",
                 "--solver", "pulp:GLPK_CMD")
    assert res.exit_code == 4
    assert "the PuLP solver GLPK_CMD is not available on this machine" in res.output
    assert "installed ones:" in res.output


def test_highspy_missing_exits_4_and_the_default_falls_back_to_cbc(monkeypatch):
    monkeypatch.setitem(sys.modules, "highspy", None)  # as if not installed
    res = invoke("run", TONGXI, "--solver", "highs")
    assert res.exit_code == 4, res.output
    assert "the highs backend needs highspy (pip install highspy); or choose --solver cbc" \
        in res.output
    res = invoke("run", TONGXI)
    assert res.exit_code == 0, res.output
    assert "solver cbc" in res.output


def test_highspy_installed_but_broken_exits_4(monkeypatch, tmp_path):
    fake = tmp_path / "highspy"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise ImportError('libhighs.so: cannot open shared object file')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "highspy" or m.startswith("highspy.")]:
        monkeypatch.delitem(sys.modules, name)
    res = invoke("run", TONGXI, "--solver", "highs")
    assert res.exit_code == 4, res.output
    assert ("the highs backend cannot load highspy (ImportError: libhighs.so: cannot open "
            "shared object file); reinstall it") in res.output
    assert "--solver cbc" in res.output


def test_highs_crashing_during_the_solve_exits_4(monkeypatch):
    import highspy

    def crash(self):
        raise RuntimeError("HiGHS segfault simulated")

    monkeypatch.setattr(highspy.Highs, "run", crash)
    res = invoke("run", TONGXI, "--variant", "budget", "--method", "mip", "--solver", "highs")
    assert res.exit_code == 4, res.output
    assert "the HiGHS solver failed (RuntimeError: HiGHS segfault simulated)" in res.output
    assert "--solver cbc" in res.output


def test_cbc_crashing_exits_4(monkeypatch):
    import subprocess

    def crash(*args, **kwargs):
        raise OSError("cbc: Exec format error")

    # the program cannot be started (quotaopt writes CBC's file itself, as PuLP would)
    monkeypatch.setattr(subprocess, "Popen", crash)
    res = invoke("run", TONGXI, "--variant", "budget", "--method", "mip", "--solver", "cbc")
    assert res.exit_code == 4, res.output
    assert "the PuLP solver PULP_CBC_CMD failed (OSError: cbc: Exec format error)" in res.output
    assert "--solver highs" in res.output


def _not_proven(self, form, cost, extra_row, time_limit):
    """A backend that ran out of time with a feasible (all-lower-bound) plan in hand."""
    x = np.where(np.isinf(form.col_lower), 0.0, form.col_lower)
    return RawSolution(Status.NOT_PROVEN, x, "HiGHS stopped: Time limit reached")


def test_time_limit_without_proof_is_exit_4_and_never_called_optimal(monkeypatch, tmp_path):
    from quotaopt.backends.highs import HighsBackend

    monkeypatch.setattr(HighsBackend, "solve", _not_proven)
    out = tmp_path / "out"
    res = invoke("run", TONGXI, "--variant", "budget", "--method", "mip", "--solver", "highs",
                 "--time-limit", "1", "--out", str(out))
    assert res.exit_code == 4, res.output
    assert "status: NOT PROVEN optimal (time limit)" in res.output
    assert "NOT proven optimal" in res.output and "raise --time-limit" in res.output
    assert "proven, gap 0" not in res.output
    import json

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "not_proven" and summary["proven_optimal"] is False


def test_time_limit_on_a_hard_budget_scenario_is_not_proven_or_optimal(tmp_path):
    """A real tiny time limit on a budget-coupled 3,000-unit MIP: whatever the machine's
    speed, the run either proves optimality (exit 0) or says it did not (exit 4). (HiGHS
    usually proves this one in time; the monkeypatched tests above force the other branch.)"""
    rng = np.random.default_rng(7)
    n = 3000
    total = rng.integers(5, 80, n)
    junior = total // 2
    inter = total // 4
    rows = ["unit_id,type,total_posts,intermediate_incumbents,junior_incumbents,"
            "senior_waiting,intermediate_waiting,priority"]
    for i in range(n):
        rows.append(f"U{i:05d},{'health_centre' if i % 3 else 'school'},{total[i]},"
                    f"{inter[i]},{junior[i]},{rng.integers(0, inter[i] + 1)},"
                    f"{rng.integers(0, junior[i] + 1)},{rng.choice([1, 1.5, 2, 3])}")
    (tmp_path / "u.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text(textwrap.dedent("""\
        [scenario]
        units = "u.csv"
        [policy]
        junior_to_intermediate = 0.5
        [objective]
        weights = { senior = 7, intermediate = 3 }
        [budget]
        cost = { senior = 130001, intermediate = 100003, junior = 85007 }
        max_increase = 123456789
        """), encoding="utf-8")
    res = invoke("run", str(tmp_path / "s.toml"), "--time-limit", "0.01")
    assert res.exit_code in (0, 4), res.output
    if res.exit_code == 4:
        assert "NOT" in res.output or "no plan found" in res.output
        assert "proven, gap 0" not in res.output
    else:
        assert "optimal (proven, gap 0)" in res.output


def test_no_plan_in_the_time_limit_is_exit_4_naming_the_solver(monkeypatch):
    from quotaopt.backends.highs import HighsBackend

    monkeypatch.setattr(HighsBackend, "solve", lambda *a: RawSolution(
        Status.NO_SOLUTION, None, "HiGHS stopped: Time limit reached"))
    res = invoke("run", TONGXI, "--variant", "budget", "--method", "mip", "--solver", "highs")
    assert res.exit_code == 4
    assert "no plan found: HiGHS stopped: Time limit reached" in res.output
    assert "--solver" in res.output


def test_library_gives_the_status_not_an_optimal_result(monkeypatch):
    from quotaopt.backends.highs import HighsBackend

    monkeypatch.setattr(HighsBackend, "solve", _not_proven)
    sc = quotaopt.load_scenario(TONGXI)
    res = quotaopt.solve(sc, "budget", backend="highs", method="mip")
    assert res.status is Status.NOT_PROVEN and not res.proven_optimal
    assert res.summary["proven_optimal"] is False
