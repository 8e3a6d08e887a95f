"""The allocation table of a plan (SPEC section 3), passed by the independent checker.

From the cumulative solution arrays ``A = P_s``, ``B = P_s + P_m`` and the appointments
``y_s``, ``y_m`` of every unit: posts, caps in force, incumbents, appointments, title-holders
left waiting and vacancies per level, in the units' input order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .caps import UnitLimits
from .check import check_plan
from .errors import InternalError
from .messages import render
from .policy import Scope
from .scenario import Variant
from .units import BUDGET_COLUMN, UNIT_COLUMNS


def checked_allocation(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                       ys: np.ndarray, ym: np.ndarray) -> pd.DataFrame:
    """The allocation table, after the independent checker has passed it (else a bug)."""
    return passed_check(v, build_allocation(v, lim, A, B, ys, ym))


def passed_check(v: Variant, allocation: pd.DataFrame) -> pd.DataFrame:
    """``allocation`` (from :func:`build_allocation`) once the independent checker has
    passed its plan (else a bug). A caller that drops the plan arrays after building the
    table keeps them out of the checker's peak memory (the table holds its own copies)."""
    violations = check_plan(v.policy, plan_columns(v, allocation))
    if violations:
        raise InternalError(render("plan_fails_check",
                                   {"violations": [str(x) for x in violations[:20]]}))
    return allocation


#: The whole-number columns of the allocation table, in its column order (SPEC section 3).
INTEGER_COLUMNS = (
    "total_posts", "cap_senior", "cap_senior_intermediate", "posts_senior",
    "posts_intermediate", "posts_junior", "senior_incumbents", "intermediate_incumbents",
    "junior_incumbents", "appointed_senior", "appointed_intermediate",
    "waiting_left_senior", "waiting_left_intermediate", "vacant_senior",
    "vacant_intermediate", "vacant_junior")
#: The columns of the plan itself, as :func:`quotaopt.check.check_plan` reads them.
PLAN_COLUMNS = ("posts_senior", "posts_intermediate", "posts_junior", "appointed_senior",
                "appointed_intermediate")


def build_allocation(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                     ys: np.ndarray, ym: np.ndarray) -> pd.DataFrame:
    """The allocation table (SPEC section 3) from the cumulative solution arrays.

    The whole-number columns are computed straight into the one 2-D block pandas keeps them
    in (no column is held twice: at 10⁶ units each is 8 MB, and memory is the limit)."""
    u = v.units
    block = integer_block(v, lim, A, B, ys, ym)
    # object columns as given (letting pandas infer a text dtype and casting back is slow),
    # each its own block: one frame of the four would copy them into one 2-D array
    texts = [pd.Series(u[c].to_numpy(dtype=object), dtype=object, copy=False, name=c)
             for c in ("unit_id", "name", "type", "pool")]
    numbers = pd.DataFrame(block.T, columns=list(INTEGER_COLUMNS), copy=False)
    flags = pd.DataFrame({"over_ratio": lim.over_ratio.copy()})
    out = pd.concat([*texts, numbers, flags], axis=1)
    # carry unknown input columns through, after the standard ones
    for c in u.columns:
        if c not in out.columns and c not in UNIT_COLUMNS and c != BUDGET_COLUMN:
            out[c] = u[c].to_numpy()
    return out


def integer_block(v: Variant, lim: UnitLimits, A: np.ndarray, B: np.ndarray,
                  ys: np.ndarray, ym: np.ndarray) -> np.ndarray:
    """The allocation's whole-number columns as one ``(columns, units)`` int64 array, in the
    order of :data:`INTEGER_COLUMNS`, each computed in place in its row.

    Posts per level are ``A``, ``B − A`` and ``T − B``; staff per level after the
    appointments are ``h_s = I_s + y_s``, ``h_m = I_m − y_s + y_m``, ``h_j = I_j − y_m``; a
    post not needed at its own level may hold staff of the level below (cumulative rule), so
    ``over_j = max(0, h_j − P_j)`` and ``over_m = max(0, h_m + over_j − P_m)`` spill upwards
    and the vacancies are ``P_j − h_j``, ``P_m − h_m − over_j`` (each at least 0) and
    ``P_s − h_s − over_m``."""
    u = v.units
    n = len(u)
    block = np.empty((len(INTEGER_COLUMNS), n), dtype=np.int64)
    row = dict(zip(INTEGER_COLUMNS, block, strict=True))
    T = u["total_posts"].to_numpy(np.int64)
    row["total_posts"][:] = T
    if v.policy.scope is Scope.POOL:
        np.take(lim.pool_cap_s, lim.pool_codes, out=row["cap_senior"])
        np.take(lim.pool_cap_sm, lim.pool_codes, out=row["cap_senior_intermediate"])
    else:
        row["cap_senior"][:] = lim.cap_s
        row["cap_senior_intermediate"][:] = lim.cap_sm
    ps, pm, pj = row["posts_senior"], row["posts_intermediate"], row["posts_junior"]
    ps[:] = A
    np.subtract(B, A, out=pm)
    np.subtract(T, B, out=pj)
    for c in ("senior_incumbents", "intermediate_incumbents", "junior_incumbents"):
        row[c][:] = u[c].to_numpy(np.int64)
    row["appointed_senior"][:] = ys
    row["appointed_intermediate"][:] = ym
    np.subtract(u["senior_waiting"].to_numpy(np.int64), ys, out=row["waiting_left_senior"])
    np.subtract(u["intermediate_waiting"].to_numpy(np.int64), ym,
                out=row["waiting_left_intermediate"])
    staff = np.subtract(row["junior_incumbents"], ym)  # h_j
    vacant = row["vacant_junior"]
    np.subtract(pj, staff, out=vacant)
    np.maximum(vacant, 0, out=vacant)
    spill = np.subtract(staff, pj)  # over_j
    np.maximum(spill, 0, out=spill)
    np.subtract(row["intermediate_incumbents"], ys, out=staff)  # h_m
    staff += ym
    vacant = row["vacant_intermediate"]
    np.subtract(pm, staff, out=vacant)
    vacant -= spill
    np.maximum(vacant, 0, out=vacant)
    spill += staff  # over_m
    spill -= pm
    np.maximum(spill, 0, out=spill)
    np.add(row["senior_incumbents"], ys, out=staff)  # h_s
    vacant = row["vacant_senior"]
    np.subtract(ps, staff, out=vacant)
    vacant -= spill
    return block


def plan_for_check(v: Variant, alloc: pd.DataFrame) -> pd.DataFrame:
    """The units table plus the plan's posts and appointments, as ``check_plan`` reads it."""
    return v.units.assign(**{c: alloc[c].to_numpy() for c in PLAN_COLUMNS})


def plan_columns(v: Variant, alloc: pd.DataFrame) -> dict[str, Any]:
    """:func:`plan_for_check` as a mapping of column names to the units table's columns and
    the plan's arrays, without copying a column (``check_plan`` reads either)."""
    out: dict[str, Any] = {c: v.units[c] for c in v.units.columns}
    out.update({c: alloc[c].to_numpy() for c in PLAN_COLUMNS})
    return out
