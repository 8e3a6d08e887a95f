"""One exception hierarchy for quotaopt.

Every error a user can cause is a :class:`QuotaoptError` whose message says what to
change. ``cli.py`` turns them into exit codes; nothing else prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .i18n import _
from .messages import render


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located as precisely as possible.

    ``row`` counts as a spreadsheet user does: the header is row 1, the first unit row 2.
    A problem made by :meth:`of` carries its message ``code`` and ``params``
    (:mod:`quotaopt.messages` writes the ``message`` from them).
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    unit: str | None = None
    key: str | None = None
    code: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, *, file: str | None = None, row: int | None = None,
           column: str | None = None, unit: str | None = None, key: str | None = None,
           **params: Any) -> Problem:
        """The problem of message ``code`` with its parameters, at a place."""
        return cls(render(code, params), file, row, column, unit, key, code,
                   tuple(params.items()))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.unit:
            where.append(_("unit {unit}").format(unit=self.unit))
        if self.column:
            where.append(_("column {column}").format(column=self.column))
        if self.key:
            where.append(_("key {key}").format(key=self.key))
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class QuotaoptError(Exception):
    """Base of every error quotaopt raises on purpose."""

    exit_code = 2


class InputError(QuotaoptError):
    """Bad input: one or more problems in a scenario file or units table (exit code 2)."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem | str]):
        items = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        if not items:
            items = [Problem.of("invalid_input")]
        self.problems: tuple[Problem, ...] = tuple(items)
        super().__init__(len(self.problems))  # the text is made when asked for: see text()

    def __str__(self) -> str:
        return self.text()

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))

    def text(self, limit: int | None = None) -> str:
        """Every problem, one a line — or the first ``limit`` and how many more there are."""
        if len(self.problems) == 1:
            return str(self.problems[0])
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [render("problems_found", {"count": len(self.problems), "shown": len(shown)})]
        lines += [f"  - {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append("  " + render("more_problems",
                                       {"count": len(self.problems) - len(shown)}))
        return "\n".join(lines)


class SolverError(QuotaoptError):
    """The solver is missing, failed, or found no proven optimum in time (exit code 4)."""

    exit_code = 4


class InternalError(QuotaoptError):
    """A bug in quotaopt, e.g. a plan that fails the independent checker (exit code 70)."""

    exit_code = 70


def approx(number: int | float) -> str:
    """A possibly astronomically large number for a message: ``123456``, ``1.23e+15``.

    Never fails: neither on integers too long for ``str`` nor too large for ``float``.
    """
    if isinstance(number, int) and abs(number) < 10**6:
        return str(number)
    if isinstance(number, int) and number.bit_length() > 1000:
        return _("about 10^{power}").format(power=int(number.bit_length() * 0.30103))
    return f"{float(number):.3g}"

