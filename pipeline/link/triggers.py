"""Goal triggers: the word (力争, 计划, 到2025年 …) after which a sentence's numbers are targets,
and the words that make a sentence a report of the past instead (rules/goals.toml)."""

from __future__ import annotations

import datetime as dt

from ..types import Time
from .frames import Period
from .context import LinkContext
from .indicators import CLAUSE_PUNCT, longest_at_end
from .periods import is_reference
from .words import LinkWords


# A trigger followed by one of these in its sentence opens a list (目标是：…).
LIST_OPENERS = ("：", ":")
# Most characters a … in a fact marker stands for (据|农委|统计).
MARKER_GAP = 8


def _has_marker(text: str, marker: str, s: int, e: int) -> bool:
    """Whether text[s:e] holds `marker`, where a … in it stands for up to MARKER_GAP
    characters with no clause mark.

    >>> _has_marker("据农委统计，全市计划播种", "据…统计", 0, 12), _has_marker("据悉，统计", "据…统计", 0, 5)
    (True, False)
    """
    if "…" not in marker:
        return text.find(marker, s, e) >= 0
    head, tail = marker.split("…", 1)
    a = text.find(head, s, e)
    while a >= 0:
        b = text.find(tail, a + len(head), min(e, a + len(head) + MARKER_GAP + len(tail)))
        if b >= 0 and not any(c in CLAUSE_PUNCT for c in text[a:b]):
            return True
        a = text.find(head, a + 1, e)
    return False


class TriggerFinder(LinkWords):
    """Where a sentence states a target: its trigger, and whether it reports the past."""

    def _future(self, ctx: "LinkContext", t: Time) -> bool:
        if not (t.resolved and t.end_date):
            return False
        return ctx.article_date is None or dt.date.fromisoformat(t.end_date) >= ctx.article_date

    def _trigger(self, ctx: "LinkContext", s: int, e: int) -> tuple[int, int, str] | None:
        """The first goal trigger of the sentence [s, e): (start, end, trigger text)."""
        text = ctx.text
        if self.marker_ends.search(text, s, e) and any(_has_marker(text, w, s, e) for w in self.fact_markers):
            return None  # 据统计，…: counted facts
        sentence_times = ctx.times.starting_in(s, e)
        # Most sentences hold no trigger word (one search says so): they need no look at whether
        # their times are past or future either.
        found = self._trigger_words(ctx, s, e, sentence_times) if self.any_trigger.search(text, s, e) else []
        for t in sentence_times:
            # Only the last few characters before the time can end in a prefix: no copy of the
            # sentence up to each of its times.
            prefix = longest_at_end(text[max(s, t.start - self.time_prefix_reach):t.start], self.time_prefixes)
            if prefix and not self._blocked(text, t.start - len(prefix), prefix) and self._future(ctx, t):
                found.append((t.start - len(prefix), t.end, text[t.start - len(prefix):t.end]))
        for phrase in self.phrases if self.any_phrase.search(text, s, e) else ():
            pos = text.find(phrase, s, e)
            if pos >= 0:
                found.append((pos, pos + len(phrase), phrase))
        return min(found, key=lambda f: (f[0], f[1])) if found else None

    def _trigger_words(self, ctx: "LinkContext", s: int, e: int, sentence_times: list[Time]) -> list[tuple[int, int, str]]:
        """The trigger words of the sentence [s, e) that make it a target: (start, end, word)."""
        text = ctx.text
        past = self._past(ctx, s, e)
        future = any(self._future(ctx, t) for t in sentence_times)
        found: list[tuple[int, int, str]] = []
        for word in self.triggers:
            # str.find, not a regex per trigger word: this runs for every sentence that holds one.
            a = text.find(word, s, e)
            while a >= 0:
                at, a = a, text.find(word, a + 1, e)
                if self._blocked(text, at, word):
                    continue
                if ctx.orgs.overlaps(at, at + 1):
                    continue  # 东莞市倍增计划工作领导小组办公室: part of a name
                if word in self.noun_like and (at + len(word) >= e or text[at + len(word)] in CLAUSE_PUNCT or text[at + len(word)] in "”’、》」』）)的") and not text.startswith(LIST_OPENERS, at + len(word)):
                    continue  # a noun (覆盖计划，, 投资计划的70.9%), not a trigger; 目标是：opens a list
                if word in self.future_only and not future and (past or not self._forecast_follows(text, at + len(word), e)):
                    continue  # 预计…可实现…: a second forecast word makes it one, with no time
                if word in self.unless_past and past:
                    continue
                found.append((at, at + len(word), word))
        return found

    def _plan_ahead(self, ctx: "LinkContext", period: "Period | None") -> bool:
        """Whether `period` is a plan period (十三五, 今后五年) that starts in the article's
        year or later: what it frames is planned, not reached."""
        t = period.time if period is not None else None
        return (
            t is not None and t.granularity == "plan" and t.resolved and bool(t.start_date)
            and ctx.article_date is not None and int(t.start_date[:4]) >= ctx.article_date.year
        )

    def _past(self, ctx: "LinkContext", s: int, e: int) -> bool:
        """Whether [s, e) holds a past time (2021年, 去年 with no article date)."""
        # A comparison base (比去年增加5600亿元) says nothing of when the sentence speaks.
        return any(
            (t.resolved and t.end_date and not self._future(ctx, t)) or (not t.resolved and t.text.startswith(self.past_words))
            for t in ctx.times.starting_in(s, e) if not is_reference(ctx.text, t)
        )

    def _reports_past(self, ctx: "LinkContext", s: int, e: int) -> bool:
        """Whether the sentence [s, e) reports what happened (a past time, 已, 完成情况):
        it ends the scope of a plan sentence before it (rules/goals.toml [frames])."""
        return any(ctx.text.find(w, s, e) >= 0 for w in self.stop_words) or self._past(ctx, s, e)

    def _forecast_follows(self, text: str, start: int, end: int) -> bool:
        """Whether another forecast word (rules/goals.toml future_only) follows in [start, end)."""
        return any(text.find(w, start, end) >= 0 for w in self.future_only)

    def _blocked(self, text: str, at: int, word: str) -> bool:
        """Whether the trigger `word` at `at` is part of a longer non-trigger word (将近, 截至)."""
        return any(text.startswith(b, at - b.index(word)) for b in self.blockers if word in b and at - b.index(word) >= 0)
