"""The coverage ledger: every sentence of every source, and the facts or omission that cover it.

A source is cut into *units* first, then each unit into sentences:

- blank-line-separated blocks are hard boundaries, and so are Markdown headings, bullets
  (``•``, ``-``, ``*``, ``1.``), horizontal rules and lines that are a bare URL; inside a block,
  a single line break is a space (Markdown's soft break);
- except where a block was hard-wrapped across blank lines by a PDF extraction (file 003): a
  block that ends without terminal punctuation continues into the next one when that one starts
  in lower case or with ``(``, or when its last line fills the document's width (at least 60
  characters and 75 % of the 90th-percentile line length: paragraph-long lines elsewhere never
  trigger it).

Text is normalised with :func:`tdi_graph.validate.normalise`, as the evidence check does, and
every sentence, excerpt and omission is located in the normalised document: an excerpt
*covers* a sentence when their spans overlap, wherever the excerpt occurs verbatim.

The segmenter was chosen by trying four on the five sources. On the raw files pysbd, sentencex
and syntok cut at every line break of 003, blingfire glues headings and bullets onto sentences
(205 / 189 / 189 / 84 segments), hence the units. On the units (* marks synthetic cases):

==============================  =======  =========  ======  =========
case                            pysbd    sentencex  syntok  blingfire
==============================  =======  =========  ======  =========
sentences in the 5 sources      146      145        145     145
"mobilité etc. Cela" (002:29)   split    missed     missed  missed
"etc.)", "N°1076", e-mails      kept     kept       kept    kept
"Rousset (13) (production"      kept     kept       kept    kept
"20M€. Ces" (000)               split    split      split   split
"M€ par an. Elle" *             split    split      split   missed
"(13) (...). Cela ... (49)." *  split    split      missed  split
"...@x.fr. Merci." *            split    missed     missed  missed
"M. Lombard a signé." *         kept     split      kept    kept
"locaux… Cette" *               missed   missed     missed  split
time for the 5 sources          0.3 s    0.02 s     0.1 s   0.02 s
==============================  =======  =========  ======  =========

pysbd 0.3.4 (``language="fr"``, ``clean=False``: verbatim segments), pure Python, is the only
one right on every case of the sources (each "…" in them ends a block). Its last release is
from 2021: sentencex (1.0.32, faster, maintained) is the fallback once it splits after "etc.".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pysbd
import yaml

from tdi_graph.errors import DataError
from tdi_graph.load import curated_files, parse_file
from tdi_graph.namespaces import GRAPH, ID, TDI
from tdi_graph.resources import data_dir
from tdi_graph.validate import DERIVED_FROM, EXCERPT, documents, normalise

_HEADING = re.compile(r"^\s*#{1,6}\s+")
_BULLET = re.compile(r"^\s*(?:[•▪◦*+-]|\d{1,2}[.)])\s+")
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
_FINAL = re.compile(r"[.!?…:;][\s*_»\"')\]]*$")
Subject = ox.NamedNode | ox.BlankNode | ox.Triple
_SEGMENTER = pysbd.Segmenter(language="fr", clean=False)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: its first line and its span in the normalised text."""

    line: int
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Excerpt:
    """An excerpt of the data and the fact (nearest named node) it is evidence for."""

    fact: str
    graph: str
    document: str
    text: str


@dataclass(frozen=True)
class Omission:
    """A deliberate omission: verbatim text of a document that states no fact, and why."""

    document: str
    text: str
    kind: str
    reason: str
    line: int  # in the omissions file


@dataclass
class Entry:
    """A sentence and what accounts for it."""

    sentence: Sentence
    facts: list[Excerpt] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "fact" if self.facts else "omission" if self.omissions else "unaccounted"


@dataclass
class DocumentLedger:
    """The ledger of one document."""

    document: str
    source_file: str
    entries: list[Entry]

    def counts(self) -> dict[str, int]:
        """Sentences, and how many are covered by facts, by omissions, or unaccounted."""
        status = [e.status for e in self.entries]
        kinds = {"facts": "fact", "omissions": "omission", "unaccounted": "unaccounted"}
        return {"sentences": len(status)} | {k: status.count(v) for k, v in kinds.items()}


