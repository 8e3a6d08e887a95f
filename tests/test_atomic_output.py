"""Result files are whole or absent: a run killed at any moment (SIGKILL, no chance to clean
up) leaves the previous result intact, never a partial file. The kills land wherever they
land — the assertions hold whatever the timing: each file is the old one or the new one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from quotaopt.errors import InputError
from quotaopt.output import atomic_write, atomic_write_all

VOLATILE = ("created_at", "seconds")  # the only fields allowed to differ between runs


def make_scenario(folder: Path, n: int) -> Path:
    """``n`` generated units; variant ``b`` changes every unit's plan."""
    rng = np.random.default_rng(1)
    total = rng.integers(3, 80, n)
    junior, inter = total // 2, total // 4
    ws, wm = rng.integers(0, inter + 1), rng.integers(0, junior + 1)
    types = np.array(["health_centre", "school", "agri_service", "culture_station"])[
        rng.integers(0, 4, n)]
    lines = ["unit_id,name,type,pool,total_posts,intermediate_incumbents,junior_incumbents,"
             "senior_waiting,intermediate_waiting"]
    lines += [f"U{i:06d},=单位{i},{types[i]},P{i % 3},{total[i]},{inter[i]},{junior[i]},"
              f"{ws[i]},{wm[i]}" for i in range(n)]
    (folder / "u.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "s.toml"
    path.write_text('[scenario]\nunits = "u.csv"\n[policy]\njunior_to_intermediate = 1.0\n'
                    '[variants.b]\npolicy.ratio = "0.5:3.5:6"\n', encoding="utf-8")
    return path


def run(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "quotaopt", "run", *args, "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stable_summary(data: bytes) -> dict:
    summary = json.loads(data)  # a partial file would not parse

    def strip(obj):
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in VOLATILE}
        return obj

    return strip(summary)


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def kill_while_writing(args: list[str], out: Path, delay: float, deadline: float) -> bool:
    """Start a run, SIGKILL it ``delay`` s after its first temporary file appears in ``out``
    (or after ``deadline`` s if none does); True if a temporary file was seen."""
    proc = run(*args)
    started = time.monotonic()
    seen = False
    while proc.poll() is None and time.monotonic() - started < deadline:
        if any(p.name.startswith(".") and p.name.endswith(".tmp") for p in out.iterdir()):
            seen = True
            break
        time.sleep(0.001)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return seen


def test_sigkill_during_a_large_csv_run_never_leaves_a_partial_file(tmp_path):
    scenario = make_scenario(tmp_path, 200_000)
    out = tmp_path / "out"
    started = time.monotonic()
    first = run(str(scenario), "--out", str(out))
    assert first.wait() == 0, first.stderr.read() if first.stderr else ""
    full = time.monotonic() - started
    old = ((out / "allocation.csv").read_bytes(), (out / "summary.json").read_bytes())

    seen, hits = [], 0
    # kills aimed at the writing (just after a temporary file appears), and one blind one
    for delay, deadline in ((0.0, 2 * full), (0.02, 2 * full), (0.0, full / 2)):
        hits += kill_while_writing([str(scenario), "--variant", "b", "--out", str(out)],
                                   out, delay, deadline)
        assert visible(out) == ["allocation.csv", "summary.json"]
        seen.append(((out / "allocation.csv").read_bytes(), (out / "summary.json").read_bytes()))
    last = run(str(scenario), "--variant", "b", "--out", str(out))
    assert last.wait() == 0
    new = ((out / "allocation.csv").read_bytes(), (out / "summary.json").read_bytes())
    assert new[0] != old[0]
    print(f"{hits} kills while writing; results left: old",
          sum(a == old[0] for a, _ in seen), "new", sum(a == new[0] for a, _ in seen))
    for allocation, summary in seen:
        assert allocation in (old[0], new[0])  # whole: byte for byte one or the other
        assert stable_summary(summary) in (stable_summary(old[1]), stable_summary(new[1]))
    # the spreadsheet guard held on the way: '=单位1' is text, not a formula
    assert "\nU000001,'=单位1,".encode() in new[0]


def test_sigkill_during_an_xlsx_run_never_leaves_a_partial_workbook(tmp_path):
    scenario = make_scenario(tmp_path, 4000)
    out = tmp_path / "out"
    started = time.monotonic()
    first = run(str(scenario), "--out", str(out), "--format", "xlsx")
    assert first.wait() == 0
    full = time.monotonic() - started
    for delay in (0.0, 0.05):
        kill_while_writing([str(scenario), "--variant", "b", "--out", str(out), "--format",
                            "xlsx"], out, delay, 2 * full)
        assert visible(out) == ["plan.html", "results.xlsx"]
        wb = openpyxl.load_workbook(out / "results.xlsx", read_only=True)  # a whole workbook
        assert wb.sheetnames == ["plan table", "allocation", "summary", "policy"]
        wb.close()


def test_a_failure_while_writing_a_set_changes_none_of_its_files(tmp_path):
    a, b = tmp_path / "allocation.csv", tmp_path / "summary.json"
    a.write_text("old a")
    b.write_text("old b")

    def boom(fh):
        fh.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="summary.json: cannot write the results "
                                         r"\(No space left on device\)"):
        atomic_write_all([(a, lambda fh: fh.write(b"new a")), (b, boom)])
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["allocation.csv", "summary.json"]


def test_every_writer_goes_through_atomic_write():
    """No module writes a result file any other way (open(..., 'w'), to_csv(path), …)."""
    src = Path(__file__).resolve().parent.parent / "src" / "quotaopt"
    allowed = {"output.py"}  # where atomic_write lives
    forbidden = ("open(", ".write_text(", ".write_bytes(", ".to_csv(", ".to_excel(",
                 ".save(", "to_json(")
    offenders = []
    for path in sorted(src.rglob("*.py")):
        if path.name in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(f in code for f in forbidden) and not _reading(code):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def _reading(code: str) -> bool:
    """Lines that only read: open(path, "rb"), os.open(folder, O_RDONLY), to_json() and
    to_csv() of a frame kept in memory (no path: they return text), doctest examples, …"""
    return any(k in code for k in ('"rb"', "O_RDONLY", ">>>", "to_json(orient", "os.devnull",
                                   ".to_csv(index=False"))


def test_atomic_write_keeps_ordinary_permissions_and_leaves_no_temporary(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "x.json", lambda fh: fh.write(b"{}"))
    finally:
        os.umask(old)
    assert oct((tmp_path / "x.json").stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
