"""One exception tree for failures of the tool (never for failures of a quote)."""

from __future__ import annotations


class QuoteverifyError(Exception):
    """Base of every error quoteverify raises; the CLI turns it into exit status 2."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class InputFileError(QuoteverifyError):
    """An article that cannot be read or decoded."""


class CorpusError(QuoteverifyError):
    """A transcript that cannot be parsed, or an empty or missing corpus."""


class ConfigError(QuoteverifyError):
    """A bad option or configuration value."""
