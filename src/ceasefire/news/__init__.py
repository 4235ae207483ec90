"""The news reader: articles → clean text → places, dates, actors, claims → sourced, geolocated events."""

from .article import MAX_ARTICLE_BYTES, MAX_TEXT_CHARS, Article, ArticleProblem, read_articles
from .pipeline import events_table, merge_across, read_article, report_json, write_report
from .run import NewsRun, read_news

__all__ = ["MAX_ARTICLE_BYTES", "MAX_TEXT_CHARS", "Article", "ArticleProblem", "NewsRun", "events_table",
           "merge_across", "read_article", "read_articles", "read_news", "report_json", "write_report"]
