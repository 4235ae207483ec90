"""Events: the normalized schema, readers for ACLED / UCDP / GeoJSON / mapped CSV, and ingest."""

from .._lazy import lazy_names

# Names load their modules on first use: the regime's models need only the taxonomy, not pandas and readers.
_LAZY = {
    "IngestResult": "ingest", "ingest_file": "ingest", "quarantined": "ingest", "FORMATS": "readers",
    "read_events": "readers", "EVENT_SCHEMA": "schema", "json_schema": "schema", "MONITOR_COLUMNS": "store_io",
    "events_frame": "store_io",
}


__getattr__ = lazy_names(__name__, _LAZY)

__all__ = ["EVENT_SCHEMA", "MONITOR_COLUMNS", "FORMATS", "IngestResult", "events_frame", "ingest_file", "json_schema",
           "quarantined", "read_events"]
