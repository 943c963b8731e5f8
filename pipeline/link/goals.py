"""Goals: the targets a trigger (力争, 到2025年, 计划 …) makes of the numbers after it."""

from __future__ import annotations

import dataclasses

from ..types import Goal, Quantity, Time
from .context import LinkContext, quantity_id
from .indicators import CLAUSE_PUNCT, clause_end, clause_start, is_span, longest_at_end, trim_phrase
from .frames import Period
from .phrases import PhraseFinder
from .triggers import TriggerFinder
from .words import CHANGE_UNITS, DURATION_UNITS, SOURCE


class GoalLinker(TriggerFinder, PhraseFinder):
    """The goals of one sentence."""

    def _compared(self, gap: str) -> bool:
        """Whether `gap` joins a number to its growth over a reference (，同比增长 / ，比上年增长)."""
        return bool(self.change_gap.match(gap)) and any(w in gap for w in self.comparison_openers)

    def _after_trigger(self, ctx: "LinkContext", q: Quantity, *, adjacent: bool = False) -> bool:
        """A number followed, in its clause, by 的目标 (…增长6%左右的目标); right behind it
        when `adjacent` (5.5%的增长目标, not 2.5%的增速与…的预期目标)."""
        if adjacent:
            return ctx.text.startswith(self.after, q.end)
        end = clause_end(ctx.text, q.end)
        return any(ctx.text.find(w, q.end, end) >= 0 for w in self.after)

    def _goals(self, ctx: "LinkContext", s: int, e: int, trigger: tuple[int, int, str] | None, qs: list[Quantity], goal_qs: list[Quantity], *, scope: int, period: Period | None) -> list[Goal]:
        text = ctx.text
        out: list[Goal] = []
        horizon: Quantity | None = None
        floor = max(trigger[1], s) if trigger else s  # a frame's trigger stands in a sentence before
        for q in qs:
            before = text[max(s, q.start - 3):q.start]
            if q.unit in DURATION_UNITS and any(before.endswith(w) for w in self.horizon_before):
                horizon = q  # 通过5年努力, 用3年时间
        baseline: tuple[int, int] | None = None
        for q, nxt in zip(goal_qs, goal_qs[1:] + [None]):
            if q.unit in DURATION_UNITS or self._skip(ctx, q):
                continue
            # A number before its trigger (5.5%的增长目标) reads its phrase from the sentence start.
            ahead = trigger is not None and q.start >= trigger[1]
            prev_end = max([floor if ahead else s] + [p.end for p in qs if p.end <= q.start])
            earlier = next((p for p in reversed(qs) if p.end <= q.start), None)
            if (q.unit in CHANGE_UNITS or (earlier is not None and earlier.unit == q.unit)) and prev_end > floor and self._compared(text[prev_end:q.start]):
                # 总投资35674.8亿元，同比增长26.2% / 专项债券3.9万亿元、比上年增加1000亿元: how the
                # planned figure compares with last year's, not a second target.
                continue
            if nxt is not None and any(w in text[prev_end:q.start] for w in self.span_from) and is_span(text[q.end:nxt.start], self.span_joins, self.span_to):
                # 从人均8.7万元提高到12万元以上: the first number is where the target starts from;
                # its phrase names the target.
                baseline = self._phrase(ctx, q, prev_end, words=self.goal_words)
                continue
            deadline = next((t for t in reversed(ctx.times.starting_in(scope, q.start)) if t.end <= q.start and self._future(ctx, t)), None)
            deadline_from = None if deadline is None else _frame_of(text, deadline, s=s, pos=q.start)
            if deadline is None and period is not None and self._future(ctx, period.time):
                deadline, deadline_from = period.time, period.source  # 今年发展的主要预期目标是：… stated in an earlier sentence
            year = deadline.end_date[:4] if deadline else None
            if year is None and ctx.article_date and any(text.find(w, clause_start(text, q.start, floor=s), q.start) >= 0 for w in self.current_year):
                year, deadline_from = str(ctx.article_date.year), "clause"  # 全年工业投资增长12%以上: this year's
            span = self._phrase(ctx, q, prev_end, words=self.goal_words) or baseline
            baseline = None
            if span is None and trigger is not None and trigger[0] >= s and clause_start(text, trigger[0]) == clause_start(text, q.start):
                # 固定资产投资计划增长5%, 地区生产总值预期增长目标6%左右: the phrase before the trigger.
                left = self._past_names(ctx, clause_start(text, trigger[0], floor=s), trigger[0])
                a, b = trim_phrase(text, left, trigger[0], words=self.goal_words, boundaries=ctx.boundaries, names=ctx.names)
                span = self._extend_to_surface(text, left, a, b) if a < b else None
            a, b = span if span else (q.start, q.start)
            trig = trigger[2] if trigger else longest_at_end(text[q.end:e], ("目标",)) or "目标"
            start = trigger[0] if ahead and trigger[0] >= s and not out else min(a, q.start)
            first = ctx.times.first_from(prev_end)
            if first is not None and first.start < start:
                start = first.start
            out.append(
                Goal(
                    doc_id=ctx.doc_id,
                    start=start,
                    end=q.end,
                    text=text[start:q.end],
                    source=SOURCE,
                    trigger=trig,
                    indicator=text[a:b] if b > a else (out[-1].indicator if out else None),
                    comparator=self._comparator(ctx, q, prev_end),
                    value=q.value,
                    unit=q.unit,
                    deadline=year,
                    period_from=deadline_from,
                    subject=self._subject(ctx, scope, q.start),
                    quantitative=True,
                    quantity_id=quantity_id(ctx, q),
                )
            )
        if horizon is not None:
            out = [dataclasses.replace(g, horizon=horizon.value, horizon_unit=horizon.unit) for g in out]
        if not out and trigger is not None and trigger[0] >= s and trigger[2] in self.qualitative and not any(q.start >= trigger[1] and q.unit not in DURATION_UNITS for q in qs):
            end = e
            while end > trigger[0] and (text[end - 1] in CLAUSE_PUNCT or text[end - 1].isspace() or text[end - 1] in "”"):
                end -= 1
            deadline = next((t for t in ctx.times.starting_in(trigger[0], end) if self._future(ctx, t)), None)
            out.append(
                Goal(
                    doc_id=ctx.doc_id,
                    start=trigger[0],
                    end=end,
                    text=text[trigger[0]:end],
                    source=SOURCE,
                    trigger=trigger[2],
                    deadline=deadline.end_date[:4] if deadline else None,
                    period_from=None if deadline is None else _frame_of(text, deadline, s=s, pos=end),
                    subject=self._subject(ctx, s, trigger[0]),
                    quantitative=False,
                )
            )
        return out

    def _comparator(self, ctx: "LinkContext", q: Quantity, floor: int) -> str:
        """From the word right before the number, or at either end of its surface, or right
        after it (达1360亿元, 突破3000亿元, 前70位, 控制在3%以内). Longest word wins; none is "=".
        """
        before = ctx.text[max(floor, q.start - 6):q.start]
        after = ctx.text[q.end:q.end + 4]
        best = ""
        for word in self.comparators:
            if len(word) > len(best) and (
                before.endswith(word) or q.text.startswith(word) or q.text.endswith(word) or after.startswith(word)
            ):
                best = word
        return self.comparators[best] if best else "="


def _frame_of(text: str, t: Time, *, s: int, pos: int) -> str:
    """Which frame a deadline written before `pos` belongs to: the clause of `pos`, its
    sentence (starting at `s`), or an earlier sentence of the target list (paragraph)."""
    if t.start >= clause_start(text, pos, floor=s):
        return "clause"
    return "sentence" if t.start >= s else "paragraph"
