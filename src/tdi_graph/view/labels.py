"""Which label to show, and an excerpt as the text reads: the read model's text rules."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

#: rank of a label's language: French, then none, then English, then the others.
LABEL_LANGUAGES = {"fr": 0, "": 1, "en": 2}
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def pick_label(labels: Iterable[tuple[str, str]]) -> str | None:
    """The label to show among ``(text, language)`` pairs: French, then none, then English
    (then the others), the smallest text first among equals.

    >>> pick_label([("Region", "en"), ("Région", "fr")])
    'Région'
    >>> pick_label([("b", ""), ("a", "")])
    'a'
    """
    rank = LABEL_LANGUAGES
    best = min(labels, key=lambda x: (rank.get(x[1].split("-")[0], 3), x[0]), default=None)
    return best[0] if best else None


def literal_label(terms: Iterable[Any]) -> str | None:
    """:func:`pick_label` over literal terms (others are ignored)."""
    return pick_label((t.value, t.language or "") for t in terms if isinstance(t, ox.Literal))


def clean_excerpt(text: str) -> str:
    """An excerpt as the text reads: markup stripped, entities decoded, spaces collapsed.

    >>> clean_excerpt("la 1<sup>ère</sup> vague&nbsp;de  contrats")
    'la 1ère vague de contrats'
    """
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub("", text))
    return _SPACES.sub(" ", text).strip()
