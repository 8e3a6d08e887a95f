"""Every sentence a user reads is written here: one function per message code.

A problem, finding or reason is structured data — a code and its parameters (numbers kept
exact, names as the user wrote them); :func:`render` turns it into words. This is the one
place a translation (gettext) hooks in; numbers are written by :mod:`quotaopt.numfmt`.

Not every producer has moved here yet: docs/architecture.md lists the ones that still build
their own sentences.

>>> render("unknown_variant", {"name": "old", "hint": " (did you mean 'old-ratio'?)",
...                            "choices": ("baseline", "old-ratio")})
"no variant named 'old' (did you mean 'old-ratio'?); the scenario has: baseline, old-ratio"
>>> render("relaxed_limit", {"where": "unit X", "rule": "senior cap", "limit": 2,
...                          "relaxed": 3})
'unit X: the senior cap of 2 would have to be 3 (+1)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .i18n import N_, _
from .numfmt import decimals, exact, percent, whole

#: code → the function that writes its sentence (keyword parameters only).
CATALOGUE: dict[str, Callable[..., str]] = {}


def message(code: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register the function that writes the sentence of ``code``."""

    def register(fn: Callable[..., str]) -> Callable[..., str]:
        if code in CATALOGUE:
            raise ValueError(f"message code {code!r} defined twice")
        CATALOGUE[code] = fn
        return fn

    return register


def render(code: str, params: Mapping[str, Any]) -> str:
    """The sentence of a message code with its parameters."""
    return CATALOGUE[code](**params)


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


# ============================================================================================
# ANALYSIS — explain, uniqueness, feasibility conflicts and their fixes, the elastic
# relaxation's rules, compare's rule changes. (One block, apart from the input side's.)

# --------------------------------------------------------------------------------------------
# Compare: rule changes of the units table and the solver options


def _ids(ids: Sequence[str], limit: int = 5) -> str:
    shown = _(", ").join(ids[:limit])
    if len(ids) > limit:
        shown += _(" and {count} more").format(count=len(ids) - limit)
    return shown


@message("units_table")
def units_table() -> str:
    return _("units table")


@message("units_count")
def units_count(count: int) -> str:
    return _("{count} units").format(count=count)


@message("units_table_after")
def units_table_after(count: int, added: Sequence[str], removed: Sequence[str],
                      changed: Sequence[str]) -> str:
    parts = []
    if added:
        parts.append(_("{count} added: {ids}").format(count=len(added), ids=_ids(added)))
    if removed:
        parts.append(_("{count} removed: {ids}").format(count=len(removed), ids=_ids(removed)))
    if changed:
        parts.append(_("{count} changed: {ids}").format(count=len(changed), ids=_ids(changed)))
    if not parts:
        parts.append(_("same units, other column order or types"))
    return _("{count} units ({changes})").format(count=count, changes=_("; ").join(parts))


@message("units_file")
def units_file() -> str:
    return _("units file")


@message("units_file_name")
def units_file_name(name: str | None) -> str:
    return name or _("(DataFrame)")


#: The solver options' names in rule changes.
SOLVER_OPTIONS = {"backend": N_("solver"), "method": N_("solve method"),
                  "time_limit": N_("solver time limit")}


@message("solver_option")
def solver_option(option: str) -> str:
    return _(SOLVER_OPTIONS[option])


@message("solver_value")
def solver_value(option: str, value: Any) -> str:
    if option == "time_limit":
        return _("none") if value is None else _("{seconds} s").format(seconds=f"{value:g}")
    if option == "backend" and not value:
        return _("default")
    return str(value)


@message("unknown_measure")
def unknown_measure(measure: str, choices: Sequence[str]) -> str:
    return _("unknown measure {measure}; choose one of {choices}").format(
        measure=repr(measure), choices=", ".join(choices))


@message("not_proven_reason")
def not_proven_reason(message: str) -> str:
    text = _("time limit reached before optimality was proven")
    return f"{text} ({message})" if message else text


# --------------------------------------------------------------------------------------------
# Structured sentences: what the analysis returns, written when shown


@dataclass(frozen=True)
class Message:
    """A sentence as data: a message code and its parameters; ``str()`` writes it in the
    language in use.

    >>> str(Message.of("units_count", count=3))
    '3 units'
    """

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, code: str, **params: Any) -> Message:
        if code not in CATALOGUE:
            raise KeyError(f"no message code {code!r}")
        return cls(code, tuple(params.items()))

    def __str__(self) -> str:
        return render(self.code, dict(self.params))


#: Levels and level groups in sentences.
LEVELS = {"senior": N_("senior"), "intermediate": N_("intermediate"), "junior": N_("junior"),
          "senior+intermediate": N_("senior+intermediate")}
#: The rounding of a cap in its arithmetic (``6.9 → floor 6``).
ROUNDING = {"floor": N_("floor"), "nearest": N_("nearest"), "ceil": N_("ceil")}


def level_word(level: str) -> str:
    return _(LEVELS[level]) if level in LEVELS else level


@message("list_item")
def list_item(text: Any) -> str:
    return f"  - {text}"


def share_sum(terms: Sequence[tuple[Fraction | None, Fraction]]) -> Fraction:
    """The share of ``terms``: each ``(factor, share)`` counts ``factor × share``."""
    return sum(((f if f is not None else 1) * Fraction(v) for f, v in terms), Fraction(0))


def _terms(terms: Sequence[tuple[Fraction | None, Fraction]]) -> str:
    parts = [percent(v) if f is None else f"{exact(f)} × {percent(v)}" for f, v in terms]
    text = " + ".join(parts)
    return f"({text})" if len(parts) > 1 else text


@message("share_product")
def share_product(posts: int, terms: Sequence[tuple[Fraction | None, Fraction]]) -> str:
    """``20 × (10 % + 5 %) = 3``."""
    return f"{posts} × {_terms(terms)} = {exact(share_sum(terms) * posts)}"


@message("cap_arithmetic")
def cap_arithmetic(posts: int, terms: Sequence[tuple[Fraction | None, Fraction]],
                   rounding: str, cap: int) -> str:
    """``20 × (10 % + 5 %) = 3 → floor 3``."""
    word = _(ROUNDING[rounding])
    return f"{share_product(posts, terms)} → {word} {cap}"


