"""Reproducibility: the same input gives byte-identical allocation.csv and, apart from the
time stamp and timings, an identical summary.json — across runs, input row orders, the
two MIP backends and the two methods where the optimum is unique; summary.json names the
input by its hash."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotaopt.cli import main

ROOT = Path(__file__).resolve().parent.parent
TOML = (ROOT / "scenarios" / "tongxi-county.toml").read_text(encoding="utf-8")
CSV = (ROOT / "scenarios" / "tongxi-county.csv").read_text(encoding="utf-8")
VARIANTS = ["baseline", "old-ratio", "no-bonus", "no-transfer", "county-pool", "budget"]


def copy_scenario(folder: Path, units: str = CSV) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tongxi-county.csv").write_text(units, encoding="utf-8")
    (folder / "tongxi-county.toml").write_text(TOML, encoding="utf-8")
    return folder / "tongxi-county.toml"


def run(scenario: Path, out: Path, *args: str) -> tuple[bytes, dict]:
    res = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "-q", *args])
    assert res.exit_code == 0, res.output
    return (out / "allocation.csv").read_bytes(), json.loads(
        (out / "summary.json").read_text(encoding="utf-8"))


def without(summary: dict, *keys: str) -> dict:
    """The summary without the fields allowed to differ (dotted keys reach into tables)."""
    out = json.loads(json.dumps(summary))
    for key in keys:
        *path, last = key.split(".")
        node = out
        for p in path:
            node = node[p]
        node.pop(last, None)
    return out


TIMES = ("created_at", "solver.seconds")


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_same_run_twice_is_byte_identical(tmp_path, variant):
    scenario = copy_scenario(tmp_path / "in")
    a, sa = run(scenario, tmp_path / "a", "--variant", variant)
    b, sb = run(scenario, tmp_path / "b", "--variant", variant)
    assert a == b
    assert without(sa, *TIMES) == without(sb, *TIMES)


def by_unit(allocation: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(allocation.decode("utf-8"))))
    return [rows[0]] + sorted(rows[1:])


@pytest.mark.parametrize("variant", VARIANTS)
def test_input_row_order_changes_nothing_but_the_row_order(tmp_path, variant):
    lines = CSV.splitlines()
    body = lines[1:]
    random.Random(variant).shuffle(body)
    a, sa = run(copy_scenario(tmp_path / "in"), tmp_path / "a", "--variant", variant)
    b, sb = run(copy_scenario(tmp_path / "shuffled", "\n".join([lines[0], *body]) + "\n"),
                tmp_path / "b", "--variant", variant)
    assert a != b  # the rows come in input order ...
    assert by_unit(a) == by_unit(b)  # ... with the same plan for every unit
    # the SHA-256 of allocation.csv differs with its row order
    assert without(sa, *TIMES, "input_hash", "files") == without(sb, *TIMES, "input_hash", "files")
    assert sa["input_hash"] != sb["input_hash"]  # a different file is a different input


def test_backends_and_methods_agree_byte_for_byte_where_the_optimum_is_unique(tmp_path):
    scenario = copy_scenario(tmp_path / "in")
    res = CliRunner().invoke(main, ["run", str(scenario), "--variant", "old-ratio",
                                    "--check-unique"])
    assert res.exit_code == 0 and "unique: no other optimal plan" in res.output
    runs = {(solver, method): run(scenario, tmp_path / f"{solver}-{method}", "--variant",
                                  "old-ratio", "--solver", solver, "--method", method)
            for solver, method in (("highs", "mip"), ("cbc", "mip"), ("highs", "auto"))}
    files = {allocation for allocation, _ in runs.values()}
    assert len(files) == 1
    summaries = {json.dumps(without(s, "created_at", "solver"), sort_keys=True)
                 for _, s in runs.values()}
    assert len(summaries) == 1


def test_the_summary_names_the_input_by_its_hash(tmp_path):
    scenario = copy_scenario(tmp_path / "in")
    _, summary = run(scenario, tmp_path / "a")
    expected = hashlib.sha256(scenario.read_bytes() + (tmp_path / "in" /
                                                       "tongxi-county.csv").read_bytes())
    assert summary["input_hash"] == "sha256:" + expected.hexdigest()
    changed = copy_scenario(tmp_path / "changed", CSV.replace(",46,", ",47,", 1))
    _, other = run(changed, tmp_path / "b")
    assert other["input_hash"] != summary["input_hash"]
