"""Adding documents from URLs (retrieval/sources.py) against a local HTTP server on 127.0.0.1:
a good file, 404, too large, a wrong content type, a server that sleeps or trickles."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from retrieval.errors import IntakeError
from retrieval.intake import Known, commit
from retrieval.parsers import MAX_FILE_BYTES
from retrieval.sources import fetch, file_name, preview_url, suffix_for

from .conftest import CORPUS

TEXT = "Accord on Sea Turtles\n\nThe parties agree that sea turtles deserve protection.\n".encode()
RECORD = (CORPUS / "sco" / "20201110_1626651.json").read_bytes()
SLEEP = 3.0  # the slow server's pause; the client's timeout is much shorter


class Handler(BaseHTTPRequestHandler):
    """Routes: see the module docstring."""

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, content_type, body, length=True):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up first (the slow route)
            pass

    def _endless(self, pause=0.0):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()  # no length: the body ends when the connection does
        try:
            while True:
                self.wfile.write(b"x" * (1 if pause else 65536))
                time.sleep(pause)
        except OSError:  # the client hung up: what the test expects
            pass

    def do_GET(self):  # noqa: N802 - the http.server name
        routes = {
            "/docs/turtles.txt": lambda: self._send(200, "text/plain; charset=utf-8", TEXT),
            "/record": lambda: self._send(200, "application/json", RECORD),
            "/missing.txt": lambda: self._send(404, "text/html", b"<h1>Not found</h1>"),
            "/logo.png": lambda: self._send(200, "image/png", b"\x89PNG\r\n"),
            "/endless.txt": self._endless,
            "/trickle.txt": lambda: self._endless(pause=0.05),
            "/declared.txt": self._declared,
            "/slow.txt": lambda: (time.sleep(SLEEP), self._send(200, "text/plain", TEXT)),
            "/download?id=7": self._redirect,
        }
        routes.get(self.path, lambda: self._send(404, "text/plain", b"no"))()

    def _redirect(self):
        self.send_response(302)
        self.send_header("Location", "/docs/turtles.txt")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _declared(self):
        """Announces more than the limit (and sends nothing)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(MAX_FILE_BYTES + 1))
        self.end_headers()


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def known(tmp_path):
    return Known.of([CORPUS], tmp_path / "user")


def test_a_good_file_is_fetched_named_from_the_url_and_its_url_recorded(server, known, tmp_path):
    url = f"{server}/docs/turtles.txt"
    staged = preview_url(url, tmp_path / "work", known, timeout=5)
    assert staged.file.name == "turtles.txt" and staged.source == url
    assert staged.document.title == "Accord on Sea Turtles" and staged.document.url == url  # read from the sidecar
    added = commit(staged, tmp_path / "user")
    assert [p.name for p in added.files] == ["turtles.txt", "turtles.meta.json"]
    assert json.loads((tmp_path / "user" / "turtles.meta.json").read_text("utf-8")) == {"url": url}
    assert (tmp_path / "user" / "turtles.txt").read_bytes() == TEXT


def test_a_redirect_is_followed_and_named_where_it_ends_but_the_url_given_is_recorded(server, known, tmp_path):
    url = f"{server}/download?id=7"
    staged = preview_url(url, tmp_path / "work", known, timeout=5)
    assert staged.file.name == "turtles.txt" and staged.document.url == url
    assert json.loads(staged.sidecar.read_text("utf-8")) == {"url": url}


def test_a_format_with_its_own_url_gets_no_sidecar(server, known, tmp_path):
    (tmp_path / "user").mkdir()
    with pytest.raises(IntakeError, match="the same text as 2020-moscow-declaration"):  # the shipped record
        preview_url(f"{server}/record", tmp_path / "work", known, timeout=5)
    record = json.loads(RECORD)
    assert record["url"]  # the format records its URL, so no sidecar would be written
    staged = preview_url(f"{server}/record", tmp_path / "work2", Known.of([], tmp_path / "user"), timeout=5)
    assert staged.file.name == "record.json" and staged.sidecar is None and staged.document.url == record["url"]


@pytest.mark.parametrize("path, message", [
    ("/missing.txt", "the server answered 404 Not Found"),
    ("/logo.png", "the content type is image/png, not a document (PDF, HTML, DOCX"),
    ("/declared.txt", "larger than 20 MiB"),
])
def test_refusals_are_one_clear_line_and_write_nothing(server, known, tmp_path, path, message):
    with pytest.raises(IntakeError) as error:
        preview_url(server + path, tmp_path / "work", known, timeout=5)
    assert str(error.value).startswith(f"{server}{path}: {message}")
    assert not (tmp_path / "user").exists()


def test_an_endless_body_is_cut_at_the_size_limit(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(IntakeError, match="endless.txt: larger than 20 MiB"):
        fetch(f"{server}/endless.txt", tmp_path / "work", timeout=30)
    assert time.monotonic() - started < 10  # stopped at the limit, not at the timeout
    with pytest.raises(IntakeError, match="endless.txt: larger than 1000 bytes"):
        fetch(f"{server}/endless.txt", tmp_path / "work", timeout=30, max_bytes=1000)
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())


def test_a_server_that_sleeps_or_trickles_times_out(server, tmp_path):
    for path, message in (("/slow.txt", "no answer within 0.5 s"), ("/trickle.txt", "not downloaded within 0.5 s")):
        started = time.monotonic()
        with pytest.raises(IntakeError, match=message):
            fetch(server + path, tmp_path / "work", timeout=0.5)
        assert time.monotonic() - started < SLEEP - 1


def test_not_a_web_url_and_unreachable_hosts(tmp_path):
    with pytest.raises(IntakeError, match="ftp://example.org/a.txt: not an http or https URL"):
        fetch("ftp://example.org/a.txt", tmp_path)
    with pytest.raises(IntakeError, match="http://127.0.0.1:9/a.txt: cannot fetch .ConnectError"):
        fetch("http://127.0.0.1:9/a.txt", tmp_path, timeout=5)


@pytest.mark.parametrize("url, content_type, name", [
    ("https://eng.sectsco.org/20190614/1626279.html", "text/html; charset=utf-8", "1626279.html"),
    ("https://example.org/a/decl.htm", "text/html", "decl.html"),
    ("https://example.org/decl.pdf", "application/pdf", "decl.pdf"),
    ("https://example.org/decl.pdf", "application/octet-stream", "decl.pdf"),
    ("https://example.org/decl", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "decl.docx"),
    ("https://example.org/notes.md", "text/plain", "notes.md"),
    ("https://example.org/", "text/plain", "example.org.txt"),
    ("https://example.org/decl%20final.txt?x=1", "text/plain", "decl final.txt"),
])
def test_file_names_come_from_the_url_and_the_content_type(url, content_type, name):
    assert file_name(url, suffix_for(url, content_type)) == name


def test_an_untyped_answer_needs_a_document_suffix_in_the_url():
    with pytest.raises(IntakeError, match="the content type is application/octet-stream, not a document"):
        suffix_for("https://example.org/download?id=3", "application/octet-stream")
