"""The message catalogue's core: codes registered with :func:`message`, written by
:func:`render`, and :class:`Message`, a sentence kept as data (a code and its parameters)."""


from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

#: code → the function that writes its sentence (keyword parameters only).
CATALOGUE: dict[str, Callable[..., str]] = {}


def message(code: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register the function that writes the sentence of ``code``."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        if code in CATALOGUE:
            raise ValueError(f"message code {code!r} defined twice")
        CATALOGUE[code] = fn
        return fn

    return register


def render(code: str, params: Mapping[str, Any]) -> str:
    """The sentence of a message code with its parameters."""
    return CATALOGUE[code](**params)


@dataclass(frozen=True)
class Message:
    """A sentence as data: a message code and its parameters; ``str()`` writes it in the
    language in use.

    >>> str(Message.of("units_count", count=3))
    '3 units'
    """

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> Message:
        if code not in CATALOGUE:
            raise KeyError(f"no message code {code!r}")
        return cls(code, tuple(params.items()))

    def __str__(self) -> str:
        return render(self.code, dict(self.params))
