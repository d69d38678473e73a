"""quoteverify: verify the quotations of an article against source transcripts."""

from __future__ import annotations

__version__ = "0.1.0"

from quoteverify.config import Config
from quoteverify.corpus import load_corpus
from quoteverify.errors import QuoteverifyError
from quoteverify.models import Attribution, Finding, Passage, Quote, Report, Verdict
from quoteverify.pipeline import ExitStatus, exit_status, verify_text

__all__ = [
    "Attribution",
    "Config",
    "ExitStatus",
    "Finding",
    "Passage",
    "Quote",
    "QuoteverifyError",
    "Report",
    "Verdict",
    "__version__",
    "exit_status",
    "load_corpus",
    "verify_text",
]
