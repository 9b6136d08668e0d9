"""A real headless Chromium (Debian's), driven by Playwright, for the page tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.fixtures.pages import DEAD_PROXY, VIEWPORT, forget, keep_local, listen, open_page

__all__ = ["open_page"]  # kept importable from here for the branches that still do

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run `make browser`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, proxy=DEAD_PROXY
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def visitor(browser: Browser) -> Iterator[BrowserContext]:
    """One browser context per test module (a new context costs ~0.3 s): a French-speaking
    visitor (Chromium would send its own Accept-Language: en-US)."""
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    yield context
    context.close()


@pytest.fixture(scope="module")
def tab(visitor: BrowserContext) -> Iterator[Page]:
    """The module's one page, kept from test to test: a new page costs Chromium more than the
    load in it (see :func:`~tests.fixtures.pages.forget`)."""
    page = visitor.new_page()
    yield page
    page.close()


@pytest.fixture
def page(visitor: BrowserContext, tab: Page) -> Iterator[Page]:
    """The module's page, blank, which the test leaves without cookies, storage, listeners or
    other pages."""
    yield tab
    forget(visitor, keep=tab)


@pytest.fixture
def guarded(page: Page, live_server: str) -> Iterator[Page]:
    """The page with every request off 127.0.0.1 refused and console errors collected;
    the test fails at teardown if a request left the machine or the console logged an error.
    ``page.base`` is the live server's URL, ``page.console_errors`` the errors so far."""
    outside = keep_local(page)
    errors: list[str] = []
    listen(page, "console", lambda m: errors.append(m.text) if m.type == "error" else None)
    listen(page, "pageerror", lambda e: errors.append(str(e)))
    page.base = live_server  # type: ignore[attr-defined]
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"console errors: {errors}"
