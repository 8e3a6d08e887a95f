"""Why a unit got its numbers, and whether another optimal plan would give it others.

:func:`explain` shows one unit's data, its shares and caps with the arithmetic written out
exactly, the plan's numbers, the limits that bind, what one more post would buy (found by
solving again with ``total_posts + 1``) and whether another optimal plan gives the unit other
senior or senior+intermediate posts (found by solving again with them forced different).

:func:`alternative_optima` asks the last question for every unit of a plan (``quotaopt run
--check-unique``).

Both re-solve the variant's own formulation (:mod:`quotaopt.model`), restricted to the
independent block of the unit — the unit itself in scope ``unit``, its pool in scope
``pool``, every unit when a budget couples them — so the answers are exact, not estimates
from the duals of a MIP.
"""

from __future__ import annotations

import difflib
import math
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .backends import Backend, Status, get_backend
from .caps import UnitLimits, compute_limits
from .errors import InputError, Problem
from .feasibility import (
    cap_words,
    fmt_num,
    fmt_pct,
    pool_cap_words,
    search,
    share_product,
    threshold,
)
from .i18n import _
from .messages import render
from .model import Formulation, build, stage1_coefficients
from .policy import Incumbents, Level, Policy, Scope
from .result import Result, exact_objectives, provenance_record
from .scenario import Scenario, Variant
from .solve import block_codes, canonical_order, decode_solution, solve, solve_formulation

# --------------------------------------------------------------------------------------------
# Provenance: the same keys in summary.json, in explain and in audit reports

PROVENANCE_KEYS = ("input_hash", "sources", "quotaopt_version", "solver", "created_at")


def provenance(summary: dict[str, Any]) -> dict[str, Any]:
    """Input hash, cited sources, quotaopt version, solver and timestamp of a summary."""
    out = {k: summary.get(k) for k in PROVENANCE_KEYS}
    solver = summary.get("solver") or {}
    out["solver"] = {"backend": solver.get("backend"), "version": solver.get("version")}
    return out


def provenance_lines(prov: dict[str, Any]) -> list[str]:
    """The provenance as report lines (sources one per line)."""
    solver = prov.get("solver") or {}
    lines = [render("provenance", {"input_hash": prov.get("input_hash"),
                                   "quotaopt_version": prov.get("quotaopt_version"),
                                   "backend": solver.get("backend"),
                                   "version": solver.get("version"),
                                   "created_at": prov.get("created_at")})]
    sources = prov.get("sources") or []
    if not sources:
        lines.append(render("no_sources", {}))
    lines += [render("source", {"rule": s["rule"], "source": s["source"]}) for s in sources]
    return lines


# --------------------------------------------------------------------------------------------
# Blocks and exact objective values per block


def _block_members(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                   pos: int) -> np.ndarray:
    """Positions (canonical order) of the units in ``pos``'s independent block."""
    blocks = block_codes(policy, units, lim)
    order = canonical_order(units)
    return order[blocks[order] == blocks[pos]]


@dataclass(frozen=True)
class _Plan:
    """Cumulative posts and appointments of a whole variant (input order)."""

    A: np.ndarray
    B: np.ndarray
    ys: np.ndarray
    ym: np.ndarray

    @classmethod
    def of(cls, alloc: pd.DataFrame) -> _Plan:
        A = alloc["posts_senior"].to_numpy(np.int64)
        return cls(A, A + alloc["posts_intermediate"].to_numpy(np.int64),
                   alloc["appointed_senior"].to_numpy(np.int64),
                   alloc["appointed_intermediate"].to_numpy(np.int64))


def _values(weights: tuple[np.ndarray, np.ndarray], lim: UnitLimits, idx: np.ndarray,
            A: np.ndarray, B: np.ndarray, ys: np.ndarray, ym: np.ndarray,
            blocks: np.ndarray) -> dict[int, tuple[int, int, Fraction]]:
    """Exact (stage 1 / δ, stage 2, stage 3) per block for the units ``idx`` (arrays aligned
    with ``idx``): the objective values, comparable between plans. ``weights`` are the
    integer stage-1 coefficients of the whole units table."""
    c_s, c_m = weights[0][idx], weights[1][idx]
    pooled = len(lim.pool_target_s) > 0
    out: dict[int, list] = {}
    sums: dict[tuple[int, int], list[int]] = {}
    if pooled:
        qs, qsm = lim.quotas("s"), lim.quotas("sm")
    for k, blk in enumerate(blocks.tolist()):
        i = int(idx[k])
        acc = out.setdefault(blk, [0, 0, Fraction(0)])
        acc[0] += int(c_s[k]) * int(ys[k]) + int(c_m[k]) * int(ym[k])
        if pooled:
            p = int(lim.pool_codes[i])
            pool_sum = sums.setdefault((blk, p), [0, 0])
            pool_sum[0] += int(A[k])
            pool_sum[1] += int(B[k])
            for (num, den), x in ((qs, A[k]), (qsm, B[k])):
                acc[2] += Fraction(abs(int(x) * int(den[i]) - int(num[i])), int(den[i]))
        else:
            acc[1] += (abs(int(A[k]) - int(lim.target_s[i]))
                       + abs(int(B[k]) - int(lim.target_sm[i])))
    for (blk, p), (sa, sb) in sums.items():
        out[blk][1] += (abs(sa - int(lim.pool_target_s[p]))
                        + abs(sb - int(lim.pool_target_sm[p])))
    return {b: (v[0], v[1], v[2]) for b, v in out.items()}


