"""The text a remote engine is sent: parameters bound as a ``VALUES`` block at the top of the
outermost ``WHERE`` (written from pyoxigraph's serialisation of each term, so a value never
becomes SPARQL syntax), shared prefixes as ``PREFIX`` lines, and what a query says of its dataset.

A bound parameter is joined, not substituted as pyoxigraph does: a group nested in the
``WHERE`` does not see it before the join, so a query must test a parameter at the level where
it is bound (see ``queries/api-commitments.rq``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
import pyoxigraph as ox

from tdi_graph.errors import BadRequest
from tdi_graph.sparql_lexer import tokens

#: an RDF term (pyoxigraph has no ``Term`` type in its stubs)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_PREFIX_NAME = re.compile(r"(?:[^\W\d_][\w.-]*)?")


def _values_block(substitutions: Mapping[ox.Variable, Term]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` from pyoxigraph's serialisation of each term."""
    names, terms = [], []
    for variable, term in substitutions.items():
        if not isinstance(variable, ox.Variable):
            raise BadRequest(f"{variable!r} is not a variable")
        if isinstance(term, ox.BlankNode) or not isinstance(
            term, ox.NamedNode | ox.Literal | ox.Triple
        ):
            raise BadRequest(f"?{variable.value} cannot be bound to {term!r} (IRI or literal only)")
        names.append(str(variable))
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"


def _tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """Keywords and curly braces outside comments, strings, IRIs and names: (kind, text, end),
    kind ``word`` or ``brace`` (from the endpoint's linear lexer)."""
    for kind, text, end in tokens(query):
        if kind == "word":
            yield kind, text, end
        elif text in "{}":
            yield "brace", text, end


def _where_brace(query: str) -> int:
    """Offset just after the ``{`` that opens the outermost ``WHERE`` group of ``query``.

    That is the first ``{`` after a ``WHERE`` outside any group; with no ``WHERE`` keyword, the
    first group (the second for ``CONSTRUCT {template} {pattern}``).
    """
    depth, form, where = 0, None, False
    top: list[int] = []  # ends of the top-level "{"
    for kind, text, end in _tokens(query):
        if kind == "brace":
            if text == "{":
                if depth == 0:
                    if where:
                        return end
                    top.append(end)
                depth += 1
            else:
                depth -= 1
        elif depth == 0 and form is None and text in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = text
        elif depth == 0 and text == "WHERE":
            if form == "CONSTRUCT" and not top:
                raise BadRequest("CONSTRUCT WHERE { } (short form) cannot take parameters")
            where = True
    if where or not top or (form == "CONSTRUCT" and len(top) < 2):
        raise BadRequest("the query has no WHERE group to bind parameters in")
    return top[1] if form == "CONSTRUCT" else top[0]


def bind(
    query: str,
    substitutions: Mapping[ox.Variable, Term] | None = None,
    prefixes: Mapping[str, str] | None = None,
    base_iri: str | None = None,
) -> str:
    """The query text with its parameters bound and shared prefixes declared.

    >>> print(bind("SELECT ?x WHERE { ?x ?p ?o }", {ox.Variable("o"): ox.Literal('a"}')}))
    SELECT ?x WHERE {VALUES (?o) { ("a\\"}") }
     ?x ?p ?o }
    >>> print(bind("ASK { ?s ?p ?o }", prefixes={"ex": "http://example.org/"}), end="")
    PREFIX ex: <http://example.org/>
    ASK { ?s ?p ?o }
    """
    if substitutions:
        at = _where_brace(query)
        query = query[:at] + _values_block(substitutions) + query[at:]
    head = []
    if base_iri is not None:
        head.append(f"BASE {ox.NamedNode(base_iri)}\n")
    for name, namespace in (prefixes or {}).items():
        if not _PREFIX_NAME.fullmatch(name):
            raise BadRequest(f"{name!r} is not a prefix name")
        head.append(f"PREFIX {name}: {ox.NamedNode(namespace)}\n")
    return "".join(head) + query


def graph_names(graphs: Any) -> list[str]:
    if graphs is None:
        return []
    if isinstance(graphs, ox.NamedNode | ox.DefaultGraph):
        graphs = [graphs]
    names = []
    for g in graphs:
        if isinstance(g, ox.DefaultGraph):
            raise BadRequest("the default graph cannot be named in a protocol dataset")
        names.append(g.value if isinstance(g, ox.NamedNode) else str(g))
    return names


_BLANK_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def relabel_blank_nodes(content: bytes) -> bytes:
    """SPARQL JSON results with every blank node label made valid for pyoxigraph.

    Virtuoso labels blank nodes ``nodeID://b10006``, which is no blank node label; the same
    label gets the same new one within the answer.
    """
    answer = orjson.loads(content)
    labels: dict[str, str] = {}
    for row in answer.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("type") == "bnode" and not _BLANK_ID.fullmatch(cell["value"]):
                cell["value"] = labels.setdefault(cell["value"], f"r{len(labels)}")
    return orjson.dumps(answer)


def has_from(query: str) -> bool:
    """Whether the query names its own dataset (``FROM`` / ``FROM NAMED``)."""
    depth = 0
    for kind, text, _ in _tokens(query):
        if kind == "brace":
            depth += 1 if text == "{" else -1
        elif depth == 0 and text == "FROM":
            return True
    return False
