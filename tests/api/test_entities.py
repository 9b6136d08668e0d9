"""GET /api/entities/{id}: an entity's labels, relations, attributes, roles and sources."""

from __future__ import annotations

import pytest
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
    # "@BdT_BFC" is printed in the BdT press-contact block: no contact point of the Caisse
    assert "schema:contactPoint" not in body["attributes"]
    assert {r["person"]["id"] for r in body["roles"]} == {"eric-lombard"}
    office = entity(client, "cabinet-gourault")
    contact = office["attributes"]["schema:contactPoint"]  # a blank node, nested
    assert contact["schema:telephone"] == "01 44 49 89 06"


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
    assert body["attributes"]["dct:date"] == "2018-03-07"  # as printed, however wrong
    assert {"contradiction-date-cp-1076", "hypothese-date-cp-1076"} <= related(
        body, "tdi:about", "in"
    )


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


# --- issue 8: sources on every relation, mentions, the commune question, document dates -------


def test_bpifrance_lists_every_document_that_mentions_it(client: TestClient) -> None:
    body = client.get("/api/entities/bpifrance").json()
    Entity.model_validate(body)
    mentions = {m["id"]: m["evidence"] for m in body["mentioned_in"]}
    assert mentions == {
        "cp-bdt-2019-03-20-nord-franche-comte": True,
        "cp-1076-conventions-de-mobilisation": True,
        "cp-1114-premiers-contrats": False,
        "article-bdt-assemblee-generale-2019": False,
    }
    direct = {s["id"] for s in body["sources"]}
    assert direct == {"cp-bdt-2019-03-20-nord-franche-comte", "cp-1076-conventions-de-mobilisation"}
    n1114 = next(m for m in body["mentioned_in"] if m["id"] == "cp-1114-premiers-contrats")
    assert (n1114["date"], n1114["issued"]) == ("Paris, le 22 mars 2019", "2019-03-22")


def test_every_relation_carries_its_sources(client: TestClient) -> None:
    body = client.get("/api/entities/bpifrance").json()
    assert body["relations"] and all("sources" in r and r["graphs"] for r in body["relations"])
    parent = next(r for r in body["relations"] if r["predicate"] == "tdi:subsidiaryOf")
    assert parent["target"]["id"] == "caisse-des-depots"
    assert parent["graphs"] == ["cp-bdt-2019-03-20-nord-franche-comte"]
    assert parent["sources"][0]["excerpt"] == (
        "Bpifrance, filiale de la Caisse des Dépôts qui déploie le French Fab Tour"
    )
    # every relation stated by a source document cites it; the others say which graph
    for relation in body["relations"]:
        documents = {s["id"] for s in relation["sources"]}
        stated = {g for g in relation["graphs"] if not g.startswith(("reference/", "entities"))}
        assert documents == stated - {"curation"}, relation


def test_the_commune_question(client: TestClient) -> None:
    body = client.get("/api/entities/commune-49099").json()
    Entity.model_validate(body)
    where = body["commune"]
    assert [e["id"] for e in where["epci"]] == ["epci-200071678"]
    assert where["departement"]["id"] == "departement-49"
    assert where["region"] == {"id": "region-52", "type": "place", "label": "Pays de la Loire"}
    assert [(t["territory"]["id"], t["phase"]["id"]) for t in where["territories"]] == [
        ("ti1-5202", "tdi:Phase1"),
        ("ti2-5204", "tdi:Phase2"),
    ]
    assert [m["id"] for m in body["mentioned_in"]] == ["cp-bdt-2020-11-02-relance-industrie"]
    html = client.get("/id/commune-49099", headers={"accept": "text/html"}).text
    assert "Où se trouve cette commune" in html and "CA Cholet Agglomération" in html
    assert 'href="/id/ti1-5202"' in html and 'href="/id/ti2-5204"' in html
    assert "Pays de la Loire" in html
    assert "Aucun document ne cite directement cette entité" not in html
    assert "Documents qui la citent (1)" in html


@pytest.mark.parametrize("page", ["ti1-2707", "commune-49099", "region-27", "bpifrance"])
def test_no_page_says_no_document_when_one_mentions_it(client: TestClient, page: str) -> None:
    html = client.get(f"/id/{page}", headers={"accept": "text/html"}).text
    assert "Aucun document ne cite directement cette entité" not in html
    assert "Aucun document source ne cite cette entité" not in html
    assert 'id="mentioned-in"' in html


@pytest.mark.parametrize("value", ["cholet", "Cholet", "CHOLET", "49099", "commune-49099"])
def test_named_query_parameters_take_names_and_codes(client: TestClient, value: str) -> None:
    answer = client.get("/api/queries/territory-of-commune", params={"commune": value})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["params"] == {"commune": "https://w3id.org/tdi-graph/id/commune-49099"}
    assert {r["territoryLabel"] for r in body["items"]} == {"Choletais-Mauges"}
    assert body["total"] == 2


def test_unknown_named_query_values_are_errors_not_empty_answers(client: TestClient) -> None:
    url = "/api/queries/territory-of-commune"
    unknown = client.get(url, params={"commune": "commune-99999"})
    assert unknown.status_code == 404 and "commune-99999" in unknown.json()["error"]["message"]
    nothing = client.get(url, params={"commune": "Nulle Part sur Terre"})
    assert nothing.status_code == 400
    assert "neither an id nor the name" in nothing.json()["error"]["message"]
    region = client.get("/api/queries/territories-per-region", params={"region": "27"})
    assert region.status_code == 200 and region.json()["params"]["region"].endswith("region-27")


def test_documents_expose_their_dates_and_the_contradiction(client: TestClient) -> None:
    body = client.get("/api/entities/cp-1076-conventions-de-mobilisation").json()
    Entity.model_validate(body)
    document = body["document"]
    assert document["printed_date"] == "Paris, le 7 mars 2018"
    # today no dct:date; the data branch adds dct:date 2018-03-07 as printed (pin moves)
    assert document["date"] in (None, "2018-03-07")
    assert [c["id"] for c in document["date_contradictions"]] == ["contradiction-date-cp-1076"]
    html = client.get(
        "/id/cp-1076-conventions-de-mobilisation", headers={"accept": "text/html"}
    ).text
    assert 'class="date-contradiction"' in html and "Paris, le 7 mars 2018" in html


def test_services_share_one_object_per_name(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    services = app.state.services
    made: list[int] = []
    first = services.shared("test-thing", lambda: made.append(1) or {"n": 1})
    again = services.shared("test-thing", lambda: made.append(2) or {"n": 2})
    assert first is again and first == {"n": 1} and made == [1]
