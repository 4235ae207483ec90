"""Events: the normalized schema, readers for ACLED / UCDP / GeoJSON / mapped CSV, and ingest."""

# Names load their modules on first use: the regime's models need only the taxonomy, not pandas and readers.
_LAZY = {
    "IngestResult": "ingest", "ingest_file": "ingest", "quarantined": "ingest", "FORMATS": "readers",
    "read_events": "readers", "EVENT_SCHEMA": "schema", "json_schema": "schema", "MONITOR_COLUMNS": "store_io",
    "events_frame": "store_io",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ceasefire.events' has no attribute {name!r}")


__all__ = ["EVENT_SCHEMA", "MONITOR_COLUMNS", "FORMATS", "IngestResult", "events_frame", "ingest_file", "json_schema",
           "quarantined", "read_events"]
