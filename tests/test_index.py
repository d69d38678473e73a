"""The persistent index: same arrays as CorpusIndex, incremental refresh, atomicity, versions."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT

import quoteverify.index as qindex
from quoteverify.config import Config
from quoteverify.corpus import load_corpus
from quoteverify.errors import CorpusError
from quoteverify.extract import detect_format
from quoteverify.index import (
    INDEX_VERSION,
    DiskIndex,
    IndexError_,
    _word_hashes,
    build_or_refresh,
    corpus_stats,
    is_fresh,
    open_index,
    word_hash,
)
from quoteverify.match import CorpusIndex, _window_postings, build_index, match_quote
from quoteverify.normalise import normalise
from quoteverify.pipeline import Article, check_article
from quoteverify.report import finding_record
from quoteverify.textio import read_text

FIXTURES = ROOT / "fixtures" / "transcripts"
ARTICLES = ROOT / "fixtures" / "articles"

NEW_TRANSCRIPT = "Ann Lee: We will build a bridge over the river next spring.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the fixture transcripts (tests change it)."""
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURES, folder, ignore=shutil.ignore_patterns(".quoteverify"))
    return folder


# One shard, and shards of at most 300 tokens (several word-id ranges in the postings merge);
# "big-pairs": every word of more than 3 postings keeps its pair rows whole (bi_big), as the
# words of 2^16 postings or more of a large corpus do; "wide-ids": the ids of all but the 40
# commonest words are escaped to the wide tables, as those of 2^16 and up of a large corpus
# are, and text blocks of 64 characters make passages cross blocks.
@pytest.fixture(
    scope="module",
    params=[
        (qindex.SHARD_TOKENS, qindex._REL_MAX, qindex._ID_SHORT, qindex._TEXT_BLOCK, 1 << 20),
        (qindex.SHARD_TOKENS, qindex._REL_MAX, qindex._ID_SHORT, qindex._TEXT_BLOCK, 0),
        (300, qindex._REL_MAX, qindex._ID_SHORT, qindex._TEXT_BLOCK, 1 << 20),
        (300, 3, qindex._ID_SHORT, qindex._TEXT_BLOCK, 1 << 20),
        (300, qindex._REL_MAX, 40, 64, 1 << 20),
    ],
    ids=["one-shard", "halves", "shards", "big-pairs", "wide-ids"],
)
def both(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[CorpusIndex, DiskIndex]:
    folder = tmp_path_factory.mktemp("idx")
    shard_tokens, rel_max, id_short, text_block, split_bytes = request.param
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(qindex, "_SPLIT_BYTES", split_bytes)
        mp.setattr(qindex, "_REL_MAX", rel_max)
        mp.setattr(qindex, "_ID_SHORT", id_short)
        mp.setattr(qindex, "_TEXT_BLOCK", text_block)
        stats = build_or_refresh([str(FIXTURES)], folder, workers=1, shard_tokens=shard_tokens)
    assert stats.rebuilt and stats.normalised == 12
    memory, _ = load_corpus([str(FIXTURES)])
    return build_index(memory), open_index(folder)


def test_a_corpus_over_the_split_size_has_two_shards_of_about_half_its_bytes(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fixtures (under 1 MB) make one shard; past the split size the first shard closes
    # once it holds half the bytes, and the rest (less than half) makes the second.
    build_or_refresh([str(corpus)], tmp_path / "one", workers=1)
    assert len(open_index(tmp_path / "one").manifest["shards"]) == 1
    monkeypatch.setattr(qindex, "_SPLIT_BYTES", 0)
    build_or_refresh([str(corpus)], tmp_path / "two", workers=1)
    disk = open_index(tmp_path / "two")
    sizes = [(Path(c) / p).stat().st_size for c, p, _ in disk.manifest["docs"]]
    # The first shard's transcripts: up to the one that takes it to half the bytes.
    count = next(k for k in range(len(sizes)) if 2 * sum(sizes[: k + 1]) >= sum(sizes)) + 1
    end = disk.doc_bounds[count - 1][1]
    assert [s["tokens"] for s in disk.manifest["shards"]] == [end, disk.size - end]
    assert 0 < end < disk.size


def test_default_location_is_inside_the_corpus(corpus: Path) -> None:
    stats = build_or_refresh([str(corpus)], workers=1)
    assert stats.index_dir == str(corpus / ".quoteverify")
    assert (corpus / ".quoteverify" / "CURRENT").read_text() == "gen-00000001\n"
    # The corpus loader skips the hidden folder: the index is no transcript.
    loaded, _ = load_corpus([str(corpus)])
    assert len(loaded.transcripts) == 12
    assert open_index(corpus).size == stats.words


@pytest.mark.parametrize(
    "attribute",
    ["words", "starts", "ends", "turn_of", "run_of", "doc_bounds", "labels"],
)
def test_arrays_equal_the_in_memory_index(
    both: tuple[CorpusIndex, DiskIndex], attribute: str
) -> None:
    memory, disk = both
    assert list(getattr(disk, attribute)) == list(getattr(memory, attribute))


def test_runs_transcripts_and_aliases_equal(both: tuple[CorpusIndex, DiskIndex]) -> None:
    memory, disk = both
    assert [tuple(r) for r in disk.runs] == [
        (r.doc, r.first, r.end, r.speaker) for r in memory.runs
    ]
    assert list(disk.transcripts) == list(memory.transcripts)
    assert list(disk.paths) == [t.path for t in memory.transcripts]
    assert dict(disk.aliases) == dict(memory.corpus.aliases)
    assert len(disk.words) == len(memory.words) == 2808


def test_postings_equal_for_every_word_and_bigram(both: tuple[CorpusIndex, DiskIndex]) -> None:
    memory, disk = both
    assert len(disk.manifest["shards"]) in (1, 2, 11)
    assert disk.manifest["id_short"] in (40, 0xFFFF)
    # Words of more postings than _REL_MAX: none of 2^16 here, 145 of more than 3.
    assert len(disk.manifest["big_pairs"]) in (0, 145)
    for word in sorted(set(memory.words)):
        # A word's postings on disk are grouped by the next word: the same set.
        assert sorted(disk.postings([word])) == list(memory.postings([word])), word
    for a, b in zip(memory.words, memory.words[1:], strict=False):
        assert list(disk.postings([a, b])) == list(memory.postings([a, b]))
    assert list(disk.postings(["no-such-word"])) == []
    assert list(disk.postings(["the", "no-such-word"])) == []


@pytest.mark.parametrize(
    ("word", "count"),
    [("the", 126), ("turkish", 9), ("erdogan", 4)],
)
def test_postings_by_id_and_encode(
    both: tuple[CorpusIndex, DiskIndex], word: str, count: int
) -> None:
    memory, disk = both
    (wid,) = disk.encode([word])
    assert wid >= 0 and disk.word(wid) == word
    assert len(disk.postings([wid])) == len(memory.postings([word])) == count
    assert disk.ids[0:5] == disk.encode(memory.words[0:5])


def test_ids_are_ranked_by_frequency_and_escaped_past_16_bits(
    both: tuple[CorpusIndex, DiskIndex],
) -> None:
    memory, disk = both
    counts = Counter(memory.words)
    # Most tokens first; a tie goes to the lower word hash.
    ranked = sorted(counts, key=lambda x: (-counts[x], word_hash(x)))
    assert [disk.word(k) for k in range(len(ranked))] == ranked
    assert list(disk.ids) == [ranked.index(x) for x in memory.words]
    short = disk.manifest["id_short"]
    wide = sum(n for x, n in counts.items() if ranked.index(x) >= short)
    files = disk.manifest["files"]
    shards = len(disk.manifest["shards"])
    assert sum(files[f"s{k}_wide"][1] for k in range(shards)) == 4 * wide
    assert wide == (1594 if short == 40 else 0)
    # Slices that start, end or lie between escapes, across 64-token blocks.
    for a, b in [(0, 3), (5, 70), (63, 65), (130, 299), (2800, 2808)]:
        assert disk.ids[a:b] == [disk.ids[k] for k in range(a, b)]
    assert disk.ids[-1] == ranked.index(memory.words[-1])


def test_text_comes_back_from_its_blocks(both: tuple[CorpusIndex, DiskIndex]) -> None:
    memory, disk = both
    for doc, transcript in enumerate(memory.transcripts):
        text = (FIXTURES / transcript.path).read_text(encoding="utf-8")
        assert disk.text_of(doc) == text
        # Passage slices, within a block, across blocks, and jumping back and forth.
        want, got = memory.source(doc), disk.source(doc)
        n = len(text)
        for a, b in [(200, 230), (0, 1), (60, 70), (100, 300), (n - 5, n), (9, 9), (250, 260)]:
            assert got(a, b) == want(a, b), (transcript.path, a, b)


def test_encode_gives_unknown_words_ids_no_token_has(
    both: tuple[CorpusIndex, DiskIndex],
) -> None:
    _, disk = both
    ids = disk.encode(["zzzqx", "the", "qqqzz"])
    assert ids[0] == -1 and ids[2] == -3 and ids[1] >= 0


def _reference_hash(word: str) -> int:
    # The definition, spelled out byte by byte: eight bytes at a time, little-endian, the last
    # chunk padded with zeros, from the seed xor the length.
    data = word.encode("utf-8", "surrogatepass")
    h = 0x9E3779B97F4A7C15 ^ len(data)
    for i in range(0, len(data), 8):
        chunk = sum(byte << (8 * k) for k, byte in enumerate(data[i : i + 8]))
        h = ((h ^ chunk) * 0xBF58476D1CE4E5B9) % 2**64
        h ^= h >> 31
    return h


def test_word_hash_is_stable() -> None:
    # Written down so that a change of hash (which needs a new index version) is noticed.
    assert word_hash("") == 0x9E3779B97F4A7C15
    assert [word_hash(w) for w in ("a", "the", "abcdefgh", "abcdefghi", "élan")] == [
        0x978EDAAE6D412CD3,
        0xFE7B2DB5197F3FBB,
        0x15FDF91C349001A4,
        0xA4EF31BF21EABC42,
        0x8A56243F1FEE0C07,
    ]
    for word in ("", "a", "the", "abcdefgh", "abcdefghi", "élan", "x" * 30, "\udcff"):
        assert word_hash(word) == _reference_hash(word)
    assert word_hash("the") != word_hash("The")


def test_word_hashes_at_once_equal_word_hash_one_by_one() -> None:
    # Lengths 0 to 300, one- to four-byte characters and a lone surrogate (as decoded with
    # surrogatepass): the build's vectorised hashes must be the reader's, word for word.
    words = ["", "a", "foobar", "the", "élan", "naïve", "€uro", "𝄞", "\udcff", "x" * 300]
    words += [f"w{k}é{'z' * (k % 17)}" for k in range(500)]
    encoded = [w.encode("utf-8", "surrogatepass") for w in words]
    assert _word_hashes(encoded).tolist() == [word_hash(w) for w in words]
    assert _word_hashes([]).tolist() == []


def test_match_quote_gives_the_same_result_on_both(
    both: tuple[CorpusIndex, DiskIndex],
) -> None:
    memory, disk = both
    text = "deliberately driving Russian-Turkish relations into a dead end"
    norm = normalise(text, quote=True)
    config = Config()
    for speaker in (None, "Putin", "Hollande"):
        a = match_quote(memory, norm, speaker, config, text=text)
        b = match_quote(disk, norm, speaker, config, text=text)  # type: ignore[arg-type]
        assert a == b


def test_fixture_verdicts_are_the_same_with_and_without_the_index(
    both: tuple[CorpusIndex, DiskIndex],
) -> None:
    memory, disk = both
    cases = sorted(p for p in ARTICLES.iterdir() if not p.name.endswith(".json"))
    total = 0
    for path in cases:
        text, _ = read_text(path, name=path.name)
        article = Article(path.name, text, detect_format(path.name))
        with_memory = check_article(article, memory, Config())
        with_disk = check_article(article, disk, Config())  # type: ignore[arg-type]
        assert [finding_record(f) for f in with_disk.findings] == [
            finding_record(f) for f in with_memory.findings
        ], path.name
        total += len(with_disk.findings)
    assert total > 30


@pytest.mark.parametrize(
    ("change", "normalised", "reused", "removed", "transcripts"),
    [
        ("add", 1, 12, 0, 13),
        ("change", 1, 11, 0, 12),
        ("remove", 0, 11, 1, 11),
        ("touch", 0, 12, 0, 12),
    ],
)
def test_refresh_normalises_only_what_changed(
    corpus: Path, change: str, normalised: int, reused: int, removed: int, transcripts: int
) -> None:
    first = build_or_refresh([str(corpus)], workers=1)
    assert (first.normalised, first.reused) == (12, 0)
    victim = corpus / "2015-11-25_us-official-statement.txt"
    if change == "add":
        (corpus / "2015-12-01_new.txt").write_text(NEW_TRANSCRIPT, encoding="utf-8")
    elif change == "change":
        victim.write_text(victim.read_text(encoding="utf-8") + NEW_TRANSCRIPT, encoding="utf-8")
    elif change == "remove":
        victim.unlink()
    else:
        os.utime(victim, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert is_fresh(open_index(corpus), [str(corpus)]) is (change == "touch")
    stats = build_or_refresh([str(corpus)], workers=1)
    assert (stats.normalised, stats.reused, stats.removed, stats.transcripts) == (
        normalised,
        reused,
        removed,
        transcripts,
    )
    assert stats.rebuilt is (change != "touch")
    # And the refreshed index equals a fresh in-memory one.
    disk = open_index(corpus)
    memory = build_index(load_corpus([str(corpus)])[0])
    assert list(disk.words) == memory.words
    assert list(disk.run_of) == list(memory.run_of)
    assert is_fresh(disk, [str(corpus)])


def test_second_build_of_a_fresh_index_writes_nothing(corpus: Path) -> None:
    build_or_refresh([str(corpus)], workers=1)
    again = build_or_refresh([str(corpus)], workers=1)
    assert (again.rebuilt, again.reason, again.normalised) == (False, "fresh", 0)
    assert (corpus / ".quoteverify" / "CURRENT").read_text() == "gen-00000001\n"


def test_aliases_change_makes_the_index_stale(corpus: Path) -> None:
    build_or_refresh([str(corpus)], workers=1)
    aliases = corpus / "aliases.toml"
    aliases.write_text(
        aliases.read_text(encoding="utf-8") + '"The Sultan" = "Recep Tayyip Erdoğan"\n'
    )
    assert not is_fresh(open_index(corpus), [str(corpus)])
    stats = build_or_refresh([str(corpus)], workers=1)
    assert (stats.rebuilt, stats.normalised) == (True, 0)
    assert open_index(corpus).aliases["The Sultan"] == "Recep Tayyip Erdoğan"


def test_parallel_build_equals_serial_build(corpus: Path, tmp_path: Path) -> None:
    build_or_refresh([str(corpus)], tmp_path / "a", workers=1)
    stats = build_or_refresh([str(corpus)], tmp_path / "b", workers=2)
    assert stats.normalised == 12
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_build_from_cached_and_new_entries_equals_a_fresh_build(
    corpus: Path, tmp_path: Path
) -> None:
    # The merge numbers the words of transcripts read back from the cache itself, and takes
    # the workers' numbers of those made now: both kinds in one build give the same index.
    build_or_refresh([str(corpus)], tmp_path / "mixed", workers=1)
    cache = next((tmp_path / "mixed" / "cache").iterdir())
    entries = sorted(cache.glob("*.bin"))
    for f in entries[::2]:
        f.unlink()
    (corpus / "2015-12-01_new.txt").write_text(NEW_TRANSCRIPT, encoding="utf-8")
    stats = build_or_refresh([str(corpus)], tmp_path / "mixed", workers=2)
    assert (stats.normalised, stats.reused) == (7, 6)
    build_or_refresh([str(corpus)], tmp_path / "fresh", workers=1)
    assert _files(tmp_path / "mixed") == _files(tmp_path / "fresh")


def test_vocabulary_numbers_words_by_key_in_order_of_meeting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    # A table of two slots: it grows at the second word and again at the third.
    monkeypatch.setattr(qindex, "_VOCAB_SLOTS", 2)
    vocab = qindex._Vocabulary()
    keys = qindex._keys
    assert vocab.number(keys(["b", "a"]), ["b", "a"]).tolist() == [0, 1]
    # Words as a cache entry stores them: only the new one is taken, as UTF-8.
    stored = "a\x00ça\x00b".encode()
    assert vocab.number(keys(["a", "ça", "b"]), stored).tolist() == [1, 2, 0]
    # No word is new: none of the words is taken (the last assert would show them).
    assert vocab.number(keys(["ça", "a"]), b"\xff\x00\xff").tolist() == [2, 1]
    assert vocab.number(keys([]), b"").tolist() == []
    assert vocab.words == [b"b", b"a", "ça".encode()]
    assert len(vocab.keys) == 8
    assert sorted(vocab.keys[vocab.nums != qindex._VOCAB_EMPTY].tolist()) == sorted(
        np.frombuffer(keys(["a", "b", "ça"]), dtype=np.int64).tolist()
    )


# Probed in numpy rounds, or (the last few keys of a transcript) one by one in Python.
@pytest.mark.parametrize("stragglers", [0, 100])
def test_vocabulary_probes_past_keys_of_the_same_slot(
    monkeypatch: pytest.MonkeyPatch, stragglers: int
) -> None:
    import numpy as np

    monkeypatch.setattr(qindex, "_VOCAB_STRAGGLERS", stragglers)

    # Keys chosen to share slots (their low bits) and to wrap around the table's end: each
    # is found past the others, a new one stops at the first empty slot, none is lost.
    vocab = qindex._Vocabulary()
    size = len(vocab.keys)
    chosen = [size - 1, 2 * size - 1, 3 * size - 1, 5, size + 5, -size]
    words = [f"w{k}" for k in range(len(chosen))]
    data = np.array(chosen, dtype="<i8").tobytes()
    assert vocab.number(data, words).tolist() == [0, 1, 2, 3, 4, 5]
    assert vocab.number(data, words).tolist() == [0, 1, 2, 3, 4, 5]
    assert vocab.number(np.array([7 * size - 1], dtype="<i8").tobytes(), ["x"]).tolist() == [6]
    assert vocab.number(data, words).tolist() == [0, 1, 2, 3, 4, 5]
    # Seven keys in the seven slots from size-1 on, wrapped, and 5 and 6.
    filled = np.flatnonzero(vocab.nums != qindex._VOCAB_EMPTY).tolist()
    assert filled == [0, 1, 2, 3, 5, 6, size - 1]
    assert vocab.words == [w.encode() for w in words] + [b"x"]


def test_postings_ranges_split_until_their_sort_packs_into_64_bits() -> None:
    import numpy as np

    # 2^22 words of one posting each: the next word takes 23 bits, so a range of w words and
    # w postings packs when 2 * bits(w - 1) + 23 <= 64, that is w <= 2^20.
    cum = np.arange(1, 2**22 + 1, dtype=np.int64)
    assert qindex._packable([0, 2**22], cum) == [0, 2**20, 2**21, 3 * 2**20, 2**22]
    # Ranges that pack are kept as they are.
    assert qindex._packable([0, 5, 2**20], cum) == [0, 5, 2**20]


def test_pick_words_from_a_list_or_stored_bytes() -> None:
    stored = "one\x00dos\x00trois\x00für".encode()
    assert qindex._pick_words(stored, [0, 3]) == [b"one", "für".encode()]
    assert qindex._pick_words(["x", "y", "ça"], [1, 2]) == [b"y", b"\xc3\xa7a"]


@pytest.mark.parametrize(("workers", "rel_max"), [(2, 3), (3, 3), (2, qindex._REL_MAX)])
def test_postings_sorted_in_processes_equal_the_serial_ones(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, rel_max: int
) -> None:
    # Forked processes sort every other word-id range (of shards of 300 tokens), whatever the
    # corpus size; a small _REL_MAX puts big words' rows in ranges sorted elsewhere.
    monkeypatch.setattr(qindex, "_PARALLEL_POSTINGS", 0)
    monkeypatch.setattr(qindex, "_REL_MAX", rel_max)
    build_or_refresh([str(corpus)], tmp_path / "a", workers=1, shard_tokens=300)
    build_or_refresh([str(corpus)], tmp_path / "b", workers=workers, shard_tokens=300)
    one, many = _files(tmp_path / "a"), _files(tmp_path / "b")
    big_pairs = json.loads(one["manifest.json"])["big_pairs"]
    assert (len(big_pairs) > 0) == (rel_max == 3)
    assert one == many


def _files(index_dir: Path) -> dict[str, bytes]:
    gen = index_dir / (index_dir / "CURRENT").read_text().strip()
    # stat.json holds sizes and mtimes of the transcripts, not index content.
    return {f.name: f.read_bytes() for f in sorted(gen.iterdir()) if f.name != "stat.json"}


def test_same_input_gives_byte_identical_index_files(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(FIXTURES, one / "c", ignore=shutil.ignore_patterns(".quoteverify"))
    shutil.copytree(FIXTURES, two / "c", ignore=shutil.ignore_patterns(".quoteverify"))
    # The same folder name as given, so corpus strings agree; different mtimes.
    os.utime(two / "c" / "aliases.toml", ns=(1, 1))
    cwd = Path.cwd()
    try:
        os.chdir(one)
        build_or_refresh(["c"], workers=1)
        os.chdir(two)
        build_or_refresh(["c"], workers=2)
    finally:
        os.chdir(cwd)
    a, b = _files(one / "c" / ".quoteverify"), _files(two / "c" / ".quoteverify")
    assert sorted(a) == sorted(b)
    assert len(a) > 30
    assert a == b


def test_version_mismatch_rebuilds(corpus: Path) -> None:
    build_or_refresh([str(corpus)], workers=1)
    folder = corpus / ".quoteverify"
    manifest = folder / "gen-00000001" / "manifest.json"
    data = json.loads(manifest.read_bytes())
    data["version"] = INDEX_VERSION + 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexError_, match="version"):
        open_index(corpus)
    stats = build_or_refresh([str(corpus)], workers=1)
    assert (stats.rebuilt, stats.reason) == (True, "version")
    # The caches were kept: nothing is normalised again.
    assert stats.normalised == 0
    assert open_index(corpus).size == stats.words


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "wrong size"),
        ("delete", "missing"),
        ("manifest", "manifest"),
        ("pointer", "CURRENT"),
    ],
)
def test_damaged_index_is_a_clear_error_then_rebuilt(
    corpus: Path, damage: str, message: str
) -> None:
    build_or_refresh([str(corpus)], workers=1)
    folder = corpus / ".quoteverify"
    gen = folder / "gen-00000001"
    if damage == "truncate":
        data = (gen / "s0_words").read_bytes()
        (gen / "s0_words").write_bytes(data[:-4])
    elif damage == "delete":
        (gen / "pos").unlink()
    elif damage == "manifest":
        (gen / "manifest.json").write_text("{not json")
    else:
        (folder / "CURRENT").write_text("../../etc\n")
    with pytest.raises(IndexError_, match=message):
        open_index(corpus)
    stats = build_or_refresh([str(corpus)], workers=1)
    assert (stats.rebuilt, stats.reason, stats.normalised) == (True, "damaged", 0)
    assert open_index(corpus).size == 2808


