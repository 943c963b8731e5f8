"""The frames an article is read in: document -> section -> paragraph -> sentence (-> clause).

Each frame may set the period its numbers speak about; a sentence takes the period of the
innermost frame that sets one, and says which (`period_from`). The document frame takes its
period from what the article reports on (its title: 上半年全市经济运行情况, else the first year
stated near the top), not from the publication date; a section from its heading (一、…);
a sentence (which goes on across ；) from a time before its first number; a paragraph from a
sentence a time opens (今年1-6月，…; 2023年，…), and never beyond its own end, unless the paragraph states no
number at all: then it frames what follows, like a heading (事实上，今年前三季度，…). The clause frame (a time in a number's own clause) is read by the
metrics and goals themselves.

Pure functions on records and offsets (no spaCy), like `periods`.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
from typing import Sequence

from ..rules import FrameRules
from ..types import Time
from .indicators import clause_start
from .periods import is_reference, narrowest, period_of

# Longest first line that is read as the article's title.
TITLE_LENGTH = 80
# What may stand before a time that opens its clause (在2023年，…).
OPENING_SPACE = " \t\u3000在于"


@dataclasses.dataclass(frozen=True, slots=True)
class Period:
    """The time a frame sets, and which frame set it."""

    time: Time
    source: str  # clause | sentence | paragraph | section | document


def line_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every non-blank line.

    >>> line_spans("标题\\n\\n正文。\\n")
    [(0, 2), (4, 7)]
    """
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def is_heading(line: str, rules: FrameRules) -> bool:
    """A section heading: a short line that opens with a marker (一、, （一）) and holds no 。."""
    line = line.strip()
    return len(line) <= rules.section_max_length and "。" not in line and bool(rules.section_markers.match(line))


def is_since(text: str, t: Time, rules: FrameRules) -> bool:
    """A part of a year that starts a span (年初以来, 3月起): where counting starts, not a
    period. A whole year so far (2023年以来, 今年以来) is still that year."""
    return t.granularity not in ("year", "plan") and text.startswith(rules.periods["since_after"], t.end)


def is_point(text: str, t: Time, rules: FrameRules) -> bool:
    """A point in time (年末, 6月末, 截至2021年底): the state of a stock at that moment."""
    before = text[max(0, t.start - 4):t.start]
    return t.text.endswith(rules.periods["point_end"]) or before.endswith(rules.periods["point_before"])


def kind_of(indicator: str, rules: FrameRules) -> str | None:
    """"stock" or "flow" for an indicator, by the listed word that ends latest in it (its head).

    >>> from pipeline.rules import load_rules
    >>> r = load_rules().frames
    >>> kind_of("年末常住人口", r), kind_of("全年招生", r), kind_of("新亮点", r)
    ('stock', 'flow', None)
    """
    best: tuple[int, int, str] | None = None
    for word, kind in rules.kinds.items():
        at = indicator.rfind(word)
        if at >= 0 and (best is None or (at + len(word), len(word)) > best[:2]):
            best = (at + len(word), len(word), kind)
    return best[2] if best else None


def year_of(t: Time) -> Time:
    """The calendar year a point in time falls in (年末 of 2012 -> 2012)."""
    year = (t.end_date or t.start_date or "")[:4]
    return dataclasses.replace(t, start_date=f"{year}-01-01", end_date=f"{year}-12-31", granularity="year")


