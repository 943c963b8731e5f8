"""Quantities: every number with its unit (DESIGN.md "quantity"), found on characters.

`QuantityFinder` scans the text for numerals with a regex built from rules/numerals.toml,
then reads what sits around each one: a unit (rules/units.toml, longest surface first),
a range (5至10年), a fraction (三分之一), a rank (第80位, 前70位), qualifier words
(rules/qualifiers.toml). Values are resolved by `pipeline.normalise`. Segmentation only
validates: a match must start where a jieba word starts (not 四人民币 inside 李四人民币),
and may end inside a word only as rules/units.toml [boundaries] allows (5 / 年内).
Names and slogans (rules/quantity_exclusions.toml) and anything the times component
found are dropped; overlaps are resolved once, by `resolve_overlaps`.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import NamedTuple, Sequence

from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

from ..normalise.numbers import NumberParser, Reading, number_parser, width_folder
from ..normalise.quantities import (
    currency_unit,
    discount_percent,
    fraction_percent,
    is_year,
    qualifier,
    scaled,
)
from ..rules import Rules, UnitSpec, load_rules
from ..segment import text_of
from ..types import Quantity
from . import SpanIndex, records_of, resolve_overlaps, token_boundaries

SOURCE = "rule:quantities.v1"
# A numeral longer than this is a code, a table row or noise, not a quantity.
MAX_NUMERAL = 40
# Range separators: 5至10年, 10-20亿元, 两到三万, 1万(含)-5万元.
_RANGE = re.compile(r"(?:[(（]含[)）])?(?:至|到|——|—|–|-|~|～|－)")
# Between two quantities that each carry a unit (1万元--5万元, 8500元到3万港元): a range.
_RANGE_JOIN = re.compile(r"(?:至|到|——|—|–|--?|~|～|－)")
# Two quantities joined by and, then 之间 (在10万元与20万元之间, 第十和第十五之间): a range.
_BETWEEN_JOIN = re.compile(r"(?:和|与|及)")
_BETWEEN_END = ("之间", "间")
# A proper fraction written with a slash (近1/3的企业) is a percentage, as 三分之一 is; not
# inside a date or a code (2021/1/2, 1/2/3).
_SLASH_FRACTION = re.compile(r"(?<![\d./])(\d{1,3})/(\d{1,3})(?![\d./%])")
_SPACES = re.compile(r"[ \t]{1,2}")
_CLAUSE_END = re.compile(r"[，。；！？、：,;!?\n]")


def _alternation(words) -> str:
    """A regex alternation of literal words, longest first (so 超过 wins over 超)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


class Found(NamedTuple):
    """A resolved quantity candidate, before overlap resolution (a tuple: a frozen
    dataclass set each field through object.__setattr__, 4x the cost)."""

    start: int
    end: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    unit_text: str
    dimension: str
    qualifier: str
    priority: int = 0


