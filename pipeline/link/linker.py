"""The link stage: turn quantities (with times and organisations) into metrics and goals.

Runs after every extractor. Per sentence it first finds goal triggers (力争, 确保, 到2025年 …):
numbers after a trigger are targets (`Goal`), never metrics. Every other number that names
what it measures becomes a `Metric`: the indicator is the noun phrase before it (or, for
近400家规模以上工业企业, after it), a growth rate right behind it (，同比增长27.1%) becomes its
`change`, and its period is the clause's time, else the sentence's current period.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
from decimal import Decimal
from typing import Sequence

import jieba.posseg
import regex
from spacy.language import Language
from spacy.tokens import Doc

from ..extract import SpanIndex, records_of, token_boundaries
from .indicators import (
    CLAUSE_PUNCT,
    Lexicon,
    PhraseWords,
    clause_start,
    find_surface,
    longest_at_end,
    longest_at_start,
    signed_change,
    trim_phrase,
)
from .periods import current_periods, is_reference, period_of
from ..rules import Rules, load_rules
from ..segment import jieba_of, sentence_spans, text_of
from ..types import Goal, Metric, Organization, Quantity, Time

SOURCE = "rule:link.v1"
DURATION_UNITS = frozenset({"year", "month", "day", "hour", "minute"})
CHANGE_UNITS = {"%": "%", "pp": "pp"}
QUESTION_END = ("？", "?", "吗", "呢")
# Longest phrase read to the right of a number (近400家规模以上工业企业).
RIGHT_LIMIT = 16
# A comparison reference such as 较分区前 / 比2020年 is short; longer text is a new phrase.
OPENER_REACH = 12


@Language.factory("press_extract_link", default_config={"rules_dir": ""})
def make_linker(nlp: Language, name: str, *, rules_dir: str) -> "Linker":
    rules = load_rules(rules_dir or None)
    return Linker(rules=rules, tagger=jieba_of(nlp, rules).tagger)


class Linker:
    """Component `press_extract_link`: appends `Metric` and `Goal` records."""

    def __init__(self, *, rules: Rules, tagger: jieba.posseg.POSTokenizer) -> None:
        self.tagger = tagger
        ind, goals = rules.indicators, rules.goals
        self.lexicon = Lexicon.of(ind.surfaces)
        self.right_stop = tuple(ind.context["right_stop"])
        self.prefer_right = tuple(ind.context["prefer_right"])
        self.hedges = tuple(ind.context["hedges"])
        self.skip_units = frozenset(ind.context["skip_units"])
        self.share_markers = tuple(ind.context["share_markers"])
        self.bounds = tuple(ind.context["bounds"])
        self.per_before = tuple(ind.context["per_before"])
        self.attributive_after = tuple(ind.context["attributive_after"])
        self.rank_moves = tuple(goals.changes["rank_moves"])
        self.joiners = frozenset(ind.context["joiners"])
        self.respectively = tuple(goals.changes["respectively"])
        self.place_suffix = tuple(ind.context["place_suffix"])
        self.generic_places = tuple(ind.context["generic_places"])
        self.words = PhraseWords.from_rules(ind.context)
        trig = goals.triggers
        self.goal_words = PhraseWords.from_rules(ind.context, extra_lead=trig["words"])
        self.triggers = tuple(sorted(trig["words"], key=len, reverse=True))
        self.future_only = frozenset(trig["future_only"])
        self.unless_past = frozenset(trig["unless_past"])
        self.blockers = tuple(trig["blockers"])
        self.noun_like = frozenset(trig["noun_like"])
        self.qualitative = frozenset(trig["qualitative"])
        self.after = tuple(trig["after"])
        self.time_prefixes = tuple(trig["time_prefixes"])
        self.phrases = tuple(trig["phrases"])
        # Words of a past year, quarter or month counted from the article date (去年, 上季度,
        # 上月): with no article date their times do not resolve, yet they are in the past.
        times = rules.times
        self.past_words = tuple(sorted(
            [w for w, (_, last, anchor) in times.relative_years.items() if last < 0 and anchor == "article"]
            + [w for w, offset in times.relative_quarters.items() if offset < 0]
            + [w for w, (offset, anchor) in times.relative_months.items() if offset < 0 and anchor == "article"]
        ))
        self.horizon_before = goals.horizon_before
        self.comparators = goals.comparators
        ch = goals.changes
        self.up, self.down = tuple(ch["up"]), tuple(ch["down"])
        self.span_to, self.span_from = tuple(ch["span_to"]), tuple(ch["span_from"])
        alt = _alternation
        opener = f"(?:{alt(ch['openers'])})[^，,；;。]{{1,{OPENER_REACH}}}?"
        # What may stand between a metric and its growth rate: ，同比增长 / ，较分区前增长 / 增长了
        self.change_gap = regex.compile(
            f"^[，,]?\\s*(?:(?:{alt(ch['bases'])}|{opener})\\s*)*(?P<word>{alt(ch['up'] + ch['down'])})(?:{alt(ch['links'])})?$"
        )
        self.change_tail = regex.compile(
            f"(?:(?:{alt(ch['bases'])}|{opener})\\s*)*(?P<word>{alt(ch['up'] + ch['down'])})(?:{alt(ch['links'])})?(?P<to>{alt(ch['span_to'])})?$"
        )

    # -- entry point -------------------------------------------------------------------

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        quantities = SpanIndex(records_of(doc, "quantity"))
        if not quantities and not any(w in text for w in self.qualitative):
            return doc
        times = SpanIndex(t for t in records_of(doc, "time") if isinstance(t, Time))
        orgs = SpanIndex(o for o in records_of(doc, "organization") if isinstance(o, Organization))
        sentences = sentence_spans(doc)
        ctx = _Context(
            text=text,
            doc_id=doc._.doc_id or "",
            article_date=doc._.article_date,
            boundaries=token_boundaries(doc),
            times=times,
            orgs=orgs,
            places=SpanIndex(self._places(doc), span=lambda p: p),
            quantities=quantities,
            place_suffix=self.place_suffix,
        )
        periods = current_periods(times, sentences, text=text, article_date=ctx.article_date)
        metrics, goals = records_of(doc, "metric"), records_of(doc, "goal")
        carried: tuple[tuple[int, int, str], int] | None = None
        for (s, e), period in zip(sentences, periods):
            qs = [q for q in ctx.quantities.starting_in(s, e) if isinstance(q, Quantity)]
            if text[s:e].rstrip().rstrip("”’\"'").endswith(QUESTION_END):
                # 杭州今年GDP能破2万亿吗: the asked clause states neither a fact nor a target.
                asked = clause_start(text, len(text[:e].rstrip().rstrip("”’\"'")) - 1, floor=s)
                qs = [q for q in qs if q.end <= asked]
            # A target list goes on across ； (…突破2.3万亿元；居民人均可支配收入突破8.5万元。),
            # with the deadline stated in the sentence that opened it.
            own = self._trigger(ctx, s, e)
            trigger, scope = (own, s) if own else carried or (None, s)
            carried = (trigger, scope) if trigger and text[s:e].rstrip().endswith(("；", ";")) else None
            goal_qs = [q for q in qs if trigger is not None and q.start >= trigger[1]] + [
                q for q in qs if trigger is None and self._after_trigger(ctx, q)
            ]
            if trigger is not None or goal_qs:
                goals.extend(self._goals(ctx, s, e, trigger, qs, goal_qs, scope=scope, period=period))
            metrics.extend(self._metrics(ctx, s, [q for q in qs if q not in goal_qs], period))
        return doc

    # -- shared pieces -------------------------------------------------------------------

    def _places(self, doc: Doc) -> list[tuple[int, int]]:
        """Words naming a place (临平区, 杭州市): candidates for a metric's subject."""
        text, cuts = text_of(doc), sorted(token_boundaries(doc))
        return [
            (a, b)
            for a, b in zip(cuts, cuts[1:])
            if b - a >= 3 and text[a:b].endswith(self.place_suffix) and not text[a:b].endswith(self.generic_places)
        ]

    def _skip(self, ctx: "_Context", q: Quantity) -> bool:
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
        if self._attributive(ctx, q):
            return True
        # 超千亿企业3家, 亿元以上重大产业项目25个: a number inside the noun another number counts.
        nxt = ctx.quantities.first_from(q.end)
        if nxt is None or nxt.start - q.end > RIGHT_LIMIT or self._attributive(ctx, nxt):
            return False
        between = text[q.end:nxt.start]
        joins = self.up + self.down + self.span_to + tuple(self.joiners)
        if not between or any(c in CLAUSE_PUNCT for c in between) or any(w in between for w in joins):
            return False
        # 54家企业数量位居首位: a verb between the two numbers makes the first one a count of its own.
        return not any(w in between for w in self.right_stop)

    def _subject(self, ctx: "_Context", s: int, pos: int) -> str | None:
        """The organisation or place nearest before `pos` in its sentence, else the article's subject."""
        best: tuple[int, str] | None = None
        for o in ctx.orgs.starting_in(s, pos):
            if o.end <= pos:
                best = (o.end, o.canonical or o.name)
        for a, b in ctx.places.starting_in(s, pos):
            if b <= pos and (best is None or b > best[0]):
                best = (b, ctx.text[a:b])
        return best[1] if best else ctx.main_subject

    def _phrase(self, ctx: "_Context", q: Quantity, floor: int, *, words: PhraseWords) -> tuple[int, int] | None:
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
        dated = self._before_time(ctx, q.start, named_from) if not text[left:q.start].strip("的 ") else q.start
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
        listing = text[a:b].endswith("等") or "、" in text[a:b]
        if a < b and not self._only_change(text[a:b]) and not listing:
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
            # Nothing but a place (其中常熟市2例) or a verb (开工3条) before the number, and no noun
            # after it: the place, else the verb, names what is counted.
            for lead in (words.lead, ()):
                bare = dataclasses.replace(words, lead=lead, place_suffix=())
                a, b = trim_phrase(text, left, q.start, words=bare, boundaries=ctx.boundaries)
                if a < b and not self._only_change(text[a:b]) and text[a:b] not in self.joiners:
                    return a, b
            return None
        return right

    def _before_time(self, ctx: "_Context", pos: int, floor: int) -> int:
        """The start of a time, and 的, that end right at `pos` (从|2021年底的|300家), else `pos`."""
        end = pos - 1 if ctx.text[pos - 1:pos] == "的" else pos
        t = next((t for t in ctx.times.starting_in(floor, end) if t.end == end), None)
        return pos if t is None else t.start

    def _from_to(self, ctx: "_Context", s: int, a: Quantity, b: Quantity) -> bool:
        """从A增长至B, also with a time before each value (从2021年底的300家增加到2023年底的400家)."""
        a_start = self._before_time(ctx, a.start, s)
        if not ctx.text[max(s, a_start - 2):a_start].endswith(self.span_from):
            return False
        return _is_span(ctx.text[a.end:self._before_time(ctx, b.start, a.end)], self.up + self.down, self.span_to)

    def _past_names(self, ctx: "_Context", left: int, end: int) -> int:
        """Move `left` past the times and organisations in [left, end): they are the period
        and the subject, not the indicator."""
        # `left` only moves right, so what starts before it at first never counts.
        for t in ctx.times.starting_in(left, end) + ctx.orgs.starting_in(left, end):
            if left <= t.start and t.end <= end:
                left = max(left, t.end)
        return left

    def _extend_to_surface(self, text: str, left: int, a: int, b: int) -> tuple[int, int]:
        """Undo a cut that went into a lexicon surface (地区|生产总值, 城镇|调查失业率)."""
        hit = find_surface(text[left:b], self.lexicon)
        if hit and a < b and left + hit[0] < a < left + hit[1]:
            return left + hit[0], b
        return a, b

    def _right_phrase(self, ctx: "_Context", q: Quantity) -> tuple[int, int] | None:
        text = ctx.text
        end = q.end
        start = q.end
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
            if end > start + 1 and end in ctx.boundaries and any(text.startswith(w, end) for w in self.right_stop):
                break
            end += 1
        a, b = trim_phrase(text, start, end, words=self.words, boundaries=ctx.boundaries)
        return (a, b) if a < b else None

    def _attributive(self, ctx: "_Context", q: Quantity) -> bool:
        """An amount with 以上/以下 right before a noun qualifies it (亿元以上重大产业项目)."""
        nxt = ctx.text[q.end:q.end + 1]
        return q.text.endswith(self.bounds) and bool(nxt) and "\u4e00" <= nxt <= "\u9fff" and nxt != "的"

    def _ends_in_verb(self, text: str, a: int, b: int, boundaries: frozenset[int]) -> bool:
        """Whether jieba tags the last word of text[a:b] as a verb (省经合局梳理, 重点服务保障).
        The article is segmented already, so only the last word is tagged, unless the phrase
        ends inside a word (3家营收|超千亿 in 家营/收超): then the phrase is tagged on its own."""
        last = next((p for p in range(b - 1, a, -1) if p in boundaries), a) if b in boundaries else a
        words = list(self.tagger.cut(text[last:b]))
        return bool(words) and words[-1].flag == "v"

    def _indicator_id(self, phrase: str) -> str | None:
        """The lexicon id of an indicator phrase; none for a share (出口额占出口总值), which
        the lexicon does not list."""
        if any(m in phrase for m in self.share_markers):
            return None
        hit = find_surface(phrase, self.lexicon)
        return hit[2] if hit else None

    def _clause_period(self, ctx: "_Context", q: Quantity, floor: int) -> Time | None:
        """A time in the number's own clause, before it, overrides the sentence's period."""
        left = max(clause_start(ctx.text, q.start), floor)
        found = [t for t in ctx.times.starting_in(left, q.start) if t.end <= q.start and t.resolved and t.start_date and not is_reference(ctx.text, t)]
        return found[-1] if found else None

    # -- metrics -------------------------------------------------------------------------

    def _metrics(self, ctx: "_Context", s: int, qs: list[Quantity], period: Time | None) -> list[Metric]:
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
            anchor, skipped = q.end, []
            # 1067.27亿元，增长6% : the rate is the previous metric's change.
            if prev is not None and q.unit in CHANGE_UNITS and prev.change is None:
                m = self.change_gap.match(gap)
                if m:
                    # 营业收入2150亿元，利润总额135亿元，分别增长5.2%和9.8%: one rate per earlier metric.
                    rates, owners = [n], [last[1]]
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
                        change = signed_change(m["word"], qs[k].value, up=self.up, down=self.down)
                        out[i] = dataclasses.replace(out[i], change=change, change_unit=CHANGE_UNITS[qs[k].unit], end=max(out[i].end, qs[k].end), text=text[out[i].start:max(out[i].end, qs[k].end)])
                    consumed.update(rates)
                    last = (qs[rates[-1]], owners[-1])
                    continue
            if prev is not None and self.change_gap.match(gap):
                # …增长46.9%，两年平均增长7.5% / 常住人口…，比上年末增加1.7万人: a second rate, or an
                # increment, of the same indicator, named after it.
                m = self.change_gap.match(gap)
                label = text[clause_start(text, q.start, floor=s):q.start].strip()
                change = signed_change(m["word"], q.value, up=self.up, down=self.down) if q.unit in CHANGE_UNITS else None
                source = next((h for h, sib in groups.items() if last[1] in sib), last[1])
                seconds[len(out)] = (source, label)
                out.append(self._metric(ctx, s, q, prev.indicator + label, prev.start, self._clause_period(ctx, q, last[0].end) or period, start=q.start, change=change))
                last = (q, len(out) - 1)
                continue
            floor = max(last[0].end, prev.end if prev else 0) if last else s
            clause_time = self._clause_period(ctx, q, floor)
            same_unit = last is not None and last[0].unit == q.unit
            if prev is not None and same_unit and self._from_to(ctx, s, last[0], q):
                # 从1.16万名增长至1.42万名: the second value measures the first one's indicator.
                times = [t for t in ctx.times.starting_in(s, prev.start) if t.resolved]
                if len(times) >= 2 and not clause_time:
                    out[last[1]] = dataclasses.replace(prev, period=period_of(times[-2].start_date, times[-2].end_date, times[-2].granularity))
                    clause_time = times[-1]
                out.append(self._metric(ctx, s, q, prev.indicator, prev.start, clause_time or period, start=q.start))
                if out[last[1]].period == out[-1].period:
                    # One time for both (截至2021年底…从214家扩充至457家) is the second value's;
                    # the first value's is not stated.
                    out[last[1]] = dataclasses.replace(out[last[1]], period=None)
            elif prev is not None and same_unit and gap.strip() in self.joiners:
                # 分别增长22.8%、14.2%和11.1%: the same kind of figure for the next item of a list.
                change = None if prev.change is None else (q.value if prev.change >= 0 else -q.value)
                head = next((h for h, sib in groups.items() if last[1] in sib), last[1])
                groups.setdefault(head, []).append(len(out))
                out.append(self._metric(ctx, s, q, prev.indicator, prev.start, clause_time or period, start=q.start, change=change))
            else:
                span = self._phrase(ctx, q, floor, words=self.words)
                move = longest_at_start(q.text, self.rank_moves) if q.unit == "rank" else ""
                if move and (span is None or span[1] <= q.start):
                    # 较上一年度进位34位: a move in a ranking, named by its clause.
                    span = (clause_start(text, q.start, floor=s), q.start + len(move))
                if span is None:
                    if prev is None or not (same_unit or q.unit == "rank"):
                        last = (q, None)
                        continue
                    # 工业总产值突破万亿，达10051.6亿元 / …4家，连续4年位居全省首位: the previous indicator.
                    out.append(self._metric(ctx, s, q, prev.indicator, prev.start, clause_time or period, start=q.start))
                else:
                    a, b = span
                    change = None
                    tail = self.change_tail.search(text[a:q.start])
                    if tail and a + tail.start() > a and (q.unit in CHANGE_UNITS or tail["to"]):
                        # 增长6%: the number is a change; 提高到3.2%: it is the new level. An amount
                        # (标准提高30元) keeps its change word: the number is an increment.
                        if not tail["to"]:
                            change = signed_change(tail["word"], q.value, up=self.up, down=self.down)
                        b = min(b, a + tail.start())
                    out.append(self._metric(ctx, s, q, text[a:b], a, clause_time or period, start=min(a, q.start), change=change, end=max(q.end, b)))
            last = (q, len(out) - 1)
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
        return out

    def _joined(self, ctx: "_Context", qs: list[Quantity], n: int) -> list[int]:
        """Indices of the numbers that follow qs[n] as a list (5.2%和9.8%, 22.8%、14.2%)."""
        out = []
        for k in range(n + 1, len(qs)):
            if qs[k].unit != qs[n].unit or ctx.text[qs[k - 1].end:qs[k].start].strip() not in self.joiners:
                break
            out.append(k)
        return out

    def _list_items(self, ctx: "_Context", qs: list[Quantity], head: Metric, n: int) -> list[str]:
        """Indicators of a 分别 list: 集成电路、前沿新材料产值分别增长… -> 集成电路产值, 前沿新材料产值.
        Empty when the clause before the first number does not list exactly `n` items."""
        text = ctx.text
        q = next(q for q in qs if _quantity_id(ctx, q) == head.quantity_id)
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

    def _only_change(self, phrase: str) -> bool:
        """Whether a phrase is nothing but a change (增长, 同比大幅增长): no indicator in it."""
        tail = self.change_tail.search(phrase)
        return bool(tail) and tail.start() == 0

    def _hedged(self, ctx: "_Context", q: Quantity) -> bool:
        """A number under a hedge (不太可能突破两万亿元, 是否有机会…) states no fact."""
        left = clause_start(ctx.text, q.start)
        return any(h in ctx.text[left:q.start] for h in self.hedges)

    def _metric(self, ctx: "_Context", s: int, q: Quantity, indicator: str, at: int, period: Time | None, *, start: int, change: Decimal | None = None, end: int | None = None) -> Metric:
        end = q.end if end is None else end
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
            period=period_of(period.start_date, period.end_date, period.granularity) if period else None,
            value=q.value,
            unit=q.unit,
            qualifier=q.qualifier,
            change=change,
            change_unit=CHANGE_UNITS[q.unit] if change is not None else None,
            quantity_id=_quantity_id(ctx, q),
        )

    # -- goals ---------------------------------------------------------------------------

    def _future(self, ctx: "_Context", t: Time) -> bool:
        if not (t.resolved and t.end_date):
            return False
        return ctx.article_date is None or dt.date.fromisoformat(t.end_date) >= ctx.article_date

    def _trigger(self, ctx: "_Context", s: int, e: int) -> tuple[int, int, str] | None:
        """The first goal trigger of the sentence [s, e): (start, end, trigger text)."""
        text = ctx.text
        sentence_times = ctx.times.starting_in(s, e)
        # A comparison base (比去年增加5600亿元) says nothing of when the sentence speaks.
        past = any(
            (t.resolved and t.end_date and not self._future(ctx, t)) or (not t.resolved and t.text.startswith(self.past_words))
            for t in sentence_times if not is_reference(text, t)
        )
        future = any(self._future(ctx, t) for t in sentence_times)
        found: list[tuple[int, int, str]] = []
        for word in self.triggers:
            # str.find, not a regex per trigger word and sentence: this runs for every sentence.
            a = text.find(word, s, e)
            while a >= 0:
                at, a = a, text.find(word, a + 1, e)
                if self._blocked(text, at, word):
                    continue
                if ctx.orgs.overlaps(at, at + 1):
                    continue  # 东莞市倍增计划工作领导小组办公室: part of a name
                if word in self.noun_like and (at + len(word) >= e or text[at + len(word)] in CLAUSE_PUNCT or text[at + len(word)] in "”’、》」』）)的"):
                    continue  # a noun (覆盖计划，, 投资计划的70.9%), not a trigger
                if word in self.future_only and not future:
                    continue
                if word in self.unless_past and past:
                    continue
                found.append((at, at + len(word), word))
        for t in sentence_times:
            prefix = longest_at_end(text[s:t.start], self.time_prefixes)
            if prefix and not self._blocked(text, t.start - len(prefix), prefix) and self._future(ctx, t):
                found.append((t.start - len(prefix), t.end, text[t.start - len(prefix):t.end]))
        for phrase in self.phrases:
            pos = text.find(phrase, s, e)
            if pos >= 0:
                found.append((pos, pos + len(phrase), phrase))
        return min(found, key=lambda f: (f[0], f[1])) if found else None

    def _blocked(self, text: str, at: int, word: str) -> bool:
        """Whether the trigger `word` at `at` is part of a longer non-trigger word (将近, 截至)."""
        return any(text.startswith(b, at - b.index(word)) for b in self.blockers if word in b and at - b.index(word) >= 0)

    def _after_trigger(self, ctx: "_Context", q: Quantity) -> bool:
        """A number followed, in its clause, by 的目标 (…增长6%左右的目标)."""
        end = q.end
        while end < len(ctx.text) and ctx.text[end] not in CLAUSE_PUNCT:
            end += 1
        return any(w in ctx.text[q.end:end] for w in self.after)

    def _goals(self, ctx: "_Context", s: int, e: int, trigger: tuple[int, int, str] | None, qs: list[Quantity], goal_qs: list[Quantity], *, scope: int, period: Time | None) -> list[Goal]:
        text = ctx.text
        out: list[Goal] = []
        horizon: Quantity | None = None
        floor = trigger[1] if trigger else s
        for q in qs:
            before = text[max(s, q.start - 3):q.start]
            if q.unit in DURATION_UNITS and any(before.endswith(w) for w in self.horizon_before):
                horizon = q  # 通过5年努力, 用3年时间
        baseline: tuple[int, int] | None = None
        for q, nxt in zip(goal_qs, goal_qs[1:] + [None]):
            if q.unit in DURATION_UNITS or self._skip(ctx, q):
                continue
            prev_end = max([floor] + [p.end for p in qs if p.end <= q.start])
            if nxt is not None and any(w in text[prev_end:q.start] for w in self.span_from) and _is_span(text[q.end:nxt.start], self.up + self.down, self.span_to):
                # 从人均8.7万元提高到12万元以上: the first number is where the target starts from;
                # its phrase names the target.
                baseline = self._phrase(ctx, q, prev_end, words=self.goal_words)
                continue
            deadline = next((t for t in reversed(ctx.times.starting_in(scope, q.start)) if t.end <= q.start and self._future(ctx, t)), None)
            if deadline is None and period is not None and self._future(ctx, period):
                deadline = period  # 今年发展的主要预期目标是：… stated in an earlier sentence
            span = self._phrase(ctx, q, prev_end, words=self.goal_words) or baseline
            baseline = None
            if span is None and trigger is not None and trigger[0] >= s and clause_start(text, trigger[0]) == clause_start(text, q.start):
                # 固定资产投资计划增长5%, 地区生产总值预期增长目标6%左右: the phrase before the trigger.
                left = self._past_names(ctx, clause_start(text, trigger[0], floor=s), trigger[0])
                a, b = trim_phrase(text, left, trigger[0], words=self.goal_words, boundaries=ctx.boundaries, names=ctx.names)
                span = self._extend_to_surface(text, left, a, b) if a < b else None
            a, b = span if span else (q.start, q.start)
            trig = trigger[2] if trigger else longest_at_end(text[q.end:e], ("目标",)) or "目标"
            start = trigger[0] if trigger and trigger[0] >= s and not out else min(a, q.start)
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
                    deadline=deadline.end_date[:4] if deadline else None,
                    subject=self._subject(ctx, s, q.start),
                    quantitative=True,
                    quantity_id=_quantity_id(ctx, q),
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
                    subject=self._subject(ctx, s, trigger[0]),
                    quantitative=False,
                )
            )
        return out

    def _comparator(self, ctx: "_Context", q: Quantity, floor: int) -> str:
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


