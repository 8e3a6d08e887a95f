"""Benchmark driver: ``python -m benchmarks [--sizes 1000,5000,100000] [--quick] …``.

For every configuration (province size × scope × backend/method, the 8-variant compare, and
the naive reference) it starts fresh processes (:mod:`benchmarks.runner`), takes the median
of ``--repeat`` runs (the naive reference runs once), prints a table and writes it to
``benchmarks/results/<date>-<host>.md`` and ``.json`` with a description of the machine.
It checks that every configuration of the same province and variant — quotaopt's structured
method, its MIP on HiGHS and CBC, and the naive reference — reaches the same objective
values, and exits 1 if any disagree.

Speed-ups compare "build + solve" seconds (the part where the formulations differ; reading
the same CSV is common to both) against the naive reference solved in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .generate import DATA_DIR, GENERATOR_VERSION, write_budget_scenario, write_province

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: (what, limit in seconds, limit in MB or None) — the targets of issue #7
TARGETS = {
    "e2e-100000": (3.0, 500.0),
    "e2e-1000000": (30.0, None),
    "compare-100000": (15.0, None),
}
#: issue #16: a budget across all units, at most this many times the unbudgeted run, in MB
BUDGET_TARGETS = {100_000: (5.0, 600.0)}
#: issue #16 goal 3: each pool its own budget "at the speed of the unbudgeted case" — taken
#: as at most 1.5× the unbudgeted run end to end (the same peak as the budget above)
POOL_BUDGET_TARGETS = {100_000: (1.5, 600.0)}
#: issue #16: end to end at most this many times the I/O floor of the same run, in MB
FLOOR_TARGETS = {1_000_000: (4.0, 1024.0)}


@dataclass
class Config:
    key: str
    label: str  # backend/method shown in the table
    kind: str  # quotaopt | compare | naive
    units: int
    variant: str | None
    params: dict[str, Any]
    repeat: int
    timeout: float
    runs: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)


def parse_sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def build_configs(args: argparse.Namespace) -> list[Config]:
    sizes = parse_sizes(args.sizes)
    refs = parse_sizes(args.reference_sizes) if args.naive else []
    configs: list[Config] = []

    def province(n: int) -> str:
        return str(write_province(n, args.seed, args.data).scenario)

    def qo(n: int, variant: str | None, backend: str, method: str, label: str,
           time_limit: float | None = None, scenario: str | None = None,
           repeat: int | None = None) -> None:
        key = f"quotaopt-{n}-{variant or 'baseline'}-{backend}-{method}"
        configs.append(Config(key, label, "quotaopt", n, variant, {
            "scenario": scenario or province(n), "variant": variant, "backend": backend,
            "method": method,
            "out": str(args.data / "out" / key), "time_limit": time_limit},
            repeat or args.repeat, args.timeout))

    for n in parse_sizes(args.floor_sizes):
        prov = write_province(n, args.seed, args.data)
        configs.append(Config(f"floor-{n}", "I/O floor (pyarrow read + write)", "floor", n,
                              None, {"units": str(prov.csv),
                                     "out": str(args.data / "out" / f"floor-{n}")},
                              args.repeat, args.timeout))
    for n in sorted(set(sizes) | set(refs)):
        qo(n, None, "highs", "auto", "quotaopt auto")
    for n in parse_sizes(args.unit_sizes):
        qo(n, "unit-scope", "highs", "auto", "quotaopt auto")
    for n in parse_sizes(args.mip_sizes):
        qo(n, None, "highs", "mip", "quotaopt mip/HiGHS")
        if args.cbc:
            # CBC may not prove stage 3 (the pooled quotas) of mixed-type pools: capped like
            # the naive CBC reference
            qo(n, None, "cbc", "mip", "quotaopt mip/CBC", args.cbc_cap)
    for n in parse_sizes(args.budget_sizes):
        budget = str(write_budget_scenario(n, args.seed, args.data))
        qo(n, "budget-province", "highs", "auto", "quotaopt auto, one budget", scenario=budget)
        qo(n, "budget-pools", "highs", "auto", "quotaopt auto, a budget per pool",
           scenario=budget)
        if n in parse_sizes(args.unit_sizes):  # compared with the unit-scope run
            qo(n, "budget-unit", "highs", "auto", "quotaopt auto, one budget", scenario=budget)
    for n in parse_sizes(args.budget_mip_sizes):
        budget = str(write_budget_scenario(n, args.seed, args.data))
        qo(n, "budget-province", "highs", "mip", "quotaopt mip/HiGHS, one budget",
           scenario=budget, repeat=1)
        qo(n, "budget-pools", "highs", "mip", "quotaopt mip/HiGHS, a budget per pool",
           scenario=budget, repeat=1)
    for n in parse_sizes(args.compare_sizes):
        for jobs in (1, None):
            label = "compare 8 variants, " + ("serial" if jobs == 1 else "parallel (jobs=auto)")
            configs.append(Config(f"compare-{n}-jobs{jobs or 'auto'}", label, "compare", n,
                                  None, {"scenario": province(n), "jobs": jobs}, args.repeat,
                                  args.timeout))
    for ref in refs:
        for solver, cap in (("highs", args.highs_cap), ("cbc", args.cbc_cap)):
            if solver == "cbc" and not args.cbc:
                continue
            configs.append(Config(
                f"naive-{ref}-{solver}", f"naive PuLP+{'HiGHS' if solver == 'highs' else 'CBC'}",
                "naive", ref, None,
                {"scenario": province(ref), "solver": solver, "time_limit": cap},
                1, cap * 1.2 + 600))
    return configs


def run_one(cfg: Config) -> dict[str, Any]:
    payload = json.dumps({"kind": cfg.kind, **cfg.params})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.runner", payload], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=cfg.timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"no result within {cfg.timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"status": "error", "error": " | ".join(tail)}
    return json.loads(lines[-1])


NUMERIC = ("load", "build", "solve", "check", "write", "total", "peak_rss_mb")


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run's fields, with every timing and the peak RSS replaced by the median."""
    ok = [r for r in runs if r.get("status") not in ("error", "timeout")]
    if not ok:
        return runs[0]
    out = dict(ok[0])
    for key in NUMERIC:
        vals = [r[key] for r in ok if r.get(key) is not None]
        out[key] = statistics.median(vals) if vals else None
    out["repeats"] = len(ok)
    out["total_all"] = [round(r["total"], 3) for r in ok]
    return out


