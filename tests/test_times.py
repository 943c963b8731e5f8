"""Times: spec table, rules integrity, current periods and properties."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline
from pipeline.extract.calendar import calendar_patterns
from pipeline.extract.times import find_times, patterns_for
from pipeline.link.frames import sentence_periods
from pipeline.normalise.times import TimeParts, resolve
from pipeline.rules import RulesError, load_rules, load_times
from pipeline.types import Time

from .conftest import ROOT, assert_offsets

SPEC = tomllib.loads((ROOT / "tests/specs/times.toml").read_text(encoding="utf-8"))
CASES = SPEC["case"]


def _date(case) -> dt.date | None:
    raw = case.get("date", SPEC["default_date"])
    return None if raw == "none" else dt.date.fromisoformat(raw)


def _actual(t: Time) -> dict:
    return {
        "surface": t.text,
        "start": t.start_date,
        "end": t.end_date,
        "granularity": t.granularity,
        "relative": t.relative,
        "resolved": t.resolved,
    }


def _expected(e: dict) -> dict:
    return {
        "surface": e["surface"],
        "start": e.get("start"),
        "end": e.get("end"),
        "granularity": e["granularity"],
        "relative": e.get("relative", False),
        "resolved": e.get("resolved", True),
    }


def test_spec_table_is_large_and_has_negatives():
    assert len(CASES) >= 80
    assert sum(1 for c in CASES if not c["expect"]) >= 15


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=c["xfail"], strict=True)) if "xfail" in c else c
        for c in CASES
    ],
    ids=[c["text"] for c in CASES],
)
def test_spec(case, nlp):
    doc = pipeline.extract(case["text"], date=_date(case), nlp=nlp)
    assert_offsets(doc)
    assert [_actual(t) for t in doc.times] == [_expected(e) for e in case["expect"]]
    assert all(t.source == "rule:times.v1" for t in doc.times)


# ---- rules ---------------------------------------------------------------------------


def test_rules_plans_are_consecutive_five_year_periods():
    plans = sorted(set(load_rules().times.plans.values()))
    assert plans[0] == (2006, 2010)
    for (a, b), (c, d) in zip(plans, plans[1:]):
        assert (b - a, c) == (4, b + 1)
    assert plans[-1][1] - plans[-1][0] == 4


def test_rules_digits_ascii_and_chinese_agree():
    digits = load_rules().times.digits
    assert all(digits[str(i)] == i for i in range(10))
    assert [digits[c] for c in "〇一二三四五六七八九"] == list(range(10))


def test_every_rules_word_is_found_alone():
    """The regex is built from the data: each plan, year word, part and quarter word
    is found as a whole, so adding one to rules/times.toml needs no Python."""
    rules = load_rules().times
    date = dt.date(2024, 2, 1)
    for word in [*rules.plans, *rules.relative_years, *rules.year_parts, *rules.relative_quarters, *rules.relative_months]:
        found = find_times(word, rules=rules, article_date=date)
        assert [t.text for t in found] == [word], word


def test_every_month_part_is_found_after_a_month():
    rules = load_rules().times
    date = dt.date(2024, 2, 1)
    for word, (first, last) in rules.month_parts.items():
        for month in ("2月", "本月"):
            [found] = find_times(month + word, rules=rules, article_date=date)
            assert found.text == month + word
            assert found.start_date == f"2024-02-{first:02d}" and found.granularity == "day"
            assert found.end_date == f"2024-02-{min(last, 29):02d}"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "times.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _rules_text() -> str:
    return (ROOT / "rules/times.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('"十四五" = [2021, 2025]', '"十四五" = [2021, 2026]', "five years"),
        ('"去年" = { offset = -1, anchor = "article" }', '"去年" = { offset = -1, anchor = "yesterday" }', "去年"),
        ('"上半年" = { months = [1, 6], granularity = "half" }', '"上半年" = { months = [6, 1], granularity = "half" }', "上半年"),
        ('"底" = "last"', '"底" = "end"', "edges.底"),
        ('bare_after = ["比", "较", "与"]', 'bare_after = []', "bare_after"),
        ('"十六五" = [2031, 2035]', '"十六五" = [2031, 2035]\n[year_parts_extra]', "year_parts_extra"),
        ('"前半年" = { months = [1, 6], granularity = "half" }', '"今年" = { months = [1, 6], granularity = "half" }', "今年"),
        ('version = "times.v1"', 'version = 1', "version"),
        ('"本月" = { offset = 0, anchor = "article" }', '"本月" = { offset = 0, last = 1, anchor = "article" }', "relative_months.本月"),
        ('"今明两年" = { offset = 0, last = 1,', '"今明两年" = { offset = 1, last = 0,', "before offset"),
        ('"上旬" = [1, 10]', '"上旬" = [10, 1]', "month_parts.上旬"),
        ('"下旬" = [21, 31]', '"下旬" = [21, 32]', "month_parts.下旬"),
        ('"中旬" = [11, 20]', '"上半年" = [11, 20]', "上半年"),
        ('"春节" = { lunar = [1, 1] }', '"春节" = { lunar = [13, 1] }', "calendar.festivals.春节"),
        ('"元旦" = { solar = [1, 1] }', '"元旦" = { solar = [1, 1], lunar = [1, 1] }', "calendar.festivals.元旦"),
        ('"上世纪" = 1900', '"上世纪" = 1950', "calendar.centuries.上世纪"),
        ('"末" = [6, 7]', '"末" = [7, 6]', "calendar.weekdays.末"),
        ('"季末" = { of = "quarter", edge = "last" }', '"季末" = { of = "week", edge = "last" }', "calendar.period_edges.季末"),
        ('bare_months = ["正月", "冬月", "腊月"]', 'bare_months = ["正月", "五月"]', "bare_months"),
        ('not_with = ["两"]', 'not_with = ["俩"]', "spoken_years"),
        ('not_before = ["级"]', 'not_before = []', "spoken_years"),
        ('after = ["年前"]', 'after = [""]', "calendar.ago"),
    ],
)
def test_rules_errors_name_file_and_entry(tmp_path, old, new, message):
    text = _rules_text()
    assert old in text
    path = _write(tmp_path, text.replace(old, new))
    with pytest.raises(RulesError) as err:
        load_times(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_rules_missing_table(tmp_path):
    text = _rules_text()
    start = text.index("[windows]")
    path = _write(tmp_path, text[:start] + text[text.index("[range]"):])
    with pytest.raises(RulesError, match="windows"):
        load_times(path)


def test_every_calendar_word_is_found_alone():
    """Each festival, day and week word of [calendar.*] is found as a whole (those that
    need a following word, with it): adding one touches no Python."""
    rules = load_rules().times
    cal = rules.calendar
    date = dt.date(2024, 2, 1)
    for word, spec in cal["festivals"].items():
        found = find_times(word + (spec["after"][0] if spec["after"] else ""), rules=rules, article_date=date)
        assert [t.text for t in found] == [word] and found[0].resolved, word
    for word in [*cal["relative_days"], *cal["relative_weeks"], *cal["period_edges"]]:
        found = find_times(word, rules=rules, article_date=date)
        assert [t.text for t in found] == [word], word


def test_a_new_festival_is_data_only(tmp_path):
    text = _rules_text().replace('"圣诞节" = { solar = [12, 25] }', '"圣诞节" = { solar = [12, 25] }\n"航天日" = { solar = [4, 24] }')
    rules = load_times(_write(tmp_path, text))
    (t,) = find_times("航天日", rules=rules, article_date=dt.date(2024, 2, 1))
    assert (t.start_date, t.granularity) == ("2024-04-24", "day")


def test_a_new_plan_is_data_only(tmp_path):
    text = _rules_text().replace('"十六五" = [2031, 2035]', '"十六五" = [2031, 2035]\n"十七五" = [2036, 2040]')
    rules = load_times(_write(tmp_path, text))
    (t,) = find_times("“十七五”期间", rules=rules, article_date=None)
    assert (t.start_date, t.end_date, t.granularity) == ("2036-01-01", "2040-12-31", "plan")


# ---- context and ranges ------------------------------------------------------------------


def test_first_character_filter_changes_no_match():
    """The lookahead that speeds up the time pattern must not hide a time: on every spec
    text, plus the sample corpus, it finds what the bare pattern finds."""
    patterns = patterns_for(load_rules().times)
    bare = regex.compile(patterns.body, regex.VERSION1)
    texts = [case["text"] for case in CASES] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    for text in texts:
        for pos in range(len(text)):
            want = bare.match(text, pos)
            got = patterns.pattern.match(text, pos)
            assert (got and got.span()) == (want and want.span()), (text, pos)


def test_calendar_first_character_filter_changes_no_match():
    """The same for the calendar pattern: with its lookahead it finds what the bare
    pattern finds, at every position of the spec texts, the sample corpus and a text
    that opens with each calendar word."""
    rules = load_rules().times
    patterns = calendar_patterns(rules)
    bare = regex.compile(patterns.body, regex.VERSION1)
    c = rules.calendar
    words = [w for table in (c["festivals"], c["relative_weeks"], c["relative_days"], c["period_edges"]) for w in table]
    texts = [case["text"] for case in CASES] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    texts += [f"今年{w}，" for w in words] + ["80年代", "九十年代", "前三天", "正月十五", "2021年春节"]
    for text in texts:
        for pos in range(len(text)):
            want = bare.match(text, pos)
            got = patterns.pattern.match(text, pos)
            assert (got and got.span()) == (want and want.span()), (text, pos)


def test_calendar_candidates_hold_every_match():
    """The calendar pattern is tried only near its anchor words: every offset where it
    matches (spec texts, the sample corpus, each calendar word after a year word and
    the longest leads before an anchor) is a candidate."""
    rules = load_rules().times
    patterns = calendar_patterns(rules)
    c = rules.calendar
    words = [w for table in (c["festivals"], c["relative_weeks"], c["relative_days"], c["period_edges"]) for w in table]
    long_year_word = max(rules.relative_years, key=len)
    texts = [case["text"] for case in CASES] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    texts += [f"今年{w}，" for w in words] + [f"{long_year_word}{w}，2024年{w}" for w in c["festivals"]]
    texts += ["上个世纪九十年代", "二十世纪1990年代", "最近十二天", "未来3天", "2016年以来", "二〇一六年来，", "十二年前",
              "农历正月十五", "二〇二一年腊月二十三", f"{long_year_word}正月初一"]
    found = 0
    for text in texts:
        spots = list(patterns.candidates(text))
        assert spots == sorted(set(spots))
        for pos in range(len(text)):
            if patterns.pattern.match(text, pos):
                found += 1
                assert pos in spots, (text, pos)
    assert found > len(texts)


def test_context_year_is_per_sentence():
    rules = load_rules().times
    text = "2023年产值增长。比上年增长5%"
    times = find_times(text, rules=rules, article_date=dt.date(2025, 3, 1), sentences=[(0, 9), (9, len(text))])
    assert [(t.text, t.start_date) for t in times] == [("2023年", "2023-01-01"), ("上年", "2024-01-01")]


def test_seed_articles_times():
    """Every time in the two sample articles, with its dates (the figures of issue 4)."""
    text_000 = (
        "2023年，杭州经济总量突破2万亿元。不久前发布的2024年杭州市政府工作报告中提出。"
        "1月初，临平区委第一届八次全体（扩大）会议上提出，力争通过5年努力。"
        "1月27日，在临平艺尚小镇正式开馆。“去年，我们在临平算力小镇落地。仅用一年。”"
        "过去一年，郝磊也亲身体会到。从2021年到2023年，每年增幅10%以上。今年，临平将聚力。"
    )
    doc = pipeline.extract(text_000, date="2024-02-01")
    assert [(t.text, t.start_date, t.end_date) for t in doc.times] == [
        ("2023年", "2023-01-01", "2023-12-31"),
        ("2024年", "2024-01-01", "2024-12-31"),
        ("1月初", "2024-01-01", "2024-01-31"),
        ("1月27日", "2024-01-27", "2024-01-27"),
        ("去年", "2023-01-01", "2023-12-31"),
        ("过去一年", "2023-01-01", "2023-12-31"),
        ("2021年", "2021-01-01", "2021-12-31"),
        ("2023年", "2023-01-01", "2023-12-31"),
        ("今年", "2024-01-01", "2024-12-31"),
    ]


# ---- current periods -------------------------------------------------------------------


def _periods(text: str, date: str | None = "2025-01-20"):
    """(time text, frame) of each sentence, by pipeline/link/frames.py."""
    doc = pipeline.extract(text, date=date)
    firsts = [next((q.start for q in doc.quantities if s <= q.start < e), None) for s, e in doc.sentences]
    rules = load_rules()
    periods = sentence_periods(doc.times, doc.sentences, text=doc.text, article_date=doc.date, first_numbers=firsts,
                               rules=rules.frames, same=rules.times.same_period["words"])
    assert len(periods) == len(doc.sentences)
    return [(p.time.text, p.source) if p else None for p in periods]


def test_period_frames_sentence_paragraph_document():
    text = (
        "# 标题\n\n"
        "2024年，开发区实现增长。全年新增企业107家。\n\n"
        "新增专精特新企业7家。2023年度考核名列第80位。其中规上企业53家。\n"
        "力争2025年工业总产值达1360亿元。同时推进建设。"
    )
    # The title has no period: the document's is the first year near the top. A sentence a
    # time opens dates the rest of its paragraph; a new paragraph starts over from the
    # document, and a time after a word (力争2025年) frames only its own sentence.
    assert _periods(text) == [
        ("2024年", "document"),
        ("2024年", "sentence"), ("2024年", "paragraph"),
        ("2024年", "document"), ("2023年度", "sentence"), ("2023年度", "paragraph"),
        ("2025年", "sentence"), ("2024年", "document"),
    ]


def test_period_frames_without_document_year():
    text = "开发区实现增长。新增企业107家。\n一季度，产值增长。其中规上企业53家。"
    assert _periods(text, "2024-05-01") == [None, None, ("一季度", "sentence"), ("一季度", "paragraph")]


def test_period_frames_skip_unresolved_times():
    text = "去年产值增长。新增企业107家。"
    assert _periods(text, None) == [None, None]
    assert _periods(text, "2024-05-01") == [("去年", "sentence"), ("去年", "paragraph")]


def test_period_frames_title_is_the_document():
    # 新增企业107家 in a paragraph of its own speaks of the period in the title.
    text = "上半年经济运行情况\n\n开发区2024年实现增长。\n\n新增企业107家。"
    assert _periods(text, "2024-07-20") == [("上半年", "sentence"), ("2024年", "sentence"), ("上半年", "document")]


# ---- properties ----------------------------------------------------------------------

ALPHABET = "0123456789０１２年月日号度季上下半前后初末底今去明本同期近未来十一二三四五六七八九〇零两至到-—～“”\"。，\n 亿元%第位努力"


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=40), day=st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))))
def test_find_times_never_raises_and_offsets_hold(text, day):
    rules = load_rules().times
    first = find_times(text, rules=rules, article_date=day)
    for t in first:
        assert text[t.start:t.end] == t.text
        assert t.granularity in ("day", "month", "quarter", "half", "year", "plan")
        assert t.resolved == (t.start_date is not None) == (t.end_date is not None)
        if t.resolved:
            assert t.start_date <= t.end_date
        if day is None and t.resolved is False:
            assert t.relative
    assert all(a.end <= b.start for a, b in zip(first, first[1:]))
    assert find_times(text, rules=rules, article_date=day) == first


@settings(max_examples=30, deadline=None)
@given(text=st.text(alphabet=ALPHABET + "临平开发区产值增长", max_size=60))
def test_pipeline_times_offsets_hold(text, nlp):
    doc = pipeline.extract(text, date="2024-02-01", nlp=nlp)
    assert_offsets(doc)
    rules = load_rules()
    firsts = [next((q.start for q in doc.quantities if s <= q.start < e), None) for s, e in doc.sentences]
    periods = sentence_periods(doc.times, doc.sentences, text=doc.text, article_date=doc.date, first_numbers=firsts,
                               rules=rules.frames, same=rules.times.same_period["words"])
    assert len(periods) == len(doc.sentences)
    assert all(p is None or p.source in ("sentence", "paragraph", "section", "document") for p in periods)


small = st.integers(min_value=-2, max_value=40)


@settings(max_examples=200, deadline=None)
@given(
    year=st.one_of(st.none(), st.integers(1800, 2199)),
    offset=st.one_of(st.none(), st.integers(-10, 10)),
    months=st.one_of(st.none(), st.tuples(small, small)),
    days=st.one_of(st.none(), st.tuples(small, small)),
    edge=st.sampled_from([None, "first", "last"]),
    same=st.booleans(),
    day=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2150, 12, 31))),
)
def test_resolve_never_raises_and_orders_dates(year, offset, months, days, edge, same, day):
    parts = TimeParts(year=year, year_offset=offset, months=months, days=days, edge=edge, same_period=same, part="month")
    res = resolve(parts, article_date=day, context_year=None, context_period=None)
    if res is not None:
        assert res.resolved == (res.start_date is not None)
        if res.resolved:
            assert res.start_date <= res.end_date
        else:
            assert res.relative and day is None
