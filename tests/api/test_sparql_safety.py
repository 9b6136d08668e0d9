"""The endpoint is read-only and safe: updates and SERVICE refused on every path, a runaway
query stopped (its worker killed, its CPU freed) while other queries are served, a row cap."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tdi_graph_api.routers.sparql import get_pool

from tdi_graph.errors import QueryTimeout, TooManyResults
from tdi_graph.namespaces import ID
from tdi_graph.settings import Settings
from tdi_graph.sparql import QueryRequest, check, keywords
from tdi_graph.store import current_build
from tdi_graph.workers import Limits, WorkerPool

ENDPOINT = "/sparql"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SIMPLE = f"SELECT ?p ?o WHERE {{ <{ID}bpifrance> ?p ?o }}"
UPDATES = [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/tdi-graph/graph/entities>",
    "LOAD <http://example.org/data.ttl>",
    "PREFIX ex: <http://example.org/>\nWITH ex:g DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "create graph <http://example.org/g>",
]


@contextmanager
def changed_settings(app: FastAPI, **changes: object) -> Iterator[None]:
    """The app's settings with ``changes``, for the duration of a test."""
    services = app.state.services
    original: Settings = services.settings
    services.settings = original.model_copy(update=changes)
    try:
        yield
    finally:
        services.settings = original


def assert_refused(answer: httpx.Response, word: str) -> None:
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert set(body) == {"error"} and word in body["error"]["message"]


# --- updates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("update", UPDATES)
def test_updates_refused_on_every_path(client: TestClient, store: ox.Store, update: str) -> None:
    size = len(store)
    paths = [
        client.get(ENDPOINT, params={"update": update}),
        client.get(ENDPOINT, params={"query": update}),
        client.post(ENDPOINT, data={"update": update}),
        client.post(ENDPOINT, data={"query": update}),
        client.post(
            ENDPOINT, content=update, headers={"content-type": "application/sparql-update"}
        ),
        client.post(ENDPOINT, content=update, headers={"content-type": "application/sparql-query"}),
        client.post(
            ENDPOINT,
            params={"update": update},
            content="ASK {}",
            headers={"content-type": "application/sparql-query"},
        ),
    ]
    for answer in paths:
        assert_refused(answer, "read-only")
    assert len(store) == size
    assert (
        client.get(ENDPOINT, params={"query": "ASK { <http://example.org/a> ?p ?o }"}).json()[
            "boolean"
        ]
        is False
    )


def test_multiple_updates_refused(client: TestClient) -> None:
    answer = client.post(
        ENDPOINT,
        content="update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_refused(answer, "read-only")


def test_update_keywords_in_a_query_are_fine(client: TestClient) -> None:
    query = 'SELECT ?insert WHERE { BIND("DELETE WHERE" AS ?insert) } # CLEAR ALL'
    assert client.get(ENDPOINT, params={"query": query}).status_code == 200


# --- SERVICE ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o . service silent <http://127.0.0.1:9/sparql> { ?s ?p ?x } }",
        "ASK { { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?p ?o } } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { OPTIONAL { SerViCe <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "PREFIX s: <http://example.org/>\nSELECT * WHERE {SERVICE<http://127.0.0.1:9/>{?s ?p ?o}}",
    ],
)
def test_service_refused(client: TestClient, query: str) -> None:
    assert_refused(client.get(ENDPOINT, params={"query": query}), "SERVICE")
    assert_refused(client.post(ENDPOINT, data={"query": query}), "SERVICE")
    assert_refused(
        client.post(ENDPOINT, content=query, headers={"content-type": "application/sparql-query"}),
        "SERVICE",
    )


def test_service_as_a_word_is_fine(client: TestClient) -> None:
    query = (
        "PREFIX service: <http://example.org/service#>\n"
        'SELECT ?service WHERE { BIND("SERVICE <x>" AS ?service) FILTER(?service != service:x) '
        "# SERVICE <http://evil/>\n"
        'FILTER(!STRSTARTS(STR(<http://example.org/SERVICE>), "x")) }'
    )
    assert keywords(query).count("SERVICE") == 0
    assert client.get(ENDPOINT, params={"query": query}).status_code == 200


