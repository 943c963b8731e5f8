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
            last_word = next((b for b in range(end - 1, last_item, -1) if b in ctx.boundaries), None)
            items_end, noun = (last_word, text[last_word:end]) if last_word is not None else (end, "")
        # Split on 、 first: 和 is also inside item names (电气机械和器材制造业).
        parts = text[left:items_end].split("、")
        if len(parts) != n:
            parts = regex.split("以及|[、和及与]", text[left:items_end])
        if len(parts) != n or any(not p for p in parts):
            return []
        first = trim_phrase(text, left, left + len(parts[0]), words=self.words, boundaries=ctx.boundaries)
        parts[0] = text[first[0]:first[1]]
        return [p + noun for p in parts] if parts[0] else []
