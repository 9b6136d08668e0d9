"""The pages' language, chosen in one place: French by default, English (or French) through
``?lang=`` (remembered in a ``lang`` cookie, so it holds across pages), else the ``lang``
cookie, else ``Accept-Language``.

A pure ASGI middleware puts the choice in ``request.state.lang``; the templates read it
through :func:`lang`, name the model's terms with :func:`term`, :func:`typename` and
:func:`inverse` (the ontology's ``@fr``/``@en`` labels, :class:`~tdi_graph.view.terms.Terms`)
and their own chrome with :func:`t` (the message catalogue ``locales/messages.json``).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from functools import lru_cache
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from jinja2 import pass_context

from tdi_graph.view.terms import DEFAULT_LANGUAGE, LANGUAGES

CATALOGUE = Path(__file__).resolve().parent / "locales" / "messages.json"
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600
#: the current request's language and app: templates and macros imported without context see it
CURRENT: ContextVar[tuple[str, Any]] = ContextVar("tdi_lang", default=(DEFAULT_LANGUAGE, None))


def _from_accept(header: str) -> str | None:
    """The preferred of our languages in an ``Accept-Language`` header, by weight."""
    best: tuple[float, int, str] | None = None
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        if code not in LANGUAGES:
            continue
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if weight > 0 and (best is None or (weight, -index) > (best[0], best[1])):
            best = (weight, -index, code)
    return best[2] if best else None


def choose(query: str, cookie: str | None, accept: str | None) -> tuple[str, bool]:
    """The language, and whether the query asked for it (so the cookie should remember it).

    >>> choose("lang=en", None, None)
    ('en', True)
    >>> choose("", "en", "fr")
    ('en', False)
    >>> choose("", None, "de-DE, en;q=0.8, fr;q=0.5")
    ('en', False)
    >>> choose("lang=xx", None, None)
    ('fr', False)
    """
    asked = (parse_qs(query).get("lang") or [""])[0].lower()
    if asked in LANGUAGES:
        return asked, True
    if cookie in LANGUAGES:
        return str(cookie), False
    return (_from_accept(accept or "") or DEFAULT_LANGUAGE), False


def _cookie(header: bytes) -> str | None:
    """The language cookie's value in a ``Cookie`` header (none if malformed)."""
    if COOKIE.encode() not in header:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(header.decode("latin-1"))
    except Exception:  # a malformed Cookie header: as if there were none
        return None
    return cookies[COOKIE].value if COOKIE in cookies else None


class Language:
    """Put the visitor's language in ``scope["state"]["lang"]``; remember ``?lang=`` in a cookie."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        cookie = _cookie(headers.get(b"cookie", b""))
        query = scope.get("query_string", b"")
        lang, asked = choose(
            # a /sparql query string is long, and has no lang= to find: not parsed for nothing
            query.decode("latin-1") if b"lang=" in query else "",
            cookie,
            headers.get(b"accept-language", b"").decode("latin-1"),
        )
        scope.setdefault("state", {})["lang"] = lang
        token = CURRENT.set((lang, scope.get("app")))

        async def send_with_language(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", ()))
                html = any(
                    n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in out
                )
                if html:
                    out += [
                        (b"content-language", lang.encode()),
                        (b"vary", b"Accept-Language, Cookie"),
                    ]
                if asked and lang != cookie:
                    value = f"{COOKIE}={lang}; Path=/; Max-Age={COOKIE_AGE}; SameSite=Lax"
                    out.append((b"set-cookie", value.encode()))
                message = {**message, "headers": out}
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            CURRENT.reset(token)


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """The message catalogue: ``{key: {language: text}}``."""
    with CATALOGUE.open(encoding="utf-8") as f:
        found: dict[str, dict[str, str]] = json.load(f)
    return found


def message(key: str, lang: str) -> str:
    """The chrome string ``key`` in ``lang`` (French if missing; the key if unknown)."""
    entry = messages().get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key


def _lang(ctx: Any) -> str:
    return CURRENT.get()[0]


def _terms(ctx: Any) -> Any:
    from tdi_graph_api.deps import services_of

    app = CURRENT.get()[1]
    try:
        return services_of(app).registry.terms
    except Exception:  # no app (a template rendered alone): no model labels
        return None


@pass_context
def lang(ctx: Any) -> str:
    """The page's language (``fr`` or ``en``)."""
    return _lang(ctx)


