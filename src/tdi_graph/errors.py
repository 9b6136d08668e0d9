"""The library's exceptions. Each carries the HTTP status the API maps it to."""

from __future__ import annotations


class TdiError(Exception):
    """Base of every error the project raises on purpose."""

    status: int = 500
    code: str = "internal_error"
    #: seconds after which a client may try again (a ``Retry-After`` header), if it may
    retry_after: int | None = None

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if retry_after is not None:
            self.retry_after = retry_after


class NotFound(TdiError):
    status = 404
    code = "not_found"


class BadRequest(TdiError):
    status = 400
    code = "bad_request"


class QuerySyntaxError(BadRequest):
    code = "query_syntax_error"


class QueryRefused(BadRequest):
    """A query the endpoint will not run (update, SERVICE...)."""

    code = "query_refused"


class QueryTooDeep(BadRequest):
    """A query nested deeper than the parser can take."""

    code = "query_too_deep"


class QueryTooComplex(BadRequest):
    """A query with more patterns or operators than pyoxigraph's planner and its recursive
    walks of the algebra can take (flat chains: no nesting, but a deep tree)."""

    code = "query_too_complex"


class ServiceRefused(QueryRefused):
    """A federated query (``SERVICE``) on an endpoint that makes no outside calls."""


class QueryTimeout(TdiError):
    status = 503
    code = "query_timeout"


class Busy(TdiError):
    """No query worker free in time, or too many long queries running: try again later."""

    status = 503
    code = "busy"
    retry_after = 2


class TooManyRequests(TdiError):
    """One client already has as many queries running or waiting as it may."""

    status = 429
    code = "too_many_requests"
    retry_after = 1


class WorkerDied(TdiError):
    """The worker evaluating a query died (killed, crashed) twice: refused, not a 500."""

    status = 503
    code = "worker_died"
    retry_after = 2


class TooManyResults(TdiError):
    status = 507
    code = "too_many_results"


class OutOfMemory(TdiError):
    """A query that needed more memory than its worker may use."""

    status = 507
    code = "out_of_memory"


class DataError(TdiError):
    """A broken data file: the message names the file and the line."""

    status = 500
    code = "data_error"


class ValidationFailed(TdiError):
    status = 500
    code = "validation_failed"


class StoreMissing(TdiError):
    status = 503
    code = "store_missing"


# --- builds (tdi_graph.store) ------------------------------------------------------------------


class BuildDamaged(StoreMissing):
    """A build that does not match its manifest (truncated, corrupt, files missing)."""

    code = "build_damaged"


class StoreWriteFailed(TdiError):
    """The store directory cannot be written (full disk, read-only, no permission)."""

    status = 500
    code = "store_write_failed"


# --- remote engine (remote): a SPARQL engine reached over HTTP ---------------------------------


class EngineUnavailable(TdiError):
    """The remote SPARQL engine does not answer (connection refused, unreachable)."""

    status = 503
    code = "engine_unavailable"


class EngineTimeout(TdiError):
    """The remote SPARQL engine did not answer within the client timeout."""

    status = 504
    code = "engine_timeout"


class EngineError(TdiError):
    """The remote SPARQL engine answered with an error or an answer that does not parse."""

    status = 502
    code = "engine_error"


class PublishFailed(TdiError):
    """A graph on the engine does not hold what the build holds after a publish."""

    status = 500
    code = "publish_failed"
