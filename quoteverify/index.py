"""A persistent, memory-mapped corpus index: canonical words, offsets, runs and n-gram postings.

`build_or_refresh` writes the index (by default DIR/.quoteverify/) and keeps it up to date by
content hash, re-normalising only the transcripts added or changed since the last build;
`open_index` maps it back without reading it, as a `DiskIndex` that offers the surface
`match_quote` uses on a `CorpusIndex`. The format is documented in docs/index.md.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import fcntl
import functools
import gc
import hashlib
import itertools
import json
import mmap
import os
import shutil
import struct
import sys
import time
from collections.abc import (
    Callable,
    Generator,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

from quoteverify.corpus import (
    ALIASES_FILE,
    display_path,
    merge_aliases,
    norm_label,
    parse_transcript,
    parse_vtt,
    read_aliases,
    transcript_files,
)
from quoteverify.errors import CorpusError, InputFileError, QuoteverifyError
from quoteverify.match import source_slice
from quoteverify.models import Diagnostic, Transcript, Turn
from quoteverify.normalise import canonical_name, normalise_turns_arrays, same_person
from quoteverify.textio import decode

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Bumped whenever the layout changes: an index of another version is rebuilt, never read.
INDEX_VERSION = 8
INDEX_DIRNAME = ".quoteverify"
# Tokens per shard: the merge step holds about 40 bytes per token of one shard at a time, so
# this keeps a build under about 1 GB whatever the corpus size.
SHARD_TOKENS = 4_000_000
# A corpus of more than this many bytes has two shards at least, a shard closing once it holds
# half the corpus's bytes: the last shard is written, and its postings grouped, after the last
# transcript, on one core (at 1 M words, one shard of 1 M tokens: 85 ms of a 0.85 s build; with
# two, the build's median over 12 builds alternating with one shard was 0.825 s against 0.845).
_SPLIT_BYTES = 1 << 20
# Tokens per block of start offsets (a power of two), and the mark bit of a block kept whole.
_BLOCK = 64
_BLOCK_BITS = 6
_OVER = 1 << 31
# A word with more postings than this keeps its pairs' rows whole (bi_big), not in 16 bits.
_REL_MAX = 0xFFFF
# Word ids are stored in 16 bits; this value and up stand for "the id is in the wide table".
_ID_SHORT = 0xFFFF
# Characters per compressed block of text, the most of the preset dictionary, and the zstd
# level. A passage decompresses a block or two: about 5 us each for 2,048 characters (zlib took
# 16). The build compresses every character: zstd at level 1 with the dictionary compresses
# these blocks 3 times as fast as zlib at level 1 did, in 1 % less room on generated text and 6 %
# more on the debates (level 3: 4 % less room than level 1, 40 % more time).
_TEXT_BLOCK = 2048
_TEXT_DICT = 32768
_TEXT_LEVEL = 1
# Transcripts handed to a compressing process at a time: a message each woke it (and, on two
# busy cores, set the merge aside) 125 times at 1 M words.
_TEXT_BATCH = 8
# Tokens of the first transcripts whose words make the dictionary.
_DICT_SAMPLE = 1 << 16
# Words whose ids an open index remembers (a few MB at most).
_ID_CACHE = 1 << 16
# Token windows whose ids are kept (a query bounds then aligns a few dozen at most).
_RECENT_WINDOWS = 64
# Below this many postings, a process to sort half of them costs more than it saves.
_PARALLEL_POSTINGS = 1 << 19
# Below this many transcripts to normalise, worker processes cost more than they save.
_POOL_MIN_FILES = 4
_CURRENT = "CURRENT"
_LOCK = "lock"
_MANIFEST = "manifest.json"
_STAT = "stat.json"
# Modules whose code decides the cached tokens: a change to any of them invalidates caches.
_FINGERPRINT_MODULES = ("normalise", "corpus", "textio")


class IndexError_(QuoteverifyError):
    """An index that cannot be used: missing, of another version, or damaged."""


@dataclass(frozen=True)
class BuildStats:
    """What a build or refresh did."""

    index_dir: str
    reason: str  # why a new index was written: missing, stale, version, damaged; or fresh
    rebuilt: bool  # a new index was written (False: it was already fresh)
    transcripts: int
    normalised: int  # transcripts parsed and normalised in this run
    reused: int  # transcripts whose cached tokens were reused
    removed: int  # transcripts of the previous index that are gone
    words: int
    text_bytes: int  # bytes of transcript files
    seconds: float
    index_bytes: int
    warnings: tuple[Diagnostic, ...] = ()


Progress = Callable[[int, int, int], None]  # (files done, files to do, words so far)


class RunInfo(NamedTuple):
    """A run of consecutive turns of one speaker label, as match.py's _Run."""

    doc: int
    first: int
    end: int
    speaker: int


# --- hashing --------------------------------------------------------------------------------


# A word's hash mixes its UTF-8 eight bytes at a time (little-endian, the last chunk padded
# with zeros), starting from its length: the build hashes every distinct word of the corpus at
# once in numpy, a chunk position at a time (0.11 us a word, where blake2b took 0.66 in the
# merge's busy process), and a reader a query's few words in Python (0.7-0.9 us; cached).
# Words of up to 8 bytes never collide: each step is a bijection of the chunk for one length.
_HASH_SEED = 0x9E3779B97F4A7C15
_HASH_MUL = 0xBF58476D1CE4E5B9
_MASK64 = (1 << 64) - 1