# --------------------------------------------------------------------------------------------
# Alternative optima


@dataclass(frozen=True)
class Alternative:
    """Another optimal plan's senior and senior+intermediate posts for one unit."""

    unit_id: str
    posts_senior: tuple[int, int]  # (this plan, the other optimal plan)
    posts_senior_intermediate: tuple[int, int]


def _search_alternatives(
    policy: Policy,
    units: pd.DataFrame,
    lim: UnitLimits,
    plan: _Plan,
    targets: np.ndarray,
    backend: Backend,
    time_limit: float | None,
    deadline: float | None = None,
) -> tuple[dict[int, Alternative], set[int], bool]:
    """Which of the units ``targets`` another optimal plan gives other ``A`` or ``B``.

    For each target and each direction (``A`` one lower, one higher; the same for ``B``) the
    block is solved again with that bound; if the block's optimum keeps both objective values,
    the alternative exists (and every unit of the block that it moves is noted as well).
    Blocks are independent, so one solve handles one target of every block at once.

    Returns (alternatives by position, positions settled, complete?).
    """
    blocks = block_codes(policy, units, lim)
    order = canonical_order(units)
    ids = units["unit_id"].astype(str).to_numpy()
    found: dict[int, Alternative] = {}
    settled: set[int] = set()
    target_set = set(targets.tolist())
    by_block: dict[int, list[int]] = {}
    for i in order.tolist():
        if i in target_set:
            by_block.setdefault(int(blocks[i]), []).append(i)
    c_s, c_m, _delta = stage1_coefficients(policy, units["priority"].to_numpy(np.float64))
    weights = (c_s, c_m)
    sel = order[np.isin(blocks[order], list(by_block))]
    base = _values(weights, lim, sel, plan.A[sel], plan.B[sel], plan.ys[sel], plan.ym[sel],
                   blocks[sel])

    complete = True
    rounds = max((len(v) for v in by_block.values()), default=0)
    for r in range(rounds):
        for group, step in ((0, -1), (0, 1), (1, -1), (1, 1)):
            if deadline is not None and time.perf_counter() > deadline:
                return found, settled, False
            picks = {b: v[r] for b, v in by_block.items() if r < len(v) and v[r] not in found}
            if not picks:
                continue
            idx = order[np.isin(blocks[order], list(picks))]
            form = build(policy, units, lim, idx, blocks[idx])
            lower, upper = form.col_lower.copy(), form.col_upper.copy()
            where = {int(i): k for k, i in enumerate(idx.tolist())}
            forced: dict[int, int] = {}
            for b, i in picks.items():
                col = group * form.n + where[i]
                current = int((plan.A if group == 0 else plan.B)[i])
                new = current + step
                if not lower[col] <= new <= upper[col]:
                    continue
                if step < 0:
                    upper[col] = new
                else:
                    lower[col] = new
                forced[b] = i
            if not forced:
                continue
            sub_blocks = list(forced)
            jobs = [sub_blocks]
            while jobs:
                blist = jobs.pop()
                sel = np.isin(blocks[idx], blist)
                if sel.all():
                    f2 = replace(form, col_lower=lower, col_upper=upper)
                else:
                    f2 = _restrict(policy, units, lim, idx[sel], blocks, lower, upper, where)
                raw = solve_formulation(f2, backend, time_limit)
                if raw.status is Status.INFEASIBLE and len(blist) > 1:
                    jobs += [[b] for b in blist]  # one forced bound is impossible: split
                    continue
                if raw.status is not Status.OPTIMAL or raw.x is None:
                    if raw.status is not Status.INFEASIBLE:
                        complete = False
                    continue
                sub_idx = f2.idx
                A, B, ys, ym = decode_solution(f2, raw.x)
                got = _values(weights, lim, sub_idx, A, B, ys, ym, blocks[sub_idx])
                for k, i in enumerate(sub_idx.tolist()):
                    b = int(blocks[i])
                    if got[b] != base[b]:
                        continue
                    if (A[k], B[k]) != (plan.A[i], plan.B[i]) and i not in found:
                        found[i] = Alternative(ids[i], (int(plan.A[i]), int(A[k])),
                                               (int(plan.B[i]), int(B[k])))
        for v in by_block.values():
            if r < len(v):
                settled.add(v[r])
    return found, settled, complete


def _restrict(policy: Policy, units: pd.DataFrame, lim: UnitLimits, idx: np.ndarray,
              blocks: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              where: dict[int, int]) -> Formulation:
    """The formulation of the units ``idx`` with the column bounds chosen for the larger one."""
    form = build(policy, units, lim, idx, blocks[idx])
    lo, hi = form.col_lower.copy(), form.col_upper.copy()
    n_big = len(lower) // 6
    for k, i in enumerate(idx.tolist()):
        for g in range(6):
            lo[g * form.n + k] = lower[g * n_big + where[i]]
            hi[g * form.n + k] = upper[g * n_big + where[i]]
    return replace(form, col_lower=lo, col_upper=hi)


