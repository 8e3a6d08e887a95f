"""Every sentence a user reads is written here: one function per message code.

A problem, finding or reason is structured data — a code and its parameters (numbers kept
exact, names as the user wrote them); :func:`render` turns it into words. This is the one
place a translation (gettext) hooks in; numbers are written by :mod:`quotaopt.numfmt`.

The codes live in four modules by subject — :mod:`.general` (input counts, workbooks and
layouts, infeasibility, run status, provenance, audit findings, rule changes, the command
line), :mod:`.analysis` (explain, uniqueness, conflicts and fixes, relaxation, compare),
:mod:`.reading` (files, units tables, scenarios) and :mod:`.checking` (the checker's
violations, audit's plan files, solver errors, result files); :mod:`.core` registers and
renders them. Importing this package registers them all.

>>> render("unknown_variant", {"name": "old", "hint": " (did you mean 'old-ratio'?)",
...                            "choices": ("baseline", "old-ratio")})
"no variant named 'old' (did you mean 'old-ratio'?); the scenario has: baseline, old-ratio"
>>> render("relaxed_limit", {"where": "unit X", "rule": "senior cap", "limit": 2,
...                          "relaxed": 3})
'unit X: the senior cap of 2 would have to be 3 (+1)'
"""

from __future__ import annotations

from . import analysis, checking, general, reading  # noqa: F401  (registers every code)
from .analysis import LEVELS, ROUNDING, level_word, setting_word, share_sum
from .checking import VIOLATION_RULES
from .core import CATALOGUE, Message, message, render
from .general import RULES, rule_name

__all__ = ["CATALOGUE", "LEVELS", "Message", "ROUNDING", "RULES", "VIOLATION_RULES",
           "level_word", "message", "render", "rule_name", "setting_word", "share_sum"]