@message("pool_cap_arithmetic")
def pool_cap_arithmetic(units: int, total: Fraction, rounding: str, cap: int) -> str:
    return _("Σ posts × share over {units} units = {total} → {rounding} {cap}").format(
        units=units, total=exact(total), rounding=_(ROUNDING[rounding]), cap=cap)


# --------------------------------------------------------------------------------------------
# explain: the unit, its data, its caps


@message("explain_unit")
def explain_unit(unit_id: str, name: str, type: str, pool: str, scenario: str,
                 variant: str) -> str:
    who = unit_id + (f" {name}" if name != unit_id else "")
    return _("unit {unit} · type {type} · pool {pool} · scenario {scenario} · variant "
             "{variant}").format(unit=who, type=type, pool=pool, scenario=scenario,
                                 variant=variant)


@message("explain_data")
def explain_data(posts: int, incumbents: tuple[int, int, int], waiting: tuple[int, int],
                 priority: Fraction) -> str:
    return _("data: {posts} posts · incumbents {i_s} senior, {i_m} intermediate, {i_j} junior "
             "· waiting {w_s} for senior, {w_m} for intermediate · priority {priority}").format(
        posts=posts, i_s=incumbents[0], i_m=incumbents[1], i_j=incumbents[2],
        w_s=waiting[0], w_m=waiting[1], priority=exact(priority))


@message("explain_policy")
def explain_policy(ratio: str, scope: str, rounding: str, incumbents: str,
                   budget: Fraction | None) -> str:
    text = _("policy: ratio {ratio} · scope {scope} · rounding {rounding} · incumbents "
             "{incumbents}").format(ratio=ratio, scope=scope, rounding=rounding,
                                    incumbents=incumbents)
    if budget is not None:
        text += _(" · budget max_increase {amount}").format(amount=exact(budget))
    return text


@message("explain_shares")
def explain_shares(type: str, ratio: str, senior: Fraction, bonus: Fraction,
                   intermediate: Fraction, junior: Fraction, transfer: Fraction) -> str:
    if bonus:
        s = _("senior {base} + bonus {bonus} = {share}").format(
            base=percent(senior - bonus), bonus=percent(bonus), share=percent(senior))
        j = _("junior {base} − {bonus} = {share}").format(
            base=percent(junior + bonus), bonus=percent(bonus), share=percent(junior))
    else:
        s = _("senior {share}").format(share=percent(senior))
        j = _("junior {share}").format(share=percent(junior))
    return _("shares of {type} (ratio {ratio}): {senior} · intermediate {intermediate} · "
             "{junior} · junior_to_intermediate {transfer}").format(
        type=type, ratio=ratio, senior=s, intermediate=percent(intermediate), junior=j,
        transfer=exact(transfer))


@message("explain_cap")
def explain_cap(which: str, arithmetic: Message, at_least_one: int | None,
                raised: int | None, grandfathered: bool) -> str:
    text = _("{which} cap: {arithmetic}").format(which=level_word(which),
                                                 arithmetic=arithmetic)
    if at_least_one is not None:
        text += _(" → {cap} by policy.at_least_one (不足1个按1个: a share above 0 that rounds "
                  "to 0 still gives 1 post)").format(cap=at_least_one)
    if raised is not None and grandfathered:
        text += _(" → raised to the {cap} {which} incumbents (incumbents = grandfather; the "
                  "unit is flagged over_ratio)").format(cap=raised, which=level_word(which))
    elif raised is not None:
        text += _(" → raised to {cap} by the minimum rules (a minimum lifts the "
                  "cap)").format(cap=raised)
    return text


@message("explain_pool_cap")
def explain_pool_cap(which: str, pool: str, arithmetic: Message, part: Message,
                     raised: int | None) -> str:
    text = _("pooled {which} cap of pool {pool}: {arithmetic}; this unit's part: "
             "{part}").format(which=level_word(which), pool=pool, arithmetic=arithmetic,
                              part=part)
    if raised is not None:
        text += _("; raised to {cap} (policy.at_least_one, or the pool's incumbents with "
                  "incumbents = grandfather)").format(cap=raised)
    return text


@message("explain_quota")
def explain_quota(which: str, base: int, quota: Fraction, rank: int, units: int, pool: str,
                  floors: int, left: int, plan: int | None, among: bool | None,
                  off_split: bool) -> str:
    """A pooled unit's Hamilton quota and where its remainder ranks (``among``: None when
    the quota is whole)."""
    whole = quota.numerator // quota.denominator
    text = "  " + _(
        "{which} quota (Hamilton): {base} × this unit's share / the pool's = {quota} ≈ "
        "{approx}: floor {whole}, remainder {remainder}, ranked {rank} of {units} in pool "
        "{pool}; the floors use {floors} of {base} posts, so the {left} largest remainders "
        "get one more").format(
        which=level_word(which), base=base, quota=exact(quota), approx=decimals(quota),
        whole=whole, remainder=decimals(quota - whole), rank=rank, units=units, pool=pool,
        floors=floors, left=left)
    if plan is None:
        return text
    why = (_("its quota is whole") if among is None else
           _("its remainder is among them") if among else _("its remainder is not among them"))
    if off_split:
        why += _("; appointments, incumbents or the unit's posts move it off that split")
    return text + _(" → plan {plan} ({why})").format(plan=plan, why=why)


@message("explain_minimum")
def explain_minimum(number: int, rule: Any, posts: int) -> str:
    return _("minimum (policy.minimum[{number}]): {rule} → at least {posts} {level} post(s) "
             "here").format(number=number, rule=rule.describe(), posts=posts,
                            level=level_word(str(rule.level)))


@message("explain_no_minimum")
def explain_no_minimum() -> str:
    return _("minimum rules: none applies to this unit")


# --------------------------------------------------------------------------------------------
# explain: the plan and what binds


@message("explain_no_plan")
def explain_no_plan(status: str) -> str:
    return _("plan: none — the variant is {status}:").format(status=status_word(status))


@message("explain_not_proven")
def explain_not_proven() -> str:
    return _("warning: this plan is NOT proven optimal (time limit); what binds and the "
             "comparisons below are about this plan")


@message("explain_plan")
def explain_plan(senior: int, intermediate: int, junior: int) -> str:
    return _("plan: {senior} senior · {intermediate} intermediate · {junior} junior "
             "posts").format(senior=senior, intermediate=intermediate, junior=junior)


