"""The formulation — the arrays of one MIP (:class:`Formulation`; its columns and rows are
described in :mod:`quotaopt.model`, which builds it) — and the exact rewrites of one that a
solve uses: one weighted objective for several lexicographic stages (:func:`weighted`), the
optimal face of an earlier stage proven from LP duals (:func:`optimal_face`), the rows a free
column makes redundant (:func:`slack_rows`, :func:`complete_plan`), and the deviation rows
written as segments (:func:`segmented`). Never solves, never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.sparse as sp

N_BLOCKS = 6
COLUMN_GROUPS = ("posts_senior_cum", "posts_si_cum", "appoint_senior", "appoint_intermediate",
                 "dev_senior", "dev_si")


@dataclass(frozen=True)
class Deviation:
    """The three row groups ``d ≥ S·x − N``, ``d ≥ N − S·x`` and the chord of one column group
    ``x`` (``n`` columns from ``x``; their deviations ``d`` are the ``n`` columns from ``d``,
    and the ``3n`` rows from ``rows``, in that order): ``d ≥ |S·x − N|`` at whole ``x``, with
    ``⌊N/S⌋ = floor`` and ``N mod S = rem`` (whole numbers as floats)."""

    x: int
    d: int
    rows: int
    floor: np.ndarray
    rem: np.ndarray
    den: np.ndarray


@dataclass(frozen=True)
class Formulation:
    """One MIP over a subset of units (``idx`` = their positions in the variant's table)."""

    idx: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integrality: np.ndarray  # 1 integer, 0 continuous
    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_kind: tuple[str, ...]  # one label per row group, for names
    cost1: np.ndarray  # stage 1, to MAXIMISE, integer coefficients (in units of delta)
    costs: tuple[np.ndarray, ...]  # stages 2 and 3 to MINIMISE, integer coefficients
    delta: Fraction  # stage-1 value = delta · (cost1 · x)
    #: per stage (1, 2 and, in scope pool, 3): largest possible change of its cost·x within
    #: one independent block, and within the whole formulation
    block_range: tuple[int, ...]
    batch_range: tuple[int, ...]
    #: the bounds were narrowed to the optimal face of earlier stages (:func:`optimal_face`):
    #: a MIP whose relaxation is usually integral at the root, so a backend may skip the
    #: primal heuristics and presolve, which only cost time there
    face: bool = False
    #: the deviation rows, for :func:`segmented`
    deviations: tuple[Deviation, ...] = ()
    #: the first row of each row group of ``row_kind`` (empty if not known)
    row_start: tuple[int, ...] = ()
    #: names of the column groups of ``n`` columns each that open the formulation, and of
    #: the columns after them (for the names a solver's file gives them)
    unit_groups: tuple[str, ...] = COLUMN_GROUPS
    extra_group: str = "dev_pool"

    def stages(self) -> list[tuple[np.ndarray, int, int]]:
        """``(cost to minimise, block range, batch range)`` of every stage, most important first."""
        out = [(-self.cost1, self.block_range[0], self.batch_range[0])]
        out += [(c, r, b) for c, r, b in zip(self.costs, self.block_range[1:],
                                             self.batch_range[1:], strict=True) if r > 0]
        return out

    @property
    def n(self) -> int:
        return len(self.idx)

    @property
    def num_col(self) -> int:
        return len(self.col_lower)

    def column(self, group: int, x: np.ndarray) -> np.ndarray:
        return x[group * self.n:(group + 1) * self.n]

    def rows_of(self, kind: str) -> np.ndarray:
        """The positions of the rows of kind ``kind`` (a name of ``row_kind``; none if the
        formulation has no such rows)."""
        ends = (*self.row_start[1:], self.matrix.shape[0])
        return np.concatenate([np.arange(start, end, dtype=np.int64) for k, start, end
                               in zip(self.row_kind, self.row_start, ends, strict=True)
                               if k == kind] or [np.zeros(0, dtype=np.int64)])


#: Largest magnitude an objective stage or the budget row of one MIP may reach: far inside the
#: 2^53 up to which doubles hold every whole number, with room for solver tolerances.
MAX_MIP_MAGNITUDE = 2**50


def weighted(stages: list[tuple[np.ndarray, int, int]]) -> tuple[np.ndarray, float]:
    """One cost vector whose minimum is lexicographic over ``stages`` (first = most
    important), block by block, and the largest magnitude its value can reach.

    Each stage's multiplier is one more than everything the stages after it can change by
    inside one block, so no amount of a later stage can pay for one step of an earlier one.
    """
    mult = [1] * len(stages)
    below = 0
    for k in range(len(stages) - 1, -1, -1):
        mult[k] = below + 1
        below += mult[k] * stages[k][1]
    cost = sum(m * c for m, (c, _, _) in zip(mult, stages, strict=True))
    size = float(sum(m * (b + 1) for m, (_, _, b) in zip(mult, stages, strict=True)))
    return np.asarray(cost, dtype=np.float64), size



def optimal_face(form: Formulation, cost: np.ndarray,
                 row_dual: np.ndarray) -> tuple[Formulation, int] | None:
    """``(face, D)``: a proven lower bound ``D`` of ``cost · x`` over the plans of ``form``
    (integer or not) and the plans that reach it, written as bounds instead of one dense row
    — or ``None`` when ``row_dual`` proves nothing.

    ``row_dual`` (from an LP relaxation; a hint only) is rounded to whole numbers ``y`` and
    the reduced costs ``r = cost − Aᵀy`` are computed exactly. For every plan ``x`` of the
    formulation, ``cost·x = Σ_j r_j·x_j + Σ_i y_i·(Ax)_i ≥ Σ_j r_j·(the bound of x_j that
    r_j's sign favours) + Σ_i y_i·(the bound of row i that y_i's sign favours) = D``,
    term by term. A plan reaches ``D`` exactly when every term is at its bound: each column
    with ``r_j ≠ 0`` at that bound, each row with ``y_i ≠ 0`` tight. Fixing those bounds (and
    making those rows equalities) leaves exactly the plans of value ``D``; when an integer
    plan of value ``D`` exists (the caller shows one), its integer points are exactly the
    integer optima. The rows stay sparse and network-like, which a MIP solves far faster than
    with the dense row ``cost · x ≤ optimum``. Exact: whole-number arithmetic, no tolerance.
    """
    matrix = form.matrix
    y = np.rint(np.asarray(row_dual, dtype=np.float64))
    if len(y) != matrix.shape[0] or not np.isfinite(y).all():
        return None
    c = np.asarray(cost, dtype=np.float64)
    if not _exact_product(matrix, y, c):
        return None
    r = c - matrix.T @ y
    lo, hi = form.col_lower.copy(), form.col_upper.copy()
    r_lo, r_hi = form.row_lower.copy(), form.row_upper.copy()
    up, down = r > 0, r < 0  # the column is best at its lower / upper bound
    y_lo, y_hi = y > 0, y < 0  # the row is best at its lower / upper bound
    if (np.isinf(lo[up]).any() or np.isinf(hi[down]).any() or np.isinf(r_lo[y_lo]).any()
            or np.isinf(r_hi[y_hi]).any()):
        return None
    bound = (int_dot(r[up], lo[up]) + int_dot(r[down], hi[down])
             + int_dot(y[y_lo], r_lo[y_lo]) + int_dot(y[y_hi], r_hi[y_hi]))
    hi[up] = lo[up]
    lo[down] = hi[down]
    r_hi[y_lo] = r_lo[y_lo]
    r_lo[y_hi] = r_hi[y_hi]
    return replace(form, col_lower=lo, col_upper=hi, row_lower=r_lo, row_upper=r_hi,
                   face=True), bound


def with_rows(form: Formulation, extra_rows: Any) -> tuple[sp.csr_matrix, np.ndarray,
                                                           np.ndarray]:
    """``(matrix, row_lower, row_upper)`` of the formulation with ``extra_rows`` (pairs
    ``(a, b)``: rows ``a · x >= b``) appended, as a backend passes them to its solver."""
    matrix = form.matrix
    row_lower, row_upper = form.row_lower, form.row_upper
    for coeffs, rhs in extra_rows or ():
        matrix = sp.vstack([matrix, sp.csr_matrix(coeffs.reshape(1, -1))], format="csr")
        row_lower = np.append(row_lower, rhs)
        row_upper = np.append(row_upper, np.inf)
    return matrix, row_lower, row_upper


def int_dot(a: np.ndarray, b: np.ndarray) -> int:
    """``a · b`` of whole-valued floats, in Python integers (no rounding)."""
    return sum(int(p) * int(q) for p, q in zip(a.tolist(), b.tolist(), strict=True))


def _exact_product(matrix: sp.csr_matrix, v: np.ndarray, c: np.ndarray) -> bool:
    """Whether ``c − Aᵀv`` and ``A·v``-sized sums are exact in double precision: every
    number a whole one and every partial sum below 2^52."""
    if (np.rint(c) != c).any() or (matrix.nnz and (np.rint(matrix.data) != matrix.data).any()):
        return False
    per_line = max(np.bincount(matrix.indices, minlength=matrix.shape[1]).max(initial=0),
                   np.diff(matrix.indptr).max(initial=0))
    a_max = float(np.abs(matrix.data).max(initial=0.0))
    return (a_max * float(np.abs(v).max(initial=0.0)) * per_line
            + float(np.abs(c).max(initial=0.0))) < 2.0**52


def slack_rows(form: Formulation, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, slack)``: the rows a column makes redundant for ``min cost · x`` — a
    continuous column of cost 0, lower bound 0, no upper bound, with coefficient −1 in
    rows that have no lower bound (the deviation columns ``d``: raising ``d`` satisfies
    them all) — and, per such row, that column (−1 elsewhere). Dropping the rows leaves the
    same optimum and the LP relaxation several times faster."""
    csc = form.matrix.tocsc()
    cand = ((form.integrality == 0) & (np.asarray(cost) == 0) & (form.col_lower == 0)
            & np.isinf(form.col_upper))
    col_of_nz = np.repeat(np.arange(form.num_col), np.diff(csc.indptr))
    free_row = np.isinf(form.row_lower)
    ok_nz = (csc.data == -1.0) & free_row[csc.indices]
    # a candidate column must be −1 in free rows only
    bad = np.bincount(col_of_nz[~ok_nz], minlength=form.num_col) > 0
    cand &= ~bad
    nz = cand[col_of_nz]
    slack = np.full(form.matrix.shape[0], -1, dtype=np.int64)
    rows_hit = csc.indices[nz]
    per_row = np.bincount(rows_hit, minlength=len(slack))
    slack[rows_hit] = col_of_nz[nz]
    slack[per_row != 1] = -1  # keep a row with two such columns: simpler, still exact
    return slack >= 0, slack


def complete_plan(form: Formulation, x: np.ndarray, slack: np.ndarray) -> np.ndarray | None:
    """The plan ``x`` (whole numbers; its slack columns, per :func:`slack_rows`, set as
    low as the dropped rows allow), if it is exactly a plan of ``form``, else ``None``."""
    x = np.rint(np.asarray(x, dtype=np.float64))
    if len(x) != form.num_col or not np.isfinite(x).all():
        return None
    has = slack >= 0
    cols = slack[has]
    x[np.unique(cols)] = 0.0
    if not _exact_product(form.matrix, x, np.zeros(1)):
        return None
    resid = form.matrix @ x - form.row_upper  # for the dropped rows: what d must cover
    need = np.zeros(form.num_col)
    np.maximum.at(need, cols, resid[has])
    x[np.unique(cols)] = need[np.unique(cols)]
    ax = form.matrix @ x
    if (x < form.col_lower).any() or (x > form.col_upper).any():
        return None
    if (ax < form.row_lower).any() or (ax > form.row_upper).any():
        return None
    return x


@dataclass(frozen=True)
class Segmented:
    """A formulation with its deviation rows replaced by segments (:func:`segmented`)."""

    form: Formulation
    cost: np.ndarray
    #: ``cost · x`` of the original at a plan = ``seg cost · x_seg + constant`` (tight ``d``)
    constant: int
    original: Formulation
    kept: np.ndarray  # the original columns, in the order they open the segmented form

    def plan(self, x: np.ndarray) -> np.ndarray:
        """The original formulation's plan of a segmented plan ``x``: the kept columns as
        they are, every deviation ``d = |S·x − N|`` (tight; whole numbers below 2^53)."""
        out = np.zeros(self.original.num_col)
        out[self.kept] = np.asarray(x, dtype=np.float64)[:len(self.kept)]
        n = self.original.n
        for dev in self.original.deviations:
            xs = np.rint(out[dev.x:dev.x + n])
            out[dev.d:dev.d + n] = np.abs(dev.den * xs - (dev.den * dev.floor + dev.rem))
        return out


def segmented(form: Formulation, cost: np.ndarray) -> Segmented | None:
    """``min cost · x`` over ``form`` with every deviation ``d ≥ |S·x − N|`` that carries a cost
    written as segments instead of three rows, or ``None`` when nothing is to be gained or the
    deviations are not as :func:`quotaopt.model.build` made them (e.g. fixed by a face).

    At whole ``x``, ``S·|x − q|`` (``q = N/S``, ``⌊q⌋ = f``, ``N mod S = r``) is the convex
    piecewise-linear function through the integer points with breakpoints ``f`` and ``f + 1``,
    i.e. ``r + (S − 2r)·z₁ + S·z₂ + S·z₃`` with ``x = f + z₁ − z₂ + z₃``, ``0 ≤ z₁ ≤ 1``,
    ``z₂, z₃ ≥ 0``: one row per unit instead of three, and the same LP relaxation (both are
    the convex hull of the integer points). A minimum never pays more than the function, so
    the optima are the same, with ``cost · x = seg cost · x_seg + constant`` (whole numbers).
    Rows and bounds that a face narrowed are kept as they are; the deviation columns must be
    untouched (``[0, ∞)``, in their three rows only, those rows without a lower bound)."""
    n = form.n
    cost = np.asarray(cost, dtype=np.float64)
    use = [dev for dev in form.deviations if n and (cost[dev.d:dev.d + n] != 0).any()]
    if not use:
        return None
    csc = form.matrix.tocsc()
    drop_rows = np.zeros(form.matrix.shape[0], dtype=bool)
    drop_cols = np.zeros(form.num_col, dtype=bool)
    for dev in use:
        if not _as_built(form, csc, cost, dev):
            return None
        drop_rows[dev.rows:dev.rows + 3 * n] = True
        drop_cols[dev.d:dev.d + n] = True
    kept = np.flatnonzero(~drop_cols)
    k = len(kept)
    kinds, starts = _kept_groups(form, drop_rows)
    m = len(use)
    units = np.arange(n)
    top = form.matrix[~drop_rows][:, kept]
    seg_rows = []
    seg_cost = [cost[kept]]
    fixed = []
    constant = 0
    for j, dev in enumerate(use):
        base = k + 3 * n * j
        # x − z₁ + z₂ − z₃ = ⌊q⌋
        where = np.searchsorted(kept, dev.x + units)
        seg_rows.append(sp.csr_matrix(
            (np.concatenate([np.ones(n), -np.ones(n), np.ones(n), -np.ones(n)]),
             (np.tile(units, 4), np.concatenate([where, base + units, base + n + units,
                                                 base + 2 * n + units]))),
            shape=(n, k + 3 * n * m)))
        w = cost[dev.d + units]
        seg_cost += [w * (dev.den - 2.0 * dev.rem), w * dev.den, w * dev.den]
        fixed.append(dev.floor)
        constant += int_dot(w, dev.rem)
    matrix = sp.vstack([sp.hstack([top, sp.csr_matrix((top.shape[0], 3 * n * m))])]
                       + seg_rows, format="csr")
    zeros, ones, inf = np.zeros(n), np.ones(n), np.full(n, np.inf)
    seg = replace(
        form,
        matrix=matrix,
        col_lower=np.concatenate([form.col_lower[kept]] + [zeros] * (3 * m)),
        col_upper=np.concatenate([form.col_upper[kept]] + [ones, inf, inf] * m),
        integrality=np.concatenate([form.integrality[kept], np.zeros(3 * n * m, dtype=np.int8)]),
        row_lower=np.concatenate([form.row_lower[~drop_rows]] + fixed),
        row_upper=np.concatenate([form.row_upper[~drop_rows]] + fixed),
        row_kind=(*kinds, "segments"),
        row_start=starts,
        cost1=np.zeros(k + 3 * n * m),
        costs=(),
        block_range=(0,),
        batch_range=(0,),
        deviations=(),
    )
    return Segmented(seg, np.concatenate(seg_cost), constant, form, kept)


def _as_built(form: Formulation, csc: sp.csc_matrix, cost: np.ndarray, dev: Deviation) -> bool:
    """Whether the deviation ``dev`` of ``form`` (``csc``: its matrix by columns) is still as
    :func:`quotaopt.model.build` made it: its columns ``d`` in ``[0, ∞)`` at a cost ≥ 0, each
    exactly −1 in its three rows and nowhere else, and those rows (without a lower bound)
    ``S·x − d ≤ N``, ``−S·x − d ≤ −N`` and the chord, with the numbers of ``dev``."""
    n = form.n
    units = np.arange(n)
    d_cols = dev.d + units
    rows = dev.rows + np.arange(3 * n)
    if (rows[-1] >= form.matrix.shape[0] or (cost[d_cols] < 0).any()
            or (form.col_lower[d_cols] != 0).any() or np.isfinite(form.col_upper[d_cols]).any()
            or np.isfinite(form.row_lower[rows]).any()):
        return False
    # each d column: exactly −1 in its three rows, nothing else
    starts, ends = csc.indptr[d_cols], csc.indptr[d_cols + 1]
    if (ends - starts != 3).any():
        return False
    at = (starts[:, None] + np.arange(3)).reshape(-1)
    if ((csc.data[at] != -1.0).any()
            or (np.sort(csc.indices[at].reshape(n, 3), axis=1)
                != dev.rows + units[:, None] + n * np.arange(3)).any()):
        return False
    S, fl, r = dev.den, dev.floor, dev.rem
    N = S * fl + r
    slope = S - 2.0 * r
    block = form.matrix[rows[0]:rows[-1] + 1]
    want = sp.csr_matrix((np.concatenate([S, -S, slope, -np.ones(3 * n)]),
                          (np.concatenate([np.arange(3 * n)] * 2),
                           np.concatenate([dev.x + units] * 3 + [d_cols] * 3))),
                         shape=block.shape)
    return not ((block != want).nnz
                or (form.row_upper[rows] != np.concatenate([N, -N, slope * fl - r])).any())


def _kept_groups(form: Formulation, drop_rows: np.ndarray) -> tuple[tuple[str, ...],
                                                                    tuple[int, ...]]:
    """``(row_kind, row_start)`` of ``form`` without the rows ``drop_rows`` (whole groups),
    followed by a group of segment rows (``row_start`` empty where ``form``'s is unknown)."""
    if len(form.row_start) != len(form.row_kind):
        return form.row_kind, ()
    kept = np.concatenate([[0], np.cumsum(~drop_rows)])
    pairs = [(kind, int(kept[start])) for kind, start in zip(form.row_kind, form.row_start,
                                                             strict=True)
             if start < len(drop_rows) and not drop_rows[start]]
    return (tuple(k for k, _ in pairs), (*(s for _, s in pairs), int(kept[-1])))
