"""Pages that summarise, in headless Chromium at 1400x900: an entity page opens with its
figures and a link to its place in the network, long lists are sortable, filterable tables,
a commune page says where it is with a small map. Screenshots in var/screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = Path("var") / "screenshots"


def visit(page: Page, path: str, shot: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    answer = page.goto(page.base + path)  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 200
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / shot))


def test_the_banque_des_territoires_page_summarises(guarded: Page) -> None:
    page = guarded
    visit(page, "/id/banque-des-territoires", "entity-banque-des-territoires.png")
    figure = page.locator('#summary li.figure[data-kind="commitments"] .count')
    total = int(figure.inner_text())
    assert total >= 34
    expect(page.locator("#summary")).to_contain_text("1 000 000 000 €")
    link = page.locator('#summary a.network-link[href="/network?focus=banque-des-territoires"]')
    expect(link).to_be_visible()  # above the fold
    rows = page.locator("#commitments table.commitments tbody tr")
    expect(rows).to_have_count(total)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, height  # was 11 000 px of cards
    page.locator("#commitments .table-filter").fill("par an")
    shown = page.locator("#commitments table.commitments tbody tr:visible")
    assert 0 < shown.count() < total
    expect(page.locator("#commitments .table-count")).to_contain_text(f"sur {total} lignes")
    page.locator("#commitments .table-filter").fill("")
    amount = page.locator("#commitments th", has_text="Montant")
    amount.click()
    amount.click()  # descending: the largest amount first
    expect(amount).to_have_attribute("aria-sort", "descending")
    first = rows.first.locator("td.amount").get_attribute("data-sort")
    values = [
        float(v)
        for v in rows.locator("td.amount").evaluate_all(
            "cells => cells.map(c => c.dataset.sort).filter(Boolean)"
        )
    ]
    assert first is not None and float(first) == max(values)


def test_every_entity_page_links_to_the_network(guarded: Page) -> None:
    for entity in ("eric-lombard", "contrat-ti-nord-franche-comte", "ti1-2707"):
        guarded.goto(guarded.base + f"/id/{entity}")  # type: ignore[attr-defined]
        expect(guarded.locator(f'a.network-link[href="/network?focus={entity}"]')).to_have_count(1)


def test_a_commune_page_says_where_it_is(guarded: Page) -> None:
    page = guarded
    visit(page, "/id/commune-25547", "entity-commune-sochaux.png")
    where = page.locator("#commune")
    expect(where.locator(".epci")).to_contain_text("Montbéliard")
    expect(where.locator(".region")).to_contain_text("Bourgogne-Franche-Comté")
    expect(where.locator(".territories")).to_contain_text("phase 1")
    expect(where.locator(".territories")).to_contain_text("phase 2")
    drawn = page.locator("#commune-map[data-drawn]")
    expect(drawn).to_have_count(1, timeout=10000)
    assert int(drawn.get_attribute("data-drawn") or 0) == 3  # two territories and the commune
    expect(page.locator("#commune-map path.leaflet-interactive")).to_have_count(3)
    page.screenshot(path=str(SHOTS / "entity-commune-sochaux.png"))
