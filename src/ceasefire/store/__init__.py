"""The store: a SQLite file with migrations; ingest writes in one transaction."""

from .sqlite import connect, default_db_path, migrate, store_label, transaction

__all__ = ["connect", "default_db_path", "migrate", "store_label", "transaction"]
