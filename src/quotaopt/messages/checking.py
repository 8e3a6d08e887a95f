"""Messages of checking and writing: the independent checker's violations, audit's plan
files, solver errors, result files, numbers too large for an exact MIP, the command line's
remaining refusals."""

from __future__ import annotations

from collections.abc import Sequence

from ..i18n import N_, _
from ..numfmt import whole
from .core import message

# -- the independent checker's violations (check.py) and audit's plan files (audit.py) ------

#: The rules ``check.py`` checks: its rule name (the code, kept in audit.json's ``by_rule``)
#: → the rule in the language in use, and what breaking it means.
VIOLATION_RULES: dict[str, tuple[str, str]] = {
    "non-negative posts": (N_("non-negative posts"), N_("a post count is negative")),
    "total posts": (N_("total posts"),
                    N_("senior + intermediate + junior posts must equal total_posts")),
    "senior appointments": (N_("senior appointments"),
                            N_("more senior appointments than senior title-holders waiting")),
    "intermediate appointments": (
        N_("intermediate appointments"),
        N_("more intermediate appointments than intermediate title-holders waiting")),
    "incumbents keep their posts (senior)": (
        N_("incumbents keep their posts (senior)"),
        N_("senior incumbents plus senior appointments exceed the senior posts")),
    "incumbents keep their posts (senior+intermediate)": (
        N_("incumbents keep their posts (senior+intermediate)"),
        N_("senior and intermediate incumbents plus intermediate appointments exceed the "
           "senior+intermediate posts")),
    "minimum senior posts": (N_("minimum senior posts"),
                             N_("a minimum rule requires at least that many senior posts")),
    "minimum intermediate posts": (
        N_("minimum intermediate posts"),
        N_("a minimum rule requires at least that many intermediate posts")),
    "minimum junior posts": (N_("minimum junior posts"),
                             N_("a minimum rule requires at least that many junior posts")),
    "senior cap": (N_("senior cap"), N_("more senior posts than the ratio allows")),
    "senior+intermediate cap": (N_("senior+intermediate cap"),
                                N_("more senior+intermediate posts than the ratio allows")),
    "pooled senior cap": (N_("pooled senior cap"),
                          N_("the pool's units have more senior posts than its pooled cap")),
    "pooled senior+intermediate cap": (
        N_("pooled senior+intermediate cap"),
        N_("the pool's units have more senior+intermediate posts than its pooled cap")),
    "budget": (N_("budget"), N_("the appointments cost more than the budget's max_increase")),
    "pool budget": (N_("pool budget"),
                    N_("the pool's appointments cost more than its own budget")),
    "pool budget missing": (N_("pool budget"),
                            N_("the pool appoints staff but has no budget amount")),
}


@message("violation_rule")
def violation_rule(rule: str) -> str:
    """A rule of the checker by name, in the language in use."""
    return _(VIOLATION_RULES[rule][0]) if rule in VIOLATION_RULES else rule


@message("violation_detail")
def violation_detail(rule: str) -> str:
    """What breaking a rule of the checker means."""
    return _(VIOLATION_RULES[rule][1]) if rule in VIOLATION_RULES else rule


@message("violation")
def violation(unit: str, rule: str, allowed: str, actual: str, detail: str) -> str:
    """One violation on one line (``unit``: a unit code, ``pool <name>`` or ``all units``)."""
    if unit.startswith("pool "):
        who = _("pool {pool}").format(pool=unit[5:])
    elif unit == "all units":
        who = _("all units")
    else:
        who = unit
    return _("{who}: {rule}: {detail} (allowed {allowed}, plan has {actual})").format(
        who=who, rule=violation_rule(rule=rule), detail=detail, allowed=allowed,
        actual=actual)


@message("plan_duplicate_columns")
def plan_duplicate_columns(target: str, first: str, second: str) -> str:
    return _("two columns mean {target}: {first} and {second}; delete one").format(
        target=target, first=repr(first), second=repr(second))


@message("plan_column_missing")
def plan_column_missing(target: str) -> str:
    return _("required column {target} is missing; a plan needs unit_id, posts_senior, "
             "posts_intermediate and posts_junior for every unit").format(target=repr(target))


