"""The gettext catalogs and the language rule (issue 13).

The catalogs are complete (every marked message and every help text has its Chinese text)
and current (the extracted messages are exactly the .po's message ids; the committed .mo is
the .po compiled): ``python scripts/i18n.py update`` / ``compile`` repair what fails here.
"""

from __future__ import annotations

import gettext
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from quotaopt import i18n
from quotaopt.cli import main
from quotaopt.messages import render

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
catalogs = pytest.importorskip("i18n", reason="scripts/i18n.py needs Babel (dev extra)")


def test_catalogs_are_complete_current_and_compiled() -> None:
    assert list(catalogs.problems()) == []


def test_a_message_without_chinese_text_is_reported(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: a copy of the catalog with one text removed, and one extra id."""
    locale = tmp_path / "locale"
    for domain in ("quotaopt", "click"):
        src = catalogs.po_path(domain, "zh_CN")
        dst = locale / "zh_CN" / "LC_MESSAGES" / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(src.read_bytes())
        dst.with_suffix(".mo").write_bytes(src.with_suffix(".mo").read_bytes())
    po = locale / "zh_CN" / "LC_MESSAGES" / "quotaopt.po"
    cat = catalogs.read(po)
    cat["invalid input"].string = ""
    cat.add("a message the code no longer has", "代码里已没有的消息")
    catalogs.write(cat, po)
    monkeypatch.setattr(catalogs, "LOCALE", locale)
    found = list(catalogs.problems())
    assert "quotaopt.po: no zh_CN text for 'invalid input'" in found
    assert ("quotaopt.po: no longer in the code (stale; run update): "
            "'a message the code no longer has'") in found
    assert "quotaopt.mo: not compiled from quotaopt.po (run: compile)" in found


def test_every_format_field_is_kept() -> None:
    """A translation that drops or renames a {field} would raise or lose a value."""
    import re

    for domain in ("quotaopt", "click"):
        for m in catalogs.read(catalogs.po_path(domain, "zh_CN")):
            if not m.id:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            field = r"\{(\w*)[^{}]*\}"  # a format field's name, without its format spec
            wanted = set().union(*(set(re.findall(field, i)) for i in ids))
            for s in strings:
                assert set(re.findall(field, s)) <= wanted, (m.id, s)
                assert set(re.findall(r"%\(\w+\)s", s)) == set(
                    re.findall(r"%\(\w+\)s", ids[0])), (m.id, s)


@pytest.mark.parametrize(("option", "env", "expected"), [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    (None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    (None, {"QUOTAOPT_LANG": "zh", "LC_ALL": "C"}, "zh"),
    (None, {"QUOTAOPT_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ("zh", {"QUOTAOPT_LANG": "en"}, "zh"),
    ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
])
def test_language_rule(option: str | None, env: dict[str, str], expected: str) -> None:
    assert i18n.choose_language(option, env) == expected


def test_unknown_quotaopt_lang_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTAOPT_LANG", "fr")
    res = CliRunner().invoke(main, ["validate", "x.toml"])
    assert res.exit_code == 2
    assert "QUOTAOPT_LANG='fr': choose zh or en" in res.output


@pytest.mark.parametrize("args", [["--lang", "zh", "init", "--help"],
                                  ["init", "--help", "--lang", "zh"],
                                  ["init", "--lang=zh", "--help"]])
def test_lang_option_before_or_after_the_command(args: list[str]) -> None:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0
    assert "写出一个小型示例" in res.output and "显示本帮助并退出。" in res.output
    assert "Show this message" not in res.output


def test_environment_chooses_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUOTAOPT_LANG")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    res = CliRunner().invoke(main, ["validate"])
    assert res.exit_code == 2
    assert "用法:" in res.output and "缺少参数 'SCENARIO'" in res.output
    res = CliRunner().invoke(main, ["--lang", "en", "validate"])
    assert "Missing argument 'SCENARIO'" in res.output


def test_click_usage_errors_in_chinese() -> None:
    res = CliRunner().invoke(main, ["run", "x.toml", "--format", "pdf", "--lang", "zh"])
    assert res.exit_code == 2
    assert "错误：'--format' 的取值无效" in res.output and "Invalid value" not in res.output


def test_messages_in_both_languages() -> None:
    params = {"count": 3, "shown": 3}
    assert render("problems_found", params) == "3 problems found:"
    with i18n.using("zh"):
        assert render("problems_found", params) == "发现 3 个问题："
    assert i18n.language() == "en"


def test_installed_catalogs_are_gettext_catalogs() -> None:
    t = gettext.translation("quotaopt", str(i18n.LOCALE_DIR), languages=["zh_CN"])
    assert t.gettext("infeasible") == "无可行方案"


# --------------------------------------------------------------------------------------------
# CSV files for Excel: a BOM in Chinese mode, --encoding, and quotaopt reads them all back

SCENARIO = str(ROOT / "scenarios" / "tongxi-county.toml")


def test_chinese_csv_has_a_bom_chinese_headers_and_is_read_back(tmp_path: Path) -> None:
    from quotaopt.table import read_table

    out = tmp_path / "r"
    res = CliRunner().invoke(main, ["--lang", "zh", "run", SCENARIO, "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    data = (out / "allocation.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + "单位编码,单位名称".encode())
    header, rows = read_table(out / "allocation.csv")
    assert header[:3] == ["单位编码", "单位名称", "单位类型"] and len(rows) == 96
    assert {r[header.index("超比例")] for r in rows} <= {"是", "否"}
    # audit reads the Chinese plan back, in either language
    for lang in ("zh", "en"):
        res = CliRunner().invoke(main, ["--lang", lang, "audit", SCENARIO, "--plan",
                                        str(out / "allocation.csv")])
        assert res.exit_code == 0, res.output


def test_english_csv_is_unchanged_utf8_without_bom(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["run", SCENARIO, "--out", str(tmp_path), "-q"])
    assert res.exit_code == 0
    assert (tmp_path / "allocation.csv").read_bytes().startswith(b"unit_id,name,")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_every_encoding_is_read_back(tmp_path: Path, encoding: str) -> None:
    from quotaopt.table import read_table

    res = CliRunner().invoke(main, ["--lang", "zh", "run", SCENARIO, "--out", str(tmp_path),
                                    "-q", "--encoding", encoding])
    assert res.exit_code == 0, res.output
    data = (tmp_path / "allocation.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    assert data.decode(encoding).lstrip("\ufeff").startswith("单位编码,")
    header, rows = read_table(tmp_path / "allocation.csv")
    assert header[0] == "单位编码" and rows[0][1] == data.decode(encoding).split("\n")[1] \
        .split(",")[1]
    res = CliRunner().invoke(main, ["audit", SCENARIO, "--plan", str(tmp_path / "allocation.csv")])
    assert res.exit_code == 0, res.output


def test_compare_and_audit_csvs_have_a_bom_in_chinese_mode(tmp_path: Path) -> None:
    from quotaopt.table import read_table

    res = CliRunner().invoke(main, ["compare", SCENARIO, "--variants", "old-ratio", "--out",
                                    str(tmp_path / "c"), "--format", "csv", "--lang", "zh",
                                    "-q"])
    assert res.exit_code == 0, res.output
    for f in sorted((tmp_path / "c").glob("*.csv")):
        assert f.read_bytes().startswith(b"\xef\xbb\xbf"), f
        read_table(f)
    header, _ = read_table(tmp_path / "c" / "kpi.csv")
    assert header[:2] == ["方案", "求解状态"]
    res = CliRunner().invoke(main, ["run", SCENARIO, "--out", str(tmp_path / "r"), "-q"])
    res = CliRunner().invoke(main, ["audit", SCENARIO, "--plan",
                                    str(tmp_path / "r" / "allocation.csv"), "--lang", "zh",
                                    "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "a" / "violations.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_character_gbk_lacks_stops_the_write(tmp_path: Path) -> None:
    import pandas as pd

    from quotaopt.errors import InputError
    from quotaopt.output import csv_bytes

    df = pd.DataFrame({"name": ["白马镇卫生院", "Ω🙂"]})
    assert csv_bytes(df.iloc[:1], "gbk").decode("gbk") == "name\n白马镇卫生院\n"
    with pytest.raises(InputError, match="cannot be written in GBK"):
        csv_bytes(df, "gbk", tmp_path / "x.csv")


def test_init_in_chinese_writes_chinese_comments_and_the_same_settings(tmp_path: Path) -> None:
    import tomllib

    res = CliRunner().invoke(main, ["init", str(tmp_path / "zh"), "--lang", "zh"])
    assert res.exit_code == 0 and "下一步：quotaopt validate" in res.output
    assert CliRunner().invoke(main, ["init", str(tmp_path / "en")]).exit_code == 0
    zh_text = (tmp_path / "zh" / "scenario.toml").read_text(encoding="utf-8")
    assert "# 结构比例（最高比例）高级:中级:初级" in zh_text
    settings = []
    for lang in ("zh", "en"):
        data = tomllib.loads((tmp_path / lang / "scenario.toml").read_text(encoding="utf-8"))
        data["scenario"].pop("description")
        data["policy"].pop("source")
        data["policy"]["types"]["health_centre"].pop("source")
        settings.append(data)
    assert settings[0] == settings[1]
    assert (tmp_path / "zh" / "units.csv").read_bytes() == \
        (tmp_path / "en" / "units.csv").read_bytes()
    res = CliRunner().invoke(main, ["--lang", "zh", "run", str(tmp_path / "zh" / "scenario.toml")])
    assert res.exit_code == 0 and "已证明最优" in res.output
