"""How a comparison's cells read, wherever they are shown (terminal, HTML, charts, files):
column labels, a value with its change against the baseline, a status word.

No arithmetic: every value and delta comes from the comparison's tables
(:class:`~quotaopt.compare.Comparison`); these functions only write them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .compare import Comparison
from .headers import LABELS_ZH
from .i18n import N_, _
from .numfmt import money as money_text
from .numfmt import whole

#: Column → its English label (translated when shown).
LABELS_EN: dict[str, str] = {
    "variant": N_("variant"),
    "status": N_("status"),
    "reason": N_("reason"),
    "type": N_("type"),
    "unit_id": N_("unit_id"),
    "name": N_("name"),
    "pool": N_("pool"),
    "presence": N_("presence"),
    "cap_senior": N_("senior cap"),
    "cap_senior_intermediate": N_("senior+intermediate cap"),
    "posts_senior": N_("senior posts"),
    "posts_intermediate": N_("intermediate posts"),
    "posts_junior": N_("junior posts"),
    "posts_senior_intermediate": N_("senior+intermediate posts"),
    "appointed_senior": N_("appointed senior"),
    "appointed_intermediate": N_("appointed intermediate"),
    "appointed": N_("appointed (senior+intermediate)"),
    "waiting_left_senior": N_("still waiting senior"),
    "waiting_left_intermediate": N_("still waiting intermediate"),
    "vacant_senior": N_("vacant senior"),
    "vacant_intermediate": N_("vacant intermediate"),
    "vacant_junior": N_("vacant junior"),
    "units_over_ratio": N_("units over ratio"),
    "promotion_cost": N_("promotion cost / year"),
    "promotion_cost_basis": N_("priced at the costs of"),
    "units": N_("units"),
    "total_posts": N_("total posts"),
}


#: The key figures in two tables of the terminal text and the HTML report: the plan (posts,
#: appointments, who still waits) and its limits (caps, vacancies, units over the ratio, cost).
KPI_PLAN = ("posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
            "appointed_intermediate", "waiting_left_senior", "waiting_left_intermediate")
KPI_LIMITS = ("cap_senior", "cap_senior_intermediate", "vacant_senior", "vacant_intermediate",
              "vacant_junior", "units_over_ratio", "promotion_cost")

#: The per-unit changes shown as largest movers and as distributions: (measure, title).
CHANGE_MEASURES = (("posts_senior", N_("senior posts")),
                   ("posts_senior_intermediate", N_("senior+intermediate posts")),
                   ("appointed", N_("appointments")))


def column_label(column: str, lang: str = "en") -> str:
    """Header of a column: its name (``en``) or Chinese label (``zh``, ``x_delta`` → x（变化）)."""
    if lang != "zh":
        return column
    for suffix, word in (("_delta", "（变化）"), ("_baseline", "（基准）")):
        if column.endswith(suffix):
            return column_label(column[: -len(suffix)], lang) + word
    return LABELS_ZH.get(column, column)


def label(column: str) -> str:
    """A column's label in the language in use (its name, ``_`` as space, if it has none)."""
    return _(LABELS_EN[column]) if column in LABELS_EN else column.replace("_", " ")


def isna(value: Any) -> bool:
    """True for a missing value (``None``, ``NaN``, ``<NA>``): a variant without a plan."""
    return value is None or bool(pd.isna(value))


def value_text(value: Any, money: bool = False) -> str:
    """A value as shown: ``—`` when missing, money as money, whole numbers with separators."""
    if isna(value):
        return "—"
    if money:
        return money_text(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:g}"
    return whole(value)


def delta_text(delta: Any, money: bool = False) -> str:
    """Signed change, or "" when there is none (unchanged, or not comparable)."""
    if isna(delta) or delta == 0:
        return ""
    sign = "+" if delta > 0 else "-"
    return sign + value_text(abs(delta), money)


def other_costs(comp: Comparison) -> list[str]:
    """Variants whose promotion cost has no delta because it is priced at other costs."""
    k = comp.kpi
    if pd.isna(k.loc[comp.baseline, "promotion_cost"]):
        return []
    return [n for n in comp.others
            if pd.notna(k.loc[n, "promotion_cost"]) and pd.isna(k.loc[n, "promotion_cost_delta"])]


def cell_text(value: Any, delta: Any, money: bool = False) -> str:
    """A value with its change in brackets (``110 (-11)``); no bracket when unchanged."""
    d = delta_text(delta, money)
    return value_text(value, money) + (f" ({d})" if d else "")


#: Status value → its word in the tables (translated when shown).
STATUS_TEXT = {"optimal": N_("optimal"), "not_proven": N_("NOT PROVEN"),
               "infeasible": N_("INFEASIBLE"), "no_solution": N_("NO PLAN")}


def status_text(value: str) -> str:
    """The word for a status value (``optimal``, ``NOT PROVEN`` …) in the language in use."""
    return _(STATUS_TEXT[value])