def model_seconds(r: dict[str, Any]) -> float | None:
    if r.get("solve") is None:
        return None
    return (r.get("build") or 0.0) + r["solve"] + (r.get("check") or 0.0)


def speedups(configs: list[Config]) -> None:
    """Attach speed-ups vs the naive references (same province, same variant)."""
    naive = {(c.units, c.params["solver"]): c.result for c in configs if c.kind == "naive"}
    for c in configs:
        if c.kind != "quotaopt" or c.variant is not None:
            continue
        ours = model_seconds(c.result)
        if not ours:
            continue
        for (units, solver), r in naive.items():
            if units != c.units:
                continue
            theirs = model_seconds(r)
            if theirs is None:
                continue
            finished = r.get("status") == "optimal"
            c.result[f"speedup_{solver}"] = ("" if finished else ">") + f"{theirs / ours:,.0f}×"


def budget_ratios(configs: list[Config]) -> None:
    """Attach each budget run's ratio to the unbudgeted run of the same province."""
    plain = {(c.units, c.variant): c.result for c in configs if c.kind == "quotaopt"
             and c.variant in (None, "unit-scope") and c.params.get("method") == "auto"}
    for c in configs:
        if c.kind != "quotaopt" or not (c.variant or "").startswith("budget"):
            continue
        # the unbudgeted run of the same province and scope
        base = plain.get((c.units, "unit-scope" if c.variant == "budget-unit" else None), {})
        r = c.result
        if base.get("total") and r.get("total") is not None:
            r["ratio_unbudgeted"] = r["total"] / base["total"]


def floor_ratios(configs: list[Config]) -> None:
    """Attach each unbudgeted pool-scope run's ratio to the I/O floor of the same size."""
    floor = {c.units: c.result for c in configs if c.kind == "floor"}
    for c in configs:
        if c.kind != "quotaopt" or c.variant is not None or c.params.get("method") != "auto":
            continue
        base, r = floor.get(c.units, {}), c.result
        if base.get("total") and r.get("total") is not None:
            r["ratio_floor"] = r["total"] / base["total"]


