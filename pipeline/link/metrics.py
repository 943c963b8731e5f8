"""Metrics: every number that names what it measures, with its change and period."""

from __future__ import annotations

import dataclasses
from typing import Sequence

from ..types import Metric, Quantity
from .context import LinkContext
from .figures import MetricParts
from .frames import Period, period_label
from .indicators import clause_start, longest_at_start, signed_change, trim_phrase
from .words import CHANGE_UNITS, DURATION_UNITS, change_value


class MetricLinker(MetricParts):
    """The metrics of one sentence."""

    def _metrics(self, ctx: "LinkContext", s: int, qs: list[Quantity], period: Period | None, *, carry: Metric | None = None) -> list[Metric]:
        """`carry` is the last metric of the sentence before, in the same paragraph: a place
        alone before a number (；江苏为27859亿元) measures its indicator."""
        if not qs:
            return []  # most sentences state no number
        text = ctx.text
        out: list[Metric] = []
        last: tuple[Quantity, int | None] | None = None  # previous number of the sentence, index of its metric
        groups: dict[int, list[int]] = {}  # head metric -> its siblings (增长22.8%、14.2%和11.1%)
        seconds: dict[int, tuple[int, str]] = {}  # second rate -> (metric it follows, its label)
        consumed: set[int] = set()
        anchor, skipped = s, []  # end of the previous number that counts; durations since
        for n, q in enumerate(qs):
            if n in consumed:
                continue
            if self._skip(ctx, q) or self._hedged(ctx, q):
                if q.unit in DURATION_UNITS and last:
                    skipped.append(q)
                    last = (q, last[1])
                continue
            prev = out[last[1]] if last and last[1] is not None else None
            # What stands between this number and the previous one, without durations
            # (，两年平均增长 reads as ，平均增长; ，总产量十年增长 stays a phrase).
            gap = _without(text, anchor, q.start, skipped) if last else ""
            since, anchor, skipped = anchor, q.end, []
            base = self._base(ctx, q, last[0].end, prev) if prev is not None else None
            if base is not None:
                # …下降11.7%（同期为下降9.8%、一季度为增长3.5%）: the same indicator at another time.
                out.append(self._base_metric(ctx, s, q, prev, base, period))
                last = (q, len(out) - 1)
                continue
            # 1067.27亿元，增长6% : the rate is the previous metric's change.
            if prev is not None and q.unit in CHANGE_UNITS and prev.change is None:
                m = self.change_gap.match(gap)
                if m:
                    rates, owners = self._attach_rates(ctx, qs, n, out, last[1], m["word"], gap)
                    consumed.update(rates)
                    last = (qs[rates[-1]], owners[-1])
                    continue
            if prev is not None and self.change_gap.match(gap):
                # …增长46.9%，两年平均增长7.5% / 常住人口…，比上年末增加1.7万人: a second rate, or an
                # increment, of the same indicator, named after it.
                m = self.change_gap.match(gap)
                # The label starts after the clause mark, or after the previous number when a
                # 、 joins them (规模28.5万亿元、比上年增加1.1万亿元).
                label = text[max(clause_start(text, q.start, floor=s), since):q.start].strip(" 、")
                for w in self.respectively:
                    label = label.replace(w, "")  # 两年分别平均增长: each item's label has no 分别
                change = signed_change(m["word"], change_value(q), up=self.up, down=self.down) if q.unit in CHANGE_UNITS else None
                source = next((h for h, sib in groups.items() if last[1] in sib), last[1])
                source, named = _first_figure(out, seconds, source, prev.indicator)
                seconds[len(out)] = (source, label)
                out.append(self._metric(ctx, s, q, named + label, prev.start, self._clause_period(ctx, q, last[0].end, period) or period, start=q.start, change=change))
                last = (q, len(out) - 1)
                continue
            floor = max(last[0].end, prev.end if prev else 0) if last else s
            clause_time = self._clause_period(ctx, q, floor, period)
            same_unit = last is not None and last[0].unit == q.unit
            if prev is not None and same_unit and self._from_to(ctx, s, last[0], q):
                # 从1.16万名增长至1.42万名: the second value measures the first one's indicator.
                times = [t for t in ctx.times.starting_in(s, prev.start) if t.resolved]
                if len(times) >= 2 and not clause_time:
                    first = Period(times[-2], "clause")
                    out[last[1]] = dataclasses.replace(prev, period=period_label(first), period_from="clause")
                    clause_time = Period(times[-1], "clause")
                elif (from_time := self._from_time(ctx, s, last[0])) is not None:
                    # 由2015年的120家: a time 由 marks is no period of the sentence, yet the first value's.
                    out[last[1]] = dataclasses.replace(prev, period=period_label(Period(from_time, "clause")), period_from="clause")
                out.append(self._metric(ctx, s, q, prev.indicator, prev.start, clause_time or period, start=q.start))
                if out[last[1]].period == out[-1].period:
                    # One time for both (截至2021年底…从214家扩充至457家) is the second value's;
                    # the first value's is not stated.
                    out[last[1]] = dataclasses.replace(out[last[1]], period=None, period_from=None)
            elif prev is not None and same_unit and gap.strip() in self.joiners:
                # 分别增长22.8%、14.2%和11.1%: the same kind of figure for the next item of a list.
                change = None if prev.change is None else (change_value(q) if prev.change >= 0 else -change_value(q))
                head = next((h for h, sib in groups.items() if last[1] in sib), last[1])
                groups.setdefault(head, []).append(len(out))
                out.append(self._metric(ctx, s, q, prev.indicator, prev.start, clause_time or period, start=q.start, change=change))
            elif (bracketed := self._bracketed_place(ctx, q, floor)) is not None:
                # 广东（59518亿元）、江苏（56909亿元）: the indicator is the one before (of the
                # sentence, else of the paragraph's sentence before); with none, nothing names it.
                source = prev if prev is not None and same_unit else carry if carry is not None and carry.unit == q.unit else None
                if source is None:
                    last = (q, None)
                    continue
                found = self._metric(ctx, s, q, self._without_place(ctx, source.indicator), q.start, clause_time or period, start=bracketed[0], change=None if source.change is None else change_value(q))
                out.append(dataclasses.replace(found, subject=bracketed[1]))
            else:
                span = self._phrase(ctx, q, floor, words=self.words)
                move = longest_at_start(q.text, self.rank_moves) if q.unit == "rank" else ""
                if move and (span is None or span[1] <= q.start):
                    # 较上一年度进位34位: a move in a ranking, named by its clause.
                    span = (clause_start(text, q.start, floor=s), q.start + len(move))
                if span is None:
                    carried = self._carried(ctx, s, q, carry, clause_time or period) if prev is None else None
                    if carried is not None:
                        out.append(carried)
                        last = (q, len(out) - 1)
                        continue
                    if prev is None or not (same_unit or q.unit == "rank"):
                        last = (q, None)
                        continue
                    # 工业总产值突破万亿，达10051.6亿元 / …4家，连续4年位居全省首位: the previous indicator.
                    # The subject is the nearest before this number (其中新港园区5个: 新港园区).
                    out.append(self._metric(ctx, s, q, prev.indicator, q.start, clause_time or period, start=q.start, change=self._change_before(ctx, s, q)))
                else:
                    a, b = span
                    change = None
                    tail = self.change_tail.search(text[a:q.start])
                    if tail and a + tail.start() > a and (q.unit in CHANGE_UNITS or tail["to"]):
                        # 增长6%: the number is a change; 提高到3.2%: it is the new level. An amount
                        # (标准提高30元) keeps its change word: the number is an increment.
                        if not tail["to"]:
                            change = signed_change(tail["word"], change_value(q), up=self.up, down=self.down)
                        # 排放量要|分别下降2%: the words left before the change word frame it too.
                        b = min(b, a + tail.start())
                        trimmed = trim_phrase(text, a, b, words=self.words, boundaries=ctx.boundaries, names=ctx.names)[1]
                        b = trimmed if trimmed > a else b
                    out.append(self._metric(ctx, s, q, text[a:b], a, clause_time or period, start=min(a, q.start), change=change, end=max(q.end, b)))
            last = (q, len(out) - 1)
        self._name_lists(ctx, qs, out, groups, seconds)
        return out

    def _attach_rates(self, ctx: "LinkContext", qs: list[Quantity], n: int, out: list[Metric], owner: int, word: str, gap: str) -> tuple[list[int], list[int]]:
        """Make qs[n] (and the rates listed with it) the change of earlier metrics, in place in
        `out`; return the rates' indices and their owners' indices."""
        text, prev = ctx.text, out[owner]
        # 营业收入2150亿元，利润总额135亿元，分别增长5.2%和9.8%: one rate per earlier metric.
        rates, owners = [n], [owner]
        if any(w in prev.indicator for w in self.share_markers):
            # 增加值2306亿元，占GDP的26.7%，同比增长16.7%: the growth is the amount's, not the share's.
            amount = next((i for i in range(len(out) - 1, -1, -1) if not any(w in out[i].indicator for w in self.share_markers)), None)
            if amount is not None and out[amount].change is None and out[amount].unit not in CHANGE_UNITS:
                owners = [amount]
        if any(w in gap for w in self.respectively):
            many = [n] + self._joined(ctx, qs, n)
            run = _trailing(out, lambda r: r.change is None and r.unit not in CHANGE_UNITS, len(many))
            if len(many) > 1 and len(run) == len(many):
                rates, owners = many, run
        for i, k in zip(owners, rates):
            change = signed_change(word, change_value(qs[k]), up=self.up, down=self.down)
            end = max(out[i].end, qs[k].end)
            out[i] = dataclasses.replace(out[i], change=change, change_unit=CHANGE_UNITS[qs[k].unit], end=end, text=text[out[i].start:end])
        return rates, owners

    def _name_lists(self, ctx: "LinkContext", qs: list[Quantity], out: list[Metric], groups: dict[int, list[int]], seconds: dict[int, tuple[int, str]]) -> None:
        """Name the items of the sentence's lists, in place in `out`."""
        for head, siblings in groups.items():
            if head not in seconds:
                names = self._list_items(ctx, qs, out[head], len(siblings) + 1)
                for i, name in zip([head] + siblings, names):
                    out[i] = dataclasses.replace(out[i], indicator=name, indicator_id=self._indicator_id(name))
        # 分别增长18.4%和15.4%，两年平均增长13.3%和11.2%: the second list follows the first, item by item.
        for head, (source, label) in seconds.items():
            for i, j in zip([head] + groups.get(head, []), [source] + groups.get(source, [])):
                name = out[j].indicator + label
                out[i] = dataclasses.replace(out[i], indicator=name, indicator_id=self._indicator_id(name))


