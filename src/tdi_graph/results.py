"""Turning pyoxigraph query results into plain Python values, tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox

from tdi_graph.namespaces import PREFIXES
from tdi_graph.rdftypes import Term, value_of

XSD = PREFIXES["xsd"]
_INTEGER = {XSD + t for t in ("integer", "int", "long", "nonNegativeInteger", "short")}
_DECIMAL = {XSD + t for t in ("decimal", "double", "float")}


def term_value(term: Term | None) -> Any:
    """A JSON value: IRIs and strings as ``str``, numbers as numbers, ``None`` if unbound."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dtype = term.datatype.value
        try:
            if dtype in _INTEGER:
                return int(term.value)
            if dtype in _DECIMAL:
                number = float(term.value)
                return int(number) if number.is_integer() and dtype == XSD + "decimal" else number
            if dtype == XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return value_of(term)


def rows(solutions: ox.QuerySolutions) -> tuple[list[str], list[dict[str, Any]]]:
    """Variable names and one dict per solution (:func:`tdi_graph.view.rows.plain`)."""
    from tdi_graph.view.rows import plain

    return plain(solutions)


def to_json(names: list[str], data: list[dict[str, Any]]) -> str:
    return json.dumps({"variables": names, "rows": data}, ensure_ascii=False, indent=2)


def to_csv(names: list[str], data: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in data)
    return buffer.getvalue()


def to_table(names: list[str], data: list[dict[str, Any]], max_width: int = 60) -> str:
    """A plain-text table for the terminal."""

    def cell(v: Any) -> str:
        text = "" if v is None else str(v)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(row[n]) for n in names] for row in data]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(data)} row{'s' if len(data) != 1 else ''})")
    return "\n".join(out)
