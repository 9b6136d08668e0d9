"""The SPARQL endpoint's answers without a query: its service description and its query UI.

The description is ``service-description.ttl`` filled in from the settings and the graphs'
sizes; the UI is YASGUI (``templates/sparql.html``) with the named queries as examples.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from tdi_graph import queries
from tdi_graph.conneg import FORMATS, negotiate
from tdi_graph.docs import INTERNAL
from tdi_graph.namespaces import PREFIXES, sparql_prologue
from tdi_graph.settings import Settings
from tdi_graph.sparql import with_values
from tdi_graph_api.deps import services_of
from tdi_graph_api.templating import templates

SD = "http://www.w3.org/ns/sparql-service-description#"


TEMPLATE = Path(__file__).parent / "service-description.ttl"


def description(endpoint: str, settings: Settings, sizes: dict[str, int]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint: ``service-description.ttl`` filled
    in (the W3C format IRIs come from :mod:`tdi_graph.conneg`)."""
    comment = ox.Literal(
        "Read-only SPARQL 1.1 query endpoint of the Territoires d'industrie knowledge graph. "
        "The default graph is the union of the named graphs. Queries stop after "
        f"{settings.query_timeout:g} s; answers hold at most {settings.max_result_rows:,} rows "
        f"and {settings.max_answer_bytes:,} bytes; SERVICE is "
        f"{'allowed' if settings.allow_service else 'refused'}.",
        language="en",
    )
    named = "".join(
        f" ;\n    sd:namedGraph [ a sd:NamedGraph ; sd:name {ox.NamedNode(name)} ; "
        f'sd:graph [ a sd:Graph ; void:triples "{count}"^^xsd:integer ] ]'
        for name, count in sizes.items()
    )
    text = string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        endpoint=str(ox.NamedNode(endpoint)),
        features=", sd:BasicFederatedQuery" if settings.allow_service else "",
        comment=str(comment),
        result_formats=", ".join(str(ox.NamedNode(f.iri)) for f in FORMATS if f.iri),
        triples=f'"{sum(sizes.values())}"^^xsd:integer',
        named_graphs=named,
    )
    return [q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]


def service_description(request: Request, format: str | None) -> Response:
    """The description in the format negotiated from ``Accept`` and ``format``."""
    fmt = negotiate("graph", request.headers.get("accept"), format)
    services = services_of(request.app)
    triples = description(services.settings.endpoint(), services.settings, services.graph_sizes)
    assert fmt.rdf is not None
    data: Any = triples
    if fmt.rdf.supports_datasets:
        data = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    prefixes = {"sd": SD, "void": "http://rdfs.org/ns/void#", "graph": PREFIXES["graph"]}
    prefixes |= {p: PREFIXES[p] for p in ("dct", "rdfs", "xsd")}
    body = ox.serialize(data, format=fmt.rdf, prefixes=prefixes if fmt.name == "turtle" else None)
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def examples() -> list[dict[str, Any]]:
    """The named queries as one-click examples: their text with default parameters bound."""
    out = []
    for named in queries.catalogue().values():
        values = {}
        for param in named.params:
            if param.default not in (None, ""):
                values[param.name] = param.bind(str(param.default))
        body = "\n".join(line for line in named.text.splitlines() if not line.startswith("#+"))
        out.append(
            {
                "name": named.name,
                "internal": named.name.startswith(INTERNAL),
                "summary": named.summary,
                "summary_fr": named.summary_fr,
                "description": named.description,
                "tags": list(named.tags),
                "params": [
                    {"name": p.name, "type": p.type, "default": p.default, "required": p.required}
                    for p in named.params
                ],
                "query": f"# {named.name}: {named.summary}\n" + with_values(body.strip(), values),
            }
        )
    return out


def ui(request: Request, query: str | None = None) -> HTMLResponse:
    """The query UI, with ``query`` in its editor (else a first example)."""
    prologue = sparql_prologue()
    config = {
        "endpoint": request.scope.get("root_path", "") + "/sparql",  # this server, whatever Host
        "prefixes": PREFIXES,
        "idBase": PREFIXES["id"],
        "query": query
        or prologue
        + "\nSELECT ?type (COUNT(?s) AS ?n) WHERE {\n  ?s a ?type\n}\n"
        "GROUP BY ?type ORDER BY DESC(?n) LIMIT 20\n",
        "examples": examples(),
        "formats": [
            {"name": f.names[0], "label": f.name, "mediaType": f.media_type, "kind": f.kind}
            for f in FORMATS
        ],
    }
    response = templates.TemplateResponse(request, "sparql.html", {"config": config})
    response.headers["Vary"] = "Accept"
    return response
