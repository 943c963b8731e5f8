"""Comparison bases: a number in a note after a metric that gives the same indicator's figure
at another time (…同比下降11.7%（同期为下降9.8%、一季度为增长3.5%）; …，去年全年下降39.7%).
Pure functions on text and time records, like `periods`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Sequence

from ..types import Time

# Marks after which a note on the previous figure opens.
NOTE_OPENERS = "（(、，,；;"


@dataclasses.dataclass(frozen=True, slots=True)
class Base:
    """A base note: its time (None for a bare 同期) and its change word ("" if none)."""

    time: Time | None
    word: str


def base_note(text: str, start: int, end: int, times: Sequence[Time], *, same: Sequence[str], fillers: Sequence[str], changes: Sequence[str]) -> Base | None:
    """The base note that text[start:end] is, right before a number: after the last note opener,
    a time (or a same-period word), filler words, and at most a change word.

    >>> base_note("（同期为下降", 0, 6, [], same=("同期",), fillers=("为",), changes=("下降",))
    Base(time=None, word='下降')
    >>> t = Time(start=1, end=3, text="去年", source="t", start_date="2015-01-01", end_date="2015-12-31", granularity="year")
    >>> base_note("、去年全年下降", 0, 7, [t], same=("同期",), fillers=("全年",), changes=("下降",)).time.text
    '去年'
    >>> base_note("，增速比同期提高", 0, 8, [], same=("同期",), fillers=("为",), changes=("提高",)) is None
    True
    """
    at = max([start] + [text.rfind(c, start, end) + 1 for c in NOTE_OPENERS])
    if at == start and (start == 0 or text[start - 1] not in NOTE_OPENERS):
        return None
    while at < end and text[at].isspace():
        at += 1
    t = next((t for t in times if t.start == at and t.end <= end and t.resolved and t.start_date), None)
    if t is not None:
        rest = text[t.end:end]
    else:
        word = next((w for w in same if text.startswith(w, at)), None)
        if word is None:
            return None
        rest = text[at + len(word):end]
    rest = rest.strip()
    changed = True
    while changed:
        changed = False
        for f in fillers:
            if rest.startswith(f):
                rest, changed = rest[len(f):], True
    if rest and rest not in changes:
        return None
    return Base(t, rest)


def year_before(t: Time) -> Time:
    """The same span one year earlier (a bare 同期 under 2016 上半年 is 2015 上半年).

    >>> h = Time(start=0, end=3, text="上半年", source="t", start_date="2016-01-01", end_date="2016-06-30", granularity="half")
    >>> year_before(h).start_date, year_before(h).end_date
    ('2015-01-01', '2015-06-30')
    """
    def back(iso: str) -> str:
        d = dt.date.fromisoformat(iso)
        return (d.replace(day=28) if (d.month, d.day) == (2, 29) else d).replace(year=d.year - 1).isoformat()

    return dataclasses.replace(t, start_date=back(t.start_date), end_date=back(t.end_date)) if t.start_date and t.end_date else t
