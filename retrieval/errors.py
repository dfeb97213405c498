"""Domain errors, turned into one clear line at the edges (CLI, bot)."""


class QuoteBotError(Exception):
    """Base class: the message is meant for the user."""


class EmptyQuestionError(QuoteBotError):
    """The question has no searchable words."""


class InvalidQuestionError(QuoteBotError):
    """The question holds characters that are no text (broken UTF-8: lone surrogates)."""


class UnknownDocumentError(QuoteBotError):
    """A filter names a document, year or place the corpus does not have."""


class UsageError(QuoteBotError):
    """An option or setting is missing, malformed or names nothing (the CLI exits with 2)."""


class CorpusError(QuoteBotError):
    """The corpus path is unreadable, or holds no parsable document."""


class CorpusPathError(CorpusError, UsageError):
    """A corpus path given as an option or setting does not exist, or is not what it must be."""


class ParseError(QuoteBotError):
    """One source file could not be parsed; the message names the file and the reason."""


class IndexStoreError(QuoteBotError):
    """The index directory cannot be read or written."""


class IntakeError(QuoteBotError):
    """A document cannot be added to or removed from a corpus folder; the message names the
    input and the reason (retrieval/intake.py)."""
