"""Each pool's own budget (``[budget] scope = "pool"``): the amounts, read and checked.

The amounts come from exactly one of two places: a ``[budget.pools]`` table in the scenario
(pool name → amount) or a ``budget`` column of the units table (header ``budget``, 预算,
增资额度, 岗位增资预算 …: the same amount on every unit of a pool). :func:`resolve` puts them
into the variant's :class:`~quotaopt.policy.Budget` (``pools``: every pool of the table → its
amount), so nothing after loading reads the column again. Every problem names the file, the
rows and the user's own header.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem
from .exact import NumberRangeError, decimal_fraction
from .numfmt import exact
from .policy import BudgetScope, Policy
from .units import BUDGET_COLUMN, source_rows, text_key

#: ``1,200,000``: thousands separators in a cell of money (digits in groups of three).
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def parse_amount(value: Any) -> Fraction | str | None:
    """An amount of money from a cell: its exact value, ``None`` for an empty cell, or the
    cell as text when it is not an amount ≥ 0.

    >>> parse_amount("1,200,000"), parse_amount(1.5), parse_amount(" "), parse_amount("5%")
    (Fraction(1200000, 1), Fraction(3, 2), None, '5%')
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.endswith("%"):
            return text
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
        value = text
    elif isinstance(value, np.generic):
        value = value.item()
    try:
        amount = decimal_fraction(value)
    except NumberRangeError:
        amount = None
    if amount is None or amount < 0:
        return str(value)
    return amount


def column_amounts(units: pd.DataFrame) -> tuple[dict[str, Fraction], list[Problem]]:
    """The amount of each pool from the units table's budget column (pools whose cells are
    all empty have none), and every problem: a cell that is not an amount, a pool whose
    units differ (an empty cell among filled ones counts as different)."""
    header = str(units.attrs.get("budget_header", BUDGET_COLUMN))
    file = units.attrs.get("source")
    rows = source_rows(units)
    uid = units["unit_id"].to_numpy(dtype=object)
    problems: list[Problem] = []
    values = [parse_amount(v) for v in units[BUDGET_COLUMN].tolist()]
    for i, v in enumerate(values):
        if isinstance(v, str):
            problems.append(Problem.of("budget_cell_not_amount", file=file, row=int(rows[i]),
                                       unit=str(uid[i]), column=header, header=header,
                                       value=v))
    by_pool: dict[str, dict[Fraction | None, list[int]]] = {}
    for i, (pool, v) in enumerate(zip(units["pool"].tolist(), values, strict=True)):
        if isinstance(v, str):
            continue
        by_pool.setdefault(str(pool), {}).setdefault(v, []).append(int(rows[i]))
    amounts: dict[str, Fraction] = {}
    for pool, seen in by_pool.items():
        if len(seen) > 1:
            listed = sorted(seen.items(), key=lambda kv: kv[1][0])
            problems.append(Problem.of(
                "budget_pool_differs", file=file, row=listed[0][1][0], column=header,
                pool=pool, header=header,
                amounts=tuple(("" if a is None else exact(a), tuple(r)) for a, r in listed)))
        else:
            only = next(iter(seen))
            if only is not None:
                amounts[pool] = only
    return amounts, problems


def resolve(policy: Policy, units: pd.DataFrame, file: str | None,
            table_pools: Mapping[str, Fraction] | None) -> tuple[Policy, list[Problem]]:
    """``policy`` with each pool's amount filled in from ``table_pools`` (the scenario's
    ``[budget.pools]``, already numbers) or the units table's budget column, and the
    problems; ``policy`` unchanged when its budget is not per pool."""
    b = policy.budget
    if b is None or b.scope is not BudgetScope.POOL:
        return policy, []
    present = sorted(str(p) for p in pd.unique(units["pool"].to_numpy(dtype=object)))
    has_column = BUDGET_COLUMN in units.columns
    header = str(units.attrs.get("budget_header", BUDGET_COLUMN)) if has_column else None
    problems: list[Problem] = []
    amounts: dict[str, Fraction] = {}
    if table_pools is not None and has_column:
        assert header is not None
        return policy, [Problem.of("budget_given_twice", file=file, key="budget.pools",
                                   header=header)]
    if table_pools is not None:
        source = "[budget.pools]"
        by_key = {text_key(p): p for p in present}
        for name, amount in table_pools.items():
            pool = by_key.get(text_key(str(name)))
            if pool is None:
                close = difflib.get_close_matches(str(name), present, n=1, cutoff=0.6)
                problems.append(Problem.of("budget_unknown_pool", file=file,
                                           key=f"budget.pools.{name}", name=str(name),
                                           hint=close[0] if close else None,
                                           pools=tuple(present)))
            else:
                amounts[pool] = amount
    elif has_column:
        source = header or BUDGET_COLUMN
        amounts, problems = column_amounts(units)
    else:
        return policy, [Problem.of("budget_no_amounts", file=file, key="budget.scope")]
    missing = [p for p in present if p not in amounts]
    if missing and not problems:
        where = ({"file": units.attrs.get("source"), "column": header} if has_column
                 else {"file": file, "key": "budget.pools"})
        problems.append(Problem.of("budget_pools_missing", pools=tuple(missing),
                                   header=header, **where))
    if problems:
        return policy, problems
    budget = replace(b, pools={p: amounts[p] for p in present}, pools_source=source,
                     max_increase=sum(amounts.values(), Fraction(0)))
    return replace(policy, budget=budget), []
