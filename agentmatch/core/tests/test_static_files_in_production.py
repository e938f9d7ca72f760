"""Static files as a deployment serves them: a real `collectstatic` with the production
storage (the rest of the suite serves the app folders as they are, see conftest.py)."""

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

from agentmatch.core.checks import check_static_files
from agentmatch.core.static_files import ONE_YEAR

pytestmark = pytest.mark.django_db

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from django.conf import settings

    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", "--no-input", verbosity=0)
        yield root


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def test_the_stylesheet_is_served_compressed_under_its_hashed_name_for_a_year(collected):
    url = static("uswds/css/uswds.css")
    assert re.fullmatch(r"/static/uswds/css/uswds\.[0-9a-f]{12}\.css", url), url

    client = Client()
    plain = client.get(url)
    zipped = client.get(url, headers={"accept-encoding": "gzip"})
    squeezed = client.get(url, headers={"accept-encoding": "gzip, br"})

    assert plain.status_code == zipped.status_code == squeezed.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert squeezed["Content-Encoding"] == "br"
    css = body(plain)
    assert b".usa-button" in css
    assert gzip.decompress(body(zipped)) == css
    assert brotli.decompress(body(squeezed)) == css
    assert len(body(zipped)) < len(css) / 4
    for response in (plain, zipped, squeezed):
        assert response["Cache-Control"] == f"max-age={ONE_YEAR}, public, immutable"


def test_a_page_links_the_hashed_stylesheet_and_preloads_fonts_that_exist(collected):
    client = Client()
    page = client.get("/").content.decode()

    stylesheet = static("uswds/css/uswds.css")
    assert f'href="{stylesheet}"' in page
    fonts = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', page)
    assert len(fonts) == 2
    for url in fonts:
        assert re.search(r"\.[0-9a-f]{12}\.woff2$", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == f"max-age={ONE_YEAR}, public, immutable"


def test_a_name_without_its_hash_is_cached_only_briefly(collected):
    response = Client().get("/static/uswds/css/uswds.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


def test_a_server_without_collected_files_is_warned_and_one_with_them_is_not(collected, tmp_path):
    assert check_static_files() == []
    with override_settings(STATIC_ROOT=tmp_path):
        assert [m.id for m in check_static_files()] == ["agentmatch.W007"]