@message("plan_appointed_half")
def plan_appointed_half(present: str, absent: str) -> str:
    return _("the plan has {present} but no {absent}: {absent} is taken as 0").format(
        present=present, absent=absent)


@message("plan_cell")
def plan_cell(header: str, problem: str) -> str:
    """A plan cell's column and what is wrong with it (``problem``: a ``plan_value_*``)."""
    return _("{header} {problem}").format(header=header, problem=problem)


@message("plan_value_empty")
def plan_value_empty() -> str:
    return _("is empty; enter a whole number")


@message("plan_value_not_whole")
def plan_value_not_whole(value: str, number: bool = False) -> str:
    if number:
        return _("{value} is not a whole number; posts and appointments are whole").format(
            value=value)
    return _("{value} is not a whole number").format(value=value)


@message("plan_value_not_number")
def plan_value_not_number(value: str) -> str:
    return _("{value} is not a number; enter a whole number").format(value=value)


@message("plan_value_above_limit")
def plan_value_above_limit(value: str, limit: int) -> str:
    return _("{value} is beyond the limit of {limit}; check the value").format(
        value=value, limit=whole(limit, grouped=True))


@message("plan_unit_id_empty")
def plan_unit_id_empty() -> str:
    return _("unit_id is empty; every row needs the unit's code")


@message("plan_unit_id_repeated")
def plan_unit_id_repeated(value: str, first_row: int, second_row: int) -> str:
    return _("unit_id {value} is on rows {first_row} and {second_row}; give each unit one "
             "row").format(value=repr(value), first_row=first_row, second_row=second_row)


@message("plan_unit_id_unknown")
def plan_unit_id_unknown(value: str) -> str:
    return _("unit_id {value} is not in the scenario's units table; correct the code or "
             "delete the row").format(value=repr(value))


@message("plan_units_absent")
def plan_units_absent(units: Sequence[str]) -> str:
    shown = ", ".join(units[:10]) + (_(" and {count} more").format(count=len(units) - 10)
                                     if len(units) > 10 else "")
    return _("the plan has no row for {count} unit(s) of the scenario: {units}; add a row "
             "for every unit").format(count=len(units), units=shown)


@message("audit_no_appointments_budget")
def audit_no_appointments_budget() -> str:
    return _("the plan gives no appointments: the appointments its posts make room for are "
             "counted without the budget")


@message("audit_solver_failed")
def audit_solver_failed(reason: str) -> str:
    return _("the solver failed: {reason}").format(reason=reason)


@message("audit_solver_failed_note")
def audit_solver_failed_note() -> str:
    return _("the solver failed, so the optimum is unknown; the rules are checked without it")


# -- solver errors (solve.py, backends/) ----------------------------------------------------


@message("pulp_failed")
def pulp_failed(name: str, kind: str, reason: str) -> str:
    return _("the PuLP solver {name} failed ({kind}: {reason}); choose another with --solver "
             "highs, cbc or pulp:<name>").format(name=name, kind=kind, reason=reason)


@message("highs_failed")
def highs_failed(kind: str, reason: str) -> str:
    return _("the HiGHS solver failed ({kind}: {reason}); choose another with --solver cbc "
             "or pulp:<name>").format(kind=kind, reason=reason)


@message("pulp_no_class")
def pulp_no_class(name: str, installed: Sequence[str]) -> str:
    return _("PuLP has no solver class {name}; installed ones: {installed} (use --solver "
             "pulp:<name>, or highs / cbc)").format(name=repr(name),
                                                    installed=", ".join(installed))


@message("pulp_setup_failed")
def pulp_setup_failed(name: str, kind: str, reason: str) -> str:
    return _("the PuLP solver {name} cannot be set up ({kind}: {reason}); choose another with "
             "--solver highs, cbc or pulp:<name>").format(name=name, kind=kind, reason=reason)


@message("pulp_not_available")
def pulp_not_available(name: str, installed: Sequence[str]) -> str:
    return _("the PuLP solver {name} is not available on this machine; installed ones: "
             "{installed}").format(name=name, installed=", ".join(installed))