def check_agreement(configs: list[Config]) -> list[str]:
    """Configurations of the same province and variant must have the same objective values."""
    groups: dict[tuple[int, str | None], list[Config]] = {}
    for c in configs:
        if (c.kind in ("quotaopt", "naive") and c.result.get("stage1") is not None
                and c.result.get("status") == "optimal"):  # a capped run proves nothing
            groups.setdefault((c.units, c.variant), []).append(c)
    problems = []
    for (n, variant), group in groups.items():
        values = {(c.result["stage1"], c.result["stage2"], c.result.get("stage3"))
                  for c in group}
        if len(values) > 1:
            problems.append(f"{n} units, variant {variant or 'baseline'}: objective values "
                            "differ: " + "; ".join(f"{c.label} {_objective(c.result)}"
                                                   for c in group))
        for c in group:
            c.result["agrees"] = len(values) == 1 and len(group) > 1
    return problems


def _objective(r: dict[str, Any]) -> str:
    """``stage 1 / stage 2`` (and ``/ stage 3`` in scope pool)."""
    text = f"{r['stage1']} / {r['stage2']}"
    return text if r.get("stage3") is None else f"{text} / {r['stage3']}"


def target_text(c: Config) -> str:
    key = None
    if c.kind == "quotaopt" and c.variant is None and c.params.get("method") == "auto":
        key = f"e2e-{c.units}"
    elif c.kind == "compare":
        key = f"compare-{c.units}"
    budget_targets = POOL_BUDGET_TARGETS if c.variant == "budget-pools" else BUDGET_TARGETS
    if (c.kind == "quotaopt" and (c.variant or "").startswith("budget")
            and c.params.get("method") == "auto" and c.units in budget_targets):
        times, mb = budget_targets[c.units]
        r = c.result
        ratio = r.get("ratio_unbudgeted")
        if ratio is None:
            return f"≤ {times:g}× unbudgeted, ≤ {mb:g} MB: no ratio (run the baseline too)"
        ok = ratio <= times and r["peak_rss_mb"] <= mb
        return (f"{ratio:.1f}× unbudgeted (≤ {times:g}×), ≤ {mb:g} MB: "
                f"{'met' if ok else 'MISSED'}")
    parts = []
    if key is not None and key.startswith("e2e-") and c.result.get("ratio_floor") is not None \
            and c.units not in FLOOR_TARGETS:
        parts.append(f"{c.result['ratio_floor']:.1f}× I/O floor")
    elif key is not None and key.startswith("e2e-") and c.units in FLOOR_TARGETS:
        times, mb = FLOOR_TARGETS[c.units]
        r = c.result
        ratio = r.get("ratio_floor")
        if ratio is None:
            parts.append(f"≤ {times:g}× I/O floor: no floor row (--floor-sizes)")
        else:
            ok = ratio <= times and r["peak_rss_mb"] <= mb
            parts.append(f"{ratio:.1f}× I/O floor (≤ {times:g}×), ≤ {mb:g} MB: "
                         f"{'met' if ok else 'MISSED'}")
    if key not in TARGETS:
        return "; ".join(parts)
    secs, mb = TARGETS[key]
    r = c.result
    if r.get("total") is None:
        return f"≤ {secs:g} s: no result"
    ok = r["total"] <= secs and (mb is None or r["peak_rss_mb"] <= mb)
    limit = f"≤ {secs:g} s" + (f", ≤ {mb:g} MB" if mb else "")
    return "; ".join([f"{limit}: {'met' if ok else 'MISSED'}", *parts])


def fmt_s(value: Any) -> str:
    if value is None:
        return "—"
    if value < 0.1:
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def fmt_rss(r: dict[str, Any]) -> str:
    if r.get("peak_rss_mb") is None:
        return "—"
    return f"{r['peak_rss_mb']:.0f}"


def row_for(c: Config) -> list[str]:
    r = c.result
    status = r.get("status", "?")
    scope = r.get("scope") or ("unit" if c.variant in ("unit-scope", "budget-unit") else "pool")
    label = c.label
    if c.kind == "compare" and not str(r.get("how", "")).startswith("quotaopt.compare"):
        label = "8 sequential quotaopt.solve calls"
    solve = fmt_s(r.get("solve"))
    if c.kind == "naive" and status != "optimal":
        cap = r.get("time_limit")
        solve = f"> {cap:g} (cap)" if cap else solve
    objective = "—" if r.get("stage1") is None else _objective(r)
    if r.get("agrees"):
        objective += " ✓"
    return [
        f"{c.units:,}", scope, label, fmt_s(r.get("load")), fmt_s(r.get("build")), solve,
        fmt_s(r.get("check")), fmt_s(r.get("write")), fmt_s(r.get("total")), fmt_rss(r),
        objective, r.get("speedup_highs", ""), r.get("speedup_cbc", ""),
        status if status not in ("optimal",) else "optimal", target_text(c),
    ]


