"""Issue 8: each reading error found by the outside re-reading, asserted corrected through the API
(or, where no API field carries the fact yet, by SPARQL on the session store).

The rule behind them: a document's graph says only what that document says; inferences,
resolutions and probable corrections live in the curation graph, with their reasoning."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tests.api import FIRST_SIX

ID = "https://w3id.org/tdi-graph/id/"
GRAPH = "https://w3id.org/tdi-graph/graph/"
CURATION = GRAPH + "curation"
CP1076 = "cp-1076-conventions-de-mobilisation"
CP1114 = "cp-1114-premiers-contrats"
NFC = "cp-bdt-2019-03-20-nord-franche-comte"
RELANCE = "cp-bdt-2020-11-02-relance-industrie"
ARTICLE = "article-bdt-assemblee-generale-2019"
PREFIXES = """
PREFIX id: <https://w3id.org/tdi-graph/id/>
PREFIX tdi: <https://w3id.org/tdi-graph/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


def api(client: TestClient, path: str, **params: Any) -> dict:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def entity(client: TestClient, entity_id: str) -> dict:
    return api(client, f"/api/entities/{entity_id}")


def related(body: dict, predicate: str, direction: str = "out") -> set[str]:
    return {
        r["target"]["id"]
        for r in body["relations"]
        if r["predicate"] == predicate and r["direction"] == direction
    }


@pytest.fixture(scope="module")
def commitments(client: TestClient) -> dict[str, dict]:
    body = api(client, "/api/commitments", limit=1000)
    return {item["id"]: item for item in body["items"]}


def ask(store: ox.Store, query: str) -> bool:
    answer = store.query(PREFIXES + query)
    assert isinstance(answer, ox.QueryBoolean)
    return bool(answer)


def graphs_of(store: ox.Store, subject: str, predicate: str) -> set[str]:
    """The named graphs holding ``<id:subject> predicate ?o``."""
    rows = store.query(
        PREFIXES + f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ id:{subject} {predicate} ?o }} }}"
    )
    return {row["g"].value.removeprefix(GRAPH) for row in rows}  # type: ignore[union-attr,index]


# --- N°1114 -----------------------------------------------------------------------------------


def test_only_the_51_requests_are_agreed_in_principle(commitments: dict[str, dict]) -> None:
    fifty_one = commitments["engagement-operateurs-cofinancement-51"]
    assert (fifty_one["status"]["id"], fifty_one["quantity"]) == ("tdi:InPrinciple", 51)
    others = commitments["engagement-operateurs-instruction-acceleree"]
    assert others["status"]["id"] == "tdi:AcceleratedReview"
    assert others["status"]["label"] == "ouverture accélérée d'instruction"
    assert others["quantity"] is None  # "les autres demandes": no number printed
    parent = commitments["engagement-operateurs-fiches-actions"]
    assert parent["status"]["id"] != "tdi:InPrinciple"
    assert parent["quantity"] == 90 and parent["qualifier"]["id"] == "tdi:About"
    assert {p["id"] for p in parent["parts"]} == {
        "engagement-operateurs-cofinancement-51",
        "engagement-operateurs-instruction-acceleree",
    }


def test_the_remainder_of_about_39_is_a_reading_in_curation(store: ox.Store) -> None:
    assert graphs_of(store, "engagement-operateurs-instruction-acceleree", "tdi:quantity") == set()
    assert ask(
        store,
        f"""ASK {{ GRAPH <{CURATION}> {{ id:lecture-autres-demandes a tdi:Inference ;
            tdi:about id:engagement-operateurs-instruction-acceleree ; tdi:inferredValue ?v ;
            rdfs:comment ?why . FILTER(CONTAINS(?v, "39")) }} }}""",
    )


def test_the_billion_of_n1114_is_credited_to_nobody(
    client: TestClient, commitments: dict[str, dict], store: ox.Store
) -> None:
    billion = commitments["engagement-financements-milliard-2019"]
    assert billion["amount"]["value"] == 1_000_000_000
    assert billion["qualifier"]["id"] == "tdi:MoreThan"
    assert billion["actor"] is None and billion["actors"] == []
    state = api(client, "/api/commitments", actor="etat", limit=1000)
    assert "engagement-financements-milliard-2019" not in {i["id"] for i in state["items"]}
    assert (state["amount_total"] or {}).get("value", 0) < 1_000_000_000
    assert graphs_of(store, "engagement-financements-milliard-2019", "tdi:committedBy") == set()
    everything = api(client, "/api/commitments", limit=1000)
    assert "engagement-financements-milliard-2019" not in everything["amount_total"]["commitments"]


