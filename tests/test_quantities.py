"""Quantity extraction: the spec table, properties, and the component's contract."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import pipeline
from pipeline.extract import records_of
from pipeline.extract.quantities import SOURCE, QuantityFinder
from pipeline.rules import load_rules
from pipeline.types import Time

from .conftest import assert_offsets

SPEC = tomllib.loads((Path(__file__).parent / "specs" / "quantities.toml").read_text(encoding="utf-8"))["case"]


def _close(a: Decimal | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    b = Decimal(b)
    return abs(a - b) <= Decimal("1e-12") * max(Decimal(1), abs(b))


def _params():
    for case in SPEC:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        yield pytest.param(case, id=case["text"], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_spec(case):
    doc = pipeline.extract(case["text"])
    assert_offsets(doc)
    got = [(q.text, q.unit, q.qualifier) for q in doc.quantities]
    want = [(e["surface"], e["unit"], e["qualifier"]) for e in case["expect"]]
    assert got == want
    for q, e in zip(doc.quantities, case["expect"]):
        assert _close(q.value, e["value"]), (q.value, e["value"])
        assert _close(q.value_max, e.get("value_max")), (q.value_max, e.get("value_max"))


def test_spec_table_size():
    surfaces = sum(max(1, len(c["expect"])) for c in SPEC)
    negatives = sum(1 for c in SPEC if not c["expect"])
    assert surfaces >= 200 and negatives >= 40


def test_record_fields():
    (q,) = pipeline.extract("完成规上工业增加值440.78亿元").quantities
    assert (q.value, q.unit, q.unit_text, q.dimension, q.source) == (
        Decimal("44078000000"), "CNY", "亿元", "currency", SOURCE,
    )
    assert q.value_max is None


def test_time_records_are_never_quantities(nlp):
    text = "连续5年增长"
    doc = nlp.make_doc(text)
    records_of(doc, "time").append(
        Time(start=2, end=4, text="5年", source="test", granularity="year", start_date=None, end_date=None)
    )
    nlp.get_pipe("press_extract_quantities")(doc)
    assert records_of(doc, "quantity") == []
    doc = nlp.make_doc(text)
    nlp.get_pipe("press_extract_quantities")(doc)
    assert [q.text for q in records_of(doc, "quantity")] == ["5年"]


def test_finder_without_segmentation():
    # The finder is plain text in, candidates out; segmentation only filters.
    finder = QuantityFinder(load_rules())
    found = finder.find("赔偿李四人民币50元")
    assert ("四人民币", Decimal(4)) in [("赔偿李四人民币50元"[f.start:f.end], f.value) for f in found]
    doc = pipeline.extract("赔偿李四人民币50元")
    assert [q.text for q in doc.quantities] == ["人民币50元"]


def test_exclusion_examples_yield_no_quantity_inside():
    for ex in load_rules().quantity_exclusions:
        for example in ex.examples:
            spans = [(m.start(), m.end()) for m in ex.pattern.finditer(example)]
            assert spans, (ex.name, example)
            for q in pipeline.extract(example).quantities:
                assert not any(q.start < e and s < q.end for s, e in spans), (ex.name, example, q.text)


def test_deterministic_and_dated():
    text = "2023年，全年实现营收3.5亿元，增长12.5%，连续4年位居全省首位。"
    a = pipeline.extract(text, date=dt.date(2024, 2, 1))
    b = pipeline.extract(text, date=dt.date(2024, 2, 1))
    assert a.quantities == b.quantities
    assert "2023年" not in [q.text for q in a.quantities]


_CHARS = st.sampled_from(list("0123456789.,，%％-－一二两三四五六七八九十百千万亿零点多余几第前近超约以上下左右元亿家名个年月日位分之成倍米亩吨千瓦时人民币“”、。；\n ") + ["平方米", "个百分点", "排名第", "进位"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_CHARS, st.text(max_size=3)), max_size=25).map("".join))
def test_never_raises_and_offsets_hold(text):
    doc = pipeline.extract(text)
    assert_offsets(doc)
    for q in doc.quantities:
        assert q.qualifier in ("exact", "approx", "over", "under")
        assert q.value_max is None or q.value_max > q.value
        assert q.text == text[q.start:q.end]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["1", "一", "万", "亿", "元", "分之", "-", "至", "第", "近", "“", "”", "年", "，"]), min_size=100, max_size=800).map("".join))
def test_long_repetitive_text(text):
    doc = pipeline.extract(text)
    assert_offsets(doc)


def test_first_character_filter_changes_no_numeral():
    """The lookahead that speeds up the numeral pattern must not hide a numeral: at every
    offset of the spec texts, the sample corpus and texts with each sign, lead and digit
    (Arabic-Indic too: \\d is any decimal digit), it matches what the bare pattern matches."""
    finder = QuantityFinder(load_rules())
    n = finder.rules.numerals
    bare = re.compile(finder.numeral)
    root = Path(__file__).resolve().parent.parent
    texts = [case["text"] for case in SPEC] + [p.read_text(encoding="utf-8") for p in sorted((root / "corpus").glob("*.txt"))]
    texts += [f"增长{w}5.5%，{w}三成" for w in n.negative] + [f"约{c}十万、{c}百" for c in n.vague_lead]
    texts += ["半年", "٣٤个", "１２亿元", "数十亿"]
    for text in texts:
        for pos in range(len(text)):
            want, got = bare.match(text, pos), finder.core.match(text, pos)
            assert (got and got.span()) == (want and want.span()), (text, pos)
