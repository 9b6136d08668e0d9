"""A document page in headless Chromium: its own text with every fact's excerpt highlighted
and linked to the fact (counted against the facts of the document), and its notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = Path("var") / "screenshots"
DOC = "cp-1076-conventions-de-mobilisation"


def test_the_document_page_highlights_its_excerpts(guarded: Page) -> None:
    page = guarded
    page.set_viewport_size({"width": 1400, "height": 900})
    answer = page.goto(page.base + f"/id/{DOC}")  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 200
    marks = page.locator("#source-text a.hl mark")
    assert marks.count() > 10
    highlighted = set(
        " ".join(
            page.locator("#source-text a.hl").evaluate_all("a => a.map(x => x.dataset.facts)")
        ).split()
    )
    # the facts of this document: those whose sources quote it
    listed = page.locator("#describes a.ref").evaluate_all(
        "a => a.map(x => x.getAttribute('href'))"
    )
    expected = set()
    for href in [*listed, f"/id/{DOC}"]:  # the document's own facts (its date...) too
        fact = href.removeprefix("/id/")
        data = page.request.get(page.base + f"/api/entities/{fact}").json()  # type: ignore[attr-defined]
        if any(s["id"] == DOC and s.get("excerpt") for s in data.get("sources", [])):
            expected.add(fact)
    unmarked = set(
        page.locator("#source-text ul.unmarked a").evaluate_all(
            "a => a.map(x => x.getAttribute('href').slice(4))"
        )
    )
    assert expected and highlighted == expected - unmarked
    assert len(unmarked) <= 2
    first = page.locator("#source-text a.hl").first
    href = first.get_attribute("href")
    assert href is not None and href.startswith("/id/")
    notices = page.locator("#notes aside.notice.contradiction")
    expect(notices.first).to_be_visible()
    expect(page.locator("#notes")).to_contain_text("daté du 7 mars 2018")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#source-text").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "document-cp-1076.png"))
    first.click()
    page.wait_for_url(f"**{href}")
