"""The UI catalogues: every message translated, and the compiled catalogues built from the sources."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "cfit" / "locale"
LANGUAGES = ["nl", "fr", "de", "nb"]


def read_po(path: Path) -> tuple[dict[str, str], list[str]]:
    """msgid -> msgstr (first plural form) of a .po file, and the msgids flagged fuzzy."""
    entries: dict[str, str] = {}
    fuzzy: list[str] = []
    field, msgid, msgstr, is_fuzzy, context = "", "", "", False, ""

    def flush() -> None:
        if msgid:
            # gettext keys a message with a context as "context\x04message"
            key = f"{context}\x04{msgid}" if context else msgid
            entries[key] = msgstr
            if is_fuzzy:
                fuzzy.append(key)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            field, msgid, msgstr, is_fuzzy, context = "", "", "", True, ""
        elif line.startswith("msgctxt "):
            if field == "msgstr":
                flush()
                is_fuzzy = False
            field, msgid, msgstr, context = "msgctxt", "", "", ast.literal_eval(line[8:])
        elif line.startswith("msgid "):
            if field == "msgstr":
                flush()
                is_fuzzy, context = False, ""
            field, msgid, msgstr = "msgid", ast.literal_eval(line[6:]), ""
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            field, msgstr = "msgstr", ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith(("msgid_plural", "msgstr[")):
            field = "other"
        elif line.startswith('"'):
            if field == "msgid":
                msgid += ast.literal_eval(line)
            elif field == "msgstr":
                msgstr += ast.literal_eval(line)
    flush()
    return entries, fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    entries, fuzzy = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")

    assert len(entries) > 300
    assert [m for m, t in entries.items() if not t] == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    entries, _ = read_po(folder / "django.po")
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    stale = [m for m, t in entries.items() if catalogue.gettext(m) != t and "\x00" not in m]

    assert stale == [], "run `make messages` to compile the catalogues"


def test_no_template_escapes_a_quote_inside_a_translate_tag() -> None:
    """xgettext (makemessages) ends a message at an escaped quote inside {% translate "…" %}, so the
    catalogue held half a sentence that no page asked for, and the page stayed in English in every
    language (the calendar subscription's explanation did). Quote with typographic quotes instead."""
    import re

    tag = re.compile(r"{%\s*(?:translate|trans)\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')")
    offenders = [
        f"{path.relative_to(Path('cfit').resolve().parent)}: {match.group(1)[:60]}"
        for path in sorted(Path("cfit").resolve().rglob("*.html"))
        for match in tag.finditer(path.read_text(encoding="utf-8"))
        if "\\" in match.group(1)
    ]
    assert not offenders, offenders


def test_french_puts_a_no_break_space_before_its_double_punctuation() -> None:
    """French writes a space before ":", ";", "?" and "!" and inside « » — a no-break one, so that a
    line never starts with the colon of the label before it ("Votre rôle" / ": Acheteur")."""
    import re

    entries, _fuzzy = read_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po")
    breaking = re.compile(r"\S (?=[:;?!](?:\s|$|<|\)))|« | »")
    offenders = [msgstr for msgstr in entries.values() if breaking.search(msgstr)]
    assert not offenders, offenders[:10]
