"""The facts the API lists (signature acts, commitments, events, programme territories),
assembled from the rows of the named queries ``queries/api-*.rq``, each with its sources.

Filters are IRIs (see :meth:`tdi_graph.entities.Registry.resolve`) or ISO dates.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from tdi_graph.entities import Registry, run, short_id, split_iris, tuples, value

Item = dict[str, Any]


def _iri(term: ox.Term | None) -> str | None:
    return term.value if term is not None else None


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
        rows = run(store, "api-signatures", agreement=agreement, since=since, until=until)
    else:
        rows = [
            row
            for act in sorted(wanted)
            for row in run(
                store, "api-signatures", act=act, agreement=agreement, since=since, until=until
            )
        ]
    acts: dict[str, Item] = {}
    signatories: dict[str, list[str]] = {}
    for row in rows:
        act = row["act"].value  # type: ignore[union-attr]
        if act not in acts:
            acts[act] = {
                "id": short_id(act),
                "label": registry.label(act),
                "agreement": registry.ref(_iri(row["agreement"])),
                "date": value(row["date"]),
                "date_earliest": value(row["earliest"]),
                "date_latest": value(row["latest"]),
                "place": registry.ref(_iri(row["place"])),
                "event": registry.ref(_iri(row["during"])),
                "signatories": [],
            }
            signatories[act] = []
        signatory = _iri(row["signatory"])
        if signatory and signatory not in signatories[act]:
            signatories[act].append(signatory)
            acts[act]["signatories"].append(
                {
                    "person": registry.ref(_iri(row["person"])),
                    "organisation": registry.ref(_iri(row["organisation"])),
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
        act.value
        for act, how, _ in tuples(store, "api-signatures-involving", entity=entity)
        if act is not None and how is not None and how.value == role
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
    for row in run(store, "api-commitments", actor=actor, programme=programme):
        iri = row["commitment"].value  # type: ignore[union-attr]
        if iri in seen:  # a row per actor and programme when those are left out
            continue
        seen.add(iri)
        actors = registry.refs(split_iris(value(row["actors"])))
        programmes = registry.refs(split_iris(value(row["programmes"])))
        instruments = registry.refs(split_iris(value(row["instruments"])))
        amount = value(row["amount"])
        start, end = value(row["start"]), value(row["end"])
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
                else {"value": amount, "currency": value(row["currency"]) or "EUR"},
                "qualifier": registry.ref(_iri(row["qualifier"])),
                "rate": value(row["rate"]),
                "rate_qualifier": registry.ref(_iri(row["rate_qualifier"])),
                "recurrence": value(row["recurrence"]),
                "quantity": value(row["quantity"]),
                "period": None if start is None and end is None else {"start": start, "end": end},
                "instrument": _first(instruments),
                "instruments": instruments,
                "status": registry.ref(_iri(row["status"])),
                "parts": registry.refs(split_iris(value(row["parts"]))),
                "part_of": registry.refs(split_iris(value(row["part_of"]))),
                "shares": registry.refs(split_iris(value(row["shares"]))),
                "share_of": registry.refs(split_iris(value(row["share_of"]))),
                "of_which": registry.refs(split_iris(value(row["of_which"]))),
                "subset_of": registry.refs(split_iris(value(row["subset_of"]))),
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
    amount counts once. A commitment credited to no one (its document names no funder,
    tdi:funderNamed false) is listed but never added.
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
        if whole or not item["actors"]:
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
    for row in run(store, "api-events", since=since, until=until):
        iri = row["event"].value  # type: ignore[union-attr]
        if iri in out:
            continue
        out[iri] = {
            "id": short_id(iri),
            "label": registry.label(iri),
            "type": registry.category(iri),
            "classes": registry.refs(split_iris(value(row["classes"]))),
            "start": value(row["start"]),
            "end": value(row["end"]),
            "place": registry.ref(_iri(row["place"])),
            "participants": registry.refs(split_iris(value(row["participants"]))),
            "organizers": registry.refs(split_iris(value(row["organizers"]))),
            "part_of": registry.refs(split_iris(value(row["part_of"]))),
            "sources": registry.sources(iri),
        }
    return sorted(out.values(), key=lambda i: (i["start"] or "9999", i["end"] or "", i["id"]))


def territories(store: ox.Store, registry: Registry, *, region: str | None = None) -> list[Item]:
    """Programme territories with region, phase, communes, groupements and contract status."""
    out: dict[str, Item] = {}
    for row in run(store, "api-territories", region=region):
        iri = row["territory"].value  # type: ignore[union-attr]
        contract, signature = _iri(row["contract"]), _iri(row["signature"])
        known = out.get(iri)
        if known is not None and (known["contract_signature"] or not signature):
            continue
        status = "signed" if signature else ("unsigned" if contract else "none")
        out[iri] = {
            "id": short_id(iri),
            "label": registry.label(iri),
            "code": value(row["code"]),
            "region": registry.ref(_iri(row["region"])),
            "phase": registry.ref(_iri(row["phase"])),
            "communes": value(row["communes"]),
            "groupements": registry.refs(split_iris(value(row["groupements"]))),
            "contract": registry.ref(contract),
            "contract_status": status,
            "contract_signature": registry.ref(signature),
            "contract_signed": value(row["signed"]),
            "contract_signed_earliest": value(row["signed_earliest"]),
            "contract_signed_latest": value(row["signed_latest"]),
            "sources": registry.sources(iri, contract, signature),
        }
    return list(out.values())


def roles(store: ox.Store, registry: Registry, iri: str) -> list[Item]:
    """The posts a person holds, or the posts in an organisation, with their dates."""
    out = []
    for row in run(store, "api-roles", entity=iri):
        membership = row["membership"].value  # type: ignore[union-attr]
        out.append(
            {
                "id": short_id(membership),
                "label": registry.label(membership),
                "person": registry.ref(_iri(row["person"])),
                "organisation": registry.ref(_iri(row["organisation"])),
                "role": registry.ref(_iri(row["role"])),
                "title": value(row["title"]),
                "attested_on": sorted(split_iris(value(row["attested_on"]))),
                "sources": registry.sources(membership),
            }
        )
    return out
