"""Bytes -> text for articles and transcripts, never altering a character that was read.

Offsets into the decoded text are what every stage reports, so decoding keeps everything:
a byte-order mark stays as U+FEFF and line endings stay as they are.
"""

from __future__ import annotations

from pathlib import Path

from quoteverify.errors import InputFileError

# Signatures of common binary formats that can otherwise pass as (odd) text.
_MAGIC: tuple[bytes, ...] = (
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: old Word and Excel files
    b"7z\xbc\xaf\x27\x1c",
    b"\xfd7zXZ\x00",
    b"SQLite format 3\x00",
)

# C0 control bytes that never occur in text; tab, LF, FF and CR do.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"

# Above this share of control bytes, valid UTF-8 is still taken for binary data.
_MAX_CONTROL_SHARE = 0.05

_UTF16_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe", "utf-16-le", "UTF-16 little-endian"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 big-endian"),
)

WARN_CP1252 = "not UTF-8; decoded as Windows-1252 (cp1252)"
WARN_LATIN1 = "not UTF-8; decoded as Latin-1 (ISO-8859-1)"


def _binary(name: str) -> InputFileError:
    return InputFileError("binary file, not text", file=name)


def _control_count(data: bytes) -> int:
    return len(data) - len(data.translate(None, _CONTROL))


def decode(data: bytes, *, name: str) -> tuple[str, tuple[str, ...]]:
    """Decode file bytes: UTF-8, else UTF-16 with a BOM, cp1252 or Latin-1, with warnings."""
    if data.startswith(_MAGIC):
        raise _binary(name)
    # UTF-32 BOMs begin like UTF-16 ones, but UTF-32 text is full of NULs: treated as binary.
    if not data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        for bom, codec, label in _UTF16_BOMS:
            if data.startswith(bom):
                return _decode_utf16(data, codec=codec, label=label, name=name)
    if b"\x00" in data:
        raise _binary(name)
    controls = _control_count(data)
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise _binary(name)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    # Legacy 8-bit text has no reason to hold control bytes; a file that does is something else.
    if controls:
        raise _binary(name)
    try:
        return data.decode("cp1252"), (WARN_CP1252,)
    except UnicodeDecodeError:
        # Bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): Latin-1 maps every byte.
        return data.decode("latin-1"), (WARN_LATIN1,)


def _decode_utf16(data: bytes, *, codec: str, label: str, name: str) -> tuple[str, tuple[str, ...]]:
    # Decoding with the explicit-endian codec keeps the BOM as U+FEFF, as for UTF-8.
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"invalid {label} text at byte {exc.start}", file=name) from None
    if "\x00" in text:
        raise _binary(name)
    return text, (f"{label} with a byte-order mark; decoded as UTF-16",)


def read_text(path: Path, *, name: str) -> tuple[str, tuple[str, ...]]:
    """Read and decode a text file; the OS reason for a failure becomes an InputFileError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError("no such file", file=name) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputFileError(f"cannot read: {reason}", file=name) from None
    return decode(data, name=name)
