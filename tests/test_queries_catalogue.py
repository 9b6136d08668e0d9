"""The named-query library of ``queries/``: every file has a valid header, runs with its
defaults and finds something, and binds each parameter it declares. (That the researcher
queries stay fast on the full data is checked in ``tests/test_full.py``.)"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tdi_graph import queries
from tdi_graph.errors import BadRequest
from tdi_graph.queries import PARAM_TYPES, Param
from tdi_graph.sparql import check, keywords

CATALOGUE = queries.catalogue()
LEAD = {
    "signatories-of-agreement", "conventions-signed-by-ministers", "commitments-of-actor",
    "commitment-parts-check", "cdc-group-structure", "events-timeline", "first-contracts",
    "communes-in-sources", "facts-by-document", "contradictions",
}  # fmt: skip
RESEARCH = {
    "money-by-operator-and-instrument", "co-signatory-network", "events-by-year",
    "territories-per-region", "documents-by-publisher", "single-source-facts",
    "persons-and-posts", "programmes-and-plans", "projects-realised", "study-findings",
    "territory-of-commune", "figures-stated", "typos-and-variants", "entity-sources",
    "agreements-and-parties",
}  # fmt: skip
SAMPLES = {
    "iri": "bpifrance",
    "string": "x",
    "date": "2019-03-20",
    "integer": "2019",
    "decimal": "0.5",
}


def test_the_researcher_queries_are_there() -> None:
    assert set(CATALOGUE) >= RESEARCH
    assert len(RESEARCH) >= 12 and not RESEARCH & LEAD
    assert not any(name.startswith("api-") for name in RESEARCH)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_header(name: str) -> None:
    named = CATALOGUE[name]
    assert named.summary and named.path.name == f"{name}.rq"
    assert named.summary_fr and named.summary_fr != named.summary  # a French title too
    assert named.title("fr") == named.summary_fr and named.title("en") == named.summary
    assert named.kind in ("select", "ask", "construct", "describe")
    assert check(named.text) is not None  # a query, not an update; no SERVICE
    for param in named.params:
        assert param.type in PARAM_TYPES and param.name.isidentifier()
        if param.default is not None:
            param.bind(param.default)
    if name in RESEARCH:
        assert named.description and named.tags
        assert all(p.description for p in named.params)
        assert "SERVICE" not in keywords(named.text)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_runs_with_its_defaults(store: ox.Store, name: str) -> None:
    """Every query, the internal ones (api-, network-) too, finds something with its defaults,
    and each row binds at least one projected variable to a term of the graph's kinds."""
    named = CATALOGUE[name]
    result = queries.run(store, named, named.example())  # required ones: the header's example
    if named.kind == "ask":
        assert bool(result), f"{name} answers false with its defaults"
        return
    if named.kind in ("construct", "describe"):
        assert sum(1 for _ in result) > 0, f"{name} builds no triple"  # type: ignore[union-attr]
        return
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    assert variables and len(set(variables)) == len(variables)
    rows = [[row[v] for v in variables] for row in result]  # type: ignore[union-attr]
    assert rows, f"{name} finds nothing with its defaults"
    kinds = (ox.NamedNode, ox.Literal, ox.BlankNode)
    for row in rows:
        bound = [term for term in row if term is not None]
        assert bound and all(isinstance(term, kinds) for term in bound), (name, row)


@pytest.mark.parametrize(
    ("name", "param"),
    [(n, p) for n, q in sorted(CATALOGUE.items()) for p in q.params],
    ids=lambda v: v.name if isinstance(v, Param) else str(v),
)
def test_each_parameter_binds(store: ox.Store, name: str, param: Param) -> None:
    """pyoxigraph binds a parameter only if the query projects its variable."""
    named = CATALOGUE[name]
    value = param.default if param.default is not None else SAMPLES[param.type]
    result = queries.run(store, named, {param.name: str(value)})
    if named.kind == "select":
        assert param.name in [v.value for v in result.variables]  # type: ignore[union-attr]
        for row in result:  # type: ignore[union-attr]
            assert row[param.name] is not None and row[param.name] == param.bind(str(value))


def test_parameters_are_bound_not_formatted(store: ox.Store) -> None:
    named = CATALOGUE["entity-sources"]
    with pytest.raises(BadRequest):
        queries.run(store, named, {"entity": "bpifrance> ?p ?o } #"})
