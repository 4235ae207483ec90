"""What a server is started with (the options of `ceasefire serve`), as data."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AppSettings(BaseModel):
    db: str = Field(description="the store: a SQLite file or a postgresql:// address")
    regime: str = Field("syria-northwest", description="a built-in regime's name or a regime YAML file")
    anonymous_read: bool = Field(False, description="reading needs no token")
    tile_url: str | None = Field(None, description="a tile layer for the map; none: boundaries and zones only")
    max_upload_bytes: int = Field(100 * 1024 * 1024, gt=0, description="the largest upload accepted")
    events_in_memory: int = Field(2_000_000, ge=0, description=(
        "a store with at most this many events keeps them in memory, sorted by date, for /collections/events "
        "(about 300 MB a million; rebuilt after an ingest); a larger one is scanned per request"))
    uploads: str | None = Field(None, description="where uploads are kept [default: beside the SQLite store, "
                                                  "or the user data folder]")
