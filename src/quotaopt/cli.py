"""The ``quotaopt`` command line. The only module that prints or chooses exit codes.

Exit codes: 0 success · 1 audit found violations · 2 bad input or usage · 3 infeasible ·
4 no proven optimum (time limit, solver missing or failed) · 70 internal error (a bug).
"""

from __future__ import annotations

import errno
import io
import os
import re
import sys
import threading
import time
import traceback
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import IO, Any

import click

from . import __version__, _startup
from .audit import audit, write_audit
from .backends import Status
from .caps import compute_limits
from .compare import compare_variants, resolve_variants
from .errors import InputError, InternalError, QuotaoptError
from .explain import alternative_optima, explain
from .output import (
    FORMATS,
    prepare_out_dir,
    verify_result_file,
    write_files,
    write_results,
)
from .report import (
    LANGS,
    REPORT_FORMATS,
    render_text,
    require_matplotlib,
    text_table,
    write_comparison,
)
from .scenario import Scenario, Scope, load_scenario
from .solve import Result, solve, solve_status_exit_code

EXIT_INTERNAL = InternalError.exit_code
#: Problems shown for bad input; the rest are counted ("… and N more").
SHOWN_PROBLEMS = 50


#: Characters never sent to a terminal as they are: control characters (C0 but newline, DEL,
#: C1 — ESC and CSI start the sequences that clear a screen or retitle a window), the
#: bidirectional overrides that reorder what is shown, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` made inert for a terminal: unsafe characters as visible escapes (``\\x1b``)."""
    return _UNSAFE.sub(_escape, text)


def echo(message: str = "", err: bool = False) -> None:
    """Print one message — the only way this module prints. Text from input files (unit
    names, types, variant names, file contents in error messages) goes through
    :func:`terminal_text` here. A closed pipe (``quotaopt compare … | head -1``) drops the
    rest of the printout silently; the command still finishes (result files are written)."""
    try:
        click.echo(terminal_text(message), err=err)
    except BrokenPipeError:
        _discard(sys.stderr if err else sys.stdout)


def _discard(stream: IO[str]) -> None:
    """Send what is still written to ``stream`` (and Python's final flush) to the null
    device."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _debug_first(args: list[str]) -> list[str]:
    """``--debug`` is an option of ``quotaopt`` itself; accept it after the command too."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[:end]:
        return args
    return ["--debug"] + [a for a in args[:end] if a != "--debug"] + args[end:]


#: errno values that mean the machine, not quotaopt, failed (exit 2, like bad input).
_ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS,
                errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.EIO,
                errno.EMFILE, errno.ENFILE, errno.ENAMETOOLONG, errno.EFBIG, errno.EBUSY,
                errno.ELOOP, errno.ENOTEMPTY, errno.ESTALE}