# An entry overwritten, cut short (its head's length then points past its start), or with
# bytes lost from its middle (the head then says the file should be longer).
@pytest.mark.parametrize("damage", ["overwritten", "truncated", "shortened"])
@pytest.mark.parametrize("workers", [1, 2])
def test_damaged_cache_entry_is_normalised_again(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, workers: int, damage: str
) -> None:
    build_or_refresh([str(corpus)], workers=1)
    cache = next((corpus / ".quoteverify" / "cache").iterdir())
    for f in cache.glob("*.bin"):
        data = f.read_bytes()
        f.write_bytes(
            b"\0"
            if damage == "overwritten"
            else data[: len(data) // 2]
            if damage == "truncated"
            else data[:100] + data[200:]
        )
    (corpus / "2015-12-01_new.txt").write_text(NEW_TRANSCRIPT, encoding="utf-8")
    # The dictionary reads the first entry only: the compressing workers meet damaged ones,
    # stop, and the merge compresses the rest once it has made them again.
    monkeypatch.setattr(qindex, "_DICT_SAMPLE", 1)
    build_or_refresh([str(corpus)], workers=workers)
    disk = open_index(corpus)
    memory, _ = load_corpus([str(corpus)])
    assert list(disk.words) == build_index(memory).words
    texts = [(corpus / t.path).read_text(encoding="utf-8") for t in memory.transcripts]
    assert [disk.text_of(d) for d in range(len(texts))] == texts
    assert len(texts) == 13


def test_crash_mid_build_leaves_the_previous_index(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_or_refresh([str(corpus)], workers=1)
    before = open_index(corpus)
    (corpus / "2015-12-01_new.txt").write_text(NEW_TRANSCRIPT, encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(qindex, "_write_shard", boom)
    with pytest.raises(KeyboardInterrupt):
        build_or_refresh([str(corpus)], workers=1)
    monkeypatch.undo()
    after = open_index(corpus)
    assert after.gen == before.gen
    assert list(after.words) == list(before.words)
    assert not list((corpus / ".quoteverify").glob("tmp-*"))
    stats = build_or_refresh([str(corpus)], workers=1)
    # The new transcript's tokens were cached before the crash.
    assert (stats.rebuilt, stats.normalised, stats.transcripts) == (True, 0, 13)


def test_killed_build_leaves_the_previous_index_answering(corpus: Path) -> None:
    build_or_refresh([str(corpus)], workers=1)
    for k in range(40):
        (corpus / f"extra-{k:02d}.txt").write_text(NEW_TRANSCRIPT * (k + 1), encoding="utf-8")
    # A child that builds slowly (each merge step sleeps) is killed with SIGKILL midway.
    code = (
        "import time, quoteverify.index as q\n"
        "orig = q._write_shard\n"
        "def slow(*a, **k):\n"
        "    open({!r}, 'w').close(); time.sleep(30); return orig(*a, **k)\n"
        "q._write_shard = slow\n"
        "q.build_or_refresh([{!r}], workers=1)\n"
    ).format(str(corpus / "started"), str(corpus))
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        for _ in range(600):
            if (corpus / "started").exists():
                break
            time.sleep(0.05)
        assert (corpus / "started").exists()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    disk = open_index(corpus)
    assert disk.gen.name == "gen-00000001"
    assert disk.size == 2808
    hits = disk.postings(["turkish"])
    assert len(hits) == 9
    (corpus / "started").unlink()
    stats = build_or_refresh([str(corpus)], workers=1)
    assert stats.transcripts == 52 and stats.rebuilt


def test_missing_corpus_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        build_or_refresh([str(tmp_path / "nowhere")])


def test_malformed_transcript_is_a_corpus_error(corpus: Path) -> None:
    (corpus / "bad.txt").write_text("no label here\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="text before the first speaker turn"):
        build_or_refresh([str(corpus)], workers=1)


def test_open_without_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexError_, match="no index here"):
        open_index(tmp_path)


def test_corpus_stats(corpus: Path) -> None:
    before = corpus_stats([str(corpus)])
    assert (before["indexed"], before["fresh"], before["transcripts"]) == (False, False, 12)
    build_or_refresh([str(corpus)], workers=1)
    stats = corpus_stats([str(corpus)])
    assert {k: stats[k] for k in ("indexed", "fresh", "transcripts", "words", "speakers")} == {
        "indexed": True,
        "fresh": True,
        "transcripts": 12,
        "words": 2808,
        "speakers": 16,
    }
    assert (stats["first_date"], stats["last_date"]) == ("2015-11-16", "2015-11-30")
    assert stats["index_bytes"] > 0


def test_speaker_runs_equal(both: tuple[CorpusIndex, DiskIndex]) -> None:
    memory, disk = both
    for sid in range(len(memory.labels)):
        for ids in (frozenset({sid}), frozenset({sid, (sid + 1) % len(memory.labels)})):
            assert disk.speaker_runs(ids) == memory.speaker_runs(ids)
    firsts, ends = disk.speaker_runs(frozenset({0}))
    assert firsts == sorted(firsts) and all(a < b for a, b in zip(firsts, ends, strict=True))


@pytest.mark.parametrize(
    ("lo", "hi"),
    [(0, 40), (100, 260), (1500, 1700), (2790, 2808), (2808, 2808)],
)
def test_window_postings_equal_the_index_postings_inside(
    both: tuple[CorpusIndex, DiskIndex], lo: int, hi: int
) -> None:
    memory, disk = both
    for index in (memory, disk):
        ids = list(index.ids)
        # Every word but "the": its postings and pairs are left out.
        wanted = set(ids) - {index.encode(["the"])[0]}
        found = _window_postings(index, lo, hi, wanted)
        want: dict[object, list[int]] = {}
        for p in range(lo, hi):
            for key in (ids[p], (ids[p], ids[p + 1]) if p + 1 < len(ids) else None):
                if key is None:
                    continue
                words = [key] if not isinstance(key, tuple) else list(key)
                if set(words) <= wanted and p in set(index.postings(words)):
                    want.setdefault(key, []).append(p)
        assert found == want


def test_token_offsets_past_16_bits_and_across_transcripts(tmp_path: Path) -> None:
    # A long transcript then a short one: blocks of 64 tokens that start the second file, or
    # that span a long stretch without words, keep their offsets whole.
    folder = tmp_path / "long"
    folder.mkdir()
    line = "Ann Lee: We will build a bridge over the river next spring.\n"
    gap = "Ann Lee: " + "-" * 70_000 + " and then the river.\n"
    (folder / "a.txt").write_text(line * 1500 + gap + line * 11, encoding="utf-8")
    (folder / "b.txt").write_text(line * 3, encoding="utf-8")
    build_or_refresh([str(folder)], workers=1)
    disk = open_index(folder)
    memory = build_index(load_corpus([str(folder)])[0])
    assert disk.manifest["files"]["s0_over"][1] == 4 * 64 * 2
    assert list(disk.starts) == list(memory.starts)
    assert list(disk.ends) == list(memory.ends)
    n = len(memory.starts)
    for a, b in [(0, 64), (60, 70), (14_990, 15_010), (15_100, 15_130), (n - 40, n)]:
        assert disk.starts[a:b] == list(memory.starts[a:b])
        assert disk.ends[a:b] == list(memory.ends[a:b])


@pytest.mark.parametrize("workers", [1, 2])
def test_a_transcript_changed_while_the_index_is_built_is_reported(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    victim = sorted(corpus.glob("*.txt"))[0]
    hash_file = qindex._sha256

    def hash_then_change(file: str) -> str:
        # The file changes once hashed, before a worker reads it: its size and mtime differ.
        sha = hash_file(file)
        if Path(file) == victim:
            with open(victim, "a", encoding="utf-8") as f:
                f.write("Ada Adler: A line written during the build.\n")
        return sha

    monkeypatch.setattr(qindex, "_sha256", hash_then_change)
    with pytest.raises(CorpusError, match="changed while the index was being built") as error:
        build_or_refresh([str(corpus)], workers=workers)
    assert error.value.file == f"{corpus}/{victim.name}"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_remembered_hash_is_checked_against_what_the_worker_reads(
    corpus: Path, workers: int
) -> None:
    # The file's bytes change but its size and mtime are put back, so the stat record's sha256
    # is taken; with no cache entry to reuse, the worker hashes what it reads and finds out.
    build_or_refresh([str(corpus)], workers=1)
    victim = sorted(corpus.glob("*.txt"))[0]
    before = victim.stat()
    data = victim.read_bytes()
    victim.write_bytes(data.replace(b"a", b"e", 1))
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    shutil.rmtree(corpus / ".quoteverify" / "cache")
    # A new transcript, so that the index is stale (the stat record alone says nothing changed).
    (corpus / "2015-12-01_new.txt").write_text(NEW_TRANSCRIPT, encoding="utf-8")
    with pytest.raises(CorpusError, match="changed while the index was being built") as error:
        build_or_refresh([str(corpus)], workers=workers)
    assert error.value.file == f"{corpus}/{victim.name}"


@pytest.mark.parametrize("threshold", [0, 1 << 40])
def test_hashes_on_threads_equal_hashes_one_by_one(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    # On two threads past the size threshold (here: any), one by one below it: the same sums,
    # in the order of the sources, each marked as hashed in this build.
    import hashlib

    monkeypatch.setattr(qindex, "_THREADED_HASHING", threshold)
    sources, _ = qindex._scan([str(corpus)])
    docs = qindex._resolve_shas(sources, {}, 2)
    assert [d.source for d in docs] == sources
    assert [d.sha for d in docs] == [
        hashlib.sha256(Path(s.file).read_bytes()).hexdigest() for s in sources
    ]
    assert all(d.hashed for d in docs)
    # A file whose size and mtime the stat record has keeps its remembered sum, unhashed.
    first = sources[0]
    stat = {"files": {f"{first.corpus}\x00{first.path}": [first.size, first.mtime_ns, "ab"]}}
    again = qindex._resolve_shas(sources, stat, 2)
    assert (again[0].sha, again[0].hashed) == ("ab", False)
    assert [d.sha for d in again[1:]] == [d.sha for d in docs[1:]]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_corpus_without_a_word_is_indexed(tmp_path: Path, workers: int) -> None:
    # Transcripts whose turns hold no word (annotations, fillers): an empty vocabulary, one
    # range of no postings, and a quote matches nothing, as in memory.
    corpus = tmp_path / "quiet"
    corpus.mkdir()
    for k in range(5):
        (corpus / f"q{k}.txt").write_text(
            "---\ntitle: Quiet\n---\nAda Adler: [applause]\nBo Brandt: uh, um.\n",
            encoding="utf-8",
        )
    stats = build_or_refresh([str(corpus)], tmp_path / "idx", workers=workers)
    assert (stats.words, stats.normalised) == (0, 5)
    disk = open_index(tmp_path / "idx")
    assert disk.size == 0
    assert disk.word_id("applause") is None
    assert disk.text_of(4) == (corpus / "q4.txt").read_text(encoding="utf-8")
    memory = build_index(load_corpus([str(corpus)])[0])
    quote = normalise("we will not give up", quote=True)
    for index in (memory, disk):
        assert match_quote(index, quote, None, Config()).best is None