@message("explain_appointed")
def explain_appointed(appointed: tuple[int, int], waiting: tuple[int, int],
                      vacant: tuple[int, int, int]) -> str:
    return "  " + _("appointed {ys} of {ws} waiting for senior, {ym} of {wm} waiting for "
                    "intermediate · vacant {vs} senior, {vm} intermediate, {vj} "
                    "junior").format(ys=appointed[0], ws=waiting[0], ym=appointed[1],
                                     wm=waiting[1], vs=vacant[0], vm=vacant[1], vj=vacant[2])


@message("explain_binds")
def explain_binds(anything: bool) -> str:
    return _("what binds:") if anything else _("what binds: nothing — no limit is reached")


@message("bind_unit_cap")
def bind_unit_cap(which: str, cap: int) -> str:
    return _("{which} cap: all {cap} {which} posts it allows are set").format(
        which=level_word(which), cap=cap)


@message("bind_pool_cap")
def bind_pool_cap(pool: str, which: str, cap: int) -> str:
    return _("pool quota: pool {pool} uses all {cap} {which} posts of its pooled cap").format(
        pool=pool, cap=cap, which=level_word(which))


@message("bind_junior_minimum")
def bind_junior_minimum(posts: int) -> str:
    return _("minimum: {posts} junior post(s) must stay junior").format(posts=posts)


@message("bind_total")
def bind_total(posts: int) -> str:
    return _("total posts: all {posts} posts are senior or intermediate").format(posts=posts)


@message("bind_held")
def bind_held(which: str, incumbents: int, appointed: int) -> str:
    return _("incumbents: every {which} post is held ({incumbents} incumbents + {appointed} "
             "appointed)").format(which=level_word(which), incumbents=incumbents,
                                  appointed=appointed)


@message("bind_all_appointed")
def bind_all_appointed(level: str, waiting: int) -> str:
    if level == "senior":
        return _("waiting staff: all {waiting} waiting for a senior post are "
                 "appointed").format(waiting=waiting)
    return _("waiting staff: all {waiting} waiting for an intermediate post are "
             "appointed").format(waiting=waiting)


@message("bind_minimum")
def bind_minimum(level: str, posts: int) -> str:
    return _("minimum: {level} posts are at the minimum of {posts}").format(
        level=level_word(level), posts=posts)


@message("bind_budget")
def bind_budget(cost: Fraction, max_increase: Fraction, cheapest: Fraction) -> str:
    return _("budget: {cost} of {max_increase} used; {left} left, less than one more "
             "appointment ({cheapest})").format(
        cost=exact(cost), max_increase=exact(max_increase), left=exact(max_increase - cost),
        cheapest=exact(cheapest))


def _limit_words(kind: str, pool: str | None) -> str:
    """What holds an appointment back (``bind_waiting_left``)."""
    return {
        "cap_s": lambda: _("the senior cap"),
        "cap_sm": lambda: _("the senior+intermediate cap"),
        "pool_s": lambda: _("pool {pool}'s senior quota").format(pool=pool),
        "pool_sm": lambda: _("pool {pool}'s senior+intermediate quota").format(pool=pool),
        "total": lambda: _("the unit's total posts"),
        "budget": lambda: _("the budget"),
    }[kind]()


@message("bind_waiting_left")
def bind_waiting_left(level: str, left: int, waiting: int, held: Sequence[str],
                      pool: str | None) -> str:
    why = (_(" and ").join(_limit_words(k, pool) for k in held) if held
           else _("no limit of this unit alone"))
    if level == "senior":
        return _("waiting left: {left} of {waiting} waiting for a senior post stay "
                 "unappointed, held back by {why}").format(left=left, waiting=waiting, why=why)
    return _("waiting left: {left} of {waiting} waiting for an intermediate post stay "
             "unappointed, held back by {why}").format(left=left, waiting=waiting, why=why)


# --------------------------------------------------------------------------------------------
# explain: one more post, other optimal plans


def _block_words(kind: str, pool: str | None) -> str:
    """The units re-solved together: ``this unit``, ``pool 东片``, ``all units``."""
    if kind == "unit":
        return _("this unit")
    if kind == "pool":
        return _("pool {pool}").format(pool=pool)
    return _("all units")


@message("one_more_head")
def one_more_head(posts: int, pooled: bool, senior: tuple[int, int],
                  senior_intermediate: tuple[int, int]) -> str:
    if pooled:
        caps = _("pooled senior cap {a} → {b}, pooled senior+intermediate cap {c} → {d}")
    else:
        caps = _("senior cap {a} → {b}, senior+intermediate cap {c} → {d}")
    caps = caps.format(a=senior[0], b=senior[1], c=senior_intermediate[0],
                       d=senior_intermediate[1])
    return _("one more post ({more} instead of {posts}): {caps}").format(
        more=posts + 1, posts=posts, caps=caps)


@message("one_more_status")
def one_more_status(status: str, reasons: Sequence[str]) -> str:
    return "  " + _("re-solved: the variant becomes {status}: {reasons}").format(
        status=status_word(status), reasons="; ".join(reasons))


@message("one_more_result")
def one_more_result(block: str, pool: str | None, posts: tuple[int, int, int],
                    appointed: tuple[int, int], gain: Fraction) -> str:
    return "  " + _("re-solved ({where}): this unit {senior} senior · {intermediate} "
                    "intermediate · {junior} junior; appointments {d_s} senior, {d_m} "
                    "intermediate (weighted {gain})").format(
        where=_block_words(block, pool), senior=posts[0], intermediate=posts[1],
        junior=posts[2], d_s=f"{appointed[0]:+d}", d_m=f"{appointed[1]:+d}",
        gain=("+" if gain >= 0 else "") + exact(gain))


@message("one_more_buys_nothing")
def one_more_buys_nothing(block: str, pool: str | None, nobody_waiting: bool) -> str:
    if nobody_waiting:
        why = _("nobody in {where} is left waiting").format(where=_block_words(block, pool))
    else:
        why = _("the post raises no limit that holds a waiting title-holder back")
    return "  " + _("it buys no appointment: {why}").format(why=why)


@message("next_cap_rise")
def next_cap_rise(senior: int | None, senior_intermediate: int | None) -> str:
    return "  " + _("its senior cap next rises at {senior} posts, its senior+intermediate cap "
                    "at {both} posts").format(senior=senior, both=senior_intermediate)


