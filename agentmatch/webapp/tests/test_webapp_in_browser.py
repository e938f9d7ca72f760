"""The installable app in Chromium: manifest and worker served right, the worker registers
for the whole site, and its offline page answers when the server cannot be reached."""

import pytest

from agentmatch.browser_testing import check_page
from agentmatch.browser_testing import log_in as browser_log_in
from agentmatch.testing import make_agent, make_agent_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged_in(plan_year, live_server):  # type: ignore[no-untyped-def]
    def log_in(page) -> None:  # type: ignore[no-untyped-def]
        agent = make_agent(zip_code="53703", licensed=["WI"])
        browser_log_in(page, live_server, make_agent_user(agent))

    return log_in


def test_manifest_and_worker_have_the_right_types(page, live_server):
    manifest = page.request.get("/app/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/workspace/"
    worker = page.request.get("/app/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    icon = page.request.get(manifest.json()["icons"][0]["src"])
    assert icon.headers["content-type"] == "image/png"


def test_the_worker_registers_for_the_site_and_serves_the_offline_page(
    page, live_server, logged_in
):
    logged_in(page)
    page.goto("/availability/")
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == live_server.url + "/"
    assert page.evaluate("document.querySelector('link[rel=manifest]').href").endswith(
        "/app/manifest.webmanifest"
    )
    # The worker controls pages loaded after it activated.
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "caches.keys().then((keys) => keys.some((k) => k.startsWith('agentmatch-offline')))"
    )

    page.context.set_offline(True)
    try:
        page.goto("/accounts/profile/")
        assert page.locator("h1").inner_text() == "You are offline"
        check_page(page)
    finally:
        page.context.set_offline(False)


def test_the_offline_page_in_spanish(phone_page):
    phone_page.goto("/app/offline/")
    assert phone_page.locator("h1").inner_text() == "No tiene conexión"
    check_page(phone_page, language="es")