@dataclass
class Ledger:
    """Coverage of every document, the unaccounted sentences, the stale omissions, and the
    superseded ones (every sentence they match is also covered by a fact: a warning)."""

    documents: list[DocumentLedger]
    omissions_file: Path
    stale: list[Omission] = field(default_factory=list)
    superseded: list[Omission] = field(default_factory=list)

    def unaccounted(self) -> list[tuple[DocumentLedger, Entry]]:
        return [(d, e) for d in self.documents for e in d.entries if e.status == "unaccounted"]

    @property
    def ok(self) -> bool:
        return not self.stale and not self.unaccounted()

    def totals(self) -> dict[str, int]:
        counts = [d.counts() for d in self.documents]
        return {
            k: sum(c[k] for c in counts) for k in ("sentences", "facts", "omissions", "unaccounted")
        }

    def lines(self, detail: bool = False) -> list[str]:
        """The table of figures (with every sentence if ``detail``), then the problems."""
        out = [f"{'document':<40} {'file':<26} sentences  facts  omitted  unaccounted"]
        rows = [(d.document, d.source_file, d.counts()) for d in self.documents]
        for name, file, c in [*rows, ("total", "", self.totals())]:
            out.append(
                f"{name:<40} {file:<26} {c['sentences']:>9}  {c['facts']:>5}  "
                f"{c['omissions']:>7}  {c['unaccounted']:>11}"
            )
        for d in self.documents if detail else []:
            out += ["", f"{d.document} ({d.source_file})"]
            for e in d.entries:
                out.append(f"{e.sentence.line:>4} {e.status:<11} {e.sentence.text}")
                facts = dict.fromkeys((short(x.fact), short(x.graph)) for x in e.facts)
                out += [f"{'':>16}<- {fact} [{graph}]" for fact, graph in facts]
                out += [f"{'':>16}<- omission ({o.kind}): {o.reason}" for o in e.omissions]
        for d, e in self.unaccounted():
            line = f"{d.source_file}:{e.sentence.line}"
            out.append(f"UNACCOUNTED {line} [{d.document}] {e.sentence.text}")
        notes = [("STALE", o, "matches no sentence") for o in self.stale]
        for label, o, why in notes + [("SUPERSEDED", o, "facts cover it") for o in self.superseded]:
            where = f"{self.omissions_file}:{o.line}"
            out.append(f"{label} omission {where} ({o.document}): {o.text!r} {why}")
        problems = len(self.unaccounted()) + len(self.stale)
        out.append("OK" if self.ok else f"FAILED: {problems} problem(s)")
        return out

    def to_json(self) -> str:
        """The whole ledger as JSON: counts, then every sentence with its facts or omission."""
        docs = [
            {
                "document": d.document,
                "file": d.source_file,
                "counts": d.counts(),
                "sentences": [
                    {
                        "line": e.sentence.line,
                        "text": e.sentence.text,
                        "status": e.status,
                        "facts": [
                            {"fact": x.fact, "graph": x.graph, "excerpt": x.text} for x in e.facts
                        ],
                        "omissions": [
                            {"kind": o.kind, "reason": o.reason, "text": o.text}
                            for o in e.omissions
                        ],
                    }
                    for e in d.entries
                ],
            }
            for d in self.documents
        ]
        body = {"ok": self.ok, "total": self.totals(), "documents": docs}
        for key, items in (("stale_omissions", self.stale), ("superseded", self.superseded)):
            body[key] = [{"document": o.document, "text": o.text, "line": o.line} for o in items]
        return json.dumps(body, ensure_ascii=False, indent=2)


