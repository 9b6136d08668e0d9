"""Answers made comparable across engines: what SPARQL leaves open is normalised, nothing else.

* Blank node labels are local to an answer: every blank node becomes ``_:``.
* The order of the values inside a ``GROUP_CONCAT`` is not defined by SPARQL, nor is the
  language of its result: such a cell becomes the sorted tuple of its non-empty parts.
* Row order is only compared where ``ORDER BY`` fixes it: on the variables the ``ORDER BY``
  mentions (rows that tie on them may come in any order).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pyoxigraph as ox

from tdi_graph.queries import NamedQuery

_SEPARATOR = re.compile(r'separator\s*=\s*"(?P<sep>[^"]*)"', re.IGNORECASE)
_AS = re.compile(r"\s*AS\s+\?(?P<var>\w+)", re.IGNORECASE)
_VAR = re.compile(r"[?$](\w+)")
_PASSED_ON = re.compile(
    r"(?:SAMPLE|MIN|MAX)\s*\(\s*(?:DISTINCT\s+)?\?(?P<source>\w+)\s*\)\s*AS\s+\?(?P<var>\w+)",
    re.IGNORECASE,
)


def _body(text: str) -> str:
    """The query without its comment lines (the ``#+`` header)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def concat_vars(query: NamedQuery) -> dict[str, str]:
    """The variables a ``GROUP_CONCAT`` binds, with their separators."""
    text = _body(query.text)
    out = {}
    for match in re.finditer(r"GROUP_CONCAT\s*\(", text, re.IGNORECASE):
        depth, i = 1, match.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        alias = _AS.match(text, i)
        if alias:
            sep = _SEPARATOR.search(text[match.end() : i])
            out[alias.group("var")] = sep.group("sep") if sep else " "
    for match in _PASSED_ON.finditer(text):  # (SAMPLE(?names) AS ?signed): still a concatenation
        if match.group("source") in out:
            out[match.group("var")] = out[match.group("source")]
    return out


def order_vars(query: NamedQuery) -> list[str]:
    """The variables the final ``ORDER BY`` mentions (empty if the query has none)."""
    text = _body(query.text)
    at = text.upper().rfind("ORDER BY")
    if at < 0 or "}" in text[at:]:
        return []
    clause = re.split(r"\b(?:LIMIT|OFFSET)\b", text[at + 8 :], flags=re.IGNORECASE)[0]
    return list(dict.fromkeys(_VAR.findall(clause)))


def _cell(term: ox.Term | None, separator: str | None) -> Any:
    if separator is not None:
        text = "" if term is None else term.value
        parts = text.split(separator) if separator.strip() else text.split()
        return ("concat", tuple(sorted(p.strip() for p in parts if p.strip())))
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    return str(term)


def comparable(query: NamedQuery, answer: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The variables and rows of an answer as comparable cells (a boolean, sorted triples)."""
    if isinstance(answer, ox.QueryBoolean):
        return ["boolean"], [(bool(answer),)]
    if isinstance(answer, ox.QueryTriples):
        triples = sorted(
            " ".join("_:" if isinstance(t, ox.BlankNode) else str(t) for t in triple)
            for triple in answer
        )
        return ["triple"], [(t,) for t in triples]
    concat = concat_vars(query)
    names = [v.value for v in answer.variables]
    return names, [tuple(_cell(row[n], concat.get(n)) for n in names) for row in answer]


def differences(query: NamedQuery, expected: Any, found: Any) -> list[str]:
    """What differs between two answers to ``query`` (empty when they are the same)."""
    names, rows_a = comparable(query, expected)
    names_b, rows_b = comparable(query, found)
    problems = []
    if names != names_b:
        return [f"variables {names} != {names_b}"]
    if Counter(rows_a) != Counter(rows_b):
        extra = list((Counter(rows_b) - Counter(rows_a)).elements())[:2]
        missing = list((Counter(rows_a) - Counter(rows_b)).elements())[:2]
        problems.append(
            f"rows differ ({len(rows_a)} vs {len(rows_b)}): missing {missing}, extra {extra}"
        )
    keys = [names.index(v) for v in order_vars(query) if v in names]
    if keys and not problems:
        seq_a = [tuple(r[k] for k in keys) for r in rows_a]
        seq_b = [tuple(r[k] for k in keys) for r in rows_b]
        if seq_a != seq_b:
            at = next(i for i, (a, b) in enumerate(zip(seq_a, seq_b, strict=False)) if a != b)
            problems.append(f"ORDER BY order differs at row {at}: {seq_a[at]} vs {seq_b[at]}")
    return problems
