"""Exact numbers of scenario files: reading decimal text or TOML numbers into Fractions
(with size limits), and writing them back the way a user wrote them."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .messages import render
from .numfmt import exact, percent

MAX_NUMBER = 10**15
"""Largest magnitude of a number in a scenario file (costs, budgets, weights, ratio parts)."""
MAX_DECIMALS = 9
"""Most decimal places of a number in a scenario file (``0.000000001``; a ``%`` adds two)."""


class NumberRangeError(ValueError):
    """A number in a scenario file beyond :data:`MAX_NUMBER` or :data:`MAX_DECIMALS`."""


def decimal_fraction(value: Any) -> Fraction | None:
    """Exact value of a TOML number or numeric text; ``None`` if it is not a finite number.

    >>> decimal_fraction(0.05), decimal_fraction("12.5%"), decimal_fraction("abc")
    (Fraction(1, 20), Fraction(1, 8), None)

    Floats are read through their shortest decimal text, so ``0.05`` is exactly 1/20.
    A trailing ``%`` divides by 100. Raises :class:`NumberRangeError` for a number larger
    than :data:`MAX_NUMBER` or with more than :data:`MAX_DECIMALS` decimal places (checked
    before the exact fraction is built, so ``1e999999999`` costs nothing).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        check_size(Decimal(value), repr(value))
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        dec = Decimal(repr(value))
        check_size(dec, repr(value))
        return Fraction(dec)
    if isinstance(value, str):
        text = value.strip()
        scale, extra = Fraction(1), 0
        if text.endswith("%"):
            text, scale, extra = text[:-1].strip(), Fraction(1, 100), 2
        try:
            dec = Decimal(text)
        except InvalidOperation:
            return None
        if not dec.is_finite():
            return None
        check_size(dec, repr(value.strip()), extra)
        return Fraction(dec) * scale
    return None


def check_size(dec: Decimal, shown: str, extra_decimals: int = 0) -> None:
    if dec.copy_abs() > MAX_NUMBER:
        raise NumberRangeError(render("number_too_large", {"shown": shown}))
    _, digits, exponent = dec.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0")
    if not text:  # zero, however written
        return
    decimals = max(0, -(exponent + len(digits) - len(text))) + extra_decimals
    if decimals > MAX_DECIMALS:
        raise NumberRangeError(render("number_too_many_decimals",
                                      {"shown": shown, "decimals": decimals,
                                       "limit": MAX_DECIMALS}))


#: Scenario numbers are written back by :mod:`quotaopt.numfmt` (exact, never rounded).
fmt_number = exact
fmt_pct = percent
