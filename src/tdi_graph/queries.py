"""Named queries: ``queries/*.rq`` files with a ``#+`` YAML header, parameters bound safely.

A header looks like this (it is made of SPARQL comments, so the file stays valid SPARQL)::

    #+ summary: Who signed an agreement
    #+ summary_fr: Qui a signé un accord
    #+ description: Signatories, the organisation each signed for, date, place and event.
    #+ params:
    #+   - name: agreement
    #+     type: iri
    #+     default: contrat-ti-nord-franche-comte
    #+     description: the agreement (short id or full IRI)

Parameters are bound as RDF terms, never by string formatting: written into the query's
patterns by :func:`tdi_graph.sparql_inline.inline` where that keeps the query's meaning (the
planner then starts from them), with pyoxigraph's ``substitutions=`` otherwise.
A parameter left out takes its ``default``, or (with none) stays a free variable, so it matches
everything; a ``required: true`` parameter left out is a :class:`BadRequest` naming it (its
``default`` is then only the example shown in forms and docs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tdi_graph.errors import BadRequest, DataError, NotFound
from tdi_graph.namespaces import PREFIXES
from tdi_graph.rdftypes import Term
from tdi_graph.resources import queries_dir
from tdi_graph.sparql import query_form
from tdi_graph.sparql_inline import inline
from tdi_graph.view.ids import expand_id

XSD = PREFIXES["xsd"]
PARAM_TYPES = ("iri", "string", "date", "integer", "decimal")


@dataclass(frozen=True)
class Param:
    """One parameter of a named query."""

    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None
    required: bool = False
    cls: str | None = None  # ``class:`` in the header: what a name given for an iri must be

    def _iri(self, raw: str) -> ox.NamedNode:
        """A short id (``bpifrance``), a compact IRI (``tdi:Equity``) or a full IRI."""
        try:
            return ox.NamedNode(expand_id(raw, any_scheme=True))
        except BadRequest:
            raise BadRequest(f"parameter {self.name!r}: {raw!r} is not an id or an IRI") from None
        except ValueError:
            raise BadRequest(f"parameter {self.name!r}: {raw!r} is not a valid IRI") from None

    def bind(self, raw: str) -> Term:
        """The RDF term for a raw string value; :class:`BadRequest` if it does not fit."""
        raw = raw.strip()
        if self.type == "iri":
            return self._iri(raw)
        if self.type == "date":
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                raise BadRequest(
                    f"parameter {self.name!r}: {raw!r} is not a YYYY-MM-DD date"
                ) from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
        if self.type == "integer":
            try:
                int(raw)
            except ValueError:
                raise BadRequest(f"parameter {self.name!r}: {raw!r} is not an integer") from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "decimal":
            try:
                float(raw)
            except ValueError:
                raise BadRequest(f"parameter {self.name!r}: {raw!r} is not a number") from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "decimal"))
        return ox.Literal(raw)


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file of ``queries/`` and its header."""

    name: str
    path: Path
    text: str
    summary: str
    summary_fr: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = ()
    examples: tuple[dict[str, str], ...] = field(default=())
    inlinable: bool = False  # its parameters can be written into its text (checked on reading)

    def title(self, lang: str = "en") -> str:
        """The summary in ``lang``: ``summary_fr`` in French, ``summary`` otherwise."""
        return self.summary_fr if lang == "fr" and self.summary_fr else self.summary

    @property
    def kind(self) -> str:
        """``select``, ``ask``, ``construct`` or ``describe``: the query form, read by the
        SPARQL tokenizer (comments, strings, IRIs and variables such as ``?task`` skipped)."""
        return (query_form(self.text) or "SELECT").lower()

    def example(self) -> dict[str, str]:
        """Values for the required parameters: their ``default``, the header's example."""
        return {p.name: p.default for p in self.params if p.required and p.default is not None}

    def bindings(self, values: dict[str, str]) -> dict[ox.Variable, Term]:
        """Validated substitutions for ``values``; unknown or missing parameters are errors."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise BadRequest(f"query {self.name!r} has no parameter {', '.join(unknown)}")
        out: dict[ox.Variable, Term] = {}
        for p in self.params:
            raw = values.get(p.name)
            if (raw is None or raw == "") and p.required:  # its default is an example: not used
                example = f" (for example {p.name}={p.default})" if p.default else ""
                raise BadRequest(f"query {self.name!r} needs parameter {p.name!r}{example}")
            if raw is None or raw == "":
                raw = p.default
            if raw is None or raw == "":
                continue
            out[ox.Variable(p.name)] = p.bind(str(raw))
        return out

    def prepared(
        self, bindings: dict[ox.Variable, Term], store: object
    ) -> tuple[str, dict[ox.Variable, Term]]:
        """The text to send to ``store`` and the substitutions left to go with it.

        For pyoxigraph's store the parameters are written into the text where they can be
        (:mod:`tdi_graph.sparql_inline` says when and why). A remote engine
        (:mod:`tdi_graph.remote`) binds substitutions its own way, and Virtuoso answers the
        written-in form differently (tests/remote), so it gets the text and the substitutions."""
        if self.inlinable and isinstance(store, ox.Store):
            text = inline(self.text, {var.value: term for var, term in bindings.items()})
            if text is not None:
                return text, {}
        return self.text, bindings


def parse_header(path: Path, text: str) -> dict[str, Any]:
    """The YAML made of the ``#+`` lines at the top of a query file."""
    import yaml  # the first named query read imports it, not the server's start

    lines = [line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: bad #+ header: {exc}") from None
    if not isinstance(header, dict) or "summary" not in header:
        raise DataError(f"{path}:1: the #+ header needs a summary")
    return header


_CHECK_VALUES = {
    "iri": "urn:tdi:check",
    "string": "check",
    "date": "2000-01-01",
    "integer": "0",
    "decimal": "0",
}


def check_query(query: NamedQuery) -> bool:
    """Parse the query and bind every parameter on an empty store: a broken file fails early.
    Answer whether the parameters can be written into the text (that form parses too).

    pyoxigraph only substitutes variables of the projection, so each parameter must be selected.
    """
    values = {p.name: _CHECK_VALUES[p.type] for p in query.params}
    bindings = query.bindings(values)
    try:
        ox.Store().query(query.text, substitutions=bindings)
    except SyntaxError as exc:
        raise DataError(f"{query.path}: {exc}") from None
    except RuntimeError as exc:  # e.g. a parameter that is not in the SELECT projection
        raise DataError(f"{query.path}: {exc}") from None
    text = inline(query.text, {var.value: term for var, term in bindings.items()})
    if text is None:
        return False
    try:
        ox.Store().query(text)
    except (SyntaxError, RuntimeError):  # e.g. a literal parameter in a predicate's place
        return False
    return True


def read_query(path: Path) -> NamedQuery:
    """Read one named query file (checked: it parses and its parameters bind)."""
    text = path.read_text(encoding="utf-8")
    header = parse_header(path, text)
    params = []
    for raw in header.get("params") or []:
        if raw.get("type", "string") not in PARAM_TYPES:
            raise DataError(
                f"{path}: parameter {raw.get('name')!r} has unknown type {raw['type']!r}"
            )
        params.append(
            Param(
                name=raw["name"],
                type=raw.get("type", "string"),
                description=raw.get("description", ""),
                default=None if raw.get("default") is None else str(raw["default"]),
                required=bool(raw.get("required", False)),
                cls=None if raw.get("class") is None else str(raw["class"]),
            )
        )
    query = NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header["summary"]),
        summary_fr=str(header.get("summary_fr") or ""),
        description=str(header.get("description", "")).strip(),
        params=tuple(params),
        tags=tuple(header.get("tags") or ()),
        examples=tuple(header.get("examples") or ()),
    )
    return dataclasses.replace(query, inlinable=check_query(query))


@lru_cache(maxsize=4)
def _names(directory: Path) -> tuple[str, ...]:
    """The names of the named queries in ``directory``, in the order of their file names."""
    return tuple(p.stem for p in sorted(directory.glob("*.rq")))


@cache
def _named(directory: Path, name: str) -> NamedQuery:
    """One named query, read (and checked) once: a caller that needs a few does not pay for
    reading all of them."""
    return read_query(directory / f"{name}.rq")


def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query, by name, sorted."""
    directory = directory or queries_dir()
    return {name: _named(directory, name) for name in _names(directory)}


def get_query(name: str) -> NamedQuery:
    """A named query by name; :class:`NotFound` if there is none."""
    directory = queries_dir()
    if name not in _names(directory):
        raise NotFound(f"no named query {name!r}")
    return _named(directory, name)


def run(
    store: ox.Store, query: NamedQuery, values: dict[str, str] | None = None
) -> ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean:
    """Run a named query on ``store`` with validated parameters (union default graph)."""
    text, substitutions = query.prepared(query.bindings(values or {}), store)
    return store.query(text, substitutions=substitutions, use_default_graph_as_union=True)
