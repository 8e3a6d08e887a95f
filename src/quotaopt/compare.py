"""Policy variants side by side: key figures with deltas, per-type tables, per-unit changes and
the rule changes that cause them.

Logic only: this module solves the variants (through :func:`quotaopt.solve`, the same path as
``quotaopt run``, in parallel processes when asked) and assembles the :class:`Comparison`;
its tables are built in :mod:`quotaopt.compare_tables` and the rule changes found in
:mod:`quotaopt.rule_changes` (both re-exported here). It never prints and renders nothing;
``report.py`` turns a :class:`Comparison` into text, HTML, XLSX and CSV.

Examples
--------
(Run from the repository root, where the shipped scenario is.)

>>> import quotaopt
>>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
>>> table = quotaopt.compare(sc)                                    # KPI DataFrame
>>> int(table.loc["old-ratio", "appointed_senior_delta"])
-86
>>> comp = quotaopt.compare_variants(sc, ["old-ratio", "no-bonus"])
>>> len(comp.unit_diff.query("variant == 'no-bonus' and changed"))  # units that change
22
>>> print(comp.describe_rules("old-ratio"))  # doctest: +ELLIPSIS
ratio 1:4:5 → 0.5:3.5:6; junior share usable for intermediate posts 100 % → 0 %; ...
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .backends import Status, get_backend
from .compare_tables import (
    KPI_METRICS,
    MEASURES,
    TYPE_METRICS,
    UNIT_COLUMNS,
    by_type_table,
    kpi_table,
    movers_table,
    unit_diff_table,
)
from .errors import InputError, Problem, SolverError
from .messages import render
from .result import Result, Summary
from .rule_changes import RuleChange, diff_rules
from .scenario import BASELINE, Scenario, load_scenario
from .solve import solve

#: Units in all solves below which ``jobs=None`` solves serially (processes cost more).
PARALLEL_MIN_UNITS = 20_000


# --------------------------------------------------------------------------------------------
# Solving


def _solve_one(scenario: Scenario, name: str, backend: str | None,
               time_limit: float | None, method: str | None = None) -> Result:
    """Solve one variant; a solver failure becomes a ``no_solution`` result, not an error."""
    try:
        return solve(scenario, name, backend=backend, time_limit=time_limit, method=method)
    except SolverError as exc:
        figures = Summary(scenario.name, name, Status.NO_SOLUTION, message=str(exc))
        return Result(scenario.name, name, Status.NO_SOLUTION, None, figures, (), str(exc))


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork would copy solver threads of the parent; forkserver starts clean and is cheap
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def solve_variants(scenario: Scenario, names: Sequence[str], *, backend: str | None = None,
                   time_limit: float | None = None, method: str | None = None,
                   jobs: int | None = 1) -> dict[str, Result]:
    """Solve several variants independently, in parallel processes when ``jobs > 1``.

    Every variant goes through :func:`quotaopt.solve`, exactly as ``quotaopt run --variant``.
    The results are identical whatever ``jobs`` is and come back in the order of ``names``.
    ``jobs=None`` decides by size: serially below ``PARALLEL_MIN_UNITS`` units summed over
    the variants (starting processes costs more than it saves), else one process per
    variant up to the number of CPUs. Processes are started with ``forkserver`` (``spawn``
    where that is missing), so a *script* that calls this with ``jobs > 1`` needs the usual
    ``if __name__ == "__main__":`` guard; if the worker processes cannot start, the variants
    are solved serially instead.
    """
    names = list(dict.fromkeys(names))
    if jobs is None:
        work = sum(len(scenario.variant(n).units) for n in names)
        jobs = 1 if work < PARALLEL_MIN_UNITS else (os.cpu_count() or 1)
    jobs = max(1, min(int(jobs), len(names)))
    if jobs > 1:
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context()) as pool:
                futures = {n: pool.submit(_solve_one, scenario, n, backend, time_limit,
                                          method) for n in names}
                return {n: futures[n].result() for n in names}
        except BrokenProcessPool:
            pass  # workers could not start (or died): the serial path gives the same result
    return {n: _solve_one(scenario, n, backend, time_limit, method) for n in names}


# --------------------------------------------------------------------------------------------
# The comparison


@dataclass(frozen=True)
class Comparison:
    """Variants side by side, everything derived from their :class:`Result` objects.

    Attributes
    ----------
    scenario, baseline
        Names; ``variants`` lists the compared variants, baseline first.
    results
        ``{variant: Result}`` — the plans themselves (``result.allocation``).
    kpi
        One row per variant (index ``variant``): ``status``, the :data:`KPI_METRICS` each
        with ``<metric>_delta`` (variant − baseline; ``<NA>`` when either has no plan),
        ``promotion_cost_basis`` (whose budget costs priced the appointments) and
        ``reason`` (why a variant has no proven plan).
    by_type
        Index ``(type, variant)``; the :data:`TYPE_METRICS` with deltas against the
        baseline's units of the same type.
    unit_diff
        One row per unit and non-baseline variant with a plan: ``presence`` (``both``,
        ``added``, ``removed``), ``<col>_baseline``, ``<col>`` and ``<col>_delta`` for the
        columns in :data:`UNIT_COLUMNS`, ``posts_senior_intermediate_delta``,
        ``appointed_delta`` and ``changed``.
    movers
        Per non-baseline variant: how many units gain or lose senior and
        senior+intermediate posts, whose appointments change, added and removed units.
    rule_diff
        ``{variant: (RuleChange, …)}`` — what each variant changes against the baseline.
    """

    scenario: str
    baseline: str
    variants: tuple[str, ...]
    results: Mapping[str, Result]
    kpi: pd.DataFrame
    by_type: pd.DataFrame
    unit_diff: pd.DataFrame
    movers: pd.DataFrame
    rule_diff: Mapping[str, tuple[RuleChange, ...]]
    input_hash: str = ""

    @property
    def others(self) -> tuple[str, ...]:
        """The compared variants without the baseline."""
        return tuple(n for n in self.variants if n != self.baseline)

    @property
    def statuses(self) -> dict[str, Status]:
        return {n: self.results[n].status for n in self.variants}

    @property
    def all_optimal(self) -> bool:
        """True when every compared variant was solved to proven optimality."""
        return all(s is Status.OPTIMAL for s in self.statuses.values())

    def describe_rules(self, variant: str, sep: str = "; ") -> str:
        """The rule changes of ``variant`` as one line of plain language."""
        changes = self.rule_diff.get(variant, ())
        if not changes:
            if variant == self.baseline:
                return render("rules_of_baseline", {})
            return render("rules_unchanged", {})
        return sep.join(str(c) for c in changes)

    def top_changes(self, variant: str, measure: str = "posts_senior",
                    n: int = 5) -> pd.DataFrame:
        """The ``n`` units whose ``measure`` changes most (by size; ties in input order).

        ``measure`` is one of :data:`MEASURES`, e.g. ``posts_senior``,
        ``posts_senior_intermediate`` or ``appointed`` (senior + intermediate).
        """
        if measure not in MEASURES:
            raise InputError([Problem.of("unknown_measure", measure=measure,
                                         choices=MEASURES)])
        col = f"{measure}_delta"
        d = self.unit_diff[self.unit_diff["variant"] == variant]
        d = d[d[col].fillna(0) != 0]
        order = d[col].abs().astype("int64").sort_values(ascending=False, kind="stable").index
        return d.loc[order[:n], ["unit_id", "name", "type", "pool", col]].reset_index(drop=True)


def _resolve(scenario: Scenario | str | Path) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def resolve_variants(scenario: Scenario, variants: Sequence[str] | str | None = None,
                     baseline: str = BASELINE) -> list[str]:
    """The variants a comparison solves: the baseline first, then ``variants`` (default all).

    ``variants`` may be a list or ``"a,b"``; raises :class:`InputError` for an unknown name.
    """
    if isinstance(variants, str):
        variants = [v.strip() for v in variants.split(",") if v.strip()]
    wanted = list(scenario.variant_names) if not variants else list(variants)
    names = [baseline] + [n for n in dict.fromkeys(wanted) if n != baseline]
    unknown = [n for n in names if n not in scenario.variants]
    if unknown:
        scenario.variant(unknown[0])  # raises with the list of known variants
    return names


def compare_variants(
    scenario: Scenario | str | Path,
    variants: Sequence[str] | str | None = None,
    baseline: str = BASELINE,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    method: str | None = None,
    jobs: int | None = 1,
) -> Comparison:
    """Solve the baseline and the variants and compare them: the full :class:`Comparison`.

    Parameters
    ----------
    scenario
        A :class:`~quotaopt.Scenario` or the path of a scenario TOML file.
    variants
        Names (a list, or ``"a,b"``); default every variant of the scenario.
    baseline
        The variant the others are compared with (default ``"baseline"``).
    backend, time_limit, method
        As for :func:`quotaopt.solve` (default: each variant's ``[solver]`` settings).
    jobs
        Processes solving variants at once: ``1`` (default) solves serially, ``None``
        decides by size (see :func:`solve_variants`). The comparison is identical whatever
        the value.

    Returns
    -------
    Comparison
        Infeasible or unproven variants are rows with their ``status`` and ``reason``; their
        deltas are ``<NA>``.

    Raises
    ------
    InputError
        An unknown variant name, or a bad scenario file.
    SolverError
        ``backend`` names a solver that is not installed.
    """
    sc = _resolve(scenario)
    names = resolve_variants(sc, variants, baseline)
    if backend is not None:
        get_backend(backend)  # a wrong --solver is one error, not one per variant
    results = solve_variants(sc, names, backend=backend, time_limit=time_limit, method=method,
                             jobs=jobs)
    unit_diff = unit_diff_table(names, baseline, results)
    base_variant = sc.variant(baseline)
    return Comparison(
        scenario=sc.name,
        baseline=baseline,
        variants=tuple(names),
        results=results,
        kpi=kpi_table(names, baseline, results, sc),
        by_type=by_type_table(names, baseline, results),
        unit_diff=unit_diff,
        movers=movers_table(names, baseline, unit_diff),
        rule_diff={n: diff_rules(base_variant, sc.variant(n)) for n in names if n != baseline},
        input_hash=sc.input_hash,
    )


def compare(
    scenario: Scenario | str | Path,
    variants: Sequence[str] | str | None = None,
    baseline: str = BASELINE,
    *,
    backend: str | None = None,
    time_limit: float | None = None,
    method: str | None = None,
    jobs: int | None = 1,
) -> pd.DataFrame:
    """Variants side by side: the KPI table (one row per variant, deltas vs the baseline).

    A shortcut for ``compare_variants(...).kpi``; use :func:`compare_variants` for the
    per-type table, the per-unit diff and the rule changes.

    Examples
    --------
    >>> import quotaopt
    >>> sc = quotaopt.load_scenario("scenarios/tongxi-county.toml")
    >>> table = quotaopt.compare(sc)
    >>> table[["status", "appointed_senior", "appointed_senior_delta"]]
                  status  appointed_senior  appointed_senior_delta
    variant
    baseline     optimal               110                       0
    old-ratio    optimal                24                     -86
    no-bonus     optimal                99                     -11
    no-transfer  optimal               110                       0
    county-pool  optimal               148                      38
    budget       optimal               100                     -10
    """
    return compare_variants(scenario, variants, baseline, backend=backend,
                            time_limit=time_limit, method=method, jobs=jobs).kpi


__all__ = [
    "KPI_METRICS",
    "MEASURES",
    "TYPE_METRICS",
    "UNIT_COLUMNS",
    "Comparison",
    "RuleChange",
    "compare",
    "compare_variants",
    "diff_rules",
    "resolve_variants",
    "solve_variants",
]
