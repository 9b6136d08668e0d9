"""The network as a journalist opens it: a readable default (actors, agreements, events; the
reference geography folded), labels that do not overlap, relations named in French from the
data, and a view that lives in the URL (restored on load, shareable). Screenshots at 1400x900."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.fixtures.pages import open_page

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TOLERANCE = 2.0  # px of overlap allowed between two label boxes


@pytest.fixture
def wide(browser: Browser) -> Page:  # type: ignore[misc]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


def _open(page: Page, url: str) -> None:
    open_page(page, url, "body[data-network-ready]")


def _overlaps(page: Page) -> list[tuple[str, str, float]]:
    """Pairs of drawn labels whose boxes (Cytoscape's, in model units) overlap."""
    boxes = page.evaluate(
        """() => window.tdiNetwork.cy.nodes()
             .filter(n => n.visible() && !n.hasClass('label-hidden') && n.data('shortLabel'))
             .map(n => [n.id(), n.boundingBox({includeNodes: false, includeEdges: false})])"""
    )
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            dx = min(ba["x2"], bb["x2"]) - max(ba["x1"], bb["x1"])
            dy = min(ba["y2"], bb["y2"]) - max(ba["y1"], bb["y1"])
            if dx > TOLERANCE and dy > TOLERANCE:
                out.append((a, b, min(dx, dy)))
    return out


def test_the_network_opens_readable(wide: Page, live_server: str) -> None:
    _open(wide, f"{live_server}/network")
    types = set(
        wide.evaluate("[...new Set(window.tdiNetwork.cy.nodes().map(n => n.data('type')))]")
    )
    assert types <= {"person", "organisation", "agreement", "event"} and "agreement" in types
    assert "territory" not in types and "place" not in types  # reference geography folded
    assert _overlaps(wide) == []
    shown = wide.evaluate(
        "window.tdiNetwork.cy.nodes().filter(n => !n.hasClass('label-hidden')).length"
    )
    assert shown >= 15  # the main actors keep their names
    px = wide.evaluate(
        "const cy = window.tdiNetwork.cy; parseFloat(cy.nodes()[0].style('font-size')) * cy.zoom()"
    )
    assert 11 <= px <= 13  # and their labels are drawn at a legible size
    labels = wide.locator("#network-relations").inner_text()
    assert "a signé pour" in labels and "filiale de" in labels  # presentation.ttl
    assert "signed-for" not in labels and "subsidiary-of" not in labels
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide.screenshot(path=str(SHOTS / "network-default.png"))


def test_the_view_lives_in_the_url(wide: Page, live_server: str) -> None:
    _open(wide, f"{live_server}/network")
    with wide.expect_response(lambda r: "projection=agreements" in r.url):
        wide.select_option("#network-projection", "agreements")
    wide.wait_for_function("location.search.includes('projection=agreements')")
    wide.check("#network-types input[value=territory]")
    wide.wait_for_function("location.search.includes('type=')")
    shared = wide.url
    assert "territory" in shared

    other = wide.context.new_page()
    _open(other, shared)
    assert other.locator("#network-projection").input_value() == "agreements"
    assert other.locator("#network-types input[value=territory]").is_checked()
    assert not other.locator("#network-types input[value=place]").is_checked()
    calls = other.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any("projection=agreements" in c and "territory" in c for c in calls)
    other.close()

    _open(wide, f"{live_server}/network?focus=bpifrance&depth=1&relation=subsidiary-of,signed")
    assert wide.evaluate("window.tdiNetwork.state.focus") == "bpifrance"
    assert wide.locator("#network-depth").input_value() == "1"
    relations = wide.evaluate(
        "[...new Set(window.tdiNetwork.cy.edges().map(e => e.data('relation')))]"
    )
    assert set(relations) <= {"subsidiary-of", "signed"} and relations
    assert "focus=bpifrance" in wide.url
    wide.screenshot(path=str(SHOTS / "network-focus.png"))
