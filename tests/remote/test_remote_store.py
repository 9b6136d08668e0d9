"""RemoteStore: parameters bound safely, the same result types as pyoxigraph, errors mapped."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from tdi_graph.errors import BadRequest, EngineTimeout, EngineUnavailable
from tdi_graph.namespaces import PREFIXES, iri
from tdi_graph.remote import RemoteStore, bind, open_query_store
from tdi_graph.settings import Settings
from tests.remote.conftest import Published
from tests.remote.engines import free_port

XSD = PREFIXES["xsd"]
TRICKY = [
    ox.Literal('quote " and \\ backslash'),
    ox.Literal("} UNION { ?s ?p ?o } # not a pattern"),
    ox.Literal('"""triple quotes""" and \'single\''),
    ox.Literal("line one\nline two\r\ttab"),
    ox.Literal("Île-de-France, Pôle emploi, 100 M€, 日本"),
    ox.Literal("<http://example.org/not-an-iri>"),
    ox.Literal("?injected ; rdfs:label ?x", language="fr"),
    ox.Literal("2019-03-20", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("100000000", datatype=ox.NamedNode(XSD + "integer")),
    iri("contrat-ti-nord-franche-comte"),
    ox.NamedNode("http://example.org/a?b=c&d=%7D#frag"),
]


def test_bind_puts_values_at_the_top_of_the_outermost_where() -> None:
    query = (
        "PREFIX ex: <http://example.org/WHERE#SELECT>\n"
        "SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x # WHERE { in a comment\n"
        'WHERE { ?x ex:p "WHERE {" . { SELECT ?y WHERE { ?y ?p ?o } } }'
    )
    bound = bind(query, {ox.Variable("x"): ox.Literal('a"}')})
    at = bound.index("VALUES")
    assert bound[:at].endswith("# WHERE { in a comment\nWHERE {")
    assert bound[at:].startswith('VALUES (?x) { ("a\\"}") }\n ?x ex:p "WHERE {"')
    assert ox.Store().query(bound) is not None  # still SPARQL
    construct = bind("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }", {ox.Variable("s"): iri("a")})
    assert construct.startswith("CONSTRUCT { ?s ?p ?o } {VALUES (?s) { (<")
    with pytest.raises(BadRequest):
        bind("SELECT * { ?s ?p ?o }", {ox.Variable("s"): ox.BlankNode()})
    with pytest.raises(BadRequest):
        bind("CONSTRUCT WHERE { ?s ?p ?o }", {ox.Variable("s"): iri("a")})


def test_bind_matches_pyoxigraph_substitutions_on_the_embedded_store() -> None:
    """What ``bind`` writes means what pyoxigraph's ``substitutions=`` means, literal by literal."""
    store = ox.Store()
    for term in TRICKY:
        query = "SELECT ?v (STR(?v) AS ?text) (COUNT(*) AS ?n) WHERE { } GROUP BY ?v"
        ours = list(store.query(bind(query, {ox.Variable("v"): term})))
        theirs = list(store.query(query, substitutions={ox.Variable("v"): term}))
        assert [tuple(r) for r in ours] == [tuple(r) for r in theirs]
        assert ours[0]["v"] == term and ours[0]["n"].value == "1"


def test_tricky_literals_round_trip_through_each_engine(published: Published) -> None:
    for term in TRICKY:
        rows = list(
            published.store.query(
                "SELECT ?v (COUNT(*) AS ?n) WHERE { } GROUP BY ?v",
                substitutions={ox.Variable("v"): term},
            )
        )
        assert len(rows) == 1, term
        assert rows[0]["n"].value == "1"
        assert rows[0]["v"] == term


def test_prefixes_and_result_types_are_pyoxigraph_s(published: Published, store) -> None:
    entity = iri("bpifrance")
    ask = published.store.query(
        "ASK { ?e a ?t }",
        prefixes={"id": PREFIXES["id"]},
        substitutions={ox.Variable("e"): entity},
        use_default_graph_as_union=True,
    )
    assert isinstance(ask, ox.QueryBoolean) and bool(ask) is True
    construct = "CONSTRUCT { ?e ?p ?o } WHERE { ?e ?p ?o FILTER(isIRI(?o)) }"
    ours = published.store.query(
        construct, substitutions={ox.Variable("e"): entity}, use_default_graph_as_union=True
    )
    assert isinstance(ours, ox.QueryTriples)
    theirs = store.query(
        construct, substitutions={ox.Variable("e"): entity}, use_default_graph_as_union=True
    )
    expected = set(theirs)
    assert set(ours) == expected and len(expected) >= 3
    label = ox.NamedNode(PREFIXES["rdfs"] + "label")
    quads = set(published.store.quads_for_pattern(entity, label, None, None))
    assert quads == set(store.quads_for_pattern(entity, label, None, None)) and quads


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    sock.close()


def test_a_slow_engine_is_a_504_and_a_down_one_a_503(silent_server: str) -> None:
    with pytest.raises(EngineTimeout) as slow:
        RemoteStore(silent_server, timeout=0.5).query("ASK { ?s ?p ?o }")
    assert slow.value.status == 504 and "did not answer in time" in slow.value.message
    down = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(EngineUnavailable) as refused:
        RemoteStore(down, timeout=2).query("ASK { ?s ?p ?o }")
    assert refused.value.status == 503 and "does not answer" in refused.value.message


def test_credentials_never_appear_in_messages(silent_server: str) -> None:
    auth = httpx.DigestAuth("dba", "s3cret-Value")
    for url in (silent_server, f"http://127.0.0.1:{free_port()}/sparql"):
        with pytest.raises((EngineTimeout, EngineUnavailable)) as info:
            RemoteStore(url, timeout=0.5, auth=auth).query("ASK {}")
        assert "s3cret-Value" not in info.value.message
    assert "s3cret-Value" not in repr(Settings(sparql_password="s3cret-Value"))


def test_open_query_store_chooses_by_settings(store_dir) -> None:
    embedded = open_query_store(Settings(store=store_dir))
    assert isinstance(embedded, ox.Store)
    remote = open_query_store(
        Settings(store=store_dir, sparql_url="http://127.0.0.1:1/sparql", query_timeout=4.0)
    )
    assert isinstance(remote, RemoteStore) and remote.timeout == 4.0
