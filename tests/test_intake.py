"""Adding documents to a corpus folder and removing them (retrieval/intake.py), and the user
corpus in the engine settings: in process, no model, no index."""

from __future__ import annotations

import json
import pytest

from retrieval.errors import CorpusError, IntakeError
from retrieval.intake import Known, commit, preview, remove, sidecar_of
from retrieval.settings import EngineSettings
from retrieval.sources import preview_sources

from .conftest import CORPUS, SEED

MOSCOW = CORPUS / "sco" / "20201110_1626651.json"
TURTLES = "# Sea Turtle Accord\n\nThe parties agree that sea turtles deserve protection.\n\nThey meet again in 2031.\n"


@pytest.fixture()
def user(tmp_path):
    return tmp_path / "user"


@pytest.fixture()
def settings(user, tmp_path):
    return EngineSettings.resolve(None, None, str(tmp_path / "idx"), env={"QUOTEBOT_USER_CORPUS": str(user)})


def _known(settings, folder):
    return Known.of(settings.corpus_paths(), folder)


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _files(folder):
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_an_empty_or_absent_user_corpus_changes_nothing(settings, user, tmp_path):
    shipped_only = EngineSettings.resolve([str(CORPUS)], None, str(tmp_path / "idx"), env={})
    assert settings.corpus_paths() == [CORPUS]  # absent
    user.mkdir()
    (user / "notes.bin").write_bytes(b"x")  # no document file
    assert settings.corpus_paths() == [CORPUS]
    assert settings.index_path("m") == shipped_only.index_path("m")  # existing indexes stay valid
    _write(user / "turtles.md", TURTLES)
    assert settings.corpus_paths() == [CORPUS, user]
    assert settings.index_path("m") == shipped_only.index_path("m")  # rebuilt in place, incrementally


def test_an_explicit_corpus_never_reads_the_user_corpus(user, tmp_path):
    _write(user / "turtles.md", TURTLES)
    env = {"QUOTEBOT_USER_CORPUS": str(user)}
    assert EngineSettings.resolve([str(SEED)], None, None, env=env).corpus_paths() == [SEED]
    from_env = EngineSettings.resolve(None, None, None, env={**env, "QUOTEBOT_CORPUS": str(SEED)})
    assert from_env.corpus_paths() == [SEED] and from_env.user_corpus is None


def test_a_user_corpus_that_is_a_file_is_one_clear_error(tmp_path):
    _write(tmp_path / "file.txt", "text")
    settings = EngineSettings.resolve(None, None, None, env={"QUOTEBOT_USER_CORPUS": str(tmp_path / "file.txt")})
    with pytest.raises(CorpusError, match="the user corpus .QUOTEBOT_USER_CORPUS. must be a folder"):
        settings.corpus_paths()


def test_preview_parses_without_writing_and_commit_copies_with_the_sidecar(settings, user, tmp_path):
    source = _write(tmp_path / "in" / "turtles.md", TURTLES)
    _write(sidecar_of(source), json.dumps({"url": "https://example.org/turtles"}))
    staged = preview(source, tmp_path / "work", _known(settings, user))
    assert staged.document.doc_id == "turtles" and staged.document.title == "Sea Turtle Accord"
    assert len(staged.document.body_paragraphs()) == 2 and not user.exists()
    added = commit(staged, user)
    assert _files(user) == ["turtles.md", "turtles.meta.json"]  # no temporary file left
    assert (user / "turtles.md").read_text("utf-8") == TURTLES
    assert added.document.source_path == str(user / "turtles.md") and added.files[0] == user / "turtles.md"


def test_a_sidecar_named_after_the_whole_file_name_wins_and_is_copied_as_name_meta_json(settings, user, tmp_path):
    source = _write(tmp_path / "in" / "turtles.md", TURTLES)
    _write(source.with_name("turtles.md.meta.json"), json.dumps({"place": "Lima"}))
    _write(source.with_name("turtles.meta.json"), json.dumps({"place": "Quito"}))
    commit(preview(source, tmp_path / "work", _known(settings, user)), user)
    assert _files(user) == ["turtles.md", "turtles.meta.json"]
    assert json.loads((user / "turtles.meta.json").read_text("utf-8")) == {"place": "Lima"}


def test_the_same_text_reformatted_is_a_duplicate_of_the_shipped_document(settings, user, tmp_path):
    text = SEED.read_text("utf-8").replace("\n\n", "\n   \n").replace(". ", ".  ")  # other bytes, same text
    copy = _write(tmp_path / "beijing_copy.txt", text)
    with pytest.raises(IntakeError, match=r"beijing_copy.txt: the same text as 2012-beijing-declaration"):
        preview(copy, tmp_path / "work", _known(settings, user))


def test_a_taken_id_is_refused(settings, user, tmp_path):
    record = json.loads(MOSCOW.read_text("utf-8"))
    record["text"] = "Moscow Declaration\n\nThe member states discussed sea turtles at length.\n"
    other = _write(tmp_path / "other_moscow.json", json.dumps(record))
    with pytest.raises(IntakeError, match="its id 2020-moscow-declaration is already taken by .*20201110_1626651.json"):
        preview(other, tmp_path / "work", _known(settings, user))


def test_a_taken_file_name_is_refused(settings, user, tmp_path):
    _write(user / "accord.md", TURTLES)
    record = json.loads(MOSCOW.read_text("utf-8"))
    record.update(date="2031-01-02", place_of_signing="Lima", text="Lima Declaration\n\nWhales too.\n")
    other = _write(tmp_path / "accord.json", json.dumps(record))
    with pytest.raises(IntakeError, match=r"already has a file named accord\.\*; rename the input"):
        preview(other, tmp_path / "work", _known(settings, user))


