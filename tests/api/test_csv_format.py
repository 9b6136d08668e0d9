"""``?format=csv`` on every /api list route and named query (one shared implementation)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

LISTS = [
    "/api/commitments?actor=banque-des-territoires",
    "/api/signatures",
    "/api/events",
    "/api/territories",
    "/api/search?q=cholet",
    "/api/queries",
    "/api/queries/territory-of-commune?commune=commune-25547",
    "/api/queries/commitments-of-actor",
]


def table(answer) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(answer.text)))


@pytest.mark.parametrize("url", LISTS)
def test_every_list_answers_csv_with_one_row_per_item(client: TestClient, url: str) -> None:
    sep = "&" if "?" in url else "?"
    data = client.get(url).json()
    items = data.get("items", data.get("results"))
    rows = table(client.get(f"{url}{sep}format=csv"))
    assert len(rows) == len(items) > 0
    if "variables" in data:  # a named query: its columns, in order
        assert list(rows[0])[: len(data["variables"])] == data["variables"]
        first = {k: ("" if v is None else str(v)) for k, v in items[0].items()}
        assert {k: rows[0][k] for k in first} == first
    elif "id" in items[0]:
        assert [r["id"] for r in rows] == [i["id"] for i in items]


def test_nested_values_become_dotted_columns(client: TestClient) -> None:
    rows = table(client.get("/api/signatures", params={"format": "csv", "limit": 5}))
    signature = client.get("/api/signatures", params={"limit": 5}).json()["items"][0]
    assert rows[0]["agreement.id"] == signature["agreement"]["id"]
    assert rows[0]["agreement.label"] == signature["agreement"]["label"]
    assert rows[0]["sources"] == " | ".join(s["id"] for s in signature["sources"])


def test_csv_keeps_the_filters_and_paging(client: TestClient) -> None:
    url = "/api/commitments"
    params = {"actor": "banque-des-territoires", "limit": 3, "offset": 2}
    rows = table(client.get(url, params={**params, "format": "csv"}))
    assert [r["id"] for r in rows] == [
        c["id"] for c in client.get(url, params=params).json()["items"]
    ]
    assert (
        'filename="commitments.csv"'
        in client.get(url, params={"format": "csv"}).headers["content-disposition"]
    )


def test_errors_stay_json_and_bad_formats_are_400(client: TestClient) -> None:
    missing = client.get("/api/queries/territory-of-commune", params={"format": "csv"})
    assert missing.status_code == 400 and "'commune'" in missing.json()["error"]["message"]
    assert client.get("/api/signatures", params={"format": "xml"}).status_code == 400
    assert client.get("/api/entities/bpifrance", params={"format": "csv"}).status_code == 400
    same = client.get("/api/events", params={"format": "json"})
    assert same.json() == client.get("/api/events").json()
    network = client.get("/api/network", params={"format": "graphml"})  # its own format
    assert network.status_code == 200 and "graphml" in network.text[:500]
