"""The ``quotaopt`` command in the user's language: the language chosen before Click reads
the arguments (``--lang``, also after the command; ``QUOTAOPT_LANG``; the locale), Click's
own strings and every help text translated, and Chinese help wrapped by display width."""

from __future__ import annotations

import importlib
import unicodedata
from typing import Any

import click

from .i18n import (
    LanguageError,
    _,
    choose_language,
    click_gettext,
    click_ngettext,
    set_language,
)


def global_options_first(args: list[str]) -> list[str]:
    """``--debug`` and ``--lang`` are options of ``quotaopt`` itself; accept them after the
    command too (``quotaopt run s.toml --lang zh``)."""
    end = args.index("--") if "--" in args else len(args)
    head, front = [], []
    i = 0
    while i < end:
        a = args[i]
        if a == "--debug":
            front.append(a)
        elif a == "--lang" and i + 1 < end:
            front += [a, args[i + 1]]
            i += 1
        elif a.startswith("--lang="):
            front.append(a)
        else:
            head.append(a)
        i += 1
    return front + head + args[end:] if front else args


def _lang_option(args: list[str]) -> str | None:
    """The value of ``--lang`` among ``args`` (after :func:`global_options_first`), or None."""
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--lang="):
            return a.partition("=")[2]
    return None


#: Click modules whose own strings (usage errors, help headings) go through gettext.
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion",
                  "termui", "types", "utils")


def _translate_click() -> None:
    """Click marks its strings with the standard library's gettext (domain ``messages``);
    send them to quotaopt's ``click`` catalog instead, so the language rule holds for them."""
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - a Click without this module
            continue
        if hasattr(module, "_"):
            module._ = click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = click_ngettext  # type: ignore[attr-defined]


#: The English help of each command and option, kept when the help is translated.
_HELP_MSGIDS: dict[int, tuple[str | None, str | None]] = {}


def help_texts(group: click.Group) -> list[str]:
    """Every help text of the commands and options (scripts/i18n.py extracts them)."""
    texts: list[str] = []
    for obj in _help_objects(group):
        for text in _HELP_MSGIDS.get(id(obj), (getattr(obj, "help", None),
                                               getattr(obj, "epilog", None))):
            if text:
                texts.append(text)
    return texts


def _help_objects(group: click.Group) -> list[Any]:
    objs: list[Any] = [group, *group.params]
    for cmd in group.commands.values():
        objs += [cmd, *cmd.params]
    return objs


def translate_help(group: click.Group) -> None:
    """Put the help of every command and option in the language in use."""
    for cmd in [group, *group.commands.values()]:
        # Click builds --help's option once per command, its help text in the language of
        # that moment: build it again
        if getattr(cmd, "_help_option", None) is not None:
            cmd._help_option = None
    for obj in _help_objects(group):
        key = id(obj)
        if key not in _HELP_MSGIDS:
            _HELP_MSGIDS[key] = (getattr(obj, "help", None), getattr(obj, "epilog", None))
        text, epilog = _HELP_MSGIDS[key]
        kind = getattr(obj, "type", None)
        if isinstance(kind, click.Path):  # named when the option was made, in English
            kind.name = click_gettext("file" if kind.file_okay and not kind.dir_okay else
                                      "directory" if kind.dir_okay and not kind.file_okay
                                      else "path")
        if text:
            obj.help = _(text)
        if epilog:
            obj.epilog = _(epilog)


def setup_language(group: click.Group, args: list[str]) -> None:
    """Choose the language (``--lang``, ``QUOTAOPT_LANG``, the locale, English) and put
    quotaopt's and Click's texts in it — before Click reads the arguments, so that usage
    errors are in it too."""
    try:
        lang = choose_language(_lang_option(args))
    except LanguageError as exc:
        if _lang_option(args) is not None:
            lang = "en"  # Click's own check of --lang reports the bad value
        else:
            set_language("en")
            raise click.UsageError(str(exc)) from None
    set_language(lang)
    _translate_click()
    _wrap_by_display_width(lang == "zh")
    translate_help(group)


#: Click's own width functions, put back in English mode.
_CLICK_WIDTH: dict[str, Any] = {}


def _display_len(text: str) -> int:
    """Columns ``text`` takes on a terminal: a wide (East Asian ``W``/``F``) character two,
    any other one; ANSI colour codes none."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in click.unstyle(text))


def _truncate_display(text: str, n: int) -> str:
    """The longest prefix of ``text`` that fits in ``n`` columns (at least one character,
    as Click's own cut, so that wrapping always moves on)."""
    if n <= 0:
        return ""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used > n:
            return text[:max(i, 1)]
    return text


def _split_wide(wrapper: Any, text: str) -> list[str]:
    """Click's chunks of ``text``, each wide character a chunk of its own: Chinese has no
    spaces, so a line may break between any two characters — and not inside a Latin word
    such as ``results.xlsx`` standing between them."""
    out: list[str] = []
    for chunk in _CLICK_WIDTH["split"](wrapper, text):
        run = ""
        for ch in chunk:
            if unicodedata.east_asian_width(ch) in "WF":
                out += [run, ch] if run else [ch]
                run = ""
            else:
                run += ch
        if run:
            out.append(run)
    return out


def _wrap_by_display_width(on: bool) -> None:
    """Click wraps help by characters; a Chinese character takes two columns, so Chinese
    help would be up to twice as wide as the terminal. In Chinese mode Click measures
    display columns instead (its ``term_len`` and its long-word cut) and may break a line
    between two Chinese characters."""
    import click._textwrap as click_textwrap
    import click.formatting as click_formatting

    wrapper = click_textwrap.TextWrapper
    if not _CLICK_WIDTH:
        _CLICK_WIDTH.update(textwrap_len=getattr(click_textwrap, "term_len", None),
                            truncate=getattr(click_textwrap, "_truncate_visible", None),
                            formatting_len=getattr(click_formatting, "term_len", None),
                            split=wrapper._split)
    patches = ((click_textwrap, "term_len", _display_len, "textwrap_len"),
               (click_textwrap, "_truncate_visible", _truncate_display, "truncate"),
               (click_formatting, "term_len", _display_len, "formatting_len"),
               (wrapper, "_split", _split_wide, "split"))
    for module, name, wide, key in patches:
        if _CLICK_WIDTH[key] is not None:  # a Click that has this function
            setattr(module, name, wide if on else _CLICK_WIDTH[key])
