"""Articles and transcripts from the web: the shared HTTP client, extraction, corpus sync."""

from __future__ import annotations

from quoteverify.sources.article import (
    ArticleText,
    FetchedArticle,
    article_from_page,
    extract_article,
    fetch_article,
)
from quoteverify.sources.errors import FetchError, SourceError
from quoteverify.sources.http import Fetcher, HttpSettings, Page, check_url, default_cache_dir
from quoteverify.sources.sync import (
    MANIFEST,
    OfflineResult,
    SourceEntry,
    SyncResult,
    check_offline,
    read_manifest,
    sync,
)
from quoteverify.sources.transcript import AddedTranscript, add_transcript, transcript_from_page

__all__ = [
    "MANIFEST",
    "AddedTranscript",
    "ArticleText",
    "FetchError",
    "FetchedArticle",
    "Fetcher",
    "HttpSettings",
    "OfflineResult",
    "Page",
    "SourceEntry",
    "SourceError",
    "SyncResult",
    "add_transcript",
    "article_from_page",
    "check_offline",
    "check_url",
    "default_cache_dir",
    "extract_article",
    "fetch_article",
    "is_url",
    "read_manifest",
    "sync",
    "transcript_from_page",
]


def is_url(arg: str) -> bool:
    """Whether a command-line argument names a URL (any scheme) rather than a file."""
    head, sep, _ = arg.partition("://")
    return bool(sep) and head.isascii() and head.replace("+", "").replace("-", "").isalnum()
