"""Headless Chromium with the network cut off, for tests of pages we generate.

Reusable by any test that opens HTML (maps, the app, fact sheets)::

    from browser import offline_page

    with offline_page() as (page, requests):
        page.goto(path.as_uri())
        ...
        assert requests.external == []

Every request whose URL is not ``file:``, ``data:``, ``blob:`` or ``about:`` is
aborted and recorded, so a test both proves that the page works offline and sees
what it tried to fetch. ``allow`` lets a test reach a local server (the app).
Uses Debian's chromium (``CHROMIUM`` overrides the path). A machine without it fails
the test with the install line (``make test`` installs it): a skipped browser test
would pass without proving anything, and no browser is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    """Path of a system Chromium, or None."""
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        return wanted
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Requests:
    """What a page asked for: every URL, the blocked ones, console errors."""

    all: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@contextmanager
def offline_page(viewport: tuple[int, int] = (1100, 800), allow: tuple[str, ...] = (),
                 ) -> Iterator[tuple[Any, Requests]]:
    """A Playwright page whose non-local requests are aborted and recorded."""
    from playwright import sync_api

    executable = chromium_path()
    if executable is None:
        pytest.fail("Chromium is missing: apt-get install chromium (make test does it)",
                    pytrace=False)
    seen = Requests()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        seen.all.append(url)
        if url.startswith(LOCAL_SCHEMES) or url.startswith(allow):
            request_route.continue_()
        else:
            if url not in seen.external:
                seen.external.append(url)
            request_route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]},
                service_workers="block")
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda msg: seen.console_errors.append(msg.text)
                    if msg.type == "error" else None)
            page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))
            # Requests the router never sees (e.g. a failed DNS lookup) are caught here too.
            page.on("request", lambda req: seen.external.append(req.url)
                    if not req.url.startswith(LOCAL_SCHEMES) and not req.url.startswith(allow)
                    and req.url not in seen.external else None)
            yield page, seen
        finally:
            browser.close()