class QuotaoptGroup(click.Group):
    """Turns library errors into messages and exit codes — in exactly one place."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        args = _debug_first(list(sys.argv[1:] if args is None else args))
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        command = _startup.is_command()
        if command:
            _startup.interrupt_raises()  # until now Ctrl-C ended the start quietly
        code: Any = 0
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
            code = rv if isinstance(rv, int) else 0
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except (click.Abort, KeyboardInterrupt):  # Ctrl-C while the arguments were read
            echo("interrupted", err=True)
            code = EXIT_INTERRUPTED
        finally:
            if command:  # and again for the way out
                _startup.quit_on_interrupt()
        sys.exit(code)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except QuotaoptError as exc:
            text = exc.text(SHOWN_PROBLEMS) if isinstance(exc, InputError) else str(exc)
            echo(f"error: {text}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException,
                BrokenPipeError):
            raise
        except KeyboardInterrupt:
            written = ctx.meta.get(_WRITTEN)
            echo("interrupted; " + ("no result files were changed" if not written else
                                    "the results were written already: "
                                    + ", ".join(str(p) for p in written)), err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno not in _ENVIRONMENT:
                self._bug(exc, debug, ctx)
            where = exc.filename if exc.filename is not None else "a file"
            echo(f"error: {where}: {exc.strerror or exc}; check the path, the free space "
                 "and the permissions", err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug: one line, the traceback only under --debug
            self._bug(exc, debug, ctx)

    @staticmethod
    def _bug(exc: Exception, debug: bool, ctx: click.Context) -> None:
        if debug:
            echo(traceback.format_exc().rstrip("\n"), err=True)
        what = " ".join(str(exc).split())
        what = what if len(what) <= 200 else what[:197] + "..."
        echo(
            f"internal error: {type(exc).__name__}: {what} — this is a bug in quotaopt "
            f"{__version__}; please report it with the input files (run with --debug for "
            "the traceback)",
            err=True,
        )
        ctx.exit(EXIT_INTERNAL)


EXIT_INTERRUPTED = _startup.EXIT_INTERRUPTED
#: The files each command writes into --out (checked before solving).
RESULT_FILES = {"csv": ("allocation.csv", "summary.json"),
                "json": ("allocation.json", "summary.json"), "xlsx": ("results.xlsx",)}
AUDIT_FILES = ("violations.csv", "audit.json")


def comparison_files(formats: list[str]) -> list[str]:
    names = {"html": ["report.html"], "xlsx": ["comparison.xlsx"],
             "csv": [f"{key}.csv" for key in ("kpi", "by_type", "unit_diff", "movers", "rules")]}
    return [n for f in formats for n in names[f]]
#: Key in the context's ``meta``: result files the command has written (for Ctrl-C's message).
_WRITTEN = "quotaopt.written"


def _wrote(paths: list[Path]) -> None:
    click.get_current_context().meta[_WRITTEN] = list(paths)


def input_files(sc: Scenario, *more: Path) -> list[Path]:
    """The files a command reads: the scenario file, its units tables, and ``more``."""
    files = list(more)
    if sc.path is not None:
        files.append(sc.path)
        for name in sc.variant_names:
            units_file = sc.variant(name).units_file
            if units_file:
                files.append(sc.path.parent / units_file)
    return files


def load(path: Path) -> Scenario:
    """:func:`load_scenario`, with its warnings on stderr."""
    sc = load_scenario(path)
    for w in sc.warnings:
        echo(f"warning: {w}", err=True)
    return sc


@click.group(cls=QuotaoptGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quotaopt")
@click.option("--debug", is_flag=True, help="Show the Python traceback of internal errors.")
def main(debug: bool) -> None:
    """Plan senior / intermediate / junior posts of township public institutions.

    Exit codes: 0 success, 1 audit found violations, 2 bad input or usage,
    3 infeasible, 4 no proven optimum, 70 internal error.
    """


def _fmt_share(value: Fraction) -> str:
    pct = value * 100
    pct_text = f"{float(pct):g}" if pct.denominator != 1 else str(pct.numerator)
    frac = str(value) if value.denominator != 1 else str(value.numerator)
    return f"{frac} ({pct_text} %)"


# --------------------------------------------------------------------------------------------
# validate


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
def validate(scenario: Path) -> None:
    """Check a scenario and its units tables; report every problem, exit 0 or 2."""
    sc = load(scenario)
    echo(f"{scenario}: OK — scenario {sc.name!r}, variants: "
               + ", ".join(sc.variant_names))
    for name in sc.variant_names:
        echo("")
        echo(describe_variant(sc, name))


def describe_variant(sc: Scenario, name: str) -> str:
    v = sc.variant(name)
    u, pol = v.units, v.policy
    lim = compute_limits(pol, u)
    types = sorted(set(u["type"].astype(str)))
    lines = [
        f"[{name}] units {len(u)} · pools {len(lim.pool_names)} · types {len(types)} · "
        f"total posts {int(u['total_posts'].sum())}",
        f"  ratio {pol.ratio} · scope {pol.scope} · rounding {pol.rounding} · "
        f"junior_to_intermediate {pol.junior_to_intermediate} · incumbents {pol.incumbents}",
        f"  weights senior {pol.weight_senior}, intermediate {pol.weight_intermediate}"
        + (f" · budget max_increase {pol.budget.max_increase}" if pol.budget else " · no budget")
        + f" · solver {v.solver.backend or 'default'}",
    ]
    for rule in pol.minimum:
        lines.append(f"  minimum: {rule.describe()}")
    rows = []
    for t in types:
        sh = pol.shares_for(t)
        mask = (u["type"].astype(str) == t).to_numpy()
        rows.append([t, int(mask.sum()), int(u["total_posts"][mask].sum()),
                     _fmt_share(sh.senior), _fmt_share(sh.intermediate), _fmt_share(sh.junior),
                     _fmt_share(sh.senior_intermediate_cap_share)])
    lines.append(_indent(text_table(rows, ["type", "units", "posts", "senior share",
                                           "intermediate share", "junior share",
                                           "senior+intermediate cap"], left=1)))
    if pol.scope is Scope.POOL:
        cs, csm = int(lim.pool_cap_s.sum()), int(lim.pool_cap_sm.sum())
        where = "summed over pools"
    else:
        cs, csm = int(lim.cap_s.sum()), int(lim.cap_sm.sum())
        where = "summed over units"
    lines.append(f"  caps ({where}): senior {cs} · senior+intermediate {csm}")
    return "\n".join(lines)


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


class ProgressDisplay:
    """Stage lines on stderr for slow runs: ``  3.1 s  solving …``.

    Silent unless ``enabled`` (stderr is a terminal and no --quiet), and silent for the first
    ``delay`` seconds, so quick runs print nothing. Messages are buffered; a timer thread
    shows the latest one every ``interval`` seconds once the delay has passed.
    """

    def __init__(self, enabled: bool, delay: float = 2.0, interval: float = 0.25):
        self.enabled, self.delay, self.interval = enabled, delay, interval
        self.started = time.monotonic()
        self._latest: tuple[float, str] | None = None
        self._shown: tuple[float, str] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()

    def __call__(self, message: str) -> None:
        if self.enabled:
            with self._lock:
                self._latest = (time.monotonic() - self.started, message)

    def _loop(self) -> None:
        if self._stop.wait(self.delay):
            return
        while True:
            self._show()
            if self._stop.wait(self.interval):
                return

    def _show(self) -> None:
        with self._lock:
            latest = self._latest
            if latest is None or latest is self._shown:
                return
            self._shown = latest
        echo(f"{latest[0]:7.1f} s  {latest[1]}", err=True)

    def close(self) -> None:
        """Stop the timer; if any line was shown, say how long the whole run took."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        if self._shown is not None:
            echo(f"{time.monotonic() - self.started:7.1f} s  done", err=True)


