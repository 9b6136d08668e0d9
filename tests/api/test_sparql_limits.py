"""Nothing heavy on the event loop, and limits on everything a client sends (issue 12).

Against a real uvicorn server configured as ``tdi-graph serve`` configures it
(:mod:`tdi_graph_api.server`), on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tdi_graph_api import server
from tdi_graph_api.security import MAX_ACCEPT

from tdi_graph.settings import Settings
from tests.fixtures.serving import free_port, served

from .test_sparql_safety import changed_settings

ENDPOINT = "/sparql"
DIRECT = {"content-type": "application/sparql-query"}


@pytest.fixture(scope="module")
def limited(app: FastAPI, settings: Settings) -> Iterator[str]:
    """The app behind uvicorn with the serve command's limits (head timeout shortened)."""
    limits = settings.model_copy(update={"max_header_bytes": 32 * 1024, "max_connections": 64})
    config = server.config(app, limits, "127.0.0.1", free_port())
    config.http = type("Quick", (config.http,), {"head_seconds": 1.0})  # type: ignore[arg-type]
    with served(uvicorn.Server(config)) as base:
        yield base


def _raw(base: str, data: bytes, wait: float = 5.0) -> bytes:
    """Send raw bytes on a fresh connection; what comes back until the server closes it."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        with contextlib.suppress(OSError):  # closed while we were sending: read what it said
            sock.sendall(data)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out


# --- request heads ----------------------------------------------------------------------------


@pytest.mark.perf
def test_a_huge_header_is_431_and_not_echoed(limited: str) -> None:
    value = b"text/csv," * (1024 * 1024 // 9)  # 1 MB Accept
    started = time.monotonic()
    answer = _raw(
        limited,
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nAccept: " + value + b"\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert len(answer) < 1000 and b"text/csv,text/csv" not in answer
    assert time.monotonic() - started < 2.0


def test_an_unterminated_header_is_cut_off(limited: str) -> None:
    """An endless header (no CRLF) is refused at the limit, not buffered to 50 MB."""
    answer = _raw(limited, b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * (4 * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 431")


def test_a_long_url_is_431(limited: str) -> None:
    url = b"/sparql?query=ASK%7B%7D%23" + b"x" * 100_000
    answer = _raw(limited, b"GET " + url + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431")
    assert httpx.get(limited + ENDPOINT, params={"query": "ASK {}"}, timeout=10).status_code == 200


def test_a_slow_head_is_closed(limited: str) -> None:
    """Slowloris: a head that never completes is closed (here after 1 s; 10 s by default)."""
    started = time.monotonic()
    answer = _raw(limited, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: a", wait=10)
    assert answer.startswith(b"HTTP/1.1 408")
    assert 0.9 < time.monotonic() - started < 5
    started = time.monotonic()
    assert _raw(limited, b"", wait=10).startswith(b"HTTP/1.1 408")  # an idle connection too
    assert time.monotonic() - started < 5


def test_an_oversized_accept_is_431_through_the_app(client: TestClient) -> None:
    accept = "application/x-" + "a" * MAX_ACCEPT
    answer = client.get(ENDPOINT, params={"query": "ASK {}"}, headers={"accept": accept})
    assert answer.status_code == 431
    assert answer.json()["error"]["code"] == "header_too_large"
    assert "aaaa" not in answer.text and len(answer.content) < 300


def test_a_406_does_not_echo_a_long_accept(client: TestClient) -> None:
    accept = "application/x-" + "b" * 3000
    answer = client.get(ENDPOINT, params={"query": "ASK {}"}, headers={"accept": accept})
    assert answer.status_code == 406
    assert "b" * 200 not in answer.text


def test_uvicorn_gets_the_limits(settings: Settings) -> None:
    config = server.config(object(), settings, "127.0.0.1", 1)
    assert config.limit_concurrency == settings.max_connections
    assert config.timeout_keep_alive == settings.keep_alive_seconds
    assert config.h11_max_incomplete_event_size == settings.max_header_bytes
    assert issubclass(config.http, server.LimitedHttpTools)  # type: ignore[arg-type]
    assert config.http.max_head == settings.max_header_bytes  # type: ignore[union-attr]


def test_connection_cap(app: FastAPI, settings: Settings) -> None:
    """Past ``max_connections``, uvicorn answers 503 instead of holding more connections."""
    capped = settings.model_copy(update={"max_connections": 2})
    config = server.config(app, capped, "127.0.0.1", free_port())
    with served(uvicorn.Server(config)) as base:
        idle = [socket.create_connection(("127.0.0.1", config.port)) for _ in range(2)]
        time.sleep(0.2)
        assert httpx.get(f"{base}/openapi.json", timeout=10).status_code == 503
        for sock in idle:
            sock.close()
        time.sleep(0.3)
        assert httpx.get(f"{base}/openapi.json").status_code == 200


# --- bodies and answers -----------------------------------------------------------------------


def test_body_cap(client: TestClient) -> None:
    big = "ASK {} #" + "x" * 1_100_000
    answer = client.post(ENDPOINT, content=big, headers=DIRECT)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "payload_too_large"
    answer = client.post(ENDPOINT, data={"query": big})
    assert answer.status_code == 413


def test_malformed_forms_are_400(client: TestClient) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"query=ASK%7", b"query=%ZZ", b"query=%C3%28", b"&".join([b"a=b"] * 2000)):
        answer = client.post(ENDPOINT, content=body, headers=form)
        assert answer.status_code == 400, (body[:20], answer.text)


def test_answer_bytes_cap(app: FastAPI, client: TestClient) -> None:
    """The cap counts bytes, not only rows: 300 rows of labels past 2 000 bytes are a 507."""
    query = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 300"
    assert client.get(ENDPOINT, params={"query": query, "format": "csv"}).status_code == 200
    with changed_settings(app, max_answer_bytes=2000):
        for fmt in ("csv", "json", "tsv", "xml"):
            answer = client.get(ENDPOINT, params={"query": query, "format": fmt})
            assert answer.status_code == 507, fmt
            assert "2,000 bytes" in answer.json()["error"]["message"]
        graph = "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 300"
        assert client.get(ENDPOINT, params={"query": graph}).status_code == 507


# --- the event loop stays free ----------------------------------------------------------------


def _lookup_latencies(base: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=30) as lookups:
        while not stop.is_set():
            started = time.perf_counter()
            lookups.get("/openapi.json")
            out.append(time.perf_counter() - started)
            time.sleep(0.005)


@pytest.mark.perf
@pytest.mark.parametrize(
    "name",
    ["a-dot-1MB-direct", "a-dot-1MB-form", "percent-1MB-form", "braces-1MB", "quotes-1MB"],
)
def test_a_1mb_pathological_query_leaves_the_loop_free(limited: str, name: str) -> None:
    """An unrelated lookup beside a 1 MB pathological query stays fast: the event loop spends
    well under 50 ms on it (the old scanner froze the server 22 s on 60 KB)."""
    payloads = {
        "a-dot-1MB-direct": ("direct", "SELECT * { " + "a." * 499_990),
        "a-dot-1MB-form": ("form", "SELECT * { " + "a." * 499_000),
        "percent-1MB-form": ("form", "ASK { FILTER(" + "%" * 333_000),
        "braces-1MB": ("direct", "SELECT * " + "{" * 999_000),
        "quotes-1MB": ("direct", "SELECT * { " + "\"a\\'" * 249_000),
    }
    kind, text = payloads[name]
    baseline: list[float] = []
    stop = threading.Event()
    worker = threading.Thread(target=_lookup_latencies, args=(limited, stop, baseline))
    worker.start()
    time.sleep(0.5)
    stop.set()
    worker.join()

    during: list[float] = []
    stop = threading.Event()
    worker = threading.Thread(target=_lookup_latencies, args=(limited, stop, during))
    worker.start()
    time.sleep(0.1)
    started = time.perf_counter()
    if kind == "direct":
        answer = httpx.post(limited + ENDPOINT, content=text.encode(), headers=DIRECT, timeout=60)
    else:
        answer = httpx.post(limited + ENDPOINT, data={"query": text}, timeout=60)
    took = time.perf_counter() - started
    time.sleep(0.1)
    stop.set()
    worker.join()
    assert 400 <= answer.status_code < 500 or answer.status_code == 503, answer.text
    typical = statistics.median(baseline)
    worst = max(during)
    print(
        f"{name}: answered {answer.status_code} in {took:.3f} s; lookups beside it: "
        f"median {statistics.median(during) * 1000:.1f} ms, max {worst * 1000:.1f} ms "
        f"(alone: median {typical * 1000:.1f} ms, max {max(baseline) * 1000:.1f} ms)"
    )
    assert worst - typical < 0.5  # generous: a shared, loaded 2-core machine (~20 ms when quiet)
