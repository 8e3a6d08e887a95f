"""quotaopt — exact post-structure planning for township public institutions.

Public API::

    import quotaopt
    sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    res = quotaopt.solve(sc, variant="old-ratio")
    res.allocation, res.summary
    table = quotaopt.compare(sc)                 # KPI table, variants side by side
    comp = quotaopt.compare_variants(sc)         # + by_type, unit_diff, rule_diff, results

(``quotaopt.compare`` is the function; its module is reached with
``from quotaopt.compare import ...``.)
"""

from __future__ import annotations

from ._startup import guard_startup as _guard_startup

_guard_startup()  # Ctrl-C while the command line starts: one line, exit 130 (see _startup)

from .audit import AuditResult, audit  # noqa: E402
from .backends import Status  # noqa: E402
from .check import Violation, check_plan  # noqa: E402
from .compare import Comparison, RuleChange, compare, compare_variants  # noqa: E402
from .diagnose import Diagnosis, diagnose  # noqa: E402
from .errors import (  # noqa: E402
    InputError,
    InternalError,
    Problem,
    QuotaoptError,
    SolverError,
)
from .explain import Explanation, explain  # noqa: E402
from .meta import __version__  # noqa: E402
from .pulp_model import PulpModel, build_pulp  # noqa: E402
from .result import Result, Summary  # noqa: E402
from .scenario import (  # noqa: E402
    BASELINE,
    Budget,
    Incumbents,
    Level,
    MinimumRule,
    Policy,
    Ratio,
    Rounding,
    Scenario,
    Scope,
    SolverOptions,
    TypePolicy,
    load_scenario,
    make_scenario,
)
from .solve import solve  # noqa: E402
from .uniqueness import Uniqueness, alternative_optima  # noqa: E402
from .units import read_units  # noqa: E402

__all__ = [
    "AuditResult",
    "BASELINE",
    "Budget",
    "Comparison",
    "Diagnosis",
    "Explanation",
    "Incumbents",
    "InputError",
    "InternalError",
    "Level",
    "MinimumRule",
    "Policy",
    "Problem",
    "PulpModel",
    "QuotaoptError",
    "Ratio",
    "Result",
    "Summary",
    "Rounding",
    "RuleChange",
    "Scenario",
    "Scope",
    "SolverError",
    "SolverOptions",
    "Status",
    "TypePolicy",
    "Uniqueness",
    "Violation",
    "__version__",
    "alternative_optima",
    "audit",
    "build_pulp",
    "check_plan",
    "compare",
    "compare_variants",
    "diagnose",
    "explain",
    "load_scenario",
    "make_scenario",
    "read_units",
    "solve",
]
