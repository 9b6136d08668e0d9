"""``GET /api/entities/{id}`` gives, byte for byte, the answer of the straightforward reference
(:mod:`tests.api.entity_reference`: one named SPARQL query per piece) on a sample of ~200
entities of every type, the most pointed-to ones included (the 1,000 incoming limit)."""

from __future__ import annotations

from collections import Counter

import orjson
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph.view import Registry, short_id
from tdi_graph.view.linked_data import statements
from tests.api import entity_reference as reference

PER_TYPE = 25


@pytest.fixture(scope="module")
def sample(client: TestClient) -> list[str]:
    """Up to 25 entities of each public type (spread over the sorted IRIs), and the ten
    resources with the most incoming statements that have an id."""
    registry: Registry = client.app.state.services.registry  # type: ignore[attr-defined]
    store: ox.Store = client.app.state.services.store  # type: ignore[attr-defined]
    by_type: dict[str, list[str]] = {}
    for iri in sorted(registry.categories):
        by_type.setdefault(registry.category(iri), []).append(iri)
    chosen = [i for iris in by_type.values() for i in iris[:: max(1, len(iris) // PER_TYPE)]]
    pointed = Counter(
        q.object.value
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.object, ox.NamedNode) and registry.knows(q.object.value)
    )
    most = [
        iri
        for iri, _ in pointed.most_common(20)
        if client.get(f"/api/entities/{short_id(iri)}").status_code == 200  # has an id
    ][:10]
    return sorted(set(chosen) | set(most))


def test_the_sample_covers_every_type(client: TestClient, sample: list[str]) -> None:
    registry: Registry = client.app.state.services.registry  # type: ignore[attr-defined]
    types = Counter(registry.category(i) for i in sample)
    assert len(sample) >= 150
    assert {"place", "person", "organisation", "document", "territory", "agreement"} <= set(types)
    assert types["place"] >= PER_TYPE
    store: ox.Store = client.app.state.services.store  # type: ignore[attr-defined]
    incoming = max(len(reference.statements(store, i)[1]) for i in sample)
    assert incoming >= 100  # some have many: the limit's order matters (1,000 on the real graph)


def test_every_answer_equals_the_reference(client: TestClient, sample: list[str]) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    differ = []
    for iri in sample:
        answer = client.get(f"/api/entities/{short_id(iri)}")
        assert answer.status_code == 200, (iri, answer.text)
        expected = orjson.dumps(reference.entity(services.store, services.registry, iri))
        if answer.content != expected:
            differ.append(iri)
    assert differ == []


def test_the_statements_equal_the_named_queries(client: TestClient, sample: list[str]) -> None:
    store: ox.Store = client.app.state.services.store  # type: ignore[attr-defined]
    for iri in sample:
        assert statements(store, iri) == reference.statements(store, iri), iri


def test_a_commune_in_a_territory_is_located(client: TestClient, sample: list[str]) -> None:
    """The sample holds communes with a territory: the comparison is not over empty answers."""
    services = client.app.state.services  # type: ignore[attr-defined]
    located = [
        body["commune"]
        for iri in sample
        if "commune" in (body := client.get(f"/api/entities/{short_id(iri)}").json())
    ]
    assert any(c["territories"] and c["departement"] and c["region"] for c in located)
    assert services.registry.groupements
