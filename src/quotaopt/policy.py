"""Domain types: the policy that decides caps, objective and budget — exact and immutable.

Nothing here reads files or solves anything; every other module builds on these types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .exact import NumberRangeError, decimal_fraction, fmt_number
from .i18n import N_, _
from .messages import render


class Level(StrEnum):
    SENIOR = "senior"
    INTERMEDIATE = "intermediate"
    JUNIOR = "junior"


#: The level names in sentences (translated where shown).
LEVEL_WORDS = {"senior": N_("senior"), "intermediate": N_("intermediate"), "junior": N_("junior")}


class Scope(StrEnum):
    UNIT = "unit"
    POOL = "pool"


class Rounding(StrEnum):
    FLOOR = "floor"
    NEAREST = "nearest"
    CEIL = "ceil"


class Incumbents(StrEnum):
    PROTECT = "protect"
    GRANDFATHER = "grandfather"


@dataclass(frozen=True)
class Ratio:
    """A ceiling ratio senior:intermediate:junior, kept exactly (e.g. ``1:4:5``)."""

    senior: Fraction
    intermediate: Fraction
    junior: Fraction

    @classmethod
    def parse(cls, text: str) -> Ratio:
        """Parse ``"1:4:5"`` (decimal numbers ≥ 0, not all 0; the separator may also be the
        full-width colon ``：``, the ratio sign ``∶`` (U+2236) of official documents, or ``/``).

        A part may be 0 (``"0:3:7"``: a type without senior posts)."""
        if not isinstance(text, str):
            raise ValueError(render("ratio_not_text", {"value": text}))
        parts = text.replace("：", ":").replace("\u2236", ":").replace("/", ":").split(":")
        if len(parts) != 3:
            raise ValueError(render("ratio_parts", {"text": text, "count": len(parts)}))
        values = []
        for part in parts:
            try:
                value = decimal_fraction(part.strip())
            except NumberRangeError as exc:
                raise ValueError(render("ratio_number", {"text": text, "problem": str(exc)})
                                 ) from None
            if value is None or value < 0:
                raise ValueError(render("ratio_part_invalid",
                                        {"text": text, "part": part.strip()}))
            values.append(value)
        if not any(values):
            raise ValueError(render("ratio_all_zero", {"text": text}))
        return cls(*values)

    @property
    def shares(self) -> tuple[Fraction, Fraction, Fraction]:
        """The three shares of the total, summing to exactly 1.

        >>> Ratio.parse("1:4:5").shares
        (Fraction(1, 10), Fraction(2, 5), Fraction(1, 2))
        >>> str(Ratio.parse("0.5：3.5：6"))
        '0.5:3.5:6'
        """
        total = self.senior + self.intermediate + self.junior
        return self.senior / total, self.intermediate / total, self.junior / total

    def __str__(self) -> str:
        return ":".join(fmt_number(v) for v in (self.senior, self.intermediate, self.junior))


@dataclass(frozen=True)
class TypePolicy:
    """Per unit type overrides: its own ratio, a senior bonus, its own transfer fraction."""

    senior_bonus: Fraction = Fraction(0)
    ratio: Ratio | None = None
    junior_to_intermediate: Fraction | None = None
    source: str | None = None


@dataclass(frozen=True)
class MinimumRule:
    """``P_level >= min(posts, T)`` for units (of ``type``) with ``T >= when_total_at_least``."""

    level: Level
    posts: int
    type: str | None = None
    when_total_at_least: int = 0
    source: str | None = None

    def applies(self, unit_type: Any, total: Any) -> Any:
        """Whether the rule binds a unit of ``unit_type`` with ``total`` posts (scalars, or
        numpy arrays of types and totals, giving a boolean array).

        >>> rule = MinimumRule(Level.SENIOR, 1, type="health_centre", when_total_at_least=8)
        >>> rule.applies("health_centre", 8), rule.applies("health_centre", 7)
        (True, False)
        >>> rule.applies("school", 20)
        False
        """
        binds = total >= self.when_total_at_least
        if self.type is None:
            return binds
        return binds & (unit_type == self.type)

    def describe(self) -> str:
        who = (_("every {type}").format(type=self.type) if self.type else _("every unit"))
        cond = (_(" with at least {n} posts").format(n=self.when_total_at_least)
                if self.when_total_at_least else "")
        return _("{who}{cond} gets at least {n} {level} post(s)").format(
            who=who, cond=cond, n=self.posts, level=_(LEVEL_WORDS[self.level.value]))


@dataclass(frozen=True)
class Budget:
    """Promotion budget: extra yearly cost of appointments must stay within ``max_increase``."""

    cost_senior: Fraction
    cost_intermediate: Fraction
    cost_junior: Fraction
    max_increase: Fraction
    source: str | None = None

    @property
    def appointment_costs(self) -> tuple[Fraction, Fraction]:
        """Extra yearly cost of one senior and of one intermediate appointment."""
        return (self.cost_senior - self.cost_intermediate,
                self.cost_intermediate - self.cost_junior)

    def promotion_cost(self, appointed_senior: int, appointed_intermediate: int) -> Fraction:
        """Extra yearly cost of that many appointments."""
        c_s, c_m = self.appointment_costs
        return c_s * appointed_senior + c_m * appointed_intermediate


@dataclass(frozen=True)
class Shares:
    """Exact shares for one unit type (fractions of the unit's total posts)."""

    senior: Fraction
    intermediate: Fraction
    junior: Fraction
    junior_to_intermediate: Fraction

    @property
    def senior_intermediate_cap_share(self) -> Fraction:
        """Share capping senior+intermediate posts: ``σ_s + σ_m + f·σ_j``."""
        return self.senior + self.intermediate + self.junior_to_intermediate * self.junior


@dataclass(frozen=True)
class Policy:
    """Everything that decides the caps, the objective and the budget. Immutable."""

    ratio: Ratio = field(default_factory=lambda: Ratio.parse("1:4:5"))
    scope: Scope = Scope.UNIT
    rounding: Rounding = Rounding.FLOOR
    junior_to_intermediate: Fraction = Fraction(0)
    incumbents: Incumbents = Incumbents.PROTECT
    types: Mapping[str, TypePolicy] = field(default_factory=dict)
    minimum: tuple[MinimumRule, ...] = ()
    weight_senior: Fraction = Fraction(1)
    weight_intermediate: Fraction = Fraction(1)
    budget: Budget | None = None
    source: str | None = None
    #: 不足1个按1个: levels whose share, above 0 but rounded to 0, still gives a cap of 1
    at_least_one: tuple[Level, ...] = ()

    def shares_for(self, unit_type: str) -> Shares:
        """Exact shares of a unit type.

        Raises ``ValueError`` if the type's bonus exceeds its junior share.
        """
        tp = self.types.get(unit_type, TypePolicy())
        s, m, j = (tp.ratio or self.ratio).shares
        bonus = tp.senior_bonus
        f = (
            tp.junior_to_intermediate
            if tp.junior_to_intermediate is not None
            else self.junior_to_intermediate
        )
        if bonus > j:
            raise ValueError(render("type_bonus_above_junior",
                                    {"bonus": bonus, "type": unit_type, "junior": j}))
        return Shares(s + bonus, m, j - bonus, f)
