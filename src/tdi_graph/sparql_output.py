"""Writing an answer under the row and byte caps: pyoxigraph's serializers behind counting
writers (rows are counted on TSV or N-Triples, then converted to the format asked for).
"""

from __future__ import annotations

import io
import tempfile
from typing import IO, Any, cast

import pyoxigraph as ox

from tdi_graph.conneg import Format
from tdi_graph.errors import TooManyResults
from tdi_graph.namespaces import PREFIXES

INLINE_MAX = 256 * 1024  # answers up to this size travel inside the worker's reply


class _LineCounter(io.RawIOBase):
    """A writable file that counts lines and stops the serializer past ``limit``."""

    def __init__(self, target: IO[bytes], limit: int, max_rows: int) -> None:
        super().__init__()
        self.target, self.limit, self.max_rows, self.lines = target, limit, max_rows, 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise TooManyResults(
                f"the answer has more than {self.max_rows:,} rows (TDI_MAX_RESULT_ROWS): "
                "add a LIMIT or make the query more selective"
            )
        self.target.write(chunk)
        return len(chunk)


def spool() -> IO[bytes]:
    """A temporary file kept in memory up to :data:`INLINE_MAX` bytes."""
    return tempfile.SpooledTemporaryFile(max_size=INLINE_MAX)


class _ByteCounter(io.RawIOBase):
    """A writable file that stops the serializer once the answer passes ``limit`` bytes."""

    def __init__(self, target: IO[bytes], limit: int) -> None:
        super().__init__()
        self.target, self.limit, self.size = target, limit, 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooManyResults(
                f"the answer is larger than {self.limit:,} bytes (TDI_MAX_ANSWER_BYTES): "
                "add a LIMIT or select fewer or shorter values"
            )
        self.target.write(chunk)
        return len(chunk)


def _lines_cap(target: IO[bytes], limit: int, max_rows: int) -> IO[bytes]:
    """``target`` behind a :class:`_LineCounter` (a file as the serializers take one)."""
    return cast(IO[bytes], _LineCounter(target, limit, max_rows))


def _bytes_cap(target: IO[bytes], limit: int) -> IO[bytes]:
    """``target`` behind a :class:`_ByteCounter`."""
    return cast(IO[bytes], _ByteCounter(target, limit))


def serialize(result: Any, fmt: Format, final: IO[bytes], max_rows: int, max_bytes: int) -> None:
    """Write ``result`` to ``final`` in ``fmt``; :class:`TooManyResults` past ``max_rows``
    rows or ``max_bytes`` bytes (pyoxigraph's serializers, behind counting writers)."""
    out = _bytes_cap(final, max_bytes)
    if isinstance(result, ox.QueryBoolean):
        result.serialize(out, format=fmt.results)
    elif isinstance(result, ox.QuerySolutions):
        tsv = ox.QueryResultsFormat.TSV
        if fmt.name == "tsv":
            result.serialize(_lines_cap(out, max_rows + 1, max_rows), format=tsv)
            return
        with spool() as lines_file:
            lines = _bytes_cap(lines_file, max_bytes)
            result.serialize(_lines_cap(lines, max_rows + 1, max_rows), format=tsv)
            lines_file.seek(0)
            parsed = ox.parse_query_results(lines_file, format=tsv)
            parsed.serialize(out, format=fmt.results)
    else:
        nt = ox.RdfFormat.N_TRIPLES
        if fmt.name == "ntriples":
            ox.serialize(result, _lines_cap(out, max_rows, max_rows), format=nt)
            return
        with spool() as lines_file:
            lines = _bytes_cap(lines_file, max_bytes)
            ox.serialize(result, _lines_cap(lines, max_rows, max_rows), format=nt)
            lines_file.seek(0)
            quads = ox.parse(lines_file, format=nt)
            rdf = fmt.rdf
            assert rdf is not None
            source = quads if rdf.supports_datasets else (q.triple for q in quads)
            prefixes = PREFIXES if fmt.name in ("turtle", "trig", "rdfxml") else None
            ox.serialize(source, out, format=rdf, prefixes=prefixes)
