"""The facts the API lists (signature acts, commitments, events, programme territories),
assembled from the rows of the named queries ``queries/api-*.rq``, each with its sources.

Filters are IRIs (see :meth:`tdi_graph.view.Registry.resolve`) or ISO dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from tdi_graph.namespaces import PREFIXES
from tdi_graph.view import Registry, select, short_id

Item = dict[str, Any]
_TDI, _SCHEMA = PREFIXES["tdi"], PREFIXES["schema"]
COMMUNE_KIND = ox.NamedNode(_TDI + "communeKind")
INTERCOMMUNALITY = ox.NamedNode(_TDI + "intercommunality")
CONTAINED_IN = ox.NamedNode(_SCHEMA + "containedInPlace")
DEPARTEMENT, REGION = ox.NamedNode(_TDI + "Departement"), ox.NamedNode(_TDI + "Region")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


def signatures(
    store: ox.Store,
    registry: Registry,
    *,
    actor: str | None = None,
    agreement: str | None = None,
    territory: str | None = None,
    event: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[Item]:
    """Signature acts, in date order, with their signatories and sources.

    The acts of an actor, territory or event are found first (in the registry's index of
    ``api-signatures-involving``), then described one by one; without those filters, one
    query lists them all.
    """
    wanted: set[str] | None = None
    for role, entity in (("actor", actor), ("territory", territory), ("event", event)):
        if entity is not None:
            found = registry.acts_involving(entity, role)
            wanted = found if wanted is None else wanted & found
    if wanted is None:
        rows = select(store, "api-signatures", agreement=agreement, since=since, until=until)
    else:
        rows = [
            row
            for act in sorted(wanted)
            for row in select(
                store, "api-signatures", act=act, agreement=agreement, since=since, until=until
            )
        ]
    acts: dict[str, Item] = {}
    signatories: dict[str, list[str]] = {}
    for row in rows:
        act = row.iri("act") or ""
        if act not in acts:
            acts[act] = {
                "id": short_id(act),
                "label": registry.label(act),
                "agreement": registry.ref(row.iri("agreement")),
                "date": row.value("date"),
                "date_earliest": row.value("earliest"),
                "date_latest": row.value("latest"),
                "place": registry.ref(row.iri("place")),
                "event": registry.ref(row.iri("during")),
                "signatories": [],
            }
            signatories[act] = []
        signatory = row.iri("signatory")
        if signatory and signatory not in signatories[act]:
            signatories[act].append(signatory)
            acts[act]["signatories"].append(
                {
                    "person": registry.ref(row.iri("person")),
                    "organisation": registry.ref(row.iri("organisation")),
                }
            )
    for act, item in acts.items():
        item["signatories"].sort(
            key=lambda s: (s["person"] is None, _label(s["person"]), _label(s["organisation"]))
        )
        item["sources"] = registry.sources(act, *signatories[act])
    return sorted(acts.values(), key=lambda i: (_when(i), i["id"]))


def _label(ref: Item | None) -> str:
    return ref["label"].casefold() if ref else ""


def _when(item: Item) -> str:
    return item.get("date") or item.get("date_earliest") or item.get("date_latest") or "9999"


def commitments(
    store: ox.Store, registry: Registry, *, actor: str | None = None, programme: str | None = None
) -> list[Item]:
    """Commitments with amount, rate, recurrence, period, instruments, parts and sources."""
    out = []
    seen: set[str] = set()
    for row in select(store, "api-commitments", actor=actor, programme=programme):
        iri = row.iri("commitment") or ""
        if iri in seen:  # a row per actor and programme when those are left out
            continue
        seen.add(iri)
        actors = registry.refs(row.iris("actors"))
        programmes = registry.refs(row.iris("programmes"))
        instruments = registry.refs(row.iris("instruments"))
        amount = row.value("amount")
        start, end = row.value("start"), row.value("end")
        out.append(
            {
                "id": short_id(iri),
                "label": registry.label(iri),
                "actor": registry.ref(actor) if actor else (actors[0] if actors else None),
                "actors": actors,
                "programme": registry.ref(programme) if programme else _first(programmes),
                "programmes": programmes,
                "amount": None
                if amount is None
                else {"value": amount, "currency": row.value("currency") or "EUR"},
                "qualifier": registry.ref(row.iri("qualifier")),
                "rate": row.value("rate"),
                "rate_qualifier": registry.ref(row.iri("rate_qualifier")),
                "recurrence": row.value("recurrence"),
                "quantity": row.value("quantity"),
                "period": None if start is None and end is None else {"start": start, "end": end},
                "instrument": _first(instruments),
                "instruments": instruments,
                "status": registry.ref(row.iri("status")),
                "parts": registry.refs(row.iris("parts")),
                "part_of": registry.refs(row.iris("part_of")),
                "shares": registry.refs(row.iris("shares")),
                "share_of": registry.refs(row.iris("share_of")),
                "of_which": registry.refs(row.iris("of_which")),
                "subset_of": registry.refs(row.iris("subset_of")),
                "sources": registry.sources(iri),
            }
        )
    return out


def _first(refs: Sequence[Any]) -> Any:
    return refs[0] if refs else None


def events(
    store: ox.Store, registry: Registry, *, since: str | None = None, until: str | None = None
) -> list[Item]:
    """Events in date order (undated ones last) with place, participants and sources."""
    out: dict[str, Item] = {}
    for row in select(store, "api-events", since=since, until=until):
        iri = row.iri("event") or ""
        if iri in out:
            continue
        out[iri] = {
            "id": short_id(iri),
            "label": registry.label(iri),
            "type": registry.category(iri),
            "classes": registry.refs(row.iris("classes")),
            "start": row.value("start"),
            "end": row.value("end"),
            "place": registry.ref(row.iri("place")),
            "participants": registry.refs(row.iris("participants")),
            "organizers": registry.refs(row.iris("organizers")),
            "part_of": registry.refs(row.iris("part_of")),
            "sources": registry.sources(iri),
        }
    return sorted(out.values(), key=lambda i: (i["start"] or "9999", i["end"] or "", i["id"]))


def territories(store: ox.Store, registry: Registry, *, region: str | None = None) -> list[Item]:
    """Programme territories with region, phase, communes, groupements and contract status."""
    out: dict[str, Item] = {}
    for row in select(store, "api-territories", region=region):
        iri = row.iri("territory") or ""
        contract, signature = row.iri("contract"), row.iri("signature")
        known = out.get(iri)
        if known is not None and (known["contract_signature"] or not signature):
            continue
        status = "signed" if signature else ("unsigned" if contract else "none")
        out[iri] = {
            "id": short_id(iri),
            "label": registry.label(iri),
            "code": row.value("code"),
            "region": registry.ref(row.iri("region")),
            "phase": registry.ref(row.iri("phase")),
            "communes": row.value("communes"),
            "groupements": registry.refs(row.iris("groupements")),
            "contract": registry.ref(contract),
            "contract_status": status,
            "contract_signature": registry.ref(signature),
            **signed_on(
                row.value("signed"), row.value("signed_earliest"), row.value("signed_latest")
            ),
            "sources": registry.sources(iri, contract, signature),
        }
    return list(out.values())


def signed_on(date: str | None, earliest: str | None, latest: str | None) -> Item:
    """The signature date of a contract, with its precision: the exact date (``day``), else the
    latest bound (``by``: on or before it; ``between`` when an earliest bound is known too);
    with only an earliest bound, no date (``after``).

    >>> signed_on(None, None, "2019-03-22")["contract_signed"]
    '2019-03-22'
    >>> signed_on(None, "2019-03-05", "2019-03-06")["contract_signed_precision"]
    'between'
    """
    if date:
        precision: str | None = "day"
    elif latest:
        precision = "between" if earliest else "by"
    elif earliest:
        precision = "after"
    else:
        precision = None
    return {
        "contract_signed": date or latest,
        "contract_signed_precision": precision,
        "contract_signed_earliest": earliest,
        "contract_signed_latest": latest,
    }


def roles(store: ox.Store, registry: Registry, iri: str) -> list[Item]:
    """The posts a person holds, or the posts in an organisation, with their dates."""
    out = []
    for row in select(store, "api-roles", entity=iri):
        membership = row.iri("membership") or ""
        out.append(
            {
                "id": short_id(membership),
                "label": registry.label(membership),
                "person": registry.ref(row.iri("person")),
                "organisation": registry.ref(row.iri("organisation")),
                "role": registry.ref(row.iri("role")),
                "title": row.value("title"),
                "attested_on": row.iris("attested_on"),
                "sources": registry.sources(membership),
            }
        )
    return out


def commune(store: ox.Store, registry: Registry, iri: str) -> Item | None:
    """Where a commune is: its EPCI, département, region and the programme territories of
    each phase that include it (``None`` if ``iri`` is no commune).

    What the named query ``api-commune`` says, from the statements of the commune and the
    registry's ``groupements`` (a few index lookups instead of a query's join, ~1 ms).
    """
    node = ox.NamedNode(iri)
    if next(store.quads_for_pattern(node, COMMUNE_KIND, None, None), None) is None:
        return None
    epcis = [e.value for e in _objects(store, node, INTERCOMMUNALITY)]
    departement = region = None
    for place in _objects(store, node, CONTAINED_IN):
        if _is_a(store, place, DEPARTEMENT):
            departement = place.value
            above = _objects(store, place, CONTAINED_IN)
            region = next((r.value for r in above if _is_a(store, r, REGION)), None)
            break
    joined = [(iri, row) for row in registry.groupements.get(iri, ())]
    for epci in epcis:
        joined += [(epci, row) for row in registry.groupements.get(epci, ())]
    joined.sort(key=lambda x: (x[1][1], x[1][0]))  # ORDER BY ?phase ?territory
    territories: dict[str, Item] = {}
    for groupement, (territory, phase, contract) in joined:
        if territory not in territories:
            territories[territory] = {
                "territory": registry.ref(territory),
                "phase": registry.ref(phase),
                "through": registry.ref(groupement),
                "contract": registry.ref(contract),
            }
    return {
        "epci": registry.refs(epcis),
        "departement": registry.ref(departement),
        "region": registry.ref(region),
        "territories": list(territories.values()),
    }


def _objects(store: ox.Store, node: ox.NamedNode, predicate: ox.NamedNode) -> list[ox.NamedNode]:
    """The IRIs that ``node`` points to by ``predicate`` (in any graph)."""
    found = (q.object for q in store.quads_for_pattern(node, predicate, None, None))
    return [o for o in found if isinstance(o, ox.NamedNode)]


def _is_a(store: ox.Store, node: ox.NamedNode, cls: ox.NamedNode) -> bool:
    return next(store.quads_for_pattern(node, RDF_TYPE, cls, None), None) is not None
