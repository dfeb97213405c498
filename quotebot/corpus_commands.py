"""The commands that change a corpus folder: `quotebot add` and `quotebot remove`."""

from __future__ import annotations

import sys
from pathlib import Path

from quotebot import output
from quotebot.commands import _engine_settings, _open, model_of
from retrieval.errors import QuoteBotError, UsageError


def _corpus_folder(args):
    """The settings and the folder `add` and `remove` work on (a usage error if there is none)."""
    settings = _engine_settings(args)
    try:
        return settings, settings.intake_folder()
    except QuoteBotError as exc:
        raise UsageError(str(exc)) from exc


def _embedder(settings, encodes: bool):
    """The model, found before the corpus changes: a model that cannot be found changes nothing.
    An add (`encodes`) starts loading it at once in a child process (embeddings/worker.py), beside
    the commit and the index update; a removal encodes nothing: its model is never loaded."""
    embedder = model_of(settings, lazy=True)
    if encodes and hasattr(embedder, "prepare"):
        embedder.prepare()
    return embedder


def _print_update(args, embedder, opened=None) -> None:
    """Update the index (only what changed is encoded), unless `opened` did, and say what changed."""
    opened = opened or _open(args, embedder=embedder)
    manifest = opened.engine.index.manifest
    print(f"index {'updated' if opened.built else 'up to date'}: {opened.engine.index.path} ({opened.seconds:.1f}s)")
    if opened.built and "changes" in manifest:
        print("  " + output.format_changes(manifest["changes"]))


def _commit_all(staged, folder) -> tuple[list, list[QuoteBotError]]:
    from retrieval.intake import commit

    added, errors = [], []
    for item in staged:
        try:
            added.append(commit(item, folder))
        except QuoteBotError as exc:
            errors.append(exc)
    return added, errors


def cmd_add(args) -> int:
    """Each input is added whole or not at all; the others are added even when one fails (exit 1)."""
    import tempfile

    from retrieval.intake import Known, corpus_lock
    from retrieval.sources import preview_sources

    settings, folder = _corpus_folder(args)
    with corpus_lock(folder), tempfile.TemporaryDirectory(prefix="quotebot-add-") as work:
        known = Known.of(settings.corpus_paths(), folder)  # under the lock: another add's files count
        outcomes = preview_sources(args.inputs, Path(work), known)
        staged = [o.staged for o in outcomes if o.staged]
        embedder = _embedder(settings, encodes=True) if staged else None
        added, failed = _commit_all(staged, folder)
    errors = [o.error for o in outcomes if o.error] + failed
    for error in errors:
        print(f"quotebot: error: {error}", file=sys.stderr)
    if not added:
        return 1 if errors else 0
    try:
        opened = _open(args, embedder=embedder)
    except BaseException:  # a model that cannot load, a full disk: the corpus is as it was
        _take_back(added, folder)
        raise
    for filed in added:
        print(output.format_added(filed.document, filed.files))
    if len(outcomes) > 1 and errors:
        print(f"quotebot: {len(added)} of {len(outcomes)} inputs added", file=sys.stderr)
    _print_update(args, embedder, opened)
    return 1 if errors else 0


def _take_back(added, folder) -> None:
    from retrieval.intake import corpus_lock

    with corpus_lock(folder):
        for filed in added:
            for path in filed.files:
                path.unlink(missing_ok=True)
    names = ", ".join(path.name for filed in added for path in filed.files[:1])
    print(f"quotebot: the index could not be updated, so nothing was added ({names} taken back out of {folder})",
          file=sys.stderr)


def cmd_remove(args) -> int:
    from retrieval.intake import Known, corpus_lock, removable, remove

    settings, folder = _corpus_folder(args)
    with corpus_lock(folder):
        known = Known.of(settings.corpus_paths(), folder)
        removable(args.doc_id, folder, known)  # refused before the model loads
        embedder = _embedder(settings, encodes=False)
        filed = remove(args.doc_id, folder, known)
    print(f"removed {filed.document.doc_id}: {filed.document.title}")
    print("  deleted " + ", ".join(str(p) for p in filed.files))
    if not known.documents:  # the last one of an explicit --corpus DIR: nothing left to index
        print(f"  {folder} holds no document now: there is no index to update until one is added")
        return 0
    _print_update(args, embedder)
    return 0