@message("backend_cannot_load")
def backend_cannot_load(backend: str, module: str, kind: str, reason: str, other: str) -> str:
    return _("the {backend} backend cannot load {module} ({kind}: {reason}); reinstall it "
             "(pip install --force-reinstall {module}) or choose {other}").format(
        backend=backend, module=module, kind=kind, reason=reason, other=other)


@message("no_solver_installed")
def no_solver_installed() -> str:
    return _("no solver is installed: install highspy (pip install highspy) or pulp")


@message("highs_needs_highspy")
def highs_needs_highspy() -> str:
    return _("the highs backend needs highspy (pip install highspy); or choose --solver cbc")


@message("cbc_needs_pulp")
def cbc_needs_pulp() -> str:
    return _("the cbc backend needs PuLP (pip install pulp); or choose highs")


@message("unknown_backend")
def unknown_backend(name: str) -> str:
    return _("unknown solver backend {name}: choose highs, cbc or pulp:<PuLP solver class "
             "name>").format(name=repr(name))


@message("solver_stopped")
def solver_stopped(solver: str, status: str) -> str:
    """A solver stopped early (``status``: the solver library's own words)."""
    return _("{solver} stopped: {status}").format(solver=solver, status=status)


@message("solver_status")
def solver_status(solver: str, status: str) -> str:
    return _("{solver}: {status}").format(solver=solver, status=status)


@message("pulp_status")
def pulp_status(status: str) -> str:
    return _("PuLP status {status}").format(status=status)


@message("time_limit_stopped_solver")
def time_limit_stopped_solver() -> str:
    return _("the time limit stopped the solver first")


@message("stage_lost_optimum")
def stage_lost_optimum(solver: str, label: str) -> str:
    return _("the {solver} solver returned a plan that loses an earlier stage's optimum "
             "({label}): the numbers are too large for it to be exact; try --solver highs, or "
             "smaller counts").format(solver=solver, label=label)


@message("later_stage_infeasible")
def later_stage_infeasible() -> str:
    return _("a later stage became infeasible after fixing the earlier ones; please report")


@message("time_spent_after")
def time_spent_after(after: str, label: str) -> str:
    return _("the time limit was spent after {after} of {label}").format(after=after,
                                                                           label=label)


@message("time_spent_before")
def time_spent_before(limit: float, label: str) -> str:
    return _("the time limit of {limit} s was spent before {label}").format(
        limit=f"{limit:g}", label=label)


@message("no_plan_in_time")
def no_plan_in_time() -> str:
    return _("the solver found no plan in its time limit")


@message("non_integer_solution")
def non_integer_solution(what: str) -> str:
    words = {"post count": N_("post count"), "appointment count": N_("appointment count")}
    return _("the solver returned a non-integer {what}; please report").format(
        what=_(words[what]) if what in words else what)


@message("unknown_method")
def unknown_method(method: str, choices: Sequence[str]) -> str:
    return _("unknown method {method}: choose {choices}").format(
        method=repr(method), choices=_(" or ").join(choices))


@message("plan_fails_check")
def plan_fails_check(violations: Sequence[str]) -> str:
    return _("the solver's plan fails the independent check — this is a bug, please "
             "report:") + "\n" + "\n".join(f"  - {x}" for x in violations)


# -- result files (output.py) ---------------------------------------------------------------


@message("cannot_write")
def cannot_write(reason: str, doing: str = "write the results") -> str:
    if doing == "write the results":
        return _("cannot write the results ({reason}); no result file was changed — free some "
                 "space, fix the permissions or choose another --out").format(reason=reason)
    return _("cannot {doing} ({reason}); no result file was changed — free some space, fix "
             "the permissions or choose another --out").format(doing=doing, reason=reason)


@message("out_not_folder")
def out_not_folder() -> str:
    return _("exists and is not a folder; choose another --out")


@message("out_not_writable")
def out_not_writable(reason: str) -> str:
    return _("cannot write results there ({reason}); choose another --out").format(
        reason=reason)