@pytest.mark.parametrize("name, content, message", [
    ("broken.json", "{oops", "broken.json: not valid JSON"),
    ("empty.txt", "  \n", "empty.txt: the file is empty"),
    ("latin.txt", "caf\xe9", "latin.txt: not UTF-8 text"),
    ("slides.pptx", "x", "not a supported format (.pptx); QuoteBot reads .txt"),
    ("README.md", TURTLES, "README.md is a reserved name"),
    ("x.meta.json", "{}", "a metadata file (.meta.json)"),
])
def test_a_bad_input_is_one_clear_error_naming_it_and_nothing_is_written(settings, user, tmp_path, name, content,
                                                                       message):
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    bad.write_bytes(content.encode("latin-1"))
    with pytest.raises(IntakeError) as error:
        preview(bad, tmp_path / "work", _known(settings, user))
    assert message in str(error.value) and str(bad) in str(error.value) and "work" not in str(error.value)
    assert not user.exists()


def test_a_commit_that_cannot_write_leaves_nothing(settings, tmp_path):
    staged = preview(_write(tmp_path / "turtles.md", TURTLES), tmp_path / "work", _known(settings, tmp_path / "u"))
    blocked = _write(tmp_path / "blocked", "a file where the folder should be")
    with pytest.raises(IntakeError, match="cannot write to"):
        commit(staged, blocked / "corpus")
    assert blocked.read_text("utf-8") == "a file where the folder should be"


def test_folders_are_expanded_and_one_call_never_adds_a_text_twice(settings, user, tmp_path):
    folder = tmp_path / "in"
    _write(folder / "a.md", TURTLES)
    _write(folder / "sub" / "b.md", TURTLES.replace("Sea Turtle Accord", "Another Title"))  # same paragraphs
    _write(folder / "a.meta.json", json.dumps({"title": "A"}))
    _write(folder / "c.txt", "Whales\n\nWhales deserve protection too.\n")
    outcomes = preview_sources([str(folder), str(folder / "c.txt")], tmp_path / "work", _known(settings, user))
    assert [(o.source.rsplit("/", 1)[-1], o.staged is not None) for o in outcomes] == [
        ("a.md", True), ("c.txt", True), ("b.md", False), ("c.txt", False)]  # a folder's files sorted
    assert "the same text as a" in str(outcomes[2].error) and "the same text as c" in str(outcomes[3].error)
    assert outcomes[0].staged.sidecar is not None and not user.exists()


def test_remove_deletes_an_added_document_and_its_sidecar(settings, user, tmp_path):
    _write(user / "turtles.md", TURTLES)
    _write(user / "turtles.meta.json", "{}")
    _write(user / "whales.txt", "Whales\n\nWhales deserve protection too.\n")
    removed = remove("turtles", user, _known(settings, user))
    assert removed.document.title == "Sea Turtle Accord" and _files(user) == ["whales.txt"]
    assert [p.name for p in removed.files] == ["turtles.md", "turtles.meta.json"]


def test_remove_keeps_a_sidecar_another_document_shares(settings, user, tmp_path):
    _write(user / "accord.md", TURTLES)
    _write(user / "accord.txt", "Whales\n\nWhales deserve protection too.\n")  # its id: accord-2
    _write(user / "accord.meta.json", "{}")
    removed = remove("accord-2", user, _known(settings, user))
    assert [p.name for p in removed.files] == ["accord.txt"] and _files(user) == ["accord.md", "accord.meta.json"]


def test_remove_refuses_shipped_and_unknown_documents(settings, user, tmp_path):
    _write(user / "turtles.md", TURTLES)
    known = _known(settings, user)
    with pytest.raises(IntakeError, match="2012-beijing-declaration is part of the shipped corpus and cannot be"):
        remove("2012-beijing-declaration", user, known)
    with pytest.raises(IntakeError, match="unknown document 'nope'; `quotebot docs` lists the ids"):
        remove("nope", user, known)
    assert SEED.is_file() and _files(user) == ["turtles.md"]


def test_the_folder_documents_go_to(settings, user, tmp_path):
    assert settings.intake_folder() == user
    explicit = EngineSettings.resolve([str(tmp_path / "mine")], None, None, env={})
    assert explicit.intake_folder() == (tmp_path / "mine").resolve()
    for paths, message in (([str(CORPUS)], "is the shipped corpus, kept as published"),
                           ([str(CORPUS / "sco")], "is the shipped corpus"),
                           ([str(SEED), str(tmp_path)], "documents are added to one corpus folder"),
                           ([str(SEED)], "documents are added to one corpus folder")):
        with pytest.raises(IntakeError, match=message):
            EngineSettings.resolve(paths, None, None, env={}).intake_folder()


def test_a_checked_commit_sees_what_another_process_added_since_the_preview(settings, user, tmp_path):
    """The bot previews against its engine's documents; at Add, `commit_checked` also reads the
    folder under the corpus lock, where a `quotebot add` may have put the same text meanwhile."""
    from retrieval.intake import commit_checked

    engine_documents = _known(settings, user).documents
    first = preview(_write(tmp_path / "a" / "turtles.md", TURTLES), tmp_path / "w1", _known(settings, user))
    second = preview(_write(tmp_path / "b" / "sea-turtles.md", TURTLES), tmp_path / "w2", _known(settings, user))
    commit_checked(first, user, engine_documents)
    with pytest.raises(IntakeError, match="the same text as turtles"):
        commit_checked(second, user, engine_documents)
    assert _files(user) == ["turtles.md"]
