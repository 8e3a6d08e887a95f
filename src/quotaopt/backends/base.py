"""Backend protocol and status enum (the lookup is in :mod:`.registry`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ..formulation import Formulation


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