def short(value: str) -> str:
    """``id:x`` / ``graph:x`` for the project's IRIs.

    >>> short("https://w3id.org/tdi-graph/id/bpifrance")
    'id:bpifrance'
    """
    for prefix, ns in (("id:", ID), ("graph:", GRAPH), ("tdi:", TDI)):
        if value.startswith(ns):
            return prefix + value[len(ns) :]
    return value


def _units(text: str) -> list[list[tuple[int, str]]]:
    """The units of a raw document, each a list of (line number, normalised line text)."""
    lines = text.splitlines()
    sizes = sorted(len(x.rstrip()) for x in lines if x.strip() and not _URL.match(x))
    width = max(sizes[int(0.9 * (len(sizes) - 1))] * 0.75 if sizes else 0, 60)
    units: list[list[tuple[int, str]]] = []
    closed = True  # the current unit takes no more lines (heading, URL, or none yet)
    gap, last = False, ""
    for number, raw in enumerate(lines, 1):
        if not raw.strip() or _RULE.match(raw):
            gap = True
            closed = closed or bool(_RULE.match(raw))
            continue
        heading, bullet, url = _HEADING.match(raw), _BULLET.match(raw), _URL.match(raw)
        marker = heading or bullet
        body = normalise(raw[marker.end() :] if marker else raw)
        if not body:
            continue
        continues = not (closed or heading or bullet or url)
        if continues and gap:
            continues = not _FINAL.search(normalise(last)) and (
                body[0].islower() or body[0] == "(" or len(last.rstrip()) >= width
            )
        if continues:
            units[-1].append((number, body))
        else:
            units.append([(number, body)])
        closed, gap, last = bool(heading or url), False, raw
    return units


def sentences(text: str) -> list[Sentence]:
    """The sentences of a raw document, with spans in ``normalise(text)``.

    >>> [s.text for s in sentences("## Titre\\n\\nIl a investi 20M€. Elle\\nmobilise 100 M€.")]
    ['Titre', 'Il a investi 20M€.', 'Elle mobilise 100 M€.']
    """
    flat = normalise(text)
    out: list[Sentence] = []
    cursor = 0
    for unit in _units(text):
        joined = " ".join(body for _, body in unit)
        base = flat.find(joined, cursor)
        if base < 0:  # cannot happen while units are built from normalised lines
            raise DataError(f"unit at line {unit[0][0]} not found in the normalised text")
        starts = [(sum(len(b) + 1 for _, b in unit[:i]), n) for i, (n, _) in enumerate(unit)]
        local = 0
        for piece in _SEGMENTER.segment(joined):
            piece = piece.strip()
            if not piece:
                continue
            at = joined.find(piece, local)
            if at < 0:
                raise DataError(f"segment {piece!r} not found in its unit (line {unit[0][0]})")
            local = at + len(piece)
            line = max(number for off, number in starts if off <= at)
            out.append(Sentence(line, piece, base + at, base + local))
        cursor = base + len(joined)
    return out


def _overlapping(flat: str, entries: list[Entry], needle: str) -> list[Entry]:
    """The entries whose sentence overlaps an occurrence of ``needle`` in ``flat``."""
    needle, spans, at = normalise(needle), [], -1
    while needle and (at := flat.find(needle, at + 1)) >= 0:
        spans.append((at, at + len(needle)))
    return [
        e for e in entries if any(a < e.sentence.end and e.sentence.start < b for a, b in spans)
    ]


def read_excerpts(data: Path | None = None) -> tuple[list[Excerpt], dict[str, str]]:
    """Excerpts of ``data/sources/*.ttl`` and ``data/curation.ttl``, and document -> file."""
    files = [f for f in curated_files(data=data) if f.kind in ("document", "curation")]
    curated = {f.graph: parse_file(f) for f in files}
    excerpts: list[Excerpt] = []
    for quads in curated.values():
        parents = {q.object: q.subject for q in quads if isinstance(q.object, ox.BlankNode)}
        derived: dict[Subject, list[str]] = {}
        for q in quads:
            if q.predicate == DERIVED_FROM and isinstance(q.object, ox.NamedNode):
                derived.setdefault(q.subject, []).append(q.object.value)
        for q in quads:
            if q.predicate != EXCERPT or not isinstance(q.object, ox.Literal):
                continue
            node: Subject = q.subject
            seen = set()
            while isinstance(node, ox.BlankNode) and node in parents and node not in seen:
                seen.add(node)
                node = parents[node]
            fact = node.value if isinstance(node, ox.NamedNode) else f"_:{node}"
            graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
            for doc in derived.get(q.subject, []):
                excerpts.append(Excerpt(fact, graph, doc, q.object.value))
    return excerpts, documents(curated)


