"""``/api/network``, the GeoJSON routes and the ``/network`` and ``/map`` pages over ASGI."""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET

import httpx
import networkx as nx
import pytest
from fastapi.testclient import TestClient

NFC = "cp-bdt-2019-03-20-nord-franche-comte"


def error(response: httpx.Response, status: int, code: str | None = None) -> str:
    """Check the JSON error shape; return the message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]["message"]


def test_json_has_nodes_with_type_and_metrics_and_edges_with_relation_and_sources(
    client: TestClient,
) -> None:
    response = client.get("/api/network")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    nodes = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    lombard = nodes["eric-lombard"]
    assert lombard["type"] == "person" and lombard["label"] == "Éric Lombard"
    for metric in ("degree", "weighted_degree", "betweenness", "pagerank", "community"):
        assert isinstance(lombard[metric], int | float)
    edges = [e["data"] for e in doc["elements"]["edges"]]
    assert all(e["relation"] and e["sources"] for e in edges)
    signed = [e for e in edges if e["source"] == "eric-lombard" and e["relation"] == "signed"]
    assert signed and signed[0]["documents"] == [NFC]
    (source,) = signed[0]["sources"]
    assert source["id"] == NFC and source["date"] == "Sochaux, le 20 mars 2019"
    assert source["excerpt"].startswith("A cette occasion, il a signé le contrat")
    assert signed[0]["excerpt"] == source["excerpt"]
    assert all(e["excerpt"] or e["reason"] for e in edges)
    curated = [e for e in edges if e["curation_only"]]
    assert len(curated) == 7 and all(e["reason"] for e in curated)
    assert NFC in doc["documents"]


@pytest.mark.parametrize(
    ("fmt", "media"), [("graphml", "application/graphml+xml"), ("gexf", "application/gexf+xml")]
)
def test_gephi_formats(client: TestClient, fmt: str, media: str) -> None:
    response = client.get("/api/network", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert f"tdi-network.{fmt}" in response.headers["content-disposition"]
    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    graph = read(io.BytesIO(response.content))
    assert graph.nodes["bpifrance"]["type"] == "organisation"
    assert graph.number_of_edges() > 100


def test_drawings(client: TestClient) -> None:
    png = client.get("/api/network", params={"format": "png", "focus": "eric-lombard"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(
        "/api/network",
        params={"format": "svg", "metric": "pagerank", "type": "person,organisation"},
    )
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.content).tag.endswith("svg")


def test_focus_depth_and_filters(client: TestClient) -> None:
    ego = client.get("/api/network", params={"focus": "eric-lombard", "depth": 1}).json()
    ids = {n["data"]["id"] for n in ego["elements"]["nodes"]}
    assert {"eric-lombard", "caisse-des-depots", "marie-guite-dufay"} <= ids
    assert ego["data"]["focus"] == "eric-lombard" and ego["data"]["depth"] == 1
    iri = client.get(
        "/api/network", params={"focus": "https://w3id.org/tdi-graph/id/eric-lombard", "depth": 1}
    ).json()
    assert {n["data"]["id"] for n in iri["elements"]["nodes"]} == ids
    signed = client.get("/api/network", params={"relation": "signed, signed-for"}).json()
    assert {e["data"]["relation"] for e in signed["elements"]["edges"]} == {"signed", "signed-for"}
    people = client.get("/api/network", params={"type": "person"}).json()
    assert {n["data"]["type"] for n in people["elements"]["nodes"]} == {"person"}
    dated = client.get("/api/network", params={"since": "2019-03-19", "until": "2019-03-19"}).json()
    dates = {e["data"].get("date") for e in dated["elements"]["edges"]}
    assert "2019-03-19" in dates and dates <= {"2019-03-19", None}
    actors = client.get("/api/network", params={"projection": "actors"}).json()
    assert {n["data"]["type"] for n in actors["elements"]["nodes"]} <= {"person", "organisation"}


def test_bad_values_are_json_errors(client: TestClient) -> None:
    def get(**params: str) -> httpx.Response:
        return client.get("/api/network", params=params)

    assert "format" in error(get(format="dot"), 422, "invalid_parameter")
    assert "depth" in error(get(focus="eric-lombard", depth="9"), 422)
    assert "depth" in error(get(depth="deep"), 422)
    assert "since" in error(get(since="2019-13-45"), 422)
    assert "projection" in error(get(projection="circle"), 422)
    assert "metric" in error(get(format="png", metric="size"), 422)
    assert "robot" in error(get(type="person,robot"), 400, "bad_request")
    assert "knows" in error(get(relation="knows"), 400, "bad_request")
    assert "after" in error(get(since="2020-01-01", until="2019-01-01"), 400)
    assert "nobody" in error(get(focus="nobody"), 404, "not_found")
    error(get(focus="eric-lombard", type="organisation"), 404, "not_found")


def test_territories_geojson(client: TestClient) -> None:
    response = client.get("/api/territories.geojson", params={"phase": 1})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 149
    nfc = next(f for f in collection["features"] if f["id"] == "ti1-2707")["properties"]
    assert nfc["status"] == "signed" and nfc["region"] == "region-27"
    phase2 = client.get("/api/territories.geojson", params={"phase": 2}).json()
    assert len(phase2["features"]) == 183
    assert all(re.fullmatch(r"ti2-\d{4}", f["id"]) for f in phase2["features"])
    assert "phase" in error(client.get("/api/territories.geojson", params={"phase": 3}), 422)
    assert "phase" in error(client.get("/api/territories.geojson", params={"phase": "x"}), 422)


def test_geojson_is_gzipped_when_accepted(client: TestClient) -> None:
    packed = client.get("/api/territories.geojson", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < 300_000
    plain = client.get("/api/territories.geojson", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == packed.json()


def test_communes_geojson(client: TestClient) -> None:
    response = client.get("/api/communes.geojson")
    assert response.status_code == 200
    features = {f["id"]: f for f in response.json()["features"]}
    assert features["commune-25547"]["properties"]["territory"] == "ti1-2707"
    assert features["commune-25547"]["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("path", "assets"),
    [
        (
            "/network",
            [
                "/static/vendor/cytoscape/cytoscape.min.js",
                "/static/network.js",
                "/static/network.css",
            ],
        ),
        (
            "/map",
            [
                "/static/vendor/leaflet/leaflet.js",
                "/static/vendor/leaflet/leaflet.css",
                "/static/map.js",
                "/static/map.css",
            ],
        ),
    ],
)
def test_pages_use_only_local_assets(client: TestClient, path: str, assets: list[str]) -> None:
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in assets:
        assert f'"{asset}"' in page.text
        assert client.get(asset).status_code == 200
    external = re.findall(r'(?:src|href)="(https?:)?//', page.text)
    assert not external
    for script in ("/static/network.js", "/static/map.js"):
        body = client.get(script).text
        assert "://" not in body, script
        assert "tileLayer" not in body, script


def test_network_page_knows_every_relation(client: TestClient) -> None:
    page = client.get("/network").text
    for relation in ("holds-post-in", "co-signed-with", "member-of", "committed"):
        assert f'value="{relation}"' in page


def test_drawings_are_computed_once_per_parameters(client: TestClient) -> None:
    params = {"format": "png", "focus": "bpifrance", "depth": "1", "type": "person,organisation"}
    first = client.get("/api/network", params=params)
    views = client.app.state.tdi_network  # type: ignore[attr-defined]
    computed = views.computed
    again = client.get("/api/network", params={**params, "type": "organisation, person"})
    assert again.content == first.content and first.content.startswith(b"\x89PNG")
    assert views.computed == computed  # same parameters, in another order: from the cache
    other = client.get("/api/network", params={**params, "metric": "pagerank"})
    assert other.status_code == 200 and views.computed == computed + 1
    client.get("/api/network", params={**params, "metric": "pagerank"})
    assert views.computed == computed + 1
    # the metric does not change a JSON answer: one entry for both
    client.get("/api/network", params={"focus": "bpifrance", "metric": "degree"})
    n = views.computed
    client.get("/api/network", params={"focus": "bpifrance", "metric": "pagerank"})
    assert views.computed == n


def test_the_map_answers_are_computed_once(client: TestClient) -> None:
    client.get("/api/communes.geojson", params={"phase": 2})
    store, cache = client.app.state.tdi_map  # type: ignore[attr-defined]
    raw, packed = cache[("communes", 2)]
    assert client.get("/api/communes.geojson", params={"phase": 2}).content == raw
    assert cache[("communes", 2)][0] is raw and gzip.decompress(packed) == raw


def test_nodes_name_their_class_in_both_languages(client: TestClient) -> None:
    """The node card shows the class's label from the model, never its raw local name."""
    doc = client.get("/api/network").json()
    nodes = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    person = nodes["eric-lombard"]
    assert person["class"] == "Person"
    assert (person["class_label"], person["class_label_en"]) == ("personne", "person")
    assert all(n["class_label"] and n["class_label_en"] for n in nodes.values())
