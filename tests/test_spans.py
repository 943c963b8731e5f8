"""The span helpers every extractor relies on, against brute-force references: they use
bisection so that long documents stay linear, and must choose exactly what a scan would."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipeline.extract import SpanIndex, resolve_overlaps

SPANS = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 12), st.integers(0, 2)).map(lambda t: (t[0], t[0] + t[1], t[2])), max_size=30)


def scan_resolve(spans):
    chosen, taken = [], []
    for s, e, p in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2])):
        if e <= s or any(s < te and ts < e for ts, te in taken):
            continue
        chosen.append((s, e, p))
        taken.append((s, e))
    return sorted(chosen)


@settings(max_examples=300, deadline=None)
@given(SPANS)
def test_resolve_overlaps_chooses_what_a_scan_chooses(spans):
    assert resolve_overlaps(spans) == scan_resolve(spans)


@settings(max_examples=300, deadline=None)
@given(SPANS, st.integers(0, 55), st.integers(0, 10))
def test_span_index_answers_as_a_scan(spans, a, width):
    b = a + width
    index = SpanIndex(spans, span=lambda t: (t[0], t[1]))
    in_order = sorted(spans, key=lambda t: t[0])
    assert list(index) == in_order and list(reversed(index)) == in_order[::-1] and len(index) == len(spans)
    assert index.starting_in(a, b) == [t for t in in_order if a <= t[0] < b]
    assert index.overlaps(a, b) == any(a < e and s < b for s, e, _ in spans)
    assert index.first_from(a) == next((t for t in in_order if t[0] >= a), None)
