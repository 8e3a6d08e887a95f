"""Maintain quotaopt's gettext catalogs with Babel.

    python scripts/i18n.py update    # extract the marked messages, merge them into the .po
    python scripts/i18n.py compile   # .po → .mo (committed; tests/test_i18n.py checks both)
    python scripts/i18n.py check     # exit 1 if a catalog is stale, incomplete or uncompiled

Messages are extracted from src/quotaopt (calls of ``_``, ``N_``, ``ngettext``, and the help
of every command and option of ``quotaopt.cli.main``) into ``quotaopt.po``; Click's own
strings are extracted from the installed Click into ``click.po``.
After ``update``, translate the new empty ``msgstr`` entries, then ``compile``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "quotaopt"
LOCALE = SRC / "locale"
LANGS = ("zh_CN",)
#: Click strings passed to gettext in a variable (``_(extra["required"])``).
CLICK_DYNAMIC = ("required",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "gettext": None}


def click_dir() -> Path:
    import click

    return Path(click.__file__).parent


def sources(domain: str) -> tuple[Path, dict[str, object]]:
    if domain == "quotaopt":
        return SRC, {"**.py": "python"}
    return click_dir(), {"**.py": "python"}


def extract(domain: str) -> Catalog:
    """The messages marked in the code of ``domain`` (quotaopt or click)."""
    where, _ = sources(domain)
    cat = Catalog(domain=domain, project=domain, fuzzy=False)
    keywords = KEYWORDS if domain == "quotaopt" else {"_": None, "ngettext": (1, 2)}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(where), method_map=[("**.py", "python")], keywords=keywords,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        if domain == "quotaopt" and filename.startswith(("locale", "templates")):
            continue
        cat.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    if domain == "click":  # translated by Click through a variable, so not found above
        for text in CLICK_DYNAMIC:
            cat.add(text, None, [("click/core.py", 0)])
    if domain == "quotaopt":  # the help of every command and option (docstrings included)
        from quotaopt.cli import help_texts, main

        for text in help_texts(main):
            cat.add(text, None, [("cli.py", 0)])
    return cat


def po_path(domain: str, lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name, domain=path.stem)


def write(cat: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, cat, width=100, omit_header=False, sort_output=False, no_location=True,
             ignore_obsolete=True)
    path.write_bytes(buf.getvalue())


def mo_bytes(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def ids(cat: Catalog) -> set[object]:
    return {m.id for m in cat if m.id}


def update() -> None:
    for domain in ("quotaopt", "click"):
        template = extract(domain)
        for lang in LANGS:
            path = po_path(domain, lang)
            if path.exists():
                cat = read(path)
                created = cat.creation_date
                cat.update(template, no_fuzzy_matching=True)
                cat.creation_date = created
            else:
                cat = Catalog(locale=lang, domain=domain, project=domain)
                cat.update(template, no_fuzzy_matching=True)
            cat.obsolete.clear()
            write(cat, path)
            missing = [m.id for m in cat if m.id and not _translated(m)]
            print(f"{path.relative_to(ROOT)}: {len(ids(cat))} messages, "
                  f"{len(missing)} untranslated")


def _translated(m: object) -> bool:
    s = m.string  # type: ignore[attr-defined]
    return all(s) if isinstance(s, tuple | list) else bool(s)


def compile_all() -> None:
    for path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        path.with_suffix(".mo").write_bytes(mo_bytes(read(path)))
        print(f"wrote {path.with_suffix('.mo').relative_to(ROOT)}")


def hidden_messages() -> Iterable[str]:
    """Gettext calls inside an f-string's braces (``f"{_('x')}"``): Babel does not extract
    them, so their text would never be translated."""
    import re
    import tokenize

    call = re.compile(r"\{[^{}]*\b(?:_|N_|ngettext)\(")
    for path in sorted(SRC.rglob("*.py")):
        with path.open("rb") as f:
            for tok in tokenize.tokenize(f.readline):
                if tok.type == tokenize.STRING and re.match(r"(?i)[rb]*f", tok.string) \
                        and call.search(tok.string):
                    yield (f"{path.relative_to(ROOT)}:{tok.start[0]}: a message inside an "
                           "f-string is not extracted; take it out of the braces")


def problems() -> Iterable[str]:
    """Everything wrong with the catalogs (empty when they are complete and current)."""
    yield from hidden_messages()
    for domain in ("quotaopt", "click"):
        extracted = ids(extract(domain))
        for lang in LANGS:
            path = po_path(domain, lang)
            if not path.exists():
                yield f"{path}: missing (run: python scripts/i18n.py update)"
                continue
            cat = read(path)
            have = ids(cat)
            for m in sorted(map(str, extracted - have)):
                yield f"{path.name}: not in the catalog (stale; run update): {m!r}"
            for m in sorted(map(str, have - extracted)):
                yield f"{path.name}: no longer in the code (stale; run update): {m!r}"
            for m in cat:
                if m.id and not _translated(m):
                    yield f"{path.name}: no {lang} text for {m.id!r}"
                if m.id and m.fuzzy:
                    yield f"{path.name}: fuzzy (unchecked) text for {m.id!r}"
            mo = path.with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != mo_bytes(cat):
                yield f"{mo.name}: not compiled from {path.name} (run: compile)"


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
    elif argv == ["compile"]:
        compile_all()
    elif argv == ["check"]:
        found = list(problems())
        for p in found:
            print(p)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
