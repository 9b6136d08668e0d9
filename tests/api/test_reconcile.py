"""/reconcile: the W3C Entity Reconciliation API (0.2) with the requests OpenRefine sends."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient


def batch(client: TestClient, queries: dict, method: str = "post") -> dict:
    if method == "post":
        answer = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        answer = client.get("/reconcile", params={"queries": json.dumps(queries)})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_manifest_says_what_openrefine_needs(client: TestClient) -> None:
    manifest = client.get("/reconcile").json()
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/tdi-graph/id/"
    assert manifest["schemaSpace"] == "https://w3id.org/tdi-graph/ontology#"
    assert manifest["view"]["url"] == "http://testserver/id/{{id}}"
    assert manifest["preview"]["url"] == "http://testserver/reconcile/preview?id={{id}}"
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        "organisation",
        "person",
        "territory",
        "place",
    }
    for kind in ("entity", "type", "property"):
        assert manifest["suggest"][kind]["service_path"] == f"/reconcile/suggest/{kind}"
    assert manifest["extend"]["propose_properties"]["service_path"] == (
        "/reconcile/propose_properties"
    )


# A spreadsheet column as people type it: the right id first, `match` where unambiguous.
@pytest.mark.parametrize(
    ("text", "expected", "match"),
    [
        ("CDC", "caisse-des-depots", True),
        ("Mme Gourault", "jacqueline-gourault", True),
        ("Pole emploi", "pole-emploi", True),
        ("Chatellerault", "commune-86066", True),
        ("Cholet", "commune-49099", True),
        ("BPI France", "bpifrance", True),
        ("M. Lombard", "eric-lombard", True),
        # two territories of the two phases share the name: first, but not a sure match
        ("Nord Franche-Comté", "ti1-2707", False),
    ],
)
def test_spreadsheet_column(client: TestClient, text: str, expected: str, match: bool) -> None:
    answer = batch(client, {"q0": {"query": text, "limit": 3}})
    results = answer["q0"]["result"]
    assert results[0]["id"] == expected
    assert results[0]["match"] is match
    assert all(r["match"] is False for r in results[1:])
    assert 0 <= results[-1]["score"] <= results[0]["score"] <= 100
    assert results[0]["type"][0]["id"] in {"organisation", "person", "place", "territory"}


def test_a_batch_by_get_answers_every_key(client: TestClient) -> None:
    answer = batch(
        client,
        {"q0": {"query": "Bpifrance"}, "q1": {"query": "Sochaux", "type": "place", "limit": 1}},
        method="get",
    )
    assert set(answer) == {"q0", "q1"}
    assert answer["q0"]["result"][0]["id"] == "bpifrance"
    assert [r["id"] for r in answer["q1"]["result"]] == ["commune-25547"]


def test_type_constraint(client: TestClient) -> None:
    answer = batch(client, {"q0": {"query": "Cholet", "type": "organisation", "limit": 5}})
    ids = [r["id"] for r in answer["q0"]["result"]]
    assert ids[0] == "ecole-de-production-cholet"
    assert "commune-49099" not in ids
    assert {r["type"][0]["id"] for r in answer["q0"]["result"]} == {"organisation"}


def test_property_constraint_picks_the_phase(client: TestClient) -> None:
    """The same name in both phases: the ANCT code tells them apart."""
    answer = batch(
        client,
        {
            "q0": {
                "query": "Nord Franche-Comté",
                "type": "territory",
                "properties": [{"pid": "anct", "v": "ti-2708"}],
            }
        },
    )
    first = answer["q0"]["result"][0]
    assert first["id"] == "ti2-2708"
    assert first["match"] is True


def test_properties_alone_find_by_identifier(client: TestClient) -> None:
    answer = batch(client, {"q0": {"query": "", "properties": [{"pid": "insee", "v": "49099"}]}})
    assert answer["q0"]["result"][0]["id"] == "commune-49099"
    assert answer["q0"]["result"][0]["match"] is True


def test_a_property_that_disagrees_prevents_a_match(client: TestClient) -> None:
    answer = batch(
        client,
        {"q0": {"query": "Cholet", "type": "place", "properties": [{"pid": "insee", "v": "1"}]}},
    )
    assert answer["q0"]["result"][0]["id"] == "commune-49099"
    assert answer["q0"]["result"][0]["match"] is False


@pytest.mark.parametrize(
    ("queries", "message"),
    [
        ("not json", "'queries' is not valid JSON"),
        ("[]", "'queries' must be a non-empty JSON object"),
        ('{"q0": {"query": "x", "type": "spaceship"}}', "unknown type 'spaceship'"),
        ('{"q0": {"query": "x", "limit": 0}}', "'limit' must be a positive integer"),
        ('{"q0": {"query": "", "properties": []}}', "give a 'query' string or properties"),
        ('{"q0": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}', "colour"),
    ],
)
def test_malformed_batches_get_400(client: TestClient, queries: str, message: str) -> None:
    answer = client.post("/reconcile", data={"queries": queries})
    assert answer.status_code == 400
    assert message in answer.json()["error"]["message"]


def test_suggest_entities_types_and_properties(client: TestClient) -> None:
    entities = client.get("/reconcile/suggest/entity", params={"prefix": "pannier"}).json()
    assert entities["result"][0]["id"] == "agnes-pannier-runacher"
    assert entities["result"][0]["notable"] == [{"id": "person", "name": "Personne"}]
    types = client.get("/reconcile/suggest/type", params={"prefix": "terr"}).json()
    assert [t["id"] for t in types["result"]] == ["territory"]
    props = client.get("/reconcile/suggest/property", params={"prefix": "insee"}).json()
    assert props["result"] == [{"id": "insee", "name": "Code INSEE"}]


def test_preview_is_html_and_escapes(client: TestClient) -> None:
    answer = client.get("/reconcile/preview", params={"id": "commune-49099"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "Cholet" in answer.text
    assert "49099" in answer.text and "Maine-et-Loire" in answer.text
    assert client.get("/reconcile/preview", params={"id": "nobody"}).status_code == 404


def test_data_extension_gives_codes_and_places(client: TestClient) -> None:
    extend = {
        "ids": ["commune-49099", "epci-200071678", "bpifrance"],
        "properties": [
            {"id": p} for p in ("type", "insee", "siren", "region", "epci", "territory")
        ],
    }
    answer = client.post("/reconcile", data={"extend": json.dumps(extend)})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [m["id"] for m in body["meta"]] == [p["id"] for p in extend["properties"]]
    cholet = body["rows"]["commune-49099"]
    assert cholet["type"] == [{"str": "Lieu (région, département, commune, site)"}]
    assert cholet["insee"] == [{"str": "49099"}]
    assert cholet["siren"] == [{"str": "214900995"}]
    assert cholet["region"] == [{"id": "region-52", "name": "Pays de la Loire"}]
    assert cholet["epci"] == [{"id": "epci-200071678", "name": "CA Cholet Agglomération"}]
    assert {t["id"] for t in cholet["territory"]} == {"ti1-5202", "ti2-5204"}
    assert body["rows"]["epci-200071678"]["siren"] == [{"str": "200071678"}]
    assert body["rows"]["bpifrance"]["insee"] == []


def test_propose_properties(client: TestClient) -> None:
    body = client.get("/reconcile/propose_properties", params={"type": "place"}).json()
    assert body["type"] == "place"
    ids = [p["id"] for p in body["properties"]]
    assert ids[:3] == ["insee", "siren", "anct"]
    assert client.get("/reconcile/propose_properties", params={"type": "x"}).status_code == 400
