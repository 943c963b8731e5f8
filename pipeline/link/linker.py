"""The linker component: per sentence it first finds goal triggers (力争, 确保, 到2025年 …):
numbers after a trigger are targets (`Goal`), never metrics. Every other number that names
what it measures becomes a `Metric`: the indicator is the noun phrase before it (or, for
近400家规模以上工业企业, after it), a growth rate right behind it (，同比增长27.1%) becomes its
`change`, and its period is the clause's time, else the sentence's current period.
"""

from __future__ import annotations

from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from ..extract import SpanIndex, records_of, token_boundaries
from ..rules import load_rules
from ..segment import jieba_of, sentence_spans, text_of
from ..types import Metric, Organization, Quantity, Time
from .context import LinkContext
from .goals import GoalLinker
from .triggers import LIST_OPENERS
from .indicators import clause_start
from .metrics import MetricLinker
from .frames import reanchored, sentence_periods
from .words import DURATION_UNITS

QUESTION_END = ("？", "?", "吗", "呢")
SENTENCE_ENDS = ("。", "；", ";", "！", "!", "”")


class Frame(NamedTuple):
    """A plan sentence's scope over the sentences after it in its paragraph."""

    trigger: tuple[int, int, str]
    scope: int  # where its deadline and subject are looked for
    crosses: bool  # a list opener (…三大领域：) that ends its paragraph: the items are paragraphs


def _is_item(text: str, s: int) -> bool:
    """Whether the paragraph starting at `s` reads as a list item: it ends as a sentence
    does (a heading such as 2022年重大项目共安排883个 ends a list)."""
    end = text.find("\n", s)
    return text[s:len(text) if end < 0 else end].rstrip().endswith(SENTENCE_ENDS)


@Language.factory("press_extract_link", default_config={"rules_dir": ""})
def make_linker(nlp: Language, name: str, *, rules_dir: str) -> "Linker":
    rules = load_rules(rules_dir or None)
    return Linker(rules=rules, tagger=jieba_of(nlp, rules).tagger)


class Linker(GoalLinker, MetricLinker):
    """Component `press_extract_link`: appends `Metric` and `Goal` records."""

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        quantities = SpanIndex(records_of(doc, "quantity"))
        if not quantities and not any(w in text for w in self.qualitative):
            return doc
        found = [t for t in records_of(doc, "time") if isinstance(t, Time)]
        times = SpanIndex(reanchored(found, text=text, article_date=doc._.article_date, relative_years=self.relative_years))
        orgs = SpanIndex(o for o in records_of(doc, "organization") if isinstance(o, Organization))
        sentences = sentence_spans(doc)
        places, areas = self._places(doc)
        ctx = LinkContext(
            text=text,
            doc_id=doc._.doc_id or "",
            article_date=doc._.article_date,
            boundaries=token_boundaries(doc),
            times=times,
            orgs=orgs,
            places=SpanIndex(places, span=lambda p: p),
            area_words=SpanIndex(areas, span=lambda p: p),
            quantities=quantities,
            place_suffix=self.place_suffix,
        )
        # A duration (第一个五年) is no figure: it neither ends a sentence's framing time nor makes a paragraph one of figures.
        firsts = [next((q.start for q in quantities.starting_in(s, e) if q.unit not in DURATION_UNITS), None) for s, e in sentences]
        periods = sentence_periods(times, sentences, text=text, article_date=ctx.article_date, first_numbers=firsts, rules=self.frames, same=self.same_period)
        metrics, goals = records_of(doc, "metric"), records_of(doc, "goal")
        carried: tuple[tuple[int, int, str], int] | None = None
        frame: Frame | None = None
        carried_list, prev_end = False, 0
        before: Metric | None = None  # the last metric of the paragraph so far
        for (s, e), period in zip(sentences, periods):
            qs = [q for q in ctx.quantities.starting_in(s, e) if isinstance(q, Quantity)]
            stripped = text[s:e].rstrip()
            said = stripped.rstrip("”’\"'")
            if said.endswith(QUESTION_END):
                # 杭州今年GDP能破2万亿吗: the asked clause states neither a fact nor a target.
                # (Offsets from the sentence: a copy of the text up to it made long articles quadratic.)
                asked = clause_start(text, s + len(said) - 1, floor=s)
                qs = [q for q in qs if q.end <= asked]
            # A target list goes on across ； (…突破2.3万亿元；居民人均可支配收入突破8.5万元。),
            # and a list a trigger opens with ： (主要预期目标是：…。…。) to the end of its
            # paragraph, with the deadline stated in the sentence that opened it.
            if text.find("\n", prev_end, s) >= 0:
                before = None  # the figures of one paragraph name those of the next sentence
                carried = None  # a new paragraph ends every list
                if frame is not None and not (frame.crosses and _is_item(text, s)):
                    frame = None  # …and every frame but a list whose items are paragraphs
            own = self._trigger(ctx, s, e)
            if own is None and (frame is not None or carried is not None) and self._reports_past(ctx, s, e):
                # 从2021年完成情况来看，… / 截至3月末，…: a report on the past ends the plan and its list
                frame = carried = None
            trigger, scope = (own, s) if own else carried or (frame and (frame.trigger, frame.scope)) or (None, s)
            if trigger is None and self._plan_ahead(ctx, period) and not self._reports_past(ctx, s, e):
                # 今后五年，…分别下降23%: in an article published before or as a plan period
                # starts, the figures the period frames are its targets.
                trigger = (period.time.start, period.time.end, period.time.text)
            opens_list = trigger is not None and own is not None and any(c in text[trigger[0]:e] for c in LIST_OPENERS)
            listing = trigger is not None and (opens_list or (own is None and carried_list))
            carried = (trigger, scope) if trigger and (stripped.endswith(("；", ";")) or listing) else None
            carried_list, prev_end = listing, s + len(stripped)
            if own is not None:
                # 还将全力推动…。 / 根据工作部署，…计划…三大领域：⏎ — a plan with no figure of its
                # own scopes the figure sentences after it; one with figures scopes only itself.
                ends_paragraph = text.startswith("\n", prev_end) or prev_end >= len(text)
                crosses = opens_list and ends_paragraph and stripped.endswith(LIST_OPENERS)
                opener = any(text.find(w, s, e) >= 0 for w in self.frame_openers)
                frame = Frame(own, s, crosses) if opener and (crosses or not qs) else None
            # …5.5%的增长目标: a number a target word follows is a goal whatever trigger precedes.
            goal_qs = [
                q for q in qs
                if (trigger is not None and q.start >= trigger[1]) or self._after_trigger(ctx, q, adjacent=trigger is not None)
            ]
            if trigger is not None or goal_qs:
                goals.extend(self._goals(ctx, s, e, trigger, qs, goal_qs, scope=scope, period=period))
            found_metrics = self._metrics(ctx, s, [q for q in qs if q not in goal_qs], period, carry=before)
            metrics.extend(found_metrics)
            before = found_metrics[-1] if found_metrics else before
        return doc
