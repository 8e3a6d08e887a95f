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


# ----------------------------------------------------------------------------------------
# limits of a units table: rows, columns, cell length, file size, zip bombs


def test_more_rows_than_the_limit_is_an_input_error(tmp_path, monkeypatch):
    from quotaopt import table, units

    monkeypatch.setattr(table, "MAX_ROWS", 50)  # the limits live with the table reader
    path = scenario(tmp_path)  # 96 units
    res = invoke("validate", path)
    assert res.exit_code == 2
    assert "more than 50 rows below the header, the limit; split it" in res.output
    # the same for a workbook and for a DataFrame built in code
    import pandas as pd

    df = pd.read_csv(tmp_path / "u.csv", dtype=str)
    df.to_excel(tmp_path / "u.xlsx", index=False)
    with pytest.raises(units.InputError, match="more than 50 rows"):
        units.read_units(tmp_path / "u.xlsx")
    with pytest.raises(units.InputError, match="more than 50 rows"):
        units.normalize_units(df)


def test_more_columns_than_the_limit_is_an_input_error(tmp_path):
    text = TONGXI_CSV
    for k in range(195):
        text = with_column(f"note{k}", "x", text)
    res = invoke("validate", scenario(tmp_path, units=text))
    assert res.exit_code == 2
    assert "the table has 205 columns, more than the limit of 200" in res.output


def test_empty_columns_at_the_right_do_not_count(tmp_path):
    lines = TONGXI_CSV.splitlines()
    text = "\n".join(line + "," * 5000 for line in lines) + "\n"
    res = invoke("validate", scenario(tmp_path, units=text))
    assert res.exit_code == 0, res.output
    # a workbook whose formatting reaches column XFD, values only in the first 10 columns
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, line in enumerate(lines, 1):
        for c, v in enumerate(line.split(","), 1):
            ws.cell(r, c, v)
        ws.cell(r, 16000).number_format = "0.00"
        ws.cell(r, 16000, "")
    wb.save(tmp_path / "wide.xlsx")
    from quotaopt.units import read_units

    assert len(read_units(tmp_path / "wide.xlsx")) == 96
    ws.cell(5, 300, "x")
    wb.save(tmp_path / "wide.xlsx")
    with pytest.raises(Exception, match="row 5 has a value in column KN, beyond the limit of "
                                        "200 columns"):
        read_units(tmp_path / "wide.xlsx")


def test_a_line_of_a_million_commas_is_refused_before_parsing(tmp_path):
    text = TONGXI_CSV + "x" + "," * 1_000_000 + "\n"
    res = invoke("validate", scenario(tmp_path, units=text))
    assert res.exit_code == 2
    assert "line 98 is 1,000,001 bytes long" in res.output


def test_cells_longer_than_the_limit_are_input_errors(tmp_path):
    units = TONGXI_CSV.replace("石桥镇卫生院", "长" * 1001, 1)
    units = with_column("备注", "x" * 1200, units)
    res = invoke("validate", scenario(tmp_path, units=units))
    assert res.exit_code == 2
    assert ("u.csv, row 2, unit TX011, column 单位名称: the cell has 1,001 characters, more than "
            "the limit of 1,000; shorten it") in res.output
    assert "row 3, unit TX012, column 备注: the cell has 1,200 characters" in res.output
    res = invoke("validate", scenario(tmp_path, units=TONGXI_CSV.replace(
        "石桥镇卫生院", "长" * 1000, 1)))
    assert res.exit_code == 0, res.output


def test_files_larger_than_the_limit_are_refused_before_reading(tmp_path, monkeypatch):
    from quotaopt import table

    monkeypatch.setattr(table, "MAX_FILE_BYTES", 1000)  # the limits live with the reader
    res = invoke("validate", scenario(tmp_path))
    assert res.exit_code == 2
    assert "u.csv: the file is 0 MiB, more than the limit of 0 MiB" in res.output or \
        "more than the limit" in res.output


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null", "."])
def test_devices_and_folders_as_units_file_are_refused(tmp_path, target):
    path = tmp_path / "s.toml"
    path.write_text(f'[scenario]\nunits = "{target}"\n', encoding="utf-8")
    res = invoke("validate", str(path))
    assert res.exit_code == 2
    assert ("is not a regular file (a device or a pipe)" in res.output
            or "is a folder, not a file" in res.output)


