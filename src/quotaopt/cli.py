"""The ``quotaopt`` command line. The only module that prints or chooses exit codes.

Exit codes: 0 success · 1 audit found violations · 2 bad input or usage · 3 infeasible ·
4 no proven optimum (time limit, solver missing or failed) · 70 internal error (a bug).
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import re
import sys
import threading
import time
import traceback
import unicodedata
from collections.abc import Callable
from functools import partial
from importlib import resources
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from . import _startup, plan_table
from .audit import audit, write_audit
from .backends import Status
from .compare import compare_variants, resolve_variants
from .errors import InputError, InternalError, QuotaoptError
from .explain import explain
from .i18n import (
    LANGUAGES,
    LanguageError,
    _,
    choose_language,
    click_gettext,
    click_ngettext,
    language,
    set_language,
)
from .messages import render
from .meta import __version__
from .output import (
    CSV_ENCODINGS,
    FORMATS,
    prepare_out_dir,
    verify_result_file,
    write_files,
    write_results,
)
from .report import (
    REPORT_FORMATS,
    render_text,
    require_matplotlib,
    write_comparison,
)
from .scenario import Scenario, load_scenario
from .solve import METHODS, precheck_reasons, solve
from .text import compare_status_error, describe_variant, render_summary, status_error
from .uniqueness import alternative_optima

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
    """``--debug`` and ``--lang`` are options of ``quotaopt`` itself; accept them after the
    command too (``quotaopt run s.toml --lang zh``)."""
    end = args.index("--") if "--" in args else len(args)
    head, front = [], []
    i = 0
    while i < end:
        a = args[i]
        if a == "--debug":
            front.append(a)
        elif a == "--lang" and i + 1 < end:
            front += [a, args[i + 1]]
            i += 1
        elif a.startswith("--lang="):
            front.append(a)
        else:
            head.append(a)
        i += 1
    return front + head + args[end:] if front else args


def _lang_option(args: list[str]) -> str | None:
    """The value of ``--lang`` among ``args`` (after :func:`_debug_first`), or None."""
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--lang="):
            return a.partition("=")[2]
    return None


#: Click modules whose own strings (usage errors, help headings) go through gettext.
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion",
                  "termui", "types", "utils")


def _translate_click() -> None:
    """Click marks its strings with the standard library's gettext (domain ``messages``);
    send them to quotaopt's ``click`` catalog instead, so the language rule holds for them."""
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a Click without this module
            continue
        if hasattr(module, "_"):
            module._ = click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = click_ngettext  # type: ignore[attr-defined]


#: The English help of each command and option, kept when the help is translated.
_HELP_MSGIDS: dict[int, tuple[str | None, str | None]] = {}


def help_texts(group: click.Group) -> list[str]:
    """Every help text of the commands and options (scripts/i18n.py extracts them)."""
    texts: list[str] = []
    for obj in _help_objects(group):
        for text in _HELP_MSGIDS.get(id(obj), (getattr(obj, "help", None),
                                               getattr(obj, "epilog", None))):
            if text:
                texts.append(text)
    return texts


def _help_objects(group: click.Group) -> list[Any]:
    objs: list[Any] = [group, *group.params]
    for cmd in group.commands.values():
        objs += [cmd, *cmd.params]
    return objs


def translate_help(group: click.Group) -> None:
    """Put the help of every command and option in the language in use."""
    for cmd in [group, *group.commands.values()]:
        # Click builds --help's option once per command, its help text in the language of
        # that moment: build it again
        if getattr(cmd, "_help_option", None) is not None:
            cmd._help_option = None
    for obj in _help_objects(group):
        key = id(obj)
        if key not in _HELP_MSGIDS:
            _HELP_MSGIDS[key] = (getattr(obj, "help", None), getattr(obj, "epilog", None))
        text, epilog = _HELP_MSGIDS[key]
        kind = getattr(obj, "type", None)
        if isinstance(kind, click.Path):  # named when the option was made, in English
            kind.name = click_gettext("file" if kind.file_okay and not kind.dir_okay else
                                      "directory" if kind.dir_okay and not kind.file_okay
                                      else "path")
        if text:
            obj.help = _(text)
        if epilog:
            obj.epilog = _(epilog)


