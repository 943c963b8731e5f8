"""Resolve calendar words (days, weeks, festivals, lunar dates, decades, edges of the
article's periods) into inclusive dates. The extractor (pipeline/extract/calendar.py) finds
the span and its words; these functions place them against the article date.

Conventions (DESIGN.md "time", README "Calendar words"): weeks start on Monday; a lunar
date or lunar festival is the date of that name that falls in the solar year meant (the
year written before it, else the article's), converted with the lunar-python package;
a decade is ten years (80年代 = 1980..1989), granularity year.
"""

from __future__ import annotations

import datetime as dt

from lunar_python import Lunar

from .times import Resolution, _span, month_end
from .times import _unresolved as unresolved


def lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    """The solar date of a lunar date that falls in solar `year`: 腊月 of an early-year
    date belongs to the lunar year before. None when no such day exists (三十 of a short month).

    >>> lunar_to_solar(2021, 1, 1), lunar_to_solar(2021, 12, 23), lunar_to_solar(2021, 8, 15)
    (datetime.date(2021, 2, 12), datetime.date(2021, 2, 4), datetime.date(2021, 9, 21))
    """
    found = []
    for lunar_year in (year, year - 1):
        try:
            solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
        except Exception:  # lunar-python raises a bare Exception for a day a month lacks
            continue
        date = dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
        if date.year == year:
            found.append(date)
    return found[0] if found else None


def relative_day(offset: int, *, article_date: dt.date | None) -> Resolution:
    """今天, 昨天, 大前天: the day `offset` days from the article date."""
    if article_date is None:
        return unresolved("day")
    day = article_date + dt.timedelta(days=offset)
    return _span(day, day, "day", True)


def week(offset: int, days: tuple[int, int] | None, *, article_date: dt.date | None) -> Resolution:
    """上周 (Monday..Sunday of the week before the article's), 下周一, 本周末.

    >>> week(-1, None, article_date=dt.date(2021, 6, 16))[:2]
    ('2021-06-07', '2021-06-13')
    >>> week(1, (1, 1), article_date=dt.date(2021, 6, 16))[:2]
    ('2021-06-21', '2021-06-21')
    """
    if article_date is None:
        return unresolved("day")
    monday = article_date - dt.timedelta(days=article_date.weekday()) + dt.timedelta(weeks=offset)
    first, last = days or (1, 7)
    return _span(monday + dt.timedelta(days=first - 1), monday + dt.timedelta(days=last - 1), "day", True)


def day_window(direction: str, n: int, *, article_date: dt.date | None) -> Resolution:
    """前两天 / 近三天: the n days before the article date; 未来三天 the n days after it."""
    if article_date is None:
        return unresolved("day")
    if direction == "past":
        return _span(article_date - dt.timedelta(days=n), article_date - dt.timedelta(days=1), "day", True)
    return _span(article_date + dt.timedelta(days=1), article_date + dt.timedelta(days=n), "day", True)


def decade(first_year: int) -> Resolution:
    return _span(dt.date(first_year, 1, 1), dt.date(first_year + 9, 12, 31), "year", False)


def two_digit_decade(tens: int, *, article_date: dt.date | None) -> Resolution:
    """80年代 with no century: the latest such decade that starts by the article's year.

    >>> two_digit_decade(80, article_date=dt.date(2021, 6, 14))[:2], two_digit_decade(20, article_date=dt.date(2021, 6, 14))[:2]
    (('1980-01-01', '1989-12-31'), ('2020-01-01', '2029-12-31'))
    """
    if article_date is None:
        return unresolved("year")
    century = article_date.year - article_date.year % 100
    first = century + tens if century + tens <= article_date.year else century - 100 + tens
    return decade(first)._replace(relative=True)


def period_edge(spec, *, article_date: dt.date | None) -> Resolution | None:
    """年中, 季末, 月初, a bare 上旬: an edge of the article's year, quarter or month."""
    if article_date is None:
        return unresolved("day" if spec["days"] else "month")
    y, m = article_date.year, article_date.month
    if spec["of"] == "year":
        m1, m2 = spec["months"]
        return _span(dt.date(y, m1, 1), dt.date(y, m2, month_end(y, m2)), "month", True)
    if spec["of"] == "quarter":
        first = 3 * ((m - 1) // 3) + 1
        m = first if spec["edge"] == "first" else first + 2
    if spec["days"]:
        d1, d2 = spec["days"]
        return _span(dt.date(y, m, d1), dt.date(y, m, min(d2, month_end(y, m))), "day", True)
    return _span(dt.date(y, m, 1), dt.date(y, m, month_end(y, m)), "month", True)


def festival(spec, *, year: int | None, relative: bool) -> Resolution | None:
    """春节, 除夕, 国庆节 in `year` (None: unresolved)."""
    if year is None:
        return unresolved("day")
    if spec["calendar"] == "lunar":
        day = lunar_to_solar(year, spec["month"], spec["day"])
        if day is None:
            return None
    else:
        day = dt.date(year, spec["month"], spec["day"])
    day += dt.timedelta(days=spec["days"])
    return _span(day, day, "day", relative)


def lunar_date(month: int, day: int, *, year: int | None, relative: bool) -> Resolution | None:
    """农历正月初一, 腊月二十三 in solar `year`."""
    if year is None:
        return unresolved("day")
    date = lunar_to_solar(year, month, day)
    return None if date is None else _span(date, date, "day", relative)


def since_year(year: int, *, article_date: dt.date | None) -> Resolution | None:
    """2016年以来: from 1 January of `year` to the article date (a span of years, relative
    to the article). None for a year after the article's (the year alone is read instead).

    >>> since_year(2016, article_date=dt.date(2021, 6, 14))[:3]
    ('2016-01-01', '2021-06-14', 'year')
    """
    if article_date is None:
        return unresolved("year")
    if year > article_date.year:
        return None
    return _span(dt.date(year, 1, 1), article_date, "year", True)


def years_ago(n: int, *, article_date: dt.date | None) -> Resolution:
    """三年前: the year `n` years before the article's.

    >>> years_ago(3, article_date=dt.date(2021, 6, 14))[:2]
    ('2018-01-01', '2018-12-31')
    """
    if article_date is None:
        return unresolved("year")
    year = article_date.year - n
    return _span(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", True)
