"""tdi-graph: the knowledge graph of France's *Territoires d'industrie* programme.

The library knows nothing of HTTP: it builds, validates and queries the store.
"""

__version__ = "0.1.0"
