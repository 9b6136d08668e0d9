"""The build published to two real engines answers the named queries as the embedded store does.

Each engine is a real process (``conftest.py``): Oxigraph's server and Virtuoso Open Source.
Where Virtuoso departs from SPARQL 1.1 (or from what the queries rely on), the case is listed in
``VIRTUOSO_DEPARTS`` with the reason, and the test checks that it still departs: a list that goes
stale fails.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tdi_graph import queries
from tdi_graph.cli import main
from tdi_graph.errors import EngineError, QuerySyntaxError, TdiError
from tdi_graph.publish import Target, publish
from tdi_graph.store import graph_sizes, open_store
from tests.remote.conftest import Published, engine_settings
from tests.remote.rows import differences

PASSWORD = "Wr0ng-pa$$word-do-not-echo"


def _cases() -> list[tuple[str, dict[str, str]]]:
    """Every named query with its defaults (and the example values of its required
    parameters), then with each other example of its ``#+`` header."""
    out = []
    for name, named in queries.catalogue().items():
        first = named.example()
        out.append((name, first))
        examples = [{k: str(v) for k, v in example.items()} for example in named.examples]
        out += [(name, example) for example in examples if example != first]
    return out


CASES = _cases()
CASE_IDS = [name + "".join(f"[{k}={v}]" for k, v in values.items()) for name, values in CASES]

# Virtuoso Open Source 7.2.5 (Debian 12), measured on this build. id -> why it departs.
_STAR_PATH = (
    "rdfs:subClassOf* gives a class once per route in Virtuoso (9 rows, 8 distinct, for "
    "?c rdfs:subClassOf* schema:Event); SPARQL's zero-or-more path gives each node once"
)
_ALT_PATH = (
    "dct:title|rdfs:label matches the one dct:title triple twice in Virtuoso (2 rows for a "
    "document that has no rdfs:label), so rows repeat"
)
_LONG_ORDER = (
    "ORDER BY a stored label of 50+ characters: Virtuoso orders such literals by internal id, "
    "not by lexical form (the same literals inline in VALUES sort right)"
)
_DURATION = '"P1Y"^^xsd:duration comes back as "12"^^xsd:duration (Virtuoso stores months)'
_BOOLEAN = "boolean expressions come back as 1/0 xsd:integer, not xsd:boolean"
_COALESCE = (
    "FILTER(COALESCE(?start >= ?since, true)) with ?since or ?start unbound: the comparison is "
    "an error in SPARQL, so COALESCE takes the fallback; Virtuoso does not (rows kept or lost)"
)
_STAR_OPTIONAL = (
    "?class rdfs:subClassOf* X . ?x a ?class, then an OPTIONAL whose group has a FILTER or two "
    "patterns: 0 rows when the dataset has several default graphs (default-graph-uri or FROM); "
    "with a fixed class, or with Virtuoso's own default graph, the same query answers"
)
_EXISTS_IN_IF = (
    "IF(isIRI(?actor), EXISTS {...}, true) with ?actor unbound: Virtuoso gives false (0 rows), "
    "where isIRI's error makes COALESCE keep the row"
)
_STORED_BOOLEAN = 'a stored "1"^^xsd:boolean comes back in another lexical form'
VIRTUOSO_DEPARTS: dict[str, str] = {
    "api-documents": _STAR_OPTIONAL,
    "api-node-types": _STAR_PATH,
    "dump-commitments": _DURATION,
    "dump-events": _STAR_OPTIONAL,
    "dump-facts": _LONG_ORDER,
    "money": _EXISTS_IN_IF,
    "money[actor=banque-des-territoires]": _EXISTS_IN_IF,
    "network-documents": _STAR_OPTIONAL,
    "network-relations": _STORED_BOOLEAN,
    "agreements-and-parties": _LONG_ORDER,
    "api-categories": _STAR_PATH,
    "api-commitments": _DURATION,
    "api-commitments[actor=banque-des-territoires]": _DURATION,
    "api-events[since=2019-03-01][until=2019-03-31]": _COALESCE,
    "commitment-parts-check": _BOOLEAN,
    "commitments-of-actor": _DURATION,
    "communes-in-sources": "LATERAL (SPARQL 1.2, in Oxigraph) is a syntax error in Virtuoso",
    "entity-sources[entity=bpifrance]": _ALT_PATH,
    "events-by-year": "Virtuoso's SPARQL compiler fails: internal error sparp_gp_deprecate()",
    "events-timeline": _COALESCE,
    "money-by-operator-and-instrument": _DURATION,
    "network-classes": "rdfs:subClassOf* with both ends unbound: 'transitive start not given'",
}


@pytest.fixture(scope="module")
def embedded(store_dir):
    return open_store(store_dir, in_memory=True)


def test_publish_puts_every_graph_with_its_count(
    published: Published, store_dir, embedded: ox.Store
) -> None:
    build = graph_sizes(open_store(store_dir, in_memory=False))
    # sources, curation, entities, ontology (+ presentation), shapes, vocabularies, reference
    assert len(build) == 22
    assert published.report.sent == build
    assert published.report.found == build
    assert published.report.differing == []
    assert published.store.graphs == tuple(sorted(build))
    # the union default graph: no triple from outside the project's graphs leaks in
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def union_size(store) -> int:
        rows = store.query(count, use_default_graph_as_union=True)
        return int(next(iter(rows))["n"].value)

    assert union_size(embedded) == sum(build.values())
    assert union_size(published.store) == sum(build.values())


@pytest.mark.parametrize(("name", "values"), CASES, ids=CASE_IDS)
def test_named_query_answers_as_embedded(
    published: Published, embedded: ox.Store, name: str, values: dict[str, str]
) -> None:
    named = queries.get_query(name)
    expected = queries.run(embedded, named, values)
    case = name + "".join(f"[{k}={v}]" for k, v in values.items())
    departs = published.name == "virtuoso" and case in VIRTUOSO_DEPARTS
    try:
        found = queries.run(published.store, named, values)
    except (QuerySyntaxError, EngineError) as exc:
        assert departs, f"{published.name} refused {case}: {exc.message}"
        return
    problems = differences(named, expected, found)
    if departs:
        assert problems, f"{case} now answers as embedded: remove it from VIRTUOSO_DEPARTS"
    else:
        assert problems == []


def test_republish_replaces_and_does_not_duplicate(published: Published, store_dir) -> None:
    target = Target.from_settings(published.settings)
    # the sample cog2026 graph: 3 413 triples, no blank node -> 10 requests of up to 350
    again = publish(open_store(store_dir, in_memory=False), target, chunk=350)
    assert again.found == published.report.sent
    assert again.requests["https://w3id.org/tdi-graph/graph/reference/cog2026"] == 10
    assert again.deleted == []


def test_wrong_password_fails_cleanly_without_echoing_it(
    published: Published, store_dir, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    if published.engine.user is None:
        pytest.skip(f"{published.name} has no authentication to get wrong")
    env = published.engine.env() | {"TDI_SPARQL_PASSWORD": PASSWORD}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from tdi_graph.settings import get_settings

    get_settings.cache_clear()
    try:
        code = main(["publish", "--store", str(store_dir)])
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert code == 1
    assert "refused the credentials (401)" in err
    assert PASSWORD not in out + err
    with pytest.raises(TdiError) as info:
        publish(
            open_store(store_dir, in_memory=False),
            Target.from_settings(engine_settings(published.engine, sparql_password=PASSWORD)),
        )
    assert info.value.status == 502 and PASSWORD not in info.value.message
