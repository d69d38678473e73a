"""quoteverify: verify the quotations of an article against source transcripts."""

from __future__ import annotations

__version__ = "0.1.0"
