"""Every visible string has its Spanish, and the compiled catalogs match their sources.

Each app keeps its own catalog (agentmatch/<app>/locale/es). The test re-extracts the
strings from a copy of each app with Django's makemessages (GNU xgettext) and compares them
with the committed catalog, so a new or changed string without a translation fails here.
`make messages` refreshes the catalogs.
"""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APPS_DIR = Path(__file__).resolve().parents[2]
APPS = sorted(p for p in APPS_DIR.iterdir() if (p / "apps.py").exists())

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgfmt")) and not os.environ.get("CI"),
    reason="GNU gettext not installed (apt install gettext); CI runs this test",
)


def read_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy). Catalogs are written with --no-wrap, but a msgid with a
    newline in it (an email's greeting) still spans lines: continuations are joined."""
    import json

    entries: dict[str, tuple[str, bool]] = {}
    fuzzy = False
    msgid: str | None = None
    msgstr: str | None = None

    def close() -> None:
        if msgid and msgstr is not None:
            entries[msgid] = (msgstr, fuzzy)

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith('"'):
            if msgstr is not None:
                msgstr += json.loads(line)
            elif msgid is not None:
                msgid += json.loads(line)
            continue
        if line.startswith("msgstr "):
            msgstr = json.loads(line[7:])
            continue
        close()
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("msgid "):
            msgid, msgstr = json.loads(line[6:]), None
        elif not line.strip():
            fuzzy, msgid, msgstr = False, None, None
    return entries


def extracted_strings(app: Path, tmp_path: Path) -> dict[str, tuple[str, bool]]:
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "es", "--no-location", "--no-wrap"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": ""},
    )
    po = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
    return read_po(po) if po.exists() else {}


@needs_gettext
@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_every_string_of_the_app_has_its_spanish(app, tmp_path):
    found = extracted_strings(app, tmp_path)
    committed_po = app / "locale" / "es" / "LC_MESSAGES" / "django.po"
    if not found:
        return
    assert committed_po.exists(), f"{app.name} has strings to translate: run `make messages`"
    committed = read_po(committed_po)
    new = sorted(set(found) - set(committed))
    assert not new, f"{app.name}: strings missing from the catalog (run `make messages`): {new}"
    untranslated = sorted(k for k in found if not committed[k][0] or committed[k][1])
    assert not untranslated, f"{app.name}: no Spanish (or fuzzy) for: {untranslated}"


@needs_gettext
@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_compiled_catalog_matches_its_source(app, tmp_path):
    po = app / "locale" / "es" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{app.name}: compiled catalog missing: run `make messages`"
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
    with mo.open("rb") as committed, fresh.open("rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
        fresh_catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    assert committed_catalog == fresh_catalog, f"{app.name}: stale .mo: run `make messages`"
