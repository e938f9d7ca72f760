"""Pages and API docs load their assets from this server: no CDN, no internet."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/static/core/site.css",
        "/static/accounts/password-rules.js",
        "/static/ninja/swagger-ui.css",
    ],
)
def test_static_files_are_served_by_the_app(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/docs", "/accounts/login/"])
def test_pages_reference_no_outside_hosts(client: Client, path: str) -> None:
    # What the browser loads by itself: scripts, images, frames (src) and stylesheets, icons,
    # manifests (<link href>). Links a person follows to another site (the CMS resources on
    # the login page) are not assets.
    page = client.get(path).content.decode()
    sources = re.findall(r'\ssrc="([^"]+)"', page)
    sources += re.findall(r'<link\b[^>]*\shref="([^"]+)"', page)
    assert sources
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]


def test_the_outside_host_check_sees_an_outside_stylesheet() -> None:
    page = '<link rel="stylesheet" href="https://cdn.example/x.css"><a href="https://cms.gov">'
    assert re.findall(r'<link\b[^>]*\shref="([^"]+)"', page) == ["https://cdn.example/x.css"]
