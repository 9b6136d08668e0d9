"""GET /api/search: the answers people get for what they type."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tdi_graph_api.schemas import SearchResults


def search(client: TestClient, **params: str | int) -> dict:
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    SearchResults.model_validate(body)
    return body


def first(client: TestClient, q: str, **params: str | int) -> dict:
    return search(client, q=q, **params)["results"][0]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("pole emploi", "pole-emploi"),
        ("Chatellerault", "commune-86066"),
        ("pannier runacher", "agnes-pannier-runacher"),
        ("PANNIER-RUNACHER", "agnes-pannier-runacher"),
        ("pannier runachr", "agnes-pannier-runacher"),
        ("pannier runa", "agnes-pannier-runacher"),
        ("lomb", "eric-lombard"),
        ("Éric Lombard", "eric-lombard"),
        ("Eric Lombard", "eric-lombard"),
        ("CDC", "caisse-des-depots"),
        ("BdT", "banque-des-territoires"),
        ("TdI", "territoires-d-industrie"),
        ("Grand Châtellerauld", "contrat-ti-grand-chatellerault"),
        ("N°1076", "cp-1076-conventions-de-mobilisation"),
        ("N° 1114", "cp-1114-premiers-contrats"),
        ("25547", "commune-25547"),
        ("ti-2707", "ti1-2707"),
        ("french fab tour sochaux", "french-fab-tour-sochaux-2019"),
    ],
)
def test_finds_what_a_person_types(client: TestClient, q: str, expected: str) -> None:
    assert first(client, q)["id"] == expected


def test_the_answer_shape(client: TestClient) -> None:
    body = search(client, q="Lombard", limit=3)
    assert body["results"] == body["items"]
    assert body["limit"] == 3 and body["offset"] == 0 and body["total"] >= 3
    hit = body["results"][0]
    assert set(hit) == {"id", "type", "label", "score"}
    assert hit == {
        "id": "eric-lombard",
        "type": "person",
        "label": "Éric Lombard",
        "score": hit["score"],
    }


def test_chatellerault_lists_the_commune_territory_and_contract(client: TestClient) -> None:
    found = {(h["id"], h["type"]) for h in search(client, q="Chatellerault")["results"]}
    assert {
        ("commune-86066", "place"),
        ("ti1-7504", "territory"),
        ("contrat-ti-grand-chatellerault", "agreement"),
    } <= found


@pytest.mark.parametrize(
    ("kind", "q", "expected"),
    [
        ("person", "pannier", "agnes-pannier-runacher"),
        ("organisation", "pannier runacher", "cabinet-pannier-runacher"),
        ("territory", "nord franche comte", "ti1-2707"),
        ("place", "sochaux", "commune-25547"),
        ("event", "sochaux", "french-fab-tour-sochaux-2019"),
        ("agreement", "pole emploi", "convention-mobilisation-pole-emploi"),
        ("programme", "PIA", "programme-investissements-avenir"),
        ("commitment", "100 M€ par an", "engagement-bdt-100m-par-an"),
        ("document", "N°1076", "cp-1076-conventions-de-mobilisation"),
        ("concept", "fonds propres", "tdi:Equity"),
    ],
)
def test_type_filter(client: TestClient, kind: str, q: str, expected: str) -> None:
    results = search(client, q=q, type=kind)["results"]
    assert results and all(h["type"] == kind for h in results)
    assert results[0]["id"] == expected


def test_ranked_by_score(client: TestClient) -> None:
    scores = [h["score"] for h in search(client, q="territoires d'industrie", limit=30)["results"]]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0


def test_paging(client: TestClient) -> None:
    whole = search(client, q="grand", limit=20)["results"]
    parts = (
        search(client, q="grand", limit=10)["results"]
        + search(client, q="grand", limit=10, offset=10)["results"]
    )
    assert [h["id"] for h in parts] == [h["id"] for h in whole]


def test_nothing_found_is_an_empty_list(client: TestClient) -> None:
    assert search(client, q="xqzwv") == {
        "results": [],
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x", "type": "city"},
        {"q": "x", "limit": 0},
        {"q": "x", "limit": 1001},
        {"q": "x", "offset": -1},
        {"q": "x" * 201},
    ],
)
def test_bad_parameters_are_422(client: TestClient, params: dict) -> None:
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_parameter"