@message("alternative_found")
def alternative_found(other: tuple[int, int], this: tuple[int, int]) -> str:
    return _("other optimal plans: yes — one gives it {senior} senior and {intermediate} "
             "intermediate posts (this plan: {this_senior} and {this_intermediate}) with the "
             "same appointments and the same distances to the base caps and quotas").format(
        senior=other[0], intermediate=other[1], this_senior=this[0],
        this_intermediate=this[1])


@message("chosen_by")
def chosen_by(rule: Message) -> str:
    return "  " + _("this plan was chosen by: {rule}").format(rule=rule)


@message("alternative_none")
def alternative_none() -> str:
    return _("other optimal plans: none gives this unit other senior or senior+intermediate "
             "posts (checked by solving again with them forced one lower and one higher)")


@message("alternative_unknown")
def alternative_unknown() -> str:
    return _("other optimal plans: unknown (a check ran out of time)")


@message("tie_break")
def tie_break(structured: int, mip: int, backend: str | None, version: str | None) -> str:
    rules = []
    if structured:
        rules.append(_(
            "{count} unit(s) by the structured method: posts are added one step at a time, "
            "the best step first (one that appoints a waiting title-holder, then, up to the "
            "base cap, one that brings a unit closest to its quota: largest remainder); equal "
            "steps go to the larger unit (total_posts), then to the first unit in (pool, "
            "unit_id) order").format(count=structured))
    if mip:
        rules.append(_(
            "{count} unit(s) by the MIP ({backend}, {version}); in scope pool the tie rule "
            "(larger unit, then unit_id) is then applied by moving single posts between "
            "units of a pool without changing the objective values; otherwise the plan is "
            "the one the solver returned for the model built in (pool, unit_id) "
            "order").format(count=mip, backend=backend, version=version))
    return _("; ").join(rules) or _("no units")


# --------------------------------------------------------------------------------------------
# run --check-unique


def _checked_scope(checked: int, total: int) -> str:
    if checked == total:
        return ""
    return _(" (checked {checked} of {total} units)").format(checked=checked, total=total)


@message("uniqueness_not_checked")
def uniqueness_not_checked(note: Any) -> str:
    return _("uniqueness not checked: {note}").format(note=note)


@message("uniqueness_unique")
def uniqueness_unique(checked: int, total: int) -> str:
    return _("unique: no other optimal plan gives any unit other senior or senior+intermediate "
             "posts{scope}").format(scope=_checked_scope(checked, total))


@message("uniqueness_not_unique")
def uniqueness_not_unique(unit_ids: Sequence[str], checked: int, total: int,
                          tie_break: Any) -> str:
    scope = _checked_scope(checked, total)
    if unit_ids:
        head = _("not unique: {count} unit(s) could get other senior or senior+intermediate "
                 "posts in another optimal plan ({units}){scope}").format(
            count=len(unit_ids), units=_ids(unit_ids, 8), scope=scope)
    else:
        head = _("uniqueness unknown{scope}").format(scope=scope)
    return _("{head}; this plan was chosen by: {rule}").format(head=head, rule=tie_break)


@message("uniqueness_no_plan")
def uniqueness_no_plan() -> str:
    return _("there is no proven-optimal plan to compare with")


@message("uniqueness_out_of_time")
def uniqueness_out_of_time(checked: int, targets: int, seconds: float, max_units: int,
                           total: int) -> str:
    text = _("checked {checked} of {targets} units before the {seconds} s budget ran out "
             "(--time-limit); the rest unknown").format(checked=checked, targets=targets,
                                                        seconds=f"{seconds:g}")
    if targets < total:
        text += _(" (and at most {max_units} of the {total} units are checked: "
                  "max_units)").format(max_units=max_units, total=total)
    return text


@message("uniqueness_max_units")
def uniqueness_max_units(checked: int, total: int, max_units: int) -> str:
    return _("checked {checked} of {total} units (max_units = {max_units}); the others may "
             "differ too").format(checked=checked, total=total, max_units=max_units)


@message("unknown_unit")
def unknown_unit(unit_id: str, hint: str | None) -> str:
    tail = _(" (did you mean {hint}?)").format(hint=repr(hint)) if hint else ""
    return _("no unit {unit} in the units table{tail}; give a unit_id of the table, or the "
             "name of one unit").format(unit=repr(unit_id), tail=tail)


# --------------------------------------------------------------------------------------------
# Feasibility conflicts, their fixes, and the elastic relaxation's rules

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


@message("unit_place")
def unit_place(unit_id: str, name: str, bare: bool = False) -> str:
    """``unit TX011 (石桥镇卫生院)`` (``bare``: ``TX011 (石桥镇卫生院)``); the name only
    when it differs from the id."""
    who = (_("{unit} ({name})").format(unit=unit_id, name=name) if name and name != unit_id
           else unit_id)
    return who if bare else _("unit {unit}").format(unit=who)


@message("pool_place")
def pool_place(pool: str) -> str:
    return _("pool {pool}").format(pool=pool)


@message("all_units")
def all_units() -> str:
    return _("all units")


@message("ratio_words")
def ratio_words(ratios: Sequence[str], own_type: str | None) -> str:
    """``ratio 1:4:5``; ``ratios 1:4:5 and 1:3:6``; ``ratio 1:3:6 (policy.types.x.ratio)``."""
    if len(ratios) > 1:
        return _("ratios {ratios}").format(ratios=_(" and ").join(ratios))
    if own_type is not None:
        return _("ratio {ratio} (policy.types.{type}.ratio)").format(ratio=ratios[0],
                                                                      type=own_type)
    return _("ratio {ratio}").format(ratio=ratios[0])


@message("units_list")
def units_list(units: Sequence[Message], more: int) -> str:
    text = _(", ").join(map(str, units))
    return text + (_(" and {count} more").format(count=more) if more > 0 else "")


@message("conflict")
def conflict(text: Message, fixes: Sequence[Message]) -> str:
    if not fixes:
        return str(text)
    return _("{conflict}: {fixes}").format(conflict=text,
                                           fixes=_(", or ").join(map(str, fixes)))


@message("conflict_minimum_rules")
def conflict_minimum_rules(where: Message, minimum: tuple[int, int, int],
                           incumbents: tuple[int, int], need: int, posts: int) -> str:
    return _("{where}: minimum rules need {m_s} senior + {m_m} intermediate + {m_j} junior "
             "posts and incumbents hold {i_s} senior + {i_m} intermediate posts: together at "
             "least {need} posts, but it has {posts}").format(
        where=where, m_s=minimum[0], m_m=minimum[1], m_j=minimum[2], i_s=incumbents[0],
        i_m=incumbents[1], need=need, posts=posts)


