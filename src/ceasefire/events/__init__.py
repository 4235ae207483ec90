"""Events: the normalized schema, readers for ACLED / UCDP / GeoJSON / mapped CSV, and ingest."""

from .ingest import IngestResult, ingest_file, quarantined
from .readers import FORMATS, read_events
from .schema import EVENT_SCHEMA, json_schema
from .store_io import MONITOR_COLUMNS, events_frame

__all__ = ["EVENT_SCHEMA", "MONITOR_COLUMNS", "FORMATS", "IngestResult", "events_frame", "ingest_file", "json_schema", "quarantined",
           "read_events"]
