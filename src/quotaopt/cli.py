"""The ``quotaopt`` command line: its commands. Each parses its options, calls the library,
and prints what the presentation layer renders.

What the commands share lives beside this module: :mod:`quotaopt.cli_exit` (exit codes, the
status → exit code mapping, errors turned into messages), :mod:`quotaopt.cli_options` (shared
options, the files a command reads and writes), :mod:`quotaopt.cli_terminal` (every printed
line, progress) and :mod:`quotaopt.cli_language` (the language of everything printed, help
included). Together they are the only code that prints or chooses exit codes.

Exit codes: 0 success · 1 audit found violations · 2 bad input or usage · 3 infeasible ·
4 no proven optimum (time limit, solver missing or failed) · 70 internal error (a bug).
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

from .audit import audit, write_audit
from .backends import Status
from .cli_exit import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    SHOWN_PROBLEMS,
    STATUS_EXIT,
    QuotaoptGroup,
    audit_exit_code,
    record_written,
    status_exit_code,
)
from .cli_language import help_texts, setup_language, translate_help
from .cli_options import (
    AUDIT_FILES,
    RESULT_FILES,
    comparison_files,
    encoding_option,
    input_files,
    out_option,
    plan_files,
    quiet_option,
    scenario_argument,
    solver_options,
    variant_option,
)
from .cli_terminal import ProgressDisplay, echo, show_progress, terminal_text
from .compare import compare_variants, resolve_variants
from .explain import explain
from .i18n import LANGUAGES, _, language
from .messages import render
from .meta import __version__
from .output import FORMATS, prepare_out_dir, verify_result_file, write_files, write_results
from .report import REPORT_FORMATS, render_text, require_matplotlib, write_comparison
from .scenario import Scenario, load_scenario
from .solve import precheck_reasons, solve
from .text import compare_status_error, render_summary, render_validation, status_error
from .uniqueness import alternative_optima


def load(path: Path) -> Scenario:
    """:func:`load_scenario`, with its warnings on stderr."""
    sc = load_scenario(path)
    for w in sc.warnings:
        echo(render("warning", {"text": str(w)}), err=True)
    return sc


@click.group(cls=QuotaoptGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quotaopt")
@click.option("--debug", is_flag=True, help="Show the Python traceback of internal errors.")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None,
              help="Language of everything quotaopt writes: zh (Chinese) or en (English); "
                   "also accepted after the command. Default: QUOTAOPT_LANG, else the "
                   "locale (LC_ALL, LC_MESSAGES, LANG starting with zh: Chinese), else en.")
def main(debug: bool, lang: str | None) -> None:
    """Plan senior / intermediate / junior posts of township public institutions.

    Exit codes: 0 success, 1 audit found violations, 2 bad input or usage,
    3 infeasible, 4 no proven optimum, 70 internal error.
    """


# --------------------------------------------------------------------------------------------
# validate


@main.command()
@scenario_argument
def validate(scenario: Path) -> None:
    """Check a scenario and its units tables; report every problem, exit 0, 2 or 3.

    Exit 3 when a variant fails a feasibility condition that run checks before solving
    (incumbents above protected caps, minimums that cannot fit): the same reasons as run."""
    sc = load(scenario)
    infeasible = {name: reasons for name in sc.variant_names
                  if (reasons := precheck_reasons(sc, name))}
    echo(render_validation(sc, scenario, infeasible))
    for name, reasons in infeasible.items():
        echo(render("validate_infeasible", {"variant": name, "reasons": reasons}), err=True)
    if infeasible:
        sys.exit(status_exit_code(Status.INFEASIBLE))


# --------------------------------------------------------------------------------------------
# run


@main.command()
@scenario_argument
@variant_option("Variant to solve (default: baseline).")
@out_option("Folder for the result files (created if missing). Without it, only prints.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv: allocation.csv + summary.json; xlsx: results.xlsx; "
                   "json: allocation.json + summary.json.")
@solver_options(solver_help="highs | cbc | pulp:<PuLP solver class>; default: the scenario's, "
                            "else the fastest installed.",
                time_limit_help="Seconds; on expiry without proof the run exits 4.",
                method_help="auto: exact structured method where it applies, MIP elsewhere "
                            "(default); mip: the MIP for everything.")
@click.option("--check-unique", is_flag=True,
              help="Also check whether another optimal plan gives any unit other senior or "
                   "senior+intermediate posts (up to 4 extra solves per unit: opt-in).")
@encoding_option
@quiet_option
def run(scenario: Path, variant: str | None, out_dir: Path | None, fmt: str,
        solver: str | None, time_limit: float | None, method: str | None,
        check_unique: bool, encoding: str | None, quiet: bool) -> None:
    """Solve a scenario, print a summary table and write the results.

    On a terminal, a run that takes more than about 2 s shows its stages on stderr.
    """
    progress = ProgressDisplay(enabled=show_progress(quiet))
    try:
        progress(_("reading the scenario and units table"))
        sc = load(scenario)
        sc.variant(variant)  # unknown variant: exit 2 before anything else
        if out_dir is not None:
            prepare_out_dir(out_dir, RESULT_FILES[fmt], input_files(sc))
        res = solve(sc, variant, backend=solver, time_limit=time_limit, method=method,
                    progress=progress)
        unique = None
        if check_unique:
            progress(_("checking for other optimal plans"))
            unique = alternative_optima(sc, variant, res, time_limit=time_limit)
            res = res.with_uniqueness(unique.as_dict())
        paths: list[Path] = []
        if out_dir is not None and res.has_plan:
            progress(_("writing results"))
            paths = write_results(res, out_dir, fmt, encoding, *plan_files(res, fmt))
            record_written(paths)
    finally:
        progress.close()
    if not quiet:
        echo(render_summary(res))
        if unique is not None:
            echo(unique.describe())
        if paths:
            echo(render("wrote", {"paths": [str(p) for p in paths]}))
    error = status_error(res)
    if error:
        echo(error, err=True)
    sys.exit(status_exit_code(res.status))


# --------------------------------------------------------------------------------------------
# compare


@main.command("compare")
@scenario_argument
@click.option("--variants", default=None,
              help="Comma-separated variants to compare with the baseline (default: all).")
@click.option("--baseline", default="baseline", show_default=True,
              help="The variant the others are compared with.")
@out_option("Folder for report.html, comparison.xlsx and the CSVs (created if missing).")
@click.option("--format", "fmt", default="html,xlsx,csv", show_default=True,
              help="With --out: which files, comma-separated (html, xlsx, csv).")
@solver_options(time_limit_help="Seconds per variant; as for run.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Variants solved at once in separate processes (default: 1 for small "
                   "scenarios, else one per CPU). The results are the same either way.")
@encoding_option
@quiet_option
def compare_cmd(scenario: Path, variants: str | None, baseline: str, out_dir: Path | None,
                fmt: str, solver: str | None, time_limit: float | None,
                method: str | None, jobs: int | None, encoding: str | None,
                quiet: bool) -> None:
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
        raise click.BadParameter(_("{value}: choose from html, xlsx, csv (comma-separated)")
                                 .format(value=repr(fmt)),
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
        paths = write_comparison(comp, out_dir, formats, language(), encoding)
        record_written(paths)
        if not quiet:
            echo(render("wrote", {"paths": [str(p) for p in paths]}))
    error = compare_status_error(comp.statuses)
    if error:
        echo(error, err=True)
    sys.exit(status_exit_code(*comp.statuses.values()))


# --------------------------------------------------------------------------------------------
# explain, audit


@main.command("explain")
@scenario_argument
@click.option("--unit", "unit_id", required=True,
              help="The unit_id to explain, or the unit's name when no other unit has it.")
@variant_option()
@solver_options()
def explain_cmd(scenario: Path, unit_id: str, variant: str | None, solver: str | None,
                time_limit: float | None, method: str | None) -> None:
    """Why a unit gets its posts: its caps with the arithmetic, what binds, what one more
    post would buy, and whether another optimal plan differs for it."""
    sc = load(scenario)
    e = explain(sc, unit_id, variant, backend=solver, time_limit=time_limit, method=method)
    echo(str(e))
    sys.exit(status_exit_code(e.status))


@main.command("audit")
@scenario_argument
@click.option("--plan", "plan", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV or XLSX: unit_id, posts_senior, posts_intermediate, posts_junior "
                   "(and optionally appointed_senior, appointed_intermediate); other columns "
                   "are ignored.")
@variant_option()
@out_option("Folder for violations.csv and audit.json (created if missing).")
@solver_options(solver_help="As for run (the optimum to compare with).",
                time_limit_help="Seconds for solving the optimum; as for run.")
@encoding_option
def audit_cmd(scenario: Path, plan: Path, variant: str | None, out_dir: Path | None,
              solver: str | None, time_limit: float | None, method: str | None,
              encoding: str | None) -> None:
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
        same, text = pair
        echo(text if same else render("warning", {"text": text}), err=not same)
    if out_dir is not None:
        paths = write_audit(result, out_dir, encoding)
        record_written(paths)
        echo(render("wrote", {"paths": [str(p) for p in paths]}))
    sys.exit(audit_exit_code(result))


# --------------------------------------------------------------------------------------------
# init


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing example files.")
def init(directory: Path, force: bool) -> None:
    """Write a small worked example (scenario.toml + units.csv) to start from; with
    --lang zh the scenario's comments are in Chinese."""
    names = ("scenario.toml", "units.csv")
    targets = [directory / n for n in names]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise click.UsageError(render("init_will_not_overwrite",
                                      {"files": [str(t) for t in existing]}))
    directory.mkdir(parents=True, exist_ok=True)
    templates = resources.files("quotaopt").joinpath("templates")
    # in Chinese mode the scenario's comments are Chinese; its settings are the same
    sources = [templates.joinpath("zh", "scenario.toml") if language() == "zh"
               else templates.joinpath("scenario.toml"), templates.joinpath("units.csv")]
    write_files([(target, source.read_bytes())
                 for source, target in zip(sources, targets, strict=True)])
    echo(render("init_done", {"scenario": str(targets[0]), "units": str(targets[1]),
                              "out": str(directory / "out")}))


#: The command, and the names of the modules beside it that were always reached from here
#: (tests, scripts/i18n.py and scripts/gen_cli_docs.py, docs/architecture.md).
__all__ = [
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "SHOWN_PROBLEMS",
    "STATUS_EXIT",
    "ProgressDisplay",
    "QuotaoptGroup",
    "echo",
    "help_texts",
    "main",
    "out_option",
    "quiet_option",
    "setup_language",
    "show_progress",
    "solver_options",
    "status_exit_code",
    "terminal_text",
    "translate_help",
    "variant_option",
]


if __name__ == "__main__":  # pragma: no cover
    main()
