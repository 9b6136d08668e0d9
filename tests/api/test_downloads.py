"""/downloads: the newest dump, listed with checksums; only the files it lists are served."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from tdi_graph.dump import dump
from tdi_graph.settings import Settings


@pytest.fixture(scope="module")
def dumps(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dumps")
    dump(store, folder, "api-test")
    return folder


@pytest.fixture(scope="module")
def downloads_client(store_dir: Path, dumps: Path) -> Iterator[TestClient]:
    from tdi_graph_api.app import create_app

    settings = Settings(store=store_dir, dumps_dir=dumps, query_workers=1)
    with TestClient(create_app(store_dir=store_dir, settings=settings)) as client:
        yield client


def test_listing_as_json_and_html(downloads_client: TestClient) -> None:
    manifest = downloads_client.get("/downloads").json()
    assert manifest["build"] == "api-test"
    paths = {f["path"] for f in manifest["files"]}
    assert {"tdi-graph.nq.gz", "tables/signatures.csv", "SHA256SUMS"} - paths == {"SHA256SUMS"}
    page = downloads_client.get("/downloads", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "sha256sum -c SHA256SUMS" in page.text
    assert 'href="/downloads/tables/commitments.csv"' in page.text


def test_files_are_served_with_their_checksum(downloads_client: TestClient) -> None:
    manifest = downloads_client.get("/downloads").json()
    entry = next(f for f in manifest["files"] if f["path"] == "tables/signatures.csv")
    answer = downloads_client.get("/downloads/tables/signatures.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert hashlib.sha256(answer.content).hexdigest() == entry["sha256"]
    sums = downloads_client.get("/downloads/SHA256SUMS")
    assert sums.status_code == 200 and entry["sha256"] in sums.text
    assert json.loads(downloads_client.get("/downloads/manifest.json").content)["build"] == (
        "api-test"
    )


@pytest.mark.parametrize(
    "path", ["nothing.csv", "../manifest.json", "%2e%2e/%2e%2e/etc/passwd", "tables/../../x"]
)
def test_only_listed_files(downloads_client: TestClient, path: str) -> None:
    answer = downloads_client.get(f"/downloads/{path}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_no_dump_yet_is_a_clear_404(store_dir: Path, tmp_path: Path) -> None:
    from tdi_graph_api.app import create_app

    settings = Settings(store=store_dir, dumps_dir=tmp_path / "none", query_workers=1)
    with TestClient(create_app(store_dir=store_dir, settings=settings)) as client:
        answer = client.get("/downloads")
        assert answer.status_code == 404
        assert "tdi-graph dump" in answer.json()["error"]["message"]
        page = client.get("/downloads", headers={"Accept": "text/html"})
        assert "Aucun export" in page.text
