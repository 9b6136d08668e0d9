"""Formats of SPARQL query results and content negotiation (``Accept`` and ``format=``).

Each :class:`Format` is a serialization of ``solutions`` (SELECT, ASK) or of a ``graph``
(CONSTRUCT, DESCRIBE); :func:`negotiate` picks the one to answer in.
"""

from __future__ import annotations

from dataclasses import dataclass

from tdi_graph.errors import BadRequest, TdiError


class NotAcceptable(TdiError):
    status = 406
    code = "not_acceptable"


class UnsupportedMediaType(TdiError):
    status = 415
    code = "unsupported_media_type"


# --- formats and content negotiation -----------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One serialization of query results: ``solutions`` (SELECT, ASK) or ``graph`` ones."""

    name: str
    media_type: str
    kind: str
    also: tuple[str, ...] = ()  # other media types that select it in ``Accept``
    names: tuple[str, ...] = ()  # values of the ``format=`` parameter

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/")
        return self.media_type + ("; charset=utf-8" if text else "")


# fmt: off
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "solutions", ("application/json",),
           ("json", "srj")),
    Format("xml", "application/sparql-results+xml", "solutions", ("application/xml", "text/xml"),
           ("xml", "srx")),
    Format("csv", "text/csv", "solutions", (), ("csv",)),
    Format("tsv", "text/tab-separated-values", "solutions", (), ("tsv",)),
    Format("turtle", "text/turtle", "graph", ("application/x-turtle",), ("turtle", "ttl")),
    Format("ntriples", "application/n-triples", "graph", ("text/plain",),
           ("ntriples", "n-triples", "nt")),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/xml", "text/xml"),
           ("rdfxml", "rdf", "xml")),
    Format("jsonld", "application/ld+json", "graph", ("application/json",),
           ("jsonld", "json-ld", "json")),
    Format("trig", "application/trig", "graph", (), ("trig",)),
    Format("nquads", "application/n-quads", "graph", (), ("nquads", "n-quads", "nq")),
)
# fmt: on


def formats(kind: str) -> list[Format]:
    """The formats of one kind (``solutions`` or ``graph``), in order of preference."""
    return [f for f in FORMATS if f.kind == kind]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values; no header means ``*/*``.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('text/csv', 0.5), ('application/sparql-results+json', 1.0)]
    """
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(","):
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


def negotiate(kind: str, accept: str | None = None, override: str | None = None) -> Format:
    """The format to answer in: ``override`` (a ``format=`` value) or the best for ``Accept``.

    >>> negotiate("solutions", "text/csv;q=0.9, application/sparql-results+xml").name
    'xml'
    >>> negotiate("graph", None).name
    'turtle'
    """
    candidates = formats(kind)
    if override:
        key = override.strip().lower()
        for f in candidates:
            if key in f.names or key == f.media_type or key in f.also:
                return f
        if any(key in f.names or key == f.media_type for f in FORMATS):
            raise NotAcceptable(
                f"format {_short(override)!r} cannot express the results of this query; "
                f"use one of {', '.join(f.names[0] for f in candidates)}"
            )
        names = ", ".join(f.names[0] for f in FORMATS)
        raise BadRequest(f"unknown format {_short(override)!r}: use one of {names}")
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for f in candidates:  # wildcards select a format by its own media type, not its aliases
        q = max([quality(ranges, f.media_type)] + [quality(ranges, m, exact=True) for m in f.also])
        if q > best_q:
            best, best_q = f, q
    if best is None:
        raise NotAcceptable(
            f"none of the media types in Accept: {_short(accept)} can express the results of this "
            f"query; available: {', '.join(f.media_type for f in candidates)}"
        )
    return best


def _short(text: str | None, size: int = 80) -> str:
    """A client's value, cut for an error message (never echo a long header back)."""
    text = text or ""
    return text if len(text) <= size else text[:size] + "…"