@message("out_is_input")
def out_is_input(source: str) -> str:
    return _("is an input of this run ({source}); the results would overwrite it: choose "
             "another --out").format(source=source)


@message("out_in_the_way")
def out_in_the_way(other: bool = True) -> str:
    if other:
        return _("is in the way: a folder (or other non-file) where a result file goes; move "
                 "it away or choose another --out")
    return _("is in the way: a folder where a result file goes; move it away or choose "
             "another --out")


@message("out_locked")
def out_locked(seconds: float) -> str:
    return _("another quotaopt run is writing its results into this folder (waited {seconds} "
             "s); try again when it has finished, or choose another --out").format(
        seconds=f"{seconds:g}")


@message("csv_encoding_unknown")
def csv_encoding_unknown(encoding: str, choices: Sequence[str]) -> str:
    return _("CSV encoding {encoding}: choose one of {choices}").format(
        encoding=repr(encoding), choices=tuple(choices))


@message("result_file_verified")
def result_file_verified(path: str, summary: str, actual: str) -> str:
    return _("{path} is the file {summary} describes (SHA-256 {actual}…)").format(
        path=path, summary=summary, actual=actual)


@message("result_file_differs")
def result_file_differs(path: str, summary: str, actual: str, expected: str) -> str:
    return _("{path} is NOT the file {summary} describes (SHA-256 {actual}…, the summary "
             "names {expected}…): the two come from different runs").format(
        path=path, summary=summary, actual=actual, expected=expected)


# -- numbers too large for an exact MIP (model.py) ------------------------------------------


@message("weights_too_different")
def weights_too_different(largest: str) -> str:
    return _("the priorities and objective weights are too different in size or have too many "
             "decimal places to be solved exactly: the most valuable appointment is worth "
             "{largest} times the smallest common step (the limit is 2^50 ≈ 1.1e15); use "
             "priorities and weights with fewer decimal places or closer in size").format(
        largest=largest)


@message("quota_too_large")
def quota_too_large(numerator: str) -> str:
    return _("the numbers are too large for an exact MIP: a unit's quota has a numerator of "
             "{numerator} (the limit is 2^50 ≈ 1.1e15); use ratios and bonuses with fewer "
             "decimal places, or smaller pools").format(numerator=numerator)


@message("budget_row_too_large")
def budget_row_too_large(reach: str) -> str:
    return _("the budget row is too large to be solved exactly: appointing every waiting "
             "title-holder would cost {reach} (in units of the costs' smallest step; the limit "
             "is 2^50 ≈ 1.1e15); use costs with fewer decimal places, or smaller waiting "
             "counts").format(reach=reach)


@message("pool_budget_row_too_large")
def pool_budget_row_too_large() -> str:
    return _("a pool's budget row is too large to be solved exactly (the limit is 2^50 ≈ "
             "1.1e15 in units of the costs' smallest step); use costs with fewer decimal "
             "places, or smaller waiting counts")


@message("block_too_large")
def block_too_large(stage: int, value: str, denominator: int) -> str:
    what = (_("the weighted appointments (stage 1)") if stage == 1 else
            _("the distance to the base caps or quotas (stages 2 and 3)"))
    return _("the numbers are too large for an exact MIP: {what} can reach {value} in one "
             "independent block (the limit is 2^50 ≈ 1.1e15, so that floating-point solvers "
             "keep every whole number exact); use smaller counts, ratios and bonuses with "
             "fewer decimal places (their common denominator is {denominator}), smaller "
             "pools, or no budget").format(what=what, value=value, denominator=denominator)


# -- the command line's remaining refusals (report.py, cli.py) ------------------------------


@message("matplotlib_missing")
def matplotlib_missing() -> str:
    return _("the HTML report draws its charts with matplotlib, which is not installed: run "
             "`pip install matplotlib` (or `pip install quotaopt[report]`), or choose "
             "--format xlsx,csv")


@message("init_will_not_overwrite")
def init_will_not_overwrite(files: Sequence[str]) -> str:
    return _("will not overwrite {files} (use --force)").format(files=", ".join(files))


@message("no_backup_name")
def no_backup_name() -> str:
    return _("no free name for a backup")
