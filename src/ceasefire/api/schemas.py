"""The shapes of the API's answers, for its OpenAPI document (and for clients that generate code from it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Link(Open):
    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class Problem(Open):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str


class Landing(Open):
    title: str
    description: str
    links: list[Link]


class Conformance(BaseModel):
    conformsTo: list[str]  # noqa: N815 — OGC's name


class Extent(Open):
    spatial: dict[str, Any]
    temporal: dict[str, Any]


class Collection(Open):
    id: str
    title: str
    description: str
    links: list[Link]
    extent: Extent | None = None
    itemType: str = "feature"  # noqa: N815
    crs: list[str] = Field(default_factory=lambda: ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"])


class Collections(Open):
    links: list[Link]
    collections: list[Collection]


class Feature(Open):
    type: Literal["Feature"]
    id: str | int | None = None
    geometry: dict[str, Any] | None
    properties: dict[str, Any] | None


class FeatureCollection(Open):
    type: Literal["FeatureCollection"]
    features: list[Feature]
    numberMatched: int | None = None  # noqa: N815
    numberReturned: int | None = None  # noqa: N815
    timeStamp: str | None = None  # noqa: N815
    links: list[Link] = Field(default_factory=list)


class DayCount(BaseModel):
    date: str
    confirmed: int
    possible: int
    excluded: int


class ByDay(BaseModel):
    days: list[DayCount]


class Whereabouts(Open):
    lon: float
    lat: float
    regime: str
    at: str
    zones: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    suspended: list[dict[str, Any]]
    held: dict[str, Any] | None


class Me(BaseModel):
    name: str
    role: Literal["viewer", "analyst", "admin"]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=200)
    rule: str = Field(min_length=1, max_length=200)
    zone: str = Field(min_length=1, max_length=200)
    review: Literal["verified", "disputed", "dismissed"]
    note: str = Field("", max_length=5000)


class Review(Open):
    event_id: str
    rule: str
    zone: str
    review: str
    note: str
    reviewed_by: str
    reviewed_at: str
    machine_status: str
    recheck: bool


class IngestAnswer(Open):
    file: str
    read: int
    new: int
    updated: int
    unchanged: int
    quarantined: int
    kept_aside: list[dict[str, Any]]
    verdicts: int


class NewsAnswer(Open):
    file: str
    articles: int
    events: int
    kept_aside: list[str]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "analyst", "admin"]
    expires_in_days: int = Field(365, ge=1, le=3650)


class UserOut(Open):
    name: str
    role: str
    created: str | None = None
    expires: str | None = None
    revoked: str | None = None
    token: str | None = Field(None, description="shown once, when the user or a new token is made")


class AuditRow(Open):
    audit_id: int
    at: str
    user_name: str | None
    action: str
    target: str
    detail: dict[str, Any]
    client: str | None


class RegimeOut(Open):
    id: str
    name: str | None = None
    active: bool
