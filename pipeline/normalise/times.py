"""Resolve a found time expression into inclusive calendar dates.

The extractor (pipeline/extract/times.py) finds a span and reads its parts into a
`TimeParts`; `resolve` places those parts in the calendar against the article date.
Conventions (DESIGN.md "time"):

- dates are ISO strings, both ends inclusive; `granularity` is the unit the expression
  is written in (day, month, quarter, half, year, plan);
- an explicit year is absolute; a year word (去年, 上年), a bare part of a year
  (上半年, 年底, 一季度) or a bare month/day (1月27日) is `relative`;
- a bare month or day takes the article's year, or the year before when it would start
  more than a month after the article date (1月27日 in an article of 2024-02-01 is
  2024-01-27; 12月 in an article of 2025-01-20 is 2024-12); a bare month range is a
  reporting period and is judged by its end (1—7月 in an article of 2024-02-01 is 2023);
- bare parts of a year (上半年, 一季度, 年底) take the article's year;
- 年底/年末 = December, 年初 = January, 6月末 = June, 一季度末 = March, 十四五末 = 2025;
- 近三年/过去三年 = the three years before the article year; 未来五年/今后五年 = the five
  years starting with the article year;
- with no date to resolve against, a relative expression is returned with
  `resolved=False` and no dates: never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace
from typing import Mapping, NamedTuple

GRANULARITIES = ("day", "month", "quarter", "half", "year", "plan")
EDGES = ("first", "last")
PLAN_SUFFIXES = ("whole", "first", "last")
WINDOWS = ("past", "future")
ANCHORS = ("article", "context")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeParts:
    """What a time expression says, before it is placed in the calendar.

    year / year_end: explicit years (year_end for 2021—2023年; with months, a range from
        months[0] of year to months[1] of year_end, 1999.08-2002.02).
    year_offset, anchor: a year word (去年 = -1 from the article's year; 上年 = -1 from the
        context year, see `resolve`); year_offset_end for words naming several (今明两年).
    quarter_offset: a quarter word (上季度 = -1 from the article date's quarter).
    month_offset: a month word (上月 = -1 from the article date's month; 当月 = 0 from the
        context month), with days.
    months: (first, last) month of a part of the year (上半年 = (1, 6), 1—7月 = (1, 7)),
        with `part` its granularity (half, quarter or month).
    days: (first, last) day within months[0] (27日 = (27, 27), 12-19日 = (12, 19));
        days_to_month_end: a last day past the month's end means its end (下旬 = (21, 31)
        is 21-28 in a February), where an explicit 2月30日 is no date.
    edge: first/last month of the year or part (年初, 年底, 一季度末); a month's own edge
        (6月末) keeps the month.
    plan, plan_edge: a five-year plan's years, and whole/first/last.
    window, window_years: 近三年 = ("past", 3); 未来五年 = ("future", 5).
    same_period: 同期, the context period a year earlier.
    """

    year: int | None = None
    year_end: int | None = None
    year_offset: int | None = None
    year_offset_end: int | None = None
    anchor: str = "article"
    quarter_offset: int | None = None
    month_offset: int | None = None
    months: tuple[int, int] | None = None
    part: str | None = None
    days: tuple[int, int] | None = None
    days_to_month_end: bool = False
    edge: str | None = None
    plan: tuple[int, int] | None = None
    plan_edge: str = "whole"
    window: str | None = None
    window_years: int | None = None
    same_period: bool = False


class Resolution(NamedTuple):
    """The calendar value of a time expression (the fields of `types.Time`)."""

    start_date: str | None
    end_date: str | None
    granularity: str
    relative: bool
    resolved: bool


def small_number(text: str, *, digits: Mapping[str, int]) -> int | None:
    """Value of a small written number (months, days, counts): 7, 07, 十二, 二十七, 三十一.

    Digit strings are read digit by digit; 十 is the only multiplier allowed.

    >>> d = {"1": 1, "2": 2, "7": 7, "0": 0, "一": 1, "二": 2, "三": 3, "七": 7}
    >>> [small_number(s, digits=d) for s in ("7", "12", "十二", "二十七", "十", "三十一", "一二", "")]
    [7, 12, 12, 27, 10, 31, None, None]
    """
    if not text:
        return None
    if "十" in text:
        head, _, tail = text.partition("十")
        if "十" in tail or len(head) > 1 or len(tail) > 1:
            return None
        tens = digits.get(head) if head else 1
        ones = digits.get(tail) if tail else 0
        if tens is None or ones is None or (head and tens == 0):
            return None
        return tens * 10 + ones
    if len(text) > 1 and not text.isascii():
        return None  # 一二 is not a number of this kind
    return digit_year(text, digits=digits)


def digit_year(text: str, *, digits: Mapping[str, int]) -> int | None:
    """A number written digit by digit, as years are: 2024, 二〇二四, 二零二四.

    >>> digit_year("二〇二四", digits={"二": 2, "〇": 0, "四": 4})
    2024
    >>> digit_year("2O24", digits={"2": 2, "4": 4}) is None
    True
    """
    value = 0
    for ch in text:
        d = digits.get(ch)
        if d is None:
            return None
        value = value * 10 + d
    return value


def two_digit_year(yy: int, *, reference_year: int | None) -> int:
    """Century of a two-digit year (08年, 98年4月): the latest year not more than ten
    years after the reference year (the article's, else 2049 as the pivot).

    >>> two_digit_year(8, reference_year=2017), two_digit_year(98, reference_year=2024)
    (2008, 1998)
    >>> two_digit_year(33, reference_year=2021), two_digit_year(19, reference_year=None)
    (1933, 2019)
    """
    ref = (reference_year if reference_year is not None else 2039) + 10
    year = ref - (ref - yy) % 100
    return year


def month_end(year: int, month: int) -> int:
    """Last day of a month.

    >>> month_end(2024, 2), month_end(2023, 2), month_end(2023, 12)
    (29, 28, 31)
    """
    return calendar.monthrange(year, month)[1]


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February).

    >>> shift_years(dt.date(2024, 2, 29), -1)
    datetime.date(2023, 2, 28)
    """
    year = day.year + years
    return day.replace(year=year, day=min(day.day, month_end(year, day.month)))


def one_month_after(day: dt.date) -> dt.date:
    """The same day of the next month, clamped to its last day.

    >>> one_month_after(dt.date(2024, 1, 31)), one_month_after(dt.date(2024, 12, 5))
    (datetime.date(2024, 2, 29), datetime.date(2025, 1, 5))
    """
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, month_end(year, month)))


