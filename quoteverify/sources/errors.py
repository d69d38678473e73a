"""The errors of fetching from the web: one line naming the URL and the reason."""

from __future__ import annotations

from quoteverify.errors import QuoteverifyError

__all__ = ["FetchError", "SourceError"]


class SourceError(QuoteverifyError):
    """A web source that cannot be used: a bad manifest, a page with no turns, a file clash."""


class FetchError(SourceError):
    """A URL that could not be fetched; `reason` is a short kind, the message says the rest.

    Reasons: scheme, dns, connect, timeout, status, redirect, too-large, not-text, encoding.
    """

    def __init__(self, url: str, reason: str, message: str, *, status: int | None = None) -> None:
        super().__init__(message, file=url)
        self.url = url
        self.reason = reason
        self.status = status
