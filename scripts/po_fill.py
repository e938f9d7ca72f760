"""Fill empty Spanish translations in a .po file from a JSON object {english: spanish}.

Usage: python scripts/po_fill.py agentmatch/<app>/locale/es/LC_MESSAGES/django.po < es.json
Catalogs are kept with --no-wrap (see `make messages`), so every msgid is on one line.
Prints the msgids that are still untranslated.
"""

import json
import re
import sys


def unquote(s: str) -> str:
    return json.loads(s)


def quote(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def main() -> int:
    path = sys.argv[1]
    translations: dict[str, str] = json.load(sys.stdin)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    entry = re.compile(r'^(msgid (".*")\n)msgstr ""$', re.MULTILINE)

    def fill(m: re.Match[str]) -> str:
        english = unquote(m.group(2))
        spanish = translations.get(english)
        if not english or spanish is None:
            return m.group(0)
        return f"{m.group(1)}msgstr {quote(spanish)}"

    text = entry.sub(fill, text)
    # A filled catalog is not a draft any more.
    header = 'msgid ""\nmsgstr ""\n"Project'
    text = text.replace("#, fuzzy\n" + header, header, 1)
    text = text.replace('"Language: \\n"', '"Language: es\\n"', 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    missing = [unquote(m.group(2)) for m in entry.finditer(text) if unquote(m.group(2))]
    for english in missing:
        print("untranslated:", english)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
