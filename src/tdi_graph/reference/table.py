"""A checked CSV reader: each record knows its file and line, and its accessors check values.

Every check that fails raises :class:`~tdi_graph.errors.DataError` with ``FILE:LINE: what is
wrong``. (A pydantic model per file would check the same, at about twice the time for the 37,590
commune rows, and the converters read cross-file lookups that a row model cannot see.)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from tdi_graph.errors import DataError

T = TypeVar("T")


class Row(dict[str, str]):
    """One CSV record that knows where it comes from, with checked accessors.

    >>> row = Row(code="25547", pop=" 4 000 ", cps="25600|25601")
    >>> row.path, row.line = Path("communes.csv"), 7
    >>> row.code("code"), row.codes("cps")
    ('25547', ['25600', '25601'])
    >>> row.integer("pop")
    Traceback (most recent call last):
    ...
    tdi_graph.errors.DataError: communes.csv:7: pop is not an integer: '4 000'
    """

    __slots__ = ("path", "line")

    path: Path
    line: int

    def error(self, message: str) -> DataError:
        """A :class:`DataError` pointing at this row."""
        return DataError(f"{self.path}:{self.line}: {message}")

    def opt(self, column: str) -> str:
        """The value of ``column``, stripped (also of non-breaking spaces); may be empty."""
        return self[column].strip()

    def req(self, column: str) -> str:
        """The value of ``column``; an empty value is an error."""
        value = self[column].strip()
        if not value:
            raise self.error(f"empty {column}")
        return value

    def integer(self, column: str) -> int:
        """The value of ``column`` as an integer."""
        value = self[column].strip()
        try:
            return int(value)
        except ValueError:
            raise self.error(f"{column} is not an integer: {value!r}") from None

    def opt_integer(self, column: str) -> int | None:
        """The value of ``column`` as an integer, ``None`` if empty."""
        return self.integer(column) if self[column].strip() else None

    def code(self, column: str) -> str:
        """An official code (INSEE, ANCT...): ASCII letters and digits, so it fits in an IRI."""
        value = self.req(column)
        if not (value.isascii() and value.isalnum()):
            raise self.error(f"{column} is not a code of ASCII letters and digits: {value!r}")
        return value

    def siren(self, column: str, required: bool = True) -> str:
        """A 9-digit SIREN number (``""`` if empty and not required)."""
        value = self.req(column) if required else self.opt(column)
        if value and not (len(value) == 9 and value.isascii() and value.isdigit()):
            raise self.error(f"{column} is not a 9-digit SIREN: {value!r}")
        return value

    def codes(self, column: str) -> list[str]:
        """The ``|``-separated values of ``column``."""
        value = self[column]
        if "|" not in value:  # the usual case, kept fast
            value = value.strip()
            return [value] if value else []
        return [v for v in (p.strip() for p in value.split("|")) if v]

    def lookup(self, table: Mapping[str, T], column: str, what: str, value: str = "") -> T:
        """The node of ``value`` (default: the column's value) in ``table``; unknown is an error."""
        key = value or self.req(column)
        try:
            return table[key]
        except KeyError:
            raise self.error(f"{column} {key!r} is not a known {what}") from None


def read_table(path: Path, columns: Iterable[str]) -> list[Row]:
    """The records of a UTF-8 CSV file with a header holding at least ``columns``."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return records(path, f, list(columns))
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from None


def records(path: Path, lines: Iterable[str], columns: list[str]) -> list[Row]:
    """The records of CSV ``lines`` read from ``path`` (named in the errors).

    >>> [dict(r) for r in records(Path("x.csv"), ["a,b", "1,2", "", "3,4"], ["a"])]
    [{'a': '1', 'b': '2'}, {'a': '3', 'b': '4'}]
    >>> records(Path("x.csv"), ["a,b", "1,2,3"], ["a"])
    Traceback (most recent call last):
    ...
    tdi_graph.errors.DataError: x.csv:2: 3 fields, the header has 2
    """
    reader = csv.reader(lines)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        if not header:
            raise DataError(f"{path}:1: no header row")
        if len(set(header)) != len(header):
            raise DataError(f"{path}:1: a column name appears twice")
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
        width, rows = len(header), []
        for fields in reader:
            if not fields:  # a blank line
                continue
            if len(fields) != width:
                raise DataError(
                    f"{path}:{reader.line_num}: {len(fields)} fields, the header has {width}"
                )
            row = Row(zip(header, fields, strict=True))
            row.path, row.line = path, reader.line_num
            rows.append(row)
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}:{reader.line_num + 1}: not UTF-8 ({exc.reason})") from None
    return rows


def unique(table: dict[str, T], key: str, value: T, row: Row, what: str) -> None:
    """Add ``key`` to ``table``; a key seen before is an error of ``row``."""
    if key in table:
        raise row.error(f"duplicate {what} {key!r}")
    table[key] = value