def setup_language(group: click.Group, args: list[str]) -> None:
    """Choose the language (``--lang``, ``QUOTAOPT_LANG``, the locale, English) and put
    quotaopt's and Click's texts in it — before Click reads the arguments, so that usage
    errors are in it too."""
    try:
        lang = choose_language(_lang_option(args))
    except LanguageError as exc:
        if _lang_option(args) is not None:
            lang = "en"  # Click's own check of --lang reports the bad value
        else:
            set_language("en")
            raise click.UsageError(str(exc)) from None
    set_language(lang)
    _translate_click()
    _wrap_by_display_width(lang == "zh")
    translate_help(group)


#: Click's own width functions, put back in English mode.
_CLICK_WIDTH: dict[str, Any] = {}


def _display_len(text: str) -> int:
    """Columns ``text`` takes on a terminal: a wide (East Asian ``W``/``F``) character two,
    any other one; ANSI colour codes none."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in click.unstyle(text))


def _truncate_display(text: str, n: int) -> str:
    """The longest prefix of ``text`` that fits in ``n`` columns (at least one character,
    as Click's own cut, so that wrapping always moves on)."""
    if n <= 0:
        return ""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used > n:
            return text[:max(i, 1)]
    return text


def _split_wide(wrapper: Any, text: str) -> list[str]:
    """Click's chunks of ``text``, each wide character a chunk of its own: Chinese has no
    spaces, so a line may break between any two characters — and not inside a Latin word
    such as ``results.xlsx`` standing between them."""
    out: list[str] = []
    for chunk in _CLICK_WIDTH["split"](wrapper, text):
        run = ""
        for ch in chunk:
            if unicodedata.east_asian_width(ch) in "WF":
                out += [run, ch] if run else [ch]
                run = ""
            else:
                run += ch
        if run:
            out.append(run)
    return out


def _wrap_by_display_width(on: bool) -> None:
    """Click wraps help by characters; a Chinese character takes two columns, so Chinese
    help would be up to twice as wide as the terminal. In Chinese mode Click measures
    display columns instead (its ``term_len`` and its long-word cut) and may break a line
    between two Chinese characters."""
    import click._textwrap as click_textwrap
    import click.formatting as click_formatting

    wrapper = click_textwrap.TextWrapper
    if not _CLICK_WIDTH:
        _CLICK_WIDTH.update(textwrap_len=getattr(click_textwrap, "term_len", None),
                            truncate=getattr(click_textwrap, "_truncate_visible", None),
                            formatting_len=getattr(click_formatting, "term_len", None),
                            split=wrapper._split)
    patches = ((click_textwrap, "term_len", _display_len, "textwrap_len"),
               (click_textwrap, "_truncate_visible", _truncate_display, "truncate"),
               (click_formatting, "term_len", _display_len, "formatting_len"),
               (wrapper, "_split", _split_wide, "split"))
    for module, name, wide, key in patches:
        if _CLICK_WIDTH[key] is not None:  # a Click that has this function
            setattr(module, name, wide if on else _CLICK_WIDTH[key])


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
            setup_language(self, args)
            return super().main(args, prog_name, complete_var, False, **extra)
        command = _startup.is_command()
        if command:
            _startup.interrupt_raises()  # until now Ctrl-C ended the start quietly
        code: Any = 0
        try:
            setup_language(self, args)
            rv = super().main(args, prog_name, complete_var, False, **extra)
            code = rv if isinstance(rv, int) else 0
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except (click.Abort, KeyboardInterrupt):  # Ctrl-C while the arguments were read
            echo(render("interrupted", {}), err=True)
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
            echo(render("error", {"text": text}), err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException,
                BrokenPipeError):
            raise
        except KeyboardInterrupt:
            written = ctx.meta.get(_WRITTEN)
            echo(render("interrupted_after", {"written": [str(p) for p in written or ()]}),
                 err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            if exc.errno not in _ENVIRONMENT:
                self._bug(exc, debug, ctx)
            where = None if exc.filename is None else str(exc.filename)
            echo(render("environment_error", {"where": where,
                                              "reason": str(exc.strerror or exc)}), err=True)
            ctx.exit(2)
        except Exception as exc:  # a bug: one line, the traceback only under --debug
            self._bug(exc, debug, ctx)

    @staticmethod
    def _bug(exc: Exception, debug: bool, ctx: click.Context) -> None:
        if debug:
            echo(traceback.format_exc().rstrip("\n"), err=True)
        what = " ".join(str(exc).split())
        what = what if len(what) <= 200 else what[:197] + "..."
        echo(render("internal_error", {"kind": type(exc).__name__, "what": what,
                                       "version": __version__}), err=True)
        ctx.exit(EXIT_INTERNAL)


EXIT_INTERRUPTED = _startup.EXIT_INTERRUPTED
#: The files each command writes into --out (checked before solving).
RESULT_FILES = {"csv": ("allocation.csv", "summary.json"),
                "json": ("allocation.json", "summary.json"),
                "xlsx": ("results.xlsx", "plan.html")}
AUDIT_FILES = ("violations.csv", "audit.json")


def comparison_files(formats: list[str]) -> list[str]:
    names = {"html": ["report.html"], "xlsx": ["comparison.xlsx"],
             "csv": [f"{key}.csv" for key in ("kpi", "by_type", "unit_diff", "movers", "rules")]}
    return [n for f in formats for n in names[f]]
#: Key in the context's ``meta``: result files the command has written (for Ctrl-C's message).
_WRITTEN = "quotaopt.written"


def _wrote(paths: list[Path]) -> None:
    click.get_current_context().meta[_WRITTEN] = list(paths)


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


# --------------------------------------------------------------------------------------------
# Exit codes of solve statuses (SPEC section 4) — here and nowhere else

STATUS_EXIT = {Status.OPTIMAL: 0, Status.INFEASIBLE: 3, Status.NOT_PROVEN: 4,
               Status.NO_SOLUTION: 4}


def status_exit_code(*statuses: Status) -> int:
    """0 when every status is optimal; else 3 if any is infeasible, else 4."""
    codes = {STATUS_EXIT[s] for s in statuses} or {0}
    return 3 if 3 in codes else max(codes)


# --------------------------------------------------------------------------------------------
# Options shared by the commands

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def scenario_argument(fn: F) -> F:
    return click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))(fn)


