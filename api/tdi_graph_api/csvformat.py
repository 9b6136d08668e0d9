"""``?format=csv`` on every ``/api`` list answer and named query: one implementation.

A pure ASGI middleware: on ``/api/*`` (not ``/api/network``, whose ``format`` picks a graph
format), ``format=csv`` is taken off the query string, the route answers its JSON as usual, and
a 200 JSON answer with a list (``items``, or ``results`` for the search) becomes CSV, one row per
item. Nested objects become dotted columns (``agreement.id``, ``agreement.label``,
``amount.value``); lists are joined with `` | `` (their ids, else labels). A named query keeps
the order of its ``variables``. Errors stay JSON; ``format=json`` is the JSON answer.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

from tdi_graph_api.errors import error_response

Scope = dict[str, Any]
LIST_KEYS = ("items", "results")
SKIP = ("/api/network",)
JOIN = " | "


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return str(value.get("id") or value.get("label") or orjson.dumps(value).decode())
    return str(value)


def flatten(item: Any, prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    """One CSV row for a JSON item: dotted keys for nested objects, lists joined."""
    out = {} if out is None else out
    if isinstance(item, dict):
        for key, value in item.items():
            flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(item, list):
        out[prefix] = JOIN.join(_cell(v) for v in item)
    else:
        out[prefix or "value"] = _cell(item)
    return out


def to_csv(data: dict[str, Any]) -> bytes | None:
    """The CSV of a list answer, or ``None`` when ``data`` holds no list of items."""
    key = next((k for k in LIST_KEYS if isinstance(data.get(k), list)), None)
    if key is None:
        return None
    rows = [flatten(item) for item in data[key]]
    columns: dict[str, None] = dict.fromkeys(data.get("variables") or ())
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


class CsvFormat:
    """Answer ``?format=csv`` on the JSON list routes of ``/api`` as CSV."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path.startswith(SKIP):
            await self.app(scope, receive, send)
            return
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        asked = [v for k, v in pairs if k == "format"]
        if not asked:
            await self.app(scope, receive, send)
            return
        rest = urlencode([(k, v) for k, v in pairs if k != "format"]).encode("latin-1")
        inner = {**scope, "query_string": rest}
        if set(asked) == {"json"}:
            await self.app(inner, receive, send)
            return
        if set(asked) != {"csv"}:
            refusal = error_response(
                400, "bad_request", f"format must be csv or json, not {asked[-1]!r}"
            )
            await refusal(scope, receive, send)
            return
        await self._as_csv(inner, receive, send, path.rstrip("/").rsplit("/", 1)[-1])

    async def _as_csv(self, scope: Scope, receive: Any, send: Any, name: str) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        headers = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
        media = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
        body = b"".join(chunks)
        table = None
        if start.get("status") == 200 and media.startswith(b"application/json"):
            table = to_csv(orjson.loads(body))
            if table is None:
                refusal = error_response(
                    400, "bad_request", "this answer is not a list: no CSV form"
                )
                await refusal(scope, receive, send)
                return
        if table is None:  # an error (or not JSON): as it is
            await send(
                {**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        drop = {b"content-type", b"etag"}
        headers = [(k, v) for k, v in headers if k.lower() not in drop]
        headers += [
            (b"content-type", b"text/csv; charset=utf-8"),
            (b"content-disposition", f'inline; filename="{name}.csv"'.encode()),
            (b"content-length", str(len(table)).encode()),
        ]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": table})
