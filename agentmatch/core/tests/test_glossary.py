"""Every Spanish catalog uses the CMS words of docs/glossary.md (issue 10, CMS wording)."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGS = sorted((ROOT / "agentmatch").glob("*/locale/es/LC_MESSAGES/django.po"))


@dataclass(frozen=True)
class Term:
    english: str
    spanish: str
    wrong: tuple[str, ...]


def glossary() -> list[Term]:
    """The table's rows after its header and separator."""
    rows = [line for line in GLOSSARY.read_text().splitlines() if line.startswith("|")][2:]
    terms = []
    for row in rows:
        english, spanish, wrong, _source = (cell.strip() for cell in row.strip("|").split("|"))
        variants = tuple(v.strip() for v in wrong.split(";") if v.strip())
        terms.append(Term(english, spanish, variants))
    return terms


def entries() -> list[tuple[str, str, str]]:
    """(catalog, msgid, msgstr) of every message, each plural form its own row.

    The catalogs are written with --no-wrap (`make messages`): one line per msgid and msgstr.
    """
    out = []
    for path in CATALOGS:
        msgid = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("msgid "):
                msgid = json.loads(line[6:])
            elif line.startswith("msgstr") and msgid:
                text = json.loads(line.split(" ", 1)[1])
                out.append((path.relative_to(ROOT).as_posix(), msgid, text))
    return out


def mentions(term: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) is not None


def terms_in(msgid: str, terms: list[Term]) -> list[Term]:
    """The glossary terms a msgid says, leaving out those only inside a longer one it says."""
    found = [t for t in terms if mentions(t.english, msgid)]
    return [
        t for t in found if not any(o is not t and mentions(t.english, o.english) for o in found)
    ]


def test_the_glossary_lists_the_cms_terms_of_the_spanish_tip_sheets():
    spanish = {t.english: t.spanish for t in glossary()}
    assert spanish["Terms of Use"] == "Condiciones de uso"
    assert spanish["Sign Up"] == "Inscribirse"
    assert spanish["Phone Number"] == "Número de teléfono"
    assert "Términos de uso" in {w for t in glossary() for w in t.wrong}
    assert CATALOGS, "no Spanish catalogs found"


@pytest.mark.parametrize("term", glossary(), ids=lambda t: t.english)
def test_spanish_catalogs_use_the_cms_word_for(term):
    terms = glossary()
    wrong = [
        f"{catalog}: {msgid!r} -> {msgstr!r}"
        for catalog, msgid, msgstr in entries()
        if msgstr and term in terms_in(msgid, terms) and term.spanish.lower() not in msgstr.lower()
    ]
    assert not wrong, f"use “{term.spanish}” for “{term.english}”:\n" + "\n".join(wrong)


@pytest.mark.parametrize("term", [t for t in glossary() if t.wrong], ids=lambda t: t.english)
def test_spanish_catalogs_never_use_a_wrong_variant_of(term):
    found = [
        f"{catalog}: {msgstr!r}"
        for catalog, _msgid, msgstr in entries()
        for variant in term.wrong
        if variant.lower() in msgstr.lower()
    ]
    assert not found, f"“{term.spanish}”, not {term.wrong}:\n" + "\n".join(found)
