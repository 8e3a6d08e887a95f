"""quotaopt — exact post-structure planning for township public institutions.

Public API::

    import quotaopt
    sc = quotaopt.load_scenario("scenarios/neijiang-county.toml")
    res = quotaopt.solve(sc, variant="old-ratio")
    res.allocation, res.summary
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("quotaopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from .backends import Status  # noqa: E402
from .check import Violation, check_plan  # noqa: E402
from .errors import (  # noqa: E402
    InfeasibleError,
    InputError,
    InternalError,
    Problem,
    QuotaoptError,
    SolverError,
)
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
from .solve import Result, solve  # noqa: E402
from .units import read_units  # noqa: E402

__all__ = [
    "BASELINE",
    "Budget",
    "Incumbents",
    "InfeasibleError",
    "InputError",
    "InternalError",
    "Level",
    "MinimumRule",
    "Policy",
    "Problem",
    "QuotaoptError",
    "Ratio",
    "Result",
    "Rounding",
    "Scenario",
    "Scope",
    "SolverError",
    "SolverOptions",
    "Status",
    "TypePolicy",
    "Violation",
    "__version__",
    "check_plan",
    "load_scenario",
    "make_scenario",
    "read_units",
    "solve",
]
