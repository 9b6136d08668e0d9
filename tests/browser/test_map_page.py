"""The map page in headless Chromium: territory shapes drawn, a click opens the territory card."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.fixtures.pages import open_page

pytestmark = pytest.mark.browser
FILLS = (
    "[...new Set([...document.querySelectorAll('path.ti-shape')].map(p => p.getAttribute('fill')))]"
)


def _open(page: Page, url: str) -> list[str]:
    return open_page(page, url, "body[data-map-ready]")


def test_map_draws_the_territories_and_a_click_opens_the_card(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    requests = _open(page, f"{live_server}/map")
    shapes = page.locator("path.ti-shape")
    assert shapes.count() >= 140  # 149 territories, a few drawn as points
    assert page.locator("path.commune-point").count() >= 1
    assert page.locator(".leaflet-tile").count() == 0  # no tile server
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.locator("path.ti-ti1-2701").click()
    card = page.locator("#territory-card")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Auxois Morvan" in text
    assert "contrat signé" in text
    assert "Groupements (4)" in text
    assert "7 premiers contrats" in card.locator("ul.sources").inner_text()
    assert all(url.startswith(live_server) for url in requests), requests


def test_a_commune_point_opens_its_territory_card(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/map")
    page.locator("path.commune-commune-25547").click()
    card = page.locator("#territory-card")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Sochaux" in text
    assert "Nord Franche-Comté" in text
    assert "signé le 2019-03-19" in text
    assert "CA Pays de Montbéliard Agglomération" in text


def test_phase_and_colour_switches(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/map")
    fills = page.evaluate(FILLS)
    assert len(fills) <= 3  # by contract status
    page.select_option("#map-colour", "region")
    fills = page.evaluate(FILLS)
    assert len(fills) >= 12  # one colour per region
    page.select_option("#map-phase", "2")
    page.wait_for_selector("body[data-map-ready='2']")
    assert page.locator("path.ti-shape").count() == 183
    assert page.locator("path.ti-ti2-2708").count() == 1
