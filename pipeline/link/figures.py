"""One metric record: its period (the clause's time, a year-end period kept on stocks), a
base note's figure (同期为下降9.8%), and from-to spans (从1.16万名增长至1.42万名)."""

from __future__ import annotations

import dataclasses
import itertools
from decimal import Decimal

from ..types import Metric, Quantity, Time
from .bases import Base, base_note, year_before
from .context import LinkContext, quantity_id
from .frames import Period, is_point, is_since, kind_of, period_label, same_period, year_of
from .indicators import clause_start, find_surface, is_span, longest_at_end, signed_change, trim_phrase
from .lists import ListReader
from .periods import is_reference
from .words import CHANGE_UNITS, SOURCE, change_value


class MetricParts(ListReader):
    """Builds the metric records of a sentence."""

    def _metric(self, ctx: "LinkContext", s: int, q: Quantity, indicator: str, at: int, period: Period | None, *, start: int, change: Decimal | None = None, end: int | None = None) -> Metric:
        end = q.end if end is None else end
        if period is not None and is_point(ctx.text, period.time, self.frames) and kind_of(indicator, self.frames) == "flow":
            # 年末 is the state of a stock; a flow (招生, 产量) under it is summed over the year.
            period = dataclasses.replace(period, time=year_of(period.time))
        if indicator.count("（") > indicator.count("）"):
            indicator = indicator.replace("（", "", 1)  # 规上工业（增加值同比增长12.7%…）: a bracket left open
        return Metric(
            doc_id=ctx.doc_id,
            start=start,
            end=end,
            text=ctx.text[start:end],
            source=SOURCE,
            indicator=indicator,
            indicator_id=self._indicator_id(indicator),
            subject=self._subject(ctx, s, min(at, q.start)),
            period=period_label(period),
            period_from=period.source if period else None,
            value=q.value,
            unit=q.unit,
            qualifier=q.qualifier,
            change=change,
            change_unit=CHANGE_UNITS[q.unit] if change is not None else None,
            quantity_id=quantity_id(ctx, q),
        )

    def _change_before(self, ctx: "LinkContext", s: int, q: Quantity) -> Decimal | None:
        """The change a change word before a rate in its clause makes it (…，扣除价格因素，实际增长5.1%)."""
        tail = self.change_tail.search(ctx.text, clause_start(ctx.text, q.start, floor=s), q.start)
        return signed_change(tail["word"], change_value(q), up=self.up, down=self.down) if tail and q.unit in CHANGE_UNITS else None

    def _carried(self, ctx: "LinkContext", s: int, q: Quantity, carry: Metric | None, period: Period | None) -> Metric | None:
        """广东GDP为28498.79亿元…；江苏为27859亿元: the place's figure of the indicator of `carry`
        (the paragraph's metric before), when only the place and a copula stand before `q`."""
        place = self._place_is(ctx, q, s) if carry is not None and carry.unit == q.unit else None
        if not place:
            return None
        found = self._metric(ctx, s, q, self._without_place(ctx, carry.indicator), q.start, period, start=q.start)
        return dataclasses.replace(found, subject=place)

    def _place_is(self, ctx: "LinkContext", q: Quantity, floor: int) -> str | None:
        """The place when nothing but it and a copula (为, 是) stand before `q` in its clause
        (；江苏为27859亿元: the place's figure of an indicator named before), else None."""
        text = ctx.text
        end = q.start - len(longest_at_end(text[max(floor, q.start - 2):q.start], self.copulas))
        if end == q.start:
            return None
        a, b = trim_phrase(text, clause_start(text, q.start, floor=floor), end, words=self.words, boundaries=ctx.boundaries)
        return text[a:b] if a < b and b == end and self._names_place(ctx, text[a:b]) else None

    def _bracketed_place(self, ctx: "LinkContext", q: Quantity, floor: int) -> tuple[int, str] | None:
        """(start, place) when `q` stands alone in brackets after a place (广东（59518亿元）、
        江苏（…）): the place's figure of an indicator named before, not an indicator 广东."""
        text, end = ctx.text, q.start - 1
        if end <= floor or text[end] != "（" or not text.startswith("）", q.end):
            return None
        cuts = (b for b in range(end - 1, floor - 1, -1) if b in ctx.boundaries)
        for a in itertools.islice(cuts, 2):  # the word before the bracket, or the two (内蒙古|自治区)
            if self._names_place(ctx, text[a:end]):
                return a, text[a:end]
        return None

    def _without_place(self, ctx: "LinkContext", indicator: str) -> str:
        """An indicator without the place it starts with (广东GDP -> GDP), when a lexicon
        surface follows the place."""
        hit = find_surface(indicator, self.lexicon)
        return indicator[hit[0]:] if hit and hit[0] > 0 and self._names_place(ctx, indicator[:hit[0]]) else indicator

    def _base(self, ctx: "LinkContext", q: Quantity, floor: int, prev: Metric) -> Base | None:
        """The base note before `q` on the previous metric's figure, if `q` is one: a level in
        the previous metric's unit, or a rate where the previous metric has a change."""
        if q.unit != prev.unit and not (q.unit in CHANGE_UNITS and prev.change is not None):
            return None
        times = ctx.times.starting_in(floor, q.start)
        return base_note(ctx.text, floor, q.start, times, same=self.same_period, fillers=self.base_fillers, changes=self.change_words)

    def _base_metric(self, ctx: "LinkContext", s: int, q: Quantity, prev: Metric, base: Base, frame: Period | None) -> Metric:
        """The previous metric's indicator at the base's time (a bare 同期: the frame a year earlier)."""
        if base.time is not None:
            period = Period(same_period(base.time, frame, words=self.same_period), "clause")
        else:
            period = Period(year_before(frame.time), "clause") if frame is not None else None
        change = signed_change(base.word, change_value(q), up=self.up, down=self.down) if base.word and q.unit in CHANGE_UNITS else None
        return self._metric(ctx, s, q, prev.indicator, q.start, period, start=q.start, change=change)

    def _clause_period(self, ctx: "LinkContext", q: Quantity, floor: int, frame: Period | None) -> Period | None:
        """A time in the number's own clause, before it, overrides the sentence's period (a
        year's 同期 is the part of that year the frame speaks of)."""
        left = max(clause_start(ctx.text, q.start), floor)
        found = [
            t for t in ctx.times.starting_in(left, q.start)
            if t.end <= q.start and t.resolved and t.start_date and not is_reference(ctx.text, t) and not is_since(ctx.text, t, self.frames)
        ]
        return Period(same_period(found[-1], frame, words=self.same_period), "clause") if found else None

    def _from_time(self, ctx: "LinkContext", s: int, a: Quantity) -> Time | None:
        """The resolved time the first value of 从A增长至B is stated at (由|2015年的|120家), if any."""
        start = self._before_time(ctx, a.start, s)
        return next((t for t in ctx.times.starting_in(start, a.start) if t.start == start and t.resolved and t.start_date), None)

    def _from_to(self, ctx: "LinkContext", s: int, a: Quantity, b: Quantity) -> bool:
        """从A增长至B, also with a time before each value (从2021年底的300家增加到2023年底的400家)."""
        a_start = self._before_time(ctx, a.start, s)
        if not ctx.text[max(s, a_start - 2):a_start].endswith(self.span_from):
            return False
        return is_span(ctx.text[a.end:self._before_time(ctx, b.start, a.end)], self.span_joins, self.span_to)
