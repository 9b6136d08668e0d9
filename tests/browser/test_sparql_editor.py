"""The SPARQL editor as a reader uses it: a shared link restores its query, the query survives a
reload, a query without PREFIX lines runs, literals read as values, code snippets follow."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NO_PREFIX = (
    "SELECT ?title ?date WHERE {\n  ?d a tdi:PressRelease ; dct:title ?title ; dct:date ?date\n}"
    " ORDER BY ?date"
)


def editor_text(page: Page) -> str:
    return str(page.evaluate("window.tdiSparql.yasgui.getTab().getQuery()"))


def set_query(page: Page, query: str) -> None:
    page.evaluate("q => window.tdiSparql.yasgui.getTab().setQuery(q)", query)


def run(page: Page) -> None:
    page.evaluate("window.tdiSparql.yasgui.getTab().query()")


def rows(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".yasr table.dataTable tbody tr")


def test_a_shared_link_restores_its_query(guarded: Page) -> None:
    base = guarded.base  # type: ignore[attr-defined]
    guarded.goto(base + "/sparql")
    query = "SELECT ?org WHERE { ?org a foaf:Organization } LIMIT 3"
    set_query(guarded, query)
    guarded.locator(".yasqe_share").click()
    link = guarded.locator(".yasqe_sharePopup input").input_value()
    assert "query=" in link
    other = guarded.context.new_page()
    other.goto(link)
    other.wait_for_function("window.tdiSparql !== undefined")
    assert editor_text(other) == query
    fresh = guarded.context.browser.new_context()  # type: ignore[union-attr]
    try:  # another browser, nothing stored: the link alone brings the query; ?query= too
        for url in (link, base + "/sparql?query=" + quote(query)):
            page = fresh.new_page()
            page.goto(url)
            page.wait_for_function("window.tdiSparql !== undefined")
            assert editor_text(page) == query
    finally:
        fresh.close()
    other.close()


def test_the_query_survives_a_reload(guarded: Page) -> None:
    guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    set_query(guarded, "ASK { ?s a tdi:Agreement }")
    guarded.wait_for_timeout(300)
    guarded.reload()
    guarded.wait_for_function("window.tdiSparql !== undefined")
    assert editor_text(guarded) == "ASK { ?s a tdi:Agreement }"


def test_a_query_without_prefix_lines_runs_and_shows_values(guarded: Page) -> None:
    guarded.set_viewport_size({"width": 1400, "height": 900})
    guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    set_query(guarded, NO_PREFIX)
    run(guarded)
    expect(rows(guarded)).to_have_count(4, timeout=15_000)
    table = guarded.locator(".yasr table.dataTable tbody")
    text = table.inner_text()
    assert "@fr" not in text and "^^" not in text and '"' not in text
    date = table.locator('span.literal[data-datatype="xsd:date"]').first
    expect(date).to_have_attribute("title", "type : xsd:date")
    assert len(date.inner_text()) == 10  # 2023-11-22
    SHOTS.mkdir(parents=True, exist_ok=True)
    guarded.screenshot(path=str(SHOTS / "sparql-no-prefix.png"), full_page=True)


def test_an_unknown_prefix_is_named_in_the_editor(guarded: Page) -> None:
    guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    set_query(guarded, "SELECT * WHERE { ?s a foo:Bar }")
    guarded.evaluate("window.tdiSparql.yasgui.getTab().query().catch(() => null)")
    expect(guarded.locator(".yasr")).to_contain_text("préfixe inconnu `foo:`", timeout=15_000)
    guarded.console_errors.clear()  # type: ignore[attr-defined]  # the 400 is logged


def test_code_snippets_follow_the_query(guarded: Page) -> None:
    guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    set_query(guarded, "SELECT ?x WHERE { ?x a tdi:Agreement } LIMIT 2")
    guarded.locator("#snippets summary").click()
    code = guarded.locator("#snippet-code")
    expect(code).to_contain_text("SPARQLWrapper(")
    expect(code).to_contain_text('"SELECT ?x WHERE { ?x a tdi:Agreement } LIMIT 2"')
    for key, needle in (("rdflib", "SPARQLStore("), ("r", "library(httr)"), ("curl", "curl -s")):
        guarded.locator(f'[data-snippet="{key}"]').click()
        expect(code).to_contain_text(needle)
    expect(code).to_contain_text("--data-urlencode query='SELECT ?x")
