"""Incremental index: only what changed is encoded, and answers are those of a full rebuild."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from embeddings import HashingEmbedder
from retrieval.engine import Engine
from retrieval.index import open_index
from retrieval.index.segments import SegmentStore
from retrieval.parsers import corpus_files

from .conftest import CORPUS, SEED

QUESTIONS = ["missile defense", "Afghanistan", "COVID-19 pandemic", "energy security", "youth", "terrorism"]
SCO = CORPUS / "sco"


class Counting(HashingEmbedder):
    """The fake embedder, counting the texts it encodes."""

    def __init__(self):
        super().__init__()
        self.encoded = 0

    def embed_passages(self, texts, progress=False):
        self.encoded += len(texts)
        return super().embed_passages(texts)


def _answers(index, embedder):
    engine = Engine(index, embedder)
    return [[(h.citation.doc_id, h.paragraph.number, h.quote, round(h.score, 6)) for h in engine.answer(q, k=5).hits]
            for q in QUESTIONS]


def _fresh(folder, tmp_path):
    """The same corpus built from nothing, in a root of its own."""
    root = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    embedder = HashingEmbedder()
    return _answers(open_index(corpus_files([folder]), embedder, root / "idx")[0], embedder)


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(SCO / "20201110_1626651.json", folder / "moscow.json")
    return folder


def test_adding_a_document_encodes_only_it_and_answers_as_a_rebuild(corpus, tmp_path):
    embedder = Counting()
    target = tmp_path / "root" / "idx"
    open_index(corpus_files([corpus]), embedder, target)
    first = embedder.encoded
    shutil.copy(SCO / "20220916_1626299.json", corpus / "samarkand.json")
    embedder.encoded = 0
    index, built = open_index(corpus_files([corpus]), embedder, target)
    changes = index.manifest["changes"]
    assert built and changes["added"] == ["2022-samarkand-declaration"] and changes["reused"] == 2
    samarkand_rows = index.manifest["segments"]["2022-samarkand-declaration"]["rows"]
    assert samarkand_rows <= embedder.encoded < samarkand_rows + first  # its rows and its new words only
    assert _answers(index, embedder) == _fresh(corpus, tmp_path)


def test_changing_and_removing_documents(corpus, tmp_path):
    embedder = Counting()
    target = tmp_path / "root" / "idx"
    open_index(corpus_files([corpus]), embedder, target)
    text = (corpus / SEED.name).read_text("utf-8")
    (corpus / SEED.name).write_text(text.replace("missile defense", "missile shield"), "utf-8")
    index, _ = open_index(corpus_files([corpus]), embedder, target)
    assert index.manifest["changes"]["changed"] == ["2012-beijing-declaration"]
    assert index.manifest["changes"]["unchanged"] == 1
    assert _answers(index, embedder) == _fresh(corpus, tmp_path)
    (corpus / "moscow.json").unlink()
    embedder.encoded = 0
    index, _ = open_index(corpus_files([corpus]), embedder, target)
    assert index.manifest["changes"]["removed"] == ["2020-moscow-declaration"] and embedder.encoded == 0
    assert _answers(index, embedder) == _fresh(corpus, tmp_path)


def test_an_unchanged_corpus_reloads_without_encoding(corpus, tmp_path):
    embedder = Counting()
    target = tmp_path / "root" / "idx"
    open_index(corpus_files([corpus]), embedder, target)
    embedder.encoded = 0
    _, built = open_index(corpus_files([corpus]), embedder, target)
    assert not built and embedder.encoded == 0
    _, built = open_index(corpus_files([corpus]), embedder, target, force=True)  # rebuilt, from the cache
    assert built and embedder.encoded == 0


@pytest.mark.parametrize("stage", ["parsing", "second document", "words", "writing", "swap"])
def test_a_build_killed_at_any_stage_keeps_the_old_index_and_the_next_run_finishes(corpus, tmp_path, stage,
                                                                                    monkeypatch):
    from retrieval.index import store as store_module

    embedder = Counting()
    target = tmp_path / "root" / "idx"
    old, _ = open_index(corpus_files([corpus]), embedder, target)
    shutil.copy(SCO / "20220916_1626299.json", corpus / "samarkand.json")
    shutil.copy(SCO / "20230704_1628339.json", corpus / "delhi.json")

    class Killed(Exception):
        pass

    calls = {"n": 0}
    real_embed, real_replace = embedder.embed_passages, store_module.os.replace

    def embed(texts, progress=False):
        calls["n"] += 1
        if (stage == "second document" and calls["n"] == 2) or (stage == "words" and texts and " " not in texts[0]
                                                                and len(texts) > 1 and calls["n"] > 2):
            raise Killed(stage)
        return real_embed(texts)

    monkeypatch.setattr(embedder, "embed_passages", embed)
    if stage == "parsing":  # killed while the new files are parsed (delhi.json is parsed and cached by then)
        from retrieval.index import parsed

        real_parse = parsed.parse_file
        monkeypatch.setattr(parsed, "parse_file", lambda path: (_ for _ in ()).throw(Killed(stage))
                            if path.name == "samarkand.json" else real_parse(path))
    if stage == "writing":  # killed while the new version's files are written
        real_save = store_module.np.save
        monkeypatch.setattr(store_module.np, "save", lambda path, *a, **k: (_ for _ in ()).throw(Killed(stage))
                            if str(path).endswith("vectors.npy") else real_save(path, *a, **k))
    if stage == "swap":  # killed at the very moment the new version would replace the old
        monkeypatch.setattr(store_module.os, "replace", lambda src, dst: (_ for _ in ()).throw(Killed(stage))
                            if dst == target else real_replace(src, dst))
    with pytest.raises(Killed):
        open_index(corpus_files([corpus]), embedder, target)
    monkeypatch.undo()
    assert not list(target.parent.glob(".idx.tmp-*"))  # the new version's folder is not left behind
    still, built = open_index(corpus_files([corpus / SEED.name, corpus / "moscow.json"]), HashingEmbedder(), target)
    assert not built and still.manifest["created_at"] == old.manifest["created_at"]  # the old one answers
    resumed = Counting()
    index, built = open_index(corpus_files([corpus]), resumed, target)
    assert built and index.manifest["changes"]["reused"] >= 2  # what was done before the kill is kept
    assert _answers(index, resumed) == _fresh(corpus, tmp_path)


def test_a_stopped_build_keeps_the_groups_it_finished(corpus, tmp_path, monkeypatch):
    from retrieval.index import core

    monkeypatch.setattr(core, "GROUP_ROWS", 1)  # every document is a group of its own
    target = tmp_path / "root" / "idx"
    open_index(corpus_files([corpus]), Counting(), target)
    shutil.copy(SCO / "20220916_1626299.json", corpus / "samarkand.json")
    shutil.copy(SCO / "20230704_1628339.json", corpus / "delhi.json")
    groups = {"n": 0}
    real_encode = SegmentStore.encode

    def encode(self, segments, encode):
        groups["n"] += 1
        if groups["n"] == 2:  # stopped while the second new document's group is encoded
            raise RuntimeError("stopped")
        return real_encode(self, segments, encode)

    monkeypatch.setattr(SegmentStore, "encode", encode)
    with pytest.raises(RuntimeError):
        open_index(corpus_files([corpus]), Counting(), target)
    monkeypatch.undo()
    index, built = open_index(corpus_files([corpus]), Counting(), target)
    assert built and index.manifest["changes"]["reused"] == 3  # the two old documents and the first new one


def test_sorted_chunks_return_vectors_in_the_order_asked():
    from retrieval.index.progress import CHUNK, BuildProgress

    texts = [("word " * ((i * 37) % 50 + 1)) + str(i) for i in range(CHUNK * 2 + 17)]
    fake = HashingEmbedder()
    assert np.array_equal(BuildProgress().encoder(fake.embed_passages)(texts), fake.embed_passages(texts))


def test_chunks_are_bounded_by_texts_and_characters():
    from retrieval.index.progress import chunks

    lengths = [1000] * 5 + [10] * 7
    parts = chunks(lengths, most=4, chars=2500)
    assert [lengths[s] for s in parts] == [[1000, 1000], [1000, 1000], [1000, 10, 10, 10], [10, 10, 10, 10]]
    assert chunks([9000, 5], most=4, chars=2500) == [slice(0, 1), slice(1, 2)]  # an over-long text alone
    assert chunks([], most=4, chars=10) == []


def _counting_parser(monkeypatch):
    """Count the files the parse cache really parses."""
    from retrieval.index import parsed

    parsed_files = []
    original = parsed.parse_file
    monkeypatch.setattr(parsed, "parse_file", lambda path: parsed_files.append(path.name) or original(path))
    return parsed_files


def test_only_new_or_changed_files_are_parsed_again(corpus, tmp_path, monkeypatch):
    parsed_files = _counting_parser(monkeypatch)
    target = tmp_path / "root" / "idx"
    open_index(corpus_files([corpus]), HashingEmbedder(), target)
    assert sorted(parsed_files) == ["moscow.json", SEED.name]
    parsed_files.clear()
    shutil.copy(SCO / "20220916_1626299.json", corpus / "samarkand.json")
    index, built = open_index(corpus_files([corpus]), HashingEmbedder(), target)
    assert built and parsed_files == ["samarkand.json"]
    parsed_files.clear()
    sidecar = corpus / "moscow.meta.json"  # metadata beside a file: that file is parsed again
    sidecar.write_text('{"title": "The Moscow Declaration, renamed"}', "utf-8")
    index, built = open_index(corpus_files([corpus]), HashingEmbedder(), target)
    assert built and parsed_files == ["moscow.json"]
    assert "The Moscow Declaration, renamed" in {d.title for d in index.documents}
    parsed_files.clear()
    (corpus / "quotebot.json").write_text('{"title_prefix": "SCO"}', "utf-8")  # configuration: all again
    index, built = open_index(corpus_files([corpus]), HashingEmbedder(), target)
    assert built and sorted(parsed_files) == ["moscow.json", "samarkand.json", SEED.name]
    parsed_files.clear()
    open_index(corpus_files([corpus]), HashingEmbedder(), target, force=True)  # --force: every file
    assert len(parsed_files) == 3


def test_a_damaged_or_failed_parse_is_never_taken_from_the_cache(corpus, tmp_path, monkeypatch):
    from retrieval.index.parsed import ParseCache

    parsed_files = _counting_parser(monkeypatch)
    cache = ParseCache(tmp_path / "parsed")
    first = cache.parse(corpus / "moscow.json")
    assert cache.parse(corpus / "moscow.json") == first and cache.hits == 1 and parsed_files == ["moscow.json"]
    for entry in (tmp_path / "parsed").iterdir():
        entry.write_text('{"doc_id": "forged"', "utf-8")  # cut short
    assert cache.parse(corpus / "moscow.json") == first and cache.hits == 1 and len(parsed_files) == 2
    broken = corpus / "broken.json"
    broken.write_text("{not json", "utf-8")
    for _ in range(2):
        with pytest.raises(Exception, match="broken.json"):
            cache.parse(broken)
    assert parsed_files.count("broken.json") == 2 and len(list((tmp_path / "parsed").iterdir())) == 1


def test_the_words_of_a_parsed_document_are_computed_once(corpus, tmp_path, monkeypatch):
    from retrieval.index import parsed
    from retrieval.tokens import stems, words

    cache = parsed.ParseCache(tmp_path / "parsed")
    doc = cache.parse(corpus / "moscow.json")
    expected = ([words(p.text) for p in doc.paragraphs], [stems(words(p.text)) for p in doc.paragraphs])
    assert cache.words(doc) == expected
    counted = []
    monkeypatch.setattr(parsed, "words", lambda text: counted.append(text) or words(text))
    again = parsed.ParseCache(tmp_path / "parsed")  # the next build
    assert again.words(again.parse(corpus / "moscow.json")) == expected and not counted
    for entry in (tmp_path / "parsed").glob("*.words-*.json"):
        entry.write_text('{"words": [["forged"]], "stems": [["forg"]]}', "utf-8")  # not this document's
    damaged = parsed.ParseCache(tmp_path / "parsed")
    assert damaged.words(damaged.parse(corpus / "moscow.json")) == expected and len(counted) == len(doc.paragraphs)
    unknown = parsed.ParseCache(tmp_path / "parsed").words(doc)  # a document it did not parse: computed
    assert unknown == expected


def test_documents_json_from_the_cache_is_what_the_documents_give(corpus, tmp_path):
    from retrieval.index.parsed import ParseCache, documents_json

    first = ParseCache(tmp_path / "parsed")
    fresh = first.parse(corpus / "moscow.json")  # parsed now
    cache = ParseCache(tmp_path / "parsed")
    docs = [cache.parse(corpus / "moscow.json"), cache.parse(SEED), fresh]  # from the cache, parsed, unknown
    assert cache.hits == 1
    assert cache.documents_json(docs) == documents_json(docs)


def test_vectors_written_in_any_order_read_back_as_np_save_writes_them(tmp_path):
    from retrieval.index.segments import VectorFile

    matrix = np.random.default_rng(7).standard_normal((10, 4)).astype(np.float32)
    written = VectorFile(tmp_path / "vectors.npy", 10, 4)
    for start, end in [(6, 10), (0, 3), (3, 6)]:
        written.put(start, matrix[start:end])
    mapped = written.close()
    assert isinstance(mapped, np.memmap) and np.array_equal(mapped, matrix)
    np.save(tmp_path / "saved.npy", matrix)
    assert (tmp_path / "vectors.npy").read_bytes() == (tmp_path / "saved.npy").read_bytes()


def test_cache_entries_of_the_wrong_shape_are_parsed_again(corpus, tmp_path, monkeypatch):
    import json

    from retrieval.index.parsed import ParseCache

    cache = ParseCache(tmp_path / "parsed")
    moscow, seed = cache.parse(corpus / "moscow.json"), cache.parse(corpus / SEED.name)
    (entry,) = [p for p in (tmp_path / "parsed").glob("*.json") if json.loads(p.read_bytes())["doc_id"] == moscow.doc_id]
    good = json.loads(entry.read_bytes())
    seed_entry = json.dumps(next(json.loads(p.read_bytes()) for p in (tmp_path / "parsed").glob("*.json")
                                 if p != entry))
    damages = [lambda d: d["paragraphs"][0].update(text=5), lambda d: d.update(title=None, doc_id=None),
               lambda d: d.update(paragraphs=[]), lambda d: d["paragraphs"][0].update(sentences=[[0, 10 ** 6]])]
    for damage in damages:
        forged = json.loads(json.dumps(good))
        damage(forged)
        entry.write_text(json.dumps(forged), "utf-8")
        again = ParseCache(tmp_path / "parsed")
        assert again.parse(corpus / "moscow.json") == moscow and again.hits == 0
    entry.write_text(seed_entry, "utf-8")  # another file's entry copied over this one
    again = ParseCache(tmp_path / "parsed")
    assert again.parse(corpus / "moscow.json") == moscow and seed.doc_id != moscow.doc_id


def test_cached_words_of_the_wrong_kind_or_of_another_file_are_computed_again(corpus, tmp_path):
    import json

    from retrieval.index.parsed import ParseCache

    cache = ParseCache(tmp_path / "parsed")
    doc = cache.parse(corpus / "moscow.json")
    expected = cache.words(doc)
    (entry,) = (tmp_path / "parsed").glob("*.words-*.json")
    stored = json.loads(entry.read_bytes())
    for forged in ({**stored, "words": [[1, "x"]] + stored["words"][1:]}, {**stored, "stems": [[{}]] * len(doc.paragraphs)},
                   {**stored, "key": "another-file"}):  # the entry of another file (same paragraph count)
        entry.write_text(json.dumps(forged), "utf-8")
        again = ParseCache(tmp_path / "parsed")
        assert again.words(again.parse(corpus / "moscow.json")) == expected


def test_the_cache_never_mistakes_a_document_for_another_with_its_id(tmp_path):
    from dataclasses import replace

    from retrieval.index.parsed import ParseCache, documents_json

    cache = ParseCache(tmp_path / "parsed")
    original = cache.parse(SEED)
    renamed = replace(original, doc_id="renamed")
    cache._seen[id(renamed)] = cache._seen[id(original)]  # as when Python re-uses a freed object's id
    assert cache.documents_json([renamed]) == documents_json([renamed])


def test_duplicate_documents_each_keep_their_own_id(tmp_path):
    import json

    folder = tmp_path / "copies"
    folder.mkdir()
    for i in range(8):
        shutil.copy(SCO / "20190614_1626279.json", folder / f"copy{i}.json")
        shutil.copy(SEED, folder / f"seed{i}.txt")
    for build in range(3):
        index, _ = open_index(corpus_files([folder]), HashingEmbedder(), tmp_path / f"root{build}" / "idx")
        ids = [d["doc_id"] for d in json.loads((tmp_path / f"root{build}" / "idx" / "documents.json").read_bytes())]
        assert len(set(ids)) == 16 and ids == [d.doc_id for d in index.documents]


def test_a_lone_surrogate_in_a_record_is_refused_by_name(tmp_path):
    import json

    from retrieval.errors import ParseError
    from retrieval.parsers import parse_file

    record = json.loads((SCO / "20201110_1626651.json").read_text("utf-8"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record).replace("Moscow", "Mos\\ud800cow", 1), "utf-8")  # a JSON escape
    with pytest.raises(ParseError, match=r"bad.json: the .* holds a lone surrogate \(\\ud800\)"):
        parse_file(bad)