def show_progress(quiet: bool) -> bool:
    """Stage lines only for a person watching: stderr is a terminal and no --quiet."""
    return not quiet and sys.stderr.isatty()


# --------------------------------------------------------------------------------------------
# run


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--variant", "-v", default=None, help="Variant to solve (default: baseline).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the result files (created if missing). Without it, only prints.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv: allocation.csv + summary.json; xlsx: results.xlsx; "
                   "json: allocation.json + summary.json.")
@click.option("--solver", default=None,
              help="highs | cbc | pulp:<PuLP solver class>; default: the scenario's, else "
                   "the fastest installed.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds; on expiry without proof the run exits 4.")
@click.option("--method", type=click.Choice(["auto", "mip"]), default=None,
              help="auto: exact structured method where it applies, MIP elsewhere (default); "
                   "mip: the MIP for everything.")
@click.option("--check-unique", is_flag=True,
              help="Also check whether another optimal plan gives any unit other senior or "
                   "senior+intermediate posts (up to 4 extra solves per unit: opt-in).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def run(scenario: Path, variant: str | None, out_dir: Path | None, fmt: str,
        solver: str | None, time_limit: float | None, method: str | None,
        check_unique: bool, quiet: bool) -> None:
    """Solve a scenario, print a summary table and write the results.

    On a terminal, a run that takes more than about 2 s shows its stages on stderr.
    """
    progress = ProgressDisplay(enabled=show_progress(quiet))
    try:
        progress("reading the scenario and units table")
        sc = load(scenario)
        sc.variant(variant)  # unknown variant: exit 2 before anything else
        if out_dir is not None:
            prepare_out_dir(out_dir, RESULT_FILES[fmt], input_files(sc))
        res = solve(sc, variant, backend=solver, time_limit=time_limit, method=method,
                    progress=progress)
        unique = None
        if check_unique:
            progress("checking for other optimal plans")
            unique = alternative_optima(sc, variant, res, time_limit=time_limit)
            res.summary["uniqueness"] = unique.as_dict()
        paths: list[Path] = []
        if out_dir is not None and res.has_plan:
            progress("writing results")
            paths = write_results(res, out_dir, fmt)
            _wrote(paths)
    finally:
        progress.close()
    if not quiet:
        echo(render_summary(res))
        if unique is not None:
            echo(unique.describe())
        if paths:
            echo("wrote " + ", ".join(str(p) for p in paths))
    code = solve_status_exit_code(res.status)
    if res.status is Status.INFEASIBLE:
        echo("error: the scenario is infeasible:\n"
                   + "\n".join(f"  - {r}" for r in res.reasons), err=True)
    elif res.status is Status.NOT_PROVEN:
        echo("error: time limit reached before the plan was proven optimal; the plan "
                   "shown (and written) is the best found, NOT proven optimal — raise "
                   "--time-limit", err=True)
    elif res.status is Status.NO_SOLUTION:
        echo(f"error: no plan found: {res.message}; raise --time-limit or choose "
                   "another --solver", err=True)
    sys.exit(code)