HEADER = ["units", "scope", "backend / method", "load s", "build s", "solve s", "check s",
          "write s", "end-to-end s", "peak RSS MB", "objective (stage 1 / 2 / 3)",
          "vs naive HiGHS", "vs naive CBC", "status", "target"]


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def text_table(rows: list[list[str]]) -> str:
    cells = [HEADER] + rows
    widths = [max(len(r[i]) for r in cells) for i in range(len(HEADER))]
    out = []
    for k, r in enumerate(cells):
        out.append("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i])
                             for i, c in enumerate(r)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def machine() -> dict[str, Any]:
    def version(mod: str) -> str:
        try:
            from importlib.metadata import version as v
            return v(mod)
        except Exception:
            return "not installed"

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        commit += " (+ uncommitted changes in src/)" if dirty else ""
    except OSError:
        commit = "unknown"
    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "pandas": version("pandas"),
        "scipy": version("scipy"),
        "highspy": version("highspy"),
        "pulp": version("pulp"),
        "quotaopt": version("quotaopt"),
        "commit": commit,
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,5000,100000,1000000",
                    help="province sizes for the end-to-end pool-scope runs")
    ap.add_argument("--unit-sizes", default="100000", help="sizes for unit scope")
    ap.add_argument("--mip-sizes", default="5000", help="sizes for method=mip")
    ap.add_argument("--budget-sizes", default="100000",
                    help="sizes for a budget across all units and for a budget per pool "
                    "(issue #16), method auto")
    ap.add_argument("--budget-mip-sizes", default="",
                    help="sizes for the same budgets with method=mip (one run each; the MIP "
                    "refuses a budget across many pools: docs/performance.md)")
    ap.add_argument("--compare-sizes", default="100000", help="sizes for the 8-variant compare")
    ap.add_argument("--floor-sizes", default="1000000",
                    help="sizes for the I/O floor (pyarrow reads the units CSV and writes a "
                    "CSV of the allocation's shape); each pool-scope run of the same size "
                    "gets its ratio to it (issue #16)")
    ap.add_argument("--name", default="",
                    help="suffix of the results files: <date>-<host>-<name>.md/.json")
    ap.add_argument("--reference-sizes", default="5000",
                    help="provinces for the naive reference (MODEL-NOTES: 5,000 units)")
    ap.add_argument("--highs-cap", type=float, default=600.0,
                    help="time cap (s) of the naive PuLP+HiGHS reference")
    ap.add_argument("--cbc-cap", type=float, default=300.0,
                    help="time cap (s) of the naive PuLP+CBC reference and of quotaopt's "
                    "MIP on CBC")
    ap.add_argument("--no-naive", dest="naive", action="store_false",
                    help="skip the naive reference")
    ap.add_argument("--no-cbc", dest="cbc", action="store_false", help="skip CBC runs")
    ap.add_argument("--repeat", type=int, default=3,
                    help="fresh-process runs per quotaopt configuration (median reported)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=900.0,
                    help="seconds before a quotaopt configuration is abandoned")
    ap.add_argument("--quick", action="store_true",
                    help="tiny sizes, one repetition, short caps: checks the suite works")
    ap.add_argument("--data", type=Path, default=DATA_DIR,
                    help="folder for generated provinces and outputs (default benchmarks/data)")
    ap.add_argument("--results", type=Path, default=RESULTS_DIR,
                    help="folder for <date>-<host>.md/.json (default benchmarks/results)")
    ap.add_argument("--no-save", dest="save", action="store_false",
                    help="print only; do not write results files")
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.unit_sizes, args.mip_sizes = "200,1000", "1000", "200"
        args.compare_sizes, args.reference_sizes = "1000", "200"
        args.budget_sizes, args.floor_sizes = "1000", "1000"
        args.highs_cap, args.cbc_cap, args.repeat = 60.0, 5.0, 1

    mach = machine()
    print(f"quotaopt benchmarks on {mach['cpu']}, {mach['cores']} cores, {mach['ram']}; "
          f"Python {mach['python']}, numpy {mach['numpy']}, pandas {mach['pandas']}, "
          f"highspy {mach['highspy']}, PuLP {mach['pulp']}", flush=True)
    started = time.perf_counter()
    configs = build_configs(args)
    print(f"provinces ready in {time.perf_counter() - started:.1f} s "
          f"(generator v{GENERATOR_VERSION}, seed {args.seed}, {args.data})", flush=True)
    # round by round (every configuration once, then again): on a shared machine the load
    # drifts, and the ratios of one run (to the I/O floor, to the unbudgeted run) should
    # compare runs made under the same load
    failed: set[str] = set()
    for k in range(max((c.repeat for c in configs), default=0)):
        for c in configs:
            if k >= c.repeat or c.key in failed:
                continue
            t = time.perf_counter()
            r = run_one(c)
            c.runs.append(r)
            print(f"  {c.key} [{k + 1}/{c.repeat}]: {r.get('status')} "
                  f"{fmt_s(r.get('total'))} s total, {fmt_s(r.get('peak_rss_mb'))} MB "
                  f"({time.perf_counter() - t:.1f} s wall)"
                  + (f" — {r['error']}" if r.get("error") else ""), flush=True)
            if r.get("status") in ("error", "timeout"):
                failed.add(c.key)
    for c in configs:
        c.result = median_run(c.runs)
    speedups(configs)
    budget_ratios(configs)
    floor_ratios(configs)
    problems = check_agreement(configs)
    rows = [row_for(c) for c in configs]
    print()
    print(text_table(rows))
    notes = [
        f"Times are medians of {args.repeat} fresh-process runs (naive reference: 1 run), "
        "made round by round (every configuration once, then again); the machine is "
        "shared, so timings are noisy.",
        "end-to-end = quotaopt.load_scenario (read + check the CSV) → quotaopt.solve → "
        "write allocation.csv + summary.json; Python start-up and imports excluded.",
        "build = caps and checks before solving; check = independent checker, allocation "
        "table and summary; with method=mip part of the model building falls in solve.",
        "Speed-ups: naive (build + solve) / quotaopt (build + solve + check) on the same "
        "province; '>' means the naive run hit its time cap.",
        "Peak RSS is the run's own maximum resident set (VmHWM of the fresh process on Linux); "
        "it does not include child processes (the CBC binary that PuLP starts, compare's "
        "parallel workers).",
        "✓ = same objective values as every other configuration of that province and "
        "variant in this run.",
    ]
    if any(c.kind == "floor" for c in configs):
        notes.append(
            "I/O floor: pyarrow reads the units CSV (default options) and writes a CSV of "
            "the allocation's shape (same rows, 21 columns) to a file, fsync'd; no checks, "
            "no solve. The × I/O floor ratio is the quotaopt run's end-to-end median over "
            "the floor's, both measured in this run.")
    compare_rows = [c for c in configs if c.kind == "compare"]
    for c in compare_rows:
        notes.append(f"compare {c.units:,}: {c.result.get('how', '?')}.")
    for p in problems:
        print("OBJECTIVE MISMATCH: " + p)
    for n in notes:
        print("* " + n)
    print(f"\nsuite finished in {time.perf_counter() - started:.0f} s")
    if args.save:
        args.results.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y-%m-%d")
        base = args.results / "-".join(filter(None, [stamp, mach["host"], args.name]))
        cmd = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
        md = [f"# quotaopt benchmark, {stamp} on {mach['host']}", "",
              f"Command: `{cmd.strip()}`", "",
              "Machine: " + ", ".join(f"{k} {v}" for k, v in mach.items()), "",
              markdown_table(rows), ""]
        md += [f"* {n}" for n in notes]
        md += [f"* OBJECTIVE MISMATCH: {p}" for p in problems]
        base.with_suffix(".md").write_text("\n".join(md) + "\n", encoding="utf-8")
        base.with_suffix(".json").write_text(json.dumps({
            "command": cmd.strip(), "machine": mach, "notes": notes, "mismatches": problems,
            "configs": [{"key": c.key, "label": c.label, "kind": c.kind, "units": c.units,
                         "variant": c.variant, "params": c.params, "median": c.result,
                         "runs": c.runs} for c in configs],
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {base.with_suffix('.md')} and {base.with_suffix('.json')}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
