"""In Chinese mode a user meets no English sentence (issue 13).

Every command that is translated runs in Chinese on the shipped scenario, and its output
(stdout and stderr; the plan table and workbook headers) is searched for English words. What
may stay in Latin letters: identifiers as the user wrote them (unit codes, type, variant and
pool names, TOML keys and values, file paths, the scenario's own source citations), option
names and metavariables, file formats, solver and library names.

The analysis side is covered: explain (a health centre with a minimum rule, a unit in a
pool, a unit of an infeasible variant, an unknown unit), ``run --check-unique``, the
diagnoses of infeasible variants with their fixes (unit caps, pooled caps against minimum
rules, minimum rules against a unit's posts; ``quotaopt.diagnose`` with the elastic
relaxation), and compare's rule changes of the units table and the solver options.

The input and checking side is covered too: a catalogue of bad units tables and scenarios
(one per problem kind), file problems, the audit of a broken plan and a solver error, and
the width of the Chinese ``--help``. What stays English (docs/i18n.md lists it): the words
of a library quoted inside a translated sentence.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import quotaopt
from quotaopt.cli import main
from quotaopt.i18n import using

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("baseline", "old-ratio", "no-bonus", "no-transfer", "county-pool", "budget")
TYPES = ("health_centre", "school", "agri_service", "culture_station")
#: Latin words that are not English prose: names of things, formats, tools, enum values.
ALLOWED = {
    "quotaopt", "OPTIONS", "COMMAND", "ARGS", "SCENARIO", "DIRECTORY", "TEXT", "FLOAT",
    "RANGE", "INTEGER", "csv", "xlsx", "json", "html", "CSV", "XLSX", "JSON", "HTML", "utf",
    "sig", "gbk", "Excel", "Python", "PuLP", "pulp", "highs", "HiGHS", "cbc", "CBC", "MIP",
    "mip", "auto", "Bash", "UUID", "Windows", "sha", "SHA", "unit", "pool",
    # TOML values that a suggested fix or a list of choices tells the user to write
    "protect", "grandfather", "floor", "nearest", "ceil",
    "absorb", "baseline", "LANG", "zh", "en",
    "scenario", "units", "toml", "summary", "allocation", "results", "plan", "report",
    "comparison", "violations", "audit", "init", "run", "validate", "explain", "compare",
    "help", "version", "debug", "lang", "out", "format", "solver", "method", "quiet",
    "force", "variant", "variants", "encoding", "jobs", "unique", "check", "time", "limit",
    "Choice", "class", "default", "posts", "appointed", "FILE", "CPU", "tongxi", "county",
    "priority",  # a column name of the units table
    "pdf", "nope",  # values typed on the command lines below
}


def english_words(text: str, allowed: set[str] = ALLOWED) -> list[str]:
    """The Latin words of ``text`` that are neither identifiers nor in ``allowed``."""
    text = re.sub(r"政策依据（[^）]*）：.*", "", text)  # the scenario's own citation text
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # file paths
    text = re.sub(r"--?[A-Za-z][\w-]*", " ", text)  # option names
    text = re.sub(r"[A-Za-z_]\w*(\.[\w\[\]]+)+", " ", text)  # dotted keys, file names
    text = re.sub(r"\)\.[A-Za-z_]\w*", ")", text)  # Python: quotaopt.diagnose(…).conflicts
    text = re.sub(r"\b\w*_\w*\b", " ", text)  # identifiers with underscores
    text = re.sub(r"\bsha256:[0-9a-f]+", " ", text)
    text = re.sub(r"\b[A-Za-z]+\d\w*", " ", text)  # codes: TX011, sha256
    text = re.sub(r"\b[0-9a-f]*\d[0-9a-f]*…", " ", text)  # SHA-256 prefixes
    words = re.findall(r"[A-Za-z]{2,}", text)
    return sorted({w for w in words if w not in allowed and w.lower() not in allowed
}
                  - set(VARIANTS) - set(TYPES) - {v.split("-")[0] for v in VARIANTS}
                  - {p for v in VARIANTS for p in v.split("-")})


def test_the_detector_finds_english() -> None:
    assert english_words("状态：optimal (proven, gap 0)") == ["gap", "optimal", "proven"]
    assert english_words("单位 TX011 · health_centre · /tmp/out/plan.html · --time-limit") == []


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("zh")
    for name in ("tongxi-county.toml", "tongxi-county.csv"):
        shutil.copy(ROOT / "scenarios" / name, work)
    return work


def zh(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["--lang", "zh", *args], prog_name="quotaopt",
                             terminal_width=200)
    return res.exit_code, res.output  # stdout and stderr together


def commands(work: Path) -> list[list[str]]:
    sc = str(work / "tongxi-county.toml")
    out = work / "out"
    cmds = [["--help"], ["validate", sc], ["init", str(out / "init")],
            ["run", sc, "--method", "mip"],
            ["run"], ["run", sc, "--format", "pdf"], ["run", sc, "--variant", "nope"],
            ["run", sc, "--bogus"]]
    cmds += [[name, "--help"] for name in main.commands]
    for v in VARIANTS:
        for fmt in ("csv", "xlsx", "json"):
            cmds.append(["run", sc, "--variant", v, "--out", str(out / f"{v}-{fmt}"),
                         "--format", fmt])
    cmds.append(["audit", sc, "--plan", str(out / "baseline-csv" / "allocation.csv"),
                 "--out", str(out / "audit")])
    cmds.append(["compare", sc, "--out", str(out / "compare"), "--format", "html,xlsx,csv"])
    return cmds


def test_policy_settings_are_named_in_chinese(work: Path) -> None:
    """validate, run and explain name the scope, the rounding, the incumbents rule and the
    junior share used for intermediate posts in Chinese, not by the scenario file's words."""
    sc = str(work / "tongxi-county.toml")
    _, validate = zh("validate", sc)
    assert "适用范围 单位 · 取整方式 向下取整 · 初级比例用于中级" in validate, validate
    assert "适用范围 统筹范围 · " in validate  # the county-pool variant
    assert "现聘人员 不得超比例" in validate
    assert "junior_to_intermediate" not in validate
    _, run = zh("run", sc)
    assert "适用范围 单位" in run, run
    english = CliRunner().invoke(main, ["--lang", "en", "validate", sc]).output
    assert "scope unit · rounding floor · junior_to_intermediate" in english, english


