r"""Whether another optimal plan would give a unit other senior or senior+intermediate posts.

:func:`alternative_optima` asks it for every unit of a plan (``quotaopt run --check-unique``);
:func:`quotaopt.explain.explain` asks it for one unit. Both re-solve the variant's own
formulation (:mod:`quotaopt.model`), restricted to the independent block of the unit — the
unit itself in scope ``unit``, its pool in scope ``pool``, every unit when a budget couples
them — with the unit's posts forced one lower or one higher, so the answers are exact, not
estimates from the duals of a MIP. The verdict is data (:class:`Uniqueness`, its sentences
:class:`~quotaopt.messages.Message`\ s written in the language in use).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from .backends import Backend, Status, get_backend
from .caps import UnitLimits, compute_limits
from .messages import Message
from .model import Formulation, build, stage1_coefficients
from .policy import Policy
from .result import Result
from .scenario import Scenario
from .solve import block_codes, canonical_order, decode_solution, solve_formulation

# --------------------------------------------------------------------------------------------
# Blocks and exact objective values per block


def block_members(policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                   pos: int) -> np.ndarray:
    """Positions (canonical order) of the units in ``pos``'s independent block."""
    blocks = block_codes(policy, units, lim)
    order = canonical_order(units)
    return order[blocks[order] == blocks[pos]]


@dataclass(frozen=True)
class PlanArrays:
    """Cumulative posts and appointments of a whole variant (input order)."""

    A: np.ndarray
    B: np.ndarray
    ys: np.ndarray
    ym: np.ndarray

    @classmethod
    def of(cls, alloc: pd.DataFrame) -> PlanArrays:
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


