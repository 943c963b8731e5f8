"""Times extractor: dates, years, parts of years, relative years and plan periods.

Find, then resolve. `TimePatterns` builds one regex from rules/times.toml (longest
surface first) and matches it on the characters of the text (full-width digits folded
1:1, so offsets do not move). Each match is read into `normalise.times.TimeParts` and
resolved against the article date by `normalise.times.resolve`.

What is a time (DESIGN.md "time"):
- a year with 年/年度 (2023年, 2023年度, 二〇二四年; a two-digit year only with a month,
  part or edge after it, or with a leading zero: 98年4月, 19年底, 08年);
- a year range written with one unit (2021—2023年): one record; 从2021年到2023年 is two;
- a month, a month range (1—7月, 1-7月份), a day or day range within a month
  (1月27日, 4月12-19日), ISO-like numeric dates (2019-05-27, 2019/4/19, 2019.9.6);
- parts of a year (上半年, 一季度, 前三季度, 前五个月 after a year) and edges
  (年初, 年底, 年末, 6月末, 一季度末);
- relative year words (去年, 今年, 上年, 上一年度 …), alone or with a part (去年底,
  今年前三季度, 去年同期) and 同期;
- plan periods (十四五, “十四五”期间, 十四五末);
- windows of years (近三年, 过去五年, 未来五年).
Durations are not times: 5年努力, 连续4年, 5至10年, 三年行动 are left to quantities.
A match must start on a segmentation boundary (so 以上年份, 至今年均, 日本年度, 统一月度
give nothing).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import replace
from typing import Callable, Sequence

import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..normalise.numbers import width_folder
from ..normalise.times import Resolution, TimeParts, digit_year, resolve, small_number, two_digit_year
from ..rules import TimesRules, load_rules
from ..types import Time
from ..segment import sentence_spans, text_of
from . import records_of, resolve_overlaps, small_numeral, token_boundaries, word_alternation
from .calendar import find_calendar

# Full-width digits and dashes fold to ASCII one character for one, so offsets hold.
_FOLD = width_folder(str.maketrans("０１２３４５６７８９／．－", "0123456789/.-"))


_alt = word_alternation


class TimePatterns:
    """The time regex built from `TimesRules`, and the reading of a match into parts."""

    def __init__(self, rules: TimesRules) -> None:
        self.rules = rules
        cn_digits, small = small_numeral(rules.digits)
        numeral = f"[{regex.escape(cn_digits)}十百千万亿]"
        join = rf"[ \u3000]?(?:{_alt(rules.joiners)}){{1,2}}[ \u3000]?"
        no_num_before = rf"(?<![0-9.]|{numeral})"
        edge = rf"(?P<edge>{_alt(rules.edges)})"
        year4 = rf"(?P<y4>(?<![0-9.])(?:1[89]|2[01])[0-9]{{2}}(?![0-9])|(?<!{numeral})[{regex.escape(cn_digits)}]{{4}})[ \u3000]?年(?P<fy>度)?"
        year2 = rf"(?P<y2>(?<![0-9.])[0-9]{{2}}|(?<!{numeral})[{regex.escape(cn_digits)}]{{2}})年"
        rel = rf"(?P<rel>{_alt(rules.relative_years)})"
        quarter = (
            rf"(?:前(?P<qn>{small})个?季度|第?(?P<q1>[1-4一二三四])(?:{join}(?P<q2>[1-4一二三四]))?季度)"
        )
        months = rf"(?:(?P<m1>{small}){join})?(?P<m2>{small})月份?"
        # A day without 日/号 only in Arabic digits, before a pause or a joined month (1月3至2月10).
        pause_marks = regex.escape("，。；、,;）)")
        days = (
            rf"(?:(?P<d1>{small})[日号]?{join})?"
            rf"(?:(?P<d2>{small})[日号]|(?P<d2>[0-9]{{1,2}})(?=[{pause_marks}\s]|$|{join}[0-9]{{1,2}}月))"
        )
        dekad = rf"(?P<dek>{_alt(rules.month_parts)})"
        first_n = rf"(?P<fdir>前|后)(?P<fn>{small})个?月"
        half = rf"(?P<half>{_alt(rules.year_parts)})"
        part = rf"(?:{half}|{quarter}|(?P<mon>{no_num_before}{months}(?:{days}|{dekad})?))(?:{edge})?"
        same = rf"(?P<same>{_alt(rules.same_period['words'])})"
        bare_same = rf"(?<=[{regex.escape(''.join(rules.same_period['bare_after']))}]){same}"
        rel_quarter = rf"(?P<relq>{_alt(rules.relative_quarters)})(?:{edge})?"
        rel_month = rf"(?P<relm>{_alt(rules.relative_months)})(?:{days}|{dekad}|{edge})?"
        year_any = rf"(?:{year4}|{year2}|{rel})"
        composite = (
            rf"{year_any}(?:年?{edge}|[ \u3000]?{part}|{first_n})?(?:{same})?"
            rf"|{part}(?:{same})?"
            rf"|(?<!{numeral}|每)年(?P<bare_edge>{_alt(rules.edges)})"  # 每年底 recurs: not one date
            rf"|{rel_quarter}"
            rf"|{rel_month}"
            rf"|{bare_same}"
        )
        year_range = (
            rf"(?P<ya>(?<![0-9.])(?:1[89]|2[01])[0-9]{{2}}){join}(?P<yb>(?:1[89]|2[01])[0-9]{{2}})[ \u3000]?年(?P<ryfy>度)?"
        )
        iso = (
            r"(?P<iy>(?<![0-9.])(?:1[89]|2[01])[0-9]{2})(?P<sep>[-/.])(?P<im>1[0-2]|0?[1-9])(?P=sep)"
            r"(?P<id>3[01]|[12][0-9]|0?[1-9])(?![0-9.])"
        )
        plan = (
            rf"(?P<q_open>[“\"「『‘']?)(?<!{numeral})(?P<plan>{_alt(rules.plans)})(?P<q_close>[”\"」』’']?)"
            rf"(?P<psuf>{_alt(rules.plan_suffixes)})?"
        )
        numeric_months = (
            rf"(?P<ny1>(?<![0-9.])(?:1[89]|2[01])[0-9]{{2}})[./](?P<nm1>0[1-9]|1[0-2]){join}"
            rf"(?P<ny2>(?:1[89]|2[01])[0-9]{{2}})[./](?P<nm2>0[1-9]|1[0-2])(?![0-9])"
        )
        window = rf"(?P<win>{_alt(rules.windows)})(?P<wn>{small})个?年"
        self.body = rf"(?:{plan}|{window}|{iso}|{numeric_months}|{year_range}|{composite})"
        # Most alternatives open with a lookbehind, so the engine would try all of them at
        # every character; a lookahead of the characters a time can start with skips the
        # rest of the text (about 6x faster; tests check it changes no match).
        starts = set("0123456789" + cn_digits + "十前第年" + "“\"「『‘'")
        for words in (rules.plans, rules.windows, rules.relative_years, rules.year_parts,
                      rules.relative_quarters, rules.relative_months, rules.same_period["words"]):
            starts.update(w[0] for w in words)
        self.first_chars = "".join(sorted(starts))
        self.pattern = regex.compile(rf"(?=[{regex.escape(self.first_chars)}]){self.body}", regex.VERSION1)
        # Comparison words a time may follow inside one jieba word (比上|年末: 比|上年末).
        self.glued_after = frozenset(rules.same_period["bare_after"])

    def number(self, text: str | None) -> int | None:
        return None if text is None else small_number(text, digits=self.rules.digits)

    def parts(self, m: regex.Match, *, reference_year: int | None) -> tuple[TimeParts, int, int] | None:
        """TimeParts of a match and the span to report; None if the match is not a time."""
        # Only the groups asked for: groupdict made all 38 of every match (11 us).
        g = m.group
        start, end = m.span()
        if g("plan"):
            suffix = g("psuf")
            if suffix is None:  # quotes belong to the span only when a suffix follows them
                start, end = m.span("plan")
            elif bool(g("q_open")) != bool(g("q_close")):
                start = m.start("plan") if g("q_open") else start
            return TimeParts(plan=self.rules.plans[g("plan")], plan_edge=self.rules.plan_suffixes.get(suffix, "whole")), start, end
        if g("win"):
            n = self.number(g("wn"))
            if not n or n > 50:
                return None
            return TimeParts(window=self.rules.windows[g("win")], window_years=n), start, end
        if g("iy"):
            mo, d = int(g("im")), int(g("id"))
            return TimeParts(year=int(g("iy")), months=(mo, mo), days=(d, d), part="day"), start, end
        if g("ya"):
            return TimeParts(year=int(g("ya")), year_end=int(g("yb"))), start, end
        if g("ny1"):
            months = (int(g("nm1")), int(g("nm2")))
            return TimeParts(year=int(g("ny1")), year_end=int(g("ny2")), months=months, part="month"), start, end

        fields: dict = {}
        if g("y4"):
            year = digit_year(g("y4"), digits=self.rules.digits)
            if year is None or not 1800 <= year <= 2199:
                return None
            fields["year"] = year
        elif g("y2"):
            yy = digit_year(g("y2"), digits=self.rules.digits)
            # A bare two-digit "year" is usually a duration (10年努力): only 08年 or 98年4月.
            has_more = m.end("y2") + 1 < end
            spoken = self.spoken_year(g("y2")) and not m.string.startswith(self.rules.spoken_year_not_before, m.end("y2") + 1)
            if yy is None or not (has_more or g("y2").startswith("0") or spoken):
                return None
            fields["year"] = two_digit_year(yy, reference_year=reference_year)
        elif g("rel"):
            fields["year_offset"], fields["year_offset_end"], fields["anchor"] = self.rules.relative_years[g("rel")]
        if g("relq"):
            fields["quarter_offset"] = self.rules.relative_quarters[g("relq")]
        if g("relm"):
            fields["month_offset"], fields["anchor"] = self.rules.relative_months[g("relm")]
        edge = g("edge") or g("bare_edge")
        if edge:
            fields["edge"] = self.rules.edges[edge]
        if g("same"):
            fields["same_period"] = True
        if g("half"):
            fields["months"], fields["part"] = self.rules.year_parts[g("half")]
        elif g("qn"):
            n = self.number(g("qn"))
            if not n or n > 4:
                return None
            fields["months"], fields["part"] = (1, 3 * n), "quarter"
        elif g("q1"):
            q1 = self.number(g("q1"))
            q2 = self.number(g("q2")) if g("q2") else q1
            if not q1 or not q2 or q2 < q1:
                return None
            fields["months"], fields["part"] = (3 * q1 - 2, 3 * q2), "quarter"
        elif g("fn"):
            n = self.number(g("fn"))
            if not n or n > 12:
                return None
            months = (1, n) if g("fdir") == "前" else (13 - n, 12)
            fields["months"], fields["part"] = months, "month"
        elif g("relm") and (g("d2") or g("dek")):
            days = self.days(g)
            if days is None:
                return None
            fields.update(days)
        elif g("m2"):
            m2 = self.number(g("m2"))
            m1 = self.number(g("m1")) if g("m1") else m2
            if m1 is None or m2 is None:
                return None
            fields["months"], fields["part"] = (m1, m2), "month"
            if g("d2") or g("dek"):
                days = self.days(g)
                # 27日末 and 6月上旬末 are not things; 1-2月上旬 is unclear.
                if days is None or m1 != m2 or edge:
                    return None
                fields.update(days)
        return TimeParts(**fields), start, end

    def spoken_year(self, pair: str) -> bool:
        """九八, 三三: Chinese digits of a year read one by one, not a vague 三四 (see rules)."""
        if pair.isascii() or any(c in self.rules.spoken_year_not_with for c in pair):
            return False
        first, second = (self.rules.digits[c] for c in pair)
        return second != first + 1

    def days(self, g: Callable[[str], str | None]) -> dict | None:
        """TimeParts fields of the days of a match that has some (27日, 12-19日, 上旬); None
        when a number does not read."""
        if g("dek"):
            return {"days": self.rules.month_parts[g("dek")], "days_to_month_end": True}
        d2 = self.number(g("d2"))
        d1 = self.number(g("d1")) if g("d1") else d2
        return None if d1 is None or d2 is None else {"days": (d1, d2)}


@functools.lru_cache(maxsize=8)
def patterns_for(rules: TimesRules) -> TimePatterns:
    """The compiled patterns of a rules object, built once."""
    return TimePatterns(rules)


def find_times(
    text: str,
    *,
    rules: TimesRules,
    article_date: dt.date | None,
    boundaries: frozenset[int] | None = None,
    sentences: Sequence[tuple[int, int]] = (),
) -> list[Time]:
    """Time records in `text`, in order.

    boundaries: offsets where segmentation puts a word boundary; a match must start on
    one (None: no check). sentences: spans for the context of 上年/同期 (the last
    explicit time earlier in the same sentence); none given means the whole text is
    one sentence.
    """
    pats = patterns_for(rules)
    source = f"rule:{rules.version}"
    starts = [s for s, _ in sentences]
    out: list[Time] = []
    context_sentence = -1
    context_year: int | None = None
    context_period: tuple[dt.date, dt.date, str] | None = None
    reference_year = article_date.year if article_date else None
    folded = _FOLD(text)
    for m in _matches(pats.pattern, folded, boundaries, glued_after=pats.glued_after):
        sentence = bisect.bisect_right(starts, m.start()) - 1
        if sentence != context_sentence:
            context_sentence, context_year, context_period = sentence, None, None
        # Not a real date as a whole (2023年13月): its year alone, if it has one.
        res = None
        while m is not None and res is None:
            read = pats.parts(m, reference_year=reference_year)
            if read is not None:
                parts, start, end = read
                if out and _is_bare_month(parts) and out[-1].resolved and out[-1].granularity in ("day", "month"):
                    res = _range_end(parts, out[-1], text[out[-1].end:start], joiners=rules.joiners)
                if res is None:
                    res = resolve(parts, article_date=article_date, context_year=context_year, context_period=context_period)
            m = _year_alone(pats.pattern, folded, m) if res is None else None
        if res is None:
            continue
        out.append(_record(text, start, end, res, source=source))
        if res.resolved and not parts.same_period:
            context_period = (dt.date.fromisoformat(res.start_date), dt.date.fromisoformat(res.end_date), res.granularity)
            if not res.relative and res.granularity != "plan":
                context_year = int(res.end_date[:4])
    return _with_calendar(text, out, find_calendar(folded, rules=rules, article_date=article_date, boundaries=boundaries),
                          source=source)


def _with_calendar(text: str, times: list[Time], found, *, source: str) -> list[Time]:
    """Both kinds of record, the longer kept where two overlap (2016年以来 over 2016年;
    6月上旬 over 上旬)."""
    extra = [_record(text, s, e, res, source=source) for s, e, res in found]
    chosen = resolve_overlaps([(r.start, r.end, 0) for r in times] + [(r.start, r.end, 1) for r in extra])
    by_key = {(r.start, r.end, 0): r for r in times} | {(r.start, r.end, 1): r for r in extra}
    return [by_key[k] for k in chosen]


def _year_alone(pattern: regex.Pattern, folded: str, m: regex.Match) -> regex.Match | None:
    """The match of just the explicit year (2023年 or 2023年度) at the start of `m`."""
    if not m.group("y4"):
        return None
    end = folded.index("年", m.end("y4")) + 1
    end += folded.startswith("度", end)
    return pattern.match(folded, m.start(), end) if end < m.end() else None


def _is_bare_month(parts: TimeParts) -> bool:
    return (
        parts.months is not None and parts.year is None and parts.year_offset is None
        and parts.quarter_offset is None and not parts.same_period and parts.part == "month"
    )


def _range_end(parts: TimeParts, previous: Time, between: str, *, joiners: Sequence[str]) -> Resolution | None:
    """The second end of a range whose first end has the year (2019年6月1日-6月30日,
    8月至2月): it takes that year, or the next one when it would come before it. None
    when `between` is not a joiner (then the month stands alone)."""
    if between.strip(" \u3000") not in joiners:
        return None
    first = dt.date.fromisoformat(previous.start_date)
    for year in (first.year, first.year + 1):
        res = resolve(replace(parts, year=year), article_date=None)
        if res is not None and dt.date.fromisoformat(res.start_date) > first:
            return res._replace(relative=previous.relative)
    return None


def _matches(pattern: regex.Pattern, folded: str, boundaries: frozenset[int] | None, *, glued_after: frozenset[str] = frozenset()):
    """Matches that start on a word boundary, retried one character on when they do not
    (马上年底 -> 年底). A match that starts with the digits of a year or an Arabic
    numeral needs no boundary: its pattern already refuses a digit before it, and jieba
    glues 从二零一 into one word. A match ending in an edge word inside a longer word is shortened
    at the same start (2025年初步 -> 2025年); other ends are not checked, as jieba glues
    日至, 月到 and the like. A comparison word that opens the word (jieba's 比上|年末, 较上|年) glues
    no time: the match may start right after it (比|上年末, the base, not 年末)."""
    pos = 0
    while (m := pattern.search(folded, pos)) is not None:
        if (
            boundaries is not None and m.start() not in boundaries and not _starts_with_year_digits(m)
            and not (m.start() - 1 in boundaries and folded[m.start() - 1] in glued_after)
        ):
            pos = m.start() + 1
            continue
        start = m.start()
        while boundaries is not None and m is not None and m.end() not in boundaries and _ends_with_edge(m):
            m = pattern.match(folded, start, m.end() - 1)
        if m is None or m.end() == start:
            pos = start + 1
            continue
        yield m
        pos = m.end()


def _starts_with_year_digits(m: regex.Match) -> bool:
    return m.group(0)[:1].isascii() or any(m.group(n) and m.start(n) == m.start() for n in ("y4", "y2"))


def _ends_with_edge(m: regex.Match) -> bool:
    return any(m.group(name) and m.end(name) == m.end() for name in ("edge", "bare_edge", "psuf"))


def _record(text: str, start: int, end: int, res: Resolution, *, source: str) -> Time:
    return Time(
        start=start,
        end=end,
        text=text[start:end],
        source=source,
        start_date=res.start_date,
        end_date=res.end_date,
        granularity=res.granularity,
        relative=res.relative,
        resolved=res.resolved,
    )


@Language.factory("press_extract_times", default_config={"rules_dir": ""})
def make_times(nlp: Language, name: str, *, rules_dir: str) -> "TimesExtractor":
    return TimesExtractor(rules=load_rules(rules_dir or None).times)


class TimesExtractor:
    """spaCy component: appends `Time` records found by `find_times`."""

    def __init__(self, *, rules: TimesRules) -> None:
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        sentences = sentence_spans(doc)
        records_of(doc, "time").extend(
            find_times(
                text_of(doc),
                rules=self.rules,
                article_date=doc._.article_date,
                boundaries=token_boundaries(doc),
                sentences=sentences,
            )
        )
        return doc
