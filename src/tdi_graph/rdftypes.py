"""Type aliases for pyoxigraph's terms, which its stubs lack (``ox.Term`` is not in 0.5.13's).

Use ``Term`` where ``ox.Term`` was meant; the aliases are real unions, so ``isinstance``
takes them too:

>>> from tdi_graph.rdftypes import Term
>>> isinstance(ox.Literal("x"), Term), isinstance(ox.DefaultGraph(), Term)
(True, False)
"""

from __future__ import annotations

from typing import TypeAlias

import pyoxigraph as ox

#: Any RDF term: what a quad's object or a solution's value may be.
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: What a triple's subject may be (RDF 1.2: a quoted triple too).
Subject: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Triple
#: What a quad's graph name may be.
GraphName: TypeAlias = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def value_of(term: Term) -> str:
    """The term's value (an IRI, a lexical form, a blank node's id); a quoted triple's
    N-Triples text.

    >>> value_of(ox.Literal("x")), value_of(ox.NamedNode("https://e.org/a"))
    ('x', 'https://e.org/a')
    """
    return str(term) if isinstance(term, ox.Triple) else term.value


__all__ = ["GraphName", "Subject", "Term", "value_of"]
