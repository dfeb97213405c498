"""Logging, configured once per process: one stderr handler whose formatter redacts secrets.

Secrets (the bot token, the webhook secret) are replaced in the final formatted line — message,
arguments and traceback alike — so no library's log record can leak them, whatever its level.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Libraries that log every request or model step at INFO or DEBUG: kept at WARNING.
NOISY = ("httpx", "httpcore", "sentence_transformers", "bm25s", "faiss")
# They warn about every damaged PDF, which the parser reports as one error naming the file.
PDF_LIBRARIES = ("pdfminer", "pdfplumber")


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces every registered secret in what it produces."""

    def __init__(self, fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.secrets: dict[str, str] = {}

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        for secret, label in self.secrets.items():
            text = text.replace(secret, label)
        return text


_FORMATTER = RedactingFormatter()


class QuietRetries(logging.Filter):
    """PTB logs each failed start-up attempt with the whole chain of tracebacks (about a hundred
    lines when Telegram cannot be reached); the error is said in one line after it anyway. The
    tracebacks are kept for -v (DEBUG) only."""

    def __init__(self, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.verbose and record.name.startswith("telegram") and "Network Retry Loop" in record.getMessage():
            record.exc_info, record.exc_text = None, None
        return True


class LogLevelError(ValueError):
    """QUOTEBOT_LOG_LEVEL names no level."""


def parse_level(name: str) -> int:
    level = name.strip().upper()
    if level not in LEVELS:
        raise LogLevelError(f"QUOTEBOT_LOG_LEVEL must be one of {', '.join(LEVELS)}, got {name!r}")
    return getattr(logging, level)


def configure_logging(level: int, verbose: bool = False) -> None:
    """Send logs at `level` and above to stderr through the redacting formatter (idempotent);
    `verbose` keeps the tracebacks of start-up retries."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "quotebot", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_FORMATTER)
    handler.addFilter(QuietRetries(verbose or level <= logging.DEBUG))
    handler.quotebot = True
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, level))
    for name in PDF_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.ERROR, level))


def add_secret(secret: str | None, label: str) -> None:
    """Never log `secret`: it is written as `label` instead."""
    if secret:
        _FORMATTER.secrets[secret] = label


def redact(text: str) -> str:
    """`text` with every registered secret replaced (for lines printed without logging)."""
    return _FORMATTER.redact(text)
