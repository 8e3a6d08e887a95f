"""The language of what quotaopt writes for people: English (the message ids) or Chinese.

Sentences are marked with :func:`_` (or :func:`ngettext`; :func:`N_` marks a text that is
translated later, such as Click's help) and looked up in gettext catalogs shipped with the
package: ``locale/zh_CN/LC_MESSAGES/quotaopt.mo`` (ours) and ``click.mo`` (Click's own
usage errors and help headings). ``scripts/i18n.py`` extracts, updates and compiles them
with Babel; docs/i18n.md says how to add a message.

One rule chooses the language for every command (:func:`choose_language`): ``--lang``, else
``QUOTAOPT_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh…`` is
Chinese), else English.

>>> set_language("zh"); _("invalid input")
'输入有误'
>>> set_language("en"); _("invalid input")
'invalid input'
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

DOMAIN = "quotaopt"
#: Click's own strings ("Usage:", "Missing argument …") live in a catalog of their own.
CLICK_DOMAIN = "click"
LANGUAGES = ("en", "zh")
#: quotaopt's language → the catalog's locale name.
CATALOG = {"zh": "zh_CN"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_NULL = _gettext.NullTranslations()
_state: dict[str, object] = {"lang": "en", DOMAIN: _NULL, CLICK_DOMAIN: _NULL}


class LanguageError(ValueError):
    """QUOTAOPT_LANG names no language quotaopt speaks."""


def choose_language(option: str | None = None,
                    environ: Mapping[str, str] | None = None) -> str:
    """``option`` if given, else ``QUOTAOPT_LANG``, else the locale, else ``"en"``.

    >>> choose_language(None, {"LANG": "zh_CN.UTF-8"})
    'zh'
    >>> choose_language(None, {"LC_ALL": "C", "LANG": "zh_CN.UTF-8"})
    'en'
    >>> choose_language("en", {"QUOTAOPT_LANG": "zh"})
    'en'
    """
    env = os.environ if environ is None else environ
    if option:
        return _normalise(option, "--lang")
    wanted = env.get("QUOTAOPT_LANG", "").strip()
    if wanted:
        return _normalise(wanted, "QUOTAOPT_LANG")
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):  # the first one set decides (POSIX)
        value = env.get(var, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _normalise(value: str, where: str) -> str:
    low = value.strip().lower().replace("-", "_")
    if low.startswith("zh"):
        return "zh"
    if low.startswith("en") or low in ("c", "posix"):
        return "en"
    raise LanguageError(f"{where}={value!r}: choose zh or en")


def set_language(lang: str) -> None:
    """Use ``lang`` ("en" or "zh") from now on, for quotaopt's and Click's texts."""
    if lang not in LANGUAGES:
        raise LanguageError(f"language {lang!r}: choose zh or en")
    _state["lang"] = lang
    for domain in (DOMAIN, CLICK_DOMAIN):
        _state[domain] = (_NULL if lang == "en" else _gettext.translation(
            domain, str(LOCALE_DIR), languages=[CATALOG[lang]]))


def language() -> str:
    """The language in use: "en" or "zh"."""
    return str(_state["lang"])


@contextmanager
def using(lang: str) -> Iterator[None]:
    """``lang`` inside the block, the previous language after it."""
    before = language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _translations(domain: str) -> _gettext.NullTranslations:
    t = _state[domain]
    assert isinstance(t, _gettext.NullTranslations)
    return t


def _(message: str) -> str:
    """``message`` in the language in use."""
    return _translations(DOMAIN).gettext(message)


def gettext(message: str) -> str:
    return _(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the language in use."""
    return _translations(DOMAIN).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 — the gettext convention
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def click_gettext(message: str) -> str:
    """Click's own strings (``Usage:``, ``Missing argument …``) in the language in use."""
    return _translations(CLICK_DOMAIN).gettext(message)


def click_ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(CLICK_DOMAIN).ngettext(singular, plural, n)
