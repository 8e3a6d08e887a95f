"""Faults around a run (issue 15): full disks, folders in the way, two runs at once, hostile
text on the terminal, closed pipes, Ctrl-C, results over their own input, the time limit of
the whole run, sheet names, deeply nested TOML — each a clear message and a documented exit
code, nothing half-written, never exit 70."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import quotaopt
from quotaopt import output
from quotaopt.cli import main, terminal_text
from quotaopt.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
TONGXI = ROOT / "scenarios" / "tongxi-county.toml"
TONGXI_CSV = (ROOT / "scenarios" / "tongxi-county.csv").read_text(encoding="utf-8")


def invoke(*args: str):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in res.output
    assert res.exit_code != 70, res.output
    return res


def scenario(folder: Path, extra: str = "", units: str = TONGXI_CSV,
             name: str = "u.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(units, encoding="utf-8")
    path = folder / "s.toml"
    path.write_text(f'[scenario]\nunits = "{name}"\n' + textwrap.dedent(extra),
                    encoding="utf-8")
    return path


def files(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, hidden ones included, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ----------------------------------------------------------------------------------------
# 1. failures of the environment: exit 2 with path and reason, the set as it was


@pytest.fixture
def old_results(tmp_path):
    out = tmp_path / "out"
    assert invoke("run", TONGXI, "--variant", "old-ratio", "--out", out, "-q").exit_code == 0
    return out, files(out)


def test_a_full_disk_while_writing_is_exit_2_and_changes_no_file(old_results, monkeypatch):
    out, before = old_results
    real = output._write_temporary

    def full_disk_on_the_summary(target, write):
        if target.name == "summary.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(target, write)

    monkeypatch.setattr(output, "_write_temporary", full_disk_on_the_summary)
    res = invoke("run", TONGXI, "--out", out)
    assert res.exit_code == 2, res.output
    assert f"{out / 'summary.json'}: cannot write the results (No space left on device)" \
        in res.output
    assert "no result file was changed" in res.output
    assert files(out) == before  # no temporary left, no file changed


def test_a_failed_rename_puts_back_the_files_already_renamed(old_results, monkeypatch):
    out, before = old_results
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith("summary.json") and str(src).endswith(".tmp"):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    res = invoke("run", TONGXI, "--out", out)
    assert res.exit_code == 2, res.output
    assert "summary.json: cannot write the results (Permission denied)" in res.output
    assert files(out) == before  # allocation.csv was renamed, then put back


@pytest.mark.parametrize("in_the_way", ["summary.json", "allocation.csv"])
def test_a_folder_in_the_way_is_exit_2_before_solving(old_results, monkeypatch, in_the_way):
    import quotaopt.cli as cli

    out, before = old_results
    (out / in_the_way).unlink()
    (out / in_the_way).mkdir()
    monkeypatch.setattr(cli, "solve", lambda *a, **k: pytest.fail("solved"))
    res = invoke("run", TONGXI, "--out", out)
    assert res.exit_code == 2, res.output
    assert f"{out / in_the_way}: is in the way" in res.output
    assert {k: v for k, v in files(out).items()} == {
        k: v for k, v in before.items() if k != in_the_way}


def test_an_environment_error_anywhere_is_exit_2_with_path_and_reason(monkeypatch):
    import quotaopt.cli as cli

    def vanished(*args, **kwargs):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "/data/u.csv")

    monkeypatch.setattr(cli, "solve", vanished)
    res = invoke("run", TONGXI)
    assert res.exit_code == 2
    assert res.stderr.strip() == ("error: /data/u.csv: No such file or directory; check the "
                                  "path, the free space and the permissions")


# ----------------------------------------------------------------------------------------
# 2. two runs at once into one folder


def _pair_belongs_together(out: Path) -> str:
    summary = json.loads((out / "summary.json").read_bytes())
    allocation = (out / "allocation.csv").read_bytes()
    assert summary["files"]["allocation.csv"] == {
        "sha256": hashlib.sha256(allocation).hexdigest(), "bytes": len(allocation)}
    return summary["variant"]


def test_concurrent_runs_into_one_folder_leave_a_pair_that_belongs_together(tmp_path):
    out = tmp_path / "out"
    seen = set()
    for _ in range(1):  # three at once (the lock itself: the next test)
        procs = [subprocess.Popen(
            [sys.executable, "-m", "quotaopt", "run", str(TONGXI), "--variant", v, "--out",
             str(out), "-q"], stderr=subprocess.PIPE) for v in ("baseline", "old-ratio",
                                                                   "budget")]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        seen.add(_pair_belongs_together(out))
        assert sorted(p.name for p in out.iterdir()) == ["allocation.csv", "summary.json"]
    assert seen <= {"baseline", "old-ratio", "budget"}


def test_a_second_writer_waits_for_the_lock_then_gives_up_with_exit_2(tmp_path):
    target = tmp_path / "allocation.csv"
    with output.folder_lock(tmp_path):
        assert (tmp_path / output.LOCK_NAME).exists()
        with pytest.raises(InputError, match="another quotaopt run is writing its results "
                                             r"into this folder \(waited 0.2 s\)"):
            with output.folder_lock(tmp_path, wait=0.2):
                pass
        assert not target.exists()
    output.atomic_write(target, lambda fh: fh.write(b"x"))  # free again
    assert sorted(p.name for p in tmp_path.iterdir()) == ["allocation.csv"]  # lock removed


def test_audit_says_whether_a_plan_belongs_to_the_summary_beside_it(old_results):
    out, _ = old_results
    res = invoke("audit", TONGXI, "--variant", "old-ratio", "--plan", out / "allocation.csv")
    assert res.exit_code == 0, res.output
    assert f"{out / 'allocation.csv'} is the file {out / 'summary.json'} describes" \
        in res.stdout
    text = (out / "allocation.csv").read_text(encoding="utf-8")
    (out / "allocation.csv").write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    res = invoke("audit", TONGXI, "--variant", "old-ratio", "--plan", out / "allocation.csv")
    assert f"warning: {out / 'allocation.csv'} is NOT the file {out / 'summary.json'} " \
           "describes" in res.stderr
    assert "the two come from different runs" in res.stderr


# ----------------------------------------------------------------------------------------
# 3. text from input files reaches the terminal inert

HOSTILE = ("\x1b[2J", "\x1b]0;fake title\x07", "\x9b31m", "\u202e", "\r")


def test_terminal_text_shows_control_characters_as_escapes():
    assert terminal_text("a\x1b[2Jb\x07\x00\x7f\x9b\u202e\r\tc\nd") == \
        "a\\x1b[2Jb\\x07\\x00\\x7f\\x9b\\u202e\\x0d\\x09c\nd"
    assert terminal_text("石桥镇卫生院 ✓") == "石桥镇卫生院 ✓"


def _raw_control(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
            or c == "\u202e"]


def test_every_command_prints_hostile_unit_text_inert(tmp_path):
    lines = TONGXI_CSV.splitlines()
    first = lines[1].split(",")  # 单位编码 (unit_id), 单位名称 (name), …
    first[0] = "TX\x1b[2J001"
    first[1] = "石桥镇\x1b]0;fake title\x07卫生院\u202e"
    lines[1] = ",".join(first)
    path = scenario(tmp_path, "[variants.\"v\\u001b[31m\"]\npolicy.ratio = '1:5:4'\n",
                    units="\n".join(lines) + "\n")
    plan = tmp_path / "out" / "allocation.csv"
    runs = [("validate", path), ("run", path, "--out", tmp_path / "out"),
            ("compare", path),
            ("explain", path, "--unit", "TX\x1b[2J001"),
            ("audit", path, "--plan", plan),
            ("explain", path, "--unit", "NO\x1b[2JSUCH"),  # an error message
            ("run", path, "--variant", "x\x1b]0;t\x07")]
    for args in runs:
        res = invoke(*args)
        assert res.exit_code in (0, 2), (args, res.output)
        assert _raw_control(res.stdout + res.stderr) == [], (args, res.output)
    assert "\\x1b[2J" in invoke("explain", path, "--unit", "TX\x1b[2J001").stdout
    bad = lines[:]
    cells = bad[2].split(",")
    cells[4] = "\x1b[2J12"  # 岗位总量 (total_posts)
    bad[2] = ",".join(cells)
    res = invoke("validate", scenario(tmp_path / "bad", units="\n".join(bad) + "\n"))
    assert res.exit_code == 2 and "\\x1b[2J12" in res.stderr and not _raw_control(res.stderr)


# ----------------------------------------------------------------------------------------
# 4. closed pipes and Ctrl-C, as a terminal user meets them (subprocesses)

QUOTAOPT = [sys.executable, "-m", "quotaopt"]


def test_a_closed_stdout_ends_quietly_and_the_results_are_still_written(tmp_path):
    # `quotaopt compare … | head -1`: the reader goes away after the first line
    out = tmp_path / "out"
    proc = subprocess.Popen([*QUOTAOPT, "compare", str(TONGXI), "--variants", "old-ratio",
                             "--out", str(out), "--format", "csv,html"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""
    assert (out / "report.html").exists() and (out / "kpi.csv").exists()
    # `quotaopt run … | head -0`: closed before the first line
    proc = subprocess.Popen([*QUOTAOPT, "run", str(TONGXI)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and err.decode() == ""


def _interrupt_after(command: list[str], delay: float) -> tuple[int, str]:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode()


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path):
    script = Path(sys.executable).parent / "quotaopt"
    commands = [QUOTAOPT] + ([[str(script)]] if script.exists() else [])
    hits = []
    for command in commands:
        # during the imports (the first half second), while reading, solving and writing
        # (the first few hundredths of a second are Python's own start, before any quotaopt
        # code runs; see docs/reliability.md)
        for delay in (0.15, 0.3, 0.7, 1.2):
            code, err = _interrupt_after([*command, "run", str(TONGXI), "--variant", "budget",
                                          "--out", str(tmp_path / "out")], delay)
            if "Traceback" in err:  # only if Python itself was still starting (a loaded
                assert "src/quotaopt/" not in err, (delay, err)  # machine): documented
                continue
            assert "internal error" not in err, (delay, err)
            if code == 0:  # finished before the signal came
                continue
            if code == -signal.SIGINT:  # in Python's last step (finalisation): the shell
                assert err == ""        # shows 130, as for any program Ctrl-C ends
                continue
            assert code == 130, (delay, err)
            assert len(err.splitlines()) == 1 and err.startswith("interrupted"), (delay, err)
            hits.append(delay)
    assert len(hits) >= 2 and min(hits) <= 0.3, hits  # the early moments hit
    out = tmp_path / "out"
    if out.exists():  # any results there are a whole pair
        assert sorted(p.name for p in out.iterdir()) in ([], ["allocation.csv",
                                                              "summary.json"])


def test_debug_is_accepted_after_the_command_name(monkeypatch):
    import quotaopt.cli as cli

    monkeypatch.setattr(cli, "solve", lambda *a, **k: 1 / 0)
    for args in (["--debug", "run", str(TONGXI)], ["run", str(TONGXI), "--debug"],
                 ["run", "--debug", str(TONGXI)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 70
        assert "Traceback (most recent call last)" in res.stderr
        assert "ZeroDivisionError" in res.stderr


# ----------------------------------------------------------------------------------------
# 5. results never overwrite their own input


def test_results_never_overwrite_an_input_file(tmp_path, monkeypatch):
    import quotaopt.cli as cli

    monkeypatch.setattr(cli, "solve", lambda *a, **k: pytest.fail("solved"))
    path = scenario(tmp_path, name="allocation.csv")
    res = invoke("run", path, "--out", tmp_path)
    assert res.exit_code == 2
    assert f"{tmp_path / 'allocation.csv'}: is an input of this run " \
           f"({tmp_path / 'allocation.csv'})" in res.output
    assert (tmp_path / "allocation.csv").read_text(encoding="utf-8") == TONGXI_CSV
    (tmp_path / "kpi.csv").write_text("mine")
    other = scenario(tmp_path / "b", name="../kpi.csv")
    res = invoke("compare", other, "--out", tmp_path, "--format", "csv")
    assert res.exit_code == 2 and "kpi.csv: is an input of this run" in res.output
    res = invoke("audit", TONGXI, "--plan", tmp_path / "violations.csv", "--out", tmp_path)
    assert res.exit_code == 2 and "violations.csv: is an input of this run" in res.output


# ----------------------------------------------------------------------------------------
# 6. --time-limit bounds every MIP batch together


def test_the_time_limit_bounds_all_batches_together(monkeypatch):
    from quotaopt.backends.highs import HighsBackend

    real, real_relaxation, limits = HighsBackend.solve, HighsBackend.relaxation, []

    def slow(self, form, cost, extra_row, time_limit):
        limits.append(time_limit)
        time.sleep(0.05)
        return real(self, form, cost, extra_row, time_limit)

    def slow_relaxation(self, form, cost, time_limit):
        # the last stage is usually proven from its LP relaxation, without a MIP
        limits.append(time_limit)
        time.sleep(0.05)
        return real_relaxation(self, form, cost, time_limit)

    monkeypatch.setattr(HighsBackend, "solve", slow)
    monkeypatch.setattr(HighsBackend, "relaxation", slow_relaxation)
    sc = quotaopt.load_scenario(TONGXI)
    started = time.perf_counter()
    res = quotaopt.solve(sc, "baseline", backend="highs", method="mip", batch_units=4,
                         time_limit=0.3)
    took = time.perf_counter() - started
    assert res.status is quotaopt.Status.NO_SOLUTION, res.status
    assert "the time limit of 0.3 s was spent before MIP" in res.message
    assert took < 1.0 and len(limits) < 24  # 24+ batches: each used to get 0.5 s at least
    assert all(b < a for a, b in zip(limits, limits[1:], strict=False))
    res = invoke("run", TONGXI, "--variant", "budget", "--solver", "highs", "--method", "mip",
                 "--time-limit", "0.3")
    assert res.exit_code in (0, 4)  # one batch here: proven in time, or exit 4


# ----------------------------------------------------------------------------------------
# 7. worksheet names from variant names


def test_sheet_names_from_variant_names_are_valid_and_unique(tmp_path):
    names = ["History", "'quoted'", "a/b:c*?[x]\\y", "x" * 40, "x" * 40 + "2", "HISTORY (2)",
             "budget"]
    extra = "".join(f"[variants.{json.dumps(n)}]\npolicy.ratio = '1:4:5'\n" for n in names)
    path = scenario(tmp_path, extra)
    for lang in ("en", "zh"):
        out = tmp_path / lang
        res = invoke("compare", path, "--out", out, "--format", "xlsx", "--lang", lang)
        assert res.exit_code == 0, res.output
        wb = openpyxl.load_workbook(out / "comparison.xlsx")
        # each variant's allocation sheet, then its plan table (岗位设置方案表)
        sheets, plans = wb.sheetnames[5::2], wb.sheetnames[6::2]
        assert len(sheets) == len(plans) == 1 + len(names)
        assert len({s.casefold() for s in wb.sheetnames}) == len(wb.sheetnames)
        for plan, variant in zip(plans, ["baseline", *names], strict=True):
            assert len(plan) <= 31 and not set(plan) & set("[]:*?/\\"), plan
            assert not plan.startswith("'") and not plan.endswith("'")
            assert f" {variant} · " in wb[plan].cell(1, 1).value  # the title names it whole
        for sheet, variant in zip(sheets, ["baseline", *names], strict=True):
            assert len(sheet) <= 31 and not set(sheet) & set("[]:*?/\\"), sheet
            assert not sheet.startswith("'") and not sheet.endswith("'")
            assert sheet.casefold() != "history"
            first = wb[sheet].cell(1, 1).value
            if sheet == variant:
                assert first in ("unit_id", "单位编码")  # the table starts in row 1
            else:
                assert first == ("variant: " if lang == "en" else "方案：") + variant
    # a sheet with the title row, saved on its own, is still a plan audit reads
    wb = openpyxl.load_workbook(tmp_path / "zh" / "comparison.xlsx")
    keep = next(s for s in wb.sheetnames if s.startswith("History"))
    for s in wb.sheetnames:
        if s != keep:
            del wb[s]
    wb.save(tmp_path / "plan.xlsx")
    res = invoke("audit", path, "--variant", "History", "--plan", tmp_path / "plan.xlsx")
    assert res.exit_code == 0, res.output


# ----------------------------------------------------------------------------------------
# 8. TOML nesting


@pytest.mark.parametrize("text", [
    "x = " + "[" * 1000 + "]" * 1000,
    "x = " + "{a = " * 500 + "1" + "}" * 500,
    "a." * 999 + "b = 1",
    "[" + "a." * 999 + "b]\nc = 1",
])
def test_toml_nested_1000_deep_is_exit_2(tmp_path, text):
    (tmp_path / "s.toml").write_text(text + "\n", encoding="utf-8")
    res = invoke("validate", tmp_path / "s.toml")
    assert res.exit_code == 2, res.output
    assert "nested more than 32 levels deep" in res.output


def test_brackets_inside_strings_and_comments_do_not_count(tmp_path):
    path = scenario(tmp_path, "# " + "[" * 100 + "\n[policy]\nsource = \"" + "[{" * 100
                    + "\"\n")
    assert invoke("validate", path).exit_code == 0


@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")
def test_a_real_terminal_gets_no_escape_code_from_a_unit_name(tmp_path):
    import pty

    lines = TONGXI_CSV.splitlines()
    cells = lines[1].split(",")
    cells[1] = "石桥镇\x1b[2J\x1b]0;fake title\x07卫生院"
    lines[1] = ",".join(cells)
    path = scenario(tmp_path, units="\n".join(lines) + "\n")
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*QUOTAOPT, "explain", str(path), "--unit", cells[0]],
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process is gone and the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = seen.decode("utf-8")
    assert "石桥镇\\x1b[2J\\x1b]0;fake title\\x07卫生院" in text
    assert "\x1b" not in text and "\x07" not in text
