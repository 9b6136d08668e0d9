"""Pydantic models of the JSON answers (for the OpenAPI documentation, with examples), the
shared query parameters, the error responses of every route, and the orjson response.

Routes build plain dicts in :mod:`tdi_graph.facts` / :mod:`tdi_graph.entities` and send them
with :class:`FastJSON`; the models document them, and the tests check the answers against them.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field


class FastJSON(JSONResponse):
    """JSON serialised by orjson, or already serialised (bytes); no validation pass: the
    models document the answers, and the tests check the answers against them."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


Limit = Annotated[int, Query(ge=1, le=1000, description="Most items to return (1-1000).")]
Offset = Annotated[int, Query(ge=0, description="Items to skip, for paging.")]


def page(items: list[Any], limit: int, offset: int, **extra: Any) -> dict[str, Any]:
    """A list answer: ``{"items", "total", "limit", "offset"}`` and any ``extra`` fields."""
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        **extra,
    }


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


# --- errors ----------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. `not_found`.")
    message: str = Field(description="What went wrong, for people.")


class ErrorResponse(BaseModel):
    """The one error shape of every route."""

    model_config = _example(error={"code": "not_found", "message": "no entity 'nobody'"})
    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "Malformed parameter (an id with spaces, a date range that ends before it starts).",
    404: "Unknown entity (in the path or in a filter).",
    406: "No format the client accepts.",
    422: "Invalid parameter (type, range, date).",
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def errors(*statuses: int, html: bool = False) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route (JSON, even for the HTML pages)."""
    if html:
        return {
            s: {
                "description": ERROR_DESCRIPTIONS[s],
                "content": {"application/json": {"schema": _ERROR_REF}},
            }
            for s in statuses
        }
    return {s: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


# --- shared pieces --------------------------------------------------------------------------

REF_EXAMPLE = {"id": "caisse-des-depots", "type": "organisation", "label": "Caisse des Dépôts"}
SOURCE_EXAMPLE = {
    "id": "cp-bdt-2019-03-20-nord-franche-comte",
    "title": "Signature du contrat « Territoire d'industrie » pour dynamiser l'industrie du "
    "territoire Nord Franche-Comté",
    "publisher": "Banque des Territoires",
    "date": "Sochaux, le 20 mars 2019",
    "issued": "2019-03-20",
    "excerpt": "Eric Lombard, directeur général de la Caisse des Dépôts",
}


class Ref(BaseModel):
    """A link to an entity: its id (see `/api/entities/{id}`), type and label."""

    model_config = _example(**REF_EXAMPLE)
    id: str = Field(description="Short id (`caisse-des-depots`), or CURIE (`tdi:Equity`).")
    type: str = Field(
        description="person, organisation, territory, place, event, agreement, "
        "programme, commitment, document, concept (or signature, post...)."
    )
    label: str


class Source(BaseModel):
    """The document that states a fact, with its date as printed and a verbatim excerpt."""

    model_config = _example(**SOURCE_EXAMPLE)
    id: str
    title: str | None
    publisher: str | None = Field(description="Label(s) of dct:publisher, `; `-separated.")
    date: str | None = Field(description="The date as printed in the document.")
    issued: str | None = Field(None, description="The document's ISO date, when known.")
    excerpt: str | None = Field(
        description="A short excerpt, as the text reads (markup stripped); null when the "
        "document states the fact without an excerpt of its own."
    )


class Mention(BaseModel):
    """A source document that names the entity."""

    id: str
    title: str | None
    publisher: str | None
    date: str | None = Field(description="The date as printed in the document.")
    issued: str | None = Field(description="The document's ISO date, when known.")
    evidence: bool = Field(description="Whether it also gives direct evidence (`sources`).")


class Page(BaseModel):
    total: int = Field(description="Number of items matching, over all pages.")
    limit: int
    offset: int


# --- search ---------------------------------------------------------------------------------


class SearchHit(BaseModel):
    model_config = _example(
        id="agnes-pannier-runacher", type="person", label="Agnès Pannier-Runacher", score=0.9
    )
    id: str
    type: str
    label: str
    score: float = Field(description="Relevance in [0, 1]; 1 is the exact name.")


class SearchResults(Page):
    results: list[SearchHit]
    items: list[SearchHit] = Field(description="The same list as `results`.")


# --- entities -------------------------------------------------------------------------------


class Relation(BaseModel):
    model_config = _example(
        predicate="dct:publisher", label="éditeur", direction="out", target=REF_EXAMPLE
    )
    predicate: str = Field(description="The property, as a CURIE (see /context.jsonld).")
    label: str
    direction: str = Field(description="`out`: entity -> target; `in`: target -> entity.")
    target: Ref
    sources: list[Source] = Field(
        description="The documents whose graph states the relation, with their excerpts."
    )
    graphs: list[str] = Field(
        description="Every named graph that states it: a document's id, `entities`, "
        "`curation` (an editorial reading), `reference/...`."
    )


class Role(BaseModel):
    """A post (org:Membership) and the dates the sources attest it."""

    id: str
    label: str
    person: Ref
    organisation: Ref
    role: Ref | None
    title: str | None = Field(description="The title as printed.")
    attested_on: list[str]
    sources: list[Source]


class CommuneTerritory(BaseModel):
    territory: Ref
    phase: Ref | None
    through: Ref | None = Field(description="The member grouping: the commune or its EPCI.")
    contract: Ref | None


class CommunePlace(BaseModel):
    epci: list[Ref]
    departement: Ref | None
    region: Ref | None
    territories: list[CommuneTerritory] = Field(description="Both phases of the programme.")


class DocumentInfo(BaseModel):
    id: str
    iri: str
    title: str | None
    publisher: str | None
    publishers: list[Ref]
    date: str | None = Field(description="dct:date (ISO), even when other evidence contradicts it.")
    printed_date: str | None = Field(description="The date as printed.")
    date_contradictions: list[Ref] = Field(description="Records that the date is contradicted.")


class Entity(BaseModel):
    model_config = _example(
        id="eric-lombard",
        iri="https://w3id.org/tdi-graph/id/eric-lombard",
        type="person",
        label="Éric Lombard",
        labels={"@none": "Éric Lombard"},
        description=None,
        same_as=[],
        classes=[{"id": "foaf:Person", "type": "resource", "label": "foaf:Person"}],
        relations=[
            {
                "predicate": "schema:attendee",
                "label": "participant",
                "direction": "in",
                "target": {
                    "id": "french-fab-tour-sochaux-2019",
                    "type": "event",
                    "label": "Étape sochalienne du French Fab Tour (2019)",
                },
            }
        ],
        attributes={"foaf:familyName": "Lombard", "skos:altLabel": "Eric Lombard"},
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    iri: str
    type: str
    label: str
    labels: dict[str, str] = Field(description="rdfs:label by language (`@none`: no language).")
    description: str | None
    same_as: list[str] = Field(description="owl:sameAs / skos:exactMatch IRIs (Wikidata...).")
    classes: list[Ref]
    relations: list[Relation]
    attributes: dict[str, Any] = Field(description="Other statements, by property CURIE.")
    sources: list[Source] = Field(description="Direct evidence: excerpts about the entity.")
    mentioned_in: list[Mention] = Field(
        description="Every source document that names the entity (direct evidence or not)."
    )
    roles: list[Role] | None = Field(None, description="Posts (persons and organisations).")
    commune: CommunePlace | None = Field(
        None, description="For a commune: its EPCI, département, region, Territoires d'industrie."
    )
    document: DocumentInfo | None = Field(
        None, description="For a source document: its dates (ISO and as printed)."
    )
    describes: list[Ref] | None = Field(None, description="What a document gives evidence of.")


# --- facts ----------------------------------------------------------------------------------


class Signatory(BaseModel):
    person: Ref | None = Field(description="Null when the source names only the organisation.")
    organisation: Ref | None


class Signature(BaseModel):
    model_config = _example(
        id="signature-contrat-ti-nord-franche-comte",
        label="Signature du contrat Territoire d'industrie Nord Franche-Comté",
        agreement={
            "id": "contrat-ti-nord-franche-comte",
            "type": "agreement",
            "label": "Contrat Territoire d'industrie Nord Franche-Comté",
        },
        date="2019-03-19",
        date_earliest=None,
        date_latest=None,
        place={"id": "site-psa-sochaux", "type": "place", "label": "site PSA de Sochaux"},
        event={
            "id": "french-fab-tour-sochaux-2019",
            "type": "event",
            "label": "Étape sochalienne du French Fab Tour (2019)",
        },
        signatories=[
            {
                "person": {"id": "eric-lombard", "type": "person", "label": "Éric Lombard"},
                "organisation": REF_EXAMPLE,
            }
        ],
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    label: str
    agreement: Ref | None
    date: str | None = Field(description="YYYY-MM-DD; null when only bounds are known.")
    date_earliest: str | None = Field(description="Earliest possible date, if no exact date.")
    date_latest: str | None = Field(description="Latest possible date, if no exact date.")
    place: Ref | None
    event: Ref | None
    signatories: list[Signatory]
    sources: list[Source]


class SignatureList(Page):
    items: list[Signature]


class Amount(BaseModel):
    value: float = Field(description="Plain number in the currency (100 M€ is 100000000).")
    currency: str


class Period(BaseModel):
    start: str | None = Field(description="Year (YYYY) or date.")
    end: str | None


class Commitment(BaseModel):
    model_config = _example(
        id="engagement-bdt-100m-par-an",
        label="100 M€ par an d'ici 2022 en fonds propres dans les projets des Territoires "
        "d'industrie",
        actor={
            "id": "banque-des-territoires",
            "type": "organisation",
            "label": "Banque des Territoires",
        },
        programme={
            "id": "territoires-d-industrie",
            "type": "programme",
            "label": "Territoires d'industrie",
        },
        amount={"value": 100000000, "currency": "EUR"},
        rate=None,
        recurrence="P1Y",
        period={"start": None, "end": "2022"},
        instrument={"id": "tdi:Equity", "type": "concept", "label": "fonds propres"},
        parts=[],
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    label: str
    actor: Ref | None
    actors: list[Ref] = Field([], description="Every organisation that committed.")
    programme: Ref | None
    programmes: list[Ref] = []
    amount: Amount | None
    qualifier: Ref | None = Field(None, description="About, more than, at most... (amount).")
    rate: float | None = Field(description="Decimal rate (0.5 for 50 %).")
    rate_qualifier: Ref | None = None
    recurrence: str | None = Field(description="ISO 8601 duration: P1Y is per year.")
    quantity: float | None = None
    period: Period | None
    instrument: Ref | None
    instruments: list[Ref] = []
    status: Ref | None = Field(None, description="Pledged, engaged, realised...")
    parts: list[Ref] = Field(description="tdi:hasPart: the parts that add up to the amount.")
    part_of: list[Ref] = []
    shares: list[Ref] = Field([], description="tdi:instrumentShare: the split by instrument.")
    share_of: list[Ref] = []
    of_which: list[Ref] = Field(
        [], description='tdi:ofWhich: subsets mentioned ("dont"), not additive.'
    )
    subset_of: list[Ref] = []
    sources: list[Source]


class AmountTotal(BaseModel):
    """The sum of the listed amounts, each part counted once (see `amount_total` in docs)."""

    value: float
    currency: str
    commitments: list[str] = Field(description="Ids of the commitments added up.")


class CommitmentList(Page):
    items: list[Commitment]
    amount_total: AmountTotal


class Event(BaseModel):
    model_config = _example(
        id="french-fab-tour-sochaux-2019",
        label="Étape sochalienne du French Fab Tour (2019)",
        type="event",
        start="2019-03-19",
        end="2019-03-19",
        place={"id": "site-psa-sochaux", "type": "place", "label": "site PSA de Sochaux"},
        participants=[{"id": "eric-lombard", "type": "person", "label": "Éric Lombard"}],
        sources=[SOURCE_EXAMPLE],
    )
    id: str
    label: str
    type: str = Field(description="`event` (the public type; see `classes` for the kind).")
    classes: list[Ref] = Field([], description="Its classes: tour stage, general assembly...")
    start: str | None
    end: str | None
    place: Ref | None
    participants: list[Ref]
    organizers: list[Ref] = []
    part_of: list[Ref] = []
    sources: list[Source]


class EventList(Page):
    items: list[Event]


class Territory(BaseModel):
    model_config = _example(
        id="ti1-2707",
        label="Nord Franche-Comté",
        code="ti-2707",
        region={"id": "region-27", "type": "place", "label": "Bourgogne-Franche-Comté"},
        phase={"id": "tdi:Phase1", "type": "concept", "label": "phase 1 (2018-2022)"},
        communes=197,
        contract_status="signed",
        contract_signed="2019-03-19",
    )
    id: str
    label: str
    code: str | None = Field(description="ANCT territory code (ti-NNNN).")
    region: Ref | None
    phase: Ref | None
    communes: int | None = Field(description="Number of communes (COG 2026).")
    groupements: list[Ref] = Field([], description="Member EPCI or communes.")
    contract: Ref | None = None
    contract_status: str = Field(
        description="`signed`, `unsigned` (contract, no signature "
        "known) or `none` (no contract in the graph)."
    )
    contract_signature: Ref | None = None
    contract_signed: str | None = Field(
        description="Date the contract was signed: the exact date, else the latest date it is "
        "known to have been signed by (see `contract_signed_precision`)."
    )
    contract_signed_precision: str | None = Field(
        description="`day` (exact date), `by` (signed on or before `contract_signed`), "
        "`between` (within earliest..latest), `after` (only an earliest date), null if unsigned."
    )
    contract_signed_earliest: str | None = None
    contract_signed_latest: str | None = None
    sources: list[Source] = []


class TerritoryList(Page):
    items: list[Territory]


# --- money ----------------------------------------------------------------------------------


class MoneyCounted(BaseModel):
    commitment: Ref
    amount: float
    bucket: str = Field(description="`one_off` or `recurring`.")
    qualifier: Ref | None = Field(description="About, more than, at most... (as stated).")
    recurrence: str | None
    sources: list[Source]


class Recurring(BaseModel):
    value: float
    currency: str
    recurrence: str = Field(description="ISO 8601 duration: P1Y is per year.")
    period: Period | None
    commitments: list[Ref]


class MoneyNotCounted(BaseModel):
    commitment: Ref
    amount: float | None
    bucket: str = Field(description="part, subset, no_funder, status or currency.")
    reason: str


class Overlap(BaseModel):
    commitments: list[Ref]
    kind: str = Field(
        description="`recorded` (a curation record) or `parts` (a whole and its parts or subsets)."
    )
    note: str
    record: Ref | None
    resolution: str | None
    sources: list[Source]


class Money(BaseModel):
    """The commitments' money, each euro counted once."""

    actor: Ref | None
    programme: Ref | None
    one_off: Amount
    recurring: list[Recurring]
    counted: list[MoneyCounted]
    not_counted: list[MoneyNotCounted]
    overlaps: list[Overlap]
