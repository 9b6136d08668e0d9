"""Killable worker processes that evaluate SPARQL queries, forked from the server by a zygote.

:class:`WorkerPool` answers a :class:`~tdi_graph.sparql.QueryRequest` with an
:class:`~tdi_graph.sparql.Answer` by running :func:`~tdi_graph.sparql.evaluate` in a worker.

Why worker processes forked from the server (measured on the 2-core build machine, shared with
other jobs, on the project's store of 461 k quads; pyoxigraph and oxigraph 0.5.13):

* pyoxigraph cannot interrupt ``Store.query``: a thread cannot stop it; only killing the process
  that runs it frees the CPU.
* ``oxigraph serve-read-only --timeout-s 2`` is no time limit for us: a streaming cross product
  came back as a ``200`` cut off after 3.5 s (119 MB, the client cannot tell it is truncated);
  ``ORDER BY`` or ``COUNT(*)`` over a cross product got no answer in 15 s and kept the CPU busy
  (one ``COUNT`` was still running after 10 minutes).
* Workers opening the on-disk build read-only start at once but evaluate slower than the
  in-memory store: 1.9x, 3.5x and 6-9x on the three queries of ``bench.sparql`` (NOTES.md: 3-10x).
* Workers forked from the process that holds the in-memory store share it copy-on-write (no
  second copy: reading it in takes 2-7 s and ~300 MB). Forking the zygote and 2 workers takes
  30-50 ms, replacing a killed worker ~10 ms; a runaway query is answered 503 at the limit
  + 20-50 ms and its CPU is free at once (``python -m bench.sparql`` prints these figures).

So a "zygote" is forked once from the server when the pool starts (before any request is served,
so no other thread holds a lock) and forks the ``settings.query_workers`` workers, and a fresh one
whenever a worker is killed. A query past ``settings.query_timeout`` gets a 503 and its worker is
killed. Small answers come back inline, larger ones as the descriptor of an unlinked temporary
file that the server streams: the server never holds a large result in memory, and the worker is
free as soon as the file is written.

Safety and fairness (issue 12):

* Each worker forbids itself the network (:func:`tdi_graph.sandbox.forbid_network`) unless
  ``SERVICE`` is allowed, and caps its address space at what it shares plus ``memory`` bytes.
* A worker that dies under a query (a signal, the OOM killer, a crash) is replaced and the query
  retried once on the fresh one; a second death is a 503 with ``Retry-After``. A death whose
  worker wrote Rust's "memory allocation ... failed" (the memory cap) is a 507, not retried.
* Back-pressure: :meth:`WorkerPool.admit` lets in at most ``size`` running plus ``waiting`` waiting
  queries, and ``per_client`` of them from one client; beyond, 503 or 429 with ``Retry-After``.
* Cheap queries do not wait behind runaway ones: a query still running after ``cheap`` seconds
  is "long". It is reniced to 19 (the kernel then gives the CPU to the young queries) and needs
  one of ``long`` permits (``size - 1``: one worker always serves young queries); with none free
  it is stopped with a 503 and ``Retry-After``. A reniced worker is replaced after its query.
"""

from tdi_graph.errors import Busy
from tdi_graph.workers.pool import WorkerPool
from tdi_graph.workers.process import Limits

__all__ = ["Busy", "Limits", "WorkerPool"]
