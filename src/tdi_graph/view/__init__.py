"""The one read model of tdi-graph: what the API, the pages, search, the network and the map
read from the store, in one shape.

Public interface (stable; import from here)::

    from tdi_graph.view import (
        # ids (tdi_graph.view.ids): IRI <-> public id
        short_id,     # IRI -> "bpifrance" | "tdi:Equity" | IRI
        expand_id,    # public id -> IRI; BadRequest if malformed; any_scheme=True for urn:...
        curie,        # IRI -> "id:bpifrance" | "tdi:Equity" | IRI
        local_id,     # our entity IRI -> "bpifrance", else None
        graph_name,   # named-graph IRI -> its name (= the source document's id)
        graph_of,     # document IRI -> the named graph holding what it says
        local_name,   # any IRI -> last segment ("Minister"), display only
        # rows (tdi_graph.view.rows)
        Row,          # row["x"] term, row.iri("x"), row.value("x"), row.text("x"),
                      # row.iris("x") (GROUP_CONCAT cell), row.texts() (lexical forms in
                      # SELECT order, as network_nodes.rows gave), row.as_dict()
        select,       # select(store, "query-name", columns="a b c", param=value) -> [Row]
        plain,        # QuerySolutions -> (names, [dict of plain values])
        # registry (tdi_graph.view.registry)
        Registry,     # Registry.build(store); .label(iri), .category(iri) (public type),
                      # .node_type(iri) / .node_class(iri) (network), .ref(iri), .refs(iris),
                      # .documents[iri] -> Document, .source(doc, excerpt) -> Source,
                      # .sources(*iris) -> [Source], .mentioned_in(iri), .resolve(id),
                      # .acts_involving(iri, role) (signature acts, by role)
        Ref,          # {"id", "type", "label"}
        Source,       # {"id", "title", "publisher", "date" (as printed), "issued" (ISO),
                      #  "excerpt" (markup stripped)}
        Document,     # {"id", "iri", "title", "publisher" ("; "-joined), "publishers": [Ref],
                      #  "date" (ISO dct:date), "printed_date", "date_contradictions": [Ref]}
        # labels (tdi_graph.view.labels)
        pick_label,   # the one label-choice rule: fr, then no language, then en
        clean_excerpt,
    )

Also in the package: ``dates`` (``bound``, ``date_range``: YYYY, YYYY-MM, YYYY-MM-DD bounds),
``resolve`` (an id, a name or an INSEE code -> one IRI; unknown values are errors), ``money``
(the one money answer, from ``queries/money.rq``), ``linked_data`` (a resource's statements,
compact JSON-LD), ``models`` and ``fact_models`` (the pydantic
models of every JSON answer, defined once for the library, the API and the tests).
"""

from __future__ import annotations

from tdi_graph.view.ids import (
    curie,
    expand_id,
    graph_name,
    graph_of,
    local_id,
    local_name,
    short_id,
)
from tdi_graph.view.labels import clean_excerpt, literal_label, pick_label
from tdi_graph.view.registry import Document, Ref, Registry, Source
from tdi_graph.view.rows import Row, plain, select, solutions_rows

__all__ = [
    "Document",
    "Ref",
    "Registry",
    "Row",
    "Source",
    "clean_excerpt",
    "curie",
    "expand_id",
    "graph_name",
    "graph_of",
    "literal_label",
    "local_id",
    "local_name",
    "pick_label",
    "plain",
    "select",
    "short_id",
    "solutions_rows",
]
