"""The extract stage: spaCy components that find records in a segmented `Doc`.

Every extractor is a registered component that appends records to
`doc._.records[kind]`. `EXTRACTORS` lists them in priority order (times before
quantities, so a year is never also a quantity). Adding an extractor means one module,
one line in that tuple and one rules file; no plumbing.
"""

from __future__ import annotations

import bisect
import itertools
from typing import Callable, Generic, Iterable, Iterator, Sequence, TypeVar

import regex
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


def word_alternation(words: Iterable[str]) -> str:
    """Regex alternation of literal `words` (for the `regex` module), longest first so
    that 上一年度 beats 上一年."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def small_numeral(digits: Iterable[str]) -> tuple[str, str]:
    """The Chinese digits of a time rules table and the pattern of a small number written
    with them or in Arabic digits (7, 12, 十二, 二十七): months, days, counts."""
    cn_digits = "".join(sorted(d for d in digits if not d.isascii()))
    cn = f"[{regex.escape(cn_digits)}十]"
    return cn_digits, rf"(?:[0-9]{{1,2}}|{cn}{{1,3}})"


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
    # The characters taken so far (offsets are non-negative): a span is free when none of
    # its characters is. Sorted lists of the spans taken, with an insert per span, moved
    # the article's spans each time (quadratic on a long article).
    taken = bytearray(max([0, *(e for _, e, _ in spans)]))
    for s, e, p in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if e <= s or taken.find(1, s, e) >= 0:
            continue
        chosen.append((s, e, p))
        taken[s:e] = b"\x01" * (e - s)
    return sorted(chosen)


T = TypeVar("T")


def _start_end(item) -> tuple[int, int]:
    return item.start, item.end


class SpanIndex(Generic[T]):
    """Items with a [start, end) span, sorted by start (ties keep their order), for window
    and overlap queries in O(log n): per-number scans of a whole document's records made
    long documents quadratic. Iterates like the sorted list.

    >>> index = SpanIndex([(5, 9), (0, 2), (1, 8)], span=lambda t: t)
    >>> index.starting_in(1, 6), index.overlaps(8, 9), index.overlaps(9, 12), index.first_from(2)
    ([(1, 8), (5, 9)], True, False, (5, 9))
    """

    def __init__(self, items: Iterable[T], *, span: Callable[[T], tuple[int, int]] = _start_end) -> None:
        self.items = sorted(items, key=lambda item: span(item)[0])
        spans = [span(item) for item in self.items]
        self.starts = [s for s, _ in spans]
        self.reach = list(itertools.accumulate((e for _, e in spans), max))  # furthest end so far

    def starting_in(self, a: int, b: int) -> list[T]:
        """The items whose start is in [a, b), in order."""
        return self.items[bisect.bisect_left(self.starts, a) : bisect.bisect_left(self.starts, b)]

    def first_from(self, a: int) -> T | None:
        """The first item that starts at or after `a`."""
        i = bisect.bisect_left(self.starts, a)
        return self.items[i] if i < len(self.items) else None

    def overlaps(self, a: int, b: int) -> bool:
        """Whether [a, b) overlaps an item (items may overlap each other)."""
        i = bisect.bisect_left(self.starts, b)
        return i > 0 and self.reach[i - 1] > a

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __reversed__(self) -> Iterator[T]:
        return reversed(self.items)
