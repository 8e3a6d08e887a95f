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

from .audit import AuditResult, audit
from .backends import Status
from .check import Violation, check_plan
from .compare import Comparison, RuleChange, compare, compare_variants
from .diagnose import Diagnosis, diagnose
from .errors import (
    InputError,
    InternalError,
    Problem,
    QuotaoptError,
    SolverError,
)
from .explain import Explanation, Uniqueness, alternative_optima, explain
from .meta import __version__
from .pulp_model import PulpModel, build_pulp
from .result import Result, Summary
from .scenario import (
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
from .solve import solve
from .units import read_units

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
