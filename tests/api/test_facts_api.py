"""GET /api/signatures, /api/commitments, /api/events, /api/territories: real answers from the
source documents (data/sources/*.ttl) and the reference data."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from tdi_graph_api.schemas import CommitmentList, EventList, SignatureList, TerritoryList

from tdi_graph import facts
from tdi_graph.entities import Registry, describe
from tdi_graph.load import collect_curated
from tdi_graph.namespaces import ID
from tdi_graph.testing import synthetic
from tests.api import FIRST_SIX

NFC = "cp-bdt-2019-03-20-nord-franche-comte"
CP1076 = "cp-1076-conventions-de-mobilisation"
CP1114 = "cp-1114-premiers-contrats"
RELANCE = "cp-bdt-2020-11-02-relance-industrie"


def get(client: TestClient, path: str, model: type[BaseModel], **params: Any) -> dict:
    answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    model.model_validate(body)
    return body


def by_id(body: dict) -> dict[str, dict]:
    return {item["id"]: item for item in body["items"]}


# --- signatures -----------------------------------------------------------------------------


def signatures(client: TestClient, **params: Any) -> dict:
    return get(client, "/api/signatures", SignatureList, **params)


def test_who_signed_the_nord_franche_comte_contract(client: TestClient) -> None:
    (act,) = signatures(client, agreement="contrat-ti-nord-franche-comte")["items"]
    assert act["id"] == "signature-contrat-ti-nord-franche-comte"
    assert act["agreement"]["id"] == "contrat-ti-nord-franche-comte"
    assert act["date"] == "2019-03-19"
    assert act["date_earliest"] is None and act["date_latest"] is None
    assert act["place"] == {
        "id": "site-psa-sochaux",
        "type": "place",
        "label": "site PSA de Sochaux",
    }
    assert act["event"]["id"] == "french-fab-tour-sochaux-2019"
    assert {(s["person"]["id"], s["organisation"]["id"]) for s in act["signatories"]} == {
        ("eric-lombard", "caisse-des-depots"),
        ("marie-guite-dufay", "region-bourgogne-franche-comte"),
        ("charles-demouge", "pole-metropolitain-nord-franche-comte"),
    }
    source = next(s for s in act["sources"] if s["id"] == NFC)
    assert source["publisher"] == "Banque des Territoires"
    assert source["date"] == "Sochaux, le 20 mars 2019"  # as printed ("hier" = 19 March)
    assert source["title"].startswith("Signature du contrat « Territoire d'industrie »")
    assert (
        "il a signé le contrat « Territoires d'industrie » du Nord Franche-Comté"
        in (source["excerpt"])
    )
    assert CP1114 in {s["id"] for s in act["sources"]}


SIGNED_BY_22_MARCH = {f"signature-contrat-ti-{x}" for x in FIRST_SIX}
ALL_ACTS = {
    "signature-contrat-ti-nord-franche-comte",
    *SIGNED_BY_22_MARCH,
    *(
        f"signature-convention-mobilisation-{x}"
        for x in ("banque-des-territoires", "bpifrance", "business-france", "pole-emploi")
    ),
}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "eric-lombard"}, {"signature-contrat-ti-nord-franche-comte"}),
        ({"actor": "caisse-des-depots"}, {"signature-contrat-ti-nord-franche-comte"}),
        ({"territory": "ti1-2707"}, {"signature-contrat-ti-nord-franche-comte"}),
        ({"event": "french-fab-tour-sochaux-2019"}, {"signature-contrat-ti-nord-franche-comte"}),
        ({"actor": "pole-emploi"}, {"signature-convention-mobilisation-pole-emploi"}),
        ({"territory": "ti1-7504"}, {"signature-contrat-ti-grand-chatellerault"}),
        (
            {"actor": "jacqueline-gourault"},
            {
                f"signature-convention-mobilisation-{x}"
                for x in ("banque-des-territoires", "bpifrance", "business-france", "pole-emploi")
            },
        ),
        (  # the six contracts known as signed "by 22 March" may lie on the 19th
            {"since": "2019-03-19", "until": "2019-03-19"},
            {"signature-contrat-ti-nord-franche-comte", *SIGNED_BY_22_MARCH},
        ),
        (
            {"since": "2019-03-06", "until": "2019-03-19"},
            {
                "signature-contrat-ti-nord-franche-comte",
                *SIGNED_BY_22_MARCH,
                *(
                    f"signature-convention-mobilisation-{x}"  # 5-6 March overlaps the range
                    for x in (
                        "banque-des-territoires",
                        "bpifrance",
                        "business-france",
                        "pole-emploi",
                    )
                ),
            },
        ),
        (
            {"since": "2019-03-22", "until": "2019-03-22"},
            SIGNED_BY_22_MARCH,  # known as signed by 22 March
        ),
        ({"until": "2019-03-04"}, SIGNED_BY_22_MARCH),  # no earliest bound: may be before
        ({"since": "2019-03-23"}, set()),
        ({"since": "2019-04"}, set()),  # YYYY-MM: from the 1st
        ({"until": "2019-03"}, ALL_ACTS),  # YYYY-MM: to the 31st
        ({"since": "2019", "until": "2019"}, ALL_ACTS),  # YYYY: the whole year
        ({"until": "2018"}, SIGNED_BY_22_MARCH),
    ],
)
def test_signature_filters(client: TestClient, params: dict, expected: set[str]) -> None:
    assert set(by_id(signatures(client, **params))) == expected


def test_dates_known_only_within_bounds(client: TestClient) -> None:
    acts = by_id(signatures(client))
    convention = acts["signature-convention-mobilisation-bpifrance"]
    assert convention["date"] is None
    assert (convention["date_earliest"], convention["date_latest"]) == ("2019-03-05", "2019-03-06")
    assert convention["event"]["id"] == "assemblee-generale-tdi-2019"
    assert {s["organisation"]["id"] for s in convention["signatories"]} == {
        "ministere-cohesion-territoires",
        "secretariat-etat-economie",
        "bpifrance",
    }
    assert {s["person"]["id"] for s in convention["signatories"] if s["person"]} == {
        "jacqueline-gourault",
        "agnes-pannier-runacher",
    }
    assert any(s["person"] is None for s in convention["signatories"])  # the operator
    carros = acts["signature-contrat-ti-carros"]
    assert (carros["date"], carros["date_latest"]) == (None, "2019-03-22")
    assert carros["sources"][0]["id"] == CP1114


def test_signatures_in_date_order_and_paged(client: TestClient) -> None:
    body = signatures(client)
    dates = [s["date"] or s["date_earliest"] or s["date_latest"] for s in body["items"]]
    assert dates == sorted(dates) and body["total"] == len(body["items"]) >= 11
    page = signatures(client, limit=2, offset=4)
    assert [s["id"] for s in page["items"]] == [s["id"] for s in body["items"][4:6]]
    assert (page["total"], page["limit"], page["offset"]) == (body["total"], 2, 4)


# --- commitments ----------------------------------------------------------------------------


def commitments(client: TestClient, **params: Any) -> dict:
    return get(client, "/api/commitments", CommitmentList, **params)


def test_the_banque_des_territoires_commitments(client: TestClient) -> None:
    body = commitments(client, actor="banque-des-territoires", limit=1000)
    items = by_id(body)
    assert body["total"] == len(items) >= 30
    assert all(i["actor"]["id"] == "banque-des-territoires" for i in items.values())
    yearly = items["engagement-bdt-100m-par-an"]
    assert yearly["amount"] == {"value": 100000000, "currency": "EUR"}
    assert yearly["recurrence"] == "P1Y"
    assert yearly["period"] == {"start": None, "end": "2022"}
    assert yearly["instrument"] == {"id": "tdi:Equity", "type": "concept", "label": "fonds propres"}
    assert yearly["programme"]["id"] == "territoires-d-industrie"
    assert {s["id"] for s in yearly["sources"]} == {NFC, CP1076}
    studies = items["engagement-bdt-cofinancement-etudes"]
    assert studies["rate"] == 0.5 and studies["amount"] is None
    assert studies["rate_qualifier"]["id"] == "tdi:AtMost"
    sem = items["investissement-bdt-sem-nord-franche-comte"]
    assert sem["amount"]["value"] == 20000000 and sem["qualifier"]["id"] == "tdi:MoreThan"
    assert sem["status"]["id"] == "tdi:Realised"


def test_parts_and_shares_of_the_recovery_billion(client: TestClient) -> None:
    items = by_id(commitments(client, actor="banque-des-territoires", limit=1000))
    total = items["engagement-bdt-relance-industrie"]
    assert total["amount"]["value"] == 1_000_000_000
    assert {p["id"] for p in total["parts"]} == {
        "engagement-bdt-relance-immobilier",
        "engagement-bdt-relance-transition",
        "engagement-bdt-relance-formation",
        "engagement-bdt-relance-ingenierie",
    }
    assert {s["id"] for s in total["shares"]} == {
        "engagement-bdt-relance-fonds-propres",
        "engagement-bdt-relance-prets",
    }
    assert {p["id"] for p in total["programmes"]} == {"territoires-d-industrie", "plan-de-relance"}
    parts = [items[p["id"]]["amount"] for p in total["parts"]]
    assert sum(a["value"] for a in parts if a) == 1_050_000_000  # 700 + 340 + 10 M€
    shares = [items[s["id"]]["amount"]["value"] for s in total["shares"]]
    assert sum(shares) == 1_050_000_000  # 800 + 250 M€
    assert items["engagement-bdt-relance-immobilier"]["part_of"][0]["id"] == (
        "engagement-bdt-relance-industrie"
    )
    # "(dont 100M€ qui sont engagés)" closes the sentence naming both envelopes: it hangs on the
    # pair, not on the 500 M€ (the readings are in the curation graph)
    assert items["engagement-bdt-enveloppe-fonds-propres-500m"]["of_which"] == []
    envelopes = items["engagement-bdt-enveloppes-territoires-industrie"]
    assert [r["id"] for r in envelopes["of_which"]] == ["engagement-bdt-enveloppes-engagees-100m"]
    engaged = items["engagement-bdt-enveloppes-engagees-100m"]
    assert [r["id"] for r in engaged["subset_of"]] == [envelopes["id"]]
    assert engaged["status"]["id"] == "tdi:Engaged"


def test_the_sum_of_the_banque_des_territoires_commitments(client: TestClient) -> None:
    body = commitments(client, actor="banque-des-territoires", limit=5)
    total = body["amount_total"]
    # The one-off total of /api/money: 1 Md€ for the recovery; not the envelopes of 500 +
    # 26 M€ the BdT "a déjà consacré" (already dedicated, not to come), not the 100 M€ a year
    # (recurring), not the past 20 M€ in the SEM, no part counted again.
    assert total == {
        "value": 1_000_000_000,
        "currency": "EUR",
        "commitments": ["engagement-bdt-relance-industrie"],
    }
    assert (
        total["value"]
        == client.get("/api/money", params={"actor": "banque-des-territoires"}).json()["one_off"][
            "value"
        ]
    )
    assert len(body["items"]) == 5 and body["total"] > 5  # the sum covers every page


def test_commitment_filters(client: TestClient) -> None:
    shared = by_id(commitments(client, actor="pole-emploi"))
    assert "engagement-operateurs-referent-unique" in shared
    assert shared["engagement-operateurs-referent-unique"]["actor"]["id"] == "pole-emploi"
    assert len(shared["engagement-operateurs-referent-unique"]["actors"]) == 4
    formadiag = shared["engagement-pole-emploi-formadiag"]
    assert formadiag["period"] is None  # "dès l'été": no year printed (reading in curation)
    relance = by_id(commitments(client, programme="plan-de-relance", limit=1000))
    assert "engagement-bdt-relance-industrie" in relance and all(
        any(p["id"] == "plan-de-relance" for p in c["programmes"]) for c in relance.values()
    )
    everything = commitments(client, limit=1000)
    assert everything["total"] >= 40
    state = by_id(commitments(client, actor="etat"))
    assert "engagement-financements-milliard-2019" not in state  # N°1114 names no funder
    billion = by_id(everything)["engagement-financements-milliard-2019"]
    assert billion["amount"]["value"] == 1_000_000_000 and billion["actors"] == []


# --- events ---------------------------------------------------------------------------------


def events(client: TestClient, **params: Any) -> dict:
    return get(client, "/api/events", EventList, **params)


def test_the_events_of_march_2019(client: TestClient) -> None:
    body = events(client, since="2019-03-01", until="2019-03-31")
    assert [e["id"] for e in body["items"]] == [
        "assemblee-generale-tdi-2019",
        "french-fab-tour-sochaux-2019",
    ]
    assembly, sochaux = body["items"]
    assert (assembly["start"], assembly["end"]) == ("2019-03-05", "2019-03-06")
    assert assembly["place"]["id"] == "commune-69123" and assembly["place"]["label"] == "Lyon"
    assert {p["id"] for p in assembly["participants"]} == {
        "banque-des-territoires",
        "jacqueline-gourault",
        "agnes-pannier-runacher",
    }
    assert sochaux["place"]["id"] == "site-psa-sochaux"
    assert sochaux["type"] == "event"
    assert [c["id"] for c in sochaux["classes"]] == ["tdi:TourStage"]
    assert [c["id"] for c in assembly["classes"]] == ["tdi:GeneralAssembly"]
    assert {p["id"] for p in sochaux["participants"]} == {
        "eric-lombard",
        "agnes-pannier-runacher",
        "marie-guite-dufay",
        "charles-demouge",
    }
    assert {p["id"] for p in sochaux["organizers"]} == {"bpifrance"}
    assert (
        sochaux["sources"][0]["id"] == NFC
        and "étape sochaliennne" in (sochaux["sources"][0]["excerpt"])
    )  # verbatim, typo included


def test_events_in_date_order_undated_last(client: TestClient) -> None:
    items = events(client)["items"]
    dated = [e["start"] for e in items if e["start"]]
    assert dated == sorted(dated) and dated[0] == "2018-11-22"
    assert all(e["start"] is None for e in items[len(dated) :])
    assert "semaine-de-l-industrie" in {e["id"] for e in items[len(dated) :]}
    assert events(client, until="2018-12-31")["total"] == 1
    assert events(client, since="2019-03-06", until="2019-03-06")["items"][0]["id"] == (
        "assemblee-generale-tdi-2019"
    )  # overlaps the range


# --- territories ----------------------------------------------------------------------------


def territories(client: TestClient, **params: Any) -> dict:
    return get(client, "/api/territories", TerritoryList, **params)


def test_the_territories_of_bourgogne_franche_comte(client: TestClient) -> None:
    body = territories(client, region="region-27")
    items = by_id(body)
    assert body["total"] == 20 and len(items) == 20  # 10 in each phase
    assert all(t["region"]["id"] == "region-27" for t in items.values())
    nfc = items["ti1-2707"]
    assert nfc["label"] == "Nord Franche-Comté" and nfc["code"] == "ti-2707"
    assert nfc["phase"]["id"] == "tdi:Phase1" and nfc["communes"] == 197
    assert nfc["contract"]["id"] == "contrat-ti-nord-franche-comte"
    assert (nfc["contract_status"], nfc["contract_signed"]) == ("signed", "2019-03-19")
    assert len(nfc["groupements"]) == 5 and all(
        g["type"] == "organisation" for g in nfc["groupements"]
    )
    assert NFC in {s["id"] for s in nfc["sources"]}
    morvan = items["ti1-2701"]
    assert (morvan["contract_status"], morvan["contract_signed"]) == ("signed", "2019-03-22")
    # signed by 22 March (N°1114), after the launch of 22 November 2018 (curation)
    assert morvan["contract_signed_precision"] == "between"
    assert morvan["contract_signed_latest"] == "2019-03-22"
    assert nfc["contract_signed_precision"] == "day"
    others = [t for i, t in items.items() if i not in ("ti1-2707", "ti1-2701")]
    assert all(t["contract_status"] == "none" and t["contract_signed"] is None for t in others)
    assert items["ti2-2708"]["phase"]["id"] == "tdi:Phase2"


def test_territory_region_by_insee_code_and_paging(client: TestClient) -> None:
    assert territories(client, region="27")["total"] == 20
    everything = territories(client, limit=1000)
    assert everything["total"] == 66 == len(everything["items"])  # the sample's 34 + 32
    signed = {t["id"] for t in everything["items"] if t["contract_status"] == "signed"}
    assert signed == {
        "ti1-2707",
        "ti1-9303",
        "ti1-4410",
        "ti1-2701",
        "ti1-7504",
        "ti1-7514",
        "ti1-1104",
    }  # the 7 first contracts
    page = territories(client, limit=10, offset=50)
    assert len(page["items"]) == 10 and page["items"][0]["id"] == everything["items"][50]["id"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/signatures", {"actor": "nobody"}, 404),
        ("/api/signatures", {"agreement": "no-such-contract"}, 404),
        ("/api/signatures", {"since": "19-03-2019"}, 422),
        ("/api/signatures", {"since": "2019-04-01", "until": "2019-03-01"}, 400),
        ("/api/commitments", {"programme": "nothing"}, 404),
        ("/api/commitments", {"actor": "a b"}, 400),
        ("/api/events", {"until": "tomorrow"}, 422),
        ("/api/territories", {"region": "region-99"}, 404),
        ("/api/territories", {"limit": 1001}, 422),
    ],
)
def test_bad_filters(client: TestClient, path: str, params: dict, status: int) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status
    assert set(answer.json()["error"]) == {"code", "message"}


# --- query shape: the filters start from the entity -------------------------------------------


@pytest.fixture(scope="module")
def grown() -> tuple[ox.Store, Registry]:
    """The curated data and a synthetic graph shaped like it (~4,000 signature acts)."""
    store = ox.Store()
    store.bulk_extend([q for qs in collect_curated().values() for q in qs])
    store.bulk_extend(synthetic.quads(200_000))
    return store, Registry.build(store)


def median_ms(call: Callable[[], Any]) -> float:
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


@pytest.mark.perf
def test_filters_stay_fast_on_a_larger_graph(grown: tuple[ox.Store, Registry]) -> None:
    store, registry = grown
    person, org = ID + "synthetic-person-5", ID + "synthetic-org-5"
    assert facts.signatures(store, registry, actor=person)
    checks = {
        "signatures of an actor": lambda: facts.signatures(store, registry, actor=person),
        "signatures of an agreement": lambda: facts.signatures(
            store, registry, agreement=ID + "synthetic-agreement-5"
        ),
        "signatures of Éric Lombard": lambda: facts.signatures(
            store, registry, actor=ID + "eric-lombard"
        ),
        "commitments of an actor": lambda: facts.commitments(store, registry, actor=org),
        "roles": lambda: facts.roles(store, registry, person),
        "description": lambda: describe(store, registry, person),
    }
    slow = {name: ms for name, call in checks.items() if (ms := median_ms(call)) > 100}
    assert slow == {}, f"queries that scan the graph instead of starting from the entity: {slow}"


def test_contract_signed_for_all_seven_first_contracts(client: TestClient) -> None:
    signed = {
        t["id"]: (t["contract_signed"], t["contract_signed_precision"])
        for t in territories(client, limit=1000)["items"]
        if t["contract_status"] == "signed"
    }
    assert len(signed) == 7
    assert signed.pop("ti1-2707") == ("2019-03-19", "day")  # Nord Franche-Comté
    assert set(signed.values()) == {("2019-03-22", "between")}


def test_event_ranges_take_years_and_months(client: TestClient) -> None:
    march = {e["id"] for e in events(client, since="2019-03", until="2019-03")["items"]}
    days = {e["id"] for e in events(client, since="2019-03-01", until="2019-03-31")["items"]}
    assert march == days and "french-fab-tour-sochaux-2019" in march
    year = events(client, since="2019", until="2019")["items"]
    assert march <= {e["id"] for e in year}
    assert all(e["start"] and e["start"] <= "2019-12-31" for e in year)
    assert client.get("/api/events", params={"since": "2019-13"}).status_code == 422
    assert client.get("/api/events", params={"since": "2020", "until": "2019"}).status_code == 400