def _unresolved(granularity: str) -> Resolution:
    return Resolution(None, None, granularity, True, False)


def _span(start: dt.date, end: dt.date, granularity: str, relative: bool) -> Resolution:
    return Resolution(start.isoformat(), end.isoformat(), granularity, relative, True)


def _within_year(parts: TimeParts, year: int) -> tuple[dt.date, dt.date, str] | None:
    """Dates of the part of `year` that `parts` names; None if it is not a real date."""
    if parts.months is None:
        if parts.edge == "first":
            return dt.date(year, 1, 1), dt.date(year, 1, 31), "month"
        if parts.edge == "last":
            return dt.date(year, 12, 1), dt.date(year, 12, 31), "month"
        return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
    m1, m2 = parts.months
    if not (1 <= m1 <= m2 <= 12):
        return None
    if parts.days is not None:
        d1, d2 = parts.days
        if parts.days_to_month_end:
            d2 = min(d2, month_end(year, m1))
        if m1 != m2 or not (1 <= d1 <= d2 <= month_end(year, m1)):
            return None
        return dt.date(year, m1, d1), dt.date(year, m1, d2), "day"
    if parts.edge in EDGES:
        m1 = m2 = m1 if parts.edge == "first" else m2
    granularity = "month" if m1 == m2 and parts.edge else (parts.part or "month")
    return dt.date(year, m1, 1), dt.date(year, m2, month_end(year, m2)), granularity


