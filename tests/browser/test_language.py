"""One language per page: in French (the default) no English type or relation name and no raw
CURIE where the ontology has a label; with ``?lang=en``, the English labels; the choice is kept
across pages by its cookie."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tdi_graph.view.terms import Terms
from tests.fixtures.pages import goto_settled

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

#: one page of each kind; the selector that says it is drawn.
PAGES = {
    "/": "main",
    "/id/eric-lombard": "article.entity",  # person
    "/id/banque-des-territoires": "article.entity",  # organisation
    "/id/ti1-0101": "article.entity",  # territory
    "/id/commune-01015": "article.entity",  # place
    "/id/assemblee-generale-tdi-2019": "article.entity",  # event
    "/id/contrat-ti-carros": "article.entity",  # agreement
    "/id/territoires-d-industrie": "article.entity",  # programme
    "/id/engagement-bdt-100m-par-an": "article.entity",  # commitment
    "/id/cp-bdt-2019-03-20-nord-franche-comte": "article.entity",  # document
    "/id/tdi:Offers": "article.entity",  # concept
    "/search?q=territoire": "li.result",
    "/network": "#network-types label",
    "/map": "main",
    "/queries": "table",
    "/sparql": ".yasqe",
}
CURIE = re.compile(
    r"(?<![\w/#:])((?:tdi|foaf|skos|schema|org|dct|prov|rdfs|rdf|owl|time|dcat):[A-Za-z][\w-]*)"
)
# text the visitor reads: code, the query editor and content marked as English left out
VISIBLE_TEXT = """() => {
  const skip = "code, pre, script, style, .CodeMirror, .yasqe, [lang=en]:not(html), [hidden]";
  const names = "th, dt, label, legend, option, .badge, h2, strong, em";
  const out = [], named = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest(skip) || !el.getClientRects().length) continue;
    out.push(n.textContent);
    if (el.closest(names)) named.push(n.textContent);
  }
  return [out.join("\\n"), named.join("\\n")];
}"""


@pytest.fixture(scope="module")
def terms(store) -> Terms:  # type: ignore[no-untyped-def]
    return Terms.build(store)


@pytest.fixture(scope="module")
def concepts(store) -> set[str]:  # type: ignore[no-untyped-def]
    skos = "http://www.w3.org/2004/02/skos/core#"
    kinds = f"<{skos}Concept> <{skos}ConceptScheme>"
    query = f"SELECT DISTINCT ?c WHERE {{ ?c a ?k VALUES ?k {{ {kinds} }} }}"
    return {r[0].value for r in store.query(query, use_default_graph_as_union=True)}


def english_only(terms: Terms, concepts: set[str]) -> tuple[set[str], set[str]]:
    """English names that differ from their French: the multi-word names of types, relations,
    classes and properties (no French text has them), and the one-word names of types and
    relations (checked only where a page names things: headings, badges, table heads, legends)."""
    found: set[str] = set()
    for table in (terms.types, terms.network):
        for name, by in table.items():
            if by.get("en") and by.get("en") != by.get("fr"):
                found.add(by["en"])
            if "-" in name:
                found.add(name)  # a network relation's API name (holds-post-in)
    words = {w for w in found if " " not in w and "-" not in w}
    for iri, by in terms.labels.items():
        en, fr = by.get("en"), by.get("fr")
        # multi-word labels of classes and properties (concepts are data, not the model)
        if en and fr and en != fr and " " in en and iri not in concepts:
            found.add(en)
    return found - words, words


def visible(page: Page, url: str, ready: str) -> tuple[str, str]:
    """The page's visible text, and the part of it that names things."""
    goto_settled(page, url, ready)
    text, names = page.evaluate(VISIBLE_TEXT)
    return text, names


def found_in(words: set[str], text: str) -> list[str]:
    return sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))


def named_terms(text: str, terms: Terms) -> list[str]:
    """The CURIEs in ``text`` that the model has a label for."""
    return sorted({c for c in CURIE.findall(text) if terms.label(c)})