def _raised_by_minimum(cap: int, refs: Sequence[int] | None) -> str:
    if refs is None:
        return ""
    listed = (", ".join(f"policy.minimum[{k}]" for k in refs) if refs
              else _("the minimum rules"))
    return _(", raised to {cap} by the minimum rules ({refs})").format(cap=cap, refs=listed)


@message("conflict_unit_cap")
def conflict_unit_cap(where: Message, which: str, incumbents: int, ratio: Message, cap: int,
                      posts: int, arithmetic: Message, minimum_refs: Sequence[int] | None) -> str:
    return _("{where} has {incumbents} {which} incumbents but the {ratio} {which} cap allows "
             "{cap} of its {posts} posts ({arithmetic})").format(
        where=where, incumbents=incumbents, which=level_word(which), ratio=ratio, cap=cap,
        posts=posts, arithmetic=str(arithmetic) + _raised_by_minimum(cap, minimum_refs))


def _pool_words(arithmetic: Message, cap: int, grandfathered: bool) -> str:
    return str(arithmetic) + (_(", raised to {cap} for the grandfathered incumbents").format(
        cap=cap) if grandfathered else "")


@message("conflict_pool_incumbents")
def conflict_pool_incumbents(where: Message, which: str, incumbents: int, ratio: Message,
                             cap: int, arithmetic: Message, grandfathered: bool) -> str:
    return _("{where}: its units have {incumbents} {which} incumbents but the pooled {ratio} "
             "{which} cap is {cap} ({arithmetic})").format(
        where=where, incumbents=incumbents, which=level_word(which), ratio=ratio, cap=cap,
        arithmetic=_pool_words(arithmetic, cap, grandfathered))


@message("conflict_pool_minimum")
def conflict_pool_minimum(where: Message, which: str, need: int, incumbents: int,
                          units: Message, ratio: Message, cap: int, arithmetic: Message,
                          grandfathered: bool) -> str:
    return _("{where}: minimum rules and incumbents need {need} {which} posts ({incumbents} "
             "held by incumbents, {more} more for the minimum rules at {units}), the pooled "
             "{ratio} {which} cap is {cap} ({arithmetic})").format(
        where=where, need=need, which=level_word(which), incumbents=incumbents,
        more=need - incumbents, units=units, ratio=ratio, cap=cap,
        arithmetic=_pool_words(arithmetic, cap, grandfathered))


@message("conflict_budget")
def conflict_budget(max_increase: Fraction, cheapest: Fraction) -> str:
    what = (_("a plan that appoints nobody costs 0") if cheapest == 0 else
            _("even the cheapest plan costs {cost}").format(cost=exact(cheapest)))
    return _("budget: max_increase is {amount}, below what any plan costs ({what})").format(
        amount=exact(max_increase), what=what)


@message("fix_grandfather")
def fix_grandfather() -> str:
    return _('set incumbents = "grandfather"')


@message("fix_total")
def fix_total(posts: int) -> str:
    return _("raise its total_posts to {posts}").format(posts=posts)


@message("fix_lower_minimum")
def fix_lower_minimum(level: str, number: int, posts: int, grandfather: bool = False) -> str:
    if grandfather:
        return _('set incumbents = "grandfather" and lower the {level} minimum '
                 "(policy.minimum[{number}]) to {posts} post(s)").format(
            level=level_word(level), number=number, posts=posts)
    return _("lower the {level} minimum (policy.minimum[{number}]) to {posts} post(s)").format(
        level=level_word(level), number=number, posts=posts)


@message("fix_exempt")
def fix_exempt(number: int, posts: int) -> str:
    return _("set policy.minimum[{number}].when_total_at_least to {posts}").format(
        number=number, posts=posts)


@message("fix_raise_key")
def fix_raise_key(key: str, value: str) -> str:
    return _("raise {key} to {value}").format(key=key, value=value)


@message("fix_unit_scope")
def fix_unit_scope() -> str:
    return _('use scope = "unit" (there a minimum lifts the unit\'s own cap)')


@message("fix_add_posts")
def fix_add_posts(posts: int, unit: Message, which: str) -> str:
    return _("add {posts} post(s) to {unit}, whose {which} share is the pool's "
             "largest").format(posts=posts, unit=unit, which=level_word(which))


@message("fix_budget")
def fix_budget(amount: Fraction) -> str:
    return _("raise budget.max_increase to {amount} or more").format(amount=exact(amount))
# Input and checking: files, units tables, scenarios, the independent checker, audit, solver
# errors and output files. (The analysis side — explain, uniqueness, feasibility, relax,
# diagnose, compare — keeps its codes in the blocks above.)

_MIB = 2**20


def _mib(size: int | float) -> str:
    return f"{size / _MIB:,.0f}"


# -- files ----------------------------------------------------------------------------------


@message("path_is_folder")
def path_is_folder() -> str:
    return _("is a folder, not a file; give the path of the file")


@message("not_regular_file")
def not_regular_file() -> str:
    return _("is not a regular file (a device or a pipe); save the data to a file and give "
             "its path")


@message("file_too_large")
def file_too_large(size: int, limit: int) -> str:
    return _("the file is {size} MiB, more than the limit of {limit} MiB; split the table or "
             "remove what is not needed").format(size=_mib(size), limit=_mib(limit))


@message("file_grew_too_large")
def file_grew_too_large(limit: int) -> str:
    return _("the file is more than the limit of {limit} MiB").format(limit=_mib(limit))


@message("file_not_found")
def file_not_found() -> str:
    return _("file not found; check the path")


@message("cannot_read_file")
def cannot_read_file(reason: str) -> str:
    return _("cannot read the file: {reason}").format(reason=reason)


@message("sheet_given_for_csv")
def sheet_given_for_csv(sheet: str) -> str:
    return _("sheet={sheet} was given but the file is CSV, which has no sheets; remove the "
             "sheet setting or give the workbook").format(sheet=repr(sheet))


@message("too_many_columns")
def too_many_columns(used: int, limit: int) -> str:
    return _("the table has {used} columns, more than the limit of {limit}; a units table "
             "needs 11 at most, plus any notes: delete the columns that are not "
             "needed").format(used=used, limit=limit)


