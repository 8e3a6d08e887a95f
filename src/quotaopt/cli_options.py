"""What the ``quotaopt`` commands share besides their code: the options and arguments every
command declares the same way (:func:`solver_options`, :func:`variant_option`,
:func:`out_option`, :func:`encoding_option`, :func:`quiet_option`, :func:`scenario_argument`),
and the files a command reads and writes (checked before anything is solved)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click

from . import plan_table
from .output import CSV_ENCODINGS
from .scenario import Scenario
from .solve import METHODS

#: The files each command writes into --out (checked before solving).
RESULT_FILES = {"csv": ("allocation.csv", "summary.json"),
                "json": ("allocation.json", "summary.json"),
                "xlsx": ("results.xlsx", "plan.html")}
AUDIT_FILES = ("violations.csv", "audit.json")


def comparison_files(formats: list[str]) -> list[str]:
    """The files ``quotaopt compare --out`` writes for ``formats`` (html, xlsx, csv)."""
    names = {"html": ["report.html"], "xlsx": ["comparison.xlsx"],
             "csv": [f"{key}.csv" for key in ("kpi", "by_type", "unit_diff", "movers", "rules")]}
    return [n for f in formats for n in names[f]]


def plan_files(res: Any, fmt: str) -> tuple[Any, list[tuple[str, bytes]]]:
    """With ``--format xlsx``: the plan table as a sheet of results.xlsx and as plan.html."""
    if fmt != "xlsx" or res.allocation is None:
        return None, []
    day = plan_table.table_date()
    return (partial(plan_table.add_sheet, res=res, day=day),
            [("plan.html", plan_table.render_html(res, day).encode("utf-8"))])


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


F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def scenario_argument(fn: F) -> F:
    """The scenario file, every command's first argument."""
    return click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))(fn)


def variant_option(help: str = "Variant (default: baseline).") -> Decorator[Any]:
    """--variant / -v, with the command's own help."""
    return click.option("--variant", "-v", default=None, help=help)


def out_option(help: str) -> Decorator[Any]:
    """--out, the folder for the command's result files."""
    return click.option("--out", "out_dir", default=None, help=help,
                        type=click.Path(file_okay=False, path_type=Path))


def solver_options(solver_help: str = "As for run.",
                   time_limit_help: str = "Seconds per solve; as for run.",
                   method_help: str = "As for run.") -> Decorator[Any]:
    """--solver, --time-limit and --method, as every solving command takes them."""
    def decorate(fn: F) -> F:
        fn = click.option("--method", type=click.Choice(list(METHODS)), default=None,
                          help=method_help)(fn)
        fn = click.option("--time-limit", type=click.FloatRange(min=0, min_open=True),
                          default=None, help=time_limit_help)(fn)
        return click.option("--solver", default=None, help=solver_help)(fn)
    return decorate


def encoding_option(fn: F) -> F:
    """--encoding of the CSV files written."""
    return click.option(
        "--encoding", type=click.Choice(CSV_ENCODINGS), default=None,
        help="Text encoding of the CSV files written: utf-8-sig (with the byte-order mark "
             "Excel needs to read Chinese; the default in Chinese mode), utf-8 (the default "
             "in English mode) or gbk.")(fn)


def quiet_option(fn: F) -> F:
    """--quiet / -q: only errors are printed."""
    return click.option("--quiet", "-q", is_flag=True, help="Print only errors.")(fn)
