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
#: keywords that add an operator to the query's algebra (a chain of them nests it)
OPERATOR_WORDS = frozenset(
    {"OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE", "EXISTS"}
)
#: punctuation that does: path steps (which the join planner orders like patterns too), and
#: logical, comparison and arithmetic operators
PATH_PUNCT = frozenset({"/", "|", "^"})
OPERATOR_PUNCT = frozenset({"&&", "||", "+", "-", "*", "=", "!=", "<", ">", "<=", ">="})
#: what separates the triple patterns of a group ('.', and ';' ',' for shared subjects, objects)
SEPARATORS = frozenset({".", ";", ","})


@dataclass(frozen=True)
class Reading:
    """What the lexer found in a query: its keywords (upper-cased), its deepest nesting, the
    most patterns in one group (triple patterns, path steps and groups side by side: what the
    join planner orders) and its operators in all (every pattern, group, keyword and operator
    that adds a node to the algebra, whose chains pyoxigraph walks recursively)."""

    words: tuple[str, ...]
    depth: int
    widest: int = 0
    operators: int = 0

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


def _dots(kind: str, run: str) -> int:
    """The separating dots a prefixed name, number or blank node token swallowed: ``ex:o.``
    and ``1.`` end a triple pattern, while ``ex:a.b`` is one name (a keyword's are all
    separators: ``a.a``)."""
    if kind not in ("name", "number", "bnode"):
        return 0
    return len(run) - len(run.rstrip("."))


class _Size:
    """Counts, token by token, the patterns of each group and the operators of a query.

    A group's patterns are its separators (``.``, ``;``, ``,``) and the groups in it (a chain
    of ``UNION`` counts once) outside parentheses, its path steps (``/``, ``|``, ``^``; a
    division counts too, which is harmless), and two for each element of its collections
    (``(1 2 3)``: a term right after a term in parentheses, outside ``VALUES``; ``ex:f(?x)``
    counts as one, harmless too).
    """

    def __init__(self) -> None:
        self.widest = self.operators = 0
        self.groups: list[list[int]] = [[0, 0]]  # for each open group: [patterns, open "("]
        self.after_union = self.after_term = False
        self.values: int | None = None  # the level of the VALUES block we are in (or 0: next)

    def pattern(self, count: int = 1) -> None:
        self.groups[-1][0] += count
        self.operators += count

    def word(self, word: str) -> None:
        if word in OPERATOR_WORDS:
            self.operators += 1
        if word == "VALUES" and self.values is None:
            self.values = 0
        self.after_union, self.after_term = word == "UNION", False

    def dots(self, count: int) -> None:
        """Separating dots inside a name or a number token."""
        if count and not self.groups[-1][1]:
            self.pattern(count)

    def term(self, kind: str, run: str) -> None:
        if self.groups[-1][1] and self.after_term and self.values is None:
            self.pattern(2)  # the next element of a collection: rdf:first and rdf:rest
        dots = _dots(kind, run)
        self.dots(dots)
        self.after_union, self.after_term = False, not dots

    def open(self, bracket: str) -> None:
        if bracket in "([" and self.groups[-1][1] and self.after_term and self.values is None:
            self.pattern(2)  # a list or a blank node as the next element of a collection
        if bracket == "{":
            self.operators += 1
            if not self.after_union:
                self.groups[-1][0] += 1
            self.groups.append([0, 0])
            if self.values == 0:
                self.values = len(self.groups)
        elif bracket == "(":
            self.groups[-1][1] += 1
        self.after_union = self.after_term = False

    def close(self, bracket: str) -> None:
        group = self.groups[-1]
        if bracket == "}" and len(self.groups) > 1:
            if self.values == len(self.groups):
                self.values = None
            self.widest = max(self.widest, self.groups.pop()[0])
        elif bracket == ")" and group[1]:
            group[1] -= 1
        self.after_union, self.after_term = False, True  # ``( (1) (2) )``, ``( [] [] )``

    def punct(self, run: str) -> None:
        if run in SEPARATORS:
            if not self.groups[-1][1]:
                self.pattern()
        elif run in PATH_PUNCT:  # a path step (or a division: an expression's count no harm)
            self.pattern()
        elif run in OPERATOR_PUNCT:
            self.operators += 1
        self.after_union = self.after_term = False

    def reading(self, words: list[str], depth: int) -> Reading:
        widest = max([self.widest] + [group[0] for group in self.groups])
        return Reading(tuple(words), depth, widest, self.operators)


@lru_cache(maxsize=256)
def lex(text: str, max_depth: int = 10_000) -> Reading:
    r"""Read ``text`` once: its keywords, its nesting depth (``{``, ``(``, ``[``) and its size
    in patterns and operators (:class:`Reading`).

    :raises QueryTooDeep: as soon as the nesting is deeper than ``max_depth``.
    :raises QuerySyntaxError: at a character that starts no SPARQL token.

    >>> lex("PREFIX ex: <http://e/> SELECT * { BIND(ex:a\\' AS ?h) } # SERVICE").words
    ('PREFIX', 'SELECT', 'BIND', 'AS')
    >>> lex("SELECT * { { ?s ?p [ ?q ?o ] } }").depth
    3
    >>> query = "SELECT * { ?s ?p ?o ; ?q ?o2, ?o3 . ?o ex:p/ex:q ex:o. OPTIONAL { ?s ?p 1 } }"
    >>> lex(query).widest, lex(query).operators
    (6, 9)
    >>> lex("ASK { ?s ?p (1 2 3) VALUES (?a ?b) { (1 2) } FILTER(?a IN (1, 2)) }").widest
    5
    """
    words: list[str] = []
    depth = deepest = 0
    size = _Size()
    for match in _TOKEN.finditer(text):
        kind = _KIND[match.lastgroup or ""]
        if kind in ("space", "comment", "lang"):
            continue
        run = match.group()
        if kind == "name" and ":" not in run:  # keywords, ``a``, function names
            for word in run.split("."):
                if word:
                    words.append(word.upper())
                    size.word(words[-1])
            size.dots(run.count("."))
        elif kind in ("name", "number", "bnode", "var", "iri", "string"):
            size.term(kind, run)
        elif kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > max_depth:
                    raise QueryTooDeep(
                        f"the query nests brackets more than {max_depth} deep "
                        "(TDI_MAX_QUERY_DEPTH): flatten it"
                    )
            size.open(run)
        elif kind == "close":
            depth -= 1
            size.close(run)
        elif kind == "punct":
            size.punct(run)
        else:
            what = repr(run) if run.isprintable() else f"U+{ord(run):04X}"
            raise QuerySyntaxError(
                f"syntax error at {_where(text, match.start())}: unexpected character {what}"
            )
    return size.reading(words, deepest)