@message("too_many_rows")
def too_many_rows(limit: int) -> str:
    return _("the table has more than {limit} rows below the header, the limit; split it "
             "into several files (one per pool, say)").format(limit=whole(limit, grouped=True))


@message("file_is_html")
def file_is_html() -> str:
    return _("this file is a web page (HTML) or XML with a spreadsheet name, not CSV or XLSX; "
             "open it in Excel or WPS and save it as .xlsx or as CSV (UTF-8)")


@message("csv_parse_error")
def csv_parse_error(line: int, reason: str) -> str:
    return _("cannot parse the CSV near line {line}: {reason}").format(line=line, reason=reason)


@message("line_too_long")
def line_too_long(line: int, length: int, columns: int, chars: int) -> str:
    return _("line {line} is {length} bytes long, more than any table of at most {columns} "
             "columns of {chars} characters can have; is this really a CSV file?").format(
        line=line, length=whole(length, grouped=True), columns=columns, chars=chars)


@message("file_is_unicode_text")
def file_is_unicode_text() -> str:
    return _("the file is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8 (comma "
             "delimited)' or as .xlsx")


@message("cannot_decode")
def cannot_decode(byte: int, offset: int, line: int) -> str:
    return _("cannot decode the file as text: not UTF-8 (invalid byte {byte} at byte offset "
             "{offset}, line {line}) and not GBK/GB18030 either; save it as 'CSV UTF-8' or as "
             ".xlsx").format(byte=f"0x{byte:02X}", offset=offset, line=line)


@message("cannot_read_xlsx")
def cannot_read_xlsx(kind: str, reason: str) -> str:
    return _("cannot read the file as XLSX ({kind}: {reason}); open it in Excel or WPS and "
             "save it again as .xlsx or as CSV (UTF-8)").format(kind=kind, reason=reason)


@message("cannot_read_sheet")
def cannot_read_sheet(sheet: str, kind: str, reason: str) -> str:
    return _("cannot read sheet {sheet} ({kind}: {reason}); open the file in Excel or WPS and "
             "save it again as .xlsx").format(sheet=repr(sheet), kind=kind, reason=reason)


@message("cannot_read_workbook")
def cannot_read_workbook(kind: str, reason: str) -> str:
    return _("cannot read the workbook ({kind}: {reason}); open it in Excel or WPS and save it "
             "again as .xlsx or as CSV (UTF-8)").format(kind=kind, reason=reason)


@message("no_worksheet")
def no_worksheet() -> str:
    return _("the workbook has no worksheet")


@message("no_such_sheet")
def no_such_sheet(sheet: str, sheets: Sequence[str]) -> str:
    listed = ", ".join(repr(n) for n in sheets) or _("none")
    return _("the workbook has no sheet {sheet}; its sheets are: {sheets}").format(
        sheet=repr(sheet), sheets=listed)


@message("workbook_too_large")
def workbook_too_large(unpacked: int, parts: int, limit: int) -> str:
    return _("the workbook would unpack to {size} MiB in {parts} parts, more than the limit "
             "of {limit} MiB; it is damaged or not a plain table: open it in Excel or WPS and "
             "save the table as CSV (UTF-8)").format(
        size=_mib(unpacked), parts=whole(parts, grouped=True), limit=_mib(limit))


@message("row_beyond_columns")
def row_beyond_columns(number: int, letter: str, limit: int) -> str:
    return _("row {number} has a value in column {letter}, beyond the limit of {limit} "
             "columns; delete the columns that are not needed").format(
        number=number, letter=letter, limit=limit)


# -- units tables: the table and its header -------------------------------------------------


@message("table_too_wide")
def table_too_wide(columns: int, limit: int) -> str:
    return _("the table has {columns} columns, more than the limit of {limit}; delete the "
             "columns that are not needed").format(columns=columns, limit=limit)


@message("table_empty")
def table_empty() -> str:
    return _("the table is empty; it needs a header row (unit_id, type, total_posts, …) and "
             "one row per unit")


@message("header_row_empty")
def header_row_empty(first: int) -> str:
    return _("row 1 is empty but must hold the column names (unit_id, type, total_posts, …); "
             "the first non-empty row is row {first}: delete the rows above it").format(
        first=first)


@message("no_data_rows")
def no_data_rows() -> str:
    return _("the table has a header but no data rows; add one row per unit")


@message("header_too_long")
def header_too_long(letter: str, length: int, limit: int) -> str:
    return _("the header of column {letter} has {length} characters, more than the limit of "
             "{limit}; shorten it").format(letter=letter, length=whole(length, grouped=True),
                                           limit=whole(limit, grouped=True))


@message("cell_too_long")
def cell_too_long(length: int, limit: int) -> str:
    return _("the cell has {length} characters, more than the limit of {limit}; shorten "
             "it").format(length=whole(length, grouped=True), limit=whole(limit, grouped=True))


@message("duplicate_columns")
def duplicate_columns(first: str, first_letter: str, second: str, second_letter: str,
                      target: str) -> str:
    return _("columns {first} ({first_letter}) and {second} ({second_letter}) both mean "
             "{target}; keep only one of them").format(
        first=repr(first), first_letter=first_letter, second=repr(second),
        second_letter=second_letter, target=target)


@message("required_column_missing")
def required_column_missing(target: str, accepted: Sequence[str],
                            hint: tuple[str, str] | None) -> str:
    text = _("required column {target} is missing (header {accepted})").format(
        target=repr(target), accepted=" / ".join(accepted))
    if hint is not None:
        return text + _("; did you mean {label} (column {letter})? rename it, or map it in "
                        "the scenario: [columns] {target} = {label}").format(
            label=repr(hint[0]), letter=hint[1], target=target)
    return text + _("; add the column")


@message("header_on_later_row")
def header_on_later_row(header_row: int) -> str:
    return _("the column names seem to be on row {header_row}, but they must be on row 1: "
             "delete the rows above them").format(header_row=header_row)


@message("near_miss_column")
def near_miss_column(header: str, letter: str, alias: str, target: str,
                     default_pool: str) -> str:
    default = {"name": _("the unit_id"), "pool": repr(default_pool),
               "priority": "1"}.get(target, "0")
    return _("column {header} ({letter}) is not a known column (did you mean {alias}?); it is "
             "carried through unchanged, and {target} is taken as {default} for every "
             "unit").format(header=repr(header), letter=letter, alias=repr(alias),
                            target=target, default=default)


