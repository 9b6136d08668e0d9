"""The model's terms in each language: the ``@fr``/``@en`` labels of classes, properties and
public types, and how each property reads backwards (``queries/api-terms.rq``), so that the
pages and the JSON they read name things in the visitor's language.

A property's inverse phrase is its own ``tdi:inverseLabel``, the label of its
``owl:inverseOf``, or the inverse phrase of the network relation it expresses
(``ontology/presentation.ttl``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from tdi_graph.errors import BadRequest
from tdi_graph.view.ids import expand_id
from tdi_graph.view.rows import select

#: the languages the pages speak, the default first.
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]

ByLanguage = dict[str, str]


def _iri(term: str) -> str:
    """The IRI of a CURIE or IRI (``term`` itself when it is neither)."""
    try:
        return expand_id(term)
    except BadRequest:
        return term


def _pick(found: ByLanguage | None, lang: str) -> str | None:
    """The text in ``lang``, else French, else English, else any."""
    if not found:
        return None
    for candidate in (lang, DEFAULT_LANGUAGE, "en", ""):
        if candidate in found:
            return found[candidate]
    return min(found.values())


@dataclass
class Terms:
    """Labels (``labels``), inverse phrases (``inverse``), public type names (``types``) and
    network node type and relation names (``network``), each by IRI (or name), then language."""

    labels: dict[str, ByLanguage] = field(default_factory=dict)
    inverse: dict[str, ByLanguage] = field(default_factory=dict)
    types: dict[str, ByLanguage] = field(default_factory=dict)
    network: dict[str, ByLanguage] = field(default_factory=dict)

    @classmethod
    def build(cls, store: ox.Store) -> Terms:
        """Read every term's labels and inverse phrases from the store."""
        tables: dict[str, dict[str, dict[str, list[str]]]] = {
            k: defaultdict(lambda: defaultdict(list))
            for k in ("label", "inverse", "type", "network")
        }
        for row in select(store, "api-terms", columns="term kind text"):
            term, kind, text = row["term"], row.text("kind"), row["text"]
            if kind not in tables or not isinstance(text, ox.Literal) or term is None:
                continue
            tables[kind][term.value][text.language or ""].append(text.value)
        # several texts in one language (an inverse from two sources): the shortest, then first
        flat = {
            kind: {
                t: {lang: min(texts, key=lambda s: (len(s), s)) for lang, texts in by.items()}
                for t, by in table.items()
            }
            for kind, table in tables.items()
        }
        return cls(flat["label"], flat["inverse"], flat["type"], flat["network"])

    def label(self, term: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
        """The label of a term (IRI or CURIE) in ``lang``; ``None`` if the model has none."""
        return _pick(self.labels.get(term) or self.labels.get(_iri(term)), lang)

    def inverse_label(self, term: str, lang: str = DEFAULT_LANGUAGE) -> str | None:
        """How the property ``term`` reads from its object to its subject, in ``lang``."""
        return _pick(self.inverse.get(term) or self.inverse.get(_iri(term)), lang)

    def type_label(self, name: str, lang: str = DEFAULT_LANGUAGE) -> str:
        """The name of the public type ``name`` (``person``…) in ``lang``."""
        return _pick(self.types.get(name), lang) or name

    def network_label(self, name: str, lang: str = DEFAULT_LANGUAGE) -> str:
        """The label of a network node type or relation (``holds-post-in``…) in ``lang``."""
        return _pick(self.network.get(name), lang) or name
