"""Write docs/cli.md from the commands' own --help texts (tests/test_cli_docs.py checks it).

    python scripts/gen_cli_docs.py
"""

from __future__ import annotations

from pathlib import Path

import click

from quotaopt.cli import main, translate_help
from quotaopt.i18n import set_language

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    set_language("en")  # the reference is English, whatever the machine's locale
    translate_help(main)
    parts = ["# Command line reference\n",
             "Generated from `--help` by `scripts/gen_cli_docs.py`; a test fails when it drifts.\n"]
    ctx = click.Context(main, info_name="quotaopt", terminal_width=100, max_content_width=100,
                        help_option_names=["-h", "--help"])
    parts.append("## quotaopt\n\n```text\n" + main.get_help(ctx) + "\n```\n")
    for name in sorted(main.commands):
        cmd = main.commands[name]
        sub = click.Context(cmd, info_name=name, parent=ctx, terminal_width=100,
                            max_content_width=100, help_option_names=["-h", "--help"])
        parts.append(f"## quotaopt {name}\n\n```text\n" + cmd.get_help(sub) + "\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