def variant_option(help: str = "Variant (default: baseline).") -> Decorator[Any]:
    return click.option("--variant", "-v", default=None, help=help)


def out_option(help: str) -> Decorator[Any]:
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
    return click.option(
        "--encoding", type=click.Choice(CSV_ENCODINGS), default=None,
        help="Text encoding of the CSV files written: utf-8-sig (with the byte-order mark "
             "Excel needs to read Chinese; the default in Chinese mode), utf-8 (the default "
             "in English mode) or gbk.")(fn)


def quiet_option(fn: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, help="Print only errors.")(fn)


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
    head = {"path": str(scenario), "name": sc.name, "variants": sc.variant_names}
    echo(render("validate_infeasible_head", {**head, "count": len(infeasible)})
         if infeasible else render("scenario_ok", head))
    for name in sc.variant_names:
        echo("")
        echo(describe_variant(sc, name))
    for name, reasons in infeasible.items():
        echo(render("validate_infeasible", {"variant": name, "reasons": reasons}), err=True)
    if infeasible:
        sys.exit(3)


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
            echo(f"{time.monotonic() - self.started:7.1f} s  " + _("done"), err=True)


def show_progress(quiet: bool) -> bool:
    """Stage lines only for a person watching: stderr is a terminal and no --quiet."""
    return not quiet and sys.stderr.isatty()


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
            _wrote(paths)
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
        _wrote(paths)
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
        _wrote(paths)
        echo(render("wrote", {"paths": [str(p) for p in paths]}))
    sys.exit(result.exit_code)


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


if __name__ == "__main__":  # pragma: no cover
    main()
