"""Helpers for the browser tests: Playwright driving Debian's Chromium against a live server.

Playwright's own browser download does not work on our machines, so the tests launch the
system Chromium (`CHROMIUM_PATH`, else `chromium` on PATH). Every page a test visits can be
checked with axe-core (from npm, run inside the page) and for English left on Spanish pages.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings

PHONE = {"width": 390, "height": 844}
ANDROID_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)
DESKTOP = {"width": 1280, "height": 900}

# Chromium must not try to reach anything but the live server (no internet here).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Words that only occur in English text; a Spanish page showing one has a string nobody
# translated (or forgot to mark for translation).
ENGLISH_ONLY = re.compile(
    r"\b(the|your|you|and|with|please|this|that|from|have|will|are|was|not|for|"
    r"sign|submit|save|cancel|request|referrals?|agents?|available|phone|email)\b",
    re.IGNORECASE,
)


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def axe_source() -> str:
    return (Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js").read_text()


def axe_violations(page: Any) -> list[str]:
    """WCAG 2.1 A/AA violations axe-core finds on the page as it is now, one line each."""
    # evaluate() runs through the DevTools protocol, which our CSP does not (and should
    # not) allow for page scripts; the page itself never loads axe.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source() + "\n;0")
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
    ]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(violations)


def english_left_on_page(page: Any, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """Visible text on a Spanish page that reads as English."""
    texts: list[str] = page.evaluate(
        """() => {
          const out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode, el = node.parentElement;
            if (!el || el.closest('script,style,[lang="en"],[translate="no"]')) continue;
            if (!el.checkVisibility || !el.checkVisibility()) continue;
            const t = node.textContent.trim();
            if (t) out.push(t);
          }
          const labelled = '[placeholder],[aria-label],[title],img[alt]';
          for (const el of document.querySelectorAll(labelled)) {
            for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
              const v = el.getAttribute(a);
              if (v && !el.closest('[lang="en"],[translate="no"]')) out.push(v);
            }
          }
          return out;
        }"""
    )
    return [t for t in texts if ENGLISH_ONLY.search(t) and t not in allowed]


def assert_spanish(page: Any, *, allowed: tuple[str, ...] = ()) -> None:
    assert page.evaluate("document.documentElement.lang") == "es", page.url
    leftovers = english_left_on_page(page, allowed=allowed)
    assert not leftovers, f"English on the Spanish page {page.url}: {leftovers}"


def check_page(page: Any, *, language: str = "en", allowed: tuple[str, ...] = ()) -> None:
    """The checks every page gets: axe-core clean, and fully Spanish when in Spanish."""
    assert_accessible(page)
    if language == "es":
        assert_spanish(page, allowed=allowed)


def log_in(page: Any, live_server: Any, user: Any) -> None:
    """Puts a logged-in session for `user` into the page's browser context (the login
    form itself has its own tests)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
