"""The SPARQL query page in a real headless Chromium: YASGUI loads offline, a named query runs
in one click, entity IRIs link to the local pages, answers download in every format."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser


@pytest.fixture
def sparql_page(guarded: Page) -> Page:
    """The query page, kept on 127.0.0.1 and free of console errors (see ``guarded``)."""
    answer = guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    return guarded


def results(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".yasr table.dataTable tbody tr")


def test_editor_with_the_project_prefixes(sparql_page: Page) -> None:
    expect(sparql_page).to_have_title("SPARQL · tdi-graph")
    editor = sparql_page.locator(".yasqe .CodeMirror")
    expect(editor).to_be_visible()
    expect(editor).to_contain_text("PREFIX tdi: <https://w3id.org/tdi-graph/ontology#>")
    expect(editor).to_contain_text("PREFIX id: <https://w3id.org/tdi-graph/id/>")
    expect(sparql_page.locator(".yasqe .cm-keyword").first).to_be_visible()  # highlighted


def test_named_query_in_one_click(sparql_page: Page) -> None:
    sparql_page.locator('button.example[data-name="territory-of-commune"]').click()
    expect(sparql_page.locator(".yasqe .CodeMirror")).to_contain_text("VALUES (?commune)")
    rows = results(sparql_page)
    expect(rows).to_have_count(2, timeout=15_000)
    expect(rows.first).to_contain_text("Nord Franche-Comté")
    link = sparql_page.locator('.yasr a[href="/id/ti1-2707"]').first
    expect(link).to_be_visible()
    link.focus()  # narrow table cells overlap their neighbours: follow it from the keyboard
    link.press("Enter")
    try:
        sparql_page.wait_for_url("**/id/ti1-2707", timeout=2_000)
    except PlaywrightTimeout:  # a cut cell first shows its whole text (YASR), then follows
        link.press("Enter")
        sparql_page.wait_for_url("**/id/ti1-2707")


def test_typed_query_and_downloads(sparql_page: Page) -> None:
    sparql_page.locator('button.example[data-name="persons-and-posts"]').click()
    expect(results(sparql_page)).to_have_count(7, timeout=15_000)
    expect(sparql_page.locator('button.download[data-format="csv"]')).to_be_visible()
    expect(sparql_page.locator('button.download[data-format="turtle"]')).to_be_hidden()
    with sparql_page.expect_download() as info:
        sparql_page.locator('button.download[data-format="csv"]').click()
    download = info.value
    assert download.suggested_filename == "resultats.csv"
    text = open(download.path(), encoding="utf-8").read()  # noqa: SIM115
    assert text.startswith("person,personLabel,post") and "Éric Lombard" in text
    with sparql_page.expect_download() as info:
        sparql_page.locator('button.download[data-format="json"]').click()
    assert '"bindings"' in open(info.value.path(), encoding="utf-8").read()  # noqa: SIM115


def test_graph_query_downloads(sparql_page: Page) -> None:
    tab = "window.tdiSparql.yasgui.getTab()"
    sparql_page.evaluate(f"{tab}.setQuery('DESCRIBE <https://w3id.org/tdi-graph/id/bpifrance>')")
    sparql_page.evaluate("window.tdiSparql.refreshDownloads()")
    expect(sparql_page.locator('button.download[data-format="csv"]')).to_be_hidden()
    for name, start in (("turtle", "@prefix"), ("ntriples", "<https://"), ("jsonld", "[")):
        with sparql_page.expect_download() as info:
            sparql_page.locator(f'button.download[data-format="{name}"]').click()
        assert open(info.value.path(), encoding="utf-8").read().lstrip().startswith(start)  # noqa: SIM115


def test_errors_are_shown(sparql_page: Page) -> None:
    sparql_page.evaluate("window.tdiSparql.yasgui.getTab().setQuery('SELECT * WHERE { ?s ?p }')")
    with sparql_page.expect_response("**/sparql") as info:
        sparql_page.locator(".yasqe_queryButton").click()
    assert info.value.status == 400
    expect(sparql_page.locator(".yasr")).to_contain_text("syntax error", timeout=10_000)
    errors = sparql_page.console_errors  # type: ignore[attr-defined]
    assert errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    errors.clear()  # the one expected
