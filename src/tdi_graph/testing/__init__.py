"""Generators of synthetic graphs shaped like ours, for the tests and the benchmarks.

* :mod:`tdi_graph.testing.synthetic`: signature acts, agreements, commitments (the facts API);
* :mod:`tdi_graph.testing.network`: an actor network of a given size (the network queries).

Both are seeded, so every run builds the same graph. Their entities are ``synthetic-*`` or
``syn-*`` ids, which never collide with the curated data.
"""