def test_a_fifo_as_units_file_does_not_block(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nunits = "pipe.csv"\n', encoding="utf-8")
    res = invoke("validate", str(path))
    assert res.exit_code == 2 and "is not a regular file" in res.output


def test_scenario_file_that_is_a_device_or_too_large(tmp_path, monkeypatch):
    res = invoke("validate", "/dev/zero")
    assert res.exit_code == 2 and "is not a regular file" in res.output
    from quotaopt import scenario as scenario_module

    monkeypatch.setattr(scenario_module, "MAX_SCENARIO_BYTES", 10)
    res = invoke("validate", scenario(tmp_path))
    assert res.exit_code == 2 and "more than the limit" in res.output


def _patch_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the declared uncompressed size of member ``name`` in both zip headers."""
    import struct

    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:  # local headers
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if out[pos + 30:pos + 30 + n] == name:
            struct.pack_into("<I", out, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:  # central directory
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46:pos + 46 + n] == name:
            struct.pack_into("<I", out, pos + 24, size)
        pos += 4
    return bytes(out)


def _workbook_bytes() -> bytes:
    import io

    wb = openpyxl.Workbook()
    for line in TONGXI_CSV.splitlines():
        wb.active.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = _patch_sizes(_workbook_bytes(), b"xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    (tmp_path / "u.xlsx").write_bytes(bomb)
    path = scenario(tmp_path, units=TONGXI_CSV)  # replaced below
    (tmp_path / "s.toml").write_text('[scenario]\nunits = "u.xlsx"\n', encoding="utf-8")
    res = invoke("validate", path)
    assert res.exit_code == 2
    assert "the workbook would unpack to 4,096 MiB" in res.output
    assert "more than the limit of 512 MiB" in res.output


def test_a_zip_that_understates_its_size_cannot_unpack_more(tmp_path):
    liar = _patch_sizes(_workbook_bytes(), b"xl/worksheets/sheet1.xml", 100)
    (tmp_path / "u.xlsx").write_bytes(liar)
    (tmp_path / "s.toml").write_text('[scenario]\nunits = "u.xlsx"\n', encoding="utf-8")
    res = invoke("validate", str(tmp_path / "s.toml"))
    assert res.exit_code == 2
    assert "cannot read" in res.output and "XLSX" in res.output or "sheet" in res.output


def test_a_real_deflate_bomb_is_refused_without_unpacking(tmp_path):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(600):  # 600 MiB of zeros: about 600 KiB compressed
                member.write(block)
    assert len(buf.getvalue()) < 2 * 2**20
    (tmp_path / "u.xlsx").write_bytes(buf.getvalue())
    (tmp_path / "s.toml").write_text('[scenario]\nunits = "u.xlsx"\n', encoding="utf-8")
    res = invoke("validate", str(tmp_path / "s.toml"))
    assert res.exit_code == 2
    assert "the workbook would unpack to 600 MiB" in res.output


# ----------------------------------------------------------------------------------------
# messages: warnings for near-miss headers, the first 50 problems, real row numbers


def test_a_misspelt_optional_header_holding_numbers_is_an_error(tmp_path):
    units = TONGXI_CSV.replace("现聘高级", "senior_incumbent", 1)
    path = scenario(tmp_path, units=units)
    expected = ("u.csv, row 1, column senior_incumbent: column 'senior_incumbent' (F) holds "
                "numbers but is not a known column, while the table has no "
                "senior_incumbents, priority column")
    for args in (["validate", path], ["run", path]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, res.output
        assert expected in res.output and "did you mean senior_incumbents?" in res.output


def test_a_misspelt_optional_header_of_text_is_a_warning(tmp_path):
    units = TONGXI_CSV.replace("现聘高级", "senior_incumbent", 1)
    lines = units.splitlines()
    lines = [lines[0]] + [",".join(c if i != 5 else "x" for i, c in enumerate(line.split(",")))
                          for line in lines[1:]]
    path = scenario(tmp_path, units="\n".join(lines) + "\n")
    from quotaopt import load_scenario
    from quotaopt.units import table_warnings

    sc = load_scenario(path)
    assert [w.column for w in sc.warnings] == ["senior_incumbent"]
    assert [w.column for w in table_warnings(sc.units)] == ["senior_incumbent"]
    assert "senior_incumbent" in sc.units.columns


def test_known_headers_and_unrelated_extra_columns_give_no_warning(tmp_path):
    units = with_column("备注", "ok", TONGXI_CSV)
    res = CliRunner().invoke(main, ["validate", scenario(tmp_path, units=units)])
    assert res.exit_code == 0 and "warning" not in res.stderr


def test_the_cli_shows_the_first_50_problems_and_counts_the_rest(tmp_path):
    lines = TONGXI_CSV.splitlines()
    bad = [lines[0]] + [line.replace(",", ",-", 5) for line in lines[1:]]
    bad_text = "\n".join(bad) + "\n"
    res = invoke("validate", scenario(tmp_path, units=bad_text))
    assert res.exit_code == 2
    from quotaopt import InputError, load_scenario

    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "s.toml")
    total = len(info.value.problems)
    assert total > 50
    assert f"error: {total} problems found (the first 50 shown):" in res.output
    assert f"  … and {total - 50} more" in res.output
    assert res.output.count("\n  - ") == 50
    assert str(info.value).count("\n  - ") == total  # the library keeps them all


def test_problem_rows_count_blank_rows_in_units_and_plan_files(tmp_path):
    lines = TONGXI_CSV.splitlines()
    units = "\n".join([lines[0], "", lines[1], ",,,", "", lines[2].replace(",53,", ",x,", 1)]
                      + lines[3:]) + "\n"
    res = invoke("validate", scenario(tmp_path, units=units))
    assert res.exit_code == 2
    assert "u.csv, row 6, unit TX012" in res.output  # the 6th line of the file

    from quotaopt import load_scenario, solve
    from quotaopt.units import read_units, source_rows

    path = scenario(tmp_path)
    plan = solve(load_scenario(path)).allocation.astype({"posts_senior": object})
    plan.loc[4, "posts_senior"] = "many"
    text = plan.to_csv(index=False).splitlines()
    text = [text[0], "", ""] + text[1:3] + [""] + text[3:]
    (tmp_path / "plan.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    assert source_rows(read_units(tmp_path / "plan.csv"))[:6].tolist() == [4, 5, 7, 8, 9, 10]
    res = invoke("audit", path, "--plan", str(tmp_path / "plan.csv"))
    assert res.exit_code == 2
    assert "plan.csv, row 9, unit TX021, column posts_senior" in res.output


# ----------------------------------------------------------------------------------------
# a bug is exit 70 with one line; the traceback only under --debug


def test_an_internal_error_is_one_line_exit_70_traceback_only_with_debug(monkeypatch):
    import quotaopt.cli as cli

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "solve", broken)
    tongxi = str(ROOT / "scenarios" / "tongxi-county.toml")
    res = CliRunner().invoke(main, ["run", tongxi])
    assert res.exit_code == 70
    assert res.stderr.strip().splitlines() == [
        f"internal error: RuntimeError: boom second line — this is a bug in quotaopt "
        f"{cli.__version__}; please report it with the input files (run with --debug for the "
        "traceback)"]
    assert "Traceback" not in res.output
    res = CliRunner().invoke(main, ["--debug", "run", tongxi])
    assert res.exit_code == 70
    assert "Traceback (most recent call last)" in res.stderr
    assert "RuntimeError: boom" in res.stderr


# ----------------------------------------------------------------------------------------
# --out: checked before solving


def _no_solving(monkeypatch):
    import quotaopt.cli as cli

    def fail(*args, **kwargs):
        raise AssertionError("solve must not be called")

    monkeypatch.setattr(cli, "solve", fail)
    monkeypatch.setattr(cli, "compare_variants", fail)
    monkeypatch.setattr(cli, "audit", fail)


def test_an_out_folder_that_cannot_be_made_is_exit_2_before_solving(tmp_path, monkeypatch):
    _no_solving(monkeypatch)
    tongxi = str(ROOT / "scenarios" / "tongxi-county.toml")
    (tmp_path / "file").write_text("x")
    for out in (tmp_path / "file", tmp_path / "file" / "out", tmp_path / "file" / "a" / "b"):
        for cmd in (["run", tongxi], ["compare", tongxi, "--format", "csv"],
                    ["audit", tongxi, "--plan", str(tmp_path / "file")]):
            res = invoke(*cmd, "--out", str(out))
            assert res.exit_code == 2, (cmd, out, res.output)
            assert str(out) in res.output
            assert "choose another --out" in res.output or "is a file" in res.output
    assert (tmp_path / "file").read_text() == "x"


def test_a_read_only_out_folder_is_exit_2_before_solving(tmp_path, monkeypatch):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the 'not a folder' case covers it")
    _no_solving(monkeypatch)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        res = invoke("run", str(ROOT / "scenarios" / "tongxi-county.toml"), "--out", str(ro))
        assert res.exit_code == 2 and "cannot write results there" in res.output
    finally:
        ro.chmod(0o700)


def test_an_out_folder_with_other_files_keeps_them(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "allocation.csv").write_text("old")
    res = invoke("run", str(ROOT / "scenarios" / "tongxi-county.toml"), "--out", str(out))
    assert res.exit_code == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "notes.txt",
                                                     "summary.json"]
    assert (out / "allocation.csv").read_text(encoding="utf-8").startswith("unit_id,")


# fuzz case 6243 (seed 1): a minimum rule of 10^9 junior posts asks every unit for all its
# posts; the diagnosis searched total_posts up to 10^9 and lowered the rule 1,000 times per
# unit — no answer within 120 s. Now a bounded search: the infeasibility in well under that.
def test_a_huge_minimum_rule_is_diagnosed_without_endless_searching(tmp_path):
    from importlib import resources

    units = resources.files("quotaopt").joinpath("templates", "units.csv").read_text("utf-8")
    path = scenario(tmp_path, "[[policy.minimum]]\nlevel = 'junior'\nposts = 1000000000\n",
                    units=units)
    res = invoke("run", path)
    assert res.exit_code == 3, res.output
    assert "minimum rules need 0 senior + 0 intermediate + 72 junior posts" in res.output
    assert "set policy.minimum[1].when_total_at_least to 73" in res.output


def test_input_errors_survive_pickling_with_all_their_problems():
    """compare --jobs solves variants in other processes: their errors come back pickled."""
    import pickle

    from quotaopt.errors import InputError, Problem

    exc = InputError([Problem("bad", file="u.csv", row=3, column="total_posts", unit="A"),
                      "second"])
    back = pickle.loads(pickle.dumps(exc))
    assert back.problems == exc.problems and str(back) == str(exc)
    assert back.text(1) == ("2 problems found (the first 1 shown):\n"
                            "  - u.csv, row 3, unit A, column total_posts: bad\n  … and 1 more")
