"""Backend lookup by name: ``highs``, ``cbc`` or ``pulp:<SolverClass>``."""

from __future__ import annotations

import importlib
import importlib.util

from ..errors import SolverError
from ..messages import render
from .base import Backend


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _load(module: str, backend: str, other: str) -> None:
    """Import a solver package now, so a broken installation is a clear SolverError."""
    try:
        importlib.import_module(module)
    except Exception as exc:
        raise SolverError(render("backend_cannot_load", {
            "backend": backend, "module": module, "kind": type(exc).__name__,
            "reason": str(exc), "other": other})) from None


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
        raise SolverError(render("no_solver_installed", {}))
    return found[0]


def get_backend(name: str | None) -> Backend:
    """Return the backend called ``name`` (``highs``, ``cbc`` or ``pulp:<SolverClass>``)."""
    key = (name or default_backend()).strip()
    if key.lower() == "highs":
        if not _has("highspy"):
            raise SolverError(render("highs_needs_highspy", {}))
        _load("highspy", "highs", "--solver cbc")
        from .highs import HighsBackend

        return HighsBackend()
    if key.lower() == "cbc" or key.startswith("pulp:"):
        if not _has("pulp"):
            raise SolverError(render("cbc_needs_pulp", {}))
        _load("pulp", key, "--solver highs")
        from .pulp import PulpBackend

        return PulpBackend(None if key.lower() == "cbc" else key[5:])
    raise SolverError(render("unknown_backend", {"name": key}))
