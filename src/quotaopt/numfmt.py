"""The one exact number formatter: every number a user reads is written by these functions.

One rendering per context, chosen on purpose:

* :func:`exact` — numbers in sentences (messages, diagnoses, explanations, audit findings,
  rule changes, ratios): whole numbers plainly, a finite decimal in full, anything else as
  a fraction — never rounded, so a user can type the value back into a scenario.
* :func:`percent` — shares in sentences: :func:`exact` of the percentage (``1/3`` →
  ``100/3 %``).
* :func:`share` — shares in tables (``quotaopt validate``): the fraction and a percentage
  rounded for reading at a glance (``1/3 (33.3333 %)``).
* :func:`whole` — counts; ``grouped`` adds thousands separators (money, limits).
* :func:`money` — amounts of money in tables: thousands separators, two decimals when not
  whole.
* :func:`decimals` — a rounded reading beside an exact value (``3450/503 ≈ 6.859``).

>>> from fractions import Fraction
>>> exact(Fraction(1, 3)), exact(Fraction(5, 2)), exact(Fraction(1, 20)), exact(4)
('1/3', '2.5', '0.05', '4')
>>> percent(Fraction(1, 3)), percent(Fraction(1, 20))
('100/3 %', '5 %')
>>> share(Fraction(1, 3)), share(Fraction(1, 10)), share(Fraction(1))
('1/3 (33.3333 %)', '1/10 (10 %)', '1 (100 %)')
>>> whole(2450), whole(10**9, grouped=True), money(1234.5), money(3000000)
('2450', '1,000,000,000', '1,234.50', '3,000,000')
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from numbers import Rational


def exact(value: Rational | int) -> str:
    """An exact number as a user types it: ``3``, ``2.5``, ``0.05``; a value without a finite
    decimal expansion is written as a fraction (``7/3``), never rounded."""
    x = Fraction(value)
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    digits = 0
    while (x * 10**digits).denominator != 1:
        digits += 1
    return f"{Decimal(x.numerator) / Decimal(x.denominator):.{digits}f}"


def percent(value: Rational | int) -> str:
    """A share as an exact percentage: ``1/10`` → ``10 %``, ``1/3`` → ``100/3 %``."""
    return f"{exact(Fraction(value) * 100)} %"


def share(value: Fraction) -> str:
    """A share for a table: the fraction, then the percentage to six significant digits."""
    pct = value * 100
    pct_text = f"{float(pct):g}" if pct.denominator != 1 else str(pct.numerator)
    frac = str(value) if value.denominator != 1 else str(value.numerator)
    return f"{frac} ({pct_text} %)"


def whole(value: int, grouped: bool = False) -> str:
    """A count; with ``grouped``, thousands separated by commas."""
    return f"{int(value):,}" if grouped else str(int(value))


def money(value: Fraction | float | int) -> str:
    """An amount: thousands separators; two decimals unless whole."""
    if isinstance(value, Fraction):
        value = value.numerator if value.denominator == 1 else float(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def decimals(value: Rational | int, places: int = 3) -> str:
    """An approximation for reading beside an exact number: ``3450/503`` → ``6.859``."""
    return f"{float(Fraction(value)):.{places}f}"