class QuantityFinder:
    """Find and resolve quantities in plain text with one `Rules`. No spaCy needed."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        n, u, q = rules.numerals, rules.units, rules.qualifiers
        self.parser: NumberParser = number_parser(rules)
        self.fold = width_folder(n.fold)
        # A full-width ， between full-width digits groups thousands (１１１，１１１): fold it
        # to , there only (1:1, so offsets hold). The lookbehind after the ， lets the
        # engine look for ， alone.
        wide = "".join(chr(k) for k, v in n.fold.items() if chr(v).isdigit())
        self.wide_comma = re.compile(rf"，(?<=[{wide}]，)(?=[{wide}]{{3}}(?![{wide}]))")
        self.numchars = set(n.digits) | set(n.units) | set(n.text_scales) | set(n.expansions) | set(n.vague_digit)
        self.scale_chars = frozenset(n.text_scales) | frozenset(n.arabic_scales)
        self.unit_chars = frozenset(n.units)
        self.digit_chars = frozenset(n.digits) | frozenset("0123456789")
        chars = re.escape("".join(sorted(self.numchars)))
        digits = re.escape("".join(sorted(n.digits)))
        sep = re.escape("".join(n.thousands_separator))
        points = re.escape("".join(p for p in n.decimal_point if p != "."))
        more = re.escape("".join(n.vague_more))
        neg = _alternation(n.negative)
        arabic_scales = re.escape("".join(n.arabic_scales))
        # ASCII , always groups thousands; the full-width ， only before decimals (82，225.00),
        # since in running text it is mostly punctuation ($20，300美圆).
        arabic = (
            rf"\d+(?:(?:,\d{{3}}(?!\d))+|(?:[{sep}]\d{{3}}(?!\d))+(?=\.\d))?(?:\.\d+)?"
            rf"(?:[{arabic_scales}](?![A-Za-z]))?"
        )
        lead = re.escape("".join(n.vague_lead))
        mult = re.escape("".join(sorted(set(n.units) | set(n.text_scales))))
        # A lookahead of the characters a numeral opens with (a sign, 半, a digit, a numeral
        # character or a vague lead) spares the engine the alternatives at every other
        # character: 60 -> 23 ms on bench text (tests check it changes no match).
        first = re.escape("".join(sorted({w[0] for w in n.negative} | {n.half[0]} | self.numchars | set(n.vague_lead))))
        self.numeral = (
            rf"(?:(?<![\d{chars}.)）])(?:{neg})(?=[\d{chars}]))?"
            rf"(?:{re.escape(n.half)}(?![\d{chars}])|(?:{arabic}|[{chars}]|[{lead}](?=[{mult}]))"
            rf"(?:{arabic}|[{chars}]|[{points}](?=[\d{digits}])|[{more}])*)"
        )
        self.core = re.compile(rf"(?=[\d{first}]){self.numeral}")
        self.units = u.suffixes
        self.unit_re = re.compile(
            "|".join(
                re.escape(s) + ("(?![A-Za-z])" if s.isascii() else "")
                for s in sorted(list(u.suffixes) + list(u.counts), key=lambda s: (-len(s), s))
            )
        )
        self.counts = u.counts
        self.prefix_re = re.compile(rf"(?:{_alternation(u.prefixes)})[ \t]{{0,2}}$")
        self.sub_re = {
            unit: re.compile(rf"(?:又|零)?((?:\d+|[{chars}]+))({_alternation(subs)})")
            for unit, subs in u.subunits.items()
        }
        self.before_re = re.compile(rf"(?:{_alternation(q.before)})$")
        self.after_re = re.compile(_alternation(q.after))
        self.max_before = max(len(w) for w in q.before)
        self.max_prefix = max(len(w) for w in u.prefixes) + 2
        r = u.rank
        self.rank = r
        self.rank_suffix_re = re.compile(_alternation(r.suffixes))
        self.rank_prefix_re = re.compile(rf"(?:{_alternation(r.prefixes)})$")
        self.top_suffix_re = re.compile(_alternation(r.top_suffixes))
        self.move_re = re.compile(rf"(?:{_alternation(r.moves)})$")
        self.move_suffix_re = re.compile(_alternation(r.move_suffixes))
        self.max_rank_word = max(len(w) for w in r.prefixes + r.moves)
        self.fixed_re = re.compile(_alternation(u.fixed)) if u.fixed else None
        figure = r"(?<![0-9A-Za-z.])\d+(?:\.\d+)?"
        self.figure_re = re.compile(figure)
        self.list_before_re = re.compile(rf"(?:{figure}(?:{_alternation(n.list_joiners)}))+$")
        # That run ends with a joiner: a test of the character before a figure spares the
        # search of the 80 characters before it (6,480 -> 420 searches on bench text).
        self.list_joiners = tuple(n.list_joiners) or ("",)
        self.context_words = u.context_words
        self.context_span = u.context_window + max(len(w) for w in u.context_words)
        self.context_spec = next(
            s for s in u.suffixes.values() if s.unit == u.context_unit and s.factor == 1
        )

    # ---- reading numerals ----

    def _read(self, core: str, *, implied_one: bool) -> Reading | None:
        """The value of a found numeral; a bare magnitude (亿, 千亿) only when allowed."""
        n = self.rules.numerals
        if self.digit_chars.isdisjoint(core) and core[0] not in ("十", "拾", n.half):
            if core[0] in n.vague_digit or core[0] in n.vague_lead:
                return self.parser.read(core)  # 几十万, 数十亿
            if not (implied_one or len(core) > 1):
                return None
            core = "一" + core
        return self.parser.read(core)

    def _adjacent_range(self, core: str) -> tuple[Reading, Decimal] | None:
        """三五百 is 300 to 500, 七八个 7 to 8: two rising digits before the multipliers."""
        n = self.rules.numerals
        if len(core) < 2 or core[0] not in n.digits or core[1] not in n.digits:
            return None
        lo, hi = n.digits[core[0]], n.digits[core[1]]
        if not 0 < lo < hi or any(c not in self.unit_chars and c not in self.scale_chars for c in core[2:]):
            return None
        r1, r2 = self.parser.read(core[0] + core[2:]), self.parser.read(core[1:])
        return (r1, r2.value) if r1 is not None and r2 is not None else None

    # ---- finding ----

    def find(self, text: str, *, token_starts: Sequence[int] | None = None, boundaries: frozenset[int] | None = None) -> list[Found]:
        """Every quantity candidate in `text` (overlapping ones included).

        token_starts: sorted offsets where segmentation starts a word; None skips the
        word-boundary check (for callers without a segmenter). boundaries: those offsets
        and the text's end as a set, when the caller has one (the doc's): a set made here
        per call cost some 80 bytes a word on a long article. Either set serves, since every
        position tested for a start is before the text's end or counts the end as one.
        """
        folded = self.fold(self.wide_comma.sub(",", text))
        starts = boundaries if boundaries is not None else set(token_starts) if token_starts is not None else None
        out: list[Found] = []
        for m in self.core.finditer(folded):
            found = self._at(folded, m.start(), m.end(), starts, token_starts)
            if found is not None:
                out.append(found)
        if self.fixed_re is not None:
            for m in self.fixed_re.finditer(folded):
                value, unit, dimension = self.rules.units.fixed[m.group()]
                if starts is None or (m.start() in starts and self._ends_ok(folded, m.start(), m.end(), starts, token_starts)):
                    out.append(Found(m.start(), m.end(), value, None, unit, m.group(), dimension, "exact"))
        out += self._shared_units(folded, out, starts)
        out += self._joined_ranges(folded, out, starts)
        return self._drop_excluded(folded, out)

    def _joined_ranges(self, text: str, found: list[Found], starts: set[int] | None) -> list[Found]:
        """Two quantities joined by a range word with nothing else between are one range
        (1万元--5万元, 5年至10年): both ends in the canonical unit. A generic 元 on the first
        end takes the second end's currency (从8500元到3万港元 is 8500..30000 HKD)."""
        out = []
        for f in found:
            if f.value_max is not None or f.qualifier != "exact":
                continue
            jm = _RANGE_JOIN.match(text, f.end)
            between = jm is None
            if between:
                jm = _BETWEEN_JOIN.match(text, f.end)
            if jm is None or (f.dimension == "rank" and not between):
                continue
            # A rank's second end starts with its ordinal marker (第十和第十五之间).
            at = jm.end() + (f.dimension == "rank" and text.startswith(self.rank.ordinal, jm.end()))
            cm = self.core.match(text, at)
            if cm is None or cm.start() != at:
                continue
            g = self._at(text, cm.start(), cm.end(), None, None)
            if g is None and f.dimension == "rank":
                # 第十五 before 之间 has no suffix of its own: the first end made it a rank.
                g = self._rank_found(text, jm.end(), cm.end(), cm.group(), self.rank.ordinal, "exact", None, None, cm.end())
            if g is None or g.start != (jm.end() if g.dimension == "rank" else cm.start()):
                continue
            if g.value_max is not None or g.dimension != f.dimension or (between and not text.startswith(_BETWEEN_END, g.end)):
                continue
            if starts is not None and g.end not in starts and g.end != len(text):
                continue
            if g.unit != f.unit and not (f.dimension == "currency" and self._generic_currency(f.unit_text)):
                continue
            if g.value <= f.value:
                continue
            out.append(Found(f.start, g.end, f.value, g.value, g.unit, g.unit_text, g.dimension, g.qualifier))
        return out

    def _generic_currency(self, unit_text: str) -> bool:
        """Whether a unit as written (万元: magnitude, then unit) is the generic 元."""
        spec = self.units.get(unit_text.lstrip("".join(self.scale_chars)))
        return spec is not None and spec.generic

    def _shared_units(self, text: str, found: list[Found], starts: set[int] | None) -> list[Found]:
        """Bare figures listed right before a quantity take its unit and magnitude
        (提高1.7、2.2个百分点; 分别为3、4.5亿元: 3亿元). Arabic figures only: 一、二、三 number
        headings and items."""
        out = []
        for f in found:
            if f.value_max is not None or not text[f.start:f.start + 1].isdigit() or not text.endswith(self.list_joiners, 0, f.start):
                continue
            run = self.list_before_re.search(text, max(0, f.start - 80), f.start)
            if run is None or text.endswith(self.rank.ordinal, 0, run.start()):
                continue  # 第1、2批 are ordinals
            for m in self.figure_re.finditer(text, run.start(), f.start):
                if starts is not None and m.start() not in starts:
                    continue
                # The figure read with the unit as written: all the unit rules apply.
                written = m.group() + f.unit_text
                read = next((g for g in self.find(written) if (g.start, g.end) == (0, len(written))), None)
                if read is not None and read.unit == f.unit:
                    out.append(Found(m.start(), m.end(), read.value, None, read.unit, f.unit_text, read.dimension, "exact"))
        return out

    def _drop_excluded(self, text: str, found: list[Found]) -> list[Found]:
        if not found:
            return found
        # A pattern with a group excludes the group's span (the name inside its quotes).
        spans = sorted(
            (*m.span(1 if ex.pattern.groups else 0), ex.drop)
            for ex in self.rules.quantity_exclusions
            for m in ex.pattern.finditer(text)
        )
        if not spans:
            return found
        starts = [s for s, _, _ in spans]
        longest = max(e - s for s, e, _ in spans)
        keep = []
        for f in found:
            lo = bisect.bisect_left(starts, f.start - longest)
            hi = bisect.bisect_left(starts, f.end)
            for s, e, drop in spans[lo:hi]:
                if drop == "overlap" and f.start < e and s < f.end:
                    break
                if drop == "inside" and s <= f.start and f.end <= e and (s, e) != (f.start, f.end):
                    break
            else:
                keep.append(f)
        return keep

    def _ends_ok(self, text: str, unit_start: int, end: int, starts, token_starts) -> bool:
        """The match may end inside a word only if that word begins with its unit and is
        not one where the unit character is no unit (5 / 年内 yes, 5 / 年级 no)."""
        if end in starts or end == len(text):
            return True
        i = bisect.bisect_right(token_starts, end) - 1
        tok_start = token_starts[i] if i >= 0 else 0
        tok_end = token_starts[i + 1] if i + 1 < len(token_starts) else len(text)
        return unit_start <= tok_start and text[tok_start:tok_end] not in self.rules.units.unit_words_blocked

    def _fused_qualifier(self, text: str, start: int, left: int, token_starts) -> bool:
        """A qualifier jieba joined to the word before it (占地约 / 200亩) still counts,
        unless that word is listed in rules/qualifiers.toml `words_blocked` (签约 / 5个)."""
        i = bisect.bisect_right(token_starts, start) - 1
        tok_start = token_starts[i] if i >= 0 else 0
        tok_end = token_starts[i + 1] if i + 1 < len(token_starts) else len(text)
        return tok_end == left and text[tok_start:tok_end] not in self.rules.qualifiers.words_blocked

    def _before(self, text: str, pos: int) -> str | None:
        m = self.before_re.search(text, max(0, pos - self.max_before), pos)
        return m.group() if m else None

    def _at(self, text: str, cs: int, ce: int, starts, token_starts) -> Found | None:
        if ce - cs > MAX_NUMERAL:
            return None
        core = text[cs:ce]
        unit_m = None
        # 120万千瓦: the 千 the numeral regex took belongs to the unit 千瓦.
        for k in (2, 1):
            if ce - k > cs and text[ce - k] in self.numchars:
                um = self.unit_re.match(text, ce - k)
                if um and um.end() > ce and self.parser.read(text[cs:ce - k]) is not None:
                    ce, core, unit_m = ce - k, text[cs:ce - k], um
                    break
        else:
            um = self._numeral_final_unit(text, cs, ce)
            if um is not None:
                ce, core, unit_m = ce - 1, text[cs:ce - 1], um
        if cs > 0 and text[cs - 1] == self.rank.ordinal:
            return self._rank(text, cs, ce, core, starts, token_starts)
        if cs > 0 and text[cs - 1] == self.rank.top:
            m = self.top_suffix_re.match(text, ce)
            if m:
                return self._rank_found(text, cs - 1, m.end(), core, m.group(), "under", starts, token_starts, m.start())
        mv = self.move_re.search(text, max(0, cs - self.max_rank_word), cs)
        if mv:
            m = self.move_suffix_re.match(text, ce)
            if m:
                return self._rank_found(text, mv.start(), m.end(), core, m.group(), "exact", starts, token_starts, m.start())
        return self._measure(text, cs, ce, core, unit_m, starts, token_starts)

    def _rank(self, text, cs, ce, core, starts, token_starts) -> Found | None:
        """第N: a rank with a suffix (第80位), after a ranking verb (排名第4), or at a clause end."""
        start = cs - 1
        pm = self.rank_prefix_re.search(text, max(0, start - self.max_rank_word), start)
        m = self.rank_suffix_re.match(text, ce)
        if m:
            end, suffix = m.end(), m.group()
        elif pm or (
            (ce == len(text) or text[ce] in self.rank.clause_end)
            # 居全省第一； is a rank, but a clause that opens with 第三， enumerates.
            and start > 0 and not text[start - 1].isspace() and text[start - 1] not in self.rank.clause_end
        ) or (start == 0 and ce == len(text)):
            end, suffix = ce, self.rank.ordinal
        else:
            return None
        if pm and (starts is None or start not in starts):
            start = pm.start()
        return self._rank_found(text, start, end, core, suffix, "exact", starts, token_starts, ce)

    def _rank_found(self, text, start, end, core, suffix, qual, starts, token_starts, unit_start) -> Found | None:
        reading = self.parser.read(core)
        if reading is None or reading.value <= 0 or reading.value != reading.value.to_integral_value():
            return None
        if starts is not None and (start not in starts or not self._ends_ok(text, unit_start, end, starts, token_starts)):
            return None
        return Found(start, end, reading.value, None, "rank", suffix, "rank", qual)

    def _measure(self, text, cs, ce, core, unit_m, starts, token_starts) -> Found | None:
        n = self.rules.numerals
        pos = ce
        value_max = None
        percent: Decimal | None = None
        if unit_m is None and text.startswith(n.fraction, pos):
            m2 = self.core.match(text, pos + len(n.fraction))
            den = self._read(core, implied_one=True)
            num = self.parser.read(m2.group()) if m2 else None
            if den is None or num is None:
                return None
            percent = fraction_percent(num.value, den.value)
            if percent is None:
                return None
            unit_text, pos = n.fraction, m2.end()
            reading = Reading(percent, den.vague or num.vague)
        elif unit_m is None and (sm := _SLASH_FRACTION.match(text, cs)) and sm.end(1) == ce and int(sm[1]) < int(sm[2]):
            percent = fraction_percent(Decimal(sm[1]), Decimal(sm[2]))
            unit_text, pos = "/", sm.end()
            reading = Reading(percent)
        else:
            core2 = None
            if unit_m is None:
                rm = _RANGE.match(text, pos)
                if rm:
                    m2 = self.core.match(text, rm.end())
                    if m2:
                        um2 = self._unit_after(text, m2.end(), m2.group())
                        if um2 is not None:
                            core2, pos, unit_m = m2.group(), m2.end(), um2
                if unit_m is None:
                    unit_m = self._unit_after(text, pos, core)
            # Most numerals (统一, 一些) have no unit, magnitude or currency sign: stop early.
            if (
                unit_m is None and core2 is None and core[-1] not in self.scale_chars
                and not self.prefix_re.search(text, max(0, cs - self.max_prefix), cs)
                and self._adjacent_range(core) is None
            ):
                return None
            if core2 is not None:
                tail = self._scale_tail(core2)
                if len(core) == 1 and core in n.digits:
                    tail = self._scale_tail(core2, units=True)  # 两到三仟 is 2000 to 3000
                first = core if any(c in self.scale_chars for c in core) else core + tail
                r1, r2 = self.parser.read(first), self.parser.read(core2)
                if r1 is None or r2 is None or r2.value <= r1.value:
                    return None
                if is_year(core, unit_m.group().strip(), rules=self.rules) or is_year(core2, unit_m.group().strip(), rules=self.rules):
                    return None
                reading, value_max = r1, r2.value
            else:
                reading = None
                adjacent = self._adjacent_range(core)
                if adjacent is not None:
                    reading, value_max = adjacent
        prefix_spec = None
        left = cs
        pm = self.prefix_re.search(text, max(0, cs - self.max_prefix), cs)
        if percent is None:
            if reading is None:
                qb = self._before(text, cs)
                reading = self._read(core, implied_one=qb is not None)
                if reading is None:
                    return None
            unit_surface = unit_m.group().strip() if unit_m else ""
            if unit_m is not None:
                pos = unit_m.end()
            spec = self.units.get(unit_surface) if unit_surface else None
            if pm:
                p = self.rules.units.prefixes[pm.group().strip()]
                if spec is None or spec.dimension == "currency":
                    chosen = currency_unit(prefix=p, suffix=spec)
                    if chosen is not spec or spec is None or spec.generic:
                        prefix_spec = p
                    spec = chosen
            if prefix_spec is not None:
                left = pm.start()
            if unit_surface in self.counts:
                if core in self.rules.units.article_numerals and value_max is None:
                    return None  # 一个 is "a"; 一到五个 is a range
                spec = UnitSpec(surface=unit_surface, unit=unit_surface, dimension="count", factor=Decimal(1))
            if spec is None:
                spec = self._context_currency(text, cs, ce, core)
                if spec is None:
                    return None
            if is_year(core, unit_surface, rules=self.rules):
                return None
            value = reading.value
            if spec.discount:
                if core == n.half:
                    return None  # 半折 is a [[fixed]] surface: half price
                if value_max is not None and core2 is None:
                    # 三八折 is 3.8折 (38%), not the range 三 to 八
                    value, value_max = Decimal(n.digits[core[0]] * 10 + n.digits[core[1]]), None
                value = discount_percent(value)
                if value is None:
                    return None
            unit_text = self._scale_tail(core) + unit_surface
            if spec.dimension == "currency" and spec.unit in self.sub_re:
                while True:
                    sm = self.sub_re[spec.unit].match(text, pos)
                    sub = self.parser.read(sm.group(1)) if sm else None
                    if sub is None:
                        break
                    value += sub.value * self.rules.units.subunits[spec.unit][sm.group(2)]
                    pos = sm.end()
            if (
                spec.trailing_digit and text[pos:pos + 1] in n.digits
                and text[pos + 1:pos + 2] not in self.numchars and not self.unit_re.match(text, pos + 1)
            ):
                value += n.digits[text[pos]] / 10
                pos += 1
            if spec.dimension not in ("count", "currency", "rank") and text.startswith(n.half, pos) and unit_m is not None:
                value += Decimal("0.5")
                pos += len(n.half)
            factor = spec.factor
            unit, dimension = spec.unit, spec.dimension
            value = scaled(value, factor)
            if value_max is not None:
                value_max = scaled(value_max, factor)
        else:
            value, unit, dimension = percent, "%", "percent"
        vague = reading.vague
        unit_start = ce if unit_m is None else unit_m.start()
        end = pos
        am = self.after_re.match(text, pos)
        qa = None
        if am and (starts is None or self._ends_ok(text, unit_start, am.end(), starts, token_starts)):
            qa, end = am.group(), am.end()
        qb = self._before(text, left)
        start = left - len(qb) if qb else left
        if starts is not None:
            if start not in starts and not (qb and self._fused_qualifier(text, start, left, token_starts)):
                start, qb = left, None
                # jieba keeps letters and digits in one word (GDP9650.19): a figure
                # right after an abbreviation still starts a match.
                if start not in starts and not (text[start - 1:start].isascii() and text[start - 1:start].isalpha()):
                    return None
            if not self._ends_ok(text, unit_start, end, starts, token_starts):
                return None
        qual = qualifier(before=qb, after=qa, vague=vague, qualifiers=self.rules.qualifiers)
        return Found(start, end, value, value_max, unit, unit_text, dimension, qual)

    def _numeral_final_unit(self, text: str, cs: int, ce: int):
        """三两茶叶: the numeral's last character is a unit (rules: ends_numeral) when no
        other unit follows and the rest reads as a number."""
        if ce - 1 <= cs:
            return None
        um = self.unit_re.match(text, ce - 1)
        spec = self.units.get(um.group()) if um and um.end() == ce else None
        if spec is None or not spec.ends_numeral or self.unit_re.match(text, ce):
            return None
        return um if self.parser.read(text[cs:ce - 1]) is not None else None

    def _in_clause(self, text: str, pos: int, words: Sequence[str]) -> bool:
        """Whether one of `words` is in the clause that ends at `pos`."""
        window = _clause_before(text, pos, span=40)
        return any(w in window for w in words)

    def _unit_after(self, text: str, pos: int, core: str):
        """The unit right after a numeral (up to two spaces between)."""
        sp = _SPACES.match(text, pos)
        um = self.unit_re.match(text, sp.end() if sp else pos)
        if um is not None:
            spec = self.units.get(um.group())
            if spec is not None and spec.after_digits_only and not any(c.isdigit() for c in core):
                return None
            if spec is not None and spec.clause_words and not self._in_clause(text, pos, spec.clause_words):
                return None
        return um

    def _scale_tail(self, core: str, *, units: bool = False) -> str:
        """The magnitude characters that end a numeral (亿 of 1067.27亿; with `units`,
        also 十百千: 仟 of 三仟)."""
        chars = self.scale_chars | self.unit_chars if units else self.scale_chars
        i = len(core)
        while i > 0 and core[i - 1] in chars:
            i -= 1
        return core[i:]

    def _context_currency(self, text: str, cs: int, ce: int, core: str) -> UnitSpec | None:
        """投资120亿, 冲击4000亿产值: a magnitude without a unit is money when a money word
        comes shortly before it in its clause, or right after it."""
        if not self._scale_tail(core):
            return None
        if any(text.startswith(word, ce) for word in self.context_words):
            return self.context_spec
        window = _clause_before(text, cs, span=self.context_span)
        limit = self.rules.units.context_window
        for word in self.context_words:
            i = window.rfind(word)
            if i >= 0 and len(window) - (i + len(word)) <= limit:
                return self.context_spec
        return None


