"""The records stage: a processed `Doc` becomes a `Document` of final records, each
with its doc_id and sentence index, sorted by start, without duplicates."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt

from spacy.tokens import Doc

from .segment import sentence_spans, text_of
from .types import KINDS, TABLES, Document, Record


def to_document(doc: Doc, *, doc_id: str, date: dt.date | None = None) -> Document:
    """Collect the records the components left on `doc`."""
    spans = sentence_spans(doc)
    starts = [s for s, _ in spans]
    found = doc._.records or {}
    groups = {}
    for kind in KINDS:
        seen: set[tuple[int, int]] = set()
        out: list[Record] = []
        for r in sorted(found.get(kind, ()), key=lambda r: (r.start, r.end)):
            if (r.start, r.end) in seen:
                continue
            seen.add((r.start, r.end))
            sentence = max(0, bisect.bisect_right(starts, r.start) - 1)
            out.append(dataclasses.replace(r, doc_id=doc_id, sentence=sentence))
        groups[TABLES[kind]] = tuple(out)
    return Document(doc_id=doc_id, text=text_of(doc), date=date, sentences=spans, **groups)