def sentence_periods(times: Sequence[Time], sentences: Sequence[tuple[int, int]], *, text: str, article_date: dt.date | None, first_numbers: Sequence[int | None], rules: FrameRules, same: Sequence[str]) -> list[Period | None]:
    """The period of each sentence, from the innermost frame that sets one.

    `first_numbers` holds, per sentence, the start of its first quantity (or None): only a
    time before it frames the sentence; a later one frames its own clause at most. `same` are
    the words of a year's same period (同期).
    """
    limit = article_date.year if article_date else None
    ordered = sorted(times, key=lambda t: t.start)
    starts = [t.start for t in ordered]

    def usable(t: Time) -> bool:
        return (
            bool(t.resolved and t.start_date)
            and (limit is None or int(t.start_date[:4]) <= limit)
            and not is_reference(text, t)
            and not is_since(text, t, rules)
        )

    def own(start: int, end: int) -> Time | None:
        """The period a span states itself: its first usable time, a day only if nothing else."""
        mine = [i for i in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)) if usable(ordered[i])]
        i = next((i for i in mine if ordered[i].granularity != "day"), mine[0] if mine else None)
        return narrowest(ordered, i) if i is not None else None

    def opens_clause(start: int, end: int) -> bool:
        """Whether a usable time in [start, end) opens its clause (2023年，… / 事实上，今年前三季度，…)."""
        return any(
            usable(ordered[i]) and not text[clause_start(text, ordered[i].start, floor=start):ordered[i].start].strip(OPENING_SPACE)
            for i in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end))
        )

    lines = line_spans(text)
    document = _document_period(text, lines, ordered, own=own, usable=usable)
    line_starts = [a for a, _ in lines]
    section: Period | None = None
    paragraph: Period | None = None  # set by a sentence a time opens, for the rest of its paragraph
    sentence: Period | None = None  # the time of the sentence so far (a sentence goes on across ；)
    numbered = False  # whether the current paragraph states a number
    current_line, continued, metadata = -1, False, False
    out: list[Period | None] = []
    for (s, e), first in zip(sentences, first_numbers):
        n = bisect.bisect_right(line_starts, s) - 1
        if n != current_line:
            if paragraph is not None and not numbered and current_line > 0:
                # A paragraph of no numbers that a time opens frames what follows, like a heading.
                section = dataclasses.replace(paragraph, source="section")
            current_line, paragraph, numbered, continued = n, None, False, False
            a, b = lines[n] if n >= 0 else (s, e)
            # 发稿时间：2021/6/9 dates the page, and frames nothing.
            metadata = text[a:b].lstrip().startswith(rules.periods["metadata"])
            if n > 0 and is_heading(text[a:b], rules):
                # 二、“十三五”时期发展成就和“十四五”时期主要目标任务: two periods, and the
                # paragraphs under it say which they speak of.
                mine = [t for t in ordered[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)] if usable(t)]
                t = own(a, b) if not _disjoint(mine) else None
                section = Period(t, "section") if t else None
        if not continued:
            sentence = None
        numbered = numbered or first is not None
        t = None if metadata else own(s, e if first is None else first)
        if t is not None:
            t = same_period(t, paragraph or section or document, words=same)
            sentence = Period(t, "sentence")
            if opens_clause(s, e if first is None else first):
                paragraph = Period(t, "paragraph")
        out.append(sentence or paragraph or section or document)
        continued = text[s:e].rstrip().endswith(("；", ";"))
    return out


def same_period(t: Time, frame: Period | None, *, words: Sequence[str]) -> Time:
    """A year's 同期 (2020年同期, 上年同期) is the part of that year the frame speaks of:
    2020年同期 under 1-2月 of 2021 is 2020-01..02.

    >>> y = Time(start=0, end=7, text="2020年同期", source="t", start_date="2020-01-01", end_date="2020-12-31", granularity="year")
    >>> f = Period(Time(start=0, end=4, text="1-2月", source="t", start_date="2021-01-01", end_date="2021-02-28", granularity="month"), "document")
    >>> same_period(y, f, words=("同期",)).end_date
    '2020-02-29'
    """
    if frame is None or t.granularity != "year" or not t.text.endswith(tuple(words)) or not t.start_date:
        return t
    f = frame.time
    if not (f.start_date and f.end_date) or f.start_date[:4] != f.end_date[:4] or f.granularity in ("year", "plan"):
        return t
    year = int(t.start_date[:4])
    start = dt.date.fromisoformat(f.start_date).replace(year=year)
    end_month = int(f.end_date[5:7])
    nxt = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
    end = nxt - dt.timedelta(days=1) if f.end_date == _month_end(f.end_date) else dt.date.fromisoformat(f.end_date).replace(year=year)
    return dataclasses.replace(t, start_date=start.isoformat(), end_date=end.isoformat(), granularity=f.granularity)


def _month_end(iso: str) -> str:
    """The last day of the month of an ISO date."""
    d = dt.date.fromisoformat(iso)
    nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).isoformat()


