"""The assets scripts/build-assets.mjs builds (`make assets`) are all the pages need: every
file a template names exists, and the USWDS stylesheet built with a subset of components
has every USWDS class the templates and scripts use."""

import gzip
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

APPS = Path(settings.BASE_DIR) / "agentmatch"
BUILT_CSS = Path(settings.BASE_DIR) / "build" / "static" / "uswds" / "css" / "uswds.css"
FULL_CSS = Path(settings.NODE_MODULES) / "@uswds" / "uswds" / "dist" / "css" / "uswds.min.css"


def sources() -> list[Path]:
    """Templates, page scripts and template tags: where class names are written."""
    return [
        *APPS.glob("*/templates/**/*.html"),
        *APPS.glob("*/static/**/*.js"),
        *APPS.glob("*/templatetags/*.py"),
    ]


def classes_in(css: str) -> set[str]:
    # `.tablet\:grid-col-6` is the class `tablet:grid-col-6`; comments name no classes.
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return {name.replace("\\:", ":") for name in re.findall(r"\.((?:[a-zA-Z0-9_-]|\\:)+)", css)}


def test_every_static_file_a_template_names_exists() -> None:
    missing = []
    for template in APPS.glob("*/templates/**/*.html"):
        for name in re.findall(r"{% static '([^']+)' %}", template.read_text()):
            if not finders.find(name):
                missing.append(f"{template.relative_to(APPS)}: {name}")
    assert not missing, "not found (run `make assets`?):\n" + "\n".join(missing)


def test_the_built_stylesheet_has_every_uswds_class_the_pages_use() -> None:
    assert BUILT_CSS.exists(), f"{BUILT_CSS} is missing: run `make assets`"
    uswds = classes_in(FULL_CSS.read_text())
    ours = classes_in(BUILT_CSS.read_text())
    words = set()
    for source in sources():
        words |= set(re.findall(r"[a-z][a-z0-9_-]*(?::[a-z][a-z0-9_-]*)?", source.read_text()))
    used = words & uswds
    assert {"usa-button", "usa-alert", "grid-row", "margin-top-3", "tablet:grid-col-6"} <= used
    missing = sorted(used - ours)
    assert not missing, (
        "USWDS classes the pages use but agentmatch/core/assets/uswds.scss leaves out "
        "(add the package or utility there): " + ", ".join(missing)
    )


def test_the_built_stylesheet_is_a_fraction_of_the_whole_design_system() -> None:
    # Compressed, as a phone downloads it (collectstatic serves gzip and brotli copies): the
    # official-site banner and the identifier took the uncompressed file just past half.
    def compressed(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), compresslevel=6))

    assert compressed(BUILT_CSS) < compressed(FULL_CSS) / 2
