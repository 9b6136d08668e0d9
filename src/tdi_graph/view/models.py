"""The JSON answers of the read model, defined once: the library builds them (as plain dicts,
serialised by orjson), the API documents them with these models (``response_model``), and the
tests validate the answers against them. Shared pieces, entities and search here; the facts
(signatures, commitments, events, territories, money) in :mod:`tdi_graph.view.fact_models`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [values]})


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
