"""The facts the API lists (signature acts, commitments, events, programme territories),
assembled from the rows of the named queries ``queries/api-*.rq``, each with its sources.

Filters are IRIs (see :meth:`tdi_graph.view.Registry.resolve`) or ISO dates.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from tdi_graph.view import Registry, select, short_id

Item = dict[str, Any]


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

    The acts of an actor, territory or event are found first (``api-signatures-involving``,
    which starts from the entity), then described one by one; without those filters, one
    query lists them all.
    """
    wanted: set[str] | None = None
    for role, entity in (("actor", actor), ("territory", territory), ("event", event)):
        if entity is not None:
            found = _acts_involving(store, entity, role)
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


def _acts_involving(store: ox.Store, entity: str, role: str) -> set[str]:
    """The signature acts where ``entity`` is an ``actor``, the ``territory`` or the ``event``."""
    return {
        act
        for row in select(store, "api-signatures-involving", entity=entity)
        if (act := row.iri("act")) is not None and row.text("role") == role
    }


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


def _first(refs: list[Item]) -> Item | None:
    return refs[0] if refs else None


def amount_total(items: list[Item], currency: str = "EUR") -> Item:
    """The sum of the amounts of ``items`` without counting a part twice.

    Only the commitments that are no part (tdi:hasPart), share (tdi:instrumentShare) nor
    subset (tdi:ofWhich) of another listed commitment are added up; one with no amount counts
    as the sum of its parts, else of its shares. Amounts are summed as stated: a yearly
    amount counts once.
    """
    by_id = {i["id"]: i for i in items}

    def worth(item: Item, seen: frozenset[str]) -> int | float | None:
        amount = item["amount"]
        if amount is not None:
            return amount["value"] if amount["currency"] == currency else None
        for key in ("parts", "shares"):
            values = [
                worth(by_id[r["id"]], seen | {item["id"]})
                for r in item[key]
                if r["id"] in by_id and r["id"] not in seen
            ]
            if any(v is not None for v in values):
                return sum(v for v in values if v is not None)
        return None

    counted, total = [], 0
    for item in items:
        whole = [
            r for key in ("part_of", "share_of", "subset_of") for r in item[key] if r["id"] in by_id
        ]
        if whole:
            continue
        amount = worth(item, frozenset())
        if amount is not None:
            counted.append(item["id"])
            total += amount
    return {"value": total, "currency": currency, "commitments": counted}


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
            "contract_signed": row.value("signed"),
            "contract_signed_earliest": row.value("signed_earliest"),
            "contract_signed_latest": row.value("signed_latest"),
            "sources": registry.sources(iri, contract, signature),
        }
    return list(out.values())


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
                "attested_on": sorted(row.iris("attested_on")),
                "sources": registry.sources(membership),
            }
        )
    return out