def test_service_allowed_by_setting(
    app: FastAPI, client: TestClient, store: ox.Store, live_server: str
) -> None:
    """With TDI_ALLOW_SERVICE, workers keep the network and a federated query runs (here
    against this same endpoint); the service description says so."""
    query = f"SELECT ?o WHERE {{ SERVICE <{live_server}/sparql> {{ <{ID}bpifrance> a ?o }} }}"
    with WorkerPool(store, size=1, timeout=5.0, limits=Limits(sandbox=False)) as pool:
        answer = pool.run(QueryRequest(query, format="csv", allow_service=True))
    assert b"https://w3id.org/tdi-graph/ontology#PublicOperator" in b"".join(answer.chunks())
    with changed_settings(app, allow_service=True):
        description = client.get(ENDPOINT, headers={"accept": "application/n-triples"}).text
    assert "BasicFederatedQuery" in description


def test_check_refuses_without_evaluating() -> None:
    assert check("ASK {}") == "ASK"
    with pytest.raises(Exception, match="SERVICE"):
        check("SELECT * { SERVICE <http://x/> {} }")
    assert check("SELECT * { SERVICE <http://x/> {} }", allow_service=True) == "SELECT"


# --- time limit ------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)


def _gone(pids: set[int], within: float = 10.0) -> bool:
    """Whether the processes are gone within ``within`` s (a reniced worker, killed, takes a
    little longer to tear its address space down on a busy machine)."""
    deadline = time.monotonic() + within
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.perf
def test_runaway_query_is_stopped(app: FastAPI, live_server: str, settings: Settings) -> None:
    """A cross product answers 503 within the limit + 1 s, its worker is killed (CPU freed),
    and a simple query sent meanwhile is answered at once."""
    pool = get_pool(app)
    before = set(pool.pids())
    runaway: dict[str, object] = {}

    def run() -> None:
        started = time.monotonic()
        answer = httpx.get(live_server + ENDPOINT, params={"query": RUNAWAY}, timeout=30)
        runaway.update(answer=answer, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    simple = httpx.get(live_server + ENDPOINT, params={"query": SIMPLE}, timeout=30)
    assert simple.status_code == 200 and simple.json()["results"]["bindings"]
    assert time.monotonic() - started < 1.0
    thread.join(timeout=30)

    answer = runaway["answer"]
    assert isinstance(answer, httpx.Response)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "query_timeout"
    assert f"{settings.query_timeout:g} s" in answer.json()["error"]["message"]
    assert float(runaway["seconds"]) < settings.query_timeout + 1.0  # type: ignore[arg-type]

    killed = before - set(pool.pids())
    assert len(killed) == 1 and len(pool.pids()) == settings.query_workers
    assert _gone(killed)
    again = httpx.get(live_server + ENDPOINT, params={"query": SIMPLE}, timeout=30)
    assert again.status_code == 200


def test_named_queries_have_the_same_time_limit(client: TestClient, app: FastAPI) -> None:
    pool = get_pool(app)
    assert pool.timeout == app.state.services.settings.query_timeout


@pytest.fixture
def small_pool(store: ox.Store) -> Iterator[WorkerPool]:
    with WorkerPool(store, size=1, timeout=1.0) as pool:
        yield pool


@pytest.mark.perf
def test_pool_timeout_and_replacement(small_pool: WorkerPool) -> None:
    (first,) = small_pool.pids()
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        small_pool.run(QueryRequest(RUNAWAY))
    assert time.monotonic() - started < 2.0
    (second,) = small_pool.pids()
    assert second != first
    assert _gone({first})
    answer = small_pool.run(QueryRequest("ASK {}"))
    assert b"true" in b"".join(answer.chunks())


def test_pool_survives_a_dead_worker(small_pool: WorkerPool) -> None:
    (pid,) = small_pool.pids()
    os.kill(pid, 9)
    time.sleep(0.2)
    answer = small_pool.run(QueryRequest("ASK {}"))
    assert b"true" in b"".join(answer.chunks())
    assert small_pool.pids() != [pid]


@pytest.mark.parametrize("recycle_mb", [None, 0.001])
def test_a_worker_past_its_private_memory_is_replaced_after_its_answer(
    store: ox.Store, recycle_mb: float | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TDI_QUERY_WORKER_PRIVATE_MB: read every RECYCLE_CHECK_EVERY answers (here 2), a worker
    holding more than the limit of its own is replaced by a fresh fork; every answer stays
    whole. Without a limit, the same worker answers throughout."""
    from tdi_graph.workers import pool as pool_module

    monkeypatch.setattr(pool_module, "RECYCLE_CHECK_EVERY", 2)
    with WorkerPool(store, size=1, timeout=5.0, recycle_mb=recycle_mb) as pool:
        seen = set()
        for _ in range(6):
            seen.update(pool.pids())
            answer = pool.run(QueryRequest(SIMPLE, format="csv"))
            assert b"ontology#PublicOperator" in b"".join(answer.chunks())
        if recycle_mb is None:
            assert pool.recycled == 0 and len(seen) == 1
        else:
            assert pool.recycled == 3 and len(seen) == 3  # after answers 2, 4 (and 6)
            assert _gone(seen - set(pool.pids()))


@pytest.mark.parametrize(
    ("limit", "in_memory", "expected"), [(5, True, 5), (0, True, None), (5, False, None)]
)
def test_the_private_memory_setting_reaches_the_pool(
    store_dir: Path, limit: int, in_memory: bool, expected: int | None
) -> None:
    """Only workers over the in-memory store copy it; workers over the build on disk share it
    through the page cache and are never recycled for it."""
    from tdi_graph_api.app import create_app

    settings = Settings(
        store=store_dir, query_workers=1, query_worker_private_mb=limit, store_in_memory=in_memory
    )
    app = create_app(store_dir=store_dir, settings=settings)
    with TestClient(app):
        assert get_pool(app).recycle_mb == expected


def test_private_memory_is_read_from_proc() -> None:
    from tdi_graph.workers.pool import private_mb

    assert private_mb(os.getpid()) > 1  # this interpreter's own heap
    assert private_mb(2**22 + 7) == 0  # no such process


def test_pool_on_the_disk_build(store_dir: Path) -> None:
    """With TDI_STORE_IN_MEMORY=false each worker opens the current build read-only."""
    build = current_build(store_dir)
    assert build is not None
    with WorkerPool(build, size=1, timeout=5.0) as pool:
        answer = pool.run(QueryRequest(SIMPLE, format="csv"))
        assert b"ontology#PublicOperator" in b"".join(answer.chunks())


def test_pool_close_kills_everything(store: ox.Store) -> None:
    pool = WorkerPool(store, size=2, timeout=1.0)
    pool.start()
    pids = pool.pids()
    pool.close()
    assert _gone(set(pids))


# --- row cap ---------------------------------------------------------------------------------


def test_row_cap(app: FastAPI, client: TestClient) -> None:
    with changed_settings(app, max_result_rows=50):
        _check_row_cap(client)


def _check_row_cap(client: TestClient) -> None:
    for fmt in ("json", "xml", "csv", "tsv"):
        answer = client.get(
            ENDPOINT, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 51", "format": fmt}
        )
        assert answer.status_code == 507 and answer.json()["error"]["code"] == "too_many_results"
        assert "50" in answer.json()["error"]["message"]
    ok = client.get(ENDPOINT, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"})
    assert len(ok.json()["results"]["bindings"]) == 50
    graph = client.get(ENDPOINT, params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 80"})
    assert graph.status_code == 507
    named = client.get("/api/queries/single-source-facts", params={"limit": 10}).json()
    assert named["total"] > 50 and len(named["items"]) == 10  # a page: counted, not capped


@pytest.mark.perf
def test_row_cap_stops_early(small_pool: WorkerPool) -> None:
    started = time.monotonic()
    with pytest.raises(TooManyResults):
        small_pool.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }", max_rows=10))
    assert time.monotonic() - started < 1.0
