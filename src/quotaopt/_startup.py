"""Ctrl-C before and after the command line runs: one line and exit 130, never a traceback.

Importing quotaopt (numpy, pandas, the solvers) takes about a second. Python's own Ctrl-C
handling would print a ``KeyboardInterrupt`` traceback from the middle of those imports, so
when — and only when — this process *is* the ``quotaopt`` command (the console script or
``python -m quotaopt``), ``quotaopt/__init__.py`` installs :func:`quit_on_interrupt` before
anything else. The command line replaces it while a command runs (Ctrl-C is then a
``KeyboardInterrupt`` its error handling reports, see ``cli.py``) and installs it again for
the way out. A library user's process is never touched. Standard library only.
"""

from __future__ import annotations

import _signal  # the C module: ``signal`` imports enum, 30 ms before the handler is in place
import os
import sys
from types import FrameType
from typing import Any

EXIT_INTERRUPTED = 130
_message = b"interrupted\n"


def is_command() -> bool:
    """Whether this process is the ``quotaopt`` command, not a program importing quotaopt."""
    argv = list(getattr(sys, "orig_argv", []))[1:]  # the interpreter's own options first
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
        arg = argv[i]
        if arg == "-m":
            return argv[i + 1:i + 2] == ["quotaopt"]
        if arg.startswith("-m"):
            return arg == "-mquotaopt"
        if arg.startswith("-c"):
            return False
        i += 2 if arg in ("-X", "-W") else 1
    name = os.path.basename(sys.argv[0]) if sys.argv else ""
    return name.lower() in ("quotaopt", "quotaopt.exe", "quotaopt-script.py")


def _quit(signum: int, frame: FrameType | None) -> None:
    try:
        os.write(2, _message)
    except OSError:
        pass
    os._exit(EXIT_INTERRUPTED)


def quit_on_interrupt(message: str = "interrupted") -> None:
    """From now on Ctrl-C writes ``message`` on stderr and ends the process with 130."""
    global _message
    _message = (message + "\n").encode("utf-8", "replace")
    _set(_quit)


def interrupt_raises() -> None:
    """From now on Ctrl-C raises ``KeyboardInterrupt`` (Python's default)."""
    _set(_signal.default_int_handler)


def _set(handler: Any) -> None:
    try:
        _signal.signal(_signal.SIGINT, handler)
    except ValueError:  # not the main thread: signals are not ours to handle
        pass


def guard_startup() -> None:
    if is_command():
        quit_on_interrupt()
