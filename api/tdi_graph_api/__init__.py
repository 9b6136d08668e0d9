"""The HTTP façade of tdi-graph: a thin FastAPI app over the ``tdi_graph`` library."""
