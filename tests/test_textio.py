"""Decoding of article and transcript bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from quoteverify.errors import InputFileError
from quoteverify.textio import decode, read_text

CP1252 = "not UTF-8; decoded as Windows-1252 (cp1252)"
LATIN1 = "not UTF-8; decoded as Latin-1 (ISO-8859-1)"


@pytest.mark.parametrize(
    ("data", "text", "warnings"),
    [
        (b"plain ascii\n", "plain ascii\n", ()),
        ("café “quoted” — ok".encode(), "café “quoted” — ok", ()),
        # The BOM and CR LF are kept: offsets into the text must match the file.
        (b"\xef\xbb\xbfline one\r\nline two\r\n", "\ufeffline one\r\nline two\r\n", ()),
        (b"", "", ()),
        (b"tab\tand form feed\x0c\n", "tab\tand form feed\x0c\n", ()),
        ("café “quoted”".encode("cp1252"), "café “quoted”", (CP1252,)),
        (b"Smith\x92s point \x96 costs \x80 5", "Smith’s point – costs € 5", (CP1252,)),
        # 0x81 and 0x9D are undefined in cp1252: Latin-1 takes every byte.
        (b"na\xefve \x81x\x9d", "naïve \x81x\x9d", (LATIN1,)),
        (
            "\ufeffhé said".encode("utf-16-le"),
            "\ufeffhé said",
            ("UTF-16 little-endian with a byte-order mark; decoded as UTF-16",),
        ),
        (
            "\ufeffhé said".encode("utf-16-be"),
            "\ufeffhé said",
            ("UTF-16 big-endian with a byte-order mark; decoded as UTF-16",),
        ),
    ],
)
def test_decode(data: bytes, text: str, warnings: tuple[str, ...]) -> None:
    assert decode(data, name="a.txt") == (text, warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04\x14\x00\x00\x00",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00",
        b"some text\x00with a NUL",
        b"\x01\x02\x03\x04 mostly control bytes \x05\x06",
        # not UTF-8 and holding a control byte: not a legacy text file either
        b"caf\xe9 \x1b[0m",
        "\ufeffhi".encode("utf-32-le"),
    ],
)
def test_decode_binary(data: bytes) -> None:
    with pytest.raises(InputFileError) as info:
        decode(data, name="pic.txt")
    assert str(info.value) == "pic.txt: binary file, not text"
    assert (info.value.message, info.value.file, info.value.line) == (
        "binary file, not text",
        "pic.txt",
        None,
    )


def test_decode_bad_utf16() -> None:
    with pytest.raises(InputFileError) as info:
        decode(b"\xff\xfeh\x00\x00\xdc", name="u.txt")  # a lone low surrogate
    assert str(info.value) == "u.txt: invalid UTF-16 little-endian text at byte 4"


def test_read_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("café “quoted”\r\n".encode("cp1252"))
    assert read_text(path, name="a.txt") == ("café “quoted”\r\n", (CP1252,))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.txt", "no such file"),
        # Tests run as root, where chmod 000 does not stop reading: a folder fails honestly.
        (lambda p: p, "cannot read: Is a directory"),
    ],
)
def test_read_text_errors(make: Callable[[Path], Path], message: str, tmp_path: Path) -> None:
    path = make(tmp_path)
    with pytest.raises(InputFileError) as info:
        read_text(path, name="art.md")
    assert (info.value.file, info.value.message) == ("art.md", message)


def test_read_text_binary(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(InputFileError, match=r"^x\.txt: binary file, not text$"):
        read_text(path, name="x.txt")


def test_read_text_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, which reads files whatever their mode: make the OS refuse instead.
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InputFileError, match=r"^secret\.txt: cannot read: Permission denied$"):
        read_text(path, name="secret.txt")
