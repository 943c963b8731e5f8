"""What a number measures: the indicator phrase around it (before it, else after it), and
whether that phrase names only a place. Which numbers measure nothing is `skips`."""

from __future__ import annotations

import regex

from ..types import Quantity
from .context import LinkContext
from .indicators import CLAUSE_PUNCT, PhraseWords, clause_start, find_surface, longest_at_end, trim_phrase
from .periods import REFERENCE_BEFORE, is_reference
from .skips import SkipRules
from .words import RIGHT_LIMIT

# Brackets right after a number: what follows them is no phrase the number measures.
NOTE_BRACKETS = frozenset("（）()")
UNIT_NOTE = 2  # most characters of a unit noted in brackets: 台（套）
# A number written without a unit (an index level: 指数为100.7).
BARE_NUMBER = regex.compile(r"[0-9]+(?:\.[0-9]+)?$")


def named_before(text: str, left: int, pos: int) -> bool:
    """Whether an indicator stands before the comparison word that ends at the time starting
    at `pos` (工业增加值比|上年), not only the word itself (，比|上年增加1.1万亿元).

    >>> named_before("工业增加值比上年", 0, 6), named_before("，比上年增加", 1, 2)
    (True, False)
    """
    head = text[left:pos].strip()
    word = longest_at_end(head, REFERENCE_BEFORE)
    return bool(head[: len(head) - len(word)].strip("的在 "))


