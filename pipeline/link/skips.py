"""Numbers that measure nothing: durations, categories, attributives (亿元以上重大产业项目),
a capacity in a project's name, a count timed by a short duration, hedged figures."""

from __future__ import annotations

from ..types import Quantity
from .context import LinkContext
from .indicators import CLAUSE_PUNCT, clause_start
from .subjects import SubjectFinder
from .words import CHANGE_UNITS, DURATION_UNITS, RIGHT_LIMIT

# First characters of a small count written in Chinese numerals (六个, 两项, 十个).
CHINESE_COUNT = frozenset("一二两三四五六七八九十")
# Most characters between such a count and the noun it announces (六个|新|亮点).
ENUMERATION_GAP = 2
# Most characters between a short duration and the count it times (2分钟|出货|1台).
RATE_GAP = 4


class SkipRules(SubjectFinder):
    """Which numbers are no metric."""

    def _skip(self, ctx: "LinkContext", q: Quantity) -> bool:
        """Numbers that are no fact about an indicator: durations, categories (三类, 二字),
        bare units (亿元企业), one of a kind (一个, 首个), per-unit denominators (每万名),
        attributives (三千亿级)."""
        text = ctx.text
        if q.unit in DURATION_UNITS or q.unit in self.skip_units or q.text == q.unit_text:
            return True
        if q.value == 1 and q.text[:1] in "一首" and q.text[:2] != "首位":
            return True
        if text[max(0, q.start - 2):q.start].endswith(self.per_before) or text.startswith(self.attributive_after, q.end):
            return True
        if self._attributive(ctx, q) or self._names_facility(ctx, q) or self._per_duration(ctx, q):
            return True
        if self._enumerates(ctx, q) or text.startswith(self.fixed_terms, q.start):
            return True
        # 超千亿企业3家, 亿元以上重大产业项目25个: a number inside the noun another number counts.
        nxt = ctx.quantities.first_from(q.end)
        if nxt is None or nxt.start - q.end > RIGHT_LIMIT or self._attributive(ctx, nxt):
            return False
        between = text[q.end:nxt.start]
        if not between or any(c in CLAUSE_PUNCT for c in between) or self.number_joins.search(between):
            return False
        # 54家企业数量位居首位: a verb between the two numbers makes the first one a count of its own.
        return not self.any_right_stop.search(between)

    def _enumerates(self, ctx: "LinkContext", q: Quantity) -> bool:
        """A count in Chinese numerals that announces a list (以下六个方面, 三项举措): no fact."""
        if q.unit in CHANGE_UNITS or q.text[:1] not in CHINESE_COUNT:
            return False
        return any(ctx.text.startswith(self.enumeration_nouns, q.end + k) for k in range(ENUMERATION_GAP + 1))

    def _attributive(self, ctx: "LinkContext", q: Quantity) -> bool:
        """An amount with 以上/以下 right before a noun qualifies it (亿元以上重大产业项目)."""
        nxt = ctx.text[q.end:q.end + 1]
        return q.text.endswith(self.bounds) and bool(nxt) and "\u4e00" <= nxt <= "\u9fff" and nxt != "的"

    def _per_duration(self, ctx: "LinkContext", q: Quantity) -> bool:
        """A count done in a short time (2分钟出货1台): a rate of work, no metric."""
        if q.unit in CHANGE_UNITS:
            return False
        left = clause_start(ctx.text, q.start)
        return any(
            d.unit in self.rate_durations and 0 <= q.start - d.end <= RATE_GAP
            for d in ctx.quantities.starting_in(left, q.start)
        )

    def _names_facility(self, ctx: "LinkContext", q: Quantity) -> bool:
        """A capacity inside a project's name (年产40万件羊绒衫加工项目): the noun right after the
        number, up to a clause mark or 的, ends in a project head, and the unit does not count it."""
        if q.unit in self.head_counters or q.unit_text in self.head_counters:
            return False
        text, end = ctx.text, q.end
        limit = min(len(text), q.end + RIGHT_LIMIT)
        while end < limit and text[end] not in CLAUSE_PUNCT and text[end] not in "、的" and end not in ctx.quantity_at:
            end += 1
            if text.endswith(self.named_heads, q.end, end):
                return True
        return False

    def _hedged(self, ctx: "LinkContext", q: Quantity) -> bool:
        """A number under a hedge (不太可能突破两万亿元, 是否有机会…) states no fact."""
        left = clause_start(ctx.text, q.start)
        return bool(self.hedges.search(ctx.text, left, q.start))