def _first_figure(out: list[Metric], seconds: dict[int, tuple[int, str]], source: int, named: str) -> tuple[int, str]:
    """The metric a second rate is named after, and its indicator: the first figure, not the
    rate before it (…同比下降0.6%，比2019年同期增长8.5%，两年平均增长4.2%).

    >>> from types import SimpleNamespace as M
    >>> _first_figure([M(indicator="固定资产投资"), M(indicator="…增长")], {1: (0, "比2019年同期增长")}, 1, "…增长")
    (0, '固定资产投资')
    """
    while source in seconds:
        source = seconds[source][0]
        named = out[source].indicator
    return source, named


def _without(text: str, start: int, end: int, spans: Sequence[Quantity]) -> str:
    """text[start:end] with the given records' text taken out.

    >>> q = Quantity(start=1, end=3, text="两年", source="t", value=2, unit="year", unit_text="年", dimension="duration")
    >>> _without("，两年平均增长", 0, 7, [q])
    '，平均增长'
    """
    out, pos = [], start
    for r in spans:
        if start <= r.start and r.end <= end:
            out.append(text[pos:r.start])
            pos = r.end
    out.append(text[pos:end])
    return "".join(out)


def _trailing(records: list[Metric], keep, n: int) -> list[int]:
    """Indices of the last `n` records, if all of them pass `keep`; else fewer or none.

    >>> _trailing([1, 2, 3], lambda r: r > 1, 2), _trailing([1, 2, 3], lambda r: r > 1, 3)
    ([1, 2], [1, 2])
    """
    run: list[int] = []
    for i in range(len(records) - 1, -1, -1):
        if len(run) == n or not keep(records[i]):
            break
        run.insert(0, i)
    return run
