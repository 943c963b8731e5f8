"""Times that are no period (a comparison base such as 比2019年同期), the narrowest of
adjacent times (今年|一季度), and a period's label ("2022-Q1"). Which frame's period a
sentence takes is chosen in `frames`; both work on records and offsets only (no spaCy).
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from ..types import Time


REFERENCE_BEFORE = ("比", "较", "由", "与", "同", "相比", "对比", "高于", "低于", "大于", "小于", "多于", "少于")


def is_reference(text: str, t: Time) -> bool:
    """A time that is a comparison base (比2019年同期, 较上年), not the period spoken about.

    >>> is_reference("比2019年同期增长", Time(start=1, end=6, text="2019年", source="t", granularity="year"))
    True
    >>> is_reference("规模大于去年", Time(start=4, end=6, text="去年", source="t", granularity="year"))
    True
    """
    return text[max(0, t.start - 2):t.start].endswith(REFERENCE_BEFORE)


def narrowest(times: Sequence[Time], i: int) -> Time:
    """times[i], or the narrower time written right after it (今年|一季度, 2022年|上半年).

    >>> y = Time(start=0, end=2, text="今年", source="t", start_date="2022-01-01", end_date="2022-12-31", granularity="year")
    >>> q = Time(start=2, end=5, text="一季度", source="t", start_date="2022-01-01", end_date="2022-03-31", granularity="quarter")
    >>> narrowest([y, q], 0).text
    '一季度'
    """
    t = times[i]
    # By index: a slice of the rest copied every later time of the article per call.
    for j in range(i + 1, len(times)):
        nxt = times[j]
        if nxt.start - t.end > 1 or not (nxt.resolved and nxt.start_date and nxt.end_date and t.start_date and t.end_date):
            break
        if t.start_date <= nxt.start_date and nxt.end_date <= t.end_date:
            t = nxt
    return t


def period_of(start_date: str | None, end_date: str | None, granularity: str) -> str | None:
    """A period label for a resolved time: "2023", "2022-Q1", "2022-H1", "2021-01..07",
    "2021-2025" (plan), or the ISO date for a day.

    >>> period_of("2023-01-01", "2023-12-31", "year")
    '2023'
    >>> period_of("2022-01-01", "2022-03-31", "quarter")
    '2022-Q1'
    >>> period_of("2021-01-01", "2021-07-31", "month")
    '2021-01..07'
    >>> period_of("2021-01-01", "2025-12-31", "plan")
    '2021-2025'
    >>> period_of(None, None, "year") is None
    True
    """
    if not start_date or not end_date:
        return None
    s, e = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
    if granularity == "day":
        return s.isoformat()
    if s.year != e.year or granularity in ("plan",):
        return str(s.year) if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31) and s.year == e.year else f"{s.year}-{e.year}"
    if (s.month, e.month) == (1, 12):
        return str(s.year)
    if granularity == "quarter" or (e.month - s.month == 2 and s.month % 3 == 1):
        return f"{s.year}-Q{(s.month - 1) // 3 + 1}" if e.month - s.month == 2 else f"{s.year}-{s.month:02d}..{e.month:02d}"
    if granularity == "half":
        return f"{s.year}-H{1 if s.month == 1 else 2}"
    if s.month == e.month:
        return f"{s.year}-{s.month:02d}"
    return f"{s.year}-{s.month:02d}..{e.month:02d}"
