"""`quotebot add` and `quotebot remove`, run as real processes with the fake embedder; every test
has a user corpus folder of its own (QUOTEBOT_USER_CORPUS) and shares one index folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import CORPUS, ROOT
from .test_sources import server  # noqa: F401 - the local HTTP server fixture

TURTLES = "# Sea Turtle Accord\n\nThe parties agree that sea turtles deserve protection.\n\nThey meet again in 2031.\n"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("intake-index")


@pytest.fixture()
def user(tmp_path):
    return tmp_path / "user"


@pytest.fixture()
def run(index_dir, user):
    def _run(*args, model="fake-hashing"):
        env = {**os.environ, "QUOTEBOT_MODEL": model, "QUOTEBOT_INDEX_DIR": str(index_dir),
               "QUOTEBOT_USER_CORPUS": str(user), "HF_HUB_OFFLINE": "1"}
        env.pop("QUOTEBOT_CORPUS", None)
        return subprocess.run([sys.executable, "-m", "quotebot", *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=300)

    return _run


def _errors(result):
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("quotebot: error: ")]


def _index_version(index_dir):
    """Which version of the default corpus's index is current (what a build would change)."""
    (link,) = [p for p in index_dir.iterdir() if p.is_symlink()]
    return os.readlink(link), (link / "manifest.json").read_text("utf-8")


def _doc_ids(run):
    return [json.loads(line)["doc_id"] for line in run("docs", "--json").stdout.splitlines()]


def test_an_added_file_is_listed_and_answers(run, user, tmp_path):
    assert run("index").returncode == 0  # the shipped corpus's index, whatever an earlier test left
    source = tmp_path / "turtles.md"
    source.write_text(TURTLES, "utf-8")
    result = run("add", str(source))
    assert result.returncode == 0, result.stderr
    assert "added turtles: Sea Turtle Accord\n  undated, no place, 2 paragraphs\n" in result.stdout
    assert "  ¶1 “The parties agree that sea turtles deserve protection.”" in result.stdout
    assert "added 1 (turtles), changed 0, removed 0, unchanged 13; vectors reused for 13 documents, encoded for 1 document" \
        in result.stdout
    assert (user / "turtles.md").read_text("utf-8") == TURTLES
    assert _doc_ids(run)[-1] == "turtles" and len(_doc_ids(run)) == 14
    answer = json.loads(run("ask", "sea turtles protection", "--json", "-k", "1").stdout)
    assert answer["hits"][0]["doc_id"] == "turtles" and not answer["abstained"]


def test_a_duplicate_of_a_shipped_document_is_refused_and_nothing_written(run, user, tmp_path):
    copy = tmp_path / "moscow_again.json"
    shutil.copy(CORPUS / "sco" / "20201110_1626651.json", copy)
    result = run("add", str(copy))
    assert result.returncode == 1
    assert _errors(result) == [f"quotebot: error: {copy}: the same text as 2020-moscow-declaration, already in the "
                               "corpus; nothing added"]
    assert not user.exists() and result.stdout == ""


def test_a_bad_file_leaves_the_corpus_and_the_index_untouched(run, user, index_dir, tmp_path):
    assert run("index").returncode == 0
    before = _index_version(index_dir)
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "A Declaration"', "utf-8")
    result = run("add", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    (error,) = _errors(result)
    assert error.startswith(f"quotebot: error: {bad}: not valid JSON")
    assert not user.exists() and _index_version(index_dir) == before


def test_a_model_that_cannot_load_changes_nothing(run, user, tmp_path):
    (tmp_path / "turtles.md").write_text(TURTLES, "utf-8")
    result = run("add", str(tmp_path / "turtles.md"), model="no-such-org/no-such-model")
    assert result.returncode == 2 and "model 'no-such-org/no-such-model' is neither" in _errors(result)[0]
    assert not user.exists() and result.stdout == ""


def test_a_model_found_that_fails_to_load_takes_the_added_file_back(run, user, index_dir, tmp_path):
    model = tmp_path / "broken-model"  # found (a folder with weights), but no model loads from it
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"not weights")
    (tmp_path / "turtles.md").write_text(TURTLES, "utf-8")
    result = run("add", str(tmp_path / "turtles.md"), model=str(model))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "taken back" in result.stderr and _errors(result)  # the worker's reason, in one line
    assert not list(user.glob("*"))


def test_with_a_bad_input_the_good_ones_are_still_added(run, user, tmp_path):
    (tmp_path / "turtles.md").write_text(TURTLES, "utf-8")
    result = run("add", str(tmp_path / "turtles.md"), str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert _errors(result) == [f"quotebot: error: {tmp_path / 'missing.txt'}: no such file or folder"]
    assert "quotebot: 1 of 2 inputs added" in result.stderr and "added 1 (turtles)" in result.stdout
    assert sorted(p.name for p in user.iterdir()) == ["turtles.md"]


def test_remove_an_added_document_and_refuse_a_shipped_one(run, user, tmp_path):
    (tmp_path / "turtles.md").write_text(TURTLES, "utf-8")
    assert run("add", str(tmp_path / "turtles.md")).returncode == 0
    shipped = run("remove", "2012-beijing-declaration")
    assert shipped.returncode == 1 and _errors(shipped) == [
        f"quotebot: error: 2012-beijing-declaration is part of the shipped corpus and cannot be removed; only "
        f"documents added to {user} can"]
    result = run("remove", "turtles")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"removed turtles: Sea Turtle Accord\n  deleted {user / 'turtles.md'}\n")
    assert "added 0, changed 0, removed 1 (turtles), unchanged 13" in result.stdout
    assert list(user.iterdir()) == [] and "turtles" not in _doc_ids(run) and len(_doc_ids(run)) == 13


