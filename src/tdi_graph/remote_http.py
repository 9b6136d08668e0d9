"""HTTP to a remote SPARQL engine: credentials from the settings, and the project's errors for
what goes wrong (503 an engine that does not answer, 504 a slow one, 502 an engine's error),
never echoing a credential."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx

from tdi_graph.errors import EngineError, EngineTimeout, EngineUnavailable, QuerySyntaxError
from tdi_graph.sparql import MESSAGE_MAX

if TYPE_CHECKING:
    from tdi_graph.settings import Settings


def engine_auth(settings: Settings) -> httpx.Auth | None:
    """The credentials of the settings as an ``httpx`` auth (digest or basic), or ``None``."""
    if not settings.sparql_user or settings.sparql_password is None:
        return None
    password = settings.sparql_password.get_secret_value()
    if settings.sparql_auth == "digest":
        return httpx.DigestAuth(settings.sparql_user, password)
    return httpx.BasicAuth(settings.sparql_user, password)


def safe_url(url: str) -> str:
    """The URL without user info, query string nor fragment (what a message may show).

    >>> safe_url("http://dba:secret@127.0.0.1:8890/sparql-graph-crud-auth?graph-uri=x")
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    """
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _secrets(auth: httpx.Auth | None) -> list[str]:
    """The secret strings an auth holds, to scrub them from any message."""
    found = []
    for name in ("_password", "password"):
        value = getattr(auth, name, None)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value:
            found.append(value)
    header = getattr(auth, "_auth_header", None)
    if isinstance(header, str):
        found.append(header)
    return found


def scrub(text: str, auth: httpx.Auth | None) -> str:
    """``text`` with every secret of ``auth`` replaced by ``***``."""
    for secret in _secrets(auth):
        text = text.replace(secret, "***")
    return text


@contextmanager
def http_errors(url: str, auth: httpx.Auth | None = None) -> Iterator[None]:
    """Map ``httpx`` transport errors to the project's errors (503 down, 504 slow)."""
    where = safe_url(url)
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise EngineUnavailable(
            scrub(f"the SPARQL engine at {where} does not answer ({type(exc).__name__})", auth)
        ) from None
    except httpx.TimeoutException as exc:
        raise EngineTimeout(
            f"the SPARQL engine at {where} did not answer in time ({type(exc).__name__}): "
            "make the query more selective or raise TDI_QUERY_TIMEOUT"
        ) from None
    except httpx.TransportError as exc:
        raise EngineUnavailable(
            scrub(f"the SPARQL engine at {where} failed: {type(exc).__name__}", auth)
        ) from None


def check_response(response: httpx.Response, auth: httpx.Auth | None = None) -> None:
    """Raise the project's error for an engine's non-2xx answer (never echoing credentials)."""
    if response.is_success:
        return
    where = safe_url(str(response.request.url))
    if response.status_code in (401, 403):
        raise EngineError(
            f"the SPARQL engine at {where} refused the credentials ({response.status_code}): "
            "check TDI_SPARQL_USER and TDI_SPARQL_PASSWORD"
        )
    body = scrub(" ".join(response.text.split()), auth)
    if len(body) > MESSAGE_MAX:
        body = body[:MESSAGE_MAX] + "…"
    if response.status_code == 400:
        raise QuerySyntaxError(f"the SPARQL engine refused the query: {body}")
    raise EngineError(f"the SPARQL engine at {where} answered {response.status_code}: {body}")
