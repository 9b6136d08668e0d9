"""The one rows helper: the solutions of a named query as :class:`Row` objects.

A :class:`Row` gives each SELECT variable as a term (``row["x"]``), an IRI (``row.iri("x")``),
a plain JSON value (``row.value("x")``), a lexical form (``row.text("x")``) or the IRIs of a
space-separated ``GROUP_CONCAT`` cell (``row.iris("x")``); ``row.as_dict()`` gives them all as
plain values. Parameters are bound by :mod:`tdi_graph.queries`, never by string formatting.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import DataError
from tdi_graph.results import term_value


class Row:
    """One solution, by variable name."""

    __slots__ = ("_index", "_terms")

    def __init__(self, index: Mapping[str, int], terms: tuple[Any, ...]) -> None:
        self._index = index
        self._terms = terms

    def __getitem__(self, name: str) -> Any:
        """The term bound to ``name`` (``None`` if unbound)."""
        return self._terms[self._index[name]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __repr__(self) -> str:
        return f"Row({self.as_dict()!r})"

    def iri(self, name: str) -> str | None:
        """The IRI bound to ``name``, ``None`` if unbound or not an IRI."""
        term = self[name]
        return term.value if isinstance(term, ox.NamedNode) else None

    def text(self, name: str) -> str | None:
        """The lexical form (or IRI) bound to ``name``."""
        term = self[name]
        return None if term is None else term.value

    def value(self, name: str) -> Any:
        """The plain JSON value bound to ``name`` (numbers as numbers)."""
        return term_value(self[name])

    def iris(self, name: str) -> list[str]:
        """The IRIs of a space-separated ``GROUP_CONCAT`` cell, sorted (empty if unbound): the
        concatenation's order is undefined (SPARQL 1.1, 18.5.1.7) and differs between runs."""
        term = self[name]
        return sorted(term.value.split()) if term is not None and term.value else []

    def texts(self) -> tuple[str | None, ...]:
        """Every variable's lexical form (or IRI), in SELECT order (``None`` if unbound)."""
        return tuple(None if t is None else t.value for t in self._terms)

    def as_dict(self) -> dict[str, Any]:
        """Every variable as a plain value."""
        return {n: term_value(self._terms[i]) for n, i in self._index.items()}


def solutions_rows(solutions: ox.QuerySolutions, columns: str | None = None) -> Iterator[Row]:
    """Rows of query solutions; with ``columns`` (space-separated), check the SELECT order."""
    names = tuple(v.value for v in solutions.variables)
    if columns is not None and names != tuple(columns.split()):
        raise DataError(f"the query selects {names}, the code expects {columns!r}")
    index = {n: i for i, n in enumerate(names)}
    for solution in solutions:
        yield Row(index, tuple(solution))


def select(
    store: ox.Store, name: str, *, columns: str | None = None, **params: str | None
) -> list[Row]:
    """The rows of the named SELECT query ``name``; parameters given as ``None`` are left out
    (they then match everything). ``columns`` checks the variables the code relies on."""
    given = {k: v for k, v in params.items() if v is not None}
    answer = queries.run(store, queries.get_query(name), given)
    if not isinstance(answer, ox.QuerySolutions):
        raise DataError(f"query {name!r} is not a SELECT query")
    try:
        return list(solutions_rows(answer, columns))
    except DataError as exc:
        raise DataError(f"query {name!r}: {exc}") from None


def plain(solutions: ox.QuerySolutions) -> tuple[list[str], list[dict[str, Any]]]:
    """Variable names and one dict of plain values per solution (for tables, JSON, CSV)."""
    names = [v.value for v in solutions.variables]
    return names, [row.as_dict() for row in solutions_rows(solutions)]