def test_the_ministers_do_not_attend_the_2019_semaine_de_l_industrie(client: TestClient) -> None:
    body = api(client, "/api/events", limit=1000)
    (week,) = [e for e in body["items"] if e["id"] == "semaine-de-l-industrie-2019"]
    people = {p["id"] for p in week["participants"]}
    assert not people & {"jacqueline-gourault", "agnes-pannier-runacher"}
    gourault = entity(client, "jacqueline-gourault")
    assert "semaine-de-l-industrie-2019" not in related(gourault, "schema:attendee", "in")


# --- the 2020 release -----------------------------------------------------------------------


def test_the_envelopes_already_dedicated_are_not_announced(commitments: dict[str, dict]) -> None:
    for key in (
        "engagement-bdt-enveloppes-territoires-industrie",
        "engagement-bdt-enveloppe-fonds-propres-500m",
        "engagement-bdt-enveloppe-ingenierie-26m",
    ):
        assert commitments[key]["status"]["id"] == "tdi:AlreadyDedicated", key
        assert commitments[key]["status"]["label"] == "déjà consacré"


def test_the_100_engaged_millions_hang_on_the_pair_of_envelopes(
    commitments: dict[str, dict], store: ox.Store
) -> None:
    assert commitments["engagement-bdt-enveloppe-fonds-propres-500m"]["of_which"] == []
    assert commitments["engagement-bdt-enveloppe-ingenierie-26m"]["of_which"] == []
    pair = commitments["engagement-bdt-enveloppes-territoires-industrie"]
    assert [r["id"] for r in pair["of_which"]] == ["engagement-bdt-enveloppes-engagees-100m"]
    # the possible readings are recorded, not settled
    assert ask(
        store,
        f"""ASK {{ GRAPH <{CURATION}> {{ id:contradiction-100m-engages a tdi:Contradiction ;
            tdi:about id:engagement-bdt-enveloppe-fonds-propres-500m ; tdi:resolution ?r .
            FILTER(STRSTARTS(?r, "Non tranchée")) }} }}""",
    )


def test_two_turnkey_sites_per_region(client: TestClient, commitments: dict[str, dict]) -> None:
    assert commitments["engagement-bdt-sites-cles-en-main"]["quantity"] == 2
    body = entity(client, "engagement-bdt-sites-cles-en-main")
    assert related(body, "tdi:perUnit") == {"tdi:Region"}


def test_france_relance_is_no_name(client: TestClient, store: ox.Store) -> None:
    plan = entity(client, "plan-de-relance")
    assert plan["label"] == "Plan de relance Industrie"
    names = [plan["label"], *plan["labels"].values(), str(plan["attributes"].get("skos:altLabel"))]
    assert not any("France Relance" in name for name in names)
    assert not ask(
        store, 'ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "France Relance")) } }'
    )


def test_cholet_amiens_rousset_grand_chalon_keep_what_the_text_says(client: TestClient) -> None:
    places = {
        "projet-ecole-de-production-cholet": "commune-49099",
        "projet-ynsect-amiens": "commune-80021",
        "projet-proviridis-rousset": "commune-13087",
        "projet-conseil-grand-chalon": "epci-247100589",
    }
    for project, place in places.items():
        assert related(entity(client, project), "schema:location") == {place}, project
    # the building is in Amiens; the text does not locate the company
    assert related(entity(client, "ynsect"), "schema:location") == set()
    assert related(entity(client, "proviridis"), "schema:location") == {"commune-13087"}
    assert related(entity(client, "ecole-de-production-cholet"), "schema:location") == {
        "commune-49099"
    }


# --- the release of 20 March 2019 (Nord Franche-Comté) ----------------------------------------


def test_16_regional_directorates_are_not_regions(client: TestClient) -> None:
    body = entity(client, "figure-bdt-implantations-2019")
    assert body["attributes"]["schema:value"] == 16
    assert related(body, "tdi:unit") == {"tdi:RegionalDirectorates"}


def test_30000_jobs_are_not_said_to_be_industrial(client: TestClient) -> None:
    body = entity(client, "figure-nord-franche-comte-emplois")
    assert body["attributes"]["schema:value"] == 30000
    assert "30 000 emplois" in body["labels"]["fr"]
    assert "industriels" not in body["labels"]["fr"].split("30 000 emplois")[1]
    assert "industrial jobs" not in body["labels"]["en"]


