"""Every test runs in English unless it asks for Chinese: the machine's locale
(``LANG=zh_CN.UTF-8`` on a Chinese desktop) must not decide what a test sees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quotaopt.cli import main, translate_help
from quotaopt.i18n import set_language


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("QUOTAOPT_LANG", "en")
    set_language("en")
    yield
    set_language("en")
    translate_help(main)  # a Chinese command line leaves Chinese help on the commands
