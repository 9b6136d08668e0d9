"""GET /api/entities/{id}: an entity's labels, relations, attributes, roles and sources."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tdi_graph_api.schemas import Entity

NFC = "cp-bdt-2019-03-20-nord-franche-comte"


def entity(client: TestClient, entity_id: str) -> dict:
    answer = client.get(f"/api/entities/{entity_id}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    Entity.model_validate(body)
    return body


def related(body: dict, predicate: str, direction: str = "out") -> set[str]:
    return {
        r["target"]["id"]
        for r in body["relations"]
        if r["predicate"] == predicate and r["direction"] == direction
    }


def test_a_person(client: TestClient) -> None:
    body = entity(client, "eric-lombard")
    assert body["id"] == "eric-lombard"
    assert body["iri"] == "https://w3id.org/tdi-graph/id/eric-lombard"
    assert (body["type"], body["label"]) == ("person", "Éric Lombard")
    assert body["attributes"]["skos:altLabel"] == "Eric Lombard"  # as printed
    assert related(body, "schema:attendee", "in") == {"french-fab-tour-sochaux-2019"}
    assert related(body, "prov:agent", "in") == {"signataire-nfc-lombard"}
    assert {"id", "type", "label"} == set(body["relations"][0]["target"])
    assert body["sources"][0]["id"] == NFC
    assert (
        body["sources"][0]["excerpt"] == "Eric Lombard, directeur général de la Caisse des Dépôts"
    )


def test_a_person_has_roles_with_dates_and_sources(client: TestClient) -> None:
    (role,) = entity(client, "eric-lombard")["roles"]
    assert role["organisation"]["id"] == "caisse-des-depots"
    assert role["role"] == {
        "id": "tdi:DirectorGeneral",
        "type": "concept",
        "label": "directeur général",
    }
    assert role["title"] == "directeur général de la Caisse des Dépôts"
    assert role["attested_on"] == ["2019-03-20"]
    assert role["sources"][0]["date"] == "Sochaux, le 20 mars 2019"


def test_roles_attested_by_two_releases(client: TestClient) -> None:
    (role,) = entity(client, "agnes-pannier-runacher")["roles"]
    assert role["organisation"]["id"] == "secretariat-etat-economie"
    assert role["attested_on"] == ["2019-03-20", "2019-03-22"]
    assert {s["id"] for s in role["sources"]} >= {NFC, "cp-1114-premiers-contrats"}


def test_an_organisation(client: TestClient) -> None:
    body = entity(client, "caisse-des-depots")
    assert body["labels"] == {"fr": "Caisse des Dépôts", "en": "Caisse des Dépôts"}
    assert "CDC" in body["attributes"]["skos:altLabel"]
    assert related(body, "tdi:subsidiaryOf", "in") == {"bpifrance"}
    assert related(body, "tdi:businessLineOf", "in") == {"banque-des-territoires"}
    assert body["attributes"]["tdi:businessLineCount"] == 5
    contact = body["attributes"]["schema:contactPoint"]  # a blank node, nested
    assert contact["schema:name"] == "@BdT_BFC"
    assert {r["person"]["id"] for r in body["roles"]} == {"eric-lombard"}


def test_the_description_prefers_french(client: TestClient) -> None:
    body = entity(client, "banque-des-territoires")
    assert body["description"].startswith("Un des cinq métiers de la Caisse des Dépôts")


def test_a_commitment_with_a_nested_period(client: TestClient) -> None:
    body = entity(client, "engagement-bdt-100m-par-an")
    assert body["type"] == "commitment"
    assert body["attributes"]["schema:amount"] == 100000000
    assert body["attributes"]["tdi:recurrence"] == "P1Y"
    period = body["attributes"]["tdi:period"]
    assert period["@type"] == "time:Interval"
    assert period["time:hasEnd"]["time:inXSDgYear"] == "2022"
    assert related(body, "tdi:instrument") == {"tdi:Equity"}
    assert {s["id"] for s in body["sources"]} == {NFC, "cp-1076-conventions-de-mobilisation"}


def test_a_region_links_to_wikidata_and_its_territories(client: TestClient) -> None:
    body = entity(client, "region-27")
    assert body["label"] == "Bourgogne-Franche-Comté" and body["type"] == "place"
    assert any(iri.startswith("http://www.wikidata.org/entity/Q") for iri in body["same_as"])
    assert {"ti1-2707", "ti2-2708"} <= related(body, "tdi:region", "in")


def test_a_document_lists_what_it_establishes(client: TestClient) -> None:
    body = entity(client, "cp-1076-conventions-de-mobilisation")
    assert body["type"] == "document"
    assert body["attributes"]["tdi:referenceNumber"] == "N°1076"
    assert body["attributes"]["tdi:printedDate"] == "Paris, le 7 mars 2018"
    assert {
        "signature-convention-mobilisation-pole-emploi",
        "engagement-pole-emploi-formadiag",
    } <= {r["id"] for r in body["describes"]}
    assert "correction-date-cp-1076" in related(body, "tdi:about", "in")


def test_a_concept_by_curie(client: TestClient) -> None:
    body = entity(client, "tdi:Equity")
    assert (body["type"], body["label"]) == ("concept", "fonds propres")
    assert body["iri"] == "https://w3id.org/tdi-graph/ontology#Equity"
    assert "engagement-bdt-100m-par-an" in related(body, "tdi:instrument", "in")


def test_a_territory_and_its_contract(client: TestClient) -> None:
    body = entity(client, "ti1-2707")
    assert body["type"] == "territory" and body["label"] == "Nord Franche-Comté"
    assert related(body, "tdi:contractTerritory", "in") == {"contrat-ti-nord-franche-comte"}
    assert related(body, "tdi:region") == {"region-27"}


def test_unknown_and_malformed_ids(client: TestClient) -> None:
    answer = client.get("/api/entities/nobody-at-all")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "no entity 'nobody-at-all'"}}
    assert client.get("/api/entities/bad id").status_code == 400
    assert client.get("/api/entities/nope:Equity").status_code == 400


def test_one_typed_services_object(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """Built once by the lifespan: settings, store, registry, search index, one LRU cache."""
    from cachetools import LRUCache
    from tdi_graph_api.deps import Services

    from tdi_graph.search import SearchIndex
    from tdi_graph.view import Registry

    services = app.state.services
    assert isinstance(services, Services)
    assert isinstance(services.registry, Registry) and isinstance(services.search, SearchIndex)
    assert isinstance(services.answers, LRUCache)
    assert services.answers.maxsize == services.settings.api_cache_size == 2048
    client.get("/api/entities/bpifrance")
    assert ("entity", "https://w3id.org/tdi-graph/id/bpifrance") in services.answers