def test_joining_the_study_is_not_co_financing_it(client: TestClient) -> None:
    body = entity(client, "engagement-bdt-etude-espaces-psa-sud")
    assert "tdi:StudyCofinancing" not in related(body, "tdi:instrument")
    assert related(body, "tdi:target") == {"etude-espaces-psa-sud"}
    assert related(entity(client, "etude-espaces-psa-sud"), "schema:about") == {"espaces-psa-sud"}


def test_studying_an_investment_is_under_consideration(commitments: dict[str, dict]) -> None:
    studied = commitments["engagement-bdt-requalification-batiments-nfc"]
    assert studied["status"]["id"] == "tdi:UnderConsideration"
    assert commitments["engagement-bdt-gpi-pia-formation"]["status"]["id"] == "tdi:Possible"


def test_the_bdt_bfc_handle_hangs_on_no_caisse_contact(client: TestClient, store: ox.Store) -> None:
    caisse = entity(client, "caisse-des-depots")
    assert "schema:contactPoint" not in caisse["attributes"]
    assert not ask(store, 'ASK { ?c schema:name "@BdT_BFC" }')
    assert not ask(store, 'ASK { ?c schema:contactType ?t FILTER(CONTAINS(STR(?t), "régionale")) }')
    contact = entity(client, "poste-aurelie-gauchey-contact-presse")
    assert contact["attributes"]["tdi:printedHandle"] == "@BdT_BFC"
    assert "@BdT_BFC" in {s["excerpt"] for s in contact["sources"]}


def test_psa_its_site_and_the_subcontractors_zone_are_linked(client: TestClient) -> None:
    assert related(entity(client, "psa"), "org:hasSite") == {"site-psa-sochaux"}
    site = entity(client, "site-psa-sochaux")
    assert related(site, "schema:containedInPlace") == {"commune-25547"}
    assert NFC in {s["id"] for s in site["sources"]}
    zone = entity(client, "zone-sous-traitants-psa")
    assert related(zone, "schema:containedInPlace") == {"site-psa-sochaux"}
    creation = entity(client, "creation-zone-sous-traitants-psa")
    assert related(creation, "schema:location") == {"zone-sous-traitants-psa"}
    assert related(creation, "prov:wasInfluencedBy") == {"sem-nord-franche-comte"}
    assert any("à l'image de la création" in s["excerpt"] for s in creation["sources"])


def test_the_sem_investment_is_past(commitments: dict[str, dict]) -> None:
    sem = commitments["investissement-bdt-sem-nord-franche-comte"]
    assert sem["status"]["id"] == "tdi:Realised"
    assert sem["programme"] is None  # "a investi": before and outside the programme's pledges


# --- the Banque des Territoires article --------------------------------------------------------


def test_loans_up_to_40_years_are_a_maximum(client: TestClient) -> None:
    body = entity(client, "offre-bdt-prets")
    assert body["attributes"]["schema:duration"] == "P40Y"
    assert related(body, "tdi:durationQualifier") == {"tdi:AtMost"}
    assert related(body, "tdi:status") == {"tdi:Offered"}


def test_the_pia_is_not_operated_by_the_banque_des_territoires(client: TestClient) -> None:
    pia = entity(client, "programme-investissements-avenir")
    assert "banque-des-territoires" not in related(pia, "tdi:operatedBy")
    mandate = entity(client, "mandats-pia-banque-des-territoires")
    assert related(mandate, "tdi:managedBy") == {"banque-des-territoires"}
    assert related(mandate, "tdi:onBehalfOfPrincipal") == {"etat"}
    assert related(mandate, "tdi:programme") == {"programme-investissements-avenir"}
    assert any("pour le compte de l’Etat" in s["excerpt"] for s in mandate["sources"])


def test_the_programme_is_run_in_partnership_with_regions_and_intercommunalities(
    client: TestClient,
) -> None:
    body = entity(client, "territoires-d-industrie")
    assert related(body, "tdi:inPartnershipWith") == {"tdi:RegionalCouncil", "tdi:Intercommunality"}
    assert any(
        "mené en partenariat avec les régions et les intercommunalités" in s["excerpt"]
        for s in body["sources"]
    )


# --- N°1076 -------------------------------------------------------------------------------------