def test_add_a_url_and_a_missing_one(run, user, server):  # noqa: F811 - the fixture
    result = run("add", f"{server}/docs/turtles.txt", f"{server}/missing.txt")
    assert result.returncode == 1
    assert _errors(result) == [f"quotebot: error: {server}/missing.txt: the server answered 404 Not Found"]
    assert "added turtles: Accord on Sea Turtles" in result.stdout
    assert json.loads((user / "turtles.meta.json").read_text("utf-8")) == {"url": f"{server}/docs/turtles.txt"}
    rows = [json.loads(line) for line in run("docs", "--json").stdout.splitlines()]
    assert [r["url"] for r in rows if r["doc_id"] == "turtles"] == [f"{server}/docs/turtles.txt"]  # from the sidecar


def test_add_to_an_explicit_corpus_folder(run, user, tmp_path):
    mine = tmp_path / "mine"
    (tmp_path / "turtles.md").write_text(TURTLES, "utf-8")
    result = run("add", str(tmp_path / "turtles.md"), "--corpus", str(mine))
    assert result.returncode == 0, result.stderr
    assert "added 1 (turtles), changed 0, removed 0, unchanged 0" in result.stdout  # the index of that folder
    assert (mine / "turtles.md").is_file() and not user.exists()
    assert json.loads(run("docs", "--json", "--corpus", str(mine)).stdout)["doc_id"] == "turtles"
    removed = run("remove", "turtles", "--corpus", str(mine))  # the folder's last document
    assert removed.returncode == 0 and _errors(removed) == [], removed.stderr
    assert "holds no document now" in removed.stdout and not (mine / "turtles.md").exists()


@pytest.mark.parametrize("args, message", [
    (("add", "x.txt", "--corpus", "a", "--corpus", "b"), "documents are added to one corpus folder"),
    (("add", "x.txt", "--corpus", str(CORPUS)), "is the shipped corpus, kept as published"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.returncode == 2 and message in _errors(result)[0]


def test_two_adds_of_the_same_text_at_once_add_it_once(index_dir, user, tmp_path):
    """Each `quotebot add` reads the corpus, then writes: without the corpus lock, two started
    together would both find the text new and both add it."""
    env = {**os.environ, "QUOTEBOT_MODEL": "fake-hashing", "QUOTEBOT_INDEX_DIR": str(index_dir),
           "QUOTEBOT_USER_CORPUS": str(user), "HF_HUB_OFFLINE": "1"}
    env.pop("QUOTEBOT_CORPUS", None)
    sources = [tmp_path / "turtles-a.md", tmp_path / "turtles-b.md"]
    for source in sources:
        source.write_text(TURTLES, "utf-8")
    processes = [subprocess.Popen([sys.executable, "-m", "quotebot", "add", str(s)], env=env, cwd=ROOT, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in sources]
    results = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    assert sorted(code for code, _, _ in results) == [0, 1], results
    refused = next(err for code, _, err in results if code == 1)
    assert "the same text as" in refused and "Traceback" not in refused
    assert len([p for p in user.iterdir() if not p.name.startswith(".")]) == 1


@pytest.mark.model
def test_sigterm_during_an_add_takes_the_file_back(user, index_dir, tmp_path):
    """SIGTERM (a service manager stopping it) ends an add as Ctrl-C does: the corpus as it was."""
    import signal
    import time

    big = tmp_path / "big.md"
    big.write_text("# A Long Accord\n\n" + "\n\n".join(f"Clause {i} of the accord on cooperation in field {i}."
                                                        for i in range(3000)), "utf-8")
    env = {**os.environ, "QUOTEBOT_INDEX_DIR": str(index_dir / "sigterm"), "QUOTEBOT_USER_CORPUS": str(user),
           "HF_HUB_OFFLINE": "1"}
    env.pop("QUOTEBOT_MODEL", None)
    env.pop("QUOTEBOT_CORPUS", None)
    add = subprocess.Popen([sys.executable, "-m", "quotebot", "add", str(big)], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(user.glob("big*")) and time.monotonic() < deadline:  # committed: the update runs
        time.sleep(0.05)
    time.sleep(1.0)
    add.send_signal(signal.SIGTERM)
    out, err = add.communicate(timeout=60)
    assert add.returncode == 143 and "Traceback" not in err, err
    assert "taken back" in err and not list(user.glob("*")) and "added" not in out
