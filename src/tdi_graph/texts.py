"""The source documents' own text, shipped with each build, and shown with its facts marked.

``load`` copies the text of every document that names its file (``tdi:sourceFile``) from the
sources directory into the build (``texts/<document id>.txt``): the server reads it from the
build it serves, never from the sources directory. :func:`marked` cuts a text into paragraphs
(Markdown emphasis removed, as the evidence check does) and marks each fact's excerpt in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.store import served_build
from tdi_graph.validate import documents, normalise
from tdi_graph.view.ids import local_id

TEXTS = "texts"
_HEADING = re.compile(r"^#+\s*")


def collect(curated: Mapping[str, list[ox.Quad]], sources_dir: Path | None) -> dict[str, Path]:
    """Build file name (``texts/<id>.txt``) -> the source file, for the documents found."""
    if sources_dir is None or not sources_dir.is_dir():
        return {}
    out = {}
    for iri, name in sorted(documents(dict(curated)).items()):
        ident, path = local_id(iri), sources_dir / name
        if ident and path.is_file():
            out[f"{TEXTS}/{ident}.txt"] = path
    return out


def read(store_dir: Path, ident: str) -> str | None:
    """The text of document ``ident`` in the build being served, or ``None``."""
    build = served_build(store_dir)  # not `current`: a load beside the server moves that
    if build is None or "/" in ident:
        return None
    path = build / TEXTS / f"{ident}.txt"
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


@dataclass
class Paragraph:
    """A paragraph of the text, cut into pieces; a piece marked by facts carries their ids."""

    heading: bool
    pieces: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


def marked(
    text: str, excerpts: Iterable[tuple[str, str]]
) -> tuple[list[Paragraph], set[str], list[tuple[str, str]]]:
    """The paragraphs of ``text`` with each ``(fact, excerpt)`` marked where it first occurs
    (whitespace and emphasis ignored); the facts marked, and the excerpts not found (an
    excerpt that runs across two paragraphs)."""
    paragraphs = [
        (bool(_HEADING.match(block.strip())), normalise(_HEADING.sub("", block.strip())))
        for block in re.split(r"\n\s*\n", text)
        if normalise(block)
    ]
    spans: list[list[tuple[int, int, str]]] = [[] for _ in paragraphs]
    found, missing = set(), []
    for fact, excerpt in excerpts:
        needle = normalise(excerpt)
        for i, (_, body) in enumerate(paragraphs):
            at = body.find(needle) if needle else -1
            if at >= 0:
                spans[i].append((at, at + len(needle), fact))
                found.add(fact)
                break
        else:
            missing.append((fact, excerpt))
    out = []
    for (heading, body), marks in zip(paragraphs, spans, strict=True):
        cuts = sorted({0, len(body), *(a for a, _, _ in marks), *(b for _, b, _ in marks)})
        paragraph = Paragraph(heading)
        for start, end in zip(cuts, cuts[1:], strict=False):
            covering = sorted(
                ((b - a, f) for a, b, f in marks if a <= start and end <= b), key=lambda x: x
            )
            facts = tuple(dict.fromkeys(f for _, f in covering))  # the narrowest first
            paragraph.pieces.append((body[start:end], facts))
        out.append(paragraph)
    return out, found, missing
