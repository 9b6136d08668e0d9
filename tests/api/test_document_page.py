"""A document page shows its own text (shipped with the build, not read from the sources at run
time), each fact's excerpt marked and linked to the fact, and a notice for each contradiction
and correction of the curation graph."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tdi_graph import texts
from tdi_graph.store import current_build

DOC = "cp-1076-conventions-de-mobilisation"


def test_the_build_ships_the_documents_texts(store_dir: Path, seeds_dir: Path) -> None:
    shipped = sorted((current_build(store_dir) / texts.TEXTS).glob("*.txt"))  # type: ignore[operator]
    assert len(shipped) >= 5
    text = texts.read(store_dir, DOC)
    assert text is not None and "Paris, le 7 mars 2018" in text
    assert texts.read(store_dir, "../manifest") is None


def test_the_document_page_marks_every_fact_it_states(client: TestClient) -> None:
    page = client.get(f"/id/{DOC}", headers={"Accept": "text/html"}).text
    facts = set(re.findall(r'data-facts="([^"]+)"', page))
    marked = {f for group in facts for f in group.split()}
    assert "Paris, le 7 mars 2018" in page
    assert len(marked) >= 10
    for fact in marked:
        assert f'href="/id/{fact}"' in page


def test_contradictions_and_corrections_are_notices(client: TestClient) -> None:
    page = client.get(f"/id/{DOC}", headers={"Accept": "text/html"}).text
    assert page.count('class="notice contradiction"') >= 2
    assert "Le communiqué N°1076 est daté du 7 mars 2018" in page
    other = client.get("/id/cp-bdt-2019-03-20-nord-franche-comte", headers={"Accept": "text/html"})
    assert 'class="notice correction"' in other.text
    assert "sochaliennne" in other.text and "le graphe retient" in other.text