def search_alternatives(
    policy: Policy,
    units: pd.DataFrame,
    lim: UnitLimits,
    plan: PlanArrays,
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
    search = _AlternativeSearch(policy, units, lim, plan, targets, backend, time_limit)
    by_block = search.by_block
    settled: set[int] = set()
    complete = True
    rounds = max((len(v) for v in by_block.values()), default=0)
    for r in range(rounds):
        for group, step in ((0, -1), (0, 1), (1, -1), (1, 1)):
            if deadline is not None and time.perf_counter() > deadline:
                return search.found, settled, False
            picks = {b: v[r] for b, v in by_block.items()
                     if r < len(v) and v[r] not in search.found}
            if picks and not search.try_step(picks, group, step):
                complete = False
        for v in by_block.values():
            if r < len(v):
                settled.add(v[r])
    return search.found, settled, complete


class _AlternativeSearch:
    """One :func:`search_alternatives`: the variant and its plan, the plan's objective values
    per block, the targets of each block and the alternatives found so far."""

    def __init__(self, policy: Policy, units: pd.DataFrame, lim: UnitLimits,
                 plan: PlanArrays, targets: np.ndarray, backend: Backend,
                 time_limit: float | None):
        self.policy, self.units, self.lim, self.plan = policy, units, lim, plan
        self.backend, self.time_limit = backend, time_limit
        self.blocks = block_codes(policy, units, lim)
        self.order = canonical_order(units)
        self.ids = units["unit_id"].astype(str).to_numpy()
        self.found: dict[int, Alternative] = {}
        target_set = set(targets.tolist())
        self.by_block: dict[int, list[int]] = {}  # block -> its targets, canonical order
        for i in self.order.tolist():
            if i in target_set:
                self.by_block.setdefault(int(self.blocks[i]), []).append(i)
        c_s, c_m, _ = stage1_coefficients(policy, units["priority"].to_numpy(np.float64))
        self.weights = (c_s, c_m)
        sel = self.order[np.isin(self.blocks[self.order], list(self.by_block))]
        self.base = _values(self.weights, lim, sel, plan.A[sel], plan.B[sel], plan.ys[sel],
                            plan.ym[sel], self.blocks[sel])

    def try_step(self, picks: dict[int, int], group: int, step: int) -> bool:
        """Move, in each block of ``picks`` (block → unit position), the unit's ``A``
        (``group`` 0) or ``B`` (``group`` 1) one ``step`` from the plan, solve, and note the
        alternatives found; ``False`` if a solve ended without an answer (time limit …)."""
        idx = self.order[np.isin(self.blocks[self.order], list(picks))]
        form = build(self.policy, self.units, self.lim, idx, self.blocks[idx])
        lower, upper = form.col_lower.copy(), form.col_upper.copy()
        where = {int(i): k for k, i in enumerate(idx.tolist())}
        forced: list[int] = []  # the blocks whose unit can move that way
        for b, i in picks.items():
            col = group * form.n + where[i]
            current = int((self.plan.A if group == 0 else self.plan.B)[i])
            new = current + step
            if not lower[col] <= new <= upper[col]:
                continue
            if step < 0:
                upper[col] = new
            else:
                lower[col] = new
            forced.append(b)
        if not forced:
            return True
        return self._solve_forced(form, idx, lower, upper, where, forced)

    def _solve_forced(self, form: Formulation, idx: np.ndarray, lower: np.ndarray,
                      upper: np.ndarray, where: dict[int, int], forced: list[int]) -> bool:
        """Solve the blocks ``forced`` with the bounds ``lower`` / ``upper`` together; when
        that is infeasible (one forced bound is impossible), each block alone. ``False`` if
        a solve ended without an answer."""
        complete = True
        jobs = [forced]
        while jobs:
            blist = jobs.pop()
            sel = np.isin(self.blocks[idx], blist)
            if sel.all():
                f2 = replace(form, col_lower=lower, col_upper=upper)
            else:
                f2 = _restrict(self.policy, self.units, self.lim, idx[sel], self.blocks,
                               lower, upper, where)
            raw = solve_formulation(f2, self.backend, self.time_limit)
            if raw.status is Status.INFEASIBLE and len(blist) > 1:
                jobs += [[b] for b in blist]  # one forced bound is impossible: split
                continue
            if raw.status is not Status.OPTIMAL or raw.x is None:
                if raw.status is not Status.INFEASIBLE:
                    complete = False
                continue
            self._note(f2, raw.x)
        return complete

    def _note(self, form: Formulation, x: np.ndarray) -> None:
        """Note each unit of a solved block whose posts differ from the plan's while the
        block keeps the plan's objective values: another optimal plan."""
        sub_idx = form.idx
        A, B, ys, ym = decode_solution(form, x)
        got = _values(self.weights, self.lim, sub_idx, A, B, ys, ym, self.blocks[sub_idx])
        plan = self.plan
        for k, i in enumerate(sub_idx.tolist()):
            b = int(self.blocks[i])
            if got[b] != self.base[b]:
                continue
            if (A[k], B[k]) != (plan.A[i], plan.B[i]) and i not in self.found:
                self.found[i] = Alternative(self.ids[i], (int(plan.A[i]), int(A[k])),
                                            (int(plan.B[i]), int(B[k])))


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
    posts (``summary["uniqueness"]``). The tie rule and the note are sentences as data
    (:class:`~quotaopt.messages.Message`), written in the language in use when read."""

    checked: bool
    unique: bool | None
    units_checked: int
    units_total: int
    could_differ: tuple[Alternative, ...] = ()
    complete: bool = True
    tie_rule: Message | None = None
    seconds: float = 0.0
    note_message: Message | None = None

    @property
    def tie_break(self) -> str:
        """By what rule the solve chose this plan among equally good ones."""
        return "" if self.tie_rule is None else str(self.tie_rule)

    @property
    def note(self) -> str:
        """Why the check is not complete (empty when it is)."""
        return "" if self.note_message is None else str(self.note_message)

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

    def message(self) -> Message:
        """The run summary's sentence (:meth:`describe`) as data."""
        if not self.checked:
            return Message.of("uniqueness_not_checked", note=self.note_message)
        if self.unique:
            return Message.of("uniqueness_unique", checked=self.units_checked,
                              total=self.units_total)
        return Message.of("uniqueness_not_unique",
                          unit_ids=tuple(a.unit_id for a in self.could_differ),
                          checked=self.units_checked, total=self.units_total,
                          tie_break=self.tie_rule)

    def describe(self) -> str:
        """One or two sentences for the run summary."""
        return str(self.message())


#: ``run --check-unique`` checks at most this many units (canonical order) by default.
MAX_UNITS = 1000

#: Default seconds for the whole uniqueness check (``run --check-unique`` without
#: ``--time-limit``): each unit can cost four solves of its block, about a second each on a
#: large block, so without a budget 1000 units could take more than 20 minutes.
CHECK_SECONDS = 60.0


def backend_of(result: Result) -> str | None:
    """The backend that solved ``result`` (None for a result without a solver run)."""
    return result.figures.solver.backend if result.figures.solver else None


def tie_break_message(result: Result) -> Message:
    """By what rule the solve chose this plan among equally good ones (as data)."""
    solver = result.figures.solver
    structured = solver.units_structured if solver and solver.units_structured else 0
    mip = (solver.units_mip if solver and solver.units_mip is not None
           else result.figures.units or 0)
    return Message.of("tie_break", structured=structured, mip=mip,
                      backend=backend_of(result), version=solver.version if solver else None)


def tie_break_rule(result: Result) -> str:
    """By what rule the solve chose this plan among equally good ones."""
    return str(tie_break_message(result))


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
        return Uniqueness(False, None, 0, n, note_message=Message.of("uniqueness_no_plan"))
    lim = result.limits or compute_limits(v.policy, v.units)
    be = get_backend(backend or backend_of(result))
    targets = canonical_order(v.units)[:max_units]
    budget = CHECK_SECONDS if time_limit is None else float(time_limit)
    deadline = None if budget == float("inf") else started + budget
    found, settled, complete = search_alternatives(
        v.policy, v.units, lim, PlanArrays.of(result.allocation), targets, be, None, deadline)
    rank = {int(i): k for k, i in enumerate(canonical_order(v.units).tolist())}
    could = tuple(found[i] for i in sorted(found, key=rank.__getitem__))
    checked = len(settled | set(found))
    complete = complete and checked == n
    unique = False if could else (True if complete else None)
    out_of_time = deadline is not None and not complete and time.perf_counter() > deadline
    note = None
    if checked == n:
        note = None
    elif out_of_time:
        note = Message.of("uniqueness_out_of_time", checked=checked, targets=len(targets),
                          seconds=budget, max_units=max_units, total=n)
    else:
        note = Message.of("uniqueness_max_units", checked=checked, total=n,
                          max_units=max_units)
    return Uniqueness(True, unique, checked, n, could, complete, tie_break_message(result),
                      time.perf_counter() - started, note)
