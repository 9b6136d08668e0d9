"""The HTML pages in a real headless Chromium: home, search, entity pages (no internet)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def local(guarded: Page) -> Page:
    """The page, kept on 127.0.0.1 and free of console errors (see ``guarded``)."""
    return guarded


def go(page: Page, path: str) -> None:
    answer = page.goto(page.base + path)  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 200


def test_home_says_what_the_graph_holds(local: Page) -> None:
    go(local, "/")
    expect(local).to_have_title("Accueil · tdi-graph")
    counts = local.locator("#holdings table.counts")
    expect(counts.locator("tr", has_text="person")).to_contain_text("7")
    expect(counts.locator("tr", has_text="territoire")).to_contain_text("66")  # the sample
    expect(local.locator("#latest-events")).to_contain_text("Étape sochalienne du French Fab Tour")
    for href in ("/search", "/queries", "/network", "/map", "/sparql", "/docs"):
        expect(local.locator(f'#explore a[href="{href}"]')).to_have_count(1)
    expect(local.locator("#documents li")).to_have_count(5)


def test_search_from_the_header_to_a_person_page(local: Page) -> None:
    go(local, "/id/region-27")
    box = local.locator('header form.search input[name="q"]')
    box.fill("pannier runacher")
    box.press("Enter")
    local.wait_for_url("**/search?q=pannier+runacher")
    first = local.locator("ol.results li.result").first
    expect(first).to_have_attribute("data-id", "agnes-pannier-runacher")
    first.locator("a").click()
    local.wait_for_url("**/id/agnes-pannier-runacher")
    expect(local.locator("h1")).to_contain_text("Agnès Pannier-Runacher")
    expect(local.locator("#roles")).to_contain_text("secrétaire d'Etat auprès du ministre")


def test_a_person_page_shows_signatures_with_sources(local: Page) -> None:
    go(local, "/id/eric-lombard")
    expect(local.locator("h1")).to_contain_text("Éric Lombard")
    card = local.locator("#signatures li.signature")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Contrat Territoire d'industrie Nord Franche-Comté")
    expect(card).to_contain_text("2019-03-19")
    expect(card.locator("ul.signatories li")).to_have_count(3)
    expect(card.locator("ul.signatories")).to_contain_text(
        "Marie-Guite Dufay pour Région Bourgogne-Franche-Comté"
    )
    excerpt = card.locator("blockquote.excerpt", has_text="il a signé le contrat")
    expect(excerpt).to_be_visible()
    expect(card.locator("cite").first).to_contain_text("Sochaux, le 20 mars 2019")
    expect(local.locator("#roles")).to_contain_text("directeur général de la Caisse des Dépôts")
    local.locator("#signatures a", has_text="site PSA de Sochaux").first.click()
    local.wait_for_url("**/id/site-psa-sochaux")
    expect(local.locator("#relations")).to_contain_text("Sochaux")


def test_an_organisation_page_shows_its_commitments_and_their_sum(local: Page) -> None:
    go(local, "/id/banque-des-territoires")
    expect(local.locator(".amount-total")).to_have_text("1 000 000 000 €")
    yearly = local.locator("#engagement-bdt-100m-par-an")
    expect(yearly).to_contain_text("100 000 000 € par an")
    expect(yearly).to_contain_text("jusqu'en 2022")
    expect(yearly.locator("blockquote.excerpt")).to_have_count(2)


def test_the_search_page_filters_by_type_and_suggests(local: Page) -> None:
    go(local, "/search?q=sochaux&type=event")
    results = local.locator("ol.results li.result")
    expect(results.first).to_have_attribute("data-id", "french-fab-tour-sochaux-2019")
    expect(local.locator('select[name="type"]')).to_have_value("event")
    with local.expect_response(lambda r: "/api/search" in r.url):
        local.locator("#search-q").fill("chatelle")
    expect(local.locator('#search-suggestions option[value="Châtellerault"]')).to_have_count(1)


def test_the_queries_page_lists_the_named_queries(local: Page) -> None:
    go(local, "/queries")
    expect(local.locator('a[href="/queries/api-signatures"]')).to_have_count(2)  # name, summary
    expect(local.locator('a[href="/sparql"]').first).to_be_visible()


def test_a_request_off_the_machine_is_recorded_and_fails(page: Page) -> None:
    """The guard of the page tests: the browser's proxy is a dead port, ``keep_local`` lists."""
    from playwright.sync_api import Error

    from tests.fixtures.pages import keep_local

    outside = keep_local(page)
    with pytest.raises(Error, match="ERR_PROXY_CONNECTION_FAILED|ERR_TUNNEL_CONNECTION_FAILED"):
        page.goto("http://192.0.2.1/page", timeout=10_000)
    assert outside == ["http://192.0.2.1/page"]


def test_the_kept_page_starts_the_next_test_blank(page: Page, live_server: str) -> None:
    """``forget`` leaves the module's page as a new one: no storage, cookie, helper listener or
    other page, the default viewport, on a blank document."""
    from tests.fixtures.pages import VIEWPORT, forget, listen

    heard: list[str] = []
    listen(page, "request", lambda request: heard.append(request.url))
    page.set_viewport_size({"width": 700, "height": 500})
    page.goto(live_server + "/")
    page.evaluate("() => { localStorage.setItem('k', '1'); sessionStorage.setItem('k', '1'); }")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    other = page.context.new_page()
    assert heard and len(page.context.pages) == 2

    forget(page.context, keep=page)
    assert page.url == "about:blank" and page.viewport_size == VIEWPORT
    assert page.context.pages == [page] and other.is_closed()
    assert page.context.cookies() == []
    heard.clear()
    page.goto(live_server + "/")
    assert heard == []
    stored = page.evaluate("() => [localStorage.getItem('k'), sessionStorage.getItem('k')]")
    assert stored == [None, None]
