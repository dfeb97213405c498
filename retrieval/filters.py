"""Filters: which documents a question may be answered from (by id, year, place, kind)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from retrieval import messages
from retrieval.errors import UnknownDocumentError
from retrieval.types import Document, Filters


def checks(doc: Document, filters: Filters) -> list[bool]:
    """Whether `doc` matches, for each dimension `filters` sets (document, year, place, kind)."""
    pairs = ((filters.doc_ids, doc.doc_id), (filters.years, doc.year), (filters.places, doc.place),
             (filters.kinds, doc.kind))
    return [value in wanted for wanted, value in pairs if wanted]


def merge(given: Filters, found: Filters) -> Filters:
    """User-given filters win; the question's own scope adds to what is unset."""
    return Filters(
        doc_ids=given.doc_ids,
        years=given.years or found.years,
        places=given.places or found.places,
        kinds=given.kinds or found.kinds,
    )


class Catalog:
    """The corpus's documents, to resolve what a user names and apply filters."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self._positions = {d.doc_id: i for i, d in enumerate(documents)}

    def document(self, ref: str) -> Document:
        """The document named by `ref` (see `resolve_doc`)."""
        return self.documents[self._positions[self.resolve_doc(ref)]]

    def resolve_doc(self, ref: str) -> str:
        """A document id from its id, its file name (with or without its suffix) or a unique id
        prefix."""
        ref = ref.strip()
        if ref in self._positions:
            return ref
        lowered = ref.lower()
        for doc in self.documents:
            source = Path(doc.source_path)
            if lowered in (source.stem.lower(), source.name.lower(), doc.doc_id.lower()):
                return doc.doc_id
        matches = [d.doc_id for d in self.documents if d.doc_id.startswith(lowered)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownDocumentError(f"ambiguous document {ref!r}: it begins {', '.join(matches)}; give more of the id")
        known = ", ".join(d.doc_id for d in self.documents)
        raise UnknownDocumentError(f"unknown document {ref!r}; known documents: {known}")

    def validate(self, filters: Filters) -> Filters:
        """Check user-given filters against the corpus; unknown values are errors."""
        doc_ids = tuple(self.resolve_doc(d) for d in filters.doc_ids)
        years = sorted({d.year for d in self.documents if d.year})
        for year in filters.years:
            if year not in years:
                raise UnknownDocumentError(
                    f"no document from {year}; years available: {', '.join(map(str, years))}"
                )
        places = {d.place.lower(): d.place for d in self.documents if d.place}
        resolved_places = []
        for place in filters.places:
            if place.lower() not in places:
                raise UnknownDocumentError(
                    f"no document from {place!r}; places available: {', '.join(sorted(places.values()))}"
                )
            resolved_places.append(places[place.lower()])
        return Filters(doc_ids=doc_ids, years=filters.years, places=tuple(resolved_places), kinds=filters.kinds)

    def matching(self, filters: Filters) -> list[int]:
        """Positions of the documents that match every dimension `filters` sets."""
        return [i for i, d in enumerate(self.documents) if all(checks(d, filters))]

    def allowed(self, filters: Filters) -> set[int] | None:
        """The documents a question may be answered from; None: all of them."""
        return set(self.matching(filters)) if filters else None

    def hint_shares(self, hints: Filters) -> np.ndarray:
        """Per document: the share of the hinted dimensions (year, place, kind) it matches."""
        return np.array([np.mean(checks(d, hints)) for d in self.documents])


def question_scope(catalog: Catalog, given: Filters, found: Filters, phrases: tuple[str, ...] = (),
                   phrase_docs: Callable[[], set[int]] = set) -> tuple[Filters, set[int] | None, str | None]:
    """The filters of a question (`given` by the user, `found` in its words), the documents they
    allow, and a note when the question's own were widened. Filters the user set never are.
    - A kind of document the question names ("the 2020 statement") that no document of its year
      or place is may be a text inside one (the Moscow Declaration's statement): the kind is dropped.
    - Quoted `phrases` that no document in the question's scope has, but some others do
      (`phrase_docs`: "'a solid platform for …' - the bishkek declaration?"): the question's scope
      is dropped; the user is checking where the words come from."""
    filters = merge(given, found)
    allowed = catalog.allowed(filters)
    if allowed is not None and not allowed and found.kinds and not given.kinds:
        wider = merge(given, replace(found, kinds=()))
        allowed_wider = catalog.allowed(wider)
        if allowed_wider is None or allowed_wider:
            return wider, allowed_wider, messages.widened(filters.describe(), wider.describe())
    if phrases and found and allowed:
        having = phrase_docs()
        everywhere = catalog.allowed(given)
        if having and not having & allowed and (everywhere is None or having & everywhere):
            return given, everywhere, messages.phrase_elsewhere(phrases, filters.describe(), given.describe())
    return filters, allowed, None
