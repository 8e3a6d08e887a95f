"""The command line: exact exit codes and the key lines of output."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from quotaopt.cli import main

ROOT = Path(__file__).resolve().parent.parent
TONGXI = str(ROOT / "scenarios" / "tongxi-county.toml")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def small(tmp_path: Path, policy: str = "", units: str | None = None) -> str:
    (tmp_path / "u.csv").write_text(units or textwrap.dedent("""\
        单位编码,单位名称,单位类型,岗位总量,现聘高级,现聘中级,现聘初级,高级待聘,中级待聘
        H1,石桥镇卫生院,health_centre,20,1,8,10,3,4
        S1,石桥镇中心学校,school,30,2,10,15,1,6
        """), encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(textwrap.dedent("""\
        [scenario]
        name = "small"
        units = "u.csv"
        [policy]
        junior_to_intermediate = 1.0
        [policy.types.health_centre]
        senior_bonus = 0.05
        """) + textwrap.dedent(policy), encoding="utf-8")
    return str(path)


def test_validate_prints_the_effective_policy(tmp_path):
    r = invoke("validate", small(tmp_path))
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].endswith("s.toml: OK — scenario 'small', variants: baseline")
    assert "[baseline] units 2 · pools 1 · types 2 · total posts 50" in r.output
    assert ("ratio 1:4:5 · scope unit · rounding floor · junior_to_intermediate 1 · "
            "incumbents protect") in r.output
    row = next(line for line in lines if line.strip().startswith("health_centre"))
    assert row.split() == ["health_centre", "1", "20", "3/20", "(15", "%)", "2/5", "(40",
                           "%)", "9/20", "(45", "%)", "1", "(100", "%)"]
    # caps: floor(20 × 15 %) + floor(30 × 10 %) = 3 + 3; s+m = 20 + 30
    assert "caps (summed over units): senior 6 · senior+intermediate 50" in r.output


def test_validate_reports_every_problem_and_exits_2(tmp_path):
    path = small(tmp_path, "[solver]\nbackend = 'gurobi'\n", units=(
        "unit_id,type,total_posts,senior_incumbents\nA,school,10,20\nA,school,x,0\n"))
    r = invoke("validate", path)
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert "problems found" in r.output
    assert "4 problems found" in r.output
    assert "u.csv, row 2, unit A, column total_posts: the incumbents" in r.output
    assert "u.csv, row 3, unit A, column unit_id: unit_id 'A' is on rows 2 and 3" in r.output
    assert "u.csv, row 3, unit A, column total_posts: total_posts must be a whole" in r.output
    assert "s.toml, key solver.backend: 'gurobi' is not highs" in r.output


def test_run_prints_and_writes(tmp_path):
    out = tmp_path / "out"
    r = invoke("run", small(tmp_path), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "status: optimal (proven, gap 0)" in r.output
    assert "objective: weighted appointments" in r.output
    alloc = pd.read_csv(out / "allocation.csv")
    assert list(alloc["unit_id"]) == ["H1", "S1"]
    assert list(alloc.columns[:21]) == [
        "unit_id", "name", "type", "pool", "total_posts", "cap_senior",
        "cap_senior_intermediate", "posts_senior", "posts_intermediate", "posts_junior",
        "senior_incumbents", "intermediate_incumbents", "junior_incumbents",
        "appointed_senior", "appointed_intermediate", "waiting_left_senior",
        "waiting_left_intermediate", "vacant_senior", "vacant_intermediate", "vacant_junior",
        "over_ratio"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["variant"] == "baseline"
    assert summary["input_hash"].startswith("sha256:")


@pytest.mark.parametrize("fmt, files", [("xlsx", ["plan.html", "results.xlsx"]),
                                        ("json", ["allocation.json", "summary.json"])])
def test_run_formats(tmp_path, fmt, files):
    out = tmp_path / "out"
    r = invoke("run", small(tmp_path), "--out", str(out), "--format", fmt, "--quiet")
    assert r.exit_code == 0 and r.output == ""
    assert sorted(p.name for p in out.iterdir()) == files
    if fmt == "xlsx":
        sheets = pd.read_excel(out / "results.xlsx", sheet_name=None, engine="openpyxl")
        assert set(sheets) == {"plan table", "allocation", "summary", "policy"}
        assert list(sheets["allocation"]["unit_id"]) == ["H1", "S1"]


def test_run_without_out_writes_nothing(tmp_path):
    r = invoke("run", small(tmp_path))
    assert r.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml", "u.csv"]


def test_run_infeasible_exits_3_and_names_the_unit(tmp_path):
    units = "unit_id,type,total_posts,senior_incumbents\nX,school,10,2\nH,health_centre,9,0\n"
    r = invoke("run", small(tmp_path, units=units), "--out", str(tmp_path / "o"))
    assert r.exit_code == 3
    assert "infeasible" in r.output and "unit X" in r.output
    assert not (tmp_path / "o" / "allocation.csv").exists()


def test_run_unknown_variant_exits_2(tmp_path):
    r = invoke("run", small(tmp_path), "--variant", "nope")
    assert r.exit_code == 2 and "no variant named 'nope'" in r.output


def test_run_unknown_solver_exits_4(tmp_path):
    r = invoke("run", small(tmp_path), "--solver", "pulp:NoSuchSolver")
    assert r.exit_code == 4 and "NoSuchSolver" in r.output


@pytest.mark.parametrize("backend", ["highs", "cbc"])
def test_run_each_backend(tmp_path, backend):
    r = invoke("run", small(tmp_path), "--solver", backend, "--method", "mip")
    assert r.exit_code == 0 and f"solver {backend}" in r.output


def test_missing_scenario_exits_2():
    r = invoke("run", "does-not-exist.toml")
    assert r.exit_code == 2 and "file not found" in r.output


def test_init_writes_a_valid_example_and_refuses_to_overwrite(tmp_path):
    r = invoke("init", str(tmp_path / "ex"))
    assert r.exit_code == 0
    assert invoke("validate", str(tmp_path / "ex" / "scenario.toml")).exit_code == 0
    again = invoke("init", str(tmp_path / "ex"))
    assert again.exit_code == 2 and "will not overwrite" in again.output
    assert invoke("init", str(tmp_path / "ex"), "--force").exit_code == 0


def test_shipped_scenario_runs_every_variant():
    for variant in ("baseline", "old-ratio", "no-bonus", "no-transfer", "county-pool",
                    "budget"):
        r = invoke("run", TONGXI, "--variant", variant)
        assert r.exit_code == 0, (variant, r.output)


def test_status_exit_codes_are_mapped_in_one_place() -> None:
    """Every solve status has its exit code in cli_exit; a set of statuses (compare) exits 0
    only when all are optimal, else 3 if any is infeasible, else 4."""
    from quotaopt.backends import Status
    from quotaopt.cli import STATUS_EXIT, status_exit_code

    assert set(STATUS_EXIT) == set(Status)
    assert status_exit_code() == 0
    assert status_exit_code(Status.OPTIMAL, Status.OPTIMAL) == 0
    assert status_exit_code(Status.OPTIMAL, Status.NOT_PROVEN) == 4
    assert status_exit_code(Status.NO_SOLUTION) == 4
    assert status_exit_code(Status.NOT_PROVEN, Status.INFEASIBLE, Status.OPTIMAL) == 3


def test_no_exit_code_is_chosen_outside_the_cli() -> None:
    """Only the CLI modules end the process with a code (``sys.exit``/``ctx.exit``), and
    they take it from a name, never a bare number (the numbers live in cli_exit)."""
    import ast

    src = ROOT / "src" / "quotaopt"
    bad = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "exit"):
                continue
            where = f"{path.relative_to(src)}:{node.lineno}"
            if not path.name.startswith("cli"):
                bad.append(f"{where}: exits outside the CLI")
            elif node.args and isinstance(node.args[0], ast.Constant):
                bad.append(f"{where}: exit code {node.args[0].value!r} written as a number")
    assert not bad, "\n".join(bad)