def render_summary(res: Result) -> str:
    s = res.summary
    solver = s["solver"]
    status = {"optimal": "optimal (proven, gap 0)",
              "not_proven": "NOT PROVEN optimal (time limit)",
              "infeasible": "infeasible", "no_solution": "no plan found"}[res.status.value]
    lines = [
        f"scenario {s['scenario']} · variant {s['variant']}",
        f"status: {status} · solver {solver['backend']} ({solver['version']}) · "
        f"{solver['seconds']:.2f} s",
    ]
    if "method" in solver:
        lines.append(f"method {solver['method']}: {solver['units_structured']} units by the "
                     f"exact structured method, {solver['units_mip']} by the MIP")
    if res.allocation is None:
        return "\n".join(lines)
    a = res.allocation
    pol = s["policy"]
    lines.append(f"units {s['units']} · pools {s['pools']} · total posts "
                 f"{s['totals']['total_posts']} · ratio {pol['ratio']} · scope {pol['scope']}")
    cap_s, cap_sm = s["caps"]["senior"], s["caps"]["senior_intermediate"]
    ap = s["appointments"]
    rows = [
        ["senior", int(a["posts_senior"].sum()), cap_s, int(a["senior_incumbents"].sum()),
         ap["senior"]["appointed"], ap["senior"]["waiting"], ap["senior"]["left"],
         int(a["vacant_senior"].sum())],
        ["intermediate", int(a["posts_intermediate"].sum()),
         f"(s+m {cap_sm})", int(a["intermediate_incumbents"].sum()),
         ap["intermediate"]["appointed"], ap["intermediate"]["waiting"],
         ap["intermediate"]["left"], int(a["vacant_intermediate"].sum())],
        ["junior", int(a["posts_junior"].sum()), "", int(a["junior_incumbents"].sum()),
         "", "", "", int(a["vacant_junior"].sum())],
    ]
    lines += ["", text_table(rows, ["level", "posts", "cap", "incumbents", "appointed",
                                    "waiting", "waiting left", "vacant"], left=1)]
    trows = []
    for t, d in s["by_type"].items():
        trows.append([t, d["units"], d["total_posts"], d["posts_senior"],
                      d["posts_intermediate"], d["posts_junior"],
                      f"{d['appointed_senior']}/{d['waiting_senior']}",
                      f"{d['appointed_intermediate']}/{d['waiting_intermediate']}"])
    lines += ["", text_table(trows, ["type", "units", "posts", "senior", "intermediate",
                                     "junior", "appointed senior", "appointed intermediate"],
                             left=1)]
    obj = s["objective"]
    lines += ["", f"objective: weighted appointments {obj['weighted_appointments_exact']} · "
                  f"distance from the base caps {obj['distance_from_base_caps']}"
                  + ("" if obj["distance_from_quotas"] is None else
                     f" · distance from the pool quotas {obj['distance_from_quotas']}")]
    if s.get("units_over_ratio"):
        lines.append(f"units over ratio (grandfathered): {s['units_over_ratio']}")
    if s.get("promotion_cost") is not None:
        lines.append(f"promotion cost {s['promotion_cost']} of budget "
                     f"{s['budget_max_increase']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# compare


@main.command("compare")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--variants", default=None,
              help="Comma-separated variants to compare with the baseline (default: all).")
@click.option("--baseline", default="baseline", show_default=True,
              help="The variant the others are compared with.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for report.html, comparison.xlsx and the CSVs (created if missing).")
@click.option("--format", "fmt", default="html,xlsx,csv", show_default=True,
              help="With --out: which files, comma-separated (html, xlsx, csv).")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True,
              help="Sheet names and column headers of the XLSX workbook (zh: Chinese).")
