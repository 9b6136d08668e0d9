"""Content negotiation, once, for ``/sparql`` and ``/id/{id}``: ``Accept`` with q-values, and
the ``format=`` parameter (also spelled ``output=`` or ``results=``, as SPARQLWrapper sends).

The formats are pyoxigraph's own (:class:`pyoxigraph.QueryResultsFormat`,
:class:`pyoxigraph.RdfFormat`): their media types, file extensions and W3C format IRIs come from
the enums, and so does the reading of media-type aliases in ``Accept`` (``application/json``,
``text/plain``, ``application/x-turtle``...: ``from_media_type``). What this module adds is the
short ``format=`` names, which formats each answer offers in which order of preference, and the
q-value ranking. HTML (the entity pages) is the one format that is not pyoxigraph's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from tdi_graph.errors import BadRequest, TdiError

__all__ = [
    "FORMATS",
    "FORMAT_PARAMETERS",
    "Format",
    "NotAcceptable",
    "UnsupportedMediaType",
    "formats",
    "negotiate",
    "parse_accept",
    "quality",
    "requested",
]

#: the parameters that name a format (SPARQLWrapper sends all three, e.g. ``format=tsv`` and
#: ``format=text/tab-separated-values``): repeated, they must agree
FORMAT_PARAMETERS = ("format", "output", "results")
MAX_RANGES = 64  # media ranges of one Accept header (it is at most 4 KB: security.MAX_ACCEPT)

# pyoxigraph 0.5.13 gives JSON-LD the IRI https://www.w3.org/ns/formats/data/JSON-LD, which is
# not the one of https://www.w3.org/ns/formats/ (issue 9): the W3C's
W3C_JSON_LD = "http://www.w3.org/ns/formats/JSON-LD"


class NotAcceptable(TdiError):
    status = 406
    code = "not_acceptable"


class UnsupportedMediaType(TdiError):
    status = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class Format:
    """One serialization: of ``solutions`` (SELECT, ASK), of a ``graph`` (CONSTRUCT, DESCRIBE,
    an entity's description), or an HTML ``page``."""

    name: str
    kind: str
    names: tuple[str, ...]  # values of ``format=`` (besides the media type itself)
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None
    also: tuple[str, ...] = ()  # media types in ``Accept`` that pyoxigraph reads otherwise

    @property
    def media_type(self) -> str:
        """The media type, without parameters (``text/csv``)."""
        if self.results is not None:
            return self.results.media_type.split(";")[0]
        if self.rdf is not None:
            return self.rdf.media_type.split(";")[0]
        return "text/html"

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` to send: text formats say they are UTF-8."""
        text = self.media_type.startswith("text/")
        return self.media_type + ("; charset=utf-8" if text else "")

    @property
    def iri(self) -> str | None:
        """The format's IRI in https://www.w3.org/ns/formats/ (``None`` for HTML)."""
        if self.rdf == ox.RdfFormat.JSON_LD:
            return W3C_JSON_LD
        enum = self.results or self.rdf
        return enum.iri if enum is not None else None

    @property
    def extension(self) -> str:
        enum = self.results or self.rdf
        return enum.file_extension if enum is not None else "html"

    def named(self, media: str) -> bool:
        """Whether ``media`` (an exact media type, lower case) names this format."""
        if media == self.media_type or media in self.also:
            return True
        if self.results is not None:
            return ox.QueryResultsFormat.from_media_type(media) == self.results
        if self.rdf is not None:
            return ox.RdfFormat.from_media_type(media) == self.rdf
        return False


_R, _G = ox.QueryResultsFormat, ox.RdfFormat
# fmt: off
FORMATS: tuple[Format, ...] = (
    Format("json", "solutions", ("json", "srj"), results=_R.JSON),
    Format("xml", "solutions", ("xml", "srx"), results=_R.XML),
    Format("csv", "solutions", ("csv",), results=_R.CSV),
    Format("tsv", "solutions", ("tsv",), results=_R.TSV),
    # Turtle is N3's subset: ``n3`` asks for it, as with Fuseki and SPARQLWrapper
    Format("turtle", "graph", ("turtle", "ttl", "n3"), rdf=_G.TURTLE,
           also=("text/n3", "text/rdf+n3", "application/n3")),
    Format("ntriples", "graph", ("ntriples", "n-triples", "nt"), rdf=_G.N_TRIPLES),
    Format("rdfxml", "graph", ("rdfxml", "rdf+xml", "rdf", "xml"), rdf=_G.RDF_XML),
    Format("jsonld", "graph", ("jsonld", "json-ld", "json"), rdf=_G.JSON_LD),
    Format("trig", "graph", ("trig",), rdf=_G.TRIG),
    Format("nquads", "graph", ("nquads", "n-quads", "nq"), rdf=_G.N_QUADS),
)
# fmt: on
HTML = Format("html", "page", ("html",), also=("application/xhtml+xml",))
#: an entity's IRI dereferenced: its page first, then its description in every RDF format
_BY_NAME = {f.name: f for f in FORMATS}
ENTITY: tuple[Format, ...] = (
    HTML,
    *(_BY_NAME[n] for n in ("turtle", "jsonld", "ntriples", "rdfxml", "trig", "nquads")),
)


def formats(kind: str) -> tuple[Format, ...]:
    """The formats of ``solutions``, of a ``graph``, or of an ``entity``, by preference."""
    if kind == "entity":
        return ENTITY
    return tuple(f for f in FORMATS if f.kind == kind)


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values; no header means ``*/*``.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('text/csv', 0.5), ('application/sparql-results+json', 1.0)]
    """
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(",", MAX_RANGES)[:MAX_RANGES]:
        media, *params = (p.strip() for p in part.split(";"))
        media = "*/*" if media == "*" else media.lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges or [("*/*", 1.0)]


def quality(ranges: list[tuple[str, float]], media_type: str, *, exact: bool = False) -> float:
    """The q-value the most specific matching range gives ``media_type`` (0 if none matches)."""
    best, rank = 0.0, -1
    wildcard = media_type.split("/")[0] + "/*"
    for media, q in ranges:
        specificity = {media_type: 2, wildcard: 1, "*/*": 0}.get(media, -1)
        if specificity < 0 or (exact and specificity < 2):
            continue
        if specificity > rank or (specificity == rank and q > best):
            best, rank = q, specificity
    return best


def _short(text: str | None, size: int = 80) -> str:
    """A client's value, cut for an error message (never echo a long header back)."""
    text = text or ""
    return text if len(text) <= size else text[:size] + "…"


def _lookup(value: str, candidates: Iterable[Format]) -> Format | None:
    """The format a ``format=`` value names: a short name, a media type, or a list of media
    types (SPARQLWrapper sends ``application/ld+json,application/x-json+ld``): its first known."""
    candidates = tuple(candidates)
    if "," in value:
        for part in value.split(",", MAX_RANGES)[:MAX_RANGES]:
            if (found := _lookup(part, candidates)) is not None:
                return found
        return None
    key = value.split(";")[0].strip().lower()
    for f in candidates:
        if key in f.names:
            return f
    for f in candidates:
        if "/" in key and f.named(key):
            return f
    return None


def requested(values: Sequence[str]) -> str | None:
    """The one format the ``format``/``output``/``results`` values ask for, or ``None``.

    Repeated values must agree, for solutions, for a graph or for an entity page:
    ``["tsv", "text/tab-separated-values"]`` asks for TSV, ``["xml", "application/rdf+xml"]``
    for RDF/XML (the answer's kind, known once the query is read, picks the format).

    >>> requested(["tsv", "text/tab-separated-values", "tsv"])
    'tsv'
    """
    values = [v.strip() for v in values if v.strip()]
    if len({v.lower() for v in values}) <= 1:
        return values[0] if values else None
    for kind in ("solutions", "graph", "entity"):
        candidates = formats(kind)
        found = {f.name if (f := _lookup(v, candidates)) else None for v in values}
        if len(found) == 1 and None not in found:
            return values[0]
    raise BadRequest(
        "the format parameters disagree: "
        + ", ".join(_short(v, 40) for v in values)
        + ": give one format"
    )


def negotiate(kind: str, accept: str | None = None, override: str | None = None) -> Format:
    """The format to answer in: ``override`` (a ``format=`` value) or the best for ``Accept``.

    ``kind`` is ``solutions``, ``graph`` or ``entity``.

    >>> negotiate("solutions", "text/csv;q=0.9, application/sparql-results+xml").name
    'xml'
    >>> negotiate("graph", None).name
    'turtle'
    >>> negotiate("graph", "text/n3").name, negotiate("graph", override="n3").name
    ('turtle', 'turtle')
    >>> negotiate("entity", "application/json").name
    'jsonld'
    """
    candidates = formats(kind)
    if override:
        found = _lookup(override, candidates)
        if found is not None:
            return found
        if _lookup(override, (*FORMATS, HTML)) is not None:
            raise NotAcceptable(
                f"format {_short(override)!r} cannot express this answer; "
                f"use one of {', '.join(f.names[0] for f in candidates)}"
            )
        raise NotAcceptable(
            f"unknown format {_short(override)!r}: use one of "
            + ", ".join(f.names[0] for f in candidates)
        )
    ranges = parse_accept(accept)
    exact = [(media, q) for media, q in ranges if not media.endswith("/*")]
    best, best_q = None, 0.0
    for f in candidates:  # wildcards select a format by its own media type, not its aliases
        q = quality(ranges, f.media_type)
        for media, q_exact in exact:
            if media != f.media_type and f.named(media):
                q = max(q, q_exact)
        if q > best_q:
            best, best_q = f, q
    if best is None:
        raise NotAcceptable(
            f"none of the media types in Accept: {_short(accept)} can express this answer; "
            f"available: {', '.join(f.media_type for f in candidates)}"
        )
    return best