def _clause_before(text: str, pos: int, *, span: int) -> str:
    """The up to `span` characters before `pos`, cut after the last clause end."""
    window = text[max(0, pos - span):pos]
    cut = None
    for cut in _CLAUSE_END.finditer(window):
        pass
    return window[cut.end():] if cut is not None else window


@Language.factory("press_extract_quantities", default_config={"rules_dir": ""})
def make_quantities(nlp: Language, name: str, *, rules_dir: str) -> "QuantitiesExtractor":
    return QuantitiesExtractor(rules=load_rules(rules_dir or None))


class QuantitiesExtractor:
    """spaCy component: appends `Quantity` records to `doc._.records["quantity"]`."""

    def __init__(self, *, rules: Rules) -> None:
        self.finder = QuantityFinder(rules)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        times = SpanIndex(records_of(doc, "time"))
        found = [
            f for f in self.finder.find(text, token_starts=doc.to_array([IDX]).tolist() if len(doc) else [], boundaries=token_boundaries(doc))
            if not times.overlaps(f.start, f.end)
        ]
        by_span: dict[tuple[int, int, int], Found] = {}
        for f in found:
            by_span.setdefault((f.start, f.end, f.priority), f)
        out = records_of(doc, "quantity")
        for key in resolve_overlaps(list(by_span)):
            f = by_span[key]
            out.append(
                Quantity(
                    start=f.start, end=f.end, text=text[f.start:f.end], source=SOURCE,
                    value=f.value, value_max=f.value_max, unit=f.unit, unit_text=f.unit_text,
                    dimension=f.dimension, qualifier=f.qualifier,
                )
            )
        return doc
