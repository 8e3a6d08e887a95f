"""Messages of the input counts, the units table's workbooks and layouts, infeasibility,
the status of a run, provenance, audit findings, rule changes and the command line's own
lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..i18n import N_, _
from ..numfmt import exact
from .core import message

# --------------------------------------------------------------------------------------------
# Input


@message("invalid_input")
def invalid_input() -> str:
    return _("invalid input")


@message("problems_found")
def problems_found(count: int, shown: int) -> str:
    if shown == count:
        return _("{count} problems found:").format(count=count)
    return _("{count} problems found (the first {shown} shown):").format(count=count, shown=shown)


@message("more_problems")
def more_problems(count: int) -> str:
    return _("… and {count} more").format(count=count)


@message("unknown_variant")
def unknown_variant(name: str, hint: str, choices: Sequence[str]) -> str:
    return _("no variant named {name}{hint}; the scenario has: {choices}").format(
        name=repr(name), hint=hint, choices=", ".join(choices))


@message("csv_not_encodable")
def csv_not_encodable(char: str, encoding: str) -> str:
    return _("the character {char} cannot be written in {encoding}; choose --encoding "
             "utf-8-sig (Excel reads it too)").format(char=repr(char), encoding=encoding.upper())


# --------------------------------------------------------------------------------------------
# Units tables: workbooks, layouts and headers


@message("workbook_encrypted")
def workbook_encrypted() -> str:
    return _("the workbook is protected by a password (encrypted), so it cannot be read; open "
             "it in Excel or WPS, remove the password (File > Info > Protect Workbook) and "
             "save it, or save the table as CSV (UTF-8)")


@message("no_visible_sheet")
def no_visible_sheet(sheets: Sequence[str]) -> str:
    return _("every sheet of the workbook is hidden ({sheets}); name the sheet to read in the "
             "scenario: [scenario] sheet = \"…\"").format(
        sheets=", ".join(repr(s) for s in sheets))


@message("no_matching_sheet")
def no_matching_sheet(sheets: Sequence[tuple[str, bool]], likely: str) -> str:
    hidden = _(" (hidden)")
    listed = ", ".join(repr(n) + (hidden if h else "") for n, h in sheets)
    return _("no visible sheet has a units table header (unit code, type and posts columns "
             "among its first rows); the sheets are: {listed}; {likely} looks most like "
             "the data: correct its header, or name the sheet to read in the scenario: "
             "[scenario] sheet = \"{name}\"").format(listed=listed, likely=repr(likely),
                                                     name=likely)


@message("formula_without_value")
def formula_without_value(cell: str) -> str:
    return _("cell {cell} holds a formula without a saved value (the file was written by a "
             "program that did not calculate it), so its value is unknown; open and save the "
             "file in Excel or WPS, then run again").format(cell=cell)


@message("merged_data_cells")
def merged_data_cells(cells: str) -> str:
    return _("cells {cells} are merged, so their one value would stand for several rows or "
             "columns; only a pool or type may be merged over several units: unmerge the "
             "cells and enter each unit's own value").format(cells=cells)


@message("pool_partly_empty")
def pool_partly_empty(header: str) -> str:
    return _("{header} is empty here but other units name their pool (a merged cell saved "
             "as CSV keeps its value on its first row only); enter this unit's pool, or "
             "leave {header} empty for every unit for one pool").format(header=header)


@message("rows_above_header")
def rows_above_header(rows: int) -> str:
    return _("the header is on row {row}; the {rows} row(s) above it (title, notes) are "
             "not read").format(row=rows + 1, rows=rows)


@message("hidden_rows")
def hidden_rows(rows: Sequence[int]) -> str:
    shown = ", ".join(map(str, rows[:20])) + (" …" if len(rows) > 20 else "")
    return _("row(s) {rows} are hidden but hold data; quotaopt would read them as units "
             "you cannot see: unhide them and check them, or delete the rows that are not "
             "units").format(rows=shown)


@message("plan_hidden_rows")
def plan_hidden_rows(rows: Sequence[int]) -> str:
    shown = ", ".join(map(str, rows[:20])) + (" …" if len(rows) > 20 else "")
    return _("row(s) {rows} of the plan are hidden but hold cells; an audit checks the plan "
             "as its reader sees it: unhide them and check them, or delete them"
             ).format(rows=shown)


@message("plan_merged_cells")
def plan_merged_cells(cells: str) -> str:
    return _("cells {cells} of the plan are merged, so one value would stand for several "
             "units; unmerge them and enter each unit's own numbers").format(cells=cells)


@message("totals_rows_skipped")
def totals_rows_skipped(rows: Sequence[int]) -> str:
    return _("row(s) {rows} are totals (合计 / 小计 / 总计), not units; "
             "they are not read").format(rows=", ".join(map(str, rows)))


@message("lookalike_codes")
def lookalike_codes(header: str, first: str, first_row: int, second: str,
                    second_row: int) -> str:
    return _("{header} {second} on row {second_row} is the same code as {first} on row "
             "{first_row} (they differ only in width, spaces or invisible characters); every "
             "unit needs its own code: change or delete one of the rows").format(
        header=header, second=repr(second), second_row=second_row, first=repr(first),
        first_row=first_row)


@message("columns_header_missing")
def columns_header_missing(target: str, header: str, hint: str | None) -> str:
    tail = _(" (did you mean {hint}?)").format(hint=repr(hint)) if hint else ""
    return _("the scenario's [columns] maps {target} to the header {header}, which the "
             "table does not have{tail}; correct the header in [columns] or in the "
             "table").format(target=target, header=repr(header), tail=tail)


@message("unknown_number_column")
def unknown_number_column(header: str, letter: str, hint: tuple[str, str] | None,
                          missing: Sequence[str]) -> str:
    if hint:
        alias = hint[0] if hint[0] == hint[1] else f"{hint[0]} ({hint[1]})"
        fix = _("did you mean {alias}? rename the header, or map it in the scenario: "
                "[columns] {column} = {header}").format(alias=alias, column=hint[1],
                                                       header=repr(header))
    else:
        fix = _("rename the header, or map it in the scenario: [columns] <column> = "
                "{header}").format(header=repr(header))
    return _("column {header} ({letter}) holds numbers but is not a known column, while "
             "the table has no {missing} column (each would be taken as its "
             "default for every unit); {fix}; if the table really lacks a column, say so: "
             "[columns] <column> = \"\"").format(header=repr(header), letter=letter,
                                                 missing=", ".join(missing), fix=fix)


@message("type_lookalike")
def type_lookalike(type: str, policy_type: str, rows: Sequence[int]) -> str:
    shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
    return _("type {type} (row(s) {rows}) is not the policy's type {policy_type} but "
             "differs from it only by case, width, spacing or one letter, so the rules of "
             "{policy_type} would silently not apply; write {policy_type}").format(
        type=repr(type), rows=shown, policy_type=repr(policy_type))


@message("defaulted_columns")
def defaulted_columns(columns: Sequence[str]) -> str:
    return "  " + _("columns not in the units table, taken as their default for every unit: "
                    "{columns}").format(
        columns=", ".join(f"{c} = {'1' if c == 'priority' else '0'}" for c in columns))


@message("unit_name_ambiguous")
def unit_name_ambiguous(name: str, unit_ids: Sequence[str]) -> str:
    return _("{count} units are named {name} ({ids}); give the unit_id instead").format(
        count=len(unit_ids), name=repr(name), ids=", ".join(unit_ids))


def _rows(rows: Sequence[int]) -> str:
    return ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")


@message("budget_cell_not_amount")
def budget_cell_not_amount(header: str, value: str) -> str:
    return _("{header} {value} is not an amount of money: write a number ≥ 0 (yuan, no "
             "unit or percent sign), e.g. 1200000").format(header=header, value=repr(value))


@message("budget_pool_differs")
def budget_pool_differs(pool: str, header: str,
                        amounts: Sequence[tuple[str, Sequence[int]]]) -> str:
    shown = "; ".join(_("{amount} in row(s) {rows}").format(
        amount=amount or _("empty"), rows=_rows(rows)) for amount, rows in amounts)
    return _("the units of pool {pool} have different {header} amounts ({shown}); a pool has "
             "one budget: give every unit of the pool the same amount").format(
        pool=repr(pool), header=header, shown=shown)


@message("budget_pools_missing")
def budget_pools_missing(pools: Sequence[str], header: str | None) -> str:
    shown = ", ".join(map(repr, pools[:10])) + (" …" if len(pools) > 10 else "")
    if header:
        fix = _("fill the {header} column for every unit of these pools").format(header=header)
    else:
        fix = _("add them to [budget.pools], e.g. {pool} = 1200000").format(
            pool=_toml_key(pools[0]))
    return _("{count} pool(s) have no budget amount: {pools}; with budget.scope = \"pool\" "
             "every pool needs its own (0 lets a pool appoint nobody at extra cost): "
             "{fix}").format(count=len(pools), pools=shown, fix=fix)


def _toml_key(name: str) -> str:
    bare = name.replace("-", "").replace("_", "")
    return name if bare.isascii() and bare.isalnum() else '"' + name.replace('"', '\\"') + '"'


@message("budget_given_twice")
def budget_given_twice(header: str) -> str:
    return _("the pools' budgets are given twice: in [budget.pools] and in the units table's "
             "column {header}; keep one of them").format(header=header)


@message("budget_column_unused")
def budget_column_unused(header: str) -> str:
    return _("the units table has a budget column ({header}) but no variant sets [budget] "
             "scope = \"pool\", so the amounts would silently change nothing; set scope = "
             "\"pool\" in [budget], or rename the column if it means something else").format(
        header=header)


@message("budget_unknown_pool")
def budget_unknown_pool(name: str, hint: str | None, pools: Sequence[str]) -> str:
    shown = ", ".join(pools[:20]) + (" …" if len(pools) > 20 else "")
    tail = _(" (did you mean {hint}?)").format(hint=repr(hint)) if hint else ""
    return _("pool {name}{hint} is not a pool of the units table; pools present: "
             "{pools}").format(name=repr(name), hint=tail, pools=shown)


@message("budget_pools_need_scope")
def budget_pools_need_scope() -> str:
    return _("[budget.pools] gives each pool its own amount, which needs scope = \"pool\" in "
             "[budget]; add it (and remove max_increase), or remove [budget.pools]")


@message("budget_scope_pool_max_increase")
def budget_scope_pool_max_increase() -> str:
    return _("with scope = \"pool\" each pool has its own amount ([budget.pools] or the units "
             "table's budget column); max_increase, one amount for all units together, cannot "
             "be combined with it: remove it, or use scope = \"all\"")


@message("budget_no_amounts")
def budget_no_amounts() -> str:
    return _("scope = \"pool\" needs each pool's amount: give a [budget.pools] table "
             "(e.g. \"东片区\" = 1200000, the name in quotes) or a budget column (预算) in the "
             "units table")


# --------------------------------------------------------------------------------------------
# Infeasibility


@message("validate_infeasible_head")
def validate_infeasible_head(path: str, name: str, variants: Sequence[str], count: int) -> str:
    return _("{path}: INFEASIBLE ({count} variant(s); run would refuse them before solving) "
             "— scenario {name}, variants: {variants}").format(
        path=path, count=count, name=repr(name), variants=", ".join(variants))


@message("validate_infeasible")
def validate_infeasible(variant: str, reasons: Sequence[str]) -> str:
    return (_("error: variant {variant} is infeasible; run would refuse it before "
              "solving:").format(variant=repr(variant)) + "\n"
            + "\n".join(f"  - {r}" for r in reasons))


@message("more_conflicts")
def more_conflicts(count: int, kinds: Sequence[tuple[str, int]], total: int) -> str:
    listed = ", ".join(_("{count} {rule}").format(count=n, rule=rule_name(rule))
                       for rule, n in kinds)
    return _("… and {count} more units/pools with the same kinds of conflict ({listed}); "
             "all {total} are listed by quotaopt.diagnose(scenario, variant).conflicts in "
             "Python").format(count=count, listed=listed, total=total)


@message("relaxed_limit")
def relaxed_limit(where: Any, rule: str, limit: Fraction, relaxed: Fraction) -> str:
    sign = "+" if relaxed > limit else "−"
    return _("{where}: the {rule} of {limit} would have to be {relaxed} ({change})").format(
        where=where, rule=rule_name(rule), limit=exact(limit), relaxed=exact(relaxed),
        change=sign + exact(abs(Fraction(relaxed) - Fraction(limit))))


@message("least_relaxation")
def least_relaxation(posts: Fraction) -> str:
    return _("no plan meets every rule at once; the least relaxation (elastic model, "
             "{posts} post(s) in all) is:").format(posts=exact(posts))


@message("more_relaxed_limits")
def more_relaxed_limits(count: int) -> str:
    return _("… and {count} more relaxed limits").format(count=count)


@message("relaxation_needs_nothing")
def relaxation_needs_nothing(unit_ids: Sequence[str]) -> str:
    return _("the solver found no plan for the units {units}, but the elastic relaxation "
             "needs no rule relaxed; this is a bug in quotaopt, please report it").format(
        units=", ".join(unit_ids))


@message("added_constraints_infeasible")
def added_constraints_infeasible() -> str:
    return _("the policy with your added constraints admits no plan")


@message("relaxation_no_answer")
def relaxation_no_answer(detail: str) -> str:
    return _("the elastic relaxation found no answer in time ({detail}); raise "
             "--time-limit").format(detail=detail)


# --------------------------------------------------------------------------------------------
# Status of a run or a comparison


@message("run_infeasible")
def run_infeasible(reasons: Sequence[str]) -> str:
    return _("error: the scenario is infeasible:") + "\n" + "\n".join(
        f"  - {r}" for r in reasons)


@message("run_not_proven")
def run_not_proven() -> str:
    return _("error: time limit reached before the plan was proven optimal; the plan shown "
             "(and written) is the best found, NOT proven optimal — raise --time-limit")


@message("run_no_solution")
def run_no_solution(message: str) -> str:
    return _("error: no plan found: {message}; raise --time-limit or choose another "
             "--solver").format(message=message)


@message("compare_not_all_optimal")
def compare_not_all_optimal(failed: Sequence[tuple[str, str]]) -> str:
    return _("error: not every variant has a proven optimal plan: {failed}").format(
        failed=", ".join(f"{n} {status_word(s)}" for n, s in failed))


#: The words of the solve statuses (``Status.value``) in sentences.
STATUS_WORDS = {"optimal": N_("optimal"), "not_proven": N_("not_proven"),
                "infeasible": N_("infeasible"), "no_solution": N_("no_solution")}


def status_word(value: str) -> str:
    """A status value (``optimal``, ``not_proven`` …) in the language in use."""
    return _(STATUS_WORDS[value]) if value in STATUS_WORDS else value


# --------------------------------------------------------------------------------------------
# Provenance (explain and audit reports)


@message("provenance")
def provenance(input_hash: Any, quotaopt_version: Any, backend: Any, version: Any,
               created_at: Any) -> str:
    return _("provenance: input {input_hash} · quotaopt {quotaopt_version} · solver "
             "{backend} ({version}) · {created_at}").format(
        input_hash=input_hash, quotaopt_version=quotaopt_version, backend=backend,
        version=version, created_at=created_at)


@message("no_sources")
def no_sources() -> str:
    return _("sources: the scenario cites none (add `source = \"…\"` to its rules)")


@message("source")
def source(rule: str, source: str) -> str:
    return _("source ({rule}): {source}").format(rule=rule, source=source)


# --------------------------------------------------------------------------------------------
# Audit findings


@message("audit_head")
def audit_head(plan: str, scenario: str, variant: str, units: int) -> str:
    return _("audit of {plan} against scenario {scenario} · variant {variant} · {units} "
             "units").format(plan=plan, scenario=scenario, variant=variant, units=units)


@message("note")
def note(text: str) -> str:
    return _("note: {text}").format(text=text)


@message("audit_clean")
def audit_clean() -> str:
    return _("no violations: the plan keeps every rule of the policy")


@message("audit_violations")
def audit_violations(count: int) -> str:
    return _("{count} violation(s):").format(count=count)


@message("audit_violation")
def audit_violation(unit_id: str, name: str, pool: str, rule: str, allowed: Any, actual: Any,
                    detail: str) -> str:
    if unit_id:
        who = _("unit {unit}").format(unit=unit_id) + (f" ({name})" if name != unit_id else "")
    else:
        who = _("pool {pool}").format(pool=pool) if pool else _("all units")
    return "  - " + _("{who}: {rule}: allowed {allowed}, plan has {actual} — {detail}").format(
        who=who, rule=rule, allowed=allowed, actual=actual, detail=detail)


@message("audit_distance")
def audit_distance(appointments_from: str, senior: int, intermediate: int, weighted: str,
                   optimum_status: str | None, optimum: Mapping[str, Any] | None,
                   left: Mapping[str, Any] | None, proven: bool) -> str:
    counts = _("{senior} senior + {intermediate} intermediate").format(
        senior=senior, intermediate=intermediate)
    if appointments_from == "plan":
        line = _("the plan appoints {counts} title-holders (weighted {weighted})").format(
            counts=counts, weighted=weighted)
    else:
        line = _("the plan's posts make room for {counts} appointments (weighted "
                 "{weighted}; the file has no appointed_* columns)").format(
            counts=counts, weighted=weighted)
    if not optimum or left is None:
        return _("distance from the optimum: {line}; the optimum is unknown: {status}").format(
            line=line, status=optimum_status)
    gap = Fraction(left["weighted"])
    if gap > 0:
        tail = _("it leaves {senior} senior and {intermediate} intermediate appointments "
                 "(weighted {weighted}) on the table").format(
            senior=left["senior"], intermediate=left["intermediate"], weighted=left["weighted"])
    elif gap == 0:
        tail = _("it appoints as many as the optimum")
    else:
        tail = _("it appoints more than any plan that keeps the rules can")
    return _("distance from the optimum: {line}; the optimal plan{proof} appoints {senior} + "
             "{intermediate} (weighted {weighted}): {tail}").format(
        line=line, proof="" if proven else _(" (NOT proven optimal)"),
        senior=optimum["appointed_senior"], intermediate=optimum["appointed_intermediate"],
        weighted=optimum["weighted_appointments"], tail=tail)


@message("audit_later_stages")
def audit_later_stages(plan: Mapping[str, Any], optimum: Mapping[str, Any]) -> str:
    text = "  " + _("base caps (stage 2): the plan's posts are {plan} from the caps without "
                    "the junior-to-intermediate allowance, the optimum's {optimum}").format(
        plan=plan["distance_from_base_caps"], optimum=optimum["distance_from_base_caps"])
    if optimum.get("distance_from_quotas") is not None:
        text += _("; pooled quotas (stage 3, largest remainder): {plan}, the optimum's "
                  "{optimum}").format(plan=plan["distance_from_quotas"],
                                      optimum=optimum["distance_from_quotas"])
    return text


# --------------------------------------------------------------------------------------------
# Rule changes between variants


@message("rule_change")
def rule_change(label: str, before: str | None, after: str | None) -> str:
    if before is None:
        return _("{label} added: {after}").format(label=label, after=after)
    if after is None:
        return _("{label} removed: {before}").format(label=label, before=before)
    return f"{label} {before} → {after}"


@message("rules_of_baseline")
def rules_of_baseline() -> str:
    return _("the baseline itself")


@message("rules_unchanged")
def rules_unchanged() -> str:
    return _("no change in the rules")


# --------------------------------------------------------------------------------------------
# The command line's own lines


@message("interrupted")
def interrupted() -> str:
    return _("interrupted")


@message("interrupted_after")
def interrupted_after(written: Sequence[str]) -> str:
    if not written:
        return _("interrupted; no result files were changed")
    return _("interrupted; the results were written already: {files}").format(
        files=", ".join(written))


@message("error")
def error(text: str) -> str:
    return _("error: {text}").format(text=text)


@message("environment_error")
def environment_error(where: str | None, reason: str) -> str:
    return _("error: {where}: {reason}; check the path, the free space and the "
             "permissions").format(where=_("a file") if where is None else where,
                                   reason=reason)


@message("internal_error")
def internal_error(kind: str, what: str, version: str) -> str:
    return _("internal error: {kind}: {what} — this is a bug in quotaopt {version}; please "
             "report it with the input files (run with --debug for the traceback)").format(
        kind=kind, what=what, version=version)


@message("warning")
def warning(text: str) -> str:
    return _("warning: {text}").format(text=text)


@message("scenario_ok")
def scenario_ok(path: str, name: str, variants: Sequence[str]) -> str:
    return _("{path}: OK — scenario {name}, variants: {variants}").format(
        path=path, name=repr(name), variants=", ".join(variants))


@message("wrote")
def wrote(paths: Sequence[str]) -> str:
    return _("wrote {files}").format(files=", ".join(paths))


@message("init_done")
def init_done(scenario: str, units: str, out: str) -> str:
    return _("wrote {scenario} and {units}\nnext: quotaopt validate {scenario}\n"
             "      quotaopt run {scenario} --out {out}").format(
        scenario=scenario, units=units, out=out)


#: The rules a conflict or a relaxed limit is about (``Conflict.rule``, ``Slack.rule``: these
#: English names are the codes), in sentences.
RULES = {
    "senior cap": N_("senior cap"),
    "senior+intermediate cap": N_("senior+intermediate cap"),
    "pooled senior cap": N_("pooled senior cap"),
    "pooled senior+intermediate cap": N_("pooled senior+intermediate cap"),
    "senior minimum": N_("senior minimum"),
    "intermediate minimum": N_("intermediate minimum"),
    "junior minimum": N_("junior minimum"),
    "minimum rules": N_("minimum rules"),
    "budget": N_("budget"),
}


def rule_name(rule: str) -> str:
    """A rule's name (``senior cap``) in the language in use."""
    return _(RULES[rule]) if rule in RULES else rule
