"""The ontology's documentation, generated from ``ontology/``: pyLODE's page of the OWL
ontology (``tdi.ttl``), plus what pyLODE does not show: the SHACL shapes, the controlled
vocabularies, one table of every term with its French and English labels, and the model's
diagram (an SVG drawn with networkx and matplotlib, no Graphviz).

Generated at ``make assets`` time (``python -m tdi_graph.ontology_doc``), never by hand:
``--html`` writes the page that ``GET /ontology`` serves, ``--svg`` the diagram of
``docs/model.svg`` (``tests/api/test_ontology.py`` checks that the committed one is current).
pyLODE runs offline: it reads its background ontologies from the files it ships.
"""

from __future__ import annotations

import argparse
import html
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from tdi_graph.resources import ontology_dir

__all__ = ["Term", "diagram_svg", "ontology_graph", "render", "terms"]

PROJECT = "https://w3id.org/tdi-graph/"
TDI = "https://w3id.org/tdi-graph/ontology#"
TDIS = "https://w3id.org/tdi-graph/shapes#"
ONTOLOGY_FILE = "tdi.ttl"
#: the kinds of term, in the order of the page
KINDS = {
    "class": (OWL.Class, "Classes"),
    "object": (OWL.ObjectProperty, "Propriétés d'objet / Object properties"),
    "datatype": (OWL.DatatypeProperty, "Propriétés de données / Datatype properties"),
    "shape": (SH.NodeShape, "Formes SHACL / SHACL shapes"),
    "concept": (SKOS.Concept, "Vocabulaires contrôlés / Controlled vocabularies"),
}


@dataclass(frozen=True)
class Term:
    iri: str
    kind: str
    fr: str
    en: str

    @property
    def curie(self) -> str:
        for prefix, ns in (("tdi", TDI), ("tdis", TDIS), ("id", "https://w3id.org/tdi-graph/id/")):
            if self.iri.startswith(ns):
                return f"{prefix}:{self.iri.removeprefix(ns)}"
        return self.iri


def ontology_graph(*names: str) -> rdflib.Graph:
    """The files of ``ontology/`` (``tdi.ttl``, ``shapes.ttl``, ``vocabularies/*.ttl``) in one
    graph, or only the ones named."""
    root = ontology_dir()
    files = [root / n for n in names] or [
        root / ONTOLOGY_FILE,
        root / "shapes.ttl",
        *sorted((root / "vocabularies").glob("*.ttl")),
    ]
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def _label(graph: rdflib.Graph, iri: rdflib.URIRef, lang: str) -> str:
    for label in graph.objects(iri, RDFS.label):
        if isinstance(label, rdflib.Literal) and label.language == lang:
            return str(label)
    for label in graph.objects(iri, SKOS.prefLabel):
        if isinstance(label, rdflib.Literal) and label.language == lang:
            return str(label)
    return ""


def terms(graph: rdflib.Graph | None = None) -> list[Term]:
    """Every term the project defines (its classes, properties, shapes and vocabularies' concepts:
    IRIs under https://w3id.org/tdi-graph/), by kind then IRI."""
    graph = graph if graph is not None else ontology_graph()
    found: list[Term] = []
    for kind, (rdf_type, _) in KINDS.items():
        for iri in sorted(set(graph.subjects(RDF.type, rdf_type)), key=str):
            if isinstance(iri, rdflib.URIRef) and str(iri).startswith(PROJECT):
                fr, en = _label(graph, iri, "fr"), _label(graph, iri, "en")
                found.append(Term(str(iri), kind, fr, en))
    return found


