"""Numbers read as a list: 5.2%和9.8%, and the items a 分别 list names (集成电路、前沿新材料产值)."""

from __future__ import annotations

import regex

from ..types import Metric, Quantity
from .context import LinkContext, quantity_id
from .indicators import clause_start, trim_phrase
from .phrases import PhraseFinder


class ListReader(PhraseFinder):
    """Lists of numbers and of the indicators they belong to."""

    def _joined(self, ctx: "LinkContext", qs: list[Quantity], n: int) -> list[int]:
        """Indices of the numbers that follow qs[n] as a list (5.2%和9.8%, 22.8%、14.2%)."""
        out = []
        for k in range(n + 1, len(qs)):
            if qs[k].unit != qs[n].unit or ctx.text[qs[k - 1].end:qs[k].start].strip() not in self.joiners:
                break
            out.append(k)
        return out

    def _list_items(self, ctx: "LinkContext", qs: list[Quantity], head: Metric, n: int) -> list[str]:
        """Indicators of a 分别 list: 集成电路、前沿新材料产值分别增长… -> 集成电路产值, 前沿新材料产值.
        Empty when the clause before the first number does not list exactly `n` items."""
        text = ctx.text
        q = next(q for q in qs if quantity_id(ctx, q) == head.quantity_id)
        left = clause_start(text, q.start)
        raw = text[left:q.start]
        tail = self.change_tail.search(raw)
        end = left + (tail.start() if tail else len(raw))
        if "等" in text[left:end]:
            cut = text.rindex("等", left, end)
            items_end, noun = cut, text[cut + 1:end]
        else:
            # the last item carries the shared noun (集成电路、前沿新材料产值) unless it is one word
            last_item = max(left, max((i + 1 for i in range(left, end) if text[i] in "、和及与"), default=left))
            first_item = text[left:text.find("、", left, end)] if "、" in text[left:end] else ""
            items_end = _shared_noun_start(text, last_item, end, first_item, ctx.boundaries)
            noun = text[items_end:end]
        # Split on 、 first: 和 is also inside item names (电气机械和器材制造业).
        parts = text[left:items_end].split("、")
        if len(parts) != n:
            parts = regex.split("以及|[、和及与]", text[left:items_end])
        if len(parts) != n or any(not p for p in parts):
            return []
        first = trim_phrase(text, left, left + len(parts[0]), words=self.words, boundaries=ctx.boundaries)
        parts[0] = text[first[0]:first[1]]
        return [p + noun for p in parts] if parts[0] else []


def _shared_noun_start(text: str, start: int, end: int, first: str, boundaries: frozenset[int]) -> int:
    """Where the noun that the last item of a list shares with the others starts, in text[start:end].

    Items cut to one character share all the rest (一、二、三产业增加值 -> 产业增加值); items
    with one ending (a classifier: 类, 企业) share what follows it in the last item (饮料类、
    烟酒类商品零售 -> 商品零售); else the last word is shared (集成电路、前沿新材料产值 -> 产值).

    >>> _shared_noun_start("一、二、三产业增加值", 4, 10, "一", frozenset({4, 5, 7, 10}))
    5
    >>> _shared_noun_start("饮料类、烟酒类商品零售", 4, 11, "饮料类", frozenset({4, 6, 7, 9, 11}))
    7
    >>> _shared_noun_start("集成电路、前沿新材料产值", 5, 12, "集成电路", frozenset({5, 7, 10, 12}))
    10
    >>> _shared_noun_start("专用设备制造业、酒和饮料制造业", 8, 15, "专用设备制造业", frozenset({8, 9, 10, 12, 15}))
    15
    >>> _shared_noun_start("甲服务企业、乙服务业企业的营业收入", 6, 17, "甲服务企业", frozenset({6, 7, 10, 12, 13, 17}))
    12
    """
    if len(first) == 1 and end - start > 1:
        return start + 1
    word = next((b for b in range(end - 1, start, -1) if b in boundaries), end)
    if first.endswith(text[word:end]):
        return end  # 专用设备制造业、酒和饮料制造业: each item holds the noun already
    # The longest ending of the first item that also ends a word inside the last item.
    for k in range(len(first) - 1, 0, -1):
        mark = text.find(first[-k:], start, end - 1)
        while mark >= 0 and mark + k not in boundaries:
            mark = text.find(first[-k:], mark + 1, end - 1)
        if mark >= 0 and not first[-1].isdigit():
            return mark + k
    return word
