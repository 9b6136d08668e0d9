"""A linear SPARQL 1.1 lexer: the keywords, the nesting depth and the form of a query.

pyoxigraph 0.5 exposes neither its parser nor its algebra, so the endpoint reads a query with
this lexer before evaluating it. It follows the terminals of the SPARQL 1.1 grammar (section
19.8, with RDF 1.2's ``<<``, ``{|`` and ``~``): strings with their escapes, IRIs with ``\\u``
escapes, prefixed names with ``%HH`` and ``\\'`` escapes (``ex:a\\'`` is one name, not the start
of a string), variables, blank nodes, language tags, numbers and punctuation. A character that
starts no SPARQL token is a syntax error here rather than skipped, so the lexer cannot lose
track of where strings start where the real parser would go on.

Every pattern is possessive (``*+``): no backtracking, so the cost is linear in the size of the
query. A name is matched as one run of name characters, dots and colons and classified after:
``"a." * N`` is one token, not N attempts that each rescan the rest of the text.

The keyword check is a first line only. The workers that evaluate queries cannot open a network
socket at all (:func:`tdi_graph.sandbox.forbid_network`), whatever this lexer decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from tdi_graph.errors import QuerySyntaxError, QueryTooDeep

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS = _BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = rf"\\[tbnrf\\\"']|{_UCHAR}"

_PATTERNS = (
    ("space", r"[ \t\r\n]++"),
    ("comment", r"\#[^\r\n]*+"),
    ("string", rf"'''(?:'{{0,2}}(?:[^'\\]|{_ECHAR}))*+'''"),
    ("string", rf'"""(?:"{{0,2}}(?:[^"\\]|{_ECHAR}))*+"""'),
    ("string", rf"'(?:[^'\\\n\r]|{_ECHAR})*+'"),
    ("string", rf'"(?:[^"\\\n\r]|{_ECHAR})*+"'),
    ("iri", rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>"),
    ("var", rf"[?$][{_CHARS}]++"),
    ("bnode", rf"_:[{_CHARS}.]*+"),
    ("lang", r"@[A-Za-z]++(?:-[A-Za-z0-9]++)*+"),
    ("number", r"[0-9]++(?:\.[0-9]*+)?(?:[eE][+-]?[0-9]++)?|\.[0-9]++(?:[eE][+-]?[0-9]++)?"),
    # a run of name characters: a keyword, a function name, ``a``, or a prefixed name (with a
    # colon, whose local part may hold escapes); classified by :func:`lex`
    ("name", rf"[{_BASE}_][{_CHARS}.]*+(?::(?:[{_CHARS}.:]|{_PLX})*+)?|:(?:[{_CHARS}.:]|{_PLX})*+"),
    ("open", r"[{(\[]"),
    ("close", r"[})\]]"),
    ("punct", r"<<|>>|\{\||\|\}|\^\^|&&|\|\||!=|<=|>=|[.,;*+\-/!=<>^|?~]"),
    ("bad", r"."),
)
_TOKEN = re.compile("|".join(f"(?P<{k}{i}>{p})" for i, (k, p) in enumerate(_PATTERNS)), re.S)
_KIND = {f"{k}{i}": k for i, (k, _) in enumerate(_PATTERNS)}

FORMS = {"SELECT": "solutions", "ASK": "solutions", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


@dataclass(frozen=True)
class Reading:
    """What the lexer found in a query: its keywords (upper-cased) and its deepest nesting."""

    words: tuple[str, ...]
    depth: int

    @property
    def form(self) -> str | None:
        """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE`` or ``None``."""
        for word in self.words:
            if word in FORMS:
                return word
            if word in UPDATE_WORDS:
                return "UPDATE"
        return None


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """The words (upper-cased), and the opening and closing brackets of ``text``, each as
    ``(kind, text, end)`` with kind ``word``, ``open`` or ``close``; the rest is skipped.

    :raises QuerySyntaxError: at a character that starts no SPARQL token.
    """
    for match in _TOKEN.finditer(text):
        kind = _KIND[match.lastgroup or ""]
        if kind == "name":
            run = match.group()
            if ":" not in run:  # keywords, ``a``, function names (never a dot inside a word)
                for word in run.split("."):
                    if word:
                        yield "word", word.upper(), match.end()
        elif kind in ("open", "close"):
            yield kind, match.group(), match.end()
        elif kind == "bad":
            char = match.group()
            what = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            raise QuerySyntaxError(
                f"syntax error at {_where(text, match.start())}: unexpected character {what}"
            )


@lru_cache(maxsize=256)
def lex(text: str, max_depth: int = 10_000) -> Reading:
    r"""Read ``text`` once: its keywords and its nesting depth (``{``, ``(``, ``[``).

    :raises QueryTooDeep: as soon as the nesting is deeper than ``max_depth``.

    >>> lex("PREFIX ex: <http://e/> SELECT * { BIND(ex:a\\' AS ?h) } # SERVICE").words
    ('PREFIX', 'SELECT', 'BIND', 'AS')
    >>> lex("SELECT * { { ?s ?p [ ?q ?o ] } }").depth
    3
    """
    words: list[str] = []
    depth = deepest = 0
    for kind, word, _ in tokens(text):
        if kind == "word":
            words.append(word)
        elif kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > max_depth:
                    raise QueryTooDeep(
                        f"the query nests brackets more than {max_depth} deep "
                        "(TDI_MAX_QUERY_DEPTH): flatten it"
                    )
        else:
            depth -= 1
    return Reading(tuple(words), deepest)
