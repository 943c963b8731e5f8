"""The records stage: a processed `Doc` becomes a `Document` of final records, each
with its doc_id and sentence index, sorted by start, without duplicates."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools

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
            out.append(r if r.doc_id == doc_id and r.sentence == sentence else _placed(r, doc_id=doc_id, sentence=sentence))
        groups[TABLES[kind]] = tuple(out)
    return Document(doc_id=doc_id, text=text_of(doc), date=date, sentences=spans, **groups)


@functools.cache
def _kept_fields(cls: type[Record]) -> tuple[str, ...]:
    """The fields of a record class that `_placed` copies."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("doc_id", "sentence"))


def _placed(r: Record, *, doc_id: str, sentence: int) -> Record:
    """`r` with its doc_id and sentence index. What `dataclasses.replace` does, with the
    fields listed once per class: its walk over them per record was most of this stage."""
    cls = type(r)
    return cls(**{name: getattr(r, name) for name in _kept_fields(cls)}, doc_id=doc_id, sentence=sentence)
