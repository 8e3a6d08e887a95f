"""One benchmark configuration, run in a fresh process so its peak RSS is its own.

``python -m benchmarks.runner '<json config>'`` prints one JSON object on its last stdout
line. The driver (``python -m benchmarks``) starts one such process per configuration and
repetition. Configurations:

``{"kind": "quotaopt", "scenario": …, "variant": …, "backend": …, "method": …, "out": …}``
    end to end: ``quotaopt.load_scenario`` (read + check the CSV) → ``quotaopt.solve`` →
    ``quotaopt.output.write_results`` (``allocation.csv`` + ``summary.json``). The solve is
    split into build / solve / check by the ``progress`` messages of ``quotaopt.solve``
    (``building…``, ``solving…``, ``checking…``); MIP batches are built between solves, so
    with ``method=mip`` part of the model building is counted as solve time.
``{"kind": "compare", "scenario": …}``
    load, then every variant of the scenario: ``quotaopt.compare(sc, jobs=…)`` when the
    library has it, else one ``quotaopt.solve`` per variant, one after the other (reported
    as such).
``{"kind": "naive", "scenario": …, "variant": …, "solver": "highs"|"cbc", "time_limit": …}``
    load, then the naive reference of :mod:`benchmarks.naive` (build, stage 1, stage 2).
``{"kind": "floor", "units": <units.csv>, "out": …}``
    the I/O floor (issue #16): pyarrow reads the units CSV (its default options: types
    inferred, several threads) and writes a CSV of the allocation's shape — the same rows,
    its 21 columns (4 text, 16 integer, 1 boolean), pyarrow's default quoting — to a file,
    flushed to disk (``fsync``) as quotaopt's files are. No checks, no solve: what any
    program that reads this file and writes that one must at least spend.
"""

from __future__ import annotations

import inspect
import json
import resource
import sys
import time
from typing import Any


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    On Linux this is ``VmHWM`` of ``/proc/self/status``: the high-water mark of this
    process's own address space. ``ru_maxrss`` is not used there because Linux carries it
    across ``execve`` from the address space it replaces, and Python starts this runner with
    ``vfork`` + ``exec``: the parent's peak (e.g. 820 MB after generating a 10⁶-unit
    province in the same ``python -m benchmarks`` run) became the child's reported peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def _objectives(summary: dict[str, Any]) -> dict[str, str | None]:
    obj = summary.get("objective") or {}
    stage3 = obj.get("distance_from_quotas")
    return {"stage1": obj.get("weighted_appointments_exact"),
            "stage2": None if obj.get("distance_from_base_caps") is None
            else str(obj["distance_from_base_caps"]),
            "stage3": None if stage3 is None else f"{stage3:.9f}"}


def _split(events: list[tuple[float, str]], start: float, end: float) -> dict[str, float]:
    """Seconds per kind of progress message (its first word), from start to end."""
    out = {"building": 0.0, "solving": 0.0, "checking": 0.0}
    marks = [(start, "building")] + events + [(end, "")]
    for (t, msg), (t_next, _) in zip(marks, marks[1:], strict=False):
        kind = msg.split(" ", 1)[0] if msg else "building"
        out[kind if kind in out else "solving"] += t_next - t
    return out


def run_quotaopt(cfg: dict[str, Any]) -> dict[str, Any]:
    import quotaopt
    from quotaopt.output import prepare_out_dir, write_results

    rss_imported = peak_rss_mb()
    t0 = time.perf_counter()
    sc = quotaopt.load_scenario(cfg["scenario"])
    t1 = time.perf_counter()
    events: list[tuple[float, str]] = []
    kwargs: dict[str, Any] = {}
    has_progress = "progress" in inspect.signature(quotaopt.solve).parameters
    if has_progress:
        kwargs["progress"] = lambda msg: events.append((time.perf_counter(), msg))
    if cfg.get("time_limit") is not None:
        kwargs["time_limit"] = cfg["time_limit"]
    res = quotaopt.solve(sc, cfg.get("variant"), backend=cfg.get("backend"),
                         method=cfg.get("method"), **kwargs)
    t2 = time.perf_counter()
    out = prepare_out_dir(cfg["out"])
    write_results(res, out)
    t3 = time.perf_counter()
    split = _split(events, t1, t2) if has_progress else {
        "building": None, "solving": t2 - t1, "checking": None}
    solver = res.summary.get("solver", {})
    return {
        "status": res.status.value,
        "units": res.summary.get("units"),
        "pools": res.summary.get("pools"),
        "scope": res.summary.get("policy", {}).get("scope"),
        "load": t1 - t0,
        "build": split["building"],
        "solve": split["solving"],
        "check": split["checking"],
        "write": t3 - t2,
        "total": t3 - t0,
        "units_structured": solver.get("units_structured"),
        "units_mip": solver.get("units_mip"),
        "progress": [[round(t - t1, 4), m] for t, m in events],
        "rss_imported_mb": rss_imported,
        **_objectives(res.summary),
    }


