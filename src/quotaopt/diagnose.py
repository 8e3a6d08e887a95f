"""Infeasibility in the policy's own words.

``precheck`` finds, before any solve and with exact numbers, the collisions that can be seen
unit by unit or pool by pool: incumbents above a cap (incumbents = protect), minimum rules that
do not fit in a unit or in a pool's caps, a junior minimum that leaves no room for incumbents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .caps import UnitLimits
from .scenario import Incumbents, Policy, Scope


def _unit_label(units: pd.DataFrame, i: int) -> str:
    uid = str(units["unit_id"].iat[i])
    name = str(units["name"].iat[i])
    return f"unit {uid} ({name})" if name and name != uid else f"unit {uid}"


def precheck(policy: Policy, units: pd.DataFrame, lim: UnitLimits) -> list[str]:
    """Reasons why no plan can exist, each with the numbers and what to change."""
    reasons: list[str] = []
    T = units["total_posts"].to_numpy(np.int64)
    inc_s = units["senior_incumbents"].to_numpy(np.int64)
    inc_sm = inc_s + units["intermediate_incumbents"].to_numpy(np.int64)
    protect = policy.incumbents is Incumbents.PROTECT
    ratio_words = f"ratio {policy.ratio}"

    for i in np.flatnonzero(lim.min_s + lim.min_m + lim.min_j > T):
        reasons.append(
            f"{_unit_label(units, i)}: minimum rules need {lim.min_s[i]} senior + "
            f"{lim.min_m[i]} intermediate + {lim.min_j[i]} junior posts but it has only "
            f"{T[i]}; lower a minimum or raise its total_posts"
        )
    for i in np.flatnonzero(inc_sm > T - lim.min_j):
        reasons.append(
            f"{_unit_label(units, i)}: the junior minimum of {lim.min_j[i]} post(s) leaves "
            f"{T[i] - lim.min_j[i]} senior+intermediate posts, but {inc_sm[i]} senior and "
            "intermediate incumbents keep their posts; lower the junior minimum"
        )
    if policy.scope is Scope.UNIT:
        if protect:
            for i in np.flatnonzero(inc_s > lim.cap_s):
                reasons.append(
                    f"{_unit_label(units, i)} has {inc_s[i]} senior incumbents but the "
                    f"{ratio_words} senior cap allows {lim.cap_s[i]} of its {T[i]} posts "
                    f"(rounding {policy.rounding}); set incumbents = \"grandfather\", or raise "
                    f"its total_posts"
                )
            for i in np.flatnonzero(inc_sm > lim.cap_sm):
                reasons.append(
                    f"{_unit_label(units, i)} has {inc_sm[i]} senior+intermediate incumbents "
                    f"but the {ratio_words} senior+intermediate cap allows {lim.cap_sm[i]} of "
                    f"its {T[i]} posts (rounding {policy.rounding}); set incumbents = "
                    "\"grandfather\", raise junior_to_intermediate, or raise its total_posts"
                )
        return reasons

    k = len(lim.pool_names)
    codes = lim.pool_codes
    need_s = np.maximum(lim.min_s, inc_s)
    need_sm = np.maximum(inc_sm, need_s + lim.min_m)
    pool_need_s = np.bincount(codes, weights=need_s, minlength=k).astype(np.int64)
    pool_need_sm = np.bincount(codes, weights=need_sm, minlength=k).astype(np.int64)
    pool_inc_s = np.bincount(codes, weights=inc_s, minlength=k).astype(np.int64)
    pool_inc_sm = np.bincount(codes, weights=inc_sm, minlength=k).astype(np.int64)
    for p in range(k):
        name = lim.pool_names[p]
        if protect and pool_inc_s[p] > lim.pool_cap_s[p]:
            reasons.append(
                f"pool {name}: its units have {pool_inc_s[p]} senior incumbents but the pooled "
                f"{ratio_words} senior cap is {lim.pool_cap_s[p]}; set incumbents = "
                "\"grandfather\" or add posts to the pool"
            )
        elif pool_need_s[p] > lim.pool_cap_s[p]:
            reasons.append(
                f"pool {name}: minimum rules and incumbents need {pool_need_s[p]} senior posts, "
                f"the pooled cap is {lim.pool_cap_s[p]}; lower the senior minimum or use "
                "scope = \"unit\" (where a minimum lifts the unit's cap)"
            )
        if protect and pool_inc_sm[p] > lim.pool_cap_sm[p]:
            reasons.append(
                f"pool {name}: its units have {pool_inc_sm[p]} senior+intermediate incumbents "
                f"but the pooled {ratio_words} senior+intermediate cap is "
                f"{lim.pool_cap_sm[p]}; set incumbents = \"grandfather\", raise "
                "junior_to_intermediate, or add posts to the pool"
            )
        elif pool_need_sm[p] > lim.pool_cap_sm[p]:
            reasons.append(
                f"pool {name}: minimum rules and incumbents need {pool_need_sm[p]} "
                f"senior+intermediate posts, the pooled cap is {lim.pool_cap_sm[p]}; lower the "
                "minimums or raise junior_to_intermediate"
            )
    return reasons
