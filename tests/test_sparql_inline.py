"""Parameters written into a named query's text answer exactly what substitutions answer."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from tdi_graph import queries
from tdi_graph.queries import NamedQuery
from tdi_graph.rdftypes import Term
from tdi_graph.sparql_inline import inline
from tdi_graph.sparql_lexer import lex

CATALOGUE = queries.catalogue()
SAMPLES = {"iri": "bpifrance", "string": "x", "date": "2019-03-20", "integer": "2019"}
E = "http://e/"


def _term(term: object) -> str:
    """A term's text; a GROUP_CONCAT's parts sorted (their order is undefined)."""
    if isinstance(term, ox.Literal) and " " in term.value:
        return f"{sorted(term.value.split(' '))}{term.datatype}@{term.language}"
    return str(term)


def _answer(result: object) -> Counter[tuple[str, ...]] | bool:
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return Counter(tuple(_term(row[n]) for n in names) for row in result)
    return Counter((str(t),) for t in result)  # type: ignore[attr-defined]


def _cases() -> list[tuple[str, dict[str, str]]]:
    """Each query with parameters: its example, then each parameter alone, then all at once."""
    out = []
    for name, named in sorted(CATALOGUE.items()):
        if not named.params:
            continue
        example = named.example()
        values = {p.name: p.default or SAMPLES.get(p.type, "0.5") for p in named.params}
        out += [(name, example), (name, values)]
        out += [(name, {**example, p.name: values[p.name]}) for p in named.params]
        out += [(name, dict(e)) for e in named.examples]
    return out


@pytest.mark.parametrize(("name", "values"), _cases(), ids=str)
def test_inlined_answers_equal_substituted_answers(
    store: ox.Store, name: str, values: dict[str, str]
) -> None:
    named: NamedQuery = CATALOGUE[name]
    bindings = named.bindings(values)
    substituted = store.query(named.text, substitutions=bindings, use_default_graph_as_union=True)
    expected = _answer(substituted)
    text, left = named.prepared(bindings, store)
    if left:  # kept as substitutions
        assert not named.inlinable and text == named.text
        return
    if bindings:
        assert text != named.text and "VALUES (" in text
    assert _answer(queries.run(store, named, values)) == expected
    assert _answer(store.query(text, use_default_graph_as_union=True)) == expected


def test_most_parameterised_queries_are_inlined() -> None:
    with_params = [q for q in CATALOGUE.values() if q.params]
    inlined = {q.name for q in with_params if q.inlinable}
    assert {"entity-sources", "money", "money-by-operator-and-instrument"} <= inlined
    assert len(inlined) >= len(with_params) - 5
    assert "events-by-year" not in inlined  # BIND(YEAR(?date) AS ?year): the year is assigned


def _values(**terms: str) -> dict[str, Term]:
    return {name: ox.NamedNode(E + value) for name, value in terms.items()}


def test_the_variable_stays_outside_the_groups_and_is_bound_by_a_trailing_values() -> None:
    text = inline(
        "SELECT ?e (COUNT(?n) AS ?c) WHERE { ?e <http://e/p> ?n . FILTER(?n != ?e) }\n"
        "GROUP BY ?e ORDER BY ?e",
        _values(e="a"),
    )
    assert text == (
        "SELECT ?e (COUNT(?n) AS ?c) WHERE { <http://e/a> <http://e/p> ?n . "
        "FILTER(?n != <http://e/a>) }\nGROUP BY ?e ORDER BY ?e\nVALUES (?e) { (<http://e/a>) }\n"
    )


def test_a_term_cannot_change_the_query_shape() -> None:
    sneaky = ox.Literal('x" } ?s ?p ?o { "')
    text = inline("SELECT ?q WHERE { ?s <http://e/p> ?q }", {"q": sneaky})
    assert text is not None  # the quote is escaped by pyoxigraph: one string, three keywords
    assert lex(text).words == ("SELECT", "WHERE", "VALUES") and lex(text).depth == 2
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(E + "s"), ox.NamedNode(E + "p"), sneaky))
    store.add(ox.Quad(ox.NamedNode(E + "s"), ox.NamedNode(E + "p"), ox.Literal("other")))
    assert [str(row["q"]) for row in store.query(text)] == [str(sneaky)]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?e WHERE { BIND(<http://e/a> AS ?e) }",  # assigned
        "SELECT ?e WHERE { ?x ?p ?o FILTER(!BOUND(?e)) }",  # tested for being bound
        "SELECT ?e WHERE { VALUES ?e { <http://e/a> } }",  # a VALUES list
        "SELECT ?e WHERE { VALUES (?x ?e) { (1 2) } }",
        "SELECT ?e WHERE { { SELECT ?x WHERE { ?x ?p ?e } } }",  # scoped by a sub-query
        "SELECT ?e WHERE { ?e ?p ?o } VALUES ?o { 1 }",  # a trailing VALUES already
    ],
)
def test_where_writing_the_term_in_would_change_the_query_it_is_not(query: str) -> None:
    assert inline(query, _values(e="a")) is None


def test_bound_of_another_variable_and_a_sub_query_without_it_are_fine() -> None:
    query = "SELECT ?e ?x WHERE { ?e ?p ?x FILTER(BOUND(?x)) { SELECT ?y WHERE { ?y ?q ?z } } }"
    text = inline(query, _values(e="a"))
    assert text is not None and "<http://e/a> ?p ?x FILTER(BOUND(?x))" in text
