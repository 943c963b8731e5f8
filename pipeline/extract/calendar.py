"""Calendar words: day and week deixis, festivals, lunar dates, decades and edges of the
article's year, quarter or month (年中, 季末, 月初). Found here with one regex built from rules/times.toml
[calendar.*]; resolved by pipeline/normalise/calendar.py. pipeline/extract/times.py runs
this after its own patterns and keeps the longer of two overlapping records.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Iterator

import regex

from ..normalise import calendar as cal
from ..normalise.times import Resolution, digit_year, small_number
from ..rules import TimesRules
from . import small_numeral, word_alternation

_alt = word_alternation


class CalendarPatterns:
    """The calendar regex of one `TimesRules`, and the resolution of its matches."""

    def __init__(self, rules: TimesRules) -> None:
        self.rules = rules
        c = rules.calendar
        self.c = c
        cn_digits, small = small_numeral(rules.digits)
        numeral = f"[0-9{regex.escape(cn_digits)}十百千万]"
        year4 = r"(?<![0-9.])(?:1[89]|2[01])[0-9]{2}"
        lunar = c["lunar"]
        nine = "一二三四五六七八九"
        lunar_day = (
            rf"(?P<lday>{regex.escape(lunar['day_prefix'])}(?:[{nine}]|十)|(?:{_alt(lunar['twenty'])})[{nine}]"
            rf"|[二三]?十[{nine}]?|二十)"
        )
        year_before = (
            rf"(?:(?P<cy>{year4}|(?<!{numeral})[{regex.escape(cn_digits)}]{{4}})年|(?P<crel>{_alt(rules.relative_years)}))?"
        )
        self.body = (
            rf"{year_before}(?:(?P<fest>{_alt(c['festivals'])})"
            rf"|(?:(?:{_alt(lunar['prefixes'])})(?:(?P<lmn>{small})月|(?P<lmw>{_alt(lunar['months'])}))"
            rf"|(?P<lbare>{_alt(lunar['bare_months'])})){lunar_day})"
            rf"|(?P<wk>{_alt(c['relative_weeks'])})(?P<wd>{_alt(c['weekdays'])})?"
            rf"|(?P<rd>{_alt(c['relative_days'])})"
            rf"|(?P<dw>{_alt(c['day_windows'])})(?P<dwn>{small})天"
            rf"|(?P<cent>{_alt(c['centuries'])})?(?P<dec>(?<![0-9])(?:1[89]|20)[0-9]0|(?<![0-9])[0-9]0|(?<!{numeral})[{nine}]十)年代"
            rf"|(?<!{numeral}|[月年])(?P<pe>{_alt(c['period_edges'])})"
            rf"|(?P<sy>{year4}|(?<!{numeral})[{regex.escape(cn_digits)}]{{4}})年(?P<since>{_alt(c['since']['after'])})"
            rf"|(?<![0-9.]|{numeral})(?P<ago>{small})(?:{_alt(c['ago']['after'])})"
        )
        # As in times.py: a lookahead of the characters a match can start with lets the
        # engine skip the rest of the text instead of trying every alternative (with its
        # lookbehinds) at every character; tests check it changes no match.
        starts = set("0123456789十" + cn_digits + nine)
        for words in (rules.relative_years, c["festivals"], lunar["prefixes"], lunar["bare_months"], c["relative_weeks"],
                      c["relative_days"], c["day_windows"], c["centuries"], c["period_edges"]):
            starts.update(w[0] for w in words)
        self.first_chars = "".join(sorted(starts))
        self.pattern = regex.compile(rf"(?=[{regex.escape(self.first_chars)}])(?:{self.body})", regex.VERSION1)
        # Every alternative holds one of these words (its festival, lunar prefix or month,
        # week, day, 天, 年代, edge, 以来, 年前), at most `lead` characters after its start
        # (a year or year word; a window word or century and a number): the pattern is
        # tried only there. An article has hundreds of such places against tens of
        # thousands of first characters (tests check the places hold every match). The
        # standard `re` finds literal words some 4x faster than `regex`.
        anchors = {*c["festivals"], *lunar["prefixes"], *lunar["bare_months"], *c["relative_weeks"], *c["relative_days"],
                   "天", "年代", *c["period_edges"], *c["since"]["after"], *c["ago"]["after"]}
        self.anchors = re.compile("|".join(map(re.escape, sorted(anchors, key=lambda w: (-len(w), w)))))
        year_len = max(5, *map(len, rules.relative_years))  # 2024年, 二〇二四年 or a year word
        number_len = 3  # `small`: 12, 十二, 二十七
        self.lead = max(
            year_len,  # before a festival or a lunar date; 2016年 before 以来
            max(map(len, c["day_windows"])) + number_len,  # 最近三 before 天
            max(map(len, c["centuries"])) + 4,  # 上个世纪 and 1990 or 九十 before 年代
            number_len,  # before 年前
        )

    def candidates(self, text: str) -> Iterator[int]:
        """The offsets where a match may start, in order: up to `lead` before an anchor.
        Up to the end of a found anchor too, since an anchor that starts inside another
        (来 in 以来) is not found."""
        done = 0
        for m in self.anchors.finditer(text):
            yield from range(max(done, m.start() - self.lead), m.end())
            done = max(done, m.end())

    def number(self, text: str) -> int | None:
        return small_number(text, digits=self.rules.digits)

    def lunar_day(self, text: str) -> int | None:
        lunar = self.c["lunar"]
        if text.startswith(lunar["day_prefix"]):
            return self.number(text[len(lunar["day_prefix"]):])
        if text[0] in lunar["twenty"]:
            ones = self.number(text[1:])
            return None if ones is None else 20 + ones
        return self.number(text)

    def resolve(self, m: regex.Match, text: str, *, article_date: dt.date | None) -> Resolution | None:
        g = m.groupdict()
        c = self.c
        if g["fest"] or g["lday"]:
            if g["cy"]:
                year, relative = digit_year(g["cy"], digits=self.rules.digits), False
            elif g["crel"]:
                offset, _, _ = self.rules.relative_years[g["crel"]]
                year, relative = (article_date.year + offset if article_date else None), True
            else:
                year, relative = (article_date.year if article_date else None), True
            if g["fest"]:
                spec = c["festivals"][g["fest"]]
                if spec["after"] and not any(text.startswith(w, m.end()) for w in spec["after"]):
                    return None
                return cal.festival(spec, year=year, relative=relative)
            month = self.number(g["lmn"]) if g["lmn"] else c["lunar"]["months"][g["lmw"] or g["lbare"]]
            day = self.lunar_day(g["lday"])
            if not month or not day or month > 12 or day > 30:
                return None
            return cal.lunar_date(month, day, year=year, relative=relative)
        if g["wk"]:
            days = c["weekdays"][g["wd"]] if g["wd"] else None
            return cal.week(c["relative_weeks"][g["wk"]], days, article_date=article_date)
        if g["rd"]:
            if text[max(0, m.start() - 4):m.start()].endswith(c["figurative_after"]):
                return None
            return cal.relative_day(c["relative_days"][g["rd"]], article_date=article_date)
        if g["dw"]:
            n = self.number(g["dwn"])
            return None if not n or n > 31 else cal.day_window(c["day_windows"][g["dw"]], n, article_date=article_date)
        if g["dec"]:
            dec = g["dec"]
            tens = int(dec) if dec.isdigit() else self.number(dec)
            if tens is None:
                return None
            if tens >= 1800:
                return cal.decade(tens)
            if g["cent"]:
                return cal.decade(c["centuries"][g["cent"]] + tens)
            return cal.two_digit_decade(tens, article_date=article_date)
        if g["since"]:
            if g["since"] in c["since"]["verbs"] and not text.startswith(c["since"]["verb_before"], m.end()):
                return None  # 2016年来华: the verb 来
            return cal.since_year(digit_year(g["sy"], digits=self.rules.digits), article_date=article_date)
        if g["ago"]:
            n = self.number(g["ago"])
            return None if not n else cal.years_ago(n, article_date=article_date)
        return cal.period_edge(c["period_edges"][g["pe"]], article_date=article_date)


@functools.lru_cache(maxsize=8)
def calendar_patterns(rules: TimesRules) -> CalendarPatterns:
    return CalendarPatterns(rules)


def find_calendar(text: str, *, rules: TimesRules, article_date: dt.date | None,
                  boundaries: frozenset[int] | None) -> list[tuple[int, int, Resolution]]:
    """(start, end, resolution) of the calendar words in `text` (full-width digits folded
    by the caller), each starting on a word boundary or with Arabic digits."""
    pats = calendar_patterns(rules)
    out = []
    pos = 0
    # As a search from `pos` on would find them, one candidate at a time.
    for start in pats.candidates(text):
        if start < pos or (m := pats.pattern.match(text, start)) is None:
            continue
        if boundaries is not None and start not in boundaries and not text[start].isdigit():
            continue
        res = pats.resolve(m, text, article_date=article_date)
        if res is None:
            continue
        out.append((start, m.end(), res))
        pos = m.end()
    return out
