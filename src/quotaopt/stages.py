"""Solving one formulation lexicographically (SPEC section 2): the objective stages, joined
into one weighted objective while its numbers fit double precision (``WEIGHTED_LIMIT``),
which is exactly lexicographic block by block; further groups are solved one after the
other, each earlier group's optimum kept by its optimal face (bounds proven from the LP
relaxation's duals, :func:`relaxed_face`) or else by the row ``value ≤ optimum + ½`` (exact,
because the values are whole numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .backends import Backend, RawSolution, Status
from .errors import InternalError, SolverError
from .i18n import _
from .messages import render
from .model import (
    Formulation,
    Segmented,
    complete_plan,
    int_dot,
    optimal_face,
    segmented,
    slack_rows,
    weighted,
)

#: Largest objective magnitude solved as one weighted MIP; above it, two stages.
WEIGHTED_LIMIT = 1e11
#: A backend's LP relaxation: ``(form, cost, time limit) → (x, row duals)`` or ``None``.
Relaxation = Callable[[Formulation, np.ndarray, float | None],
                      tuple[np.ndarray, np.ndarray] | None]
#: A progress callback: receives one short message as each stage starts.
Progress = Callable[[str], None]


def report_progress(progress: Progress | None, message: str) -> None:
    """Pass ``message`` to the progress callback, if there is one."""
    if progress is not None:
        progress(message)


def stage_groups(form: Formulation) -> list[list[tuple[np.ndarray, int, int]]]:
    """The stages, consecutive ones joined while one weighted objective of them stays below
    ``WEIGHTED_LIMIT`` (so double precision separates them)."""
    groups: list[list[tuple[np.ndarray, int, int]]] = []
    for stage in form.stages():
        if groups and weighted([*groups[-1], stage])[1] < WEIGHTED_LIMIT:
            groups[-1].append(stage)
        else:
            groups.append([stage])
    return groups


def solve_formulation(form: Formulation, backend: Backend, time_limit: float | None,
                      progress: Progress | None = None, label: str = "MIP") -> RawSolution:
    """Solve one formulation lexicographically: consecutive stages are joined into one
    weighted objective while its numbers stay below ``WEIGHTED_LIMIT``; each such group is
    then solved after the one before it, whose optimum is kept either by its optimal face
    (:func:`quotaopt.model.optimal_face`: bounds fixed and rows made equalities, proven from
    the LP relaxation's duals in whole-number arithmetic — when the backend gives duals and
    the relaxation is tight) or else by a row ``group value ≤ optimum + ½`` (exact, because
    every group value is a whole number). The face keeps the rows sparse; the dense row
    makes the later stages' MIP much slower."""
    groups = stage_groups(form)
    names = {1: _("stage 1"), 2: _("stages 1 and 2"), 3: _("stages 1 to 3"),
             4: _("stages 1 to 4")}
    started = time.perf_counter()
    rows: list[tuple[np.ndarray, float]] = []  # every earlier group's optimum as a dense row
    face = form  # the plans optimal for the earlier groups kept by a face …
    face_rows: list[tuple[np.ndarray, float]] = []  # … and those kept by a dense row
    kept: list[tuple[np.ndarray, int]] = []  # (cost, optimum) the face keeps
    relaxation = getattr(backend, "relaxation", None)
    done = 0
    raw: RawSolution | None = None
    for g, group in enumerate(groups):
        cost, _limit = weighted(group)
        first, last = done + 1, done + len(group)
        done = last
        what = (_("stage {n}").format(n=first) if first == last else
                names[last] if first == 1 else
                _("stages {first} to {last}").format(first=first, last=last))
        if len(groups) == 1:
            what = _("{stages} together").format(stages=names[last])
        left = None if time_limit is None else time_limit - (time.perf_counter() - started)
        if g and left is not None and left <= 0:  # the earlier stages' plan, the rest unproven
            assert raw is not None
            after = names.get(first - 1, _("stages 1 to {n}").format(n=first - 1))
            return RawSolution(Status.NOT_PROVEN, raw.x,
                               render("time_spent_after", {"after": after, "label": label}))
        report_progress(progress, _("solving {what}: {label}").format(what=what, label=label)
                + (_(", one weighted objective") if len(group) > 1 else ""))
        found = None
        if g + 1 < len(groups) and relaxation is not None and not face_rows:
            found = relaxed_face(face, cost, relaxation, left)
        if found is not None and found[2] is not None:
            # the LP relaxation has a whole-number optimum: no MIP needed for this group
            face = found[0]
            kept.append((cost, found[1]))
            rows.append((-cost, -found[1] - 0.5))
            raw = RawSolution(Status.OPTIMAL, found[2])
            continue
        seg = segmented(face, cost) if g + 1 == len(groups) and not face_rows else None
        if seg is not None:  # the last group: its deviation rows as segments, fewer rows
            raw = solve_segmented(seg, backend, relaxation, left)
        else:
            raw = backend.solve(face, cost, face_rows or None, left)
        if (kept and raw.status is Status.OPTIMAL and raw.x is not None
                and any(abs(float(np.dot(c, raw.x)) - b) > 0.25 for c, b in kept)):
            # the face is exact, so only the solver's tolerances can get here: the dense rows
            left = None if time_limit is None else time_limit - (time.perf_counter() - started)
            face, face_rows, kept = form, list(rows), []
            raw = backend.solve(face, cost, face_rows or None, left)
        if g and raw.status is Status.INFEASIBLE:  # cannot happen: the last plan fits the rows
            raise InternalError(render("later_stage_infeasible", {}))
        if raw.status is not Status.OPTIMAL or raw.x is None:
            return raw
        for c, bound in rows:
            if float(np.dot(c, np.rint(raw.x))) < bound - 0.25:
                # seen with CBC on MIPs whose numbers reach ~10^11: the row was ignored
                raise SolverError(render("stage_lost_optimum",
                                         {"solver": backend.name, "label": label}))
        best = round(float(np.dot(cost, raw.x)))
        rows.append((-cost, -best - 0.5))
        if g + 1 == len(groups):
            break
        if found is not None and found[1] == best:  # the relaxation is tight: its face
            face = found[0]
            kept.append((cost, best))
        else:
            face_rows.append((-cost, -best - 0.5))
    assert raw is not None
    return raw


