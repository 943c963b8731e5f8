"""The extract stage: spaCy components that find records in a segmented `Doc`.

Every extractor is a registered component that appends records to
`doc._.records[kind]`. `EXTRACTORS` lists them in priority order (times before
quantities, so a year is never also a quantity). Adding an extractor means one module,
one line in that tuple and one rules file; no plumbing.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from spacy.tokens import Doc

from ..segment import text_of
from ..types import Record

# Per-doc state written by the components. Extensions are class attributes of spaCy's
# Doc; registering them is idempotent and does no I/O.
Doc.set_extension("records", default=None, force=True)
Doc.set_extension("article_date", default=None, force=True)
Doc.set_extension("doc_id", default="", force=True)

EXTRACTORS: tuple[str, ...] = (
    "press_extract_times",
    "press_extract_quantities",
    "press_extract_organizations",
)


def records_of(doc: Doc, kind: str) -> list[Record]:
    """The mutable list of `kind` records found so far in `doc`."""
    if doc._.records is None:
        doc._.records = {}
    return doc._.records.setdefault(kind, [])


def token_boundaries(doc: Doc) -> frozenset[int]:
    """Character offsets where a token starts or ends."""
    if doc._.boundaries is not None:
        return doc._.boundaries
    return frozenset(t.idx for t in doc) | {len(text_of(doc))}


def on_word_boundaries(spans: Iterable[tuple[int, int]], boundaries: frozenset[int]) -> list[tuple[int, int]]:
    """Keep the spans that start and end where segmentation puts a word boundary.

    >>> on_word_boundaries([(0, 2), (1, 3)], frozenset({0, 2, 4}))
    [(0, 2)]
    """
    return [(s, e) for s, e in spans if s in boundaries and e in boundaries]


def resolve_overlaps(spans: Sequence[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Non-overlapping subset of (start, end, priority) spans, written down once:
    the longest span wins, then the earliest, then the lower priority number.

    >>> resolve_overlaps([(0, 3, 1), (2, 6, 0), (6, 8, 0)])
    [(2, 6, 0), (6, 8, 0)]
    >>> resolve_overlaps([(0, 3, 1), (0, 3, 0), (5, 7, 0), (6, 8, 0)])
    [(0, 3, 0), (5, 7, 0)]
    """
    chosen: list[tuple[int, int, int]] = []
    taken: list[tuple[int, int]] = []
    for s, e, p in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if e <= s or any(s < te and ts < e for ts, te in taken):
            continue
        chosen.append((s, e, p))
        taken.append((s, e))
    return sorted(chosen)


def overlaps_any(start: int, end: int, records: Iterable[Record]) -> bool:
    """Whether [start, end) overlaps one of `records`."""
    return any(start < r.end and r.start < end for r in records)
