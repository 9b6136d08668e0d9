"""The interactive network page in headless Chromium: nodes drawn, a click opens a card."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.fixtures.pages import click_node, open_page

pytestmark = pytest.mark.browser


def _open(page: Page, url: str) -> list[str]:
    """Load the page in French, record every request, wait until the network is drawn."""
    url += ("&" if "?" in url else "?") + "lang=fr"
    return open_page(page, url, "body[data-network-ready]")


def test_network_page_draws_nodes_and_a_click_opens_the_entity_card(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    requests = _open(page, f"{live_server}/network?type=all")
    count = page.evaluate("window.tdiNetwork.cy.nodes().length")
    assert count > 50
    assert page.evaluate("window.tdiNetwork.cy.edges().length") > count
    colours = page.evaluate(
        "[...new Set(window.tdiNetwork.cy.nodes().map(n => n.style('background-color')))]"
    )
    assert len(colours) >= 5  # coloured by type
    shot = tmp_path / "network.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    click_node(page, "eric-lombard")
    card = page.locator("#entity-card")
    card.wait_for(state="visible")
    assert "Éric Lombard" in card.inner_text()
    assert card.locator(".badge").first.inner_text() == "personne"  # presentation.ttl
    assert card.locator("a.entity-link").get_attribute("href") == "/id/eric-lombard"
    assert "Signature du contrat" in card.locator("ul.sources").inner_text()
    assert "cosignataire avec" in card.inner_text()  # presentation.ttl, not co-signed-with
    assert "co-signed-with" not in card.inner_text()
    assert all(url.startswith(live_server) for url in requests), requests


def _click_edge(page: Page, edge: str) -> None:
    """Click the middle of an edge where Cytoscape drew it, alone with its two ends.

    The ends are moved apart first: the layout may draw a short edge under the disc of a
    big node (zooming scales both alike), and the click would then open the node's card."""
    x, y = page.evaluate(
        """(id) => {
            const cy = window.tdiNetwork.cy;
            const edge = cy.getElementById(id);
            const ends = edge.connectedNodes();
            cy.elements().not(edge.union(ends)).style('display', 'none');
            const width = Math.max(...ends.map((n) => n.outerWidth()));
            ends[0].position({ x: 0, y: 0 });
            ends[1].position({ x: 6 * width, y: 0 });
            cy.fit(ends, 100);
            const p = edge.renderedMidpoint();
            const box = document.getElementById('cy').getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        edge,
    )
    page.mouse.click(x, y)


def test_an_edge_card_quotes_its_source_or_says_it_is_curated(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/network?type=all")
    _click_edge(page, "bpifrance|caisse-des-depots|subsidiary-of")
    card = page.locator("#entity-card")
    card.wait_for(state="visible")
    assert card.locator("h2").inner_text() == "filiale de"
    assert "subsidiary-of" not in card.inner_text()
    assert card.locator("em.relation-label").inner_text() == "filiale de"  # presentation.ttl
    quote = card.locator("ul.edge-sources blockquote.excerpt")
    assert quote.inner_text() == (
        "Bpifrance, filiale de la Caisse des Dépôts qui déploie le French Fab Tour"
    )
    assert "Signature du contrat" in card.locator("ul.edge-sources a").inner_text()
    assert "null" not in card.inner_text()
    _open(page, f"{live_server}/network?type=all")
    _click_edge(page, "pole-metropolitain-nord-franche-comte|ti1-2707|jurisdiction")
    card.wait_for(state="visible")
    assert card.locator("p.curation-only").is_visible()
    reason = card.locator("ul.edge-sources p.reason").inner_text()
    assert reason.startswith("Rattachement établi par l'équipe tdi-graph")
    assert "Registre des entités de tdi-graph" in card.inner_text()
    assert card.locator("blockquote").count() == 0
    assert "null" not in card.inner_text()


def test_search_focuses_the_ego_network(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/network")
    page.fill("#network-search-input", "Bpifrance")
    with page.expect_response(lambda r: "focus=bpifrance" in r.url):
        page.click("#network-search button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('network-status').textContent.includes('autour')"
    )
    ids = page.evaluate("window.tdiNetwork.cy.nodes().map(n => n.id())")
    assert "bpifrance" in ids
    assert page.evaluate("window.tdiNetwork.cy.getElementById('bpifrance').hasClass('focus')")
    whole = page.evaluate("window.tdiNetwork.state.allNodes.size")
    assert len(ids) < whole
    assert page.locator("#entity-card").is_visible()
    assert page.locator("#network-clear-focus").is_visible()


def test_relation_and_date_filters(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/network")

    page.click("#network-relations-none")  # nothing to ask the server for
    page.wait_for_function(
        "() => document.getElementById('network-status').textContent.includes('Choisissez')"
    )
    assert page.evaluate("window.tdiNetwork.cy.elements().length") == 0
    with page.expect_response(lambda r: "relation=signed" in r.url):
        page.check("#network-relations input[value=signed]")
    page.wait_for_function("() => window.tdiNetwork.cy.edges().length > 0")
    relations = page.evaluate(
        "[...new Set(window.tdiNetwork.cy.edges().map(e => e.data('relation')))]"
    )
    assert relations == ["signed"]
    with page.expect_response(lambda r: "until=2019-03-31" in r.url):
        page.fill("#network-until", "2019-03-31")
        page.dispatch_event("#network-until", "change")
    page.wait_for_timeout(200)
    dates = page.evaluate("window.tdiNetwork.cy.edges().map(e => e.data('date') || '')")
    assert dates and all(d <= "2019-03-31" for d in dates)
    href = page.get_attribute(".exports a[data-format=graphml]", "href")
    assert "relation=signed" in href and "until=2019-03-31" in href


def test_focus_from_the_url_and_unknown_focus(page: Page, live_server: str) -> None:
    _open(page, f"{live_server}/network?focus=ti1-2707")
    assert "autour de « Nord Franche-Comté »" in page.inner_text("#network-status")
    assert page.locator("#entity-card").is_visible()
    _open(page, f"{live_server}/network?focus=ti1-0101")  # a territory no source speaks of
    page.wait_for_function(
        "() => document.getElementById('network-status').textContent.includes('apparaît pas')"
    )
    assert page.evaluate("window.tdiNetwork.cy.nodes().length") > 50


def test_the_network_speaks_english_with_lang_en(page: Page, live_server: str) -> None:
    """?lang=en: the status line, the node card and its class come from the catalogue and the
    model's English labels, not the French strings."""
    _open(page, f"{live_server}/network?focus=eric-lombard&lang=en")
    status = page.inner_text("#network-status")
    assert " nodes, " in status and " links around “Éric Lombard”" in status, status
    card = page.inner_text("#entity-card")
    assert "See the entity's page" in card and "Centre the network here" in card, card
    assert "person" in card and "Voir la fiche" not in card and "Person" not in card, card
