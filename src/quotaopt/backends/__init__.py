"""Solver backends. Each takes a :class:`~quotaopt.formulation.Formulation` and an objective vector
and returns a :class:`RawSolution`; solver status codes are mapped to :class:`Status` here and
nowhere else."""

from __future__ import annotations

from .base import Backend, RawSolution, Status
from .registry import available_backends, default_backend, get_backend

__all__ = [
    "Backend",
    "RawSolution",
    "Status",
    "available_backends",
    "default_backend",
    "get_backend",
]
