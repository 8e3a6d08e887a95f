"""Backend protocol, status enum and backend lookup."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..errors import SolverError

if TYPE_CHECKING:
    from ..model import Formulation


class Status(StrEnum):
    """Outcome of a solve, in the words reports use."""

    OPTIMAL = "optimal"  # proven optimal (gap 0)
    NOT_PROVEN = "not_proven"  # a plan was found but the time limit stopped the proof
    INFEASIBLE = "infeasible"  # proven: no plan satisfies the rules
    NO_SOLUTION = "no_solution"  # the time limit (or a solver fault) left no plan at all


@dataclass(frozen=True)
class RawSolution:
    status: Status
    x: np.ndarray | None
    message: str = ""


class Backend(Protocol):
    name: str

    def version(self) -> str: ...

    def solve(
        self,
        form: Formulation,
        cost: np.ndarray,
        extra_rows: Sequence[tuple[np.ndarray, float]] | None,
        time_limit: float | None,
    ) -> RawSolution:
        """Minimise ``cost · x`` over the formulation (plus ``extra_rows``: ``a · x >= b``)."""
        ...


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _load(module: str, backend: str, other: str) -> None:
    """Import a solver package now, so a broken installation is a clear SolverError."""
    try:
        importlib.import_module(module)
    except Exception as exc:
        raise SolverError(
            f"the {backend} backend cannot load {module} ({type(exc).__name__}: {exc}); "
            f"reinstall it (pip install --force-reinstall {module}) or choose {other}"
        ) from None


def available_backends() -> list[str]:
    """Backends whose solver is installed, fastest first."""
    out = []
    if _has("highspy"):
        out.append("highs")
    if _has("pulp"):
        out.append("cbc")
    return out


def default_backend() -> str:
    found = available_backends()
    if not found:
        raise SolverError(
            "no solver is installed: install highspy (pip install highspy) or pulp"
        )
    return found[0]


def get_backend(name: str | None) -> Backend:
    """Return the backend called ``name`` (``highs``, ``cbc`` or ``pulp:<SolverClass>``)."""
    key = (name or default_backend()).strip()
    if key.lower() == "highs":
        if not _has("highspy"):
            raise SolverError(
                "the highs backend needs highspy (pip install highspy); or choose --solver cbc"
            )
        _load("highspy", "highs", "--solver cbc")
        from .highs import HighsBackend

        return HighsBackend()
    if key.lower() == "cbc" or key.startswith("pulp:"):
        if not _has("pulp"):
            raise SolverError("the cbc backend needs PuLP (pip install pulp); or choose highs")
        _load("pulp", key, "--solver highs")
        from .pulp import PulpBackend

        return PulpBackend(None if key.lower() == "cbc" else key[5:])
    raise SolverError(
        f"unknown solver backend {key!r}: choose highs, cbc or pulp:<PuLP solver class name>"
    )