class PhraseFinder(SkipRules):
    """The indicator span of a number."""

    def _phrase(self, ctx: "LinkContext", q: Quantity, floor: int, *, words: PhraseWords) -> tuple[int, int] | None:
        """The indicator span for `q`: the trimmed phrase before it, else the one after it."""
        text = ctx.text
        left = max(clause_start(text, q.start, floor=floor), floor)
        # A line break inside a sentence (PDF column text) is not a clause end.
        if left == q.start and q.start > 0 and text[q.start - 1] == "\n":
            back = q.start - 1
            while back > 0 and text[back - 1] in "\n\r \u3000":
                back -= 1
            if back > 0 and text[back - 1] not in CLAUSE_PUNCT and text[back - 1] not in "。！？":
                left = clause_start(text, back)
                a, b = trim_phrase(text, left, back, words=words, boundaries=ctx.boundaries)
                return (a, b) if a < b else None
        named_from = left
        left = self._past_names(ctx, left, q.start)
        dated = self._before_time(ctx, q.start, named_from)
        if text[left:q.start].strip("的 ") and not text[named_from:dated].endswith(self.span_from):
            # A comparison base (比|2019年的…) stays in the phrase; the time a span starts
            # from (由|2015年的120家增加到…) does not, though 由 also marks a base.
            dated = q.start
        if dated < q.start and words.index["trail"].ending(text, named_from, dated):
            # 规上企业从|2021年底的300家, GDP在|2021年突破3万亿元: the indicator stands before the
            # time and the framing word (trail) that introduces it.
            a, b = trim_phrase(text, named_from, dated, words=words, boundaries=ctx.boundaries, names=ctx.names)
            if a < b:
                return a, b
        if text[left:q.start].endswith(self.prefer_right):
            # 东莞市有521家…企业, 松山湖以54家企业数量…: the noun after the number is measured.
            right = self._right_phrase(ctx, q)
            if right is not None:
                return right
        a, b = self._extend_to_surface(text, left, *trim_phrase(text, left, q.start, words=words, boundaries=ctx.boundaries, names=ctx.names))
        only_change = a < b and self._only_change(text[a:b])
        if only_change:
            # CPI：居民消费价格指数为100.7，同比上涨0.7%: the rate is of the index stated bare before it.
            named = self._bare_figure_phrase(ctx, left, words=words)
            if named is not None:
                return named
        listing = text[a:b].endswith("等") or "、" in text[a:b]
        if a < b and self._names_place(ctx, text[a:b]) and (q.end == len(text) or text[q.end] in CLAUSE_PUNCT):
            return None  # 其中新港园区5个: a part of the whole that the previous number measures
        if a < b and not only_change and not listing:
            if self._ends_in_verb(text, a, b, ctx.boundaries):
                # 省经合局梳理6个外资项目: a verb before the number; its object after the number.
                right = self._right_phrase(ctx, q)
                if right is not None:
                    return right
            return a, b
        right = self._right_phrase(ctx, q)
        if listing and (right is not None or text[a:b].endswith("等")):
            # 运达、老板、西奥等17家企业: the names are examples; the noun after the number is measured.
            return right
        if listing:
            return a, b
        if right is None and a == b and (q.end == len(text) or text[q.end] in CLAUSE_PUNCT):
            # Nothing but a verb (开工3条) before the number, and no noun after it: the verb names
            # what is counted. Nothing but a place (其中常熟市2例, 其中新港园区5个) names the part of
            # a whole: the number measures the previous indicator, or nothing.
            for bare in self.bare_words[words]:
                a, b = trim_phrase(text, left, q.start, words=bare, boundaries=ctx.boundaries)
                if a < b and not self._only_change(text[a:b]) and text[a:b] not in self.joiners:
                    return None if self._names_place(ctx, text[a:b]) else (a, b)
            return None
        return right

    def _bare_figure_phrase(self, ctx: "LinkContext", left: int, *, words: PhraseWords) -> tuple[int, int] | None:
        """The indicator of the clause before `left` when that clause ends in a bare number (an
        index level such as 指数为100.7, which is no quantity), else None."""
        text = ctx.text
        if left < 2 or text[left - 1] not in "，,":
            return None
        # Searched in its clause: a search from the article's start made long articles quadratic.
        m = BARE_NUMBER.search(text, clause_start(text, left - 1), left - 1)
        if m is None or m.end() != left - 1 or m.start() in ctx.quantity_at:
            return None
        a, b = trim_phrase(text, clause_start(text, m.start()), m.start(), words=words, boundaries=ctx.boundaries, names=ctx.names)
        return (a, b) if a < b and not self._only_change(text[a:b]) else None

    def _before_time(self, ctx: "LinkContext", pos: int, floor: int) -> int:
        """The start of a time, and 的, that end right at `pos` (从|2021年底的|300家), or of a
        word for now (增加到|目前的|350家), else `pos`."""
        end = pos - 1 if ctx.text[pos - 1:pos] == "的" else pos
        t = next((t for t in ctx.times.starting_in(floor, end) if t.end == end), None)
        if t is not None:
            return t.start
        now = next((w for w in self.span_now if ctx.text.endswith(w, floor, end)), "")
        return end - len(now) if now and end - len(now) in ctx.boundaries else pos

    def _past_names(self, ctx: "LinkContext", left: int, end: int) -> int:
        """Move `left` past the times and organisations in [left, end): they are the period
        and the subject, not the indicator."""
        # `left` only moves right, so what starts before it at first never counts.
        # A comparison base after the indicator (工业增加值|比上年|增长) is no period before it.
        times = [t for t in ctx.times.starting_in(left, end) if not (is_reference(ctx.text, t) and named_before(ctx.text, left, t.start))]
        for t in times + ctx.orgs.starting_in(left, end):
            if left <= t.start and t.end <= end:
                left = max(left, t.end)
        return left

    def _extend_to_surface(self, text: str, left: int, a: int, b: int) -> tuple[int, int]:
        """Undo a cut that went into a lexicon surface (地区|生产总值, 城镇|调查失业率)."""
        hit = find_surface(text[left:b], self.lexicon)
        if hit and a < b and left + hit[0] < a < left + hit[1]:
            return left + hit[0], b
        return a, b

    def _right_phrase(self, ctx: "LinkContext", q: Quantity) -> tuple[int, int] | None:
        text = ctx.text
        end = start = q.end
        if text[q.end:q.end + 1] in NOTE_BRACKETS:
            # 增长87%）、…, 超200%（来源：…）: a bracket ends the number's phrase, unless it notes
            # the unit (32.8万台（套）农业机械)
            close = text.find("）", q.end, q.end + UNIT_NOTE + 2)
            if text[q.end] != "（" or close < 0:
                return None
            end = start = close + 1
        limit = min(len(text), q.end + RIGHT_LIMIT)
        after = ctx.quantity_at
        while end < limit and text[end] not in CLAUSE_PUNCT:
            if end in after and self._attributive(ctx, after[end]):
                # 58个投资总额1000万美元以上新设外资项目: the noun after the qualifying amount.
                start = end = after[end].end
                limit = min(len(text), end + RIGHT_LIMIT)
                continue
            if end in after or text[end].isdigit():
                return None  # 亿元以上重大产业项目25个: the first number qualifies the phrase; the second measures it
            if end > start + 1 and end in ctx.boundaries and text.startswith(self.right_stop, end):
                break
            end += 1
        a, b = trim_phrase(text, start, end, words=self.words, boundaries=ctx.boundaries)
        return (a, b) if a < b else None

    def _names_place(self, ctx: "LinkContext", phrase: str) -> bool:
        """Whether a phrase is only a place or body: a name of the article, a word jieba tags as a
        place (昆山市), or one with a place suffix (新港|园区); not a kind of area (现代农业示范区)."""
        if phrase in ctx.names.words:
            return True
        if phrase in self.generic_places:
            return False  # 在全国城市中排名第8位: 城市 is the field of the ranking
        flags = self.pos_flags(phrase)
        return bool(flags) and flags[0] == "ns" and (len(flags) == 1 or (len(flags) == 2 and phrase.endswith(self.place_suffix)))

    def _ends_in_verb(self, text: str, a: int, b: int, boundaries: frozenset[int]) -> bool:
        """Whether jieba tags the last word of text[a:b] as a verb (省经合局梳理, 重点服务保障).
        The article is segmented already, so only the last word is tagged, unless the phrase
        ends inside a word (3家营收|超千亿 in 家营/收超): then the phrase is tagged on its own."""
        last = next((p for p in range(b - 1, a, -1) if p in boundaries), a) if b in boundaries else a
        flags = self.pos_flags(text[last:b])
        return bool(flags) and flags[-1] == "v"

    def _indicator_id(self, phrase: str) -> str | None:
        """The lexicon id of an indicator phrase; none for a share (出口额占出口总值), which
        the lexicon does not list."""
        if any(m in phrase for m in self.share_markers):
            return None
        hit = find_surface(phrase, self.lexicon)
        return hit[2] if hit else None

    def _only_change(self, phrase: str) -> bool:
        """Whether a phrase is nothing but a change (增长, 同比大幅增长): no indicator in it."""
        tail = self.change_tail.search(phrase)
        return bool(tail) and tail.start() == 0