def diagram_svg(graph: rdflib.Graph | None = None) -> str:
    """The model in one picture: the ontology's classes (blue boxes) and the reused classes they
    name (beige: ``org:``, ``foaf:``, ``prov:``...), linked by the object properties (from domain
    to range) and by ``rdfs:subClassOf`` (dashed). Deterministic (seeded layout, no
    date, fixed ids), so the committed ``docs/model.svg`` can be checked for drift."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    graph = graph if graph is not None else ontology_graph(ONTOLOGY_FILE)
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(TDI)}
    edges: set[tuple[str, str, str]] = set()

    def named(node: object) -> bool:  # a class of the ontology, or a reused one it names
        return isinstance(node, rdflib.URIRef) and node != OWL.Thing

    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        for dom in graph.objects(prop, RDFS.domain):
            for rng in graph.objects(prop, RDFS.range):
                if named(dom) and named(rng) and dom != rng and (dom in classes or rng in classes):
                    edges.add((str(dom), str(rng), "property"))
    for sub in classes:
        for sup in graph.objects(sub, RDFS.subClassOf):
            if named(sup):
                edges.add((str(sub), str(sup), "subclass"))
    model = nx.DiGraph()  # built in sorted order: rdflib's order changes with the hash seed
    model.add_nodes_from(sorted({str(c) for c in classes} | {n for e in edges for n in e[:2]}))
    for u, v, kind in sorted(edges):
        if not model.has_edge(u, v):
            model.add_edge(u, v, kind=kind)
    pos = _tiled(model.to_undirected())
    plt.rcParams["svg.hashsalt"] = "tdi-graph"
    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(16, 11))
    ax.set_axis_off()
    for kind, style in (("property", "solid"), ("subclass", "dashed")):
        drawn = [(u, v) for u, v, k in model.edges(data="kind") if k == kind]
        nx.draw_networkx_edges(
            model, pos, edgelist=drawn, ax=ax, style=style, alpha=0.5, arrowsize=8,
            edge_color="#5a6b7b" if kind == "property" else "#b07d2b",
        )  # fmt: skip
    names = graph.namespace_manager
    for own, colour in ((True, "#eef3f8"), (False, "#f4f1e8")):
        labels = {
            n: n.removeprefix(TDI) if own else rdflib.URIRef(n).n3(names)
            for n in sorted(model)
            if n.startswith(TDI) == own
        }
        nx.draw_networkx_labels(
            model, pos, labels, ax=ax, font_size=7 if own else 6,
            bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": "#5a6b7b"},
        )  # fmt: skip
    ax.set_title("tdi-graph: classes, propriétés d'objet (→) et sous-classes (⇢)", fontsize=12)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def _tiled(graph: object) -> dict[str, tuple[float, float]]:
    """Seeded spring layouts, one per connected component: the largest fills the left two
    thirds, the others are stacked in the right third (one layout of them all would push the
    small components to the edges and crowd the large one)."""
    import networkx as nx

    assert isinstance(graph, nx.Graph)
    parts = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    rest = sum(len(c) for c in parts[1:]) or 1
    pos: dict[str, tuple[float, float]] = {}
    top = 1.0
    for i, nodes in enumerate(parts):
        sub = nx.Graph()  # a copy in sorted order: a subgraph view iterates a set
        sub.add_nodes_from(sorted(nodes))
        sub.add_edges_from(sorted(tuple(sorted(e)) for e in graph.subgraph(nodes).edges()))
        laid = nx.spring_layout(sub, seed=9, k=1.6 / max(len(nodes), 1) ** 0.5, iterations=300)
        if i == 0:
            box = (0.0, 0.0, 0.64, 1.0)
        else:
            height = len(nodes) / rest
            box, top = (0.7, top - height, 1.0, top), top - height
        xs = [p[0] for p in laid.values()]
        ys = [p[1] for p in laid.values()]
        span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        for node, (x, y) in laid.items():
            pos[node] = (
                box[0] + 0.05 + 0.9 * (box[2] - box[0]) * (x - min(xs)) / span_x,
                box[1] + 0.05 + 0.9 * (box[3] - box[1]) * (y - min(ys)) / span_y,
            )
    return pos


def _extra_sections(graph: rdflib.Graph, svg: str) -> str:
    """The diagram, then one table of every term with its French and English labels."""
    parts = [
        '<div class="section" id="diagram"><h2>Diagramme / Diagram</h2>',
        svg[svg.find("<svg") :],
        "</div>",
        '<div class="section" id="terms"><h2>Termes / Terms (fr, en)</h2>',
    ]
    for kind, (_, title) in KINDS.items():
        rows = [t for t in terms(graph) if t.kind == kind]
        parts.append(f'<h3 id="terms-{kind}">{html.escape(title)} ({len(rows)})</h3>')
        parts.append('<table class="terms"><tr><th>IRI</th><th>fr</th><th>en</th></tr>')
        for t in rows:
            parts.append(
                f'<tr data-kind="{kind}"><td><code title="{html.escape(t.iri)}">'
                f'{html.escape(t.curie)}</code></td><td lang="fr">{html.escape(t.fr)}</td>'
                f'<td lang="en">{html.escape(t.en)}</td></tr>'
            )
        parts.append("</table>")
    parts.append("</div>")
    return "\n".join(parts)


def render() -> str:
    """The whole page: pyLODE's documentation of ``tdi.ttl`` with the extra sections."""
    from pylode import OntPub

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    page = OntPub(ontology=ontology_graph(ONTOLOGY_FILE)).make_html()
    graph = ontology_graph()
    extra = _extra_sections(graph, diagram_svg())
    anchor = page.find("<h2>Namespaces</h2>")
    cut = page.rfind("<div", 0, anchor) if anchor >= 0 else page.rfind("</body>")
    return page[:cut] + extra + "\n" + page[cut:]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tdi_graph.ontology_doc", description=__doc__)
    parser.add_argument("--html", type=Path, help="write the /ontology page here")
    parser.add_argument("--svg", type=Path, help="write the model's diagram here")
    args = parser.parse_args(argv)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render(), encoding="utf-8")
    if args.svg:
        args.svg.write_text(diagram_svg(), encoding="utf-8")


if __name__ == "__main__":
    main()