def resolve(
    parts: TimeParts,
    *,
    article_date: dt.date | None,
    context_year: int | None = None,
    context_period: tuple[dt.date, dt.date, str] | None = None,
) -> Resolution | None:
    """Calendar value of `parts`; None when they name no real date (2月30日, 13月).

    article_date: the article's publication date, or None.
    context_year: year of the last explicit year earlier in the sentence (for 上年).
    context_period: the last resolved period earlier in the sentence (for 同期).

    >>> a = dt.date(2024, 2, 1)
    >>> resolve(TimeParts(year=2023), article_date=None)
    Resolution(start_date='2023-01-01', end_date='2023-12-31', granularity='year', relative=False, resolved=True)
    >>> r = resolve(TimeParts(months=(1, 1), days=(27, 27)), article_date=a)
    >>> r.start_date, r.granularity, r.relative
    ('2024-01-27', 'day', True)
    >>> resolve(TimeParts(months=(12, 12), part="month"), article_date=dt.date(2025, 1, 20)).end_date
    '2024-12-31'
    >>> resolve(TimeParts(months=(1, 7), part="month"), article_date=a)[:2]
    ('2023-01-01', '2023-07-31')
    >>> resolve(TimeParts(year_offset=-1), article_date=a)[:2]
    ('2023-01-01', '2023-12-31')
    >>> resolve(TimeParts(year_offset=-1), article_date=None)
    Resolution(start_date=None, end_date=None, granularity='year', relative=True, resolved=False)
    >>> resolve(TimeParts(year_offset=-1, anchor="context"), article_date=None, context_year=2023)[:2]
    ('2022-01-01', '2022-12-31')
    >>> resolve(TimeParts(year=2025, edge="last"), article_date=None)[:3]
    ('2025-12-01', '2025-12-31', 'month')
    >>> resolve(TimeParts(months=(1, 9), part="quarter"), article_date=a)[:3]
    ('2024-01-01', '2024-09-30', 'quarter')
    >>> resolve(TimeParts(plan=(2021, 2025)), article_date=None)[:3]
    ('2021-01-01', '2025-12-31', 'plan')
    >>> resolve(TimeParts(window="past", window_years=3), article_date=a)[:2]
    ('2021-01-01', '2023-12-31')
    >>> resolve(TimeParts(window="future", window_years=5), article_date=a)[:2]
    ('2024-01-01', '2028-12-31')
    >>> resolve(TimeParts(year=2023, months=(2, 2), days=(30, 30)), article_date=a) is None
    True
    >>> resolve(TimeParts(months=(2, 2), days=(29, 29)), article_date=dt.date(2019, 3, 22)).start_date
    '2016-02-29'
    >>> resolve(TimeParts(quarter_offset=-1, edge="last"), article_date=dt.date(2021, 6, 14))[:3]
    ('2021-03-01', '2021-03-31', 'month')
    >>> july = (dt.date(2021, 1, 1), dt.date(2021, 7, 31), "month")
    >>> resolve(TimeParts(same_period=True), article_date=None, context_period=july)[:2]
    ('2020-01-01', '2020-07-31')
    >>> resolve(TimeParts(year=2019, same_period=True), article_date=None, context_period=july)[:2]
    ('2019-01-01', '2019-07-31')
    >>> resolve(TimeParts(month_offset=-1, days=(15, 15)), article_date=a)[:3]
    ('2024-01-15', '2024-01-15', 'day')
    >>> resolve(TimeParts(year_offset=0, year_offset_end=1), article_date=a)[:2]
    ('2024-01-01', '2025-12-31')
    """
    if parts.plan is not None:
        first, last = parts.plan
        if parts.plan_edge == "first":
            return _span(dt.date(first, 1, 1), dt.date(first, 12, 31), "year", False)
        if parts.plan_edge == "last":
            return _span(dt.date(last, 1, 1), dt.date(last, 12, 31), "year", False)
        return _span(dt.date(first, 1, 1), dt.date(last, 12, 31), "plan", False)

    if parts.quarter_offset is not None:
        if article_date is None:
            return _unresolved("month" if parts.edge else "quarter")
        index = article_date.year * 4 + (article_date.month - 1) // 3 + parts.quarter_offset
        year, q = divmod(index, 4)
        found = _within_year(TimeParts(months=(3 * q + 1, 3 * q + 3), part="quarter", edge=parts.edge), year)
        return None if found is None else _span(*found, True)

    if parts.month_offset is not None:
        if parts.anchor == "context" and context_period is not None and context_period[2] in ("day", "month"):
            base = context_period[0]
        elif article_date is not None:
            base = article_date
        else:
            return _unresolved("day" if parts.days else "month")
        year, m0 = divmod(base.year * 12 + base.month - 1 + parts.month_offset, 12)
        found = _within_year(TimeParts(months=(m0 + 1, m0 + 1), days=parts.days, days_to_month_end=parts.days_to_month_end,
                                         part="month", edge=parts.edge), year)
        return None if found is None else _span(*found, True)

    if parts.window is not None:
        if article_date is None or not parts.window_years:
            return _unresolved("year")
        n, y = parts.window_years, article_date.year
        first = y - n if parts.window == "past" else y
        return _span(dt.date(first, 1, 1), dt.date(first + n - 1, 12, 31), "year", True)

    # 同期 after 1—7月 in the same sentence: that period a year earlier; 2019年同期 and
    # 去年同期 put it in the year they name.
    if parts.same_period and context_period is not None:
        start, end, granularity = context_period
        shift = -1
        if parts.year is not None:
            shift = parts.year - start.year
        elif parts.year_offset is not None:
            if parts.anchor == "context" and context_year is not None:
                shift = context_year + parts.year_offset - start.year
            elif article_date is not None:
                shift = article_date.year + parts.year_offset - start.year
            else:
                return _unresolved(granularity)
        return _span(shift_years(start, shift), shift_years(end, shift), granularity, parts.year is None)

    relative = parts.year is None
    if parts.year is not None:
        year = parts.year
    elif parts.year_offset is not None:
        if parts.anchor == "context" and context_year is not None:
            base = context_year
        elif article_date is not None:
            base = article_date.year
        else:
            return _unresolved("year" if parts.months is None and parts.edge is None else parts.part or "month")
        year = base + parts.year_offset
        if parts.year_offset_end is not None and parts.year_offset_end != parts.year_offset:
            parts = replace(parts, year_end=base + parts.year_offset_end)
    elif parts.same_period:
        if article_date is None:
            return _unresolved("year")
        year = article_date.year - 1
    else:
        if article_date is None:
            found = _within_year(parts, 2000)  # only to validate and name the granularity
            return None if found is None else _unresolved(found[2])
        year = article_date.year

    if parts.year_end is not None:  # 2021—2023年, 今明两年, 1999.08-2002.02
        m1, m2 = parts.months or (1, 12)
        if parts.year_end <= year and not (parts.year_end == year and parts.months and m1 < m2):
            return None
        granularity = "year" if parts.months is None else "month"
        return _span(dt.date(year, m1, 1), dt.date(parts.year_end, m2, month_end(parts.year_end, m2)), granularity, relative)

    bare_month_or_day = (
        relative and parts.year_offset is None and not parts.same_period
        and parts.months is not None and (parts.part in ("month", "day") or parts.days is not None)
    )
    found = _within_year(parts, year)
    # A month range (1—7月) is a reporting period: judged by its end, a month or day by its start.
    if bare_month_or_day and article_date is not None and found is not None and (
        found[1 if parts.months[0] < parts.months[1] else 0] > one_month_after(article_date)
    ):
        year -= 1
        found = _within_year(parts, year)
    # 2月29日 without a year, read in a common year: the latest leap year before it.
    for _ in range(8 if bare_month_or_day else 0):
        if found is not None:
            break
        year -= 1
        found = _within_year(parts, year)
    if found is None:
        return None
    start, end, granularity = found
    return _span(start, end, granularity, relative)
