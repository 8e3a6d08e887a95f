"""Snapshot every command's output on the shipped scenario, to prove a refactor changes nothing.

    python scripts/snapshot_outputs.py snap/before          # take a snapshot
    python scripts/snapshot_outputs.py snap/after --diff snap/before

Runs, with the `quotaopt` next to this Python (the worktree's .venv), on a copy of
scenarios/tongxi-county.toml: validate; run of every variant without --out and with --out in
each format (csv, xlsx, json); run --method mip and --check-unique; compare with every format
and both languages; explain of three units (baseline and a variant); audit of the run's plan
and of an altered plan; an infeasible copy of the scenario (run, validate, explain), and init.
For each command it records stdout, stderr and the exit code, and copies every file written.
Time stamps and seconds (summary.json, provenance lines, the run summary) are replaced by
placeholders, the temporary folder by `<TMP>`; an XLSX workbook is unpacked into its parts
(normalised the same way); everything else is compared byte for byte. With --diff it exits 1
and lists the files that differ.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUOTAOPT = str(Path(sys.executable).with_name("quotaopt"))
VARIANTS = ["baseline", "old-ratio", "no-bonus", "no-transfer", "county-pool", "budget"]

#: A ceiling below the incumbents (protected): infeasible, for the diagnosis texts.
INFEASIBLE_RATIO = 'ratio = "0.2:1.8:8"'



def commands(work: Path) -> list[tuple[str, list[str]]]:
    sc = str(work / "tongxi-county.toml")
    bad = str(work / "infeasible.toml")
    out = work / "out"
    cmds: list[tuple[str, list[str]]] = [("validate", ["validate", sc])]
    for v in VARIANTS:
        cmds.append((f"run-{v}", ["run", sc, "--variant", v]))
        for fmt in ("csv", "xlsx", "json"):
            cmds.append((f"run-{v}-{fmt}",
                         ["run", sc, "--variant", v, "--out", str(out / f"run-{v}-{fmt}"),
                          "--format", fmt]))
    cmds += [
        ("run-mip", ["run", sc, "--method", "mip", "--out", str(out / "run-mip")]),
        ("run-unique", ["run", sc, "--check-unique"]),
        ("run-highs", ["run", sc, "--solver", "highs", "--variant", "budget"]),
        ("run-cbc", ["run", sc, "--solver", "cbc", "--variant", "budget"]),
        ("compare", ["compare", sc, "--out", str(out / "compare"),
                     "--format", "html,xlsx,csv"]),
        ("compare-zh", ["compare", sc, "--out", str(out / "compare-zh"),
                        "--format", "html,xlsx,csv", "--lang", "zh"]),
        ("compare-some", ["compare", sc, "--variants", "old-ratio,budget"]),
    ]
    for unit in ("TX011", "TX012", "TX074"):
        cmds.append((f"explain-{unit}", ["explain", sc, "--unit", unit]))
        cmds.append((f"explain-{unit}-pool",
                     ["explain", sc, "--unit", unit, "--variant", "county-pool"]))
    cmds += [
        ("explain-missing", ["explain", sc, "--unit", "NO-SUCH"]),
        ("audit-own", ["audit", sc, "--plan", str(work / "plan.csv"),
                       "--out", str(out / "audit-own")]),
        ("audit-altered", ["audit", sc, "--plan", str(work / "altered.csv"),
                           "--out", str(out / "audit-altered")]),
        ("audit-old-ratio", ["audit", sc, "--plan", str(work / "plan.csv"),
                             "--variant", "old-ratio"]),
        ("infeasible-validate", ["validate", bad]),
        ("infeasible-run", ["run", bad]),
        ("infeasible-run-pool", ["run", bad, "--variant", "county-pool"]),
        ("infeasible-run-budget", ["run", bad, "--variant", "budget", "--solver", "cbc"]),
        ("infeasible-compare", ["compare", bad]),
        ("infeasible-explain", ["explain", bad, "--unit", "TX012"]),
        ("init", ["init", str(out / "init")]),
        ("init-again", ["init", str(out / "init")]),
    ]
    return cmds


ISO_TIME = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?")
SECONDS = (re.compile(rb'("(?:seconds|solve_seconds|elapsed)"): [0-9.e+-]+'),  # JSON
           re.compile("· [0-9.]+ s\\b".encode()),  # "· 0.01 s" in the run summary
           re.compile(rb"(seconds</t></is></c><c r=\"B\d+\" t=\"n\"><v>)[0-9.e+-]+"))  # XLSX


def normalise_bytes(data: bytes, work: Path) -> bytes:
    """The temporary folder, time stamps and seconds replaced by placeholders."""
    data = data.replace(str(work).encode(), b"<TMP>")
    data = ISO_TIME.sub(b"<TIME>", data)
    data = SECONDS[0].sub(rb'\1: "<S>"', data)
    data = SECONDS[1].sub("· <S> s".encode(), data)
    return SECONDS[2].sub(rb"\1<S>", data)


def normalise(path: Path, work: Path) -> None:
    """Normalise a written file in place; an XLSX is unpacked into ``<name>.d/`` (its parts
    normalised, so a time stamp in a cell is ignored but every other byte is compared)."""
    if path.suffix == ".xlsx":
        folder = path.with_name(path.name + ".d")
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            (folder).mkdir()
            (folder / "_parts.txt").write_text("\n".join(names) + "\n")
            for name in names:
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(normalise_bytes(zf.read(name), work))
        path.unlink()
        return
    path.write_bytes(normalise_bytes(path.read_bytes(), work))


def prepare(work: Path) -> None:
    shutil.copy(ROOT / "scenarios" / "tongxi-county.toml", work)
    shutil.copy(ROOT / "scenarios" / "tongxi-county.csv", work)
    toml = (work / "tongxi-county.toml").read_text(encoding="utf-8")
    bad = toml.replace('ratio = "1:4:5"', INFEASIBLE_RATIO, 1)
    assert bad != toml
    (work / "infeasible.toml").write_text(bad, encoding="utf-8")
    plan = work / "plan-run"
    subprocess.run([QUOTAOPT, "run", str(work / "tongxi-county.toml"), "--out", str(plan),
                    "-q"], check=True)
    shutil.copy(plan / "allocation.csv", work / "plan.csv")
    lines = (work / "plan.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    i = header.index("posts_senior")
    row[i] = str(int(row[i]) + 3)  # over the cap
    lines[1] = ",".join(row)
    (work / "altered.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.rmtree(plan)


def snapshot(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        prepare(work)
        for name, args in commands(work):
            p = subprocess.run([QUOTAOPT, *args], capture_output=True, cwd=work)
            d = dest / name
            d.mkdir()
            (d / "stdout.txt").write_bytes(normalise_bytes(p.stdout, work))
            (d / "stderr.txt").write_bytes(normalise_bytes(p.stderr, work))
            (d / "exit_code.txt").write_text(f"{p.returncode}\n")
            produced = work / "out" / name
            if produced.is_dir():
                shutil.copytree(produced, d / "files")
                for f in sorted((d / "files").rglob("*")):
                    if f.is_file():
                        normalise(f, work)
    manifest = sorted(str(f.relative_to(dest)) for f in dest.rglob("*") if f.is_file())
    (dest / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")


def diff(a: Path, b: Path) -> list[str]:
    files_a = {f.relative_to(a) for f in a.rglob("*") if f.is_file()}
    files_b = {f.relative_to(b) for f in b.rglob("*") if f.is_file()}
    out = [f"only in {a}: {f}" for f in sorted(files_a - files_b)]
    out += [f"only in {b}: {f}" for f in sorted(files_b - files_a)]
    out += [f"differs: {f}" for f in sorted(files_a & files_b)
            if not filecmp.cmp(a / f, b / f, shallow=False)]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", type=Path, help="folder to write the snapshot to (replaced)")
    ap.add_argument("--diff", type=Path, default=None, help="a snapshot to compare with")
    args = ap.parse_args()
    snapshot(args.dest)
    if args.diff is None:
        return 0
    differences = diff(args.diff, args.dest)
    for line in differences:
        print(line)
    print(f"{len(differences)} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
