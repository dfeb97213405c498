"""The CLI contract, run as a real process with the fake embedder (QUOTEBOT_MODEL=fake-hashing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT, SEED

HIT_KEYS = {"rank", "score", "doc_id", "title", "date", "place", "section", "paragraph", "text", "quote",
            "citation", "url"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("cli-index")
    user_corpus = tmp_path_factory.mktemp("cli-user-corpus")  # empty: documents a user added never count here

    def _env(model="fake-hashing", extra_env=None):
        env = {**os.environ, "QUOTEBOT_MODEL": model, "QUOTEBOT_INDEX_DIR": str(index_dir),
               "QUOTEBOT_USER_CORPUS": str(user_corpus), "HF_HUB_OFFLINE": "1", **(extra_env or {})}
        env.pop("QUOTEBOT_CORPUS", None)
        return env

    def _run(*args, stdin=None, model="fake-hashing", extra_env=None, binary=False):
        return subprocess.run([sys.executable, "-m", "quotebot", *args], input=stdin, capture_output=True,
                              text=not binary, env=_env(model, extra_env), cwd=ROOT, timeout=300)

    _run.env = _env
    return _run


def _json_lines(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def test_ask_json_contract(run):
    result = run("ask", "missile defense", "--json", "-k", "2")
    assert result.returncode == 0, result.stderr
    (answer,) = _json_lines(result.stdout)
    assert set(answer) == {"question", "abstained", "hits"}
    assert answer["question"] == "missile defense" and isinstance(answer["abstained"], bool)
    assert len(answer["hits"]) == 2
    for hit in answer["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["quote"] in hit["text"]
        assert isinstance(hit["paragraph"], int) and isinstance(hit["score"], float)
        assert hit["date"] is None or len(hit["date"]) == 10


def test_json_carries_the_note_when_there_is_one(run):
    result = run("ask", "Afghanistan", "--year", "2021", "--json")
    answer = json.loads(result.stdout)
    assert answer["abstained"] and answer["note"] == "no paragraph searched mentions “afghanistan”"
    assert set(answer) == {"question", "abstained", "hits", "note"}


def test_json_marks_a_hit_from_a_signature_block(run):
    result = run("ask", "who signed the 2020 moscow declaration for kyrgyzstan", "--json", "-k", "3")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    signed = [h for h in hits if "Sadyr Zhaparov" in h["text"]]
    assert signed and all(h["kind"] == "signature" for h in signed)
    assert all(set(h) == HIT_KEYS for h in hits if h not in signed)  # body paragraphs: the keys as before


def test_ask_text_marks_the_quote(run):
    result = run("ask", "missile", "defense", "--doc", "2012-beijing-declaration", "-k", "1")
    assert result.returncode == 0, result.stderr
    assert "SCO Beijing Declaration, 7 June 2012, Beijing — §II ¶14" in result.stdout
    assert result.stdout.count("**") == 2


def test_a_long_question_is_echoed_short_in_text_and_whole_in_json(run):
    question = "missile defense " + "and outer space " * 120
    text = run("ask", question, "-k", "1")
    assert text.returncode == 0, text.stderr
    first = text.stdout.splitlines()[0]
    assert first.startswith("Q: missile defense") and first.endswith(f"… ({len(question.strip())} characters)")
    assert len(first) < 260 and "cut to its first 1000 characters" in text.stdout
    as_json = run("ask", question, "--json", "-k", "1")
    assert json.loads(as_json.stdout)["question"] == question.strip()


def test_batch_from_stdin_keeps_order_and_count(run):
    questions = ["Afghanistan", "energy security", "missile defense", "Syria"]
    result = run("ask", "--batch", "-", "--json", stdin="\n".join(questions) + "\n\n")
    assert result.returncode == 0, result.stderr
    answers = _json_lines(result.stdout)
    assert [a["question"] for a in answers] == questions


def test_batch_with_a_bad_line_answers_the_others(run, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("Afghanistan\n???\nenergy security\n", "utf-8")
    result = run("ask", "--batch", str(batch), "--json")
    assert result.returncode == 1
    answers = _json_lines(result.stdout)
    assert [a["question"] for a in answers] == ["Afghanistan", "???", "energy security"]
    assert "error" in answers[1] and answers[0]["hits"] and answers[2]["hits"]


def test_corpus_option_and_filters(run):
    result = run("ask", "security", "--corpus", str(SEED), "--json", "-k", "5")
    assert result.returncode == 0, result.stderr
    assert {h["doc_id"] for h in _json_lines(result.stdout)[0]["hits"]} == {"2012-beijing-declaration"}
    result = run("ask", "security", "--year", "2019", "--json", "-k", "5")
    assert {h["doc_id"] for h in _json_lines(result.stdout)[0]["hits"]} <= {"2019-bishkek-declaration", "2019-bishkek-press-release"}


@pytest.mark.parametrize(
    "args, message, code",
    [
        (("ask", ""), "the question is empty", 1),
        (("ask", "   "), "the question is empty", 1),
        (("ask", "security", "--doc", "nope"), "unknown document 'nope'", 1),
        (("ask", "security", "--year", "1999"), "no document from 1999", 1),
        (("ask", "--batch", "/nonexistent/q.txt"), "cannot read the question file", 1),
        (("eval", "/nonexistent/q.jsonl"), "cannot read", 1),
        # usage and settings errors: exit code 2
        (("ask", "security", "--corpus", "/nonexistent/corpus"), "/nonexistent/corpus: no such file or folder", 2),
        (("ask", "security", "-k", "0"), "-k must be between 1 and 50", 2),
        (("ask",), "give a question", 2),
        (("ask", "security", "--batch", "-"), "not both", 2),
    ],
)
def test_errors_are_one_clear_line(run, args, message, code):
    result = run(*args)
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("quotebot:")]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_broken_corpus_file_is_reported_and_others_load(run, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "seed.txt").write_text(SEED.read_text("utf-8"), "utf-8")
    (folder / "bad.json").write_text("{oops", "utf-8")
    result = run("ask", "missile defense", "--corpus", str(folder), "--json")
    assert result.returncode == 0
    assert result.stderr.count("bad.json") == 1, result.stderr  # one clear line, not one per layer
    assert "quotebot: warning: " in result.stderr and "bad.json: not valid JSON" in result.stderr
    assert _json_lines(result.stdout)[0]["hits"]


def test_corrupt_index_is_rebuilt(run, tmp_path):
    index_dir = tmp_path / "idx"
    env = {"QUOTEBOT_INDEX_DIR": str(index_dir)}
    assert run("index", "--corpus", str(SEED), extra_env=env).returncode == 0
    (built,) = [p for p in index_dir.iterdir() if not p.name.startswith(".") and p.name not in ("segments", "parsed")]
    (built / "vectors.npy").write_bytes(b"garbage")
    result = run("ask", "missile defense", "--corpus", str(SEED), "--json", extra_env=env)
    assert result.returncode == 0 and "rebuilding the index" in result.stderr
    assert _json_lines(result.stdout)[0]["hits"]


def test_index_and_docs_commands(run):
    result = run("index")
    assert result.returncode == 0, result.stderr
    assert "13 documents" in result.stdout and "vectors" in result.stdout
    result = run("docs", "--json")
    rows = _json_lines(result.stdout)
    assert len(rows) == 13 and rows[0]["doc_id"] == "2012-beijing-declaration" and rows[0]["paragraphs"] == 40
    bishkek = next(r for r in rows if r["doc_id"] == "2019-bishkek-declaration")
    assert bishkek["languages"] == ["en", "ru"]
    text = run("docs").stdout
    assert "2020-moscow-declaration" in text and "2020-11-10" in text


def test_compare_lists_documents_oldest_first(run):
    result = run("compare", "missile", "defence", "--json")
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    dates = [a["hits"][0]["date"] for a in answers if a["hits"]]
    assert dates == sorted(dates) and len(answers) == 13


def test_eval_prints_all_three_systems(run):
    result = run("eval", str(ROOT / "eval" / "dev_questions.jsonl"), "--corpus", str(SEED))
    assert result.returncode == 0, result.stderr
    for name in ("quotebot", "bm25", "dense", "recall@1", "mrr@10", "oos_abstention"):
        assert name in result.stdout


def test_python_dash_m_and_help(run):
    result = run("--help")
    assert result.returncode == 0 and "ask" in result.stdout and "compare" in result.stdout
    assert run().returncode == 2


def test_unknown_model_is_one_clear_line(run):
    result = run("ask", "security", model="no-such-org/no-such-model")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "quotebot: error: model 'no-such-org/no-such-model' is neither a local directory" in result.stderr


def test_a_line_that_is_not_utf8_gets_its_own_error(run):
    result = run("ask", "--batch", "-", "--json", "-k", "1", stdin=b"energy \xff security\nmissile defense\n",
                 binary=True)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    first, second = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert first["error"] == "line 1 is not UTF-8 text (byte 8)" and first["question"] == "energy \\xff security"
    assert second["hits"]


def test_an_argument_that_is_not_utf8_is_one_clear_line(run):
    result = run("ask", b"energy \xff security", binary=True)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"quotebot: error: the question holds characters that are not valid text" in result.stderr


def test_batch_answers_stream_out_before_the_last_is_done(run, tmp_path):
    questions = tmp_path / "many.txt"
    questions.write_text("missile defense\nwhat is the\nenergy security\n" * 700, "utf-8")
    process = subprocess.Popen([sys.executable, "-m", "quotebot", "ask", "--batch", str(questions), "--json", "-k", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, env=run.env())
    first = json.loads(process.stdout.readline())
    still_running = process.poll() is None
    rest = process.stdout.read().splitlines()
    assert process.wait(300) == 1  # "what is the" names no topic: an error in its place, 700 times
    assert first["question"] == "missile defense" and still_running
    assert len(rest) == 2099 and json.loads(rest[0])["error"].startswith("the question names no topic")


def test_a_bad_thread_count_is_one_clear_line(run):
    result = run("ask", "security", extra_env={"QUOTEBOT_THREADS": "many"})
    assert result.returncode == 2 and "QUOTEBOT_THREADS must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_options_go_before_or_after_the_command(run, tmp_path):
    before = run("-v", "--corpus", str(SEED), "ask", "missile defense", "--json", "-k", "1")
    after = run("ask", "missile defense", "--json", "-k", "1", "-v", "--corpus", str(SEED))
    assert before.returncode == after.returncode == 0
    assert json.loads(before.stdout)["hits"] == json.loads(after.stdout)["hits"]
    assert "INFO" in before.stderr and "INFO" in after.stderr  # -v: progress logs


def test_hostile_corpus_files_are_one_line_each_and_the_rest_loads(run, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "seed.txt").write_text(SEED.read_text("utf-8"), "utf-8")
    (folder / "typed.json").write_text(json.dumps({"title": "A Declaration", "text": "Text.", "date": 2020,
                                                   "place_of_signing": ["a", "b"]}), "utf-8")
    (folder / "deep.json").write_text("[" * 100_000, "utf-8")
    result = run("ask", "missile defense", "--corpus", str(folder), "--json", "-k", "1")
    assert result.returncode == 0 and json.loads(result.stdout)["hits"]
    assert "typed.json: field(s) date, place_of_signing must be text" in result.stderr
    assert "deep.json: not valid JSON (nested too deeply)" in result.stderr
    assert "Traceback" not in result.stderr
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    looped = run("ask", "security", "--corpus", str(loop))
    assert looped.returncode == 1 and "cannot read (Symlink loop" in looped.stderr and "Traceback" not in looped.stderr
