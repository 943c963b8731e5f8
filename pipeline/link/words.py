"""The rule words the linker reads (rules/indicators.toml, rules/goals.toml, rules/times.toml),
read once per pipeline into one frozen-after-init object that every linker part shares."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Sequence

import jieba.posseg
import regex

from ..rules import Rules
from ..types import Quantity
from .indicators import Lexicon, PhraseWords, alternation
from .postag import tagger_of

SOURCE = "rule:link.v1"
DURATION_UNITS = frozenset({"year", "month", "day", "hour", "minute"})
# Units of a change, and the unit its `change` is given in: 增长2倍 is a change of +200%
# (DESIGN: change_unit is % or pp; 增长N倍 adds N times the base).
CHANGE_UNITS = {"%": "%", "pp": "pp", "times": "%"}
CHANGE_SCALE = {"times": Decimal(100)}
# Longest phrase read to the right of a number (近400家规模以上工业企业).
RIGHT_LIMIT = 16
# A comparison reference such as 较分区前 / 比2020年 is short; longer text is a new phrase.
OPENER_REACH = 12


def change_value(q: Quantity) -> Decimal:
    """The size of the change a rate states, in its change unit (增长2倍 -> 200).

    >>> change_value(Quantity(start=0, end=2, text="2倍", source="t", value=Decimal(2), unit="times", unit_text="倍", dimension="multiple"))
    Decimal('200')
    """
    return q.value * CHANGE_SCALE.get(q.unit, 1)


def _not_inside(words: tuple[str, ...], openers: tuple[str, ...]) -> str:
    """A lookahead that fails where an opener is part of one of `words` (占|比, 比|重).

    >>> p = regex.compile(_not_inside(("占比",), ("比",)) + "比")
    >>> bool(p.search("占比")), bool(p.search("比上年"))
    (False, True)
    """
    parts = []
    for w in words:
        i = min(w.find(o) for o in openers if o in w)
        parts.append(f"(?<={regex.escape(w[:i])}){regex.escape(w[i:])}" if i else regex.escape(w))
    return f"(?!{'|'.join(parts)})" if parts else ""


def any_of(words: Sequence[str]) -> regex.Pattern:
    """A pattern found wherever one of `words` is, none for no words: one search, not a test per word.

    >>> bool(any_of(["以上", "以下"]).search("亿元以上")), bool(any_of([]).search("亿元"))
    (True, False)
    """
    return regex.compile(alternation(words) if words else "(?!)")


# Most phrases whose POS flags are kept: the short words tagged repeat across articles.
FLAG_CACHE = 50_000


class LinkWords:
    """Words and patterns of the link stage, built from the rules."""

    def __init__(self, *, rules: Rules, tagger: jieba.posseg.POSTokenizer) -> None:
        self.tagger = tagger_of(tagger)  # its HMM compiled, when pipeline.link._viterbi is built
        self._flags: dict[str, tuple[str, ...]] = {}  # phrase -> its words' POS flags (pos_flags)
        self.frames = rules.frames
        self.same_period = tuple(rules.times.same_period["words"])
        self.relative_years = tuple(sorted(rules.times.relative_years, key=len, reverse=True))
        ind, goals = rules.indicators, rules.goals
        self.lexicon = Lexicon.of(ind.surfaces)
        self.right_stop = tuple(ind.context["right_stop"])
        self.any_right_stop = any_of(self.right_stop)
        self.prefer_right = tuple(ind.context["prefer_right"])
        self.hedges = any_of(ind.context["hedges"])
        self.skip_units = frozenset(ind.context["skip_units"])
        self.share_markers = tuple(ind.context["share_markers"])
        self.bounds = tuple(ind.context["bounds"])
        self.rate_durations = frozenset(ind.context["rate_durations"])
        self.base_fillers = tuple(ind.context["base_fillers"])
        self.named_heads = tuple(ind.context["named_heads"])
        self.head_counters = frozenset(ind.context["head_counters"])
        self.per_before = tuple(ind.context["per_before"])
        self.enumeration_nouns = tuple(ind.context["enumeration_nouns"])
        self.fixed_terms = tuple(ind.context["fixed_terms"])
        self.copulas = tuple(ind.context["copulas"])
        self.attributive_after = tuple(ind.context["attributive_after"])
        self.rank_moves = tuple(goals.changes["rank_moves"])
        self.joiners = frozenset(ind.context["joiners"])
        self.respectively = tuple(goals.changes["respectively"])
        self.place_suffix = tuple(ind.context["place_suffix"])
        self.generic_places = frozenset(ind.context["generic_places"])
        # Generic words that make a longer word ending in them a kind of area (现代农业|示范区);
        # a two-character one only as the whole word (萧山区 is no 山区).
        self.generic_endings = tuple(g for g in self.generic_places if len(g) >= 3)
        # The last characters of place and area words: only a word ending in one is either.
        self.place_ends = regex.compile("|".join(sorted({regex.escape(w[-1]) for w in self.place_suffix + tuple(self.generic_places)})))
        self.park_words = frozenset(h for h, kind in rules.org_patterns.heads if kind == "park")
        self.words = PhraseWords.from_rules(ind.context)
        trig = goals.triggers
        self.goal_words = PhraseWords.from_rules(ind.context, extra_lead=trig["words"])
        # The phrase words without place suffixes, with and without their lead words, that
        # read a bare verb or place (其中常熟市2例); built here, not per number.
        self.bare_words = {
            w: tuple(dataclasses.replace(w, lead=lead, place_suffix=()) for lead in (w.lead, ()))
            for w in (self.words, self.goal_words)
        }
        self.triggers = tuple(sorted(trig["words"], key=len, reverse=True))
        # Whether a sentence holds any trigger word at all: most hold none, and one search
        # spares them a str.find per trigger word.
        self.any_trigger = any_of(self.triggers)
        self.future_only = frozenset(trig["future_only"])
        self.unless_past = frozenset(trig["unless_past"])
        self.blockers = tuple(trig["blockers"])
        self.noun_like = frozenset(trig["noun_like"])
        self.qualitative = frozenset(trig["qualitative"])
        self.after = tuple(trig["after"])
        self.time_prefixes = tuple(trig["time_prefixes"])
        self.time_prefix_reach = max(map(len, self.time_prefixes), default=0)
        self.phrases = tuple(trig["phrases"])
        self.any_phrase = any_of(self.phrases)
        self.stop_words = goals.stop_words
        self.frame_openers = goals.frame_openers
        self.current_year = goals.current_year
        self.fact_markers = tuple(trig["fact_markers"])
        # What every fact marker ends with (统计 of 据…统计): a sentence with none holds no marker.
        self.marker_ends = any_of([m.rsplit("…", 1)[-1] for m in self.fact_markers])
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
        self.span_to, self.span_from, self.span_now = tuple(ch["span_to"]), tuple(ch["span_from"]), tuple(sorted(ch["span_now"], key=len, reverse=True))
        # Words that join two numbers (增长, 至, 、): then the first is no part of the second's noun.
        self.change_words = self.up + self.down
        self.number_joins = any_of(self.change_words + self.span_to + tuple(self.joiners))
        self.span_joins = self.change_words + tuple(ch["span_verbs"])  # what joins 从A…到B
        self.comparison_openers = tuple(ch["openers"])  # 较, 比 (also inside 同比, 环比)
        alt = alternation
        opener = f"{_not_inside(ch['not_openers'], ch['openers'])}(?:{alt(ch['openers'])})[^，,；;。]{{1,{OPENER_REACH}}}?"
        # What may stand between a metric and its growth rate: ，同比增长 / ，较分区前增长 / 增长了
        self.change_gap = regex.compile(
            f"^\\s*[，,、]?\\s*(?:(?:{alt(ch['bases'])}|{opener})\\s*)*(?P<word>{alt(ch['up'] + ch['down'])})(?:{alt(ch['links'])})?$"
        )
        self.change_tail = regex.compile(
            f"(?:(?:{alt(ch['bases'])}|{opener})\\s*)*(?P<word>{alt(ch['up'] + ch['down'])})(?:{alt(ch['links'])})?(?P<to>{alt(ch['span_to'])})?$"
        )

    def pos_flags(self, phrase: str) -> tuple[str, ...]:
        """The part-of-speech flags jieba gives the words of `phrase`, looked up once per
        phrase: the same few words (增长, 达到, 园区) are tagged over and over."""
        flags = self._flags.get(phrase)
        if flags is None:
            if len(self._flags) >= FLAG_CACHE:
                self._flags.clear()
            flags = self._flags[phrase] = tuple(w.flag for w in self.tagger.cut(phrase))
        return flags
