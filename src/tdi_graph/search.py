"""Search over labels, alternative labels (acronyms, printed variants, typos) and identifiers.

Accent-, case- and hyphen-insensitive (:func:`normalise`), typo-tolerant (words within one or
two edits, found through a deletion index and checked with rapidfuzz), prefix-matching for
autocomplete, ranked by a score in [0, 1]. The :class:`SearchIndex` is built once from the
store (``api-names.rq``) and the :class:`~tdi_graph.view.Registry`; it is read-only
afterwards, so requests can share it across threads.

Scores: a name equal to the query scores 1; otherwise the mean of the query words' scores
(exact 1, prefix 0.8-0.95, typo 0.85 x similarity) times 0.8-0.95 for the share of the name's
words the query covers. Alternative labels weigh 0.98, and entities that only come from
reference data (the ~40,000 communes...) 0.9, so that the actors of the sources come first.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rapidfuzz.distance import OSA

from tdi_graph.gctools import gc_paused
from tdi_graph.normalise import compact, deletions, meaningful, normalise, words
from tdi_graph.view import Registry, select, short_id

#: the types a search can be restricted to (the public contract's list).
SEARCH_TYPES = (
    "person",
    "organisation",
    "territory",
    "place",
    "event",
    "agreement",
    "programme",
    "commitment",
    "document",
    "concept",
)
_NOT_DIGIT = re.compile(r"[^0-9]+")
KIND_WEIGHT = {"label": 1.0, "alt": 0.98}
_KIND_ORDER = {"label": 0, "alt": 1, "code": 2}
REFERENCE_WEIGHT = 0.9
MAX_EXPANSIONS = 400  # vocabulary words one query word may stand for (prefixes, typos)
MAX_POSTINGS = 1_000  # names one query word may reach: bounds the work of "saint", "la"
MIN_TYPO_LENGTH = 4  # shorter words must be typed right (acronyms, codes)
MIN_SCORE = 0.45


@dataclass(frozen=True)
class Hit:
    """One result: an entity and its score."""

    id: str
    type: str
    label: str
    score: float

    def as_dict(self) -> dict[str, str | float]:
        return {"id": self.id, "type": self.type, "label": self.label, "score": self.score}


@dataclass
class SearchIndex:
    """Names and their words, an inverted index, the vocabulary and identifiers."""

    entities: list[tuple[str, str, str, float]] = field(default_factory=list)  # id type label w
    name_entity: list[int] = field(default_factory=list)
    name_size: list[int] = field(default_factory=list)  # meaningful words of the name
    name_text: list[str] = field(default_factory=list)
    name_weight: list[float] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)  # shortest names first
    vocabulary: list[str] = field(default_factory=list)
    typos: dict[str, list[str]] = field(default_factory=dict)  # deletion -> words
    codes: dict[str, list[int]] = field(default_factory=dict)
    code_keys: list[str] = field(default_factory=list)
    slots: dict[str, int] = field(default_factory=dict)  # entity id -> its slot
    build_seconds: float = 0.0

    @classmethod
    def build(cls, store: ox.Store, registry: Registry) -> SearchIndex:
        """Index every name and identifier of the entities of a searchable type."""
        started = time.perf_counter()
        with gc_paused():  # ~10^5 small objects and no cycles: the collector would only slow it
            names = [
                (row.text("entity") or "", row.text("name") or "", row.text("kind") or "")
                for row in select(store, "api-names", columns="entity name kind")
            ]
            # in one order whatever the store's (labels before other names of an entity, as a
            # name seen twice keeps its first kind): a kept index equals a recomputed one
            names.sort(key=lambda n: (n[0], _KIND_ORDER.get(n[2], 3), n[1]))
            index = cls.from_names(names, registry)
        index.build_seconds = time.perf_counter() - started
        return index

    @classmethod
    def from_names(cls, names: Iterable[tuple[str, str, str]], registry: Registry) -> SearchIndex:
        """Index ``(iri, name, kind)`` triples, kind being ``label``, ``alt`` or ``code``."""
        index = cls()
        slots: dict[str, int] = {}
        seen: set[tuple[int, str]] = set()
        postings: dict[str, list[int]] = defaultdict(list)
        codes: dict[str, list[int]] = defaultdict(list)
        searchable = set(SEARCH_TYPES)
        for iri, name, kind in names:
            category = registry.categories.get(iri)
            if category not in searchable:
                continue
            slot = slots.get(iri)
            if slot is None:
                slot = slots[iri] = len(index.entities)
                reference = iri in registry.reference and iri not in registry.evidence
                weight = REFERENCE_WEIGHT if reference else 1.0
                index.entities.append((short_id(iri), category, registry.label(iri), weight))
                codes[compact(short_id(iri))].append(slot)
            if kind == "code":
                key = name.lower() if name.isascii() and name.isalnum() else compact(name)
                codes[key].append(slot)
                if not key.isdigit() and any(c.isdigit() for c in key):
                    codes[_NOT_DIGIT.sub("", key)].append(slot)
                continue
            text = normalise(name)
            if not text or (slot, text) in seen:
                continue
            seen.add((slot, text))
            number = len(index.name_entity)
            tokens = text.split()
            index.name_entity.append(slot)
            index.name_text.append(text)
            index.name_size.append(len(meaningful(tokens)))
            index.name_weight.append(KIND_WEIGHT.get(kind, 0.98))
            for word in set(tokens):
                postings[word].append(number)
        size = index.name_size
        index.postings = {w: sorted(n, key=size.__getitem__) for w, n in postings.items()}
        index.vocabulary = sorted(postings)
        typos: dict[str, list[str]] = defaultdict(list)
        for word in index.vocabulary:
            if len(word) >= MIN_TYPO_LENGTH and not word.isdigit():
                for key in (word, *deletions(word)):
                    typos[key].append(word)
        index.typos = dict(typos)
        index.codes = {k: v if len(v) == 1 else sorted(set(v)) for k, v in codes.items()}
        index.code_keys = sorted(index.codes)
        index.slots = {entity[0]: slot for slot, entity in enumerate(index.entities)}
        return index

    def exact(self, text: str, types: Iterable[str] | None = None) -> list[str]:
        """The ids of the entities named exactly ``text`` (accents and case aside), or whose
        identifier is exactly ``text`` (an INSEE code, a SIREN...), sorted."""
        allowed = set(types) if types else None
        key = compact(text)
        slots = self._named(normalise(text))
        slots.update(self.codes.get(text.strip().lower(), ()))
        slots.update(self.codes.get(key, ()) if key else ())
        return sorted(
            self.entities[slot][0]
            for slot in slots
            if allowed is None or self.entities[slot][1] in allowed
        )

    def _named(self, text: str) -> set[int]:
        """The entities with a name equal to the normalised ``text`` (through the postings of
        its rarest word)."""
        postings = [self.postings.get(word) for word in set(text.split())]
        if not postings or None in postings:
            return set()
        rarest = min(postings, key=lambda names: len(names or ()))
        return {self.name_entity[n] for n in rarest or () if self.name_text[n] == text}

    def __len__(self) -> int:
        return len(self.entities)

    # --- matching -----------------------------------------------------------------------

    def _prefixed(self, keys: list[str], prefix: str) -> Iterator[str]:
        """The first :data:`MAX_EXPANSIONS` sorted ``keys`` that start with ``prefix``."""
        start = bisect_left(keys, prefix)
        for key in keys[start : start + MAX_EXPANSIONS]:
            if not key.startswith(prefix):
                return
            yield key

    def _expansions(self, word: str, last: bool) -> dict[str, float]:
        """Vocabulary words ``word`` may stand for, with a score: exact 1, prefix, typo."""
        found: dict[str, float] = {}
        if word in self.postings:
            found[word] = 1.0
        if len(word) >= 3 or (last and len(word) >= 2):
            for other in self._prefixed(self.vocabulary, word):
                found.setdefault(other, 0.8 + 0.15 * len(word) / len(other))
        if not found and len(word) >= MIN_TYPO_LENGTH and not word.isdigit():
            edits = 1 if len(word) <= 7 else 2
            candidates: set[str] = set()
            for key in (word, *deletions(word, edits)):
                candidates.update(self.typos.get(key, ()))
            for other in candidates:
                distance = OSA.distance(word, other, score_cutoff=edits)
                if distance <= edits:
                    found[other] = 0.85 * (1 - distance / max(len(word), len(other)))
        return found

    def _name_scores(self, query: list[str], allowed: set[str] | None) -> dict[int, float]:
        """Score of the names that match every query word (or, failing that, any of them).

        Candidates come from the postings of the most selective word, at most
        :data:`MAX_POSTINGS` (shortest names first); the other words are checked on them.
        """
        expansions = [self._expansions(w, i == len(query) - 1) for i, w in enumerate(query)]
        volume = [sum(len(self.postings[w]) for w in found) for found in expansions]
        order = sorted(range(len(query)), key=volume.__getitem__)
        scores = self._scores(query, expansions, self._reach(expansions[order[0]]), allowed)
        if scores or len(query) == 1:
            return scores
        reach: set[int] = set()
        for found in expansions:
            reach |= self._reach(found)
        partial = self._scores(query, expansions, reach, allowed, partial=True)
        return {n: s * 0.8 for n, s in partial.items()}

    def _reach(self, found: dict[str, float]) -> set[int]:
        """The names holding the best of the ``found`` words, at most :data:`MAX_POSTINGS`."""
        names: set[int] = set()
        for other, _ in sorted(found.items(), key=lambda x: -x[1]):
            names.update(self.postings[other][: MAX_POSTINGS - len(names)])
            if len(names) >= MAX_POSTINGS:
                break
        return names

    def _scores(
        self,
        query: list[str],
        expansions: list[dict[str, float]],
        candidates: Iterable[int],
        allowed: set[str] | None,
        partial: bool = False,
    ) -> dict[int, float]:
        """Score ``candidates``; without ``partial``, those missing a query word are dropped."""
        entities, name_entity, size = self.entities, self.name_entity, self.name_size
        texts, weights, count = self.name_text, self.name_weight, len(query)
        out: dict[int, float] = {}
        for name in candidates:
            if allowed is not None and entities[name_entity[name]][1] not in allowed:
                continue
            tokens = texts[name].split()
            total = 0.0
            for found in expansions:
                best = max((found.get(t, 0.0) for t in tokens), default=0.0)
                if best == 0.0 and not partial:
                    break
                total += best
            else:
                coverage = min(1.0, count / (size[name] or 1))
                out[name] = total / count * (0.8 + 0.15 * coverage) * weights[name]
        return out

    def _code_scores(self, key: str, allowed: set[str] | None) -> dict[int, float]:
        """Entities whose identifier is ``key`` (score 1), or starts with it if it has digits."""
        if len(key) < 2:
            return {}
        if any(c.isdigit() for c in key):
            matches = [
                (c, 1.0 if c == key else 0.75 + 0.2 * len(key) / len(c))
                for c in self._prefixed(self.code_keys, key)
            ]
        else:
            matches = [(key, 1.0)] if key in self.codes else []
        out: dict[int, float] = {}
        for code, score in matches:
            for slot in self.codes[code]:
                if allowed is None or self.entities[slot][1] in allowed:
                    out[slot] = max(out.get(slot, 0.0), score)
        return out

    def search(
        self, text: str, types: Iterable[str] | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[Hit]]:
        """``(total, hits)``: the entities that best match ``text``, best first."""
        allowed = set(types) if types else None
        query = words(text)
        if not query:
            return 0, []
        exact = normalise(text)
        best: dict[int, float] = {}
        for name, score in self._name_scores(query, allowed).items():
            if self.name_text[name] == exact:
                score = self.name_weight[name]
            slot = self.name_entity[name]
            if best.get(slot, 0.0) < score:
                best[slot] = score
        for slot, score in self._code_scores(compact(text), allowed).items():
            best[slot] = max(best.get(slot, 0.0), score)
        ranked = []
        for slot, score in best.items():
            entity_id, category, label, weight = self.entities[slot]
            final = round(min(1.0, score * weight), 4)
            if final >= MIN_SCORE:
                ranked.append((-final, -weight, len(label), entity_id, category, label))
        ranked.sort()
        page = ranked[offset : offset + limit]
        return len(ranked), [Hit(r[3], r[4], r[5], -r[0]) for r in page]

    def browse(self, kind: str, limit: int = 50, offset: int = 0) -> tuple[int, list[Hit]]:
        """``(total, hits)``: every entity of type ``kind``, by label (sources' actors first)."""
        ranked = sorted(
            (-w, label.casefold(), i)
            for i, (_, k, label, w) in enumerate(self.entities)
            if k == kind
        )
        page = [self.entities[i] for _, _, i in ranked[offset : offset + limit]]
        return len(ranked), [Hit(e[0], e[1], e[2], 1.0) for e in page]

    # --- lookups --------------------------------------------------------------------------

    def entity(self, entity_id: str) -> Hit | None:
        """The indexed entity of an id (score 1), or ``None``."""
        slot = self.slots.get(entity_id)
        if slot is None:
            return None
        found = self.entities[slot]
        return Hit(found[0], found[1], found[2], 1.0)

    def entity_of_iri(self, iri: str) -> Hit | None:
        """The indexed entity of an IRI, or ``None``."""
        return self.entity(short_id(iri))