# -- units tables: cells --------------------------------------------------------------------


@message("type_empty")
def type_empty(header: str) -> str:
    return _("{header} is empty; enter the unit's type as the scenario's policy names it "
             "(e.g. health_centre, school)").format(header=header)


@message("unit_id_empty")
def unit_id_empty(header: str) -> str:
    return _("{header} is empty; every unit needs its own code").format(header=header)


@message("duplicate_unit_id")
def duplicate_unit_id(header: str, value: str, first_row: int, second_row: int) -> str:
    return _("{header} {value} is on rows {first_row} and {second_row}; every unit needs its "
             "own code: change or delete one of the rows").format(
        header=header, value=repr(value), first_row=first_row, second_row=second_row)


@message("total_posts_empty")
def total_posts_empty(header: str) -> str:
    return _("{header} is empty; enter the unit's number of professional-technical posts (a "
             "whole number, 0 or more)").format(header=header)


@message("bad_cell")
def bad_cell(header: str, problem: str) -> str:
    """A cell's header and what is wrong with its value (``problem``: a rendered
    ``count_*`` or ``priority_*`` message)."""
    return _("{header} {problem}").format(header=header, problem=problem)


@message("count_not_whole")
def count_not_whole(value: str) -> str:
    return _("must be a whole number (0 or more), not {value}").format(value=value)


@message("count_negative")
def count_negative(value: str) -> str:
    return _("must not be negative, got {value}; enter 0 or more").format(value=value)


@message("count_above_limit")
def count_above_limit(value: str, limit: int) -> str:
    return _("is {value}, above the limit of {limit}; check the value").format(
        value=value, limit=whole(limit, grouped=True))


@message("count_not_integer")
def count_not_integer(value: str) -> str:
    return _("must be a whole number, not {value}").format(value=value)


@message("priority_invalid")
def priority_invalid(value: str, finite: bool = False) -> str:
    if finite:
        return _("must be a number greater than 0 (leave it empty for 1) and finite, not "
                 "{value}").format(value=value)
    return _("must be a number greater than 0 (leave it empty for 1), not {value}").format(
        value=value)


@message("incumbents_exceed_posts")
def incumbents_exceed_posts(senior: int, intermediate: int, junior: int, header: str,
                            total: int) -> str:
    return _("the incumbents ({senior} senior + {intermediate} intermediate + {junior} junior "
             "= {sum}) exceed {header} {total}; incumbents keep their posts, so raise {header} "
             "or correct the incumbent counts").format(
        senior=senior, intermediate=intermediate, junior=junior,
        sum=senior + intermediate + junior, header=header, total=total)


@message("waiting_exceeds_incumbents")
def waiting_exceeds_incumbents(level: str, waiting_header: str, waiting: int,
                               below_header: str, below: int) -> str:
    """Staff waiting for a ``level`` post (senior or intermediate) are counted among the
    incumbents of the level below."""
    if level == "senior":
        text = _("{waiting_header} {waiting} exceeds {below_header} {below}; staff waiting for "
                 "a senior post are counted among the intermediate incumbents: lower "
                 "{waiting_header} or correct {below_header}")
    else:
        text = _("{waiting_header} {waiting} exceeds {below_header} {below}; staff waiting for "
                 "an intermediate post are counted among the junior incumbents: lower "
                 "{waiting_header} or correct {below_header}")
    return text.format(waiting_header=waiting_header, waiting=waiting,
                       below_header=below_header, below=below)


# -- scenario files -------------------------------------------------------------------------

#: The kinds of value a scenario key expects (the schema of scenario.py), in sentences.
VALUE_KINDS = {"text": N_("text"), "number": N_("number"), "whole number": N_("whole number"),
               "list of levels": N_("list of levels")}


def describe_value(value: Any) -> str:
    """A TOML value as a sentence names it: ``text 'abc'``, ``a table``, ``int 5``."""
    if isinstance(value, bool):
        return _("true/false ({value})").format(value=str(value).lower())
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        return _("an array")
    if isinstance(value, str):
        return _("text {value}").format(value=repr(value))
    kinds = {"int": N_("int"), "float": N_("float")}
    kind = type(value).__name__
    shown = _(kinds[kind]) if kind in kinds else kind
    return f"{shown} {value!r}"


@message("did_you_mean")
def did_you_mean(hint: str | None) -> str:
    """`` (did you mean 'x'?)`` after a word, or nothing without a ``hint``."""
    return _(" (did you mean {hint}?)").format(hint=repr(hint)) if hint else ""


@message("in_variant")
def in_variant(message: str, variant: str) -> str:
    return _("{message} (in variant {variant})").format(message=message, variant=repr(variant))


def listed_names(names: Sequence[str], limit: int = 20) -> str:
    """Sorted names, the first ``limit`` of them."""
    shown = sorted(names)
    more = (" " + more_problems(count=len(shown) - limit)) if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more


@message("scenario_is_folder")
def scenario_is_folder() -> str:
    return _("is a folder, not a scenario file")


@message("scenario_not_unicode")
def scenario_not_unicode(byte: int) -> str:
    return _("is not UTF-8 text (byte {byte}); save the scenario as UTF-8").format(byte=byte)


@message("toml_nested_line")
def toml_nested_line(line: int, limit: int) -> str:
    return _("line {line}: arrays or inline tables are nested more than {limit} levels deep; a "
             "scenario needs a few at most").format(line=line, limit=limit)


@message("toml_invalid")
def toml_invalid(reason: str) -> str:
    return _("is not valid TOML: {reason}").format(reason=reason)


@message("toml_too_deep")
def toml_too_deep(limit: int) -> str:
    return _("is nested too deeply (more than {limit} levels)").format(limit=limit)


@message("toml_keys_too_deep")
def toml_keys_too_deep(limit: int) -> str:
    return _("has keys nested more than {limit} levels deep; a scenario needs a few at "
             "most").format(limit=limit)


@message("expected_table")
def expected_table(value: Any) -> str:
    return _("expected a table, got {got}").format(got=describe_value(value))


@message("expected_array_of_tables")
def expected_array_of_tables(where: str, value: Any) -> str:
    return _("expected an array of tables ([[{where}]]), got {got}").format(
        where=where, got=describe_value(value))


