"""Properties of the whole pipeline on arbitrary text: never raises, offsets hold,
output is deterministic."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings, strategies as st

import pipeline

from .conftest import assert_offsets

# Chinese, ASCII, full-width, punctuation, numerals, units and trigger words, mixed.
ALPHABET = st.sampled_from(
    list("临平区地区生产总值增长下降亿万千百十一二三四五六七八九零两元家名个年月日季度上半第位近超约逾余多以上")
    + list("0123456789.%,-—～~ \n\r\t")
    + list("０１２３４５６７８９．％，。；！？“”（）《》、：")
    + ["亿元", "万千瓦", "平方公里", "个百分点", "十四五", "力争", "2023年", "1-7月", "百分之", "分之", "倍"]
)
TEXTS = st.lists(ALPHABET, max_size=60).map("".join) | st.text(max_size=80)
DATES = st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS, date=DATES)
def test_extract_never_raises_and_offsets_hold(text, date):
    document = pipeline.extract(text, date=date)
    assert document.text == text
    assert_offsets(document)
    for r in document.records():
        assert 0 <= r.start < r.end <= len(text)
        assert 0 <= r.sentence <= max(0, len(document.sentences) - 1)


@settings(max_examples=40, deadline=None)
@given(text=TEXTS, date=DATES)
def test_extract_is_deterministic(text, date):
    first = [r.to_dict() for r in pipeline.extract(text, date=date).records()]
    second = [r.to_dict() for r in pipeline.extract(text, date=date).records()]
    assert first == second