@dataclass(frozen=True)
class Uniqueness:
    """Whether a plan is the only optimal one on each unit's senior and senior+intermediate
    posts (``summary["uniqueness"]``)."""

    checked: bool
    unique: bool | None
    units_checked: int
    units_total: int
    could_differ: tuple[Alternative, ...] = ()
    complete: bool = True
    tie_break: str = ""
    seconds: float = 0.0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "unique": self.unique,
            "units_checked": self.units_checked,
            "units_total": self.units_total,
            "units_could_differ": len(self.could_differ),
            "could_differ": [
                {"unit_id": a.unit_id,
                 "posts_senior": list(a.posts_senior),
                 "posts_senior_intermediate": list(a.posts_senior_intermediate)}
                for a in self.could_differ],
            "complete": self.complete,
            "tie_break": self.tie_break,
            "seconds": round(self.seconds, 3),
            "note": self.note,
        }

    def describe(self) -> str:
        """One or two sentences for the run summary."""
        if not self.checked:
            return f"uniqueness not checked: {self.note}"
        scope = ("" if self.units_checked == self.units_total else
                 f" (checked {self.units_checked} of {self.units_total} units)")
        if self.unique:
            return ("unique: no other optimal plan gives any unit other senior or "
                    f"senior+intermediate posts{scope}")
        n = len(self.could_differ)
        shown = ", ".join(a.unit_id for a in self.could_differ[:8])
        more = f" and {n - 8} more" if n > 8 else ""
        head = (f"not unique: {n} unit(s) could get other senior or senior+intermediate posts "
                f"in another optimal plan ({shown}{more}){scope}" if n else
                f"uniqueness unknown{scope}")
        return f"{head}; this plan was chosen by: {self.tie_break}"


#: ``run --check-unique`` checks at most this many units (canonical order) by default.
MAX_UNITS = 1000

#: Default seconds for the whole uniqueness check (``run --check-unique`` without
#: ``--time-limit``): each unit can cost four solves of its block, about a second each on a
#: large block, so without a budget 1000 units could take more than 20 minutes.
CHECK_SECONDS = 60.0


def _backend_of(result: Result) -> str | None:
    """The backend that solved ``result`` (None for a result without a solver run)."""
    return result.figures.solver.backend if result.figures.solver else None


def tie_break_rule(result: Result) -> str:
    """By what rule the solve chose this plan among equally good ones."""
    solver = result.figures.solver
    structured = solver.units_structured if solver and solver.units_structured else 0
    mip = (solver.units_mip if solver and solver.units_mip is not None
           else result.figures.units or 0)
    rules = []
    if structured:
        rules.append(f"{structured} unit(s) by the structured method: posts are added one "
                     "step at a time, the best step first (one that appoints a waiting "
                     "title-holder, then, up to the base cap, one that brings a unit closest "
                     "to its quota: largest remainder); equal steps go to the larger unit "
                     "(total_posts), then to the first unit in (pool, unit_id) order")
    if mip:
        rules.append(f"{mip} unit(s) by the MIP ({_backend_of(result)}, "
                     f"{solver.version if solver else None}); in scope pool the tie rule "
                     "(larger unit, then unit_id) is then applied by moving single posts "
                     "between units of a pool without changing the objective values; "
                     "otherwise the plan is the one the solver returned for the model built "
                     "in (pool, unit_id) order")
    return "; ".join(rules) or "no units"


def alternative_optima(
    scenario: Scenario,
    variant: str | None,
    result: Result,
    max_units: int = MAX_UNITS,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
) -> Uniqueness:
    """Is ``result``'s plan the only optimal one on each unit's senior and senior+intermediate
    posts?

    For each of the first ``max_units`` units (in (pool, unit_id) order) the unit's block is
    solved again with the unit's ``P_s`` or ``P_s + P_m`` forced one lower or one higher; an
    optimum with the same two objective values is another optimal plan. Every unit such a
    plan moves is counted. It costs up to four solves of the block per unit (one solve per
    round covers one unit of every independent block), which is why ``run`` does it only with
    ``--check-unique``.

    ``time_limit`` is the budget in seconds for the whole check (default :data:`CHECK_SECONDS`;
    ``math.inf`` for none): when it runs out the check stops, and the note says how many units
    it checked; the rest are unknown.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> res = quotaopt.solve(sc)
    >>> quotaopt.alternative_optima(sc, None, res).as_dict()  # doctest: +SKIP

    (Skipped in the test run: it solves the MIP again up to four times per unit, a minute
    for the shipped scenario.)
    """
    started = time.perf_counter()
    v = scenario.variant(variant)
    n = len(v.units)
    if result.status is not Status.OPTIMAL or result.allocation is None:
        return Uniqueness(False, None, 0, n,
                          note="there is no proven-optimal plan to compare with")
    lim = result.limits or compute_limits(v.policy, v.units)
    be = get_backend(backend or _backend_of(result))
    targets = canonical_order(v.units)[:max_units]
    budget = CHECK_SECONDS if time_limit is None else float(time_limit)
    deadline = None if budget == float("inf") else started + budget
    found, settled, complete = _search_alternatives(
        v.policy, v.units, lim, _Plan.of(result.allocation), targets, be, None, deadline)
    rank = {int(i): k for k, i in enumerate(canonical_order(v.units).tolist())}
    could = tuple(found[i] for i in sorted(found, key=rank.__getitem__))
    checked = len(settled | set(found))
    complete = complete and checked == n
    unique = False if could else (True if complete else None)
    out_of_time = deadline is not None and not complete and time.perf_counter() > deadline
    if checked == n:
        note = ""
    elif out_of_time:
        note = (f"checked {checked} of {len(targets)} units before the {budget:g} s budget ran "
                "out (--time-limit); the rest unknown")
        if len(targets) < n:
            note += f" (and at most {max_units} of the {n} units are checked: max_units)"
    else:
        note = (f"checked {checked} of {n} units (max_units = {max_units}); the others may "
                "differ too")
    return Uniqueness(True, unique, checked, n, could, complete, tie_break_rule(result),
                      time.perf_counter() - started, note)