def test_every_translated_command_speaks_chinese(work: Path) -> None:
    found = {}
    for args in commands(work):
        code, output = zh(*args)
        assert code in (0, 1, 2), (args, output)
        assert re.search(r"[\u4e00-\u9fff]", output), (args, output)
        left = english_words(output)
        if left:
            found[" ".join(args)] = left
    assert found == {}


def test_files_written_in_chinese_mode(tmp_path: Path, work: Path) -> None:
    sc = str(work / "tongxi-county.toml")
    assert zh("run", sc, "--out", str(tmp_path / "x"), "--format", "xlsx")[0] == 0
    assert zh("run", sc, "--out", str(tmp_path / "c"))[0] == 0
    assert zh("compare", sc, "--out", str(tmp_path / "cmp"))[0] == 0
    wb = load_workbook(tmp_path / "x" / "results.xlsx")
    ws = wb.worksheets[0]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert english_words(text) == []
    header = [c.value for c in wb["allocation"][1]]
    assert english_words(" ".join(map(str, header))) == []
    html = (tmp_path / "x" / "plan.html").read_text(encoding="utf-8")
    body = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    assert english_words(body) == []
    csv_head = (tmp_path / "c" / "allocation.csv").read_text(encoding="utf-8-sig")
    assert english_words(csv_head.split("\n", 1)[0]) == []
    # compare's CSVs and workbook: headers, status, presence, true/false and rule changes
    for f in sorted((tmp_path / "cmp").glob("*.csv")):
        assert english_words(f.read_text(encoding="utf-8-sig")) == [], f.name
    # the HTML report: its language, headings, table heads, notes and chart titles and labels
    report = (tmp_path / "cmp" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in report and "<h2>二、主要指标</h2>" in report
    visible = re.sub(r"<style[^>]*>.*?</style>|<!--.*?-->|<[^>]+>", " ", report, flags=re.S)
    assert english_words(visible) == []
    book = load_workbook(tmp_path / "cmp" / "comparison.xlsx")
    for ws in book.worksheets:
        cells = " ".join(str(c.value) for row in ws.iter_rows() for c in row
                         if c.value is not None)
        assert english_words(cells) == [], ws.title


def test_the_same_commands_in_english_are_caught(work: Path) -> None:
    """The search is not blind: the English output of the same commands is full of words."""
    sc = str(work / "tongxi-county.toml")
    for args in (["validate", sc], ["run", sc], ["init", "--help"]):
        res = CliRunner().invoke(main, ["--lang", "en", *args], prog_name="quotaopt")
        assert len(english_words(res.output)) >= 5, args


# --------------------------------------------------------------------------------------------
# The analysis side: explain, uniqueness, diagnoses and their fixes, compare's rule changes

#: Infeasible on purpose: a senior share (2 %) below the incumbents; a variant whose pooled
#: senior caps cannot hold a minimum rule; one whose junior minimum leaves no room for the
#: incumbents.
INFEASIBLE = """
[variants.case1]
policy.scope = "pool"
policy.minimum = [{ level = "senior", posts = 5 }]

[variants.case2]
policy.incumbents = "grandfather"
policy.minimum = [{ type = "school", level = "junior", posts = 1000 }]
"""

#: Rule changes compare writes: another units table, and every solver option.
CHANGES = """
[variants.case3]
scenario.units = "tongxi-county-2.csv"

[variants.case4]
solver.backend = "highs"
solver.method = "mip"
solver.time_limit = 60
"""


@pytest.fixture(scope="module")
def analysis(work: Path) -> Path:
    toml = (work / "tongxi-county.toml").read_text(encoding="utf-8")
    bad = toml.replace('ratio = "1:4:5"', 'ratio = "0.2:1.8:8"', 1)
    assert bad != toml
    (work / "infeasible.toml").write_text(bad + INFEASIBLE, encoding="utf-8")
    (work / "changes.toml").write_text(toml + CHANGES, encoding="utf-8")
    rows = (work / "tongxi-county.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",46,", ",47,", 1)  # TX011 changed
    del rows[2]  # TX012 removed
    rows.append("TX999,新设镇卫生院,health_centre,东片,20,1,5,10,1,1")  # added
    (work / "tongxi-county-2.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return work


def analysis_commands(work: Path) -> list[list[str]]:
    sc, bad = str(work / "tongxi-county.toml"), str(work / "infeasible.toml")
    return [
        ["explain", sc, "--unit", "TX011"],  # a health centre with a minimum rule
        ["explain", sc, "--unit", "TX011", "--variant", "county-pool"],  # in a pool
        ["explain", sc, "--unit", "TX074"],  # a culture station: no minimum, zero senior cap
        ["explain", sc, "--unit", "TX0111"],  # no such unit
        ["explain", bad, "--unit", "TX012"],  # an infeasible variant: the diagnosis
        ["run", sc, "--check-unique"],
        ["run", bad],
        ["run", bad, "--variant", "case1"],
        ["run", bad, "--variant", "case2"],
        ["validate", bad],
        ["compare", str(work / "changes.toml"), "--variants", "case3,case4"],
    ]


def test_the_analysis_speaks_chinese(analysis: Path) -> None:
    found, outputs = {}, {}
    for args in analysis_commands(analysis):
        code, output = zh(*args)
        assert code in (0, 2, 3), (args, output)
        assert re.search(r"[\u4e00-\u9fff]", output), (args, output)
        outputs[" ".join(a for a in args if "/" not in a)] = output
        left = english_words(output)
        if left:
            found[" ".join(args)] = left
    assert found == {}
    # the commands said what they are meant to say (not an early error)
    assert "本单位至少设置 1 个高级岗位" in outputs["explain --unit TX011"]
    assert "高级岗位配额（最大余额法）" in outputs["explain --unit TX011 --variant county-pool"]
    assert "其他最优方案：" in outputs["explain --unit TX011"]
    assert "唯一：" in outputs["run --check-unique"]
    assert "可设置 policy.incumbents" in outputs["explain --unit TX012"]
    assert "统筹的高级岗位上限" in outputs["run --variant case1"]
    assert "初级岗位最低设置要求" in outputs["run --variant case2"] or \
        "最低设置要求需要" in outputs["run --variant case2"]
    rules = outputs["compare --variants case3,case4"]
    for words in ("单位表文件", "单位表", "求解器", "求解方法", "求解时限", "新增 1 个",
                  "删除 1 个"):
        assert words in rules, words


def test_diagnose_in_chinese(analysis: Path) -> None:
    """quotaopt.diagnose for Python users: the conflicts, their fixes and the elastic
    relaxation's limits are written in the language in use."""
    sc = quotaopt.load_scenario(analysis / "infeasible.toml")
    with using("zh"):
        for variant in ("baseline", "case1", "case2"):
            d = quotaopt.diagnose(sc, variant)
            assert d.conflicts and d.slacks, variant
            text = "\n".join(d.reasons + [c.where for c in d.conflicts]
                             + [str(f) for c in d.conflicts for f in c.fixes])
            assert english_words(text) == [], (variant, english_words(text))
            assert re.search(r"[\u4e00-\u9fff]", str(d.slacks[0]))
    d = quotaopt.diagnose(sc, "case1")  # the same objects, in English when asked
    assert d.conflicts[0].rule == "pooled senior cap"
    assert str(d.conflicts[0]).startswith("pool ")
    assert len(english_words(str(d.conflicts[0]))) >= 5


# --------------------------------------------------------------------------------------------
# The input and checking side: a catalogue of bad inputs, a broken plan, a solver error.
# Each is refused (or reported) in Chinese; what may stay Latin are the identifiers the user
# wrote or must write: TOML keys and values, the user's own headers, codes and types.

#: TOML keys and values of a scenario (identifiers: a message may quote them).
TOML_WORDS = {"ratio", "ratoi", "scope", "rounding", "incumbents", "source", "types", "minimum",
              "level", "type", "weights", "objective", "budget", "cost", "backend", "senior",
              "intermediate", "junior", "senoir", "policy", "columns", "name", "sheet",
              "description", "highs", "nearest", "cbc", "pulp", "mip", "auto", "true", "int",
              "PuLP", "HiGHS", "NOPE", "Sheet", "total", "abc", "xx", "posts", "float", "inf",
              "school", "nope",
              "Unicode"}  # Excel's own name of the format, in Chinese Excel too: Unicode 文本
INPUT_ALLOWED = ALLOWED | TOML_WORDS


def input_english(text: str) -> list[str]:
    """English words of ``text`` outside what the user wrote: a value quoted as the user
    typed it (``'higs'``, ``'1:x:5'``) is the user's, not prose."""
    return english_words(re.sub(r"'[^'\n]*'", " ", text), INPUT_ALLOWED)


def chinese(text: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", text)) >= 4

HEADER = "单位编码,单位名称,单位类型,岗位总量,现聘高级,现聘中级,现聘初级,高级待聘,中级待聘"
GOOD_ROWS = ["A01,甲镇卫生院,health_centre,20,1,6,8,2,1",
             "A02,甲镇中心学校,school,30,2,10,12,1,2"]
SCENARIO = """[scenario]
name = "bad"
units = "units.csv"
[policy]
ratio = "1:4:5"
[policy.types.health_centre]
senior_bonus = 0.05
[[policy.minimum]]
type = "health_centre"
level = "senior"
posts = 1
"""


def bad_case(tmp: Path, rows: list[str] | None = None, scenario: str = SCENARIO,
             header: str = HEADER) -> str:
    (tmp / "units.csv").write_text("\n".join([header, *(GOOD_ROWS if rows is None else rows)])
                                   + "\n", encoding="utf-8")
    (tmp / "bad.toml").write_text(scenario, encoding="utf-8")
    return str(tmp / "bad.toml")


#: name → (units rows or None for the good ones, scenario text, header). Every input
#: problem kind of table.py, units.py and scenario.py that a scenario can reach.
BAD_INPUTS: dict[str, tuple[list[str] | None, str, str]] = {
    "negative count": (["A01,甲,health_centre,20,-1,6,8,2,1"], SCENARIO, HEADER),
    "not a whole number": (["A01,甲,health_centre,20,1.5,6,8,2,1"], SCENARIO, HEADER),
    "text in a count": (["A01,甲,health_centre,abc,1,6,8,2,1"], SCENARIO, HEADER),
    "count above the limit": (["A01,甲,health_centre,20000000000,1,6,8,2,1"], SCENARIO,
                              HEADER),
    "empty total posts": (["A01,甲,health_centre,,1,6,8,2,1"], SCENARIO, HEADER),
    "empty type and code": ([",甲,,20,1,6,8,2,1", *GOOD_ROWS], SCENARIO, HEADER),
    "incumbents above posts": (["A01,甲,health_centre,5,1,6,8,2,1"], SCENARIO, HEADER),
    "waiting above incumbents": (["A01,甲,health_centre,20,1,6,8,9,9"], SCENARIO, HEADER),
    "duplicate codes": ([*GOOD_ROWS, "A01,乙,school,10,0,2,3,0,0", "Ａ02,丙,school,10,0,2,3,0,0"],
                        SCENARIO, HEADER),
    "bad priority": (["A01,甲,health_centre,20,1,6,8,2,1,0", "A02,乙,school,9,0,1,1,0,0,inf"],
                     SCENARIO, HEADER + ",priority"),
    "missing required column": (["A01,甲,20", "A02,乙,30"], SCENARIO, "单位编码,单位名称,岗位数"),
    "two columns mean one": (["A01,甲,health_centre,20,20"], SCENARIO,
                             "单位编码,单位名称,单位类型,岗位总量,核定岗位数"),
    "empty table": ([], SCENARIO, ""),
    "header only": ([], SCENARIO, HEADER),
    "unknown key with did-you-mean": (None, SCENARIO.replace('ratio = "1:4:5"',
                                                             'ratoi = "1:4:5"'), HEADER),
    "wrong value kind": (None, SCENARIO + "[solver]\ntime_limit = true\n", HEADER),
    "expected a table": (None, "objective = 3\n" + SCENARIO, HEADER),
    "expected a whole number": (None, SCENARIO.replace("posts = 1", "posts = 1.5"), HEADER),
    "ratio with two parts": (None, SCENARIO.replace('"1:4:5"', '"1:4"'), HEADER),
    "ratio part not a number": (None, SCENARIO.replace('"1:4:5"', '"1:x:5"'), HEADER),
    "ratio all zero": (None, SCENARIO.replace('"1:4:5"', '"0:0:0"'), HEADER),
    "ratio too many decimals": (None, SCENARIO.replace('"1:4:5"', '"1.0000000001:4:5"'),
                                HEADER),
    "not one of the choices": (None, SCENARIO.replace('ratio = "1:4:5"',
                                                      'ratio = "1:4:5"\nrounding = "nearst"'),
                               HEADER),
    "bonus above junior": (None, SCENARIO.replace("senior_bonus = 0.05", "senior_bonus = 0.9"),
                           HEADER),
    "bonus out of range": (None, SCENARIO.replace("senior_bonus = 0.05", "senior_bonus = 2"),
                           HEADER),
    "minimum rule without level, bad posts": (
        None, SCENARIO.replace('level = "senior"\nposts = 1', "posts = -1"), HEADER),
    "minimum rule level misspelt": (None, SCENARIO.replace('level = "senior"', 'level = "senoir"'),
                                    HEADER),
    "minimum rule for a type not in the table": (
        None, SCENARIO.replace('type = "health_centre"\nlevel', 'type = "school_x"\nlevel'),
        HEADER),
    "look-alike type": (["A01,甲,Health_Centre,20,1,6,8,2,1"], SCENARIO, HEADER),
    "at least one junior": (
        None, SCENARIO.replace('ratio = "1:4:5"',
                               'ratio = "1:4:5"\nat_least_one = ["junior", "xx"]'), HEADER),
    "bad weights": (
        None, SCENARIO + "[objective]\nweights = { senior = 0, intermediate = \"x\" }\n",
        HEADER),
    "bad budget": (None, SCENARIO + "[budget]\ncost = { senior = 1, intermediate = 2 }\n"
                   "max_increase = -5\n", HEADER),
    "bad solver settings": (None, SCENARIO + "[solver]\nbackend = \"higs\"\nmethod = \"fast\"\n"
                            "time_limit = 0\n", HEADER),
    "variant named baseline": (None, SCENARIO + "[variants.baseline]\npolicy.ratio = \"1:3:6\"\n",
                               HEADER),
    "key typo in a variant": (None, SCENARIO + "[variants.x]\npolicy.scpe = \"pool\"\n", HEADER),
    "bad value in a variant": (None, SCENARIO + "[variants.x]\npolicy.ratio = \"1:4\"\n", HEADER),
    "units path missing": (None, SCENARIO.replace('units = "units.csv"\n', ""), HEADER),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_inputs_are_refused_in_chinese(tmp_path: Path, case: str) -> None:
    rows, scenario, header = BAD_INPUTS[case]
    sc = bad_case(tmp_path, rows, scenario, header)
    code, output = zh("validate", sc)
    assert code == 2, (case, output)
    assert chinese(output), (case, output)
    assert input_english(output) == [], (case, output)


def test_a_cell_problem_names_file_row_unit_and_the_users_header(tmp_path: Path) -> None:
    sc = bad_case(tmp_path, ["A01,甲,health_centre,20,-1,6,8,2,1"])
    code, output = zh("validate", sc)
    assert code == 2
    assert "units.csv, 第 2 行, 单位 A01, 列 现聘高级: 现聘高级不能为负数，现为 -1" in output


def test_a_near_miss_header_is_a_chinese_warning(tmp_path: Path) -> None:
    sc = bad_case(tmp_path, ["A01,甲,health_centre,20,"],
                  header="单位编码,单位名称,单位类型,岗位总量,senior_incumbent")
    code, output = zh("validate", sc)
    assert code == 0 and "senior_incumbent" in output and "不是可识别的列" in output
    assert input_english(output) == [], output


def test_file_problems_are_chinese(tmp_path: Path) -> None:
    sc = bad_case(tmp_path)
    (tmp_path / "units.csv").write_bytes("\ufeff".encode("utf-16-le") + HEADER.encode("utf-16-le"))
    assert zh("init", str(tmp_path / "init"))[0] == 0
    for args in (["validate", sc], ["validate", str(tmp_path / "nowhere.toml")],
                 ["validate", str(tmp_path)], ["init", str(tmp_path / "init")]):
        code, output = zh(*args)
        assert code == 2 and chinese(output), (args, output)
        assert input_english(output) == [], (args, output)


def test_audit_of_a_broken_plan_is_chinese(tmp_path: Path, work: Path) -> None:
    sc = str(work / "tongxi-county.toml")
    out = tmp_path / "run"
    assert zh("run", sc, "--out", str(out))[0] == 0
    plan = (out / "allocation.csv").read_text(encoding="utf-8-sig").splitlines()
    head = plan[0].split(",")
    cells = [line.split(",") for line in plan[1:]]
    s, m, j = (head.index(h) for h in ("高级岗位", "中级岗位", "初级岗位"))
    cells[0][s] = str(int(cells[0][s]) + 3)  # above the senior cap, total posts broken
    cells[1][s], cells[1][m] = "0", str(int(cells[1][m]) + int(cells[1][s]))  # minimum rule
    cells[2][j] = "-1"
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([",".join(head), *(",".join(c) for c in cells)]) + "\n",
                      encoding="utf-8-sig")
    code, output = zh("audit", sc, "--plan", str(broken), "--out", str(tmp_path / "audit"))
    assert code == 1, output
    assert "高级岗位数超过结构比例允许的上限" in output
    assert "高级 + 中级 + 初级岗位数应等于岗位总量" in output
    assert input_english(output) == [], output
    table = (tmp_path / "audit" / "violations.csv").read_text(encoding="utf-8-sig")
    assert table.startswith("单位编码,单位名称,统筹范围,违反的规则") and input_english(table) == []
    # a plan file with bad cells, a repeated and an unknown code, units left out
    cells[3][s] = "x"
    cells[4][0] = cells[5][0]
    cells[6][0] = "ZZ99"
    broken.write_text("\n".join([",".join(head), *(",".join(c) for c in cells[:40])]) + "\n",
                      encoding="utf-8-sig")
    code, output = zh("audit", sc, "--plan", str(broken))
    assert code == 2, output
    assert "不在测算方案的单位信息表中" in output and "方案缺少测算方案中" in output
    assert "列 高级岗位: 高级岗位为 'x'，不是数值" in output  # the plan's own header
    assert input_english(output) == [], output


def test_a_solver_error_is_chinese(work: Path) -> None:
    code, output = zh("run", str(work / "tongxi-county.toml"), "--solver", "pulp:NOPE",
                      "--method", "mip")
    assert code in (2, 4), output
    assert "PuLP 没有求解器类" in output
    assert input_english(output) == [], output


def test_chinese_help_fits_80_columns() -> None:
    """Click wraps by characters; in Chinese mode it counts display columns (a Chinese
    character takes two), so --help fits the terminal."""
    import unicodedata

    def width(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    for args in (["run", "--help"], ["--help"], *([n, "--help"] for n in main.commands)):
        res = CliRunner().invoke(main, ["--lang", "zh", *args], prog_name="quotaopt",
                                 terminal_width=80)
        assert res.exit_code == 0, res.output
        lines = res.output.splitlines()
        assert max(map(width, lines)) <= 80, [ln for ln in lines if width(ln) > 80]
        if args == ["run", "--help"]:  # a Latin word between Chinese ones is not cut
            assert "results.xlsx" in res.output and "allocation.json" in res.output
    english = CliRunner().invoke(main, ["--lang", "en", "run", "--help"], terminal_width=80)
    assert max(len(line) for line in english.output.splitlines()) <= 80