def read_omissions(path: Path) -> list[Omission]:
    """The omissions file: ``kinds`` (name: meaning) and ``omissions`` (document, text, kind,
    reason); a broken file raises :class:`DataError` naming the file and line."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DataError(f"{path}:{line}: {exc.problem or exc.context}") from None

    def fail(node: yaml.Node, message: str) -> DataError:
        return DataError(f"{path}:{node.start_mark.line + 1}: {message}")

    def mapping(node: yaml.Node, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise fail(node, f"{what} must be a mapping")
        return {k.value: v for k, v in node.value}

    if root is None:
        raise DataError(f"{path}:1: empty file (expected the keys 'kinds' and 'omissions')")
    top = mapping(root, "the file")
    if set(top) != {"kinds", "omissions"}:
        raise fail(root, "expected the keys 'kinds' and 'omissions'")
    kinds = mapping(top["kinds"], "'kinds'")
    if not isinstance(top["omissions"], yaml.SequenceNode):
        raise fail(top["omissions"], "'omissions' must be a list")
    out = []
    for item in top["omissions"].value:
        entry = mapping(item, "an omission")
        wanted = {"document", "text", "kind", "reason"}
        if set(entry) != wanted:
            raise fail(item, f"an omission has exactly the keys {sorted(wanted)}")
        for key, node in entry.items():
            if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
                raise fail(node, f"{key!r} must be a non-empty string")
        if entry["kind"].value not in kinds:
            raise fail(entry["kind"], f"unknown kind {entry['kind'].value!r} (see 'kinds')")
        values = {k: str(v.value) for k, v in entry.items()}
        out.append(Omission(**values, line=item.start_mark.line + 1))
    return out


def coverage(
    sources_dir: Path,
    *,
    data: Path | None = None,
    omissions: Path | None = None,
    document: str | None = None,
) -> Ledger:
    """The ledger of the documents in ``sources_dir`` (one, by id or file name, if
    ``document``), against the excerpts of ``data`` and the omissions file."""
    data = data or data_dir()
    excerpts, files = read_excerpts(data)
    omissions = omissions or data / "omissions.yaml"
    skipped = read_omissions(omissions)
    docs = {short(iri)[3:]: name for iri, name in files.items() if iri.startswith(ID)}
    for o in (o for o in skipped if o.document not in docs):
        raise DataError(f"{omissions}:{o.line}: unknown document {o.document!r}")
    if document and not any(document in item for item in docs.items()):
        raise DataError(f"no document {document!r} (ids: {', '.join(sorted(docs))})")
    ledger = Ledger([], omissions)
    for local, name in sorted(docs.items(), key=lambda item: item[1]):
        path = sources_dir / name
        if not path.is_file():
            raise DataError(f"{path}: source file missing (document {local})")
        text = path.read_text(encoding="utf-8")
        flat = normalise(text)
        entries = [Entry(s) for s in sentences(text)]
        for x in excerpts:
            for e in _overlapping(flat, entries, x.text) if x.document == ID + local else []:
                e.facts.append(x)
        for o in (o for o in skipped if o.document == local):
            hits = _overlapping(flat, entries, o.text)
            ledger.stale += [] if hits else [o]
            ledger.superseded += [o] if hits and all(e.facts for e in hits) else []
            for e in hits:
                e.omissions.append(o)
        if document in (None, local, name):
            ledger.documents.append(DocumentLedger(local, name, entries))
    return ledger
