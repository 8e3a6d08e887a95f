"""How the ``quotaopt`` command ends — in one place: the exit codes, the mapping of solve
statuses (and of an audit's findings) to them, and :class:`QuotaoptGroup`, which turns every
library error, fault of the machine, Ctrl-C and bug into one message and its exit code.

Exit codes: 0 success · 1 audit found violations · 2 bad input or usage · 3 infeasible ·
4 no proven optimum (time limit, solver missing or failed) · 70 internal error (a bug) ·
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import errno
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from . import _startup
from .audit import AuditResult
from .backends import Status
from .cli_language import global_options_first, setup_language
from .cli_terminal import echo
from .errors import InputError, InternalError, QuotaoptError
from .messages import render
from .meta import __version__

EXIT_OK = 0
EXIT_VIOLATIONS = 1
#: Bad input or usage, and a fault of the machine (full disk, blocked folder …).
EXIT_INPUT = 2
EXIT_INFEASIBLE = 3
#: No proven optimum: time limit, solver missing or failed.
EXIT_NOT_PROVEN = 4
EXIT_INTERNAL = InternalError.exit_code
EXIT_INTERRUPTED = _startup.EXIT_INTERRUPTED

#: Exit codes of solve statuses (SPEC section 4) — here and nowhere else.
STATUS_EXIT = {Status.OPTIMAL: EXIT_OK, Status.INFEASIBLE: EXIT_INFEASIBLE,
               Status.NOT_PROVEN: EXIT_NOT_PROVEN, Status.NO_SOLUTION: EXIT_NOT_PROVEN}


def status_exit_code(*statuses: Status) -> int:
    """0 when every status is optimal; else 3 if any is infeasible, else 4."""
    codes = {STATUS_EXIT[s] for s in statuses} or {EXIT_OK}
    return EXIT_INFEASIBLE if EXIT_INFEASIBLE in codes else max(codes)


def audit_exit_code(result: AuditResult) -> int:
    """1 when the audited plan breaks a rule, else 0."""
    return EXIT_OK if result.ok else EXIT_VIOLATIONS


#: Problems shown for bad input; the rest are counted ("… and N more").
SHOWN_PROBLEMS = 50
#: Key in the context's ``meta``: result files the command has written (for Ctrl-C's message).
_WRITTEN = "quotaopt.written"


def record_written(paths: list[Path]) -> None:
    """Note the result files the command has written, for the message if Ctrl-C follows."""
    click.get_current_context().meta[_WRITTEN] = list(paths)


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
        args = global_options_first(list(sys.argv[1:] if args is None else args))
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
            ctx.exit(EXIT_INPUT)
        except Exception as exc:  # a bug: one line, the traceback only under --debug
            self._bug(exc, debug, ctx)

    @staticmethod
    def _bug(exc: Exception, debug: bool, ctx: click.Context) -> None:
        """A bug: one line naming it and the version, the traceback only under --debug."""
        if debug:
            echo(traceback.format_exc().rstrip("\n"), err=True)
        what = " ".join(str(exc).split())
        what = what if len(what) <= 200 else what[:197] + "..."
        echo(render("internal_error", {"kind": type(exc).__name__, "what": what,
                                       "version": __version__}), err=True)
        ctx.exit(EXIT_INTERNAL)
