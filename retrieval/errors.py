"""Domain errors, turned into one clear line at the edges (CLI, bot)."""


class QuoteBotError(Exception):
    """Base class: the message is meant for the user."""


class EmptyQuestionError(QuoteBotError):
    """The question has no searchable words."""


class InvalidQuestionError(QuoteBotError):
    """The question holds characters that are no text (broken UTF-8: lone surrogates)."""


class UnknownDocumentError(QuoteBotError):
    """A filter names a document, year or place the corpus does not have."""


class CorpusError(QuoteBotError):
    """The corpus path is unreadable, or holds no parsable document."""


class ParseError(QuoteBotError):
    """One source file could not be parsed; the message names the file and the reason."""


class IndexStoreError(QuoteBotError):
    """The index directory cannot be read or written."""


class IntakeError(QuoteBotError):
    """A document cannot be added to or removed from a corpus folder; the message names the
    input and the reason (retrieval/intake.py)."""
