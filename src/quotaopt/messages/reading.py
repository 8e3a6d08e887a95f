"""Messages of input and checking: files, units tables, scenarios, the independent checker,
audit, solver errors and output files."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..i18n import N_, _
from ..numfmt import exact, percent, whole
from .core import message
from .general import more_problems

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
