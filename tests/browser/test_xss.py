"""The XSS fixture (issue 12): a store whose labels, names, titles, descriptions, excerpts and
document text carry ``<script>``, ``"><img src=x onerror=...>``, quotes and ``javascript:``
IRIs (``tests/browser/hostile/``), served over real HTTP and visited in headless Chromium, page
kind by page kind. The browser context bypasses the Content-Security-Policy, so that a payload
that reached the DOM would run: no dialog may open, no element may come from a payload, each
payload shows as text, and no link, source or action starts with ``javascript:``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tdi_graph.load import load
from tdi_graph.resources import data_dir
from tdi_graph.settings import Settings
from tests.conftest import SEEDS
from tests.fixtures import REFERENCE
from tests.fixtures.pages import click_node, forget, goto_settled, keep_local
from tests.fixtures.serving import free_port, served

pytestmark = pytest.mark.browser

HOSTILE = Path(__file__).parent / "hostile"
PERSON = "<script>alert('person')</script> Personne hostile"
NAME = 'Personne "><img src=x onerror=alert(1)> hostile'
COMPANY = "Entreprise \"><img src=x onerror=alert(1)> l'hostile « ' \" »"
DOCUMENT = "<script>alert('doc')</script> Communiqué \"><img src=x onerror=alert(1)> hostile"
CONTRACT = "Contrat <script>alert('contract')</script> hostile"
EVENT = 'Événement "><svg onload=alert(1)> hostile'
SIGNATURE = "Signature <img src=x onerror=alert(1)> hostile"
COMMITMENT = "Engagement <iframe src=javascript:alert(1)> hostile"
#: an excerpt as shown: its markup stripped, its entities decoded (``clean_excerpt``)
EXCERPT = 'Le contrat "> a été signé par la personne hostile.'
DECODED = "<script>alert('excerpt')</script> signé"
#: a paragraph of the document's text (``hostile.txt``), shown as it is
PARAGRAPH = 'Le contrat "><img src=x onerror=alert(1)> a été signé par la personne hostile.'

#: what a page may not hold once loaded: elements a payload would have made, inline handlers,
#: and URLs with the javascript: scheme (as the browser reads them: case, spaces, controls)
INERT = """() => {
  const out = [], URLS = ['href', 'src', 'action', 'formaction', 'xlink:href'];
  for (const e of document.querySelectorAll('img[src="x"], svg[onload], iframe, b[onmouseover]'))
    out.push('element: ' + e.outerHTML.slice(0, 120));
  for (const s of document.scripts)
    if (s.textContent.includes('alert(')) out.push('script: ' + s.outerHTML.slice(0, 120));
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) {
      const value = a.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (a.name.startsWith('on')) out.push('handler: ' + e.outerHTML.slice(0, 120));
      else if (URLS.includes(a.name) && value.startsWith('javascript:'))
        out.push(a.name + ': ' + e.outerHTML.slice(0, 160));
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The curated data and the test reference sample plus the hostile document, in a store of
    their own, served on 127.0.0.1; yields the base URL."""
    root = tmp_path_factory.mktemp("hostile")
    data, seeds, store = root / "data", root / "seeds", root / "store"
    data.mkdir()
    for name in ("entities.ttl", "curation.ttl"):
        shutil.copy(data_dir() / name, data / name)
    shutil.copytree(data_dir() / "sources", data / "sources")
    shutil.copy(HOSTILE / "hostile.ttl", data / "sources" / "hostile-document.ttl")
    shutil.copytree(SEEDS, seeds)
    shutil.copy(HOSTILE / "hostile.txt", seeds / "hostile.txt")
    load(store, validate=False, data=data, reference=REFERENCE, sources=seeds)

    from tdi_graph_api.app import create_app

    settings = Settings(store=store, query_timeout=10.0, query_workers=2, access_log=False)
    app = create_app(store_dir=store, settings=settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    with served(uvicorn.Server(config)) as base:
        yield base


@pytest.fixture(scope="module")
def unprotected(browser: Browser) -> Iterator[BrowserContext]:
    """The module's browser context, without the CSP's protection."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    yield context
    context.close()


@pytest.fixture
def hostile(unprotected: BrowserContext, hostile_server: str) -> Iterator[Page]:
    """A page without the CSP's protection, kept on 127.0.0.1, recording every dialog and every
    console error; the test fails at teardown if any came."""
    page = unprotected.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def dialog(d) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    outside = keep_local(page)
    page.on("dialog", dialog)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.base = hostile_server  # type: ignore[attr-defined]
    yield page
    forget(unprotected)
    assert dialogs == [], f"a payload ran: {dialogs}"
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"console errors: {errors}"


def visit(page: Page, path: str, *texts: str, ready: str = "main") -> None:
    """Load ``path``; each of ``texts`` shows as text; nothing the payloads could make is there."""
    answer = goto_settled(page, page.base + path, ready)  # type: ignore[attr-defined]
    assert answer is not None and answer.status == 200, path
    assert_inert(page, path, *texts)


def assert_inert(page: Page, where: str, *texts: str) -> None:
    page.wait_for_timeout(100)  # an onerror of an injected image would have fired by now
    shown = page.inner_text("body")
    for text in texts:
        assert text in shown, (where, text)
    assert page.evaluate(INERT) == [], where


def test_the_home_and_search_pages(hostile: Page) -> None:
    visit(hostile, "/", DOCUMENT)
    visit(hostile, "/search?q=hostile", PERSON, COMPANY, CONTRACT)
    payload = "<script>alert('q')</script>\"><img src=x onerror=alert(1)>"
    visit(hostile, "/search?q=" + quote(payload))
    expect(hostile.locator('header input[name="q"], main input[name="q"]').first).to_have_value(
        payload
    )


@pytest.mark.parametrize(
    ("entity", "texts"),
    [
        ("hostile-person", (PERSON, NAME, "javascript:alert('sameAs')", SIGNATURE, DECODED)),
        ("hostile-company", (COMPANY, "<b onmouseover=alert(1)>gras</b>", COMMITMENT)),
        ("hostile-contract", (CONTRACT, SIGNATURE, PERSON)),
        ("hostile-event", (EVENT, EXCERPT)),
        ("hostile-signature", (SIGNATURE, CONTRACT, EVENT, EXCERPT, DECODED)),
        ("hostile-signatory", (PERSON, COMPANY)),
        ("hostile-commitment", (COMMITMENT, "<script>alert('commitment')</script>", CONTRACT)),
        ("hostile-document", (DOCUMENT, "</script><script>alert('date')</script>", EXCERPT)),
        ("commune-25547", (SIGNATURE, EVENT)),  # where the hostile facts took place
        ("eric-lombard", ("Éric Lombard",)),  # the other kinds, beside the hostile data
        ("bpifrance", ("Bpifrance",)),
        ("contrat-ti-nord-franche-comte", ("Nord Franche-Comté",)),
        ("ti1-2707", ("Nord Franche-Comté",)),
        ("region-27", ("Bourgogne-Franche-Comté",)),
        ("cp-bdt-2019-03-20-nord-franche-comte", ("Sochaux, le 20 mars 2019",)),
    ],
)
def test_entity_pages(hostile: Page, entity: str, texts: tuple[str, ...]) -> None:
    visit(hostile, f"/id/{entity}", *texts)


def test_the_document_text_shows_the_payloads_as_text(hostile: Page) -> None:
    visit(hostile, "/id/hostile-document", PARAGRAPH, "Communiqué <script>alert('doc')</script>")
    mark = hostile.locator("#source-text a.hl", has_text="javascript:alert(1)")
    expect(mark).to_have_attribute("title", PERSON + " pour l'entreprise")
    expect(mark).to_have_attribute("href", "/id/hostile-signatory")


def test_the_network_and_its_card(hostile: Page) -> None:
    visit(hostile, "/network?type=all&lang=fr", ready="body[data-network-ready]")
    click_node(hostile, "hostile-person")
    expect(hostile.locator("#entity-card")).to_be_visible()
    assert_inert(hostile, "network card", PERSON, COMPANY)
    visit(hostile, "/network?focus=hostile-company&lang=fr", ready="body[data-network-ready]")


def test_the_map_and_its_commune_card(hostile: Page) -> None:
    visit(hostile, "/map", ready="path.commune-commune-25547")
    hostile.locator("path.commune-commune-25547").click()
    assert_inert(hostile, "map card", SIGNATURE, EVENT, DOCUMENT)


def test_the_named_queries_and_a_form(hostile: Page) -> None:
    visit(hostile, "/queries", "signatories-of-agreement")
    visit(
        hostile,
        "/queries/signatories-of-agreement?agreement=hostile-contract",
        SIGNATURE,
        PERSON,
        COMPANY,
        ready="table.results",
    )
    visit(hostile, "/queries/commitments-of-actor?actor=hostile-company", COMMITMENT)


def test_the_sparql_table_shows_literals_and_iris_as_text(hostile: Page) -> None:
    visit(hostile, "/sparql?lang=fr", ready="#yasgui .CodeMirror")
    query = (
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "SELECT ?s ?label ?home WHERE { BIND(<https://w3id.org/tdi-graph/id/hostile-person> AS ?s)"
        " ?s rdfs:label ?label ; foaf:name ?name ; foaf:homepage ?home }"
    )
    hostile.evaluate("q => window.tdiSparql.yasgui.getTab().setQuery(q)", query)
    hostile.evaluate("window.tdiSparql.yasgui.getTab().query()")
    table = hostile.locator(".yasr table.dataTable tbody tr")
    expect(table.first).to_be_visible(timeout=15_000)
    assert_inert(hostile, "sparql table", PERSON, "javascript:alert('homepage')")


def test_the_checks_see_a_payload_that_runs(browser: Browser, hostile_server: str) -> None:
    """The control: without the CSP, a payload put into a page does run, and is seen, by the
    dialog handler and by :data:`INERT`."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile_server + "/queries")
    page.evaluate(
        """() => {
            const div = document.createElement('div');
            div.innerHTML = '<img src=x onerror=alert(7)><a href=" JavaScript:alert(8)">x</a>';
            document.querySelector('main').append(div);
        }"""
    )
    page.wait_for_timeout(300)
    found = page.evaluate(INERT)
    context.close()
    assert dialogs == ["7"]
    assert any(f.startswith("element: <img") for f in found)
    assert any(f.startswith("handler:") for f in found)
    assert any(f.startswith("href:") for f in found)