def _disjoint(times: Sequence[Time]) -> bool:
    """Whether two of `times` share no day (十三五 and 十四五; not 2023年 and its 1-6月).

    >>> y = Time(start=0, end=5, text="2023年", source="t", start_date="2023-01-01", end_date="2023-12-31", granularity="year")
    >>> h = Time(start=5, end=9, text="1-6月", source="t", start_date="2023-01-01", end_date="2023-06-30", granularity="month")
    >>> p = Time(start=9, end=14, text="十四五", source="t", start_date="2021-01-01", end_date="2025-12-31", granularity="plan")
    >>> _disjoint([y, h]), _disjoint([y, h, p]), _disjoint([p, dataclasses.replace(p, start_date="2016-01-01", end_date="2020-12-31")])
    (False, False, True)
    """
    spans = [(t.start_date, t.end_date or t.start_date) for t in times if t.start_date]
    return any(a[0] > b[1] or b[0] > a[1] for a, b in itertools.combinations(spans, 2))


def _document_period(text: str, lines: list[tuple[int, int]], ordered: list[Time], *, own, usable) -> Period | None:
    """What the article reports on: the title's period (a short first line without 。), else
    the first year stated near the top (a quarter of the text, at least 400 characters)."""
    if len(lines) > 1:
        a, b = lines[0]
        if b - a <= TITLE_LENGTH and "。" not in text[a:b]:
            t = own(a, b)
            if t is not None:
                return Period(t, "document")
    head = max(400, len(text) // 4)
    t = next((t for t in ordered if t.start < head and t.granularity == "year" and usable(t)), None)
    return Period(t, "document") if t else None


def reanchored(times: Sequence[Time], *, text: str, article_date: dt.date | None, relative_years: Sequence[str]) -> list[Time]:
    """Times read against the year the article reports on, not the year it was published: a
    bulletin titled 2012年…统计公报 and published in 2013 means December 2012 by 年末. Only
    when the title names an earlier year; only times the times stage anchored to the
    publication year by default (年末, 上半年, 6月末), not those a word anchors (今年, 去年).

    >>> t = Time(start=12, end=14, text="年末", source="t", start_date="2013-12-01", end_date="2013-12-31", granularity="month", relative=True)
    >>> y = Time(start=0, end=5, text="2012年", source="t", start_date="2012-01-01", end_date="2012-12-31", granularity="year")
    >>> [x.start_date for x in reanchored([y, t], text="2012年统计公报\\n\\n年末全市人口", article_date=dt.date(2013, 3, 1), relative_years=("今年",))]
    ['2012-01-01', '2012-12-01']
    """
    times = [_since_reported(t, article_date) for t in times]
    lines = line_spans(text)
    if article_date is None or len(lines) < 2 or lines[0][1] - lines[0][0] > TITLE_LENGTH or "。" in text[slice(*lines[0])]:
        return list(times)
    title = next((t for t in times if t.start < lines[0][1] and not t.relative and t.resolved and t.granularity == "year"), None)
    if title is None or not title.start_date or int(title.start_date[:4]) >= article_date.year:
        return list(times)
    shift = int(title.start_date[:4]) - article_date.year
    out = []
    for t in times:
        if t.relative and t.resolved and t.start_date and t.end_date and int(t.end_date[:4]) == article_date.year and not t.text.startswith(tuple(relative_years)):
            t = dataclasses.replace(t, start_date=_shift(t.start_date, shift), end_date=_shift(t.end_date, shift))
        out.append(t)
    return out


def _since_reported(t: Time, article_date: dt.date | None) -> Time:
    """A span to the article date (2023年以来) as a period: from its first year to the last
    year the article reports on, the year before when it appears in January to March (a
    year's review), else its own year; never before the first year.

    >>> t = Time(start=0, end=7, text="2023年以来", source="t", start_date="2023-01-01", end_date="2024-02-01", granularity="year", relative=True)
    >>> _since_reported(t, dt.date(2024, 2, 1)).end_date
    '2023-12-31'
    """
    if article_date is None or t.end_date != article_date.isoformat() or t.granularity != "year" or not t.start_date:
        return t
    last = max(int(t.start_date[:4]), article_date.year - (article_date.month <= 3))
    return dataclasses.replace(t, end_date=f"{last}-12-31")


def _shift(iso: str, years: int) -> str:
    """An ISO date moved by whole years (29 February becomes the 28th)."""
    d = dt.date.fromisoformat(iso)
    try:
        return d.replace(year=d.year + years).isoformat()
    except ValueError:
        return d.replace(year=d.year + years, day=28).isoformat()


def period_label(period: Period | None) -> str | None:
    """The period label of a frame's time ("2022-H1"), or None."""
    if period is None:
        return None
    t = period.time
    return period_of(t.start_date, t.end_date, t.granularity)