def word_hash(word: str) -> int:
    """The stable 64-bit hash of a canonical word (of its UTF-8, eight bytes at a time)."""
    data = word.encode("utf-8", "surrogatepass")
    chunks = -(-len(data) // 8)
    h = _HASH_SEED ^ len(data)
    for chunk in struct.unpack(f"<{chunks}Q", data.ljust(8 * chunks, b"\0")):
        h = ((h ^ chunk) * _HASH_MUL) & _MASK64
        h ^= h >> 31
    return h


def _word_hashes(words: Sequence[bytes]) -> npt.NDArray[np.uint64]:
    """word_hash of many words at once, given as UTF-8."""

    return _joined_hashes(*_joined(words))


def _joined(words: Sequence[bytes]) -> tuple[bytes, npt.NDArray[np.int64]]:
    """The words one after another, and the length of each."""
    import numpy as np

    return b"".join(words), np.fromiter(map(len, words), dtype=np.int64, count=len(words))


def _joined_hashes(blob: bytes, lengths: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """word_hash of each of the words that `blob` holds one after another."""
    import numpy as np

    n = len(lengths)
    padded = np.zeros(len(blob) + 8, dtype=np.uint8)
    padded[: len(blob)] = np.frombuffer(blob, dtype=np.uint8)
    # The eight bytes from each offset, as one unaligned integer.
    at_offset = np.ndarray((len(blob) + 1,), dtype="<u8", buffer=padded.data, strides=(1,))
    # The first `lengths` bytes of a chunk that may run past its word's end.
    masks = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
    # Most chunks first, so the words still going at chunk j are a prefix.
    chunks = -(-lengths // 8)
    order = np.argsort(-chunks, kind="stable")
    starts = (np.cumsum(lengths) - lengths)[order]
    left = lengths[order]
    going = np.searchsorted(-chunks[order], -np.arange(int(chunks.max()) if n else 0), "left")
    h = np.uint64(_HASH_SEED) ^ left.astype(np.uint64)
    mul, shift = np.uint64(_HASH_MUL), np.uint64(31)
    for j, count in enumerate(going.tolist()):
        at = starts[:count] + 8 * j
        chunk = at_offset[at] & masks[np.minimum(left[:count] - 8 * j, 8)]
        part = h[:count]
        part ^= chunk
        part *= mul  # wraps modulo 2^64, as the hash means
        part ^= part >> shift
    out = np.empty(n, dtype=np.uint64)
    out[order] = h
    return out


def _fingerprint() -> str:
    """Hash of the index version and of the code that parses and normalises transcripts."""
    h = hashlib.sha256(f"quoteverify-index-{INDEX_VERSION}-{_CACHE_VERSION}".encode())
    for name in _FINGERPRINT_MODULES:
        module = sys.modules.get(f"quoteverify.{name}")
        file = getattr(module, "__file__", None)
        if file:
            h.update(Path(file).read_bytes())
    return h.hexdigest()[:16]


# --- scanning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """A transcript file found in a corpus folder."""

    corpus: str
    path: str  # relative to the corpus folder, forward slashes
    file: str
    size: int
    mtime_ns: int

    @property
    def kind(self) -> str:
        return "vtt" if self.path.lower().endswith(".vtt") else "txt"

    @property
    def where(self) -> str:
        return display_path(self.corpus, self.path)


def default_index_dir(corpus_dirs: Sequence[str]) -> Path:
    """DIR/.quoteverify for the first corpus folder."""
    if not corpus_dirs:
        raise CorpusError("no corpus folder given")
    return Path(corpus_dirs[0]) / INDEX_DIRNAME


def _scan(corpus_dirs: Sequence[str]) -> tuple[list[_Source], list[_Source]]:
    """Transcript files and alias files of the folders, by stat only, in load_corpus order."""
    if not corpus_dirs:
        raise CorpusError("no corpus folder given")
    sources: list[_Source] = []
    aliases: list[_Source] = []
    for corpus in corpus_dirs:
        root = Path(corpus)
        if not root.exists():
            raise CorpusError("corpus folder not found", file=corpus)
        if not root.is_dir():
            raise CorpusError("corpus path is not a folder", file=corpus)
        found = []
        for file in transcript_files(root):
            st = file.stat()
            rel = file.relative_to(root).as_posix()
            found.append(_Source(corpus, rel, str(file), st.st_size, st.st_mtime_ns))
        if not found:
            raise CorpusError("no transcripts (.txt, .vtt) found", file=corpus)
        sources += found
        alias_file = root / ALIASES_FILE
        if alias_file.is_file():
            st = alias_file.stat()
            aliases.append(_Source(corpus, ALIASES_FILE, str(alias_file), st.st_size, 0))
    sources.sort(key=lambda s: (s.corpus, s.path))
    return sources, aliases


def _sha256(file: str) -> str:
    h = hashlib.sha256()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- per-transcript caches ------------------------------------------------------------------

# A cache entry is one file, <sha256>-<kind>.bin: little-endian uint32 word numbers (each
# token's word among the transcript's distinct words), token starts and lengths, line starts,
# then the distinct words (UTF-8, NUL between them), the text as UTF-8, the head (JSON: turns,
# metadata, sizes) and the head's length (uint64). One file, not a head and a body: creating a
# file cost 10 to 260 us of a worker's CPU here, as much as normalising 2 KB of text.
# Entries depend on the file's bytes only, so a renamed or copied file reuses its entry.
# Bumped whenever that layout changes (it is part of the cache folder's name).
_CACHE_VERSION = 3


def _cache_name(sha: str, kind: str) -> str:
    return f"{sha}-{kind}.bin"


# A transcript to normalise: file, sha256 as scanned, path, corpus folder, kind, cache folder.
# The worker reads the file itself: the main process would only pass its bytes on.
# With the file's size and mtime when its sha256 was computed in this build (a file that
# still has them is taken to have the bytes hashed, as the stat record is between builds),
# else None: a remembered sha256 is checked by hashing what the worker reads.
_Job = tuple[str, str, str, str, str, str, tuple[int, int] | None]
# What a worker returns of a transcript: its sha256, tokens, its distinct words' keys, the words
# as its cache entry holds them, and the entry's head (so the merge reads neither again).
_Made = tuple[str, int, bytes, bytes, dict[str, Any]]


def _normalise_source(job: _Job) -> _Made:
    """Worker: read, decode, parse and normalise one transcript and write its cache entry."""
    file, sha, path, corpus, kind, cache_dir, stamp = job
    where = display_path(corpus, path)
    try:
        with open(file, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except OSError as exc:
        raise CorpusError(f"cannot read: {exc.strerror or exc}", file=where) from None
    if (
        (st.st_size, st.st_mtime_ns) != stamp
        if stamp is not None
        else hashlib.sha256(data).hexdigest() != sha
    ):
        raise CorpusError("changed while the index was being built; run again", file=where)
    try:
        text, warnings = decode(data, name=where)
    except InputFileError as exc:
        raise CorpusError(exc.message, file=where) from None
    parse = parse_vtt if kind == "vtt" else parse_transcript
    transcript = parse(text, path=path, corpus=corpus)
    # The lists and tuples made here all die young or live to the end: the cyclic garbage
    # collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        spans = [(turn.start, len(turn.text)) for turn in transcript.turns]
        # Each token as the number of its word among the transcript's distinct words (`vocab`,
        # in order of first appearance): the merge gives each distinct word its corpus-wide id.
        vocab, ids, starts, lens, counts, keys = normalise_turns_arrays(text, spans)
    finally:
        if collecting:
            gc.enable()
    turns = [
        [turn.speaker, turn.line, turn.start, len(turn.text), n]
        for turn, n in zip(transcript.turns, counts, strict=True)
    ]
    words = "\x00".join(vocab).encode("utf-8", "surrogatepass")
    if words.count(b"\x00") != max(len(vocab) - 1, 0):  # pragma: no cover - norms hold no NUL
        raise AssertionError("a canonical word holds NUL")
    head = {
        "meta": dict(transcript.meta),
        "speakers": list(transcript.speakers),
        "turns": turns,
        "warnings": list(warnings),
        "tokens": len(ids),
        "lines": len(transcript.line_starts),
        "words": len(vocab),
        "words_bytes": len(words),
    }
    encoded = text.encode("utf-8", "surrogatepass")
    head["text_bytes"] = len(encoded)
    head_bytes = _json_bytes(head)
    body = b"".join(
        (
            ids.astype("<u4", copy=False).tobytes(),
            starts.astype("<u4", copy=False).tobytes(),
            lens.astype("<u4", copy=False).tobytes(),
            _u4(transcript.line_starts).tobytes(),
            words,
            encoded,
            head_bytes,
            len(head_bytes).to_bytes(8, "little"),
        )
    )
    _write_atomic(Path(cache_dir, _cache_name(sha, kind)), body, sync=False)
    # The words' str hashes, kept by the normaliser's table: the merge, forked from the same
    # process and so of the same hash seed, tells the words apart by them without the strings.
    return sha, len(ids), keys.astype("<i8", copy=False).tobytes(), words, head


def _u4(values: Iterable[int]) -> npt.NDArray[np.uint32]:
    """The values as little-endian uint32 (array.array reads a list several times faster)."""
    import numpy as np

    native = array.array("I", values)
    if native.itemsize != 4:  # pragma: no cover - a C unsigned int of another size
        return np.array(native, dtype="<u4")
    return np.frombuffer(native, dtype=np.uint32).astype("<u4", copy=False)


@dataclass
class _Entry:
    """A cache entry read back for the merge."""

    head: Mapping[str, Any]
    ids: npt.NDArray[np.uint32]  # each token's number among the transcript's distinct words
    starts: npt.NDArray[np.uint32]
    lens: npt.NDArray[np.uint32]
    line_starts: npt.NDArray[np.uint32]
    text: bytes


def _words_at(head: Mapping[str, Any]) -> int:
    """Where the distinct words start in a cache entry."""
    return 12 * int(head["tokens"]) + 4 * int(head["lines"])


def _text_at(head: Mapping[str, Any]) -> int:
    """Where the text starts in a cache entry."""
    return _words_at(head) + int(head["words_bytes"])


def _read_head(f: BinaryIO) -> dict[str, Any] | None:
    """The head of an open cache entry (its end), or None when damaged."""
    try:
        size = f.seek(0, os.SEEK_END)
        if size < 8:
            return None
        f.seek(size - 8)
        length = int.from_bytes(f.read(8), "little")
        if length > size - 8:
            return None
        f.seek(size - 8 - length)
        head = json.loads(f.read(length))
        # Whether the file holds what the head says it does, and no more.
        whole = isinstance(head, dict) and size == _text_at(head) + head["text_bytes"] + length + 8
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return head if whole else None


def _read_entry(
    cache_dir: Path,
    sha: str,
    kind: str,
    head: Mapping[str, Any] | None = None,
    *,
    text: bool = True,
) -> _Entry | None:
    """A cache entry, or None when it is missing or damaged.

    With `head` (already read: parsing it again would cost as much as the rest), the head is
    not read again; without `text`, only its arrays (the entry's text is then empty).
    """
    import numpy as np

    try:
        with open(cache_dir / _cache_name(sha, kind), "rb") as f:
            if head is None:
                head = _read_head(f)
                if head is None:
                    return None
            n, lines = int(head["tokens"]), int(head["lines"])
            at = _text_at(head)
            end = at + int(head["text_bytes"])
            # Whether the file holds the words and text that the head says it does.
            complete = f.seek(0, os.SEEK_END) >= end + 8
            f.seek(0)
            body = f.read(end if text else _words_at(head))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not complete:
        return None
    ids, starts, lens, line_starts = (
        np.frombuffer(body, dtype="<u4", count=count, offset=4 * skip)
        for count, skip in ((n, 0), (n, n), (n, 2 * n), (lines, 3 * n))
    )
    return _Entry(head, ids, starts, lens, line_starts, body[at:] if text else b"")


def _read_text(cache_dir: Path, sha: str, kind: str, head: Mapping[str, Any]) -> bytes | None:
    """A cache entry's text alone (UTF-8), or None when the entry is missing or damaged."""
    try:
        at, size = _text_at(head), int(head["text_bytes"])
        with open(cache_dir / _cache_name(sha, kind), "rb") as f:
            f.seek(at)
            data = f.read(size)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return data if len(data) == size else None


def _read_words(cache_dir: Path, d: _Doc, head: Mapping[str, Any]) -> list[str] | None:
    """The distinct words of a cache entry, or None if damaged."""
    try:
        size = int(head["words_bytes"])
        with open(cache_dir / _cache_name(d.sha, d.source.kind), "rb") as f:
            f.seek(_words_at(head))
            data = f.read(size)
        words = data.decode("utf-8", "surrogatepass").split("\x00") if data else []
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return words if len(data) == size and len(words) == head.get("words") else None


# --- files ----------------------------------------------------------------------------------


def _json_bytes(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        if sync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Writer:
    """Writes the arrays of one index generation and records their names, types and sizes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, list[Any]] = {}

    def array(self, name: str, arr: Any, fmt: str) -> None:
        """Write a 1-D array as raw little-endian values of struct format fmt (I, Q, H)."""
        import numpy as np

        dtype = {"I": "<u4", "Q": "<u8", "H": "<u2", "B": "u1"}[fmt]
        # Written from the array's own memory, not a copy of it as bytes.
        self.raw(name, np.ascontiguousarray(arr, dtype=dtype).data, fmt)

    def stream(self, name: str, fmt: str) -> _Stream:
        """A file of the generation written in parts (closed by the caller)."""
        return _Stream(self, name, fmt)

    def raw(self, name: str, data: bytes | memoryview, fmt: str = "B") -> None:
        """Write bytes as one file of the generation."""
        with open(self.folder / name, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        self.files[name] = [fmt, memoryview(data).nbytes]


class _Stream:
    """One array file written part by part, so a merge never holds it whole."""

    def __init__(self, writer: _Writer, name: str, fmt: str) -> None:
        self.writer = writer
        self.name = name
        self.fmt = fmt
        self.dtype = {"I": "<u4", "Q": "<u8", "H": "<u2"}[fmt]
        self.file = open(writer.folder / name, "wb")  # noqa: SIM115 (closed by close())
        self.size = 0

    def put(self, arr: Any) -> None:
        """Append the values of a 1-D array."""
        import numpy as np

        data = np.ascontiguousarray(arr, dtype=self.dtype).tobytes()
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        """Flush, fsync and record the file."""
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        self.writer.files[self.name] = [self.fmt, self.size]


# --- build ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Doc:
    source: _Source
    sha: str
    hashed: bool = False  # the sha256 is of the file as this build read it, not remembered


def _previous(index_dir: Path) -> tuple[dict[str, Any] | None, dict[str, Any], str]:
    """The current generation's manifest and stat record (or None), and why it is unusable."""
    try:
        gen = _current_dir(index_dir)
        manifest = json.loads((gen / _MANIFEST).read_bytes())
    except (OSError, ValueError, IndexError_):
        return None, {}, "missing" if not (index_dir / _CURRENT).exists() else "damaged"
    if not isinstance(manifest, dict) or manifest.get("version") != INDEX_VERSION:
        return None, {}, "version"
    if not _complete(gen, manifest):
        return None, {}, "damaged"
    try:
        stat = json.loads((gen / _STAT).read_bytes())
    except (OSError, ValueError):
        stat = {}
    return manifest, stat if isinstance(stat, dict) else {}, "stale"


def _complete(gen: Path, manifest: Mapping[str, Any]) -> bool:
    """Every file of the manifest is there with its size (a stat each, nothing read)."""
    try:
        return all(
            (gen / name).stat().st_size == size for name, (_fmt, size) in manifest["files"].items()
        )
    except (OSError, KeyError, TypeError, ValueError):
        return False


# Bytes to hash from which threads are worth starting: at 1 M words (8.8 MB in 125 files) two
# threads took 20 to 50 ms against 10 to 13 for one; at 100 M words (940 MB), 0.87 s against 1.33.
_THREADED_HASHING = 64 << 20


def _resolve_shas(
    sources: Sequence[_Source], stat: Mapping[str, Any], threads: int = 1
) -> list[_Doc]:
    """Each source with its sha256: from the last build when size and mtime are unchanged,
    else hashed (on `threads` threads: hashlib lets go of the GIL)."""
    known = stat.get("files", {})
    remembered: dict[int, str] = {}
    for k, s in enumerate(sources):
        rec = known.get(f"{s.corpus}\x00{s.path}")
        if isinstance(rec, list) and rec[:2] == [s.size, s.mtime_ns]:
            remembered[k] = str(rec[2])
    todo = [s.file for k, s in enumerate(sources) if k not in remembered]
    size = sum(s.size for k, s in enumerate(sources) if k not in remembered)
    if threads > 1 and len(todo) > 1 and size > _THREADED_HASHING:
        from concurrent.futures import ThreadPoolExecutor

        # Joined before the build forks its workers.
        with ThreadPoolExecutor(threads) as pool:
            hashed = iter(list(pool.map(_sha256, todo)))
    else:
        hashed = map(_sha256, todo)
    return [
        _Doc(s, remembered[k]) if k in remembered else _Doc(s, next(hashed), True)
        for k, s in enumerate(sources)
    ]


def _alias_state(
    aliases: Sequence[_Source],
) -> tuple[dict[str, str], dict[str, str], list[Diagnostic], list[list[str]]]:
    """The merged alias table (load_corpus's rules), where each is set, warnings, hashes."""
    table: dict[str, str] = {}
    where_of: dict[str, str] = {}
    diags: list[Diagnostic] = []
    hashes = []
    for a in aliases:
        where = display_path(a.corpus, ALIASES_FILE)
        folder, folder_diags = read_aliases(Path(a.file), where=where)
        diags += folder_diags
        hashes.append([a.corpus, _sha256(a.file)])
        merge_aliases(table, where_of, folder, where)
    return table, where_of, diags, hashes


def _same_content(manifest: Mapping[str, Any], state: Mapping[str, Any]) -> bool:
    return all(manifest.get(k) == v for k, v in state.items())


def build_or_refresh(
    corpus_dirs: Sequence[str],
    index_dir: str | Path | None = None,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    shard_tokens: int = SHARD_TOKENS,
) -> BuildStats:
    """Build the index of the corpus folders, or bring it up to date; a fresh index is kept."""
    t0 = time.perf_counter()
    folder = Path(index_dir) if index_dir is not None else default_index_dir(corpus_dirs)
    sources, alias_files = _scan(corpus_dirs)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / _LOCK, "a+b") as lock:
        # One build at a time; readers never lock (they follow CURRENT).
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        return _build_locked(
            folder, list(corpus_dirs), sources, alias_files, workers, progress, shard_tokens, t0
        )


# glibc's mallopt parameters, and the defaults they are set back to after a build.
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_DEFAULT_TRIM_THRESHOLD = 128 * 1024
_DEFAULT_MMAP_MAX = 65536


@contextlib.contextmanager
def _heap_kept() -> Iterator[None]:
    """Large blocks come from the heap and stay there once freed (glibc), for the postings.

    The postings merge allocates arrays of tens of MB one after another; glibc maps each afresh
    and unmaps it when freed, and every page of a fresh mapping costs a page fault (some
    microseconds each on a virtual machine): at 100 M words it spent a third of its time
    faulting (794,000 faults; with the heap kept, 200,000, and 2.6 s less of its 11.6 wall,
    6 CPU-s less with its forked process, which inherits the setting). Kept to the postings: the
    normalising workers ran no faster with it. Elsewhere (another C library) nothing changes.
    """
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        yield
        return
    if not (mallopt(_M_MMAP_MAX, 0) and mallopt(_M_TRIM_THRESHOLD, 1 << 30)):  # pragma: no cover
        mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
        yield
        return
    try:
        yield
    finally:
        mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
        mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM_THRESHOLD)
        trim(0)  # what the build freed goes back to the system


def _build_locked(
    folder: Path,
    corpus_dirs: list[str],
    sources: list[_Source],
    alias_files: list[_Source],
    workers: int,
    progress: Progress | None,
    shard_tokens: int,
    t0: float,
) -> BuildStats:
    manifest, stat, reason = _previous(folder)
    docs = _resolve_shas(sources, stat, workers)
    aliases, alias_where, alias_diags, alias_hashes = _alias_state(alias_files)
    fingerprint = _fingerprint()
    state = {
        "fingerprint": fingerprint,
        "corpora": corpus_dirs,
        "alias_files": alias_hashes,
        "docs": [[d.source.corpus, d.source.path, d.sha] for d in docs],
    }
    text_bytes = sum(d.source.size for d in docs)
    if manifest is not None and _same_content(manifest, state):
        _write_stat(folder / _current_name(folder), docs)
        return BuildStats(
            str(folder),
            "fresh",
            False,
            len(docs),
            0,
            len(docs),
            0,
            int(manifest["words"]),
            text_bytes,
            time.perf_counter() - t0,
            _index_bytes(folder),
            tuple(Diagnostic(*w) for w in manifest.get("warnings", [])),
        )
    cache_dir = folder / "cache" / fingerprint
    cache_dir.mkdir(parents=True, exist_ok=True)
    old = {(c, p) for c, p, _ in manifest["docs"]} if manifest else set()
    removed = len(old - {(d.source.corpus, d.source.path) for d in docs})
    todo = [d for d in docs if not _cached(cache_dir, d)]
    for stale in _scratch_dirs(folder):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = folder / f"tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        # The merge reads each transcript's entry as soon as the workers have made it.
        ready = _Ready(todo, cache_dir, workers, progress)
        words, warnings = _merge(
            tmp,
            docs,
            cache_dir,
            (aliases, alias_where, alias_diags),
            state,
            shard_tokens,
            workers,
            ready,
        )
        _write_stat(tmp, docs)
        _fsync_dir(tmp)
        name = _next_generation(folder)
        os.replace(tmp, folder / name)
        _fsync_dir(folder)
        _write_atomic(folder / _CURRENT, f"{name}\n".encode())
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _collect_garbage(folder, name, cache_dir)
    return BuildStats(
        str(folder),
        reason,
        True,
        len(docs),
        len(todo),
        len(docs) - len(todo),
        removed,
        words,
        text_bytes,
        time.perf_counter() - t0,
        _index_bytes(folder),
        tuple(warnings),
    )


def _cached(cache_dir: Path, doc: _Doc) -> bool:
    return (cache_dir / _cache_name(doc.sha, doc.source.kind)).is_file()


def _jobs(todo: Sequence[_Doc], cache_dir: Path) -> list[_Job]:
    folder = str(cache_dir)
    return [
        (
            d.source.file,
            d.sha,
            d.source.path,
            d.source.corpus,
            d.source.kind,
            folder,
            (d.source.size, d.source.mtime_ns) if d.hashed else None,
        )
        for d in todo
    ]


def _normalise_all(
    todo: Sequence[_Doc], cache_dir: Path, workers: int, progress: Progress | None
) -> None:
    """Normalise the transcripts without a cache entry, in worker processes when worth it."""
    for _made in _normalised(todo, cache_dir, workers, progress):
        pass


def _normalised(
    todo: Sequence[_Doc],
    cache_dir: Path,
    workers: int,
    progress: Progress | None,
) -> Generator[_Made, None, None]:
    """_normalise_all, yielding what each worker made once the transcript's entry is written."""
    done = words = 0
    if progress:
        progress(0, len(todo), 0)
    if workers <= 1 or len(todo) < _POOL_MIN_FILES:
        for job in _jobs(todo, cache_dir):
            made = _normalise_source(job)
            words += made[1]
            done += 1
            if progress:
                progress(done, len(todo), words)
            yield made
        return
    import numpy  # noqa: F401 - imported once here, not once in each forked worker

    for made in _forked(_normalise_source, _jobs(todo, cache_dir), workers):
        words += made[1]
        done += 1
        if progress:
            progress(done, len(todo), words)
        yield made


# Bytes a pipe holds before its writer waits (Linux; the default is 64 KB): a worker's result is
# some 65 KB (keys, words, head), and the merge reads them between transcripts.
_PIPE_BYTES = 1 << 20


def _forked(
    task: Callable[[Any], Any], items: Sequence[Any], processes: int
) -> Generator[Any, None, None]:
    """task(item) of each item in forked processes, yielded as they come.

    Each process takes the next item from a shared counter and answers on a pipe of its own, so
    the results of one process come in the order it made them. Not multiprocessing.Pool: its
    worker-handler thread wakes whenever a result waits in its pipe, and while the merge holds
    the GIL it spun thousands of times a build (about a CPU-second at 10 M words).
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)
    readers: dict[Any, Any] = {}
    try:
        for _ in range(processes):
            reader, writer = ctx.Pipe(duplex=False)
            _widen(writer)
            proc = ctx.Process(
                target=_forked_child, args=(task, items, counter, writer), daemon=True
            )
            proc.start()
            writer.close()
            readers[reader] = proc
        while readers:
            for ready in wait(list(readers)):
                reader = cast(Any, ready)
                kind, value = _receive(reader, "build worker")
                if kind == "result":
                    yield value
                else:  # "done"
                    readers.pop(reader).join()
                    reader.close()
    finally:
        for reader, proc in readers.items():
            proc.terminate()
            proc.join()
            reader.close()


def _widen(conn: Any) -> None:
    """Let a pipe hold _PIPE_BYTES before its writer waits (Linux; elsewhere as it is)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _receive(conn: Any, who: str) -> tuple[str, Any]:
    """A forked process's next message (kind, value); the exception it sent is raised here."""
    try:
        kind, value = conn.recv()
    except EOFError:
        raise IndexError_(f"a {who} process ended unexpectedly") from None
    if kind == "error":
        raise value
    return kind, value


def _forked_child(task: Callable[[Any], Any], items: Sequence[Any], counter: Any, out: Any) -> None:
    """A _forked process: the next item until there are none, each result sent on `out`."""
    try:
        while True:
            with counter.get_lock():
                i = counter.value
                counter.value = i + 1
            if i >= len(items):
                break
            out.send(("result", task(items[i])))
        out.send(("done", None))
    except Exception as exc:  # handed to the merge, which raises it
        out.send(("error", exc))


class _Ready:
    """Which transcripts have a cache entry, while the workers normalise the others.

    The merge asks for the transcripts in order and reads each as soon as it is ready, so its
    work per transcript overlaps the normalising (the workers are handed them in that order).
    The workers hand the keys of each transcript's words (_Vocabulary.number) with it.
    """

    def __init__(
        self, todo: Sequence[_Doc], cache_dir: Path, workers: int, progress: Progress | None
    ) -> None:
        # Transcripts of the same bytes share an entry: each is ready once all are made.
        self.pending: dict[str, int] = {}
        for d in todo:
            self.pending[d.sha] = self.pending.get(d.sha, 0) + 1
        self.uses = dict(self.pending)
        self.vocab = _Vocabulary()
        self.made: dict[str, tuple[bytes, bytes, dict[str, Any]]] = {}
        self.results = _normalised(todo, cache_dir, workers, progress)

    def _take(self, made: _Made) -> None:
        sha, _tokens, keys, words, head = made
        self.made[sha] = (keys, words, head)
        self.pending[sha] -= 1
        if not self.pending[sha]:
            del self.pending[sha]

    def wait(self, doc: _Doc) -> None:
        """Return once the transcript's entry is written."""
        while doc.sha in self.pending:
            self._take(next(self.results))

    def keys(self, doc: _Doc) -> tuple[bytes, bytes, dict[str, Any]] | None:
        """The keys of a transcript's distinct words (int64), the words (as its cache entry
        holds them) and the entry's head, if a worker made it just now."""
        found = self.made.get(doc.sha)
        if found is not None:
            self.uses[doc.sha] -= 1
            if not self.uses[doc.sha]:
                del self.made[doc.sha]
        return found

    def finish(self) -> None:
        """Wait for every transcript (and the workers' end)."""
        for made in self.results:
            self._take(made)

    def close(self) -> None:
        """Stop the workers (after finish, or on an error)."""
        self.results.close()


def _merge(
    out: Path,
    docs: Sequence[_Doc],
    cache_dir: Path,
    alias_info: tuple[Mapping[str, str], Mapping[str, str], Sequence[Diagnostic]],
    state: Mapping[str, Any],
    shard_tokens: int,
    workers: int = 1,
    ready: _Ready | None = None,
) -> tuple[int, list[Diagnostic]]:
    """Write one generation from the cache entries: global tables, then shard by shard.

    With `ready`, the transcripts still being normalised are read as their entries appear.
    """
    w = _Writer(out)
    # The text is compressed from early on, on other cores when there are workers.
    text = _TextWriter(out / "text", _TEXT_BLOCK, max(workers - 1, 0), cache_dir)
    ready = ready if ready is not None else _Ready([], cache_dir, 1, None)
    try:
        return _merge_tables(w, text, docs, cache_dir, alias_info, state, shard_tokens, ready)
    finally:
        ready.close()
        text.abort()


def _merge_tables(
    w: _Writer,
    text: _TextWriter,
    docs: Sequence[_Doc],
    cache_dir: Path,
    alias_info: tuple[Mapping[str, str], Mapping[str, str], Sequence[Diagnostic]],
    state: Mapping[str, Any],
    shard_tokens: int,
    ready: _Ready,
) -> tuple[int, list[Diagnostic]]:
    """_merge, while `text` compresses the text."""
    import numpy as np

    aliases, alias_where, alias_diags = alias_info
    out = w.folder
    heads: list[dict[str, Any]] = []
    # Each distinct word of the corpus: a first number in the order the merge meets it; ids by
    # frequency once every shard is counted.
    vocab = ready.vocab
    # The numbers of the first transcripts' words, until the text's dictionary is made.
    early: list[Any] = []
    # Shards: consecutive transcripts up to shard_tokens tokens and about half the corpus's
    # bytes (one transcript never splits), each written once its last transcript is read (and
    # the text's dictionary made), while the workers normalise the rest. The open shard's
    # transcripts with their words' numbers.
    shard: list[tuple[int, Any]] = []
    shard_base = 0
    shard_bytes = 0
    corpus_bytes = sum(d.source.size for d in docs)
    half = corpus_bytes // 2 if corpus_bytes > _SPLIT_BYTES else corpus_bytes
    complete: list[list[tuple[int, Any]]] = []
    counts = np.zeros(0, dtype=np.int64)
    shard_meta: list[dict[str, int]] = []
    lines_parts: list[bytes] = []

    def write_shards() -> None:
        nonlocal counts
        for members in complete:
            base = doc_cols[0][members[0][0]]
            found, meta, lines = _shard(
                w, text, docs, heads, cache_dir, len(shard_meta), members, base
            )
            if len(found) > len(counts):
                counts = np.concatenate([counts, np.zeros(len(found) - len(counts), np.int64)])
            counts[: len(found)] += found
            shard_meta.append(meta)
            lines_parts.append(lines)
        complete.clear()

    # Speakers, runs and turns, exactly as CorpusIndex numbers them.
    labels: list[str] = []
    label_id: dict[str, int] = {}
    runs: list[Any] = []  # arrays of rows: transcript, first token, end, speaker
    turn_cols: list[list[Any]] = [[], [], [], [], []]  # first token, line, start, length, speaker
    turn_count = 0
    doc_cols: list[list[int]] = [[] for _ in range(8)]
    meta_blob: list[bytes] = []
    meta_off = 0
    pos = 0
    line_off = 0
    warnings: list[Diagnostic] = []
    sampled = 0  # tokens of the transcripts read, until the text's dictionary is made
    for doc, d in enumerate(docs):
        ready.wait(d)
        made = ready.keys(d)
        if made is None:  # normalised in an earlier build (or made again here)
            head, listed = _load_words(cache_dir, d)
            numbers = vocab.number(_keys(listed), listed)
            del listed
        else:
            keys, words, head = made
            numbers = vocab.number(keys, words)
        heads.append(head)
        sampled += head["tokens"]
        if not text.started:
            early.append(numbers)
            if sampled >= _DICT_SAMPLE or doc == len(docs) - 1:
                # The dictionary's transcripts are read: compressing starts, as the rest come.
                zdict = _text_dict(cache_dir, docs[: doc + 1], heads, early, vocab.words)
                text.start(zdict, docs, heads)
                early.clear()
        first = pos
        turn_off = turn_count
        if head["turns"]:
            speakers, *cols = zip(*head["turns"], strict=True)
            for speaker in dict.fromkeys(speakers):
                if speaker not in label_id:
                    label_id[speaker] = len(labels)
                    labels.append(speaker)
            sids = np.array([label_id[x] for x in speakers], dtype=np.int64)
            line, start, length, n = (np.array(c, dtype=np.int64) for c in cols)
            ends = pos + np.cumsum(n)
            firsts = ends - n
            # A run is each stretch of turns of one speaker label; those of no tokens go.
            change = np.flatnonzero(np.concatenate([[True], sids[1:] != sids[:-1]]))
            run_end = np.append(firsts[change[1:]], ends[-1])
            keep = run_end > firsts[change]
            rows = [np.full(int(keep.sum()), doc), firsts[change][keep], run_end[keep]]
            runs.append(np.stack([*rows, sids[change][keep]], axis=1))
            for col, v in zip(turn_cols, (firsts, line, start, length, sids), strict=True):
                col.append(v)
            turn_count += len(sids)
            pos = int(ends[-1])
        record = {
            "path": d.source.path,
            "corpus": d.source.corpus,
            "sha256": d.sha,
            "meta": head["meta"],
            "speakers": head["speakers"],
        }
        blob = _json_bytes(record)
        meta_blob.append(blob)
        for col, v in zip(
            doc_cols,
            (first, pos, meta_off, len(blob), turn_off, line_off, head["lines"], 0),
            strict=True,
        ):
            col.append(v)
        meta_off += len(blob)
        line_off += head["lines"]
        warnings += (Diagnostic(d.source.where, m) for m in head["warnings"])
        text.ready(doc + 1)
        full = pos - shard_base > shard_tokens or shard_bytes >= half
        if shard and full and first > shard_base:
            complete.append(shard)
            shard = []
        if not shard:
            shard_base = first
            shard_bytes = 0
        shard.append((doc, numbers))
        shard_bytes += d.source.size
        del numbers
        if complete and text.started:
            write_shards()
    ready.finish()
    if not text.started:
        text.start(_text_dict(cache_dir, docs, heads, early, vocab.words), docs, heads)
    complete.append(shard)
    del shard
    write_shards()
    # The reader finds a word by its hash; ties of frequency go by hash too.
    blob, lengths = _joined(vocab.words)
    hashes = _joined_hashes(blob, lengths)
    del vocab, ready.vocab
    vocab_size = len(lengths)
    by_hash = np.argsort(hashes, kind="stable")
    vocab_hashes = hashes[by_hash]
    del hashes
    hash_rank = np.empty(vocab_size, dtype=np.int64)
    hash_rank[by_hash] = np.arange(vocab_size)
    counts = np.concatenate([counts, np.zeros(vocab_size - len(counts), np.int64)])
    total = pos
    pos_fmt = "I" if total < 2**32 else "Q"
    w.raw("docmeta", b"".join(meta_blob))
    del meta_blob
    run_arr = np.concatenate([np.zeros((0, 4), np.int64), *runs])
    del runs
    w.array("run_doc", run_arr[:, 0], "I")
    w.array("run_first", run_arr[:, 1], pos_fmt)
    w.array("run_end", run_arr[:, 2], pos_fmt)
    w.array("run_speaker", run_arr[:, 3], "I")
    # Each speaker's runs, so a speaker's postings are told apart by bisecting their runs.
    by_speaker = np.argsort(run_arr[:, 3], kind="stable")
    w.array("spk_runs", by_speaker, "I")
    w.array(
        "spk_run_off",
        np.searchsorted(run_arr[:, 3][by_speaker], np.arange(len(labels) + 1)),
        "Q",
    )
    w.array("turn_first", np.concatenate([np.zeros(0, np.int64), *turn_cols[0]]), pos_fmt)
    for name, col in zip(
        ("turn_line", "turn_start", "turn_len", "turn_speaker"), turn_cols[1:], strict=True
    ):
        w.array(name, np.concatenate([np.zeros(0, np.int64), *col]), "I")
    del turn_cols
    w.raw("labels", _json_bytes(labels))
    w.array("doc_first", doc_cols[0], pos_fmt)
    w.array("doc_end", doc_cols[1], pos_fmt)
    w.array("doc_meta_off", doc_cols[2], "Q")
    w.array("doc_meta_len", doc_cols[3], "I")
    w.array("doc_turn_off", doc_cols[4], "I")
    w.array("doc_line_off", doc_cols[5], "Q")

    run_first_all = run_arr[:, 1]
    # Frequency order (ties by hash): the words of most tokens get the ids of 16 bits.
    order = np.lexsort((hash_rank, -counts))
    new_id = np.empty(len(order), dtype=np.uint32)
    new_id[order] = np.arange(len(order), dtype=np.uint32)
    w.array("vocab_hash", vocab_hashes, "Q")
    w.array("vocab_id", new_id[by_hash], "I")
    del by_hash, hash_rank, vocab_hashes
    # The words in id order: each one's bytes gathered from the blob (no object per word).
    ordered = lengths[order]
    offsets = np.concatenate([[0], np.cumsum(ordered)]).astype(np.uint64)
    starts = (np.cumsum(lengths) - lengths)[order]
    at = np.repeat(starts - offsets[:-1].astype(np.int64), ordered)
    at += np.arange(len(at), dtype=np.int64)
    w.array("vocab_off", offsets, "I" if int(offsets[-1]) < 2**32 else "Q")
    w.raw("vocab_str", np.frombuffer(blob, dtype=np.uint8)[at].data)
    del blob, lengths, ordered, offsets, starts, at
    with _heap_kept():
        big_pairs = _write_postings(
            w,
            shard_meta,
            new_id,
            counts[order],
            run_first_all,
            pos_fmt,
            2 * max(shard_tokens, 1),
            text.processes,
        )
    for k in range(len(shard_meta)):
        (out / _scratch_ids(k)).unlink(missing_ok=True)
    # Compressed meanwhile.
    text.close(w, cache_dir, docs)
    w.raw("lines", b"".join(lines_parts), "I")
    # As load_corpus: an alias naming a speaker who holds no turn is likely a typo.
    known = {norm_label(x) for x in labels}
    alias_warn = [
        Diagnostic(alias_where[a], f"alias {a!r} names {s!r}, who has no turns")
        for a, s in aliases.items()
        if norm_label(s) not in known
    ]
    all_warnings = [*warnings, *alias_diags, *alias_warn]
    manifest = {
        "version": INDEX_VERSION,
        **state,
        "aliases": dict(aliases),
        "words": total,
        "transcripts": len(docs),
        "turns": sum(len(h["turns"]) for h in heads),
        "speakers": len(labels),
        "runs": len(run_arr),
        "shards": shard_meta,
        "big_pairs": big_pairs,
        "id_short": _ID_SHORT,
        "text_block": _TEXT_BLOCK,
        "files": dict(sorted(w.files.items())),
        "warnings": [[x.file, x.message, x.line] for x in all_warnings],
    }
    _write_atomic(out / _MANIFEST, _json_bytes(manifest))
    return total, all_warnings


def _load_words(cache_dir: Path, d: _Doc) -> tuple[dict[str, Any], list[str]]:
    """A cache entry's head and distinct words (an entry found damaged is made again)."""
    for _attempt in range(2):
        try:
            with open(cache_dir / _cache_name(d.sha, d.source.kind), "rb") as f:
                head = _read_head(f)
        except OSError:
            head = None
        if head is not None:
            words = _read_words(cache_dir, d, head)
            if words is not None:
                return head, words
        # A damaged entry is made again rather than trusted.
        _normalise_all([d], cache_dir, 1, None)
    raise IndexError_("cannot read back the index cache", file=str(cache_dir))


def _load_entry(
    cache_dir: Path, d: _Doc, head: Mapping[str, Any] | None = None, *, text: bool = True
) -> _Entry:
    entry = _read_entry(cache_dir, d.sha, d.source.kind, head, text=text)
    if entry is None:
        _normalise_all([d], cache_dir, 1, None)
        entry = _read_entry(cache_dir, d.sha, d.source.kind)
        if entry is None:
            raise IndexError_("cannot write the index cache", file=str(cache_dir))
    return entry


def _shard(
    w: _Writer,
    text: _TextWriter,
    docs: Sequence[_Doc],
    heads: Sequence[Mapping[str, Any]],
    cache_dir: Path,
    k: int,
    members: Sequence[tuple[int, npt.NDArray[np.uint32]]],
    base: int,
) -> tuple[npt.NDArray[np.int64], dict[str, int], bytes]:
    """One shard's token arrays and scratch ranks: its words' counts (by first number), meta
    and line starts. `members` are its transcripts with their words' first numbers."""
    import numpy as np

    # The text is read only to be compressed here (no compressing processes).
    entries = [_load_entry(cache_dir, docs[m], heads[m], text=not text.running) for m, _ in members]
    ranks = np.concatenate(
        [
            np.zeros(0, np.uint32),
            *(numbers[e.ids] for (_, numbers), e in zip(members, entries, strict=True)),
        ]
    )
    counts = np.bincount(ranks)
    lines = []
    for (m, _), e in zip(members, entries, strict=True):
        text.add(docs[m], e.text)
        lines.append(e.line_starts.astype("<u4").tobytes())
    meta = _write_shard(w, k, base, entries, ranks)
    return counts, meta, b"".join(lines)


# Slots of a new _Vocabulary's table (a power of two; it doubles when half full).
_VOCAB_SLOTS = 1 << 16
# A _Vocabulary slot that holds no word.
_VOCAB_EMPTY = 0xFFFFFFFF
# Keys a _Vocabulary probe round leaves to a Python loop.
_VOCAB_STRAGGLERS = 32


def _pick_words(words: list[str] | bytes, wanted: list[int]) -> list[bytes]:
    """The words at the indices `wanted` (ascending) of a list, or of a cache entry's words,
    as UTF-8."""
    if isinstance(words, list):
        return [words[i].encode("utf-8", "surrogatepass") for i in wanted]
    import numpy as np

    # Where the wanted words start and end, found in C; the words are not decoded.
    nul = np.flatnonzero(np.frombuffer(words, dtype=np.uint8) == 0)
    starts = np.concatenate([[0], nul + 1])[wanted].tolist()
    ends = np.concatenate([nul, [len(words)]])[wanted].tolist()
    return [words[a:b] for a, b in zip(starts, ends, strict=True)]


def _keys(words: list[str]) -> bytes:
    """The keys _Vocabulary.number tells words apart by: their str hashes, as int64."""
    import numpy as np

    # fromiter, not array.array of an iterator: 100 rather than 160 ns a word.
    return np.fromiter(map(hash, words), dtype="<i8", count=len(words)).tobytes()


class _Vocabulary:
    """The corpus's distinct words as the merge meets them, each with a first number.

    Words are told apart by key, their str hash (64 bits; the workers, forked from the merge's
    process, share its hash seed, and compute them at no cost, cached in the strings). The keys
    are in an open-addressing hash table probed by numpy, a transcript's thousands of keys at
    once (0.44 ms a transcript at 10 M words, where a sorted array searched with argsort and
    searchsorted, and a dict of the keys added since it was last remade, took 0.58). Numbers
    go by order of meeting; nothing written depends on them (ids are by frequency, ties by
    word hash).
    """

    def __init__(self) -> None:
        import numpy as np

        self.words: list[bytes] = []  # UTF-8
        self.keys = np.zeros(_VOCAB_SLOTS, dtype=np.int64)
        self.nums = np.full(_VOCAB_SLOTS, _VOCAB_EMPTY, dtype=np.uint32)

    def _find(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
        """The number of each key, _VOCAB_EMPTY for a key not in the table."""
        import numpy as np

        mask = len(self.keys) - 1
        # A key is a SipHash value: its low bits are as good a slot as any.
        slots = keys & mask
        found = np.full(len(keys), _VOCAB_EMPTY, dtype=np.uint32)
        todo = np.arange(len(keys))
        # Linear probing: on to the next slot until the key or an empty slot. Most keys are
        # settled in the first rounds; the few in long runs of full slots go on one by one,
        # as a numpy round costs some microseconds however few keys it holds.
        while len(todo) > _VOCAB_STRAGGLERS:
            nums = self.nums[slots]
            hit = (self.keys[slots] == keys[todo]) & (nums != _VOCAB_EMPTY)
            found[todo[hit]] = nums[hit]
            on = ~hit & (nums != _VOCAB_EMPTY)
            todo, slots = todo[on], (slots[on] + 1) & mask
        table_keys, table_nums = self.keys, self.nums
        for k, slot in zip(todo.tolist(), slots.tolist(), strict=True):
            key = int(keys[k])
            while (num := int(table_nums[slot])) != _VOCAB_EMPTY:
                if int(table_keys[slot]) == key:
                    found[k] = num
                    break
                slot = (slot + 1) & mask
        return found

    def _put(self, keys: npt.NDArray[np.int64], nums: npt.NDArray[np.uint32]) -> None:
        """Put keys (distinct, none in the table) in it with their numbers."""
        import numpy as np

        if 2 * (len(self.words) + len(keys)) > len(self.keys):
            old = np.flatnonzero(self.nums != _VOCAB_EMPTY)
            old_keys, old_nums = self.keys[old], self.nums[old]
            size = len(self.keys)
            while 2 * (len(self.words) + len(keys)) > size:
                size *= 2
            self.keys = np.zeros(size, dtype=np.int64)
            self.nums = np.full(size, _VOCAB_EMPTY, dtype=np.uint32)
            keys, nums = np.concatenate([old_keys, keys]), np.concatenate([old_nums, nums])
        mask = len(self.keys) - 1
        slots = keys & mask
        while len(slots) > _VOCAB_STRAGGLERS:
            # Each key into the slot it has reached if empty, one key a slot; the others on.
            free = np.flatnonzero(self.nums[slots] == _VOCAB_EMPTY)
            _, once = np.unique(slots[free], return_index=True)
            put = free[once]
            self.keys[slots[put]] = keys[put]
            self.nums[slots[put]] = nums[put]
            left = np.ones(len(slots), dtype=bool)
            left[put] = False
            keys, nums, slots = keys[left], nums[left], (slots[left] + 1) & mask
        for key, num, slot in zip(keys.tolist(), nums.tolist(), slots.tolist(), strict=True):
            while self.nums[slot] != _VOCAB_EMPTY:
                slot = (slot + 1) & mask
            self.keys[slot], self.nums[slot] = key, num

    def number(self, keys: bytes, words: list[str] | bytes) -> npt.NDArray[np.uint32]:
        """The numbers of a transcript's distinct words by their keys; new ones are numbered.

        `words` are the words themselves, or as stored in a cache entry (UTF-8, NUL between
        them): only new ones are taken.
        """
        import numpy as np

        wanted = np.frombuffer(keys, dtype="<i8").astype(np.int64, copy=False)
        out = self._find(wanted)
        missing = np.flatnonzero(out == _VOCAB_EMPTY)
        if not len(missing):
            return out
        # Two words of one key (a 64-bit hash collision) would be taken for one.
        new_keys, first, again = np.unique(wanted[missing], return_index=True, return_inverse=True)
        # Numbered in the order the transcript has them (the table's order would do as well).
        order = np.argsort(first, kind="stable")
        nums = np.empty(len(order), dtype=np.uint32)
        nums[order] = np.arange(len(self.words), len(self.words) + len(order), dtype=np.uint32)
        self._put(new_keys, nums)
        self.words += _pick_words(words, missing[first[order]].tolist())
        out[missing] = nums[again.reshape(-1)]
        return out


def _alternate(
    task: Callable[[Any], Any],
    items: Sequence[Any],
    processes: int,
    remote: Callable[[Any], Any] | None = None,
) -> Generator[Any, None, None]:
    """task(item) of each item, in order; with processes, forked ones do all but every other
    (with `remote` instead of task, if given).

    The forks inherit the module's state as it is at the first result asked for.
    """
    if not processes or len(items) < 2:
        yield from map(task, items)
        return
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(processes)
    try:
        step = processes + 1
        theirs = pool.imap(remote or task, [x for i, x in enumerate(items) if i % step])
        for i, x in enumerate(items):
            yield next(theirs) if i % step else task(x)
    finally:
        pool.terminate()
        pool.join()


def _write_shard(
    w: _Writer,
    k: int,
    base: int,
    entries: Sequence[_Entry],
    ranks: npt.NDArray[np.uint32],
) -> dict[str, int]:
    """Token arrays of one shard: character offsets and lengths; word ranks to a scratch file."""
    import numpy as np

    n = len(ranks)
    # Ranks become ids once every shard is counted (_write_words): kept until then, unlisted.
    ranks.astype("<u4").tofile(w.folder / _scratch_ids(k))
    if not n:
        starts = np.zeros(0, np.uint32)
        lens = np.zeros(0, np.uint32)
    else:
        # Character offsets within a transcript: uint32, as the cache entries hold them (half
        # the memory traffic of int64 in the block arithmetic below: 6.7 of the merge's 39
        # CPU-seconds at 100 M words went to this function).
        starts = np.concatenate([e.starts for e in entries])
        lens = np.concatenate([e.lens for e in entries])
    longest = int(lens.max()) if n else 0
    lens_fmt = "B" if longest < 2**8 else "H" if longest < 2**16 else "I"
    # Starts in blocks of _BLOCK tokens: the block's least start (`marks`) plus 16 bits each
    # (`offs`). A block that spans more than 2^16 characters (a transcript begins in it, or a
    # long stretch without words) keeps its starts whole in `over`, its mark pointing there.
    nb = -(-n // _BLOCK)
    blocks = np.concatenate(
        [starts, np.full(nb * _BLOCK - n, starts[-1] if n else 0, starts.dtype)]
    )
    blocks = blocks.reshape(nb, _BLOCK)
    least = blocks.min(axis=1) if nb else np.zeros(0, np.uint32)
    fits = blocks.max(axis=1) - least < 2**16 if nb else np.zeros(0, bool)
    offs = blocks - least[:, None]  # never below zero: least is the block's smallest
    offs[~fits] = 0
    marks = least.astype(np.uint32)
    marks[~fits] = _OVER | (np.arange(int((~fits).sum()), dtype=np.uint32) * _BLOCK)
    w.array(f"s{k}_marks", marks, "I")
    w.array(f"s{k}_offs", offs.ravel()[:n], "H")
    w.array(f"s{k}_over", blocks[~fits].ravel(), "I")
    w.array(f"s{k}_lens", lens, lens_fmt)
    return {"base": base, "tokens": n}


def _scratch_ids(k: int) -> str:
    return f".s{k}_ids"


def _write_words(w: _Writer, k: int, ids: npt.NDArray[np.uint32]) -> None:
    """A shard's word ids in 16 bits: _ID_SHORT and up are escaped to `wide`."""
    import numpy as np

    tokens = len(ids)
    wide = ids >= _ID_SHORT
    w.array(f"s{k}_words", np.where(wide, _ID_SHORT, ids), "H")
    w.array(f"s{k}_wide", ids[wide], "I")
    # Escaped tokens before each block of _BLOCK tokens: where a block's wide ids start.
    before = np.concatenate([[0], np.cumsum(wide, dtype=np.int64)[_BLOCK - 1 :: _BLOCK]])
    w.array(f"s{k}_wide_off", before[: -(-tokens // _BLOCK)], "I")
    del ids, wide


def _shard_ids(out: Path, k: int, tokens: int) -> npt.NDArray[np.uint32]:
    """A shard's word ids, mapped (the caller drops it soon: RSS stays one shard)."""
    import numpy as np

    if tokens == 0:
        return np.zeros(0, np.uint32)
    return np.memmap(out / _scratch_ids(k), dtype="<u4", mode="r")


def _text_dict(
    cache_dir: Path,
    docs: Sequence[_Doc],
    heads: Sequence[Mapping[str, Any]],
    numbers: Sequence[npt.NDArray[np.uint32]],
    word_list: Sequence[bytes],
) -> bytes:
    """The preset dictionary of the text blocks: the commonest words, the commonest last.

    A near match costs the fewest bits, and a block of 2 KB holds too little to learn from. The
    words are counted in the first transcripts (_DICT_SAMPLE tokens), so the text can be
    compressed from early in the merge; ties go by word hash. `numbers` holds each transcript's
    words' first numbers (_Vocabulary).
    """
    import numpy as np

    parts: list[Any] = []
    tokens = 0
    for d, head, mapped in zip(docs, heads, numbers, strict=True):
        if tokens >= _DICT_SAMPLE:
            break
        entry = _load_entry(cache_dir, d, head, text=False)
        parts.append(mapped[entry.ids])
        tokens += len(entry.ids)
    if not tokens:
        return b""
    ids, counts = np.unique(np.concatenate(parts), return_counts=True)
    words = [word_list[i] for i in ids.tolist()]
    hashes = _word_hashes(words)
    chosen: list[bytes] = []
    size = 0
    for k in np.lexsort((hashes, -counts)).tolist():
        word = words[k] + b" "
        if size + len(word) > _TEXT_DICT:
            break
        chosen.append(word)
        size += len(word)
    return b"".join(reversed(chosen))


@functools.lru_cache(maxsize=1)
def _text_compressor(zdict: bytes) -> Any:
    """A zstd compressor primed with the text's dictionary (made once a process)."""
    import zstandard

    prepared = zstandard.ZstdCompressionDict(zdict, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    # The frame's header keeps the decompressed size (readers allocate once); no checksum
    # or dictionary id: the index's own checks cover the file, and there is one dictionary.
    return zstandard.ZstdCompressor(
        level=_TEXT_LEVEL, dict_data=prepared, write_checksum=False, write_dict_id=False
    )


def _compress_text(data: bytes, block: int, zdict: bytes) -> list[bytes]:
    """One transcript's text in blocks of `block` characters, each a zstd frame of its own."""
    text = data.decode("utf-8", "surrogatepass")
    compress = _text_compressor(zdict).compress
    return [
        compress(text[i : i + block].encode("utf-8", "surrogatepass"))
        for i in range(0, len(text), block)
    ]


def _compress_child(
    cache_dir: str, block: int, zdict: bytes, tasks: Any, out: Any, part: str
) -> None:
    """A compressing process: each transcript it is sent, its blocks appended to `part`.

    Sends back each transcript's block sizes, with the index of the first transcript whose entry
    it could not read (damaged: the merge makes it again and compresses from there itself).
    """
    sizes: list[tuple[int, list[int]]] = []
    failed: int | None = None
    try:
        with open(part, "wb") as f:
            while (batch := tasks.recv()) is not None:
                for i, sha, kind, head in batch:
                    if failed is not None:
                        break
                    data = _read_text(Path(cache_dir), sha, kind, head)
                    if data is None:
                        failed = i
                        break
                    blocks = _compress_text(data, block, zdict)
                    f.write(b"".join(blocks))
                    sizes.append((i, list(map(len, blocks))))
        out.send(("done", (sizes, failed)))
    except Exception as exc:  # handed to the merge, which raises it
        out.send(("error", exc))


class _TextWriter:
    """Transcripts' text compressed in blocks, written in order to `text`.

    Compressing costs about half as much as the rest of the merge, whose single process leaves
    the build's other cores idle: with `processes`, forked processes compress the transcripts'
    text from the start of the merge (as soon as the transcripts that make the dictionary are
    read, while the others may still be normalised), transcript i by process i % processes, each
    reading its cache entry (so the text is not sent to it; the merge sends the sizes from the
    head it has parsed) and appending the blocks to a file of its own; `close` joins them in
    transcript order. An entry a process cannot read (damaged: the merge makes it again) stops
    it; the merge compresses from the first such transcript on itself at the end.
    """

    def __init__(self, path: Path, block: int, processes: int, cache_dir: Path) -> None:
        self.path = path
        self.block = block
        self.processes = processes
        self.cache_dir = cache_dir
        self.file = open(path, "wb")  # noqa: SIM115 (closed by close() or abort())
        self.children: list[tuple[Any, Any, Any]] = []  # process, task pipe, result pipe
        self.zdict = b""
        self.offsets = [0]
        self.doc_blocks = [0]
        self.started = False
        self.sent = 0  # transcripts handed to the processes
        self.docs: Sequence[_Doc] = ()
        self.heads: Sequence[Mapping[str, Any]] = ()  # grows as the merge reads the transcripts

    @property
    def running(self) -> bool:
        """Whether compressing processes run (the merge's own process then compresses none)."""
        return bool(self.children)

    def _part(self, k: int) -> Path:
        return self.path.with_name(f".{self.path.name}.{k}")

    def start(self, zdict: bytes, docs: Sequence[_Doc], heads: Sequence[Mapping[str, Any]]) -> None:
        """Set the preset dictionary, and start the processes on the transcripts read so far."""
        self.zdict = zdict
        self.started = True
        if self.processes > 0 and docs:
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            for k in range(self.processes):
                tasks_in, tasks_out = ctx.Pipe(duplex=False)
                # The merge reads transcripts faster than a process compresses them at times:
                # with the default 64 KB (some 300 transcripts' tasks) it waited on this pipe
                # for 2.4 of its 35 busy seconds at 100 M words.
                _widen(tasks_out)
                result_in, result_out = ctx.Pipe(duplex=False)
                args = (str(self.cache_dir), self.block, zdict, tasks_in, result_out)
                proc = ctx.Process(
                    target=_compress_child, args=(*args, str(self._part(k))), daemon=True
                )
                proc.start()
                tasks_in.close()
                result_out.close()
                self.children.append((proc, tasks_out, result_in))
            self.docs, self.heads = docs, heads
            self.ready(len(heads), now=True)

    def ready(self, count: int, *, now: bool = False) -> None:
        """The first `count` transcripts are read: the processes may compress them (handed
        over _TEXT_BATCH at a time, unless `now`)."""
        if not self.children or count - self.sent < (1 if now else _TEXT_BATCH):
            return
        batches: list[list[Any]] = [[] for _ in self.children]
        for i in range(self.sent, count):
            d, head = self.docs[i], self.heads[i]
            sizes = {k: head[k] for k in ("tokens", "lines", "words", "words_bytes", "text_bytes")}
            batches[i % len(self.children)].append((i, d.sha, d.source.kind, sizes))
        for (_, tasks, _), batch in zip(self.children, batches, strict=True):
            if batch:
                tasks.send(batch)
        self.sent = count

    def add(self, doc: _Doc, data: bytes) -> None:
        """One transcript's text, as the merge reads it (compressed here without processes)."""
        if not self.children:
            self._write(_compress_text(data, self.block, self.zdict))

    def _write(self, blocks: list[bytes]) -> None:
        for data in blocks:
            self.file.write(data)
            self.offsets.append(self.offsets[-1] + len(data))
        self.doc_blocks.append(len(self.offsets) - 1)

    def _collect(self) -> tuple[dict[int, list[int]], int]:
        """Every process's block sizes by transcript, and the first transcript none compressed."""
        sizes: dict[int, list[int]] = {}
        first_failed = len(self.docs)
        for proc, tasks, results in self.children:
            tasks.send(None)
            done, failed = _receive(results, "compressing")[1]
            sizes.update(done)
            if failed is not None:
                first_failed = min(first_failed, failed)
            proc.join()
        return sizes, first_failed

    def close(self, w: _Writer, cache_dir: Path, docs: Sequence[_Doc]) -> None:
        """Write the rest, fsync, and record the text files."""
        if self.children:
            self.ready(len(docs), now=True)
            sizes, first_failed = self._collect()
            parts = [open(self._part(k), "rb") for k in range(len(self.children))]  # noqa: SIM115
            try:
                for i in range(first_failed):
                    blocks = sizes[i]
                    data = parts[i % len(parts)].read(sum(blocks))
                    self.file.write(data)
                    for size in blocks:
                        self.offsets.append(self.offsets[-1] + size)
                    self.doc_blocks.append(len(self.offsets) - 1)
            finally:
                for f in parts:
                    f.close()
            for k in range(len(self.children)):
                self._part(k).unlink()
            self.children = []
            for d in docs[first_failed:]:
                self._write(_compress_text(_load_entry(cache_dir, d).text, self.block, self.zdict))
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        w.files["text"] = ["B", self.offsets[-1]]
        w.raw("text_dict", self.zdict)
        w.array("text_block_off", self.offsets, "I" if self.offsets[-1] < 2**32 else "Q")
        w.array("doc_text_block", self.doc_blocks, "I")

    def abort(self) -> None:
        """Stop the processes (after close, or on an error)."""
        for proc, tasks, results in self.children:
            proc.terminate()
            proc.join()
            tasks.close()
            results.close()
        self.children = []
        self.file.close()


def _write_postings(
    w: _Writer,
    shards: Sequence[Mapping[str, int]],
    new_id: npt.NDArray[np.uint32],
    counts: npt.NDArray[np.int64],
    run_first_all: npt.NDArray[np.int64],
    pos_fmt: str,
    range_postings: int,
    processes: int = 0,
) -> list[list[int]]:
    """Global postings of words and word pairs, merged from the shards one word-id range at a time.

    `pos` holds every token position once, grouped by word; within a word, first the positions
    that start no pair (the run ends there), then each pair (word, next) in order of the next
    word, ascending. So a word's postings are `pos[uni_off[w] : uni_off[w + 1]]` (not in
    position order), and a pair's are a slice of them: `bi_first_off[w]` gives the rows of w's
    pairs, whose next words (`bi_second`, ascending) are bisected, and `bi_off` where each
    pair's positions start, relative to the word's, in 16 bits (`bi_big` whole, for the words
    of more than _REL_MAX postings; a word's last pair ends where the word does). A lookup costs an
    array index or a short bisection whatever the number of shards, and no pair key or second
    copy of the positions is stored. Each range holds about range_postings postings, so the
    merge memory does not grow with the corpus; with `processes`, forked processes sort every
    other range meanwhile.
    """
    import numpy as np

    out = w.folder
    pos_dtype = np.uint32 if pos_fmt == "I" else np.uint64
    vocab_size = len(counts)
    cum = np.cumsum(counts)
    total = int(cum[-1]) if vocab_size else 0
    w.array("uni_off", np.concatenate([[0], cum]), pos_fmt)
    processes = processes if total >= _PARALLEL_POSTINGS else 0
    if processes:
        # Ranges small enough that each process has a couple (the output does not depend on
        # where the ranges end).
        range_postings = max(min(range_postings, -(-total // (2 * (processes + 1)))), 1)
    # Word-id ranges of about range_postings postings (a word never splits).
    cuts = np.searchsorted(cum, np.arange(range_postings, total, range_postings), "left") + 1
    bounds = _packable([0, *sorted({int(c) for c in cuts if 0 < c < vocab_size}), vocab_size], cum)
    pair_counts = np.zeros(vocab_size, dtype=np.int64)
    wide_counts = np.zeros(vocab_size, dtype=np.int64)
    run_firsts = [
        run_first_all[(run_first_all >= s["base"]) & (run_first_all < s["base"] + s["tokens"])]
        - s["base"]
        for s in shards
    ]
    pos = w.stream("pos", pos_fmt)
    bi_second = w.stream("bi_second", "H")
    bi_wide = w.stream("bi_wide", "I")
    bi_off = w.stream("bi_off", "H")
    bi_big = w.stream("bi_big", pos_fmt)
    word_first = cum - counts
    big_words: list[list[int]] = []
    big_rows = 0
    ranges = list(itertools.pairwise(bounds))
    global _POSTINGS
    # Each shard's word ids written, and its postings grouped by range once, so a range reads
    # its own and no more.
    _POSTINGS = (out, shards, run_firsts, (np.array(bounds, dtype=np.int64), new_id), [], pos_dtype)
    offsets = []
    for starts, files in _alternate(_bucket_task, range(len(shards)), processes):
        offsets.append(starts)
        w.files.update(files)
    _POSTINGS = (out, shards, run_firsts, vocab_size, offsets, pos_dtype)
    ranged = _alternate(
        _range_postings_task, list(enumerate(ranges)), processes, _range_postings_spilled
    )
    results = map(_unspilled, ranged)
    try:
        for (lo, hi), (positions, first, distinct) in zip(ranges, results, strict=True):
            # The postings of the words before the range (not lo's: lo may be the end).
            done = total - int(counts[lo:].sum())
            pos.put(positions)
            firsts_of = (distinct >> np.uint64(32)).astype(np.int64)
            pair_counts[lo:hi] += np.bincount(firsts_of - lo, minlength=hi - lo)[: hi - lo]
            # Next words of _ID_SHORT and up (a suffix of each word's rows) go whole to bi_wide.
            second = ((distinct & np.uint64(0xFFFFFFFF)) - np.uint64(1)).astype(np.int64)
            wide = second >= _ID_SHORT
            wide_counts[lo:hi] += np.bincount(firsts_of[wide] - lo, minlength=hi - lo)[: hi - lo]
            bi_second.put(second[~wide])
            bi_wide.put(second[wide])
            del second, wide
            # A pair's first row, relative to its word's first: 16 bits, but for the few words
            # of 2^16 postings or more, whose rows keep it whole in `bi_big`.
            rel = first + done - word_first[firsts_of]
            bi_off.put(rel & 0xFFFF)
            big = counts[firsts_of] > _REL_MAX
            for word in np.unique(firsts_of[big]).tolist():
                big_words.append([int(word), big_rows])
                big_rows += int(pair_counts[word])
            bi_big.put(rel[big])
            del positions, first, distinct, rel, big
    finally:
        ranged.close()
        _POSTINGS = None
        for k in range(len(shards)):
            for name in _scratch_buckets(k):
                (out / name).unlink(missing_ok=True)
    for stream in (pos, bi_second, bi_wide, bi_off, bi_big):
        stream.close()
    w.array("bi_first_off", np.concatenate([[0], np.cumsum(pair_counts)]), pos_fmt)
    w.array("bi_wide_off", np.concatenate([[0], np.cumsum(wide_counts)]), pos_fmt)
    return big_words


# What the postings are made from (set by _write_postings, inherited by its forks): the
# generation's folder, the shards, their runs' first tokens, then while the shards are grouped
# the ranges' bounds and each first number's id, or afterwards the vocabulary size and each
# shard's range offsets; the positions' dtype.
_POSTINGS: tuple[Path, Sequence[Mapping[str, int]], list[Any], Any, list[Any], Any] | None = None


def _scratch_buckets(k: int) -> tuple[str, str]:
    """A shard's scratch files of keys and of positions, grouped by range."""
    return f".s{k}_bkeys", f".s{k}_bpos"


def _bucket_task(k: int) -> Any:
    """Worker: _bucket of one shard."""
    return _bucket(k)


def _bucket(k: int) -> tuple[npt.NDArray[np.int64], dict[str, list[Any]]]:
    """A shard's word ids written, and its postings keys and positions (in it) grouped by range
    to scratch files.

    Within a range they stay in position order. A posting's key is word << 32 | 1 + next word
    when a pair starts there (the next token is in the same run: runs never cross a shard),
    else word << 32, which sorts a word's pairless postings first. Returns where each range's
    postings start in the files (and, last, their number), and the files written.
    """
    import numpy as np

    assert _POSTINGS is not None
    out, shards, run_firsts, (bounds, new_id), _, _ = _POSTINGS
    n = shards[k]["tokens"]
    ids = new_id[_shard_ids(out, k, n)]
    w = _Writer(out)  # its own: the files it writes are handed back (from a fork, too)
    _write_words(w, k, ids)
    key = ids.astype(np.uint64) << np.uint64(32)
    if n > 1:
        paired = np.ones(n - 1, dtype=bool)
        firsts = run_firsts[k]
        paired[firsts[firsts > 0] - 1] = False
        nxt = ids[1:].astype(np.uint64) + np.uint64(1)
        nxt[~paired] = 0
        key[:-1] |= nxt
        del paired, nxt
    # The range of each word, from a table (a range holds many words); a stable sort of small
    # integers is a radix sort.
    small = len(bounds) <= 1 << 16
    range_of = np.repeat(
        np.arange(len(bounds) - 1, dtype=np.uint16 if small else np.uint32), np.diff(bounds)
    )
    group = range_of[ids]
    del ids, range_of
    order = np.argsort(group, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(group, minlength=len(bounds) - 1))])
    del group
    keys_file, pos_file = _scratch_buckets(k)
    key[order].tofile(out / keys_file)
    del key
    order.astype(np.uint32).tofile(out / pos_file)
    return starts, w.files


def _range_postings_task(job: tuple[int, tuple[int, int]]) -> tuple[Any, Any, Any]:
    """Worker: _range_postings of one range."""
    j, (lo, hi) = job
    return _range_postings(j, lo, hi)


def _range_postings_spilled(job: tuple[int, tuple[int, int]]) -> list[tuple[str, str]]:
    """Worker in a forked process: _range_postings of one range, its arrays written to
    scratch files (path, dtype each).

    Sent back through the pipe, they made the process wait until the merge, busy with a range
    of its own, had read them all (tens of MB at 100 M words): it then sat idle.
    """
    assert _POSTINGS is not None
    j, (lo, hi) = job
    spilled = []
    for name, arr in zip(("pos", "first", "distinct"), _range_postings(j, lo, hi), strict=True):
        path = _POSTINGS[0] / f".r{j}_{name}"
        arr.tofile(path)
        spilled.append((str(path), arr.dtype.str))
    return spilled


def _unspilled(result: Any) -> tuple[Any, Any, Any]:
    """A range's postings as _range_postings returns them, read back if spilled to files."""
    if not isinstance(result, list):
        return cast("tuple[Any, Any, Any]", result)
    import numpy as np

    arrays = []
    for path, dtype in result:
        arrays.append(np.fromfile(path, dtype=dtype))
        os.unlink(path)
    return arrays[0], arrays[1], arrays[2]


def _range_postings(j: int, lo: int, hi: int) -> tuple[Any, Any, Any]:
    """The postings of words lo to hi (range j): positions in order, and each pair's first row
    and key.

    A pair's key is word << 32 | 1 + next word; its first row counts from the range's first.
    """
    import numpy as np

    assert _POSTINGS is not None
    out, shards, _, vocab_size, offsets, pos_dtype = _POSTINGS
    positions: list[Any] = []
    keys: list[Any] = []
    for k, s in enumerate(shards):
        a, b = int(offsets[k][j]), int(offsets[k][j + 1])
        keys_file, pos_file = _scratch_buckets(k)
        keys.append(np.fromfile(out / keys_file, dtype=np.uint64, count=b - a, offset=8 * a))
        found = np.fromfile(out / pos_file, dtype=np.uint32, count=b - a, offset=4 * a)
        positions.append(found.astype(np.int64) + s["base"])
        del found
    key, order = _sort_keys(np.concatenate(keys), hi - lo, vocab_size)
    ordered = np.concatenate(positions)[order].astype(pos_dtype)
    del positions, keys, order
    # The key is sorted: each distinct key starts where it differs from the one before.
    first = np.flatnonzero(np.concatenate([key[:1] == key[:1], key[1:] != key[:-1]]))
    distinct = key[first]
    # Not the word's pairless postings (next word 0).
    real = (distinct & np.uint64(0xFFFFFFFF)) != np.uint64(0)
    return ordered, first[real], distinct[real]


def _packable(bounds: list[int], cum: npt.NDArray[np.int64]) -> list[int]:
    """The word-id ranges split until each packs into 64 bits for _sort_keys's fast path.

    A range of many rare words (the tail of a large vocabulary) would not: its sort would fall
    back to a merge sort, several times slower (most of the postings merge at 100 M words).
    """
    vocab_size = len(cum)
    bits_next = (vocab_size + 1).bit_length()
    out = [bounds[0]]
    todo = list(reversed(list(itertools.pairwise(bounds))))
    while todo:
        lo, hi = todo.pop()
        # (A corpus without a word has one range, of none.)
        n = int(cum[hi - 1]) - (int(cum[lo - 1]) if lo else 0) if hi > lo else 0
        if hi - lo > 1 and (hi - lo - 1).bit_length() + bits_next + max(n - 1, 0).bit_length() > 64:
            mid = (lo + hi) // 2
            todo += [(mid, hi), (lo, mid)]
        else:
            out.append(hi)
    return out


def _sort_keys(
    key: npt.NDArray[np.uint64], words: int, vocab_size: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The keys (word << 32 | 1 + next word) sorted, ties in their order, and that order.

    A stable argsort of 64-bit keys is a merge sort, several times slower than numpy's sort of
    the values; so when the word's offset in its range, the next word and the key's index fit
    in 64 bits together, those are sorted as one value, the index breaking the ties.
    """
    import numpy as np

    n = len(key)
    bits_word = max(words - 1, 0).bit_length()
    bits_next = (vocab_size + 1).bit_length()
    bits_at = max(n - 1, 0).bit_length()
    if bits_word + bits_next + bits_at > 64:
        order = np.argsort(key, kind="stable")
        return key[order], order
    low = np.uint64(0xFFFFFFFF)
    word = key >> np.uint64(32)
    lo = np.uint64(word.min()) if n else np.uint64(0)
    packed = (word - lo) << np.uint64(bits_next + bits_at)
    del word
    packed |= (key & low) << np.uint64(bits_at)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    at_mask = np.uint64((1 << bits_at) - 1)
    order = (packed & at_mask).astype(np.int64)
    packed >>= np.uint64(bits_at)
    nxt = packed & np.uint64((1 << bits_next) - 1)
    packed >>= np.uint64(bits_next)
    packed += lo
    packed <<= np.uint64(32)
    packed |= nxt
    return packed, order


def _write_stat(gen: Path, docs: Sequence[_Doc]) -> None:
    """Sizes and mtimes of the files, to skip hashing unchanged ones (not part of the index)."""
    files = {
        f"{d.source.corpus}\x00{d.source.path}": [d.source.size, d.source.mtime_ns, d.sha]
        for d in docs
    }
    _write_atomic(gen / _STAT, _json_bytes({"files": files}))


def _generations(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("gen-*") if p.is_dir())


def _next_generation(folder: Path) -> str:
    numbers = [int(n[4:]) for n in _generations(folder) if n[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:08d}"


def _scratch_dirs(folder: Path) -> list[Path]:
    return [p for p in folder.glob("tmp-*") if p.is_dir()]


def _collect_garbage(folder: Path, current: str, cache_dir: Path) -> None:
    """Drop generations but the current and the one before (a reader may still be on it)."""
    gens = _generations(folder)
    keep = set(gens[-2:]) | {current}
    for name in gens:
        if name not in keep:
            shutil.rmtree(folder / name, ignore_errors=True)
    for other in (folder / "cache").iterdir():
        if other != cache_dir and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    try:
        manifest = json.loads((folder / current / _MANIFEST).read_bytes())
    except (OSError, ValueError):
        return
    live = {
        _cache_name(sha, "vtt" if p.lower().endswith(".vtt") else "txt")
        for _c, p, sha in manifest["docs"]
    }
    for prev in gens[-2:]:
        if prev != current:
            with contextlib.suppress(OSError, ValueError):
                old = json.loads((folder / prev / _MANIFEST).read_bytes())
                live |= {
                    _cache_name(sha, "vtt" if p.lower().endswith(".vtt") else "txt")
                    for _c, p, sha in old["docs"]
                }
    for f in cache_dir.iterdir():
        if f.name.startswith(".") or f.name not in live:
            f.unlink(missing_ok=True)


def _current_name(folder: Path) -> str:
    try:
        name = (folder / _CURRENT).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise IndexError_("no index here", file=str(folder)) from None
    if not name.startswith("gen-") or "/" in name:
        raise IndexError_("damaged CURRENT pointer", file=str(folder))
    return name


def _current_dir(folder: Path) -> Path:
    return folder / _current_name(folder)


def _index_bytes(folder: Path) -> int:
    try:
        gen = _current_dir(folder)
    except IndexError_:
        return 0
    return sum(f.stat().st_size for f in gen.iterdir() if f.is_file())


# --- reading --------------------------------------------------------------------------------


class _Mapped:
    """One mmap'd file of a generation, as a memoryview of its values."""

    def __init__(self, path: Path, fmt: str, size: int) -> None:
        self.mm: mmap.mmap | None = None
        self.find: Callable[[bytes, int, int], int] = _not_found
        if size == 0:
            self.view: memoryview = memoryview(b"").cast(fmt)  # type: ignore[call-overload]
            return
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size != size:
                raise IndexError_("index file has the wrong size (damaged)", file=str(path))
            self.mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self.view = memoryview(self.mm).cast(fmt)  # type: ignore[call-overload]
        self.find = self.mm.find


def _not_found(sub: bytes, start: int, end: int) -> int:
    return -1


class _Seq(Sequence[Any]):
    """Base for the read-only sequences over mapped arrays."""

    def __len__(self) -> int:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, i: Any) -> Any:
        raise NotImplementedError

    def _range(self, s: slice) -> range:
        return range(*s.indices(len(self)))


class _Shard(NamedTuple):
    base: int
    tokens: int
    words: memoryview
    marks: memoryview
    offs: memoryview
    over: memoryview
    lens: memoryview
    wide: memoryview
    wide_off: memoryview
    find: Callable[[bytes, int, int], int]  # of the words file's bytes (an escape's offset)


class _TokenArray(_Seq):
    """Token start offsets (or end offsets, `ends`) in their files, split over shards."""

    def __init__(self, index: DiskIndex, *, ends: bool) -> None:
        self._index = index
        self._ends = ends

    def __len__(self) -> int:
        return self._index.size

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            r = self._range(i)
            if r.step == 1 and r.stop > r.start:
                # Passages lie in one run, and runs never cross shards: one slice or two.
                shard = self._index._shard_of(r.start)
                if r.stop <= shard.base + shard.tokens:
                    a, b = r.start - shard.base, r.stop - shard.base
                    # A passage reads the starts then the ends of the same tokens.
                    last = self._index._last_starts
                    if self._ends and last[0] == r.start and last[1] == r.stop:
                        starts: Sequence[int] = last[2]
                    else:
                        starts = _starts(shard, a, b)
                    if not self._ends:
                        self._index._last_starts = (r.start, r.stop, tuple(starts))
                        return starts
                    return [x + n for x, n in zip(starts, shard.lens[a:b], strict=True)]
            return [self[j] for j in r]
        shard = self._index._shard_of(i)
        k = i - shard.base
        mark = shard.marks[k >> _BLOCK_BITS]
        if mark & _OVER:
            start = shard.over[(mark ^ _OVER) + (k & (_BLOCK - 1))]
        else:
            start = mark + shard.offs[k]
        return start + shard.lens[k] if self._ends else start


def _starts(shard: _Shard, a: int, b: int) -> list[int]:
    """Start offsets of a shard's tokens a to b (local indices), from their blocks."""
    out: list[int] = []
    marks, offs = shard.marks, shard.offs
    while a < b:
        block = a >> _BLOCK_BITS
        end = min(b, (block + 1) << _BLOCK_BITS)
        mark = marks[block]
        if mark & _OVER:
            at = (mark ^ _OVER) + (a & (_BLOCK - 1))
            out += shard.over[at : at + end - a].tolist()
        else:
            out += [mark + x for x in offs[a:end]]
        a = end
    return out


class _Ids(_Seq):
    """Vocabulary ids of the tokens (ints: fast to compare and align)."""

    def __init__(self, index: DiskIndex) -> None:
        self._index = index
        self._short = int(index.manifest["id_short"])
        self._escape = self._short.to_bytes(2, "little")
        # The last window read: matching bounds a window, aligns it, then cuts inside it.
        self._last: tuple[int, int, tuple[int, ...]] = (0, 0, ())
        # The windows read lately: matching bounds a dozen windows, then aligns them.
        self._recent: dict[tuple[int, int], tuple[int, ...]] = {}

    def __len__(self) -> int:
        return self._index.size

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            start, stop = i.start, i.stop
            if not (
                i.step is None
                and type(start) is int
                and type(stop) is int
                and 0 <= start < stop <= self._index.size
            ):
                r = self._range(i)
                if r.step != 1 or r.stop <= r.start:
                    return [self[j] for j in r]
                start, stop = r.start, r.stop
            lo, hi, last = self._last
            if lo <= start and stop <= hi:
                return list(last[start - lo : stop - lo])
            seen = self._recent.get((start, stop))
            if seen is not None:
                self._last = (start, stop, seen)
                return list(seen)
            # A window lies in one run, and runs never cross shards: usually one slice.
            shard = self._index._shard_of(start)
            if stop > shard.base + shard.tokens:
                return [self[j] for j in range(start, stop)]
            a, b = start - shard.base, stop - shard.base
            ids = shard.words[a:b].tolist()
            # A byte search (C speed) tells most windows they hold no escape.
            if shard.find(self._escape, 2 * a, 2 * b) >= 0:
                self._widen(shard, a, ids)
            self._last = (start, stop, tuple(ids))
            if len(self._recent) >= _RECENT_WINDOWS:
                self._recent.clear()
            self._recent[(start, stop)] = self._last[2]
            return ids
        if i < 0:
            i += self._index.size
        shard = self._index._shard_of(i)
        k = i - shard.base
        wid: int = shard.words[k]
        if wid != self._short:
            return wid
        ids = [wid]
        self._widen(shard, k, ids)
        return ids[0]

    def _widen(self, shard: _Shard, a: int, ids: list[int]) -> None:
        """Replace the escapes in ids (the shard's tokens from a on) with their wide ids."""
        short = self._short
        m = ids.count(short)
        if not m:
            return  # the bytes matched across two ids
        block = a >> _BLOCK_BITS
        e = shard.wide_off[block]
        if block << _BLOCK_BITS < a:
            e += shard.words[block << _BLOCK_BITS : a].tolist().count(short)
        k = -1
        for wid in shard.wide[e : e + m].tolist():
            k = ids.index(short, k + 1)
            ids[k] = wid


class _Words(_Seq):
    """Canonical words of the tokens, as strings (CorpusIndex.words)."""

    def __init__(self, index: DiskIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.size

    def __getitem__(self, i: Any) -> Any:
        word = self._index.word
        if isinstance(i, slice):
            return [word(x) for x in self._index.ids[i]]
        return word(self._index.ids[i])


class _Derived(_Seq):
    """Token -> number by the last table entry whose first token is at or before it."""

    def __init__(self, size: int, firsts: memoryview, value: Callable[[int, int], int]) -> None:
        self._size = size
        self._firsts = firsts
        self._value = value

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in self._range(i)]
        if i < 0:
            i += self._size
        k = bisect.bisect_right(self._firsts, i) - 1
        return self._value(k, i)


class _Table(_Seq):
    """Rows of a table built from mapped columns."""

    def __init__(self, n: int, row: Callable[[int], Any]) -> None:
        self._n = n
        self._row = row

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._row(j) for j in self._range(i)]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return self._row(i)


class _CorpusView(NamedTuple):
    """What the pipeline reads of a Corpus: transcripts and aliases."""

    transcripts: Sequence[Transcript]
    aliases: Mapping[str, str]


class DiskIndex:
    """An opened index generation: the match surface of CorpusIndex over mapped files.

    `words` gives canonical words as strings (so match_quote works unchanged); `ids` gives the
    same tokens as vocabulary ids, and `encode` maps quote words to ids, for the faster path.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.gen = _current_dir(folder)
        try:
            manifest = json.loads((self.gen / _MANIFEST).read_bytes())
        except (OSError, ValueError):
            raise IndexError_("index manifest missing or damaged", file=str(self.gen)) from None
        if not isinstance(manifest, dict) or manifest.get("version") != INDEX_VERSION:
            raise IndexError_(
                f"index version {manifest.get('version') if isinstance(manifest, dict) else '?'}"
                f" is not {INDEX_VERSION}: rebuild it",
                file=str(folder),
            )
        self.manifest: dict[str, Any] = manifest
        self._maps: dict[str, _Mapped] = {}
        try:
            for name, (fmt, size) in manifest["files"].items():
                self._maps[name] = _Mapped(self.gen / name, fmt, size)
        except OSError as exc:
            raise IndexError_(f"index file missing: {exc.filename}", file=str(self.gen)) from None
        v = self._view
        self.size: int = int(manifest["words"])
        self._shards = [
            _Shard._make(
                [
                    int(s["base"]),
                    int(s["tokens"]),
                    *(v(f"s{k}_{f}") for f in _SHARD_FILES),
                    self._maps[f"s{k}_words"].find,
                ]
            )
            for k, s in enumerate(manifest["shards"])
        ]
        self._shard_bases = [s.base for s in self._shards]
        self._vocab_hash = v("vocab_hash")
        self._vocab_id = v("vocab_id")
        self._vocab_off = v("vocab_off")
        self._vocab_str = self._maps["vocab_str"].view
        self._vocab_size = len(self._vocab_hash)
        self._uni_off, self._pos = v("uni_off"), v("pos")
        self._bi_first_off, self._bi_second = v("bi_first_off"), v("bi_second")
        self._bi_wide, self._bi_wide_off = v("bi_wide"), v("bi_wide_off")
        self._bi_off, self._bi_big = v("bi_off"), v("bi_big")
        self._id_short = int(manifest["id_short"])
        self._text_block = int(manifest["text_block"])
        self._text_block_off = v("text_block_off")
        self._doc_text_block = v("doc_text_block")
        self._decompressor: Any = None  # made when a block is first read
        # Words of 2^16 postings or more: where their pairs' rows start in bi_big.
        self._big_pairs: dict[int, int] = {int(a): int(b) for a, b in manifest["big_pairs"]}
        self._run_doc, self._run_first = v("run_doc"), v("run_first")
        self._run_end, self._run_speaker = v("run_end"), v("run_speaker")
        self._turn_first = v("turn_first")
        self._doc_first, self._doc_end = v("doc_first"), v("doc_end")
        self._doc_turn_off = v("doc_turn_off")
        self.aliases: Mapping[str, str] = manifest["aliases"]
        self.ids = _Ids(self)
        self.words = _Words(self)
        self.starts = _TokenArray(self, ends=False)
        self.ends = _TokenArray(self, ends=True)
        ndocs = len(self._doc_first)
        self.run_of = _Derived(self.size, self._run_first, lambda k, i: k)
        self.turn_of = _Derived(
            self.size,
            self._turn_first,
            lambda k, i: k - self._doc_turn_off[self._run_doc[self.run_of[i]]],
        )
        self.doc_bounds = _Table(ndocs, lambda d: (self._doc_first[d], self._doc_end[d]))
        self.runs = _Table(
            len(self._run_doc),
            lambda r: RunInfo(
                self._run_doc[r], self._run_first[r], self._run_end[r], self._run_speaker[r]
            ),
        )
        self.transcripts = _Table(ndocs, self._transcript)
        self.paths = _Table(ndocs, lambda d: self._docmeta(d)["path"])
        self._word_cache: dict[int, str] = {}
        self._id_cache: dict[str, int | None] = {}
        self._last_starts: tuple[int, int, tuple[int, ...]] = (0, 0, ())
        self._doc_cache: dict[int, Transcript] = {}
        self._source_cache: dict[int, _DiskSource] = {}
        self._meta_cache: dict[int, dict[str, Any]] = {}
        self._labels: list[str] | None = None
        self._speaker_ids: dict[str, int] | None = None
        self._label_cache: dict[str, frozenset[str]] = {}
        self._runs_cache: dict[frozenset[int], tuple[list[int], list[int]]] = {}
        self._spk_run_off = v("spk_run_off")
        self._spk_runs = v("spk_runs")

    def _view(self, name: str) -> memoryview:
        return self._maps[name].view

    @property
    def corpus(self) -> _CorpusView:
        """Transcripts and aliases, as pipeline.check_article reads them from a Corpus."""
        return _CorpusView(self.transcripts, self.aliases)

    def close(self) -> None:
        """Release the mappings (views must not be used after)."""
        self._maps.clear()

    def _shard_of(self, i: int) -> _Shard:
        if len(self._shards) == 1:
            return self._shards[0]
        return self._shards[bisect.bisect_right(self._shard_bases, i) - 1]

    # --- words -----------------------------------------------------------------------------

    def word(self, wid: int) -> str:
        """The canonical word of a vocabulary id."""
        w = self._word_cache.get(wid)
        if w is None:
            a, b = self._vocab_off[wid], self._vocab_off[wid + 1]
            w = self._word_cache[wid] = bytes(self._vocab_str[a:b]).decode("utf-8", "surrogatepass")
        return w

    def word_id(self, word: str) -> int | None:
        """The vocabulary id of a canonical word, None when the corpus never has it."""
        # Quotes share most of their words: a hash and a bisection saved per repeat.
        if word in self._id_cache:
            return self._id_cache[word]
        h = word_hash(word)
        k = bisect.bisect_left(self._vocab_hash, h)
        wid = None
        if k < len(self._vocab_hash) and self._vocab_hash[k] == h:
            wid = int(self._vocab_id[k])
        if len(self._id_cache) >= _ID_CACHE:
            self._id_cache.clear()
        self._id_cache[word] = wid
        return wid

    def encode(self, words: Iterable[str]) -> list[int]:
        """Quote words as ids; a word the corpus lacks gets a negative id equal to no token."""
        out: list[int] = []
        cache = self._id_cache
        for n, word in enumerate(words):
            # Most words were met before: their cached id, without a call.
            wid = cache.get(word, -1)
            if wid == -1:
                wid = self.word_id(word)
            out.append(-1 - n if wid is None else wid)
        return out

    # --- postings --------------------------------------------------------------------------

    def postings(self, words: Sequence[Hashable]) -> Sequence[int]:
        """Global positions where a word (one) or a bigram (two words) starts.

        A bigram's are ascending; a word's are grouped by the word after it (match_quote's votes
        do not depend on the order). Words may be strings or ids from `encode`.
        """
        # Seeding asks for every word and pair of a quote, as ids: those skip the checks.
        if len(words) == 1:
            (w,) = words
            if type(w) is not int:
                w = self._as_id(w)
            if not 0 <= w < self._vocab_size:
                return ()
            return self._pos[self._uni_off[w] : self._uni_off[w + 1]]
        first, second = words
        if type(first) is not int:
            first = self._as_id(first)
        if type(second) is not int:
            second = self._as_id(second)
        if not 0 <= first < self._vocab_size or second < 0:
            return ()
        a, b = self._bi_first_off[first], self._bi_first_off[first + 1]
        # The word's rows [a, b): those of a next word below _ID_SHORT in bi_second, less the
        # rows of earlier words that went wide; then the wide ones, the last rows, in bi_wide.
        wa, wb = self._bi_wide_off[first], self._bi_wide_off[first + 1]
        if second < self._id_short:
            h = bisect.bisect_left(self._bi_second, second, a - wa, b - wb)
            found = h < b - wb and self._bi_second[h] == second
            k = h + wa
        else:
            h = bisect.bisect_left(self._bi_wide, second, wa, wb)
            found = h < wb and self._bi_wide[h] == second
            k = b - wb + h
        if found:
            base = self._uni_off[first]
            big = self._big_pairs.get(first)
            rel = self._bi_off if big is None else self._bi_big
            at = k if big is None else big + k - a
            end = base + rel[at + 1] if k + 1 < b else self._uni_off[first + 1]
            return self._pos[base + rel[at] : end]
        return ()

    def _as_id(self, x: Hashable) -> int:
        """A word or id as an id; -1 for a word the corpus lacks or anything else."""
        if isinstance(x, str):
            wid = self.word_id(x)
            return -1 if wid is None else wid
        return x if isinstance(x, int) else -1

    # --- speakers --------------------------------------------------------------------------

    @property
    def labels(self) -> list[str]:
        """Speaker id -> label."""
        if self._labels is None:
            self._labels = list(json.loads(bytes(self._maps["labels"].view)))
        return self._labels

    def _ids_of_labels(self) -> dict[str, int]:
        if self._speaker_ids is None:
            self._speaker_ids = {x: k for k, x in enumerate(self.labels)}
        return self._speaker_ids

    def speaker_ids(self, labels: frozenset[str]) -> frozenset[int]:
        """The internal ids of speaker labels."""
        known = self._ids_of_labels()
        return frozenset(known[x] for x in labels if x in known)

    def speaker_runs(self, speakers: frozenset[int]) -> tuple[list[int], list[int]]:
        """First and end positions of the speakers' runs, ascending."""
        found = self._runs_cache.get(speakers)
        if found is None:
            rows = sorted(r for s in speakers for r in self._speaker_run_ids(s))
            first, end = self._run_first, self._run_end
            found = ([first[r] for r in rows], [end[r] for r in rows])
            if len(self._runs_cache) > 256:
                self._runs_cache.clear()
            self._runs_cache[speakers] = found
        return found

    def _speaker_run_ids(self, speaker: int) -> Sequence[int]:
        """The run ids of one speaker, ascending (a slice of the runs sorted by speaker)."""
        a, b = self._spk_run_off[speaker], self._spk_run_off[speaker + 1]
        return self._spk_runs[a:b]

    def speaker_labels(
        self, claimed: str, aliases: Mapping[str, str] | None = None
    ) -> frozenset[str]:
        """The transcript speaker labels that denote the claimed person."""
        if aliases is None:
            if claimed not in self._label_cache:
                self._label_cache[claimed] = self._resolve(claimed, self.aliases)
            return self._label_cache[claimed]
        return self._resolve(claimed, aliases)

    def _resolve(self, claimed: str, table: Mapping[str, str]) -> frozenset[str]:
        wanted = claimed.casefold()
        canon = canonical_name(claimed)
        known = self._ids_of_labels()
        found = {x for x in self.labels if x == claimed or same_person(x, claimed)}
        for alias, label in table.items():
            if alias.casefold() == wanted or (canon and canonical_name(alias) == canon):
                found.add(label)
        return frozenset(x for x in found if x in known)

    # --- transcripts -----------------------------------------------------------------------

    def _docmeta(self, doc: int) -> dict[str, Any]:
        meta = self._meta_cache.get(doc)
        if meta is None:
            a = self._view("doc_meta_off")[doc]
            b = a + self._view("doc_meta_len")[doc]
            meta = self._meta_cache[doc] = json.loads(bytes(self._maps["docmeta"].view[a:b]))
        return meta

    def text_of(self, doc: int) -> str:
        """The transcript's text as decoded when indexed."""
        first, end = self._doc_text_block[doc], self._doc_text_block[doc + 1]
        return "".join(self._text_block_at(g) for g in range(first, end))

    def _text_blocks(self, doc: int, a: int, b: int) -> str:
        """Characters from block a to block b (inclusive) of a transcript's text."""
        first = self._doc_text_block[doc]
        if a == b:
            return self._text_block_at(first + a)
        return "".join(self._text_block_at(first + k) for k in range(a, b + 1))

    def _text_block_at(self, g: int) -> str:
        if self._decompressor is None:
            import zstandard

            prepared = zstandard.ZstdCompressionDict(
                bytes(self._maps["text_dict"].view), dict_type=zstandard.DICT_TYPE_RAWCONTENT
            )
            self._decompressor = zstandard.ZstdDecompressor(dict_data=prepared)
        a, b = self._text_block_off[g], self._text_block_off[g + 1]
        data = self._decompressor.decompress(self._maps["text"].view[a:b])
        return cast(bytes, data).decode("utf-8", "surrogatepass")

    def source(self, doc: int) -> _DiskSource:
        """A transcript's turns as passages read them, straight from the mapped tables."""
        found = self._source_cache.get(doc)
        if found is None:
            if len(self._source_cache) > 64:
                self._source_cache.clear()
            found = self._source_cache[doc] = _DiskSource(self, doc)
        return found

    def _turn_range(self, doc: int) -> tuple[int, int]:
        t0 = self._doc_turn_off[doc]
        t1 = (
            self._doc_turn_off[doc + 1]
            if doc + 1 < len(self._doc_turn_off)
            else len(self._turn_first)
        )
        return t0, t1

    def _line_starts(self, doc: int) -> memoryview:
        l0 = self._view("doc_line_off")[doc]
        l1 = (
            self._view("doc_line_off")[doc + 1]
            if doc + 1 < len(self._doc_first)
            else len(self._view("lines"))
        )
        return self._view("lines")[l0:l1]

    def _transcript(self, doc: int) -> Transcript:
        cached = self._doc_cache.get(doc)
        if cached is not None:
            return cached
        meta = self._docmeta(doc)
        text = self.text_of(doc)
        t0, t1 = self._turn_range(doc)
        line, start = self._view("turn_line"), self._view("turn_start")
        length, speaker = self._view("turn_len"), self._view("turn_speaker")
        labels = self.labels
        turns = tuple(
            Turn(
                k - t0,
                labels[speaker[k]],
                text[start[k] : start[k] + length[k]],
                line[k],
                start[k],
            )
            for k in range(t0, t1)
        )
        transcript = Transcript(
            path=meta["path"],
            corpus=meta["corpus"],
            turns=turns,
            meta=meta["meta"],
            speakers=tuple(meta["speakers"]),
            line_starts=tuple(self._line_starts(doc).tolist()),
        )
        if len(self._doc_cache) > 64:
            self._doc_cache.clear()
        self._doc_cache[doc] = transcript
        return transcript


class _DiskSource:
    """A transcript's text, turn offsets, speakers and lines for passages (match.SourceText)."""

    def __init__(self, index: DiskIndex, doc: int) -> None:
        self.path: str = index.paths[doc]
        self._index = index
        self._doc = doc
        # The blocks of text last decompressed: characters lo to hi of the transcript.
        self._blocks: tuple[int, int, str] = (0, 0, "")
        t0, t1 = index._turn_range(doc)
        v = index._view
        self._starts: list[int] = v("turn_start")[t0:t1].tolist()
        self._lengths: list[int] = v("turn_len")[t0:t1].tolist()
        labels = index.labels
        self._labels = list(map(labels.__getitem__, v("turn_speaker")[t0:t1].tolist()))
        # Slices go by file offset; turns come in file order, so only a freak needs sorting.
        self._by_start = self._starts
        self._lengths_by_start = self._lengths
        self._labels_by_start = self._labels
        if self._starts != sorted(self._starts):
            order = sorted(range(t1 - t0), key=self._starts.__getitem__)
            self._by_start = [self._starts[k] for k in order]
            self._lengths_by_start = [self._lengths[k] for k in order]
            self._labels_by_start = [self._labels[k] for k in order]
        self._lines = index._line_starts(doc)

    def speaker(self, turn: int) -> str:
        """The speaker label of a turn (by Turn.index)."""
        return self._labels[turn]

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in the file."""
        return max(bisect.bisect_right(self._lines, offset), 1)

    def within(self, start: int, end: int) -> tuple[str, int] | None:
        """Text holding [start, end) within one turn and its first offset; None across turns."""
        starts = self._by_start
        k = bisect.bisect_right(starts, start) - 1
        if end <= start or k < 0 or end > starts[k] + self._lengths_by_start[k]:
            return None
        self(start, end)  # loads the blocks
        lo, _hi, text = self._blocks
        return text, lo

    def __call__(self, start: int, end: int) -> str:
        if end <= start:
            return ""
        lo, hi, text = self._blocks
        if start < lo or end > hi:
            # source_slice reads only characters of [start, end): their blocks are enough.
            size = self._index._text_block
            a, b = start // size, max(start, end - 1) // size
            text = self._index._text_blocks(self._doc, a, b)
            lo = a * size
            self._blocks = (lo, lo + len(text), text)
        starts = self._by_start
        # Nearly every slice is one word, inside one turn: source_slice's first case, inlined.
        k = bisect.bisect_right(starts, start) - 1
        if k >= 0 and end <= starts[k] + self._lengths_by_start[k]:
            return text[start - lo : end - lo]
        return source_slice(
            starts,
            self._lengths_by_start,
            self._labels_by_start,
            lambda k, a, b: text[starts[k] + a - lo : starts[k] + b - lo],
            self.line_of,
            start,
            end,
        )


_SHARD_FILES = ("words", "marks", "offs", "over", "lens", "wide", "wide_off")


def open_index(path: str | Path) -> DiskIndex:
    """Map the current generation of the index folder (DIR/.quoteverify) without reading it."""
    folder = Path(path)
    if not (folder / _CURRENT).exists() and (folder / INDEX_DIRNAME / _CURRENT).exists():
        folder = folder / INDEX_DIRNAME
    return DiskIndex(folder)


def is_fresh(index: DiskIndex, corpus_dirs: Sequence[str]) -> bool:
    """Whether the index holds exactly the corpus folders' current transcripts and aliases.

    Sizes and mtimes are compared first; only files whose stat changed are hashed.
    """
    try:
        sources, alias_files = _scan(corpus_dirs)
    except CorpusError:
        return False
    m = index.manifest
    if m.get("fingerprint") != _fingerprint() or m.get("corpora") != list(corpus_dirs):
        return False
    try:
        stat = json.loads((index.gen / _STAT).read_bytes())
    except (OSError, ValueError):
        stat = {}
    docs = _resolve_shas(sources, stat if isinstance(stat, dict) else {})
    if [[d.source.corpus, d.source.path, d.sha] for d in docs] != m.get("docs"):
        return False
    return [[a.corpus, _sha256(a.file)] for a in alias_files] == m.get("alias_files")


def corpus_stats(corpus_dirs: Sequence[str], index_dir: str | Path | None = None) -> dict[str, Any]:
    """Transcripts, turns, speakers, words, date range, index size and freshness."""
    folder = Path(index_dir) if index_dir is not None else default_index_dir(corpus_dirs)
    out: dict[str, Any] = {"index": str(folder)}
    try:
        index = open_index(folder)
    except IndexError_ as exc:
        out.update(indexed=False, fresh=False, problem=exc.message)
        sources, _ = _scan(corpus_dirs)
        out.update(transcripts=len(sources), text_bytes=sum(s.size for s in sources))
        return out
    m = index.manifest
    dates = sorted(index._docmeta(d)["meta"].get("date", "") for d in range(len(index.doc_bounds)))
    dates = [x for x in dates if x]
    out.update(
        indexed=True,
        fresh=is_fresh(index, corpus_dirs),
        version=m["version"],
        transcripts=m["transcripts"],
        turns=m["turns"],
        speakers=m["speakers"],
        words=m["words"],
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        index_bytes=_index_bytes(folder),
        shards=len(m["shards"]),
    )
    return out


def load_index(
    corpus_dirs: Sequence[str],
    index_dir: str | Path | None = None,
    *,
    progress: Progress | None = None,
    on_build: Callable[[str], None] | None = None,
) -> tuple[DiskIndex, BuildStats | None, tuple[Diagnostic, ...]]:
    """Open the corpus index, building or refreshing it first when it is missing or stale.

    `on_build` is told why a build starts ("missing", "stale", ...), so a caller can say so.
    Returns the index, the build's stats (None when it was fresh) and the corpus warnings.
    """
    folder = Path(index_dir) if index_dir is not None else default_index_dir(corpus_dirs)
    reason = "missing"
    try:
        index = open_index(folder)
        if is_fresh(index, corpus_dirs):
            warnings = tuple(Diagnostic(*w) for w in index.manifest.get("warnings", []))
            return index, None, warnings
        reason = "stale"
        index.close()
    except IndexError_:
        pass
    if on_build is not None:
        on_build(reason)
    stats = build_or_refresh(corpus_dirs, folder, progress=progress)
    return open_index(folder), stats, stats.warnings
