"""Names and queries as search compares them: normalised, split into meaningful words.

Accent-, case- and hyphen-insensitive (:func:`normalise`); identifiers compare without spaces
(:func:`compact`); typos are found through the strings one or two deletions away
(:func:`deletions`).
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    {
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "sur",
        "pour",
        "par",
        "the",
        "of",
        "and",
    }
)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_COMBINING = re.compile("[\u0300-\u036f]+")


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation and hyphens as single spaces.

    >>> normalise("Pôle-Emploi, « Châtellerault » N°1076")
    'pole emploi chatellerault n 1076'
    """
    if not text.isascii():  # accents go, other signs (°, «, ’) become spaces
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_LIGATURES)))
        text = text.encode("ascii", "replace").decode("ascii")
    return _NON_WORD.sub(" ", text.lower()).strip()


def compact(text: str) -> str:
    """The normalised text without spaces, as identifiers are matched.

    >>> compact("N° 1076")
    'n1076'
    """
    return normalise(text).replace(" ", "")


def words(text: str) -> list[str]:
    """The words of a text that carry meaning (stop words dropped, unless there are only those).

    >>> words("Territoires d'industrie")
    ['territoires', 'industrie']
    """
    return meaningful(normalise(text).split())


def meaningful(tokens: list[str]) -> list[str]:
    """``tokens`` without stop words, unless there are only those."""
    kept = [t for t in tokens if t not in STOPWORDS]
    return kept or tokens


def deletions(word: str, depth: int = 1) -> set[str]:
    """The strings made by deleting up to ``depth`` characters of ``word``.

    >>> sorted(deletions("abc"))
    ['ab', 'ac', 'bc']
    """
    found: set[str] = set()
    layer = {word}
    for _ in range(depth):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        found |= layer
    return found
