"""Hostile and broken input: each crash the fuzzer (tests/fuzz.py) found, as a regression
test — exit 2/3/4 with a message naming what to change, never exit 70 or a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from quotaopt.audit import _whole
from quotaopt.cli import main

ROOT = Path(__file__).resolve().parent.parent
TONGXI_CSV = (ROOT / "scenarios" / "tongxi-county.csv").read_text(encoding="utf-8")


def invoke(*args: str):
    res = CliRunner().invoke(main, list(args))
    assert "Traceback" not in res.output
    assert res.exit_code != 70, res.output
    return res


def scenario(tmp_path: Path, policy: str = "", units: str = TONGXI_CSV,
             name: str = "u.csv") -> str:
    (tmp_path / name).write_text(units, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nunits = "{name}"\n' + textwrap.dedent(policy),
                    encoding="utf-8")
    return str(path)


def with_column(header: str, value: str, text: str = TONGXI_CSV) -> str:
    lines = text.splitlines()
    return "\n".join([lines[0] + "," + header] + [ln + "," + value for ln in lines[1:]]) + "\n"


# fuzz cases 575, 800, 1195, 1513, 2056, 2065 (seed 0): a control character in a text cell
# made openpyxl raise IllegalCharacterError while writing results.xlsx / comparison.xlsx
@pytest.mark.parametrize("value", ["a\x01b", "\x00", "\x1b[31m", "x\x07"])
def test_control_characters_in_text_cells_are_written_to_xlsx(tmp_path, value):
    units = with_column("note", value)
    units = units.replace("石桥镇卫生院", "石桥镇" + value + "卫生院", 1)
    path = scenario(tmp_path, units=units)
    res = invoke("run", path, "--out", str(tmp_path / "out"), "--format", "xlsx")
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx")
    names = [r[1] for r in wb["allocation"].iter_rows(min_row=2, values_only=True)]
    assert "石桥镇\ufffd卫生院" in names or "石桥镇\ufffd\ufffd卫生院" in names or any(
        "\ufffd" in n for n in names)
    res = invoke("compare", path, "--out", str(tmp_path / "cmp"), "--format", "xlsx",
                 "--variants", "baseline")
    assert res.exit_code == 0, res.output


# fuzz case 411: a plan cell 1e308 overflowed int64 in audit (OverflowError, exit 70)
@pytest.mark.parametrize("cell, words", [
    ("1e308", "is beyond the limit of 1,000,000,000"),
    ("1e999999999", "is beyond the limit of 1,000,000,000"),
    ("99999999999999999999", "is beyond the limit of 1,000,000,000"),
    ("-1e12", "is beyond the limit of 1,000,000,000"),
    ("1e-999999999", "is not a whole number"),
    ("inf", "is not a whole number"),
])
def test_audit_plan_numbers_beyond_the_limit_are_input_errors(tmp_path, cell, words):
    assert words in _whole(cell)
    from quotaopt import load_scenario, solve

    path = scenario(tmp_path)
    plan = solve(load_scenario(path)).allocation.astype({"posts_junior": object})
    plan.loc[3, "posts_junior"] = cell
    plan.to_csv(tmp_path / "plan.csv", index=False)
    res = invoke("audit", path, "--plan", str(tmp_path / "plan.csv"))
    assert res.exit_code == 2, res.output
    assert "row 5" in res.output and "column posts_junior" in res.output
    assert words in res.output
