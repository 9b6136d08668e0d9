"""``/docs`` in headless Chromium with every request off 127.0.0.1 refused: Swagger UI is
served from ``static/vendor`` and draws the app's operations; an HTML error page for a 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = Path("var") / "screenshots"


def test_docs_render_their_operations_offline(guarded: Page) -> None:
    guarded.set_viewport_size({"width": 1400, "height": 900})
    answer = guarded.goto(guarded.base + "/docs")  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 200
    operations = guarded.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=15000)
    assert operations.count() > 20
    expect(
        guarded.locator(".opblock-summary-path", has_text="/api/entities/{entity_id}")
    ).to_have_count(1)
    expect(guarded.locator(".info .title")).to_contain_text("tdi-graph")
    SHOTS.mkdir(parents=True, exist_ok=True)
    guarded.screenshot(path=str(SHOTS / "docs.png"))
    # `guarded` fails at teardown if any request left 127.0.0.1 or the console logged an error


def test_a_missing_page_is_an_html_page_with_a_way_back(guarded: Page) -> None:
    answer = guarded.goto(guarded.base + "/id/no-such-entity")  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 404
    expect(guarded.locator("h1")).to_contain_text("Page introuvable")
    expect(guarded.locator('a[href="/"]').first).to_be_visible()
    guarded.console_errors.clear()  # type: ignore[attr-defined]  # the 404 itself is logged