@click.option("--solver", default=None, help="As for run.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per variant; as for run.")
@click.option("--method", type=click.Choice(["auto", "mip"]), default=None, help="As for run.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Variants solved at once in separate processes (default: 1 for small "
                   "scenarios, else one per CPU). The results are the same either way.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def compare_cmd(scenario: Path, variants: str | None, baseline: str, out_dir: Path | None,
                fmt: str, lang: str, solver: str | None, time_limit: float | None,
                method: str | None, jobs: int | None, quiet: bool) -> None:
    """Solve the baseline and the variants and show them side by side.

    Prints what each variant changes in the rules, the key figures with their change
    against the baseline, the same by unit type, and the units that gain or lose posts.
    With --out it also writes an HTML report with charts, an XLSX workbook and CSVs.

    Exit code: 0 only when every compared variant was solved to proven optimality;
    otherwise 3 if any variant is infeasible, else 4 (a variant not proven optimal, or
    without a plan). The other variants are still compared and written.
    """
    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    if not formats or set(formats) - set(REPORT_FORMATS):
        raise click.BadParameter(f"{fmt!r}: choose from html, xlsx, csv (comma-separated)",
                                 param_hint="--format")
    sc = load(scenario)
    names = resolve_variants(sc, variants, baseline)  # unknown variant: exit 2 now
    if out_dir is not None:
        if "html" in formats:
            require_matplotlib()
        prepare_out_dir(out_dir, comparison_files(formats), input_files(sc))
    comp = compare_variants(sc, names, baseline, backend=solver, time_limit=time_limit,
                            method=method, jobs=jobs)
    if not quiet:
        echo(render_text(comp))
    if out_dir is not None:
        paths = write_comparison(comp, out_dir, formats, lang)
        _wrote(paths)
        if not quiet:
            echo("wrote " + ", ".join(str(p) for p in paths))
    codes = {solve_status_exit_code(s) for s in comp.statuses.values()}
    if codes != {0}:
        echo("error: not every variant has a proven optimal plan: " + ", ".join(
            f"{n} {s.value}" for n, s in comp.statuses.items() if s is not Status.OPTIMAL),
            err=True)
    sys.exit(3 if 3 in codes else max(codes))


# --------------------------------------------------------------------------------------------
# explain, audit


@main.command("explain")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "unit_id", required=True, help="The unit_id to explain.")
@click.option("--variant", "-v", default=None, help="Variant (default: baseline).")
@click.option("--solver", default=None, help="As for run.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per solve; as for run.")
@click.option("--method", type=click.Choice(["auto", "mip"]), default=None, help="As for run.")
def explain_cmd(scenario: Path, unit_id: str, variant: str | None, solver: str | None,
                time_limit: float | None, method: str | None) -> None:
    """Why a unit gets its posts: its caps with the arithmetic, what binds, what one more
    post would buy, and whether another optimal plan differs for it."""
    sc = load(scenario)
    e = explain(sc, unit_id, variant, backend=solver, time_limit=time_limit, method=method)
    echo(str(e))
    sys.exit(solve_status_exit_code(e.status))


@main.command("audit")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV or XLSX: unit_id, posts_senior, posts_intermediate, posts_junior "
                   "(and optionally appointed_senior, appointed_intermediate); other columns "
                   "are ignored.")
@click.option("--variant", "-v", default=None, help="Variant (default: baseline).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for violations.csv and audit.json (created if missing).")
@click.option("--solver", default=None, help="As for run (the optimum to compare with).")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds for solving the optimum; as for run.")
@click.option("--method", type=click.Choice(["auto", "mip"]), default=None, help="As for run.")
def audit_cmd(scenario: Path, plan: Path, variant: str | None, out_dir: Path | None,
              solver: str | None, time_limit: float | None, method: str | None) -> None:
    """Check a hand-made plan against the policy: every violation, one line each (exit 1 if
    any, 0 if none), and the appointments it leaves on the table."""
    sc = load(scenario)
    sc.variant(variant)
    if out_dir is not None:
        prepare_out_dir(out_dir, AUDIT_FILES, input_files(sc, plan))
    result = audit(sc, plan, variant, backend=solver, time_limit=time_limit, method=method)
    echo("\n".join(result.lines()))
    pair = verify_result_file(plan)  # the plan of a run: does it belong to its summary.json?
    if pair is not None:
        echo(pair if " is the file " in pair else f"warning: {pair}", err=" NOT " in pair)
    if out_dir is not None:
        paths = write_audit(result, out_dir)
        _wrote(paths)
        echo("wrote " + ", ".join(str(p) for p in paths))
    sys.exit(result.exit_code)


# --------------------------------------------------------------------------------------------
# init


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing example files.")
def init(directory: Path, force: bool) -> None:
    """Write a small worked example (scenario.toml + units.csv) to start from."""
    names = ("scenario.toml", "units.csv")
    targets = [directory / n for n in names]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise click.UsageError(
            "will not overwrite " + ", ".join(str(t) for t in existing) + " (use --force)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    write_files([(target, resources.files("quotaopt").joinpath("templates", name).read_bytes())
                 for name, target in zip(names, targets, strict=True)])
    echo(f"wrote {targets[0]} and {targets[1]}\n"
         f"next: quotaopt validate {targets[0]}\n"
         f"      quotaopt run {targets[0]} --out {directory / 'out'}")


if __name__ == "__main__":  # pragma: no cover
    main()