@message("expected_kind")
def expected_kind(kind: str, value: Any) -> str:
    return _("expected a {kind}, got {got}").format(
        kind=_(VALUE_KINDS[kind]) if kind in VALUE_KINDS else kind, got=describe_value(value))


@message("unknown_key")
def unknown_key(hint: str | None, allowed: Sequence[str]) -> str:
    return _("unknown key{hint}; allowed here: {allowed}").format(
        hint=did_you_mean(hint=hint), allowed=", ".join(allowed))


@message("baseline_variant_name")
def baseline_variant_name(name: str) -> str:
    return _("{name} is the name of the base scenario; rename this variant").format(
        name=repr(name))


@message("units_path_missing")
def units_path_missing() -> str:
    return _("missing: the path of the units table (CSV or XLSX), relative to this file")


@message("not_one_of")
def not_one_of(value: Any, allowed: Sequence[str], hint: str | None) -> str:
    return _("{value} is not one of {allowed}{hint}").format(
        value=repr(value), allowed=" | ".join(allowed), hint=did_you_mean(hint=hint))


@message("not_a_number")
def not_a_number(value: Any) -> str:
    return _("{value} is not a number").format(value=repr(value))


@message("must_be_positive")
def must_be_positive(value: Fraction) -> str:
    return _("must be greater than 0, got {value}").format(value=exact(value))


@message("must_be_between")
def must_be_between(low: Fraction, high: Fraction, value: Fraction) -> str:
    return _("must be between {low} and {high}, got {value}").format(
        low=exact(low), high=exact(high), value=exact(value))


@message("number_too_large")
def number_too_large(shown: str) -> str:
    return _("{shown} is too large: numbers in a scenario file may be at most "
             "10^15").format(shown=shown)


@message("number_too_many_decimals")
def number_too_many_decimals(shown: str, decimals: int, limit: int) -> str:
    return _("{shown} has {decimals} decimal places; at most {limit} are accepted: round "
             "it").format(shown=shown, decimals=decimals, limit=limit)


@message("ratio_not_text")
def ratio_not_text(value: Any) -> str:
    return _("expected a text like \"1:4:5\", got {value}").format(value=repr(value))


@message("ratio_parts")
def ratio_parts(text: str, count: int) -> str:
    return _("{text} has {count} part(s); write three numbers senior:intermediate:junior, "
             "e.g. \"1:4:5\"").format(text=repr(text), count=count)


@message("ratio_number")
def ratio_number(text: str, problem: str) -> str:
    """A part of a ratio beyond the scenario's number limits (``problem``: a rendered
    ``number_too_*`` message)."""
    return _("{text}: {problem}").format(text=repr(text), problem=problem)


@message("ratio_part_invalid")
def ratio_part_invalid(text: str, part: str) -> str:
    return _("{text}: {part} is not a number ≥ 0; write three numbers ≥ 0 "
             "senior:intermediate:junior, e.g. \"1:4:5\" or \"0:3:7\"").format(
        text=repr(text), part=repr(part))


@message("ratio_all_zero")
def ratio_all_zero(text: str) -> str:
    return _("{text}: all three parts are 0, so there is nothing to share out; at least one "
             "part must be above 0, e.g. \"1:4:5\" or \"0:3:7\"").format(text=repr(text))


@message("bonus_above_junior")
def bonus_above_junior(bonus: Fraction, junior: Fraction) -> str:
    return _("the bonus {bonus} is larger than the junior share {junior} it is taken from; "
             "lower the bonus or change the ratio").format(bonus=percent(bonus),
                                                           junior=percent(junior))


@message("type_bonus_above_junior")
def type_bonus_above_junior(bonus: Fraction, type: str, junior: Fraction) -> str:
    return _("the senior bonus {bonus} of type {type} is larger than its junior share "
             "{junior}").format(bonus=percent(bonus), type=repr(type), junior=percent(junior))


@message("minimum_level_missing")
def minimum_level_missing() -> str:
    return _("missing: say senior, intermediate or junior")


@message("minimum_posts_invalid")
def minimum_posts_invalid() -> str:
    return _("missing or not a whole number ≥ 0")


@message("above_limit")
def above_limit(value: int, limit: int) -> str:
    return _("is {value}, above the limit of {limit}").format(
        value=value, limit=whole(limit, grouped=True))


@message("not_whole_number")
def not_whole_number() -> str:
    return _("must be a whole number ≥ 0")


@message("at_least_one_junior")
def at_least_one_junior() -> str:
    return _("junior posts have no cap (they are the posts the senior and intermediate caps "
             "leave), so 'at least one' cannot raise one; list senior and/or intermediate")


@message("at_least_one_not_level")
def at_least_one_not_level(name: Any) -> str:
    return _("{name} is not a level: write senior and/or intermediate, e.g. "
             "at_least_one = [\"senior\"]").format(name=repr(name))


@message("budget_cost_missing")
def budget_cost_missing() -> str:
    return _("missing: a budget needs the cost of each level")


@message("budget_max_missing")
def budget_max_missing() -> str:
    return _("missing: the largest allowed cost increase")


@message("budget_negative")
def budget_negative(value: Fraction) -> str:
    return _("is {value}, below zero: no plan can cost less than nothing; set 0 or "
             "more").format(value=exact(value))


@message("budget_costs_fall")
def budget_costs_fall() -> str:
    return _("costs must not fall with the level (senior ≥ intermediate ≥ junior)")


@message("solver_backend_invalid")
def solver_backend_invalid(backend: str, hint: str | None) -> str:
    return _("{backend} is not highs, cbc or pulp:<PuLP solver class name>{hint}").format(
        backend=repr(backend), hint=did_you_mean(hint=hint))


@message("solver_method_invalid")
def solver_method_invalid(method: Any) -> str:
    return _("{method} is not auto or mip").format(method=repr(method))


@message("type_not_in_units")
def type_not_in_units(type: str, hint: str | None, present: Sequence[str]) -> str:
    return _("type {type} does not occur in the units table{hint}; types present: "
             "{present}").format(type=repr(type), hint=did_you_mean(hint=hint),
                                 present=listed_names(names=present))


@message("denominator_too_large")
def denominator_too_large(denominator: str) -> str:
    return _("the shares of the unit types have the common denominator {denominator}, above "
             "the limit of 10^12 for exact arithmetic: use ratios, bonuses and "
             "junior_to_intermediate values with fewer decimal places").format(
        denominator=denominator)


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
