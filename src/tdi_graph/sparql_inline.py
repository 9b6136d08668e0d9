"""Parameters of a named query written into its text, so that the planner sees constants.

pyoxigraph binds ``substitutions=`` as an extra solution the query is joined with, and its
planner does not push that binding into the branches of a ``UNION`` or an ``OPTIONAL``: on
1 M triples ``entity-sources`` takes 220 ms that way, each branch scanning every entity, and
0.6 ms with the entity's IRI written in the patterns (``bench/RESULTS.md``). :func:`inline`
writes each bound parameter's term in place of the variable inside the query's groups, and
keeps the variable where the query names it outside them (its projection, ``GROUP BY``,
``ORDER BY``), bound there by a trailing ``VALUES`` so that the answer has the same columns
and rows as with substitutions.

The terms come from :meth:`tdi_graph.queries.Param.bind` (pyoxigraph's own N-Triples writing of
an IRI or a literal, never the raw text), so a value cannot change the query's shape. Where
writing the term in would change its meaning or its syntax, :func:`inline` answers ``None`` and
the caller keeps substitutions: the variable is assigned (``AS ?x``, a ``VALUES`` list), tested
(``BOUND``) or scoped by a sub-query, or the query already ends with a ``VALUES`` block.
"""

from __future__ import annotations

from functools import lru_cache

from tdi_graph.rdftypes import Term
from tdi_graph.sparql_lexer import _KIND, _TOKEN


def inline(query: str, values: dict[str, Term]) -> str | None:
    """``query`` with the ``values`` written in, or ``None`` if they cannot be.

    >>> import pyoxigraph as ox
    >>> print(inline("SELECT ?e ?n { ?e <http://e/n> ?n } ORDER BY ?e", {"e": ox.NamedNode("e:a")}))
    SELECT ?e ?n { <e:a> <http://e/n> ?n } ORDER BY ?e
    VALUES (?e) { (<e:a>) }
    <BLANKLINE>
    >>> inline("SELECT ?e WHERE { BIND(1 AS ?e) }", {"e": ox.Literal("1")}) is None
    True
    """
    if not values:
        return query
    places = _places(query, frozenset(values))
    if places is None:
        return None
    pieces, last = [], 0
    for start, end, name in places:
        pieces += [query[last:start], str(values[name])]
        last = end
    names = " ".join(f"?{name}" for name in values)
    terms = " ".join(str(term) for term in values.values())
    return f"{''.join(pieces)}{query[last:].rstrip()}\nVALUES ({names}) {{ ({terms}) }}\n"


@lru_cache(maxsize=512)
def _places(query: str, names: frozenset[str]) -> tuple[tuple[int, int, str], ...] | None:
    """Where the variables ``names`` are to be replaced (start, end, name), read once per
    query and set of names; ``None`` if one of them cannot be."""
    places: list[tuple[int, int, str]] = []
    depth = 0
    sub_select: int | None = None  # the depth of the group that holds a sub-query, inside it
    previous = ""  # the previous keyword, upper-cased ('' after any other token)
    bound_arg = in_values = False  # right after ``BOUND(``; in a VALUES variable list
    for match in _TOKEN.finditer(query):
        kind = _KIND[match.lastgroup or ""]
        if kind in ("space", "comment"):
            continue
        run = match.group()
        if kind == "open" and run == "(" and previous == "BOUND":
            bound_arg, previous = True, ""
            continue
        if kind == "open" and run == "{":
            depth += 1
            in_values = False
        elif kind == "close" and run == "}":
            depth -= 1
            if sub_select is not None and depth < sub_select:
                sub_select = None
        elif kind == "name" and ":" not in run:
            previous = run.upper()
            if previous == "SELECT" and depth > 0 and sub_select is None:
                sub_select = depth
            elif previous == "VALUES":
                if depth == 0:
                    return None  # a trailing VALUES block already
                in_values = True
            continue
        elif kind == "var" and run[1:] in names:
            if previous == "AS" or in_values or bound_arg or sub_select is not None:
                return None
            if depth > 0:
                places.append((match.start(), match.end(), run[1:]))
        bound_arg, previous = False, ""
    return tuple(places)
