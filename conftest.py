import os
import secrets

import pytest
from django.db import connection

from agentmatch.testing import plan_year_2026

# Commands a test starts in a subprocess (`agentmatch run`, `worker`) run as deployed, with
# DEBUG off, so they refuse the public development key: this test session has its own.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def pytest_configure(config):  # type: ignore[no-untyped-def]
    from django.conf import settings

    # Tests serve the static files where they are (the app folders and build/static, which
    # `make test` builds) under their own names: no `collectstatic` before each run. The
    # production storage (hashed names, compressed copies) has its own test against a real
    # collectstatic: core/tests/test_static_files_in_production.py.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture
def plan_year(db):  # type: ignore[no-untyped-def]
    return plan_year_2026()


@pytest.fixture(autouse=True)
def _fast_windows(settings):  # type: ignore[no-untyped-def]
    settings.OFFER_WINDOW_SECONDS = 900
    settings.MAX_WAIT_SECONDS = 3600
    settings.MAX_PENDING_OFFERS_PER_AGENT = 1
    # Real hashing costs about a second per password on a small machine; tests check
    # password rules and flows, not the hash's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The delivery worker's per-process pause after a provider failure would leak from one
    # test into the next; tests of that pause turn it on themselves.
    settings.NOTIFY_CHANNEL_PAUSE_SECONDS = 0


@pytest.fixture(autouse=True)
def _english_to_start():  # type: ignore[no-untyped-def]
    # A request in Spanish leaves its language active in the thread (LocaleMiddleware does
    # not reset it): each test starts in the default language, as a new request would.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL row locks (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


# --- Browser tests ------------------------------------------------------------------
# Tests that take the `page` fixture run in Debian's Chromium against pytest-django's live
# server. Without Chromium they are skipped on a developer's machine and fail in CI
# (`.ci/run` installs it), so CI can never pass with them silently missing.


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    import os

    from agentmatch.browser_testing import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if not path:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; .ci/run installs Debian's chromium package")
        pytest.skip("Chromium not installed (apt install chromium); CI runs these tests")
    # Playwright's synchronous API keeps an event loop on this thread; the test's own ORM
    # calls are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _browser_page(browser, live_server, viewport, locale, user_agent=None):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=viewport,
        locale=locale,
        base_url=live_server.url,
        service_workers="allow",
        user_agent=user_agent,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and "favicon" not in msg.text
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    # Script errors and Content-Security-Policy refusals fail the test that caused them.
    assert not problems, problems


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A desktop-sized page in English; `page.problems` collects script and CSP errors."""
    from agentmatch.browser_testing import DESKTOP

    yield from _browser_page(browser, live_server, DESKTOP, "en-US")


@pytest.fixture
def phone_page(browser, live_server):  # type: ignore[no-untyped-def]
    """A phone-sized page whose browser asks for Spanish and says it is an Android phone
    (pages that show a phone's own steps, like the end of sign-up, show Android's)."""
    from agentmatch.browser_testing import ANDROID_USER_AGENT, PHONE

    yield from _browser_page(browser, live_server, PHONE, "es-US", ANDROID_USER_AGENT)