@pytest.mark.parametrize("path", sorted(PAGES))
def test_a_french_page_shows_no_english_label_nor_raw_curie(
    guarded: Page, terms: Terms, concepts: set[str], path: str
) -> None:
    text, names = visible(guarded, guarded.base + path, PAGES[path])  # type: ignore[attr-defined]
    assert guarded.evaluate("document.documentElement.lang") == "fr"
    phrases, words = english_only(terms, concepts)
    english = found_in(phrases, text) + found_in(words, names)
    assert english == [], f"{path}: English labels in French: {english}"
    assert named_terms(text, terms) == [], f"{path}: raw CURIEs where a label exists"
    if path in ("/id/banque-des-territoires", "/network"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        guarded.screenshot(path=str(SHOTS / f"lang-fr{path.replace('/', '-')}.png"))


def test_the_same_pages_in_english(guarded: Page, terms: Terms) -> None:
    base = guarded.base  # type: ignore[attr-defined]
    text, _ = visible(guarded, base + "/id/banque-des-territoires?lang=en", "article.entity")
    assert guarded.evaluate("document.documentElement.lang") == "en"
    assert "organisation" in guarded.inner_text("h1 .badge")
    relations = guarded.inner_text("#relations")
    assert "published" in relations and "party to" in relations and "a publié" not in relations
    assert "alternative label" in text and "autre nom" not in text
    assert named_terms(text, terms) == []
    # kept by the cookie on the next page, without ?lang=
    visible(guarded, base + "/network", "#network-types label")
    assert guarded.evaluate("document.documentElement.lang") == "en"
    relations = " ".join(guarded.locator("#network-relations label").all_text_contents())
    assert "holds a post in" in relations and "occupe un poste dans" not in relations
    text, _ = visible(guarded, base + "/queries", "table")
    assert "Money - every commitment with an amount, and whether it is counted" in text
    # and back to French through the switch link
    guarded.click("a.lang-switch")
    guarded.wait_for_selector("html[lang=fr]")
    assert "Argent - chaque engagement chiffré, et s'il est compté" in guarded.inner_text("main")
    SHOTS.mkdir(parents=True, exist_ok=True)
    guarded.screenshot(path=str(SHOTS / "lang-fr-queries.png"))


def test_accept_language_chooses_english(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"}
    )
    page = context.new_page()
    page.goto(live_server + "/id/eric-lombard")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.inner_text("h1 .badge") == "person"
    context.close()


def test_yasgui_speaks_french(guarded: Page) -> None:
    guarded.goto(guarded.base + "/sparql")  # type: ignore[attr-defined]
    guarded.wait_for_selector(".yasqe")
    guarded.click(".yasqe_queryButton")
    guarded.wait_for_selector(".yasr .dt-info")
    assert guarded.inner_text(".yasr .dt-info").startswith("Lignes 1 à ")
    assert "résultats en" in guarded.inner_text(".yasr_response_chip")
    header = guarded.inner_text(".yasr_header").split("\n")
    assert {"Tableau", "Réponse", "Vue simple", "Tout"} <= set(header)
    assert not {"Table", "Response", "Simple view", "All"} & set(header)
    assert guarded.get_attribute(".yasqe_queryButton", "title") == "Lancer la requête"
    assert guarded.get_attribute(".tableFilter", "placeholder") == "Filtrer les résultats"
    SHOTS.mkdir(parents=True, exist_ok=True)
    guarded.screenshot(path=str(SHOTS / "lang-fr-sparql.png"))


def test_territory_names_carry_their_phase(guarded: Page) -> None:
    base = guarded.base  # type: ignore[attr-defined]
    guarded.goto(base + "/search?q=aix-marseille-provence")
    names = guarded.locator("li.result[data-id^=ti] a").all_inner_texts()
    assert "Aix-Marseille-Provence (phase 1, 2018-2022)" in names
    assert "Aix-Marseille-Provence (phase 2, 2023-2027)" in names
    guarded.goto(base + "/id/ti2-9301")
    assert guarded.inner_text("h1").startswith("Aix-Marseille-Provence (phase 2, 2023-2027)")