def run_compare(cfg: dict[str, Any]) -> dict[str, Any]:
    import quotaopt

    rss_imported = peak_rss_mb()
    t0 = time.perf_counter()
    sc = quotaopt.load_scenario(cfg["scenario"])
    t1 = time.perf_counter()
    names = list(sc.variant_names)
    compare = getattr(quotaopt, "compare", None)
    if callable(compare):
        jobs = cfg.get("jobs", 1)
        table = compare(sc, jobs=jobs)
        how = f"quotaopt.compare(jobs={jobs})"
        statuses = [str(s) for s in table["status"].tolist()] if "status" in table else None
    else:
        statuses = [quotaopt.solve(sc, name).status.value for name in names]
        how = f"{len(names)} sequential quotaopt.solve calls (quotaopt.compare not available)"
    t2 = time.perf_counter()
    return {
        "status": "optimal" if statuses is None or set(statuses) == {"optimal"} else
        ",".join(statuses),
        "units": int(len(sc.units)),
        "variants": len(names),
        "how": how,
        "load": t1 - t0,
        "build": None,
        "solve": t2 - t1,
        "check": None,
        "write": None,
        "total": t2 - t0,
        "rss_imported_mb": rss_imported,
        "stage1": None,
        "stage2": None,
        "stage3": None,
    }


def run_naive(cfg: dict[str, Any]) -> dict[str, Any]:
    import quotaopt

    from .naive import solve_naive

    rss_imported = peak_rss_mb()
    t0 = time.perf_counter()
    sc = quotaopt.load_scenario(cfg["scenario"])
    v = sc.variant(cfg.get("variant"))
    t1 = time.perf_counter()
    r = solve_naive(v.policy, v.units, cfg["solver"], cfg.get("time_limit"))
    t2 = time.perf_counter()
    return {
        "status": r.status,
        "units": int(len(v.units)),
        "scope": v.policy.scope.value,
        "load": t1 - t0,
        "build": r.build_seconds,
        "solve": r.solve_seconds,
        "stage1_seconds": r.stage1_seconds,
        "stage2_seconds": r.stage2_seconds,
        "check": None,
        "write": None,
        "total": t2 - t0,
        "variables": r.variables,
        "constraints": r.constraints,
        "message": r.message,
        "time_limit": cfg.get("time_limit"),
        "rss_imported_mb": rss_imported,
        "stage1": None if r.stage1 is None else str(r.stage1),
        "stage2": None if r.stage2 is None else str(r.stage2),
        "stage3": None if r.stage3 is None else f"{float(r.stage3):.9f}",
    }


def run_floor(cfg: dict[str, Any]) -> dict[str, Any]:
    import os
    from pathlib import Path

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rss_imported = peak_rss_mb()
    t0 = time.perf_counter()
    units = pacsv.read_csv(cfg["units"])
    t1 = time.perf_counter()
    cols = units.columns
    ints = [c for c in cols if pa.types.is_integer(c.type)]
    text = [c for c in cols if not pa.types.is_integer(c.type)][:4]
    shaped = text + [ints[k % len(ints)] for k in range(16)] + [
        pc.greater(ints[0], ints[1])]
    table = pa.table(shaped, names=[f"c{j}" for j in range(len(shaped))])
    out = Path(cfg["out"])
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "allocation-shaped.csv", "wb") as fh:
        pacsv.write_csv(table, fh)
        fh.flush()
        os.fsync(fh.fileno())
    t2 = time.perf_counter()
    return {"status": "optimal", "units": units.num_rows, "scope": "pool", "load": t1 - t0,
            "build": None, "solve": None, "check": None, "write": t2 - t1, "total": t2 - t0,
            "rss_imported_mb": rss_imported, "stage1": None, "stage2": None, "stage3": None}


RUNNERS = {"quotaopt": run_quotaopt, "compare": run_compare, "naive": run_naive,
           "floor": run_floor}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    cfg = json.loads(args[0])
    out = RUNNERS[cfg["kind"]](cfg)
    out["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
