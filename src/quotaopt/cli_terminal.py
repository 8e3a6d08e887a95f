"""What the ``quotaopt`` command writes to a terminal: every line goes through :func:`echo`,
which makes text from input files inert (:func:`terminal_text`) and survives a closed pipe;
and the stage lines of a slow run on stderr (:class:`ProgressDisplay`)."""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import time
from typing import IO

import click

from .i18n import _

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
    """Print one message — the only way the command prints. Text from input files (unit
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