def test_n1076_has_its_date_as_printed_and_the_contradiction_is_flagged(
    client: TestClient, store: ox.Store
) -> None:
    body = entity(client, CP1076)
    assert body["attributes"]["dct:date"] == "2018-03-07"
    assert body["attributes"]["tdi:printedDate"] == "Paris, le 7 mars 2018"
    assert "contradiction-date-cp-1076" in related(body, "tdi:about", "in")
    # 2019-03-07 is only a hypothesis of the curation graph, used as nobody's date
    assert not ask(
        store,
        """ASK { GRAPH ?g { ?s ?p "2019-03-07"^^<http://www.w3.org/2001/XMLSchema#date> } }""",
    )
    assert ask(
        store,
        f"""ASK {{ GRAPH <{CURATION}> {{ id:hypothese-date-cp-1076 a tdi:Inference ;
            tdi:inferredValue ?v ; rdfs:comment ?why . FILTER(CONTAINS(?v, "hypothèse")) }} }}""",
    )
    assert not ask(store, 'ASK { ?c tdi:correctedForm "2019-03-07" }')


def test_the_conventions_dates_rest_on_evidence_in_curation(
    client: TestClient, store: ox.Store
) -> None:
    body = api(client, "/api/signatures", agreement="convention-mobilisation-pole-emploi")
    (act,) = body["items"]
    assert (act["date"], act["date_earliest"], act["date_latest"]) == (
        None,
        "2019-03-05",
        "2019-03-06",
    )
    for operator in ("banque-des-territoires", "bpifrance", "business-france", "pole-emploi"):
        subject = f"signature-convention-mobilisation-{operator}"
        assert graphs_of(store, subject, "tdi:earliestDate") == {"curation"}
        assert graphs_of(store, subject, "tdi:latestDate") == {"curation"}
    cited = store.query(
        PREFIXES
        + f"""SELECT DISTINCT ?doc WHERE {{ GRAPH <{CURATION}> {{
            id:lecture-date-signature-conventions a tdi:Inference ; rdfs:comment ?why ;
              tdi:evidence/prov:wasDerivedFrom ?doc }} }}"""
    )
    assert {row["doc"].value.removeprefix(ID) for row in cited} == {CP1076, ARTICLE}  # type: ignore[union-attr,index]


def test_the_six_other_first_contracts_have_sourced_bounds(client: TestClient) -> None:
    six = FIRST_SIX
    for name in six:
        (act,) = api(client, "/api/signatures", agreement=f"contrat-ti-{name}")["items"]
        assert (act["date"], act["date_earliest"], act["date_latest"]) == (
            None,
            "2018-11-22",
            "2019-03-22",
        ), name
        assert CP1114 in {s["id"] for s in act["sources"]}


def test_referents_and_coaches_are_per_territory(client: TestClient) -> None:
    for key in (
        "engagement-business-france-coach-international",
        "engagement-pole-emploi-conseiller-referent",
        "engagement-operateurs-referent-unique",
    ):
        body = entity(client, key)
        assert body["attributes"]["tdi:quantity"] == 1, key
        assert related(body, "tdi:perUnit") == {"tdi:ProgrammeTerritory"}, key


def test_no_year_is_given_to_dates_printed_without_one(
    commitments: dict[str, dict], store: ox.Store
) -> None:
    assert commitments["engagement-pole-emploi-formadiag"]["period"] is None  # "dès l'été"
    # "du 22 novembre": resolved to 2018 against N°1076's own printed date, so only in curation
    assert graphs_of(store, "conseil-national-industrie-2018-11-22", "schema:startDate") == {
        "curation"
    }
    # the article prints no year at all: its relative dates are resolved in curation too
    assert graphs_of(store, "assemblee-generale-tdi-2019", "schema:startDate") == {"curation"}
    assert graphs_of(store, "territoires-d-industrie", "tdi:launchDate") == {"curation"}


def test_excerpts_read_naturally(client: TestClient, store: ox.Store) -> None:
    assert not ask(
        store,
        'ASK { ?e tdi:excerpt ?x FILTER(CONTAINS(?x, "<sup>") || CONTAINS(?x, "^{")) }',
    )
    assembly = entity(client, "assemblee-generale-tdi-2019")
    assert any("la 1ère Assemblée générale" in s["excerpt"] for s in assembly["sources"])


def test_every_document_but_the_undated_article_has_a_date(client: TestClient) -> None:
    dates = {
        doc: entity(client, doc)["attributes"].get("dct:date")
        for doc in (CP1076, CP1114, NFC, RELANCE, ARTICLE)
    }
    assert dates == {
        CP1076: "2018-03-07",
        CP1114: "2019-03-22",
        NFC: "2019-03-20",
        RELANCE: "2020-11-02",
        ARTICLE: None,  # prints no date; the bound one can read is an Inference in curation
    }