def solve_segmented(seg: Segmented, backend: Backend, relaxation: Relaxation | None,
                    time_limit: float | None) -> RawSolution:
    """``min cost · x`` over a formulation whose deviation rows are written as segments
    (:func:`quotaopt.model.segmented`), as a plan of the original formulation: from the LP
    relaxation when its solution is a whole-number plan that the duals prove optimal
    (:func:`relaxed_face`; the usual case on a face), else from the backend's MIP."""
    started = time.perf_counter()
    if relaxation is not None:
        found = relaxed_face(seg.form, seg.cost, relaxation, time_limit)
        if found is not None and found[2] is not None:
            return RawSolution(Status.OPTIMAL, seg.plan(found[2]))
    left = None if time_limit is None else time_limit - (time.perf_counter() - started)
    raw = backend.solve(seg.form, seg.cost, None, left)
    return raw if raw.x is None else replace(raw, x=seg.plan(raw.x))


def relaxed_face(form: Formulation, cost: np.ndarray, relaxation: Relaxation,
                 time_limit: float | None) -> tuple[Formulation, int, np.ndarray | None] | None:
    """``(face, D, plan)`` from the LP relaxation of ``min cost · x`` (``relaxation``: a
    backend's, returning ``(x, row duals)``): ``D`` a proven lower bound over every plan,
    ``face`` the plans of ``form`` that reach it (:func:`quotaopt.model.optimal_face`), and
    ``plan`` the relaxation's solution when it is exactly an integer plan of value ``D`` —
    which proves ``D`` the integer optimum — else ``None``. ``None`` when the duals prove
    nothing. The relaxation is solved without the rows the deviation columns make redundant
    (:func:`quotaopt.model.slack_rows`): same optimum, several times faster."""
    dropped, slack = slack_rows(form, cost)
    keep = ~dropped
    reduced = replace(form, matrix=form.matrix[keep], row_lower=form.row_lower[keep],
                      row_upper=form.row_upper[keep])
    got = relaxation(reduced, cost, time_limit)
    if got is None:
        return None
    x, duals = got
    # solvers differ in the sign of a dual: take the better proof of the two conventions
    proofs = [f for f in (optimal_face(reduced, cost, duals), optimal_face(reduced, cost, -duals))
              if f is not None]
    if not proofs:
        return None
    found = max(proofs, key=lambda f: f[1])
    narrowed, bound = found
    row_lower, row_upper = form.row_lower.copy(), form.row_upper.copy()
    row_lower[keep], row_upper[keep] = narrowed.row_lower, narrowed.row_upper
    face = replace(form, col_lower=narrowed.col_lower, col_upper=narrowed.col_upper,
                   row_lower=row_lower, row_upper=row_upper, face=True)
    plan = complete_plan(form, x, slack)
    if plan is not None and int_dot(np.asarray(cost, dtype=np.float64), plan) != bound:
        plan = None
    return face, bound, plan