@pass_context
def prefixed(ctx: Any, prefix: str) -> dict[str, str]:
    """Every chrome string whose key starts with ``prefix``, in the page's language (for the
    pages' scripts)."""
    language = _lang(ctx)
    return {key: message(key, language) for key in messages() if key.startswith(prefix)}


@pass_context
def t(ctx: Any, key: str, **values: Any) -> str:
    """The chrome string ``key`` in the page's language, ``{name}`` fields filled."""
    text = message(key, _lang(ctx))
    return text.format(**values) if values else text


@pass_context
def term(ctx: Any, name: str, default: str | None = None) -> str:
    """The label of a class or property (IRI or CURIE) in the page's language; ``default``
    (else ``name`` itself) if the model has none."""
    terms = _terms(ctx)
    return (terms.label(name, _lang(ctx)) if terms else None) or default or name


@pass_context
def typename(ctx: Any, name: str) -> str:
    """The name of a public type (``person``…) in the page's language."""
    terms = _terms(ctx)
    return terms.type_label(name, _lang(ctx)) if terms else name


@pass_context
def inverse(ctx: Any, predicate: str, label: str = "") -> str:
    """How ``predicate`` reads from its object to its subject, in the page's language."""
    terms = _terms(ctx)
    found = terms.inverse_label(predicate, _lang(ctx)) if terms else None
    return found or message("relation.inverse", _lang(ctx)).format(label=label or predicate)


@pass_context
def netname(ctx: Any, name: str) -> str:
    """The label of a network node type or relation (``co-signed-with``…) in the page's language."""
    terms = _terms(ctx)
    return terms.network_label(name, _lang(ctx)) if terms else name


@pass_context
def netnames(ctx: Any, names: Any) -> dict[str, str]:
    """``{name: label}`` of network node types or relations, for the pages' scripts."""
    return {n: netname(ctx, n) for n in names}


@pass_context
def yasgui_strings(ctx: Any) -> dict[str, str]:
    """YASGUI's own English strings and their text in the page's language (``yasgui:``
    entries of the catalogue; ``_X_`` marks a number), for ``static/sparql.js``."""
    lang = _lang(ctx)
    return {
        key[7:]: message(key, lang)
        for key in messages()
        if key.startswith("yasgui:") and message(key, lang) != key[7:]
    }


@pass_context
def shown(ctx: Any, ref: Any) -> str:
    """The name a page shows for a ref or hit (``id``, ``label``): a territory's carries its
    phase (:attr:`~tdi_graph.view.registry.Registry.shown`)."""
    get = ref.get if isinstance(ref, dict) else (lambda k: getattr(ref, k, None))
    label, rid = str(get("label") or get("id") or ""), get("id")
    try:
        from tdi_graph_api.deps import services_of

        return services_of(CURRENT.get()[1]).registry.shown.get(str(rid), label)
    except Exception:  # no app: the label as it is
        return label


@pass_context
def switch_url(ctx: Any) -> str:
    """This page in the other language: a relative link (``?…&lang=``), never the Host."""
    request = ctx.get("request")
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", "en" if _lang(ctx) == "fr" else "fr"))
    return "?" + urlencode(params)


#: the template globals (installed by :mod:`tdi_graph_api.templating`).
GLOBALS = {
    "lang": lang,
    "t": t,
    "messages": prefixed,
    "term": term,
    "typename": typename,
    "inverse": inverse,
    "netname": netname,
    "netnames": netnames,
    "yasgui_strings": yasgui_strings,
    "shown": shown,
    "switch_url": switch_url,
}
