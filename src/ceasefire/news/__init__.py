"""The news reader: articles → clean text → places, dates, actors, claims → sourced, geolocated events."""

from .article import Article, read_articles
from .pipeline import events_table, merge_across, read_article, report_json, write_report

__all__ = ["Article", "events_table", "merge_across", "read_article", "read_articles", "report_json", "write_report"]
