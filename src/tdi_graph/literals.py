"""Ill-typed literals: a lexical form its XSD datatype does not allow (``"2019-13-45"^^xsd:date``).

pyoxigraph parses and stores an ill-typed literal without a word (RDF allows it), and SPARQL
then treats it as an unknown value: a date filter silently drops it. The validating load finds
it through SHACL (``sh:datatype``); ``tdi-graph load --no-validate`` checks the curated files
with this module instead, in a few milliseconds, and refuses the first one with its file and
line. The datatypes checked are the XSD ones the data uses; others pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.errors import DataError

XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda text: compiled.fullmatch(text) is not None


def _calendar(regex: str) -> Callable[[str], bool]:
    """A date form: the pattern, then a day that exists (29 February in leap years only)."""
    compiled = re.compile(regex)

    def valid(text: str) -> bool:
        match = compiled.fullmatch(text)
        if match is None:
            return False
        year, month, day = (int(match.group(g) or 1) for g in ("y", "m", "d"))
        try:  # years outside 1..9999 are checked on a leap-equivalent year
            dt.date(year if 1 <= year <= 9999 else 2000 + year % 400, month, day)
        except ValueError:
            return False
        return True

    return valid


_DATE = rf"(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>\d\d)"
_TIME = r"(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?|24:00:00(?:\.0+)?)"
_INTEGER = r"[+-]?\d+"
_DECIMAL = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"

#: datatype IRI -> whether a lexical form is valid
VALID: dict[str, Callable[[str], bool]] = {
    XSD + "date": _calendar(_DATE + _TZ),
    XSD + "dateTime": _calendar(rf"{_DATE}T{_TIME}{_TZ}"),
    XSD + "gYear": _pattern(_YEAR + _TZ),
    XSD + "gYearMonth": _calendar(rf"(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])(?P<d>){_TZ}"),
    XSD + "integer": _pattern(_INTEGER),
    XSD + "int": _pattern(_INTEGER),
    XSD + "long": _pattern(_INTEGER),
    XSD + "nonNegativeInteger": _pattern(r"\+?\d+|-0+"),
    XSD + "positiveInteger": _pattern(r"\+?0*[1-9]\d*"),
    XSD + "decimal": _pattern(_DECIMAL),
    XSD + "double": _pattern(rf"(?:{_DECIMAL})(?:[eE][+-]?\d+)?|[+-]?INF|NaN"),
    XSD + "float": _pattern(rf"(?:{_DECIMAL})(?:[eE][+-]?\d+)?|[+-]?INF|NaN"),
    XSD + "boolean": _pattern(r"true|false|1|0"),
    XSD + "duration": _pattern(
        r"-?P(?=.)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=.)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
    ),
}


def is_ill_typed(literal: ox.Literal) -> bool:
    """Whether ``literal``'s lexical form is not one its datatype allows.

    >>> date = ox.NamedNode(XSD + "date")
    >>> is_ill_typed(ox.Literal("2019-13-45", datatype=date))
    True
    >>> is_ill_typed(ox.Literal("2020-02-29", datatype=date))
    False
    >>> is_ill_typed(ox.Literal("2019-02-29", datatype=date))
    True
    """
    valid = VALID.get(literal.datatype.value)
    return valid is not None and not valid(literal.value)


def ill_typed(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads whose object is an ill-typed literal."""
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal) and obj.datatype.value in VALID and is_ill_typed(obj):
            yield quad


def _line(path: Path, literal: ox.Literal) -> int | None:
    """The first line of ``path`` that writes ``literal``'s lexical form as a quoted string."""
    quoted = (f'"{literal.value}"', f"'{literal.value}'")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        if any(q in line for q in quoted):
            return number
    return None


def check_files(parsed: Iterable[tuple[Path, list[ox.Quad]]]) -> None:
    """Refuse the first ill-typed literal of the parsed files, naming file and line.

    :raises DataError: ``FILE:LINE: "2019-13-45"^^xsd:date is not a valid xsd:date (...)``.
    """
    for path, quads in parsed:
        for quad in ill_typed(quads):
            literal = quad.object
            assert isinstance(literal, ox.Literal)
            name = literal.datatype.value.replace(XSD, "xsd:")
            line = _line(path, literal)
            raise DataError(
                f'{path}{f":{line}" if line else ""}: "{literal.value}"^^{name} is not a valid '
                f"{name} (subject {quad.subject}, property {quad.predicate})"
            )