# --------------------------------------------------------------------------------------------
# explain --unit


@dataclass(frozen=True)
class Explanation:
    """What ``quotaopt explain --unit`` prints, line by line, plus the findings as data."""

    unit_id: str
    variant: str
    status: Status
    lines: tuple[str, ...]
    binding: tuple[str, ...] = ()
    one_more: dict[str, Any] | None = None
    alternatives: tuple[Alternative, ...] = ()
    reasons: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _find_unit(v: Variant, unit_id: str) -> int:
    ids = v.units["unit_id"].astype(str).to_numpy()
    hits = np.flatnonzero(ids == str(unit_id))
    if len(hits):
        return int(hits[0])
    names = v.units["name"].astype(str).to_numpy()
    named = np.flatnonzero(names == str(unit_id).strip())
    if len(named) == 1:  # the unit's name, when no other unit has it
        return int(named[0])
    if len(named) > 1:
        raise InputError([Problem.of(
            "unit_name_ambiguous", file=v.units_file, column="name", name=str(unit_id),
            unit_ids=tuple(ids[named].tolist()))])
    close = difflib.get_close_matches(str(unit_id), ids.tolist(), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InputError([Problem(
        f"no unit {unit_id!r} in the units table{hint}; give a unit_id of the table, or "
        "the name of one unit",
        file=v.units_file, column="unit_id")])


def _share_line(policy: Policy, t: str) -> str:
    sh = policy.shares_for(t)
    tp = policy.types.get(t)
    bonus = tp.senior_bonus if tp is not None else Fraction(0)
    ratio = tp.ratio if tp is not None and tp.ratio is not None else policy.ratio
    senior = (f"senior {fmt_pct(sh.senior - bonus)} + bonus {fmt_pct(bonus)} = "
              f"{fmt_pct(sh.senior)}" if bonus else f"senior {fmt_pct(sh.senior)}")
    junior = (f"junior {fmt_pct(sh.junior + bonus)} − {fmt_pct(bonus)} = {fmt_pct(sh.junior)}"
              if bonus else f"junior {fmt_pct(sh.junior)}")
    return (f"shares of {t} (ratio {ratio}): {senior} · intermediate {fmt_pct(sh.intermediate)}"
            f" · {junior} · junior_to_intermediate {fmt_num(sh.junior_to_intermediate)}")


def _next_rise(policy: Policy, share: Fraction, cap: int) -> int | None:
    """Smallest total_posts at which ``R(share × T)`` exceeds ``cap``."""
    if share <= 0:
        return None
    bound, strict = threshold(cap + 1, policy.rounding)
    t = bound / share
    return int(t) + 1 if strict and t == int(t) else -(-t.numerator // t.denominator)


def next_cap_rise(policy: Policy, units: pd.DataFrame, lim: UnitLimits, pos: int,
                  which: str) -> int | None:
    """Smallest total_posts above unit ``pos``'s at which its ``which`` cap *in force* rises
    (scope ``unit``) — the cap a minimum rule or grandfathered incumbents may have lifted
    above the share's, so each candidate size is evaluated with
    :func:`quotaopt.caps.compute_limits`, minimum rules switching on at a size included.
    ``None`` when the cap never rises (a zero share)."""
    senior = which == "senior"
    cap = int((lim.cap_s if senior else lim.cap_sm)[pos])
    row = units.iloc[[pos]]
    T = int(row["total_posts"].iat[0])
    sh = policy.shares_for(str(row["type"].iat[0]))
    # from this size on the share's own cap is above ``cap``, so the cap in force is too
    stop = _next_rise(policy, sh.senior if senior else sh.senior_intermediate_cap_share, cap)
    if stop is None:
        return None

    def rises_at(totals: np.ndarray) -> np.ndarray:
        df = row.loc[row.index.repeat(len(totals))].reset_index(drop=True)
        df["total_posts"] = totals
        df["pool"] = "what-if"
        what_if = compute_limits(policy, df)
        return (what_if.cap_s if senior else what_if.cap_sm) > cap

    return search(rises_at, T + 1, max(stop, T + 1))


def explain(
    scenario: Scenario,
    unit_id: str,
    variant: str | None = None,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    result: Result | None = None,
    method: str | None = None,
) -> Explanation:
    """Why unit ``unit_id`` gets its posts in ``variant``, in the policy's words.

    Parameters
    ----------
    result
        The variant's solved :class:`~quotaopt.solve.Result`, if already at hand; else it is
        solved here, with ``method`` (as :func:`quotaopt.solve`: ``auto`` or ``mip``, which
        may break ties between equally good plans differently).

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> print(quotaopt.explain(sc, "TX011"))  # doctest: +ELLIPSIS
    unit TX011 石桥镇卫生院 · type health_centre · pool 东片 · scenario tongxi-county · ...
    data: 46 posts · incumbents 2 senior, 15 intermediate, 26 junior · waiting 4 for senior, ...
    ...
    senior cap: 46 × (10 % + 5 %) = 6.9 → floor 6
    ...
    """
    v = scenario.variant(variant)
    pos = _find_unit(v, unit_id)
    pol, units = v.policy, v.units
    lim = compute_limits(pol, units)
    if result is None:
        result = solve(scenario, variant, backend=backend, time_limit=time_limit,
                       method=method)
    be_name = backend or _backend_of(result)
    u = units.iloc[pos]
    uid, name, t, pool = str(u["unit_id"]), str(u["name"]), str(u["type"]), str(u["pool"])
    T = int(u["total_posts"])
    i_s, i_m, i_j = (int(u[c]) for c in ("senior_incumbents", "intermediate_incumbents",
                                          "junior_incumbents"))
    w_s, w_m = int(u["senior_waiting"]), int(u["intermediate_waiting"])
    lines = [
        f"unit {uid}" + (f" {name}" if name != uid else "")
        + f" · type {t} · pool {pool} · scenario {scenario.name} · variant {v.name}",
        f"data: {T} posts · incumbents {i_s} senior, {i_m} intermediate, {i_j} junior · "
        f"waiting {w_s} for senior, {w_m} for intermediate · priority "
        f"{fmt_num(Fraction(repr(float(u['priority']))))}",
        f"policy: ratio {pol.ratio} · scope {pol.scope} · rounding {pol.rounding} · "
        f"incumbents {pol.incumbents}" + (
            _(" · budget of pool {pool} {amount}").format(
                pool=pool, amount=fmt_num(pol.budget.pools[str(pool)]))
            if pol.budget and pol.budget.per_pool else
            f" · budget max_increase {fmt_num(pol.budget.max_increase)}" if pol.budget else ""),
        _share_line(pol, t),
    ]
    inc_s, inc_sm = i_s, i_s + i_m
    if pol.scope is Scope.UNIT:
        for label, which, base, cap, inc in (
            ("senior cap", "senior", lim.base_cap_s[pos], lim.cap_s[pos], inc_s),
            ("senior+intermediate cap", "senior+intermediate", lim.base_cap_sm[pos],
             lim.cap_sm[pos], inc_sm),
        ):
            text = f"{label}: {cap_words(pol, t, T, which)}"
            alo = (lim.alo_cap_s if which == "senior" else lim.alo_cap_sm)[pos]
            if alo != min(base, T):
                text += (f" → {alo} by policy.at_least_one (不足1个按1个: a share above 0 that "
                         "rounds to 0 still gives 1 post)")
                base = alo
            if cap != base:
                if pol.incumbents is Incumbents.GRANDFATHER and cap == inc and inc > base:
                    text += (f" → raised to the {inc} {which} incumbents (incumbents = "
                             "grandfather; the unit is flagged over_ratio)")
                else:
                    text += f" → raised to {cap} by the minimum rules (a minimum lifts the cap)"
            lines.append(text)
    else:
        p = int(lim.pool_codes[pos])
        for which, cap, base in (
            ("senior", lim.pool_cap_s[p], lim.pool_base_cap_s[p]),
            ("senior+intermediate", lim.pool_cap_sm[p], lim.pool_base_cap_sm[p]),
        ):
            text = (f"pooled {which} cap of pool {pool}: {pool_cap_words(pol, lim, p, which)}; "
                    f"this unit's part: {share_product(pol, t, T, which)}")
            if cap != base:
                text += (f"; raised to {cap} (policy.at_least_one, or the pool's incumbents "
                         "with incumbents = grandfather)")
            lines.append(text)
        lines += _quota_lines(lim, units, pos, result.allocation)
    rules = [(k, r) for k, r in enumerate(pol.minimum)
             if r.applies(t, T) and r.posts > 0]
    for k, r in rules:
        lines.append(f"minimum (policy.minimum[{k + 1}]): {r.describe()} → at least "
                     f"{min(r.posts, T)} {r.level} post(s) here")
    if not rules:
        lines.append("minimum rules: none applies to this unit")

    assert result.figures.provenance is not None
    prov = provenance_record(result.figures.provenance, result.figures.solver)
    if result.allocation is None:
        lines.append(f"plan: none — the variant is {result.status.value}:")
        lines += [f"  - {r}" for r in result.reasons] or [f"  - {result.message}"]
        lines += provenance_lines(prov)
        return Explanation(uid, v.name, result.status, tuple(lines), reasons=result.reasons,
                           provenance=prov)

    a = result.allocation.iloc[pos]
    ps, pm, pj = (int(a[c]) for c in ("posts_senior", "posts_intermediate", "posts_junior"))
    ys, ym = int(a["appointed_senior"]), int(a["appointed_intermediate"])
    A, B = ps, ps + pm
    if result.status is not Status.OPTIMAL:
        lines.append("warning: this plan is NOT proven optimal (time limit); what binds and "
                     "the comparisons below are about this plan")
    lines.append(f"plan: {ps} senior · {pm} intermediate · {pj} junior posts")
    lines.append(
        f"  appointed {ys} of {w_s} waiting for senior, {ym} of {w_m} waiting for intermediate"
        f" · vacant {int(a['vacant_senior'])} senior, {int(a['vacant_intermediate'])} "
        f"intermediate, {int(a['vacant_junior'])} junior")

    binding = _binding(pol, units, lim, result.allocation, pos)
    lines.append("what binds:" if binding else "what binds: nothing — no limit is reached")
    lines += [f"  - {b}" for b in binding]

    one_more = _one_more(scenario, v, lim, result, pos, be_name, time_limit)
    lines += one_more.pop("lines")
    if pol.scope is Scope.UNIT:
        rise_s = next_cap_rise(pol, units, lim, pos, "senior")
        rise_sm = next_cap_rise(pol, units, lim, pos, "senior+intermediate")
        lines.append(f"  its senior cap next rises at {rise_s} posts, its senior+intermediate "
                     f"cap at {rise_sm} posts")

    alternatives: tuple[Alternative, ...] = ()
    if result.status is Status.OPTIMAL:
        be = get_backend(be_name)
        found, _alts, complete = _search_alternatives(
            pol, units, lim, _Plan.of(result.allocation), np.array([pos]), be, time_limit)
        if pos in found:
            alt = found[pos]
            alternatives = (alt,)
            lines.append(
                f"other optimal plans: yes — one gives it {alt.posts_senior[1]} senior and "
                f"{alt.posts_senior_intermediate[1] - alt.posts_senior[1]} intermediate posts "
                f"(this plan: {A} and {B - A}) with the same appointments and the same "
                "distances to the base caps and quotas")
            lines.append(f"  this plan was chosen by: {tie_break_rule(result)}")
        elif complete:
            lines.append("other optimal plans: none gives this unit other senior or "
                         "senior+intermediate posts (checked by solving again with them forced "
                         "one lower and one higher)")
        else:
            lines.append("other optimal plans: unknown (a check ran out of time)")
    lines += provenance_lines(prov)
    return Explanation(uid, v.name, result.status, tuple(lines), tuple(binding), one_more,
                       alternatives, result.reasons, prov)


def _quota_lines(lim: UnitLimits, units: pd.DataFrame, pos: int,
                 alloc: pd.DataFrame | None) -> list[str]:
    """Scope pool: the unit's Hamilton quotas, and where its remainder ranks in the pool —
    why it got ⌈Q⌉ and not ⌊Q⌋ (or the other way round)."""
    p = int(lim.pool_codes[pos])
    members = np.flatnonzero(lim.pool_codes == p)
    T = units["total_posts"].to_numpy(np.int64)
    ids = units["unit_id"].astype(str).to_numpy()
    out = []
    for level, which, base in (("s", "senior", lim.pool_target_s[p]),
                               ("sm", "senior+intermediate", lim.pool_target_sm[p])):
        num, den = lim.quotas(level)
        q = Fraction(int(num[pos]), int(den[pos]))
        floors = sum(int(num[i]) // int(den[i]) for i in members)
        left = int(base) - floors
        # remainders ranked: largest first, then the larger unit, then unit_id
        ranked = sorted(members.tolist(), key=lambda i: (
            -Fraction(int(num[i]) % int(den[i]), int(den[i])), -int(T[i]), ids[i]))
        rank = ranked.index(pos) + 1
        rem = q - math.floor(q)
        text = (f"  {which} quota (Hamilton): {int(base)} × this unit's share / the pool's "
                f"= {fmt_num(q)} ≈ {float(q):.3f}: floor {math.floor(q)}, remainder "
                f"{float(rem):.3f}, ranked {rank} of {len(members)} in pool "
                f"{lim.pool_names[p]}; the floors use {floors} of {int(base)} posts, so the "
                f"{max(left, 0)} largest remainders get one more")
        if alloc is not None:
            x = int(alloc["posts_senior"].iat[pos])
            if level == "sm":
                x += int(alloc["posts_intermediate"].iat[pos])
            why = ("its remainder is among them" if rank <= left and rem > 0 else
                   "its remainder is not among them" if rem > 0 else "its quota is whole")
            text += f" → plan {x} ({why}"
            if x not in (math.floor(q), math.ceil(q)) or (
                    rem > 0 and (x == math.ceil(q)) != (rank <= left)):
                text += "; appointments, incumbents or the unit's posts move it off that split"
            text += ")"
        out.append(text)
    return out


def _binding(policy: Policy, units: pd.DataFrame, lim: UnitLimits, alloc: pd.DataFrame,
             pos: int) -> list[str]:
    """The limits the plan reaches for this unit, in the policy's words."""
    a = alloc.iloc[pos]
    u = units.iloc[pos]
    T = int(u["total_posts"])
    ps, pm, pj = (int(a[c]) for c in ("posts_senior", "posts_intermediate", "posts_junior"))
    A, B = ps, ps + pm
    ys, ym = int(a["appointed_senior"]), int(a["appointed_intermediate"])
    i_s = int(u["senior_incumbents"])
    i_sm = i_s + int(u["intermediate_incumbents"])
    w_s, w_m = int(u["senior_waiting"]), int(u["intermediate_waiting"])
    out: list[str] = []
    cap_s_full = cap_sm_full = False
    if policy.scope is Scope.UNIT:
        cap_s_words, cap_sm_words = "the senior cap", "the senior+intermediate cap"
        cap_s_full, cap_sm_full = bool(A >= lim.cap_s[pos]), bool(B >= lim.cap_sm[pos])
        if cap_s_full:
            out.append(f"senior cap: all {int(lim.cap_s[pos])} senior posts it allows are set")
        if cap_sm_full:
            out.append(f"senior+intermediate cap: all {int(lim.cap_sm[pos])} senior+intermediate"
                       " posts it allows are set")
    else:
        p = int(lim.pool_codes[pos])
        members = lim.pool_codes == p
        pool = lim.pool_names[p]
        cap_s_words = f"pool {pool}'s senior quota"
        cap_sm_words = f"pool {pool}'s senior+intermediate quota"
        used_s = int(alloc["posts_senior"].to_numpy()[members].sum())
        used_sm = used_s + int(alloc["posts_intermediate"].to_numpy()[members].sum())
        cap_s_full = used_s >= lim.pool_cap_s[p]
        cap_sm_full = used_sm >= lim.pool_cap_sm[p]
        if cap_s_full:
            out.append(f"pool quota: pool {pool} uses all {int(lim.pool_cap_s[p])} senior posts "
                       "of its pooled cap")
        if cap_sm_full:
            out.append(f"pool quota: pool {pool} uses all {int(lim.pool_cap_sm[p])} "
                       "senior+intermediate posts of its pooled cap")
    total_full = bool(B >= T - lim.min_j[pos])
    if total_full:
        if lim.min_j[pos] > 0:
            out.append(f"minimum: {int(lim.min_j[pos])} junior post(s) must stay junior")
        else:
            out.append(f"total posts: all {T} posts are senior or intermediate")
    if A and A == i_s + ys:
        out.append(f"incumbents: every senior post is held ({i_s} incumbents + {ys} appointed)")
    if B and B == i_sm + ym:
        out.append(f"incumbents: every senior+intermediate post is held ({i_sm} incumbents + "
                   f"{ym} appointed)")
    if w_s and ys == w_s:
        out.append(f"waiting staff: all {w_s} waiting for a senior post are appointed")
    if w_m and ym == w_m:
        out.append(f"waiting staff: all {w_m} waiting for an intermediate post are appointed")
    for lvl, have, need in ((Level.SENIOR, ps, lim.min_s[pos]),
                            (Level.INTERMEDIATE, pm, lim.min_m[pos])):
        if need > 0 and have <= need:
            out.append(f"minimum: {lvl} posts are at the minimum of {int(need)}")
    # What stops one more appointment: a full block of posts that cannot grow, or the budget.
    held_s: list[str] = []
    held_m: list[str] = []
    grow_b = [w for w, full in ((cap_sm_words, cap_sm_full),
                                ("the unit's total posts", total_full)) if full]
    if A == i_s + ys:  # no senior post is free: the senior block must grow
        if cap_s_full:
            held_s.append(cap_s_words)
        if pm <= lim.min_m[pos]:  # …and it can only grow into the senior+intermediate block
            held_s += grow_b
    if B == i_sm + ym:
        held_m += grow_b
    if policy.budget is not None:
        b = policy.budget
        c_s, c_m = b.appointment_costs
        if b.per_pool:  # the unit's pool's own budget
            pool = str(alloc["pool"].iat[pos])
            mine = (alloc["pool"].astype(str) == pool).to_numpy()
            cost = b.promotion_cost(int(alloc["appointed_senior"].to_numpy()[mine].sum()),
                                    int(alloc["appointed_intermediate"].to_numpy()[mine].sum()))
            amount = b.pools[pool]
        else:
            cost = b.promotion_cost(int(alloc["appointed_senior"].sum()),
                                    int(alloc["appointed_intermediate"].sum()))
            amount = b.max_increase
        left = amount - cost
        cheapest = min([c for c in (c_s, c_m) if c > 0], default=None)
        if cheapest is not None and left < cheapest and b.per_pool:
            out.append(_("budget of pool {pool}: {cost} of {amount} used; {left} left, less "
                         "than one more appointment ({cheapest})").format(
                pool=pool, cost=fmt_num(cost), amount=fmt_num(amount), left=fmt_num(left),
                cheapest=fmt_num(cheapest)))
        elif cheapest is not None and left < cheapest:
            out.append(f"budget: {fmt_num(cost)} of {fmt_num(b.max_increase)} used; "
                       f"{fmt_num(left)} left, less than one more appointment "
                       f"({fmt_num(cheapest)})")
        if left < c_s:
            held_s.append("the budget")
        if left < c_m:
            held_m.append("the budget")
    for post, got, wait, held in (("a senior post", ys, w_s, held_s),
                                  ("an intermediate post", ym, w_m, held_m)):
        if got < wait:
            why = " and ".join(dict.fromkeys(held)) or "no limit of this unit alone"
            out.append(f"waiting left: {wait - got} of {wait} waiting for {post} stay "
                       f"unappointed, held back by {why}")
    return out


def _sub_scenario(scenario: Scenario, v: Variant, units: pd.DataFrame) -> Scenario:
    sub_v = replace(v, units=units.reset_index(drop=True))
    return replace(scenario, variants={v.name: sub_v})


def _one_more(scenario: Scenario, v: Variant, lim: UnitLimits, result: Result, pos: int,
              backend: str | None, time_limit: float | None) -> dict[str, Any]:
    """Solve the unit's block again with one more post for the unit; compare."""
    pol = v.policy
    members = _block_members(pol, v.units, lim, pos)
    k = int(np.flatnonzero(members == pos)[0])
    base_units = v.units.iloc[members].reset_index(drop=True)
    more_units = base_units.copy()
    T = int(more_units.at[k, "total_posts"])
    more_units.at[k, "total_posts"] = T + 1
    alloc = result.allocation
    assert alloc is not None
    base_alloc = alloc.iloc[members].reset_index(drop=True)
    base_sc = _sub_scenario(scenario, v, base_units)
    more_sc = _sub_scenario(scenario, v, more_units)
    base_v, more_v = base_sc.variant(v.name), more_sc.variant(v.name)
    base_lim = compute_limits(pol, base_units)
    more_lim = compute_limits(pol, more_units)
    res = solve(more_sc, v.name, backend=backend, time_limit=time_limit)
    where = "this unit" if len(members) == 1 else (
        f"pool {v.units['pool'].iat[pos]}" if (pol.scope is Scope.POOL and pol.budget is None)
        or (pol.budget is not None and pol.budget.per_pool) else "all units")
    if pol.scope is Scope.UNIT:
        caps = (f"senior cap {int(base_lim.cap_s[k])} → {int(more_lim.cap_s[k])}, "
                f"senior+intermediate cap {int(base_lim.cap_sm[k])} → {int(more_lim.cap_sm[k])}")
    else:
        p = int(more_lim.pool_codes[k])
        caps = (f"pooled senior cap {int(base_lim.pool_cap_s[p])} → "
                f"{int(more_lim.pool_cap_s[p])}, pooled senior+intermediate cap "
                f"{int(base_lim.pool_cap_sm[p])} → {int(more_lim.pool_cap_sm[p])}")
    head = f"one more post ({T + 1} instead of {T}): {caps}"
    if res.allocation is None:
        return {"lines": [head, f"  re-solved: the variant becomes {res.status.value}: "
                          + "; ".join(res.reasons or (res.message,))],
                "status": res.status.value}
    s1_base = exact_objectives(base_v, base_lim, base_alloc)[0]
    s1_more = exact_objectives(more_v, more_lim, res.allocation)[0]
    d_s = int(res.allocation["appointed_senior"].sum() - base_alloc["appointed_senior"].sum())
    d_m = int(res.allocation["appointed_intermediate"].sum()
              - base_alloc["appointed_intermediate"].sum())
    new = res.allocation.iloc[k]
    gain = s1_more - s1_base
    lines = [head,
             f"  re-solved ({where}): this unit {int(new['posts_senior'])} senior · "
             f"{int(new['posts_intermediate'])} intermediate · {int(new['posts_junior'])} junior"
             f"; appointments {d_s:+d} senior, {d_m:+d} intermediate (weighted "
             f"{'+' if gain >= 0 else ''}{fmt_num(gain)})"]
    if gain == 0:
        left_s = int(base_alloc["waiting_left_senior"].sum())
        left_m = int(base_alloc["waiting_left_intermediate"].sum())
        why = (f"nobody in {where} is left waiting" if left_s + left_m == 0 else
               "the post raises no limit that holds a waiting title-holder back")
        lines.append(f"  it buys no appointment: {why}")
    return {"lines": lines, "status": res.status.value, "weighted_gain": fmt_num(gain),
            "appointed_senior": d_s, "appointed_intermediate": d_m}