@dataclasses.dataclass(frozen=True)
class _Context:  # frozen but not slotted, so `names` can be a cached property
    """What the linker reads for one document."""

    text: str
    doc_id: str
    article_date: dt.date | None
    boundaries: frozenset[int]
    times: SpanIndex[Time]
    orgs: SpanIndex[Organization]
    places: SpanIndex[tuple[int, int]]
    quantities: SpanIndex[Quantity]
    place_suffix: tuple[str, ...]

    @functools.cached_property
    def quantity_at(self) -> dict[int, Quantity]:
        """Quantities by start (the last of those that share one)."""
        return {q.start: q for q in self.quantities}

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """Subject names of the article: organisations, places, and places without their
        suffix (东莞市 -> 东莞), to cut from the front of an indicator phrase."""
        out = {o.name for o in self.orgs} | {self.text[a:b] for a, b in self.places}
        for a, b in self.places:
            word = self.text[a:b]
            suffix = longest_at_end(word, self.place_suffix)
            if len(word) - len(suffix) >= 2:
                out.add(word[: len(word) - len(suffix)])
        return frozenset(out)

    @functools.cached_property
    def main_subject(self) -> str | None:
        """The article's subject: its most named government body or park, else the place
        word it names most (at least twice), else None."""
        bodies = collections.Counter(o.canonical or o.name for o in self.orgs if o.org_type in ("government", "park"))
        if bodies:
            return bodies.most_common(1)[0][0]
        places = collections.Counter(self.text[a:b] for a, b in self.places).most_common(1)
        return places[0][0] if places and places[0][1] >= 2 else None


def _quantity_id(ctx: _Context, q: Quantity) -> str:
    return f"{ctx.doc_id}:quantity:{q.start}-{q.end}"


def _alternation(words: Sequence[str]) -> str:
    """A regex alternation of `words`, longest first, so 同比增长 wins over 增长.

    >>> _alternation(["增长", "同比增长"])
    '同比增长|增长'
    """
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


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


def _is_span(gap: str, change_words: Sequence[str], span_to: Sequence[str]) -> bool:
    """从A增长至B: the text between A and B is a change word and 至/到 (or only 至/到).

    >>> _is_span("增长至", ("增长",), ("至",))
    True
    >>> _is_span("，增长", ("增长",), ("至",))
    False
    """
    rest = gap.strip()
    to = longest_at_end(rest, span_to)
    if not to:
        return False
    rest = rest[: len(rest) - len(to)]
    return rest == "" or rest in change_words


__all__ = ["Linker", "make_linker"]
