"""Numerals to exact `Decimal`s: Arabic, full-width, Chinese (小写, 大写, colloquial) and mixed.

Every character this module knows comes from rules/numerals.toml. `parse_number` reads a
whole string or returns None; `read_number` also says whether the numeral was vague
(十几, 三百多万), which the quantity extractor turns into qualifier "over".
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Context, Decimal, DecimalException, localcontext
from typing import Callable, Mapping

from ..rules import Numerals, Rules, load_rules

_ARABIC = r"(?:\d+(?:[{sep}]\d{{3}})*(?:\.\d+)?|\.\d+)"
_EXPONENT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_ARABIC_FRACTION = re.compile(r"(?:(\d+)\s+)?(\d+)/(\d+)")
_WHITESPACE = re.compile(r"\s+")
_PREC_28 = Context(prec=28)
_ONE = Decimal(1)
# Surfaces whose readings a parser keeps (a bound on memory, not a tuning knob).
READ_CACHE = 1 << 14


@dataclass(frozen=True)
class Reading:
    """A parsed numeral: its value and whether it was written vaguely (十几, 三百多万)."""

    value: Decimal
    vague: bool = False


class NumberParser:
    """Parse numerals with the tables of one `Numerals`. Build once per rules; reuse."""

    def __init__(self, numerals: Numerals) -> None:
        self.n = numerals
        sep = "".join(re.escape(c) for c in numerals.thousands_separator)
        arabic = _ARABIC.format(sep=sep)
        arabic_scales = "".join(re.escape(c) for c in numerals.arabic_scales)
        self.token = re.compile(
            rf"(?P<num>{arabic}[{arabic_scales}]?)|(?P<char>.)", re.S
        )
        self.zero = frozenset(c for c, v in numerals.digits.items() if v == 0)
        # An article reads the same few numerals again and again (一, 2023, 10); a reading
        # is pure given the tables, and immutable.
        self.read = functools.lru_cache(maxsize=READ_CACHE)(self.read)  # type: ignore[method-assign]

    def read(self, text: str) -> Reading | None:
        """Parse all of `text` as one numeral; None if it is not one.

        Whitespace is ignored (spaced-out numerals such as 两千 四 百 五).
        """
        n = self.n
        text = text.translate(n.fold)
        arabic = _ARABIC_FRACTION.fullmatch(text.strip()) if "/" in text else None
        if arabic:
            whole, num, den = arabic.groups()
            if int(den) == 0:
                return None
            with localcontext() as ctx:
                ctx.prec = 28
                return Reading(Decimal(whole or 0) + Decimal(num) / Decimal(den))
        text = _WHITESPACE.sub("", text)
        for short, long in n.expansions.items():
            text = text.replace(short, long)
        if not text:
            return None
        if text == n.half:
            return Reading(Decimal("0.5"))
        if _EXPONENT.fullmatch(text):
            return Reading(Decimal(text))
        negative = False
        for mark in n.negative:
            if text.startswith(mark):
                negative, text = True, text[len(mark):]
                break
        if n.mixed_fraction in text and n.fraction in text:
            whole, _, rest = text.partition(n.mixed_fraction)
            a, b = self._signed(whole), self._fraction(rest)
            result = None if a is None or b is None else Reading(a.value + b.value, a.vague or b.vague)
        elif n.fraction in text:
            result = self._fraction(text)
        else:
            result = self._plain(text)
        if result is None:
            return None
        return Reading(-result.value, result.vague) if negative else result

    def _signed(self, text: str) -> Reading | None:
        """A numeral with an optional sign and no fraction marks (parts of a fraction)."""
        n = self.n
        if n.fraction in text or n.mixed_fraction in text:
            return None
        for mark in n.negative:
            if text.startswith(mark):
                r = self._plain(text[len(mark):])
                return Reading(-r.value, r.vague) if r else None
        return self._plain(text)

    def _fraction(self, text: str) -> Reading | None:
        den_text, _, num_text = text.partition(self.n.fraction)
        den, num = self._plain(den_text, implied_one=True), self._signed(num_text)
        if den is None or den.value == 0 or num is None:
            # 负３分之负一百五十七: a sign on the denominator
            den = self._signed(den_text)
            if den is None or den.value == 0 or num is None:
                return None
        with localcontext() as ctx:
            ctx.prec = 28
            return Reading(num.value / den.value, den.vague or num.vague)

    def _tokens(self, text: str) -> list[tuple[str, Decimal | None, str]] | None:
        n = self.n
        out: list[tuple[str, Decimal | None, str]] = []
        for m in self.token.finditer(text):
            if m.group("num"):
                raw = m.group("num")
                scale = n.arabic_scales.get(raw[-1])
                digits = raw[:-1] if scale else raw
                for sep in n.thousands_separator:
                    digits = digits.replace(sep, "")
                value = Decimal(digits) * (scale or 1)
                out.append(("num", value, raw))
                continue
            c = m.group("char")
            if c in self.zero:
                out.append(("zero", Decimal(0), c))
            elif c in n.digits:
                out.append(("dig", n.digits[c], c))
            elif c in n.units:
                out.append(("unit", n.units[c], c))
            elif c in n.scales:
                out.append(("scale", n.scales[c], c))
            elif c in n.decimal_point:
                out.append(("point", None, c))
            elif c in n.vague_digit or c in n.vague_lead:
                out.append(("vague", None, c))
            elif c in n.vague_more:
                out.append(("more", None, c))
            else:
                return None
        return out

    def _plain(self, text: str, *, implied_one: bool = False) -> Reading | None:
        tokens = self._tokens(text)
        if not tokens:
            return None
        kinds = [k for k, _, _ in tokens]
        if "point" in kinds:
            i = kinds.index("point")
            integer, rest = tokens[:i], tokens[i + 1:]
            frac_digits = []
            j = 0
            while j < len(rest) and rest[j][0] in ("dig", "zero", "num"):
                k, v, raw = rest[j]
                if k == "num" and not raw.isdigit():
                    return None
                frac_digits.append(raw if k == "num" else str(int(v)))
                j += 1
            scales = rest[j:]
            if not frac_digits or any(k != "scale" for k, _, _ in scales):
                return None
            # A numeral may open with its point (点五 = 0.5, 负百分之点二八): a whole of 0;
            # never all zeros (点零 is a piece of 十点零分, not the number 0).
            if not integer and not any(d.strip("0.") for d in frac_digits):
                return None
            whole = self._integer(integer, implied_one=implied_one) if integer else Reading(Decimal(0))
            if whole is None:
                return None
            value = whole.value + Decimal("0." + "".join(frac_digits))
            for _, v, _ in scales:
                value *= v
            return Reading(value, whole.vague)
        return self._integer(tokens, implied_one=implied_one)

    def _integer(self, tokens, *, implied_one: bool) -> Reading | None:
        kinds = [k for k, _, _ in tokens]
        if all(k in ("dig", "zero") for k in kinds):
            # 一二三, 二〇〇二: digits read one by one (never 两两)
            if len(tokens) > 1 and any(raw in self.n.not_in_sequence for _, _, raw in tokens):
                return None
            return Reading(Decimal("".join(str(int(v)) for _, v, _ in tokens)))
        if all(k in ("dig", "zero", "num") for k in kinds):
            return Reading(tokens[0][1]) if len(tokens) == 1 else None
        total = section = Decimal(0)
        number: Decimal | None = None
        number_kind = ""
        last_mult: Decimal | None = None  # the unit or scale just before a trailing digit
        section_unit: Decimal | None = None  # units fall within a section: 一千一百, not 一百一千
        top_scale = Decimal(0)
        prev = ""
        vague = seen_value = False
        for kind, value, _ in tokens:
            if kind in ("num", "dig"):
                if prev in ("num", "dig"):
                    return None
                number, number_kind = value, kind
                seen_value = True
            elif kind == "zero":
                if prev in ("num", "dig"):
                    return None  # 三零万: digits one by one before a multiplier are no numeral
                number, number_kind, last_mult = None, "", None
            elif kind == "vague":
                vague = True
                if prev in ("num", "dig"):
                    return None
                number, number_kind = None, "vague"
            elif kind == "more":
                if prev not in ("num", "dig", "unit", "scale"):
                    return None
                vague = True
            elif kind == "unit":
                if section_unit is not None and value >= section_unit:
                    return None
                section += (1 if number is None else number) * value
                section_unit, last_mult = value, value
                number, number_kind = None, ""
                seen_value = True
            elif kind == "scale":
                if number is not None:
                    section += number
                if prev == "scale" and section == 0:
                    total *= value  # 万亿, 四万万
                    top_scale = max(top_scale, value)
                else:
                    if section == 0 and total == 0:
                        if not (implied_one or seen_value or prev == "vague"):  # 数万, 上万
                            return None
                        section = Decimal(1)
                    if value > top_scale:
                        total = (total + section) * value
                        top_scale = value
                    else:
                        total += section * value
                section, section_unit, last_mult = Decimal(0), None, value
                number, number_kind = None, ""
                seen_value = True
            elif kind == "point":
                return None
            prev = kind
        if number is not None:
            # 两千四百五 is 2450, 三万五 is 35000: a lone trailing Chinese digit is one
            # order below the multiplier before it.
            if number_kind == "dig" and prev == "dig" and last_mult is not None and last_mult >= 10:
                number *= last_mult / 10
            section += number
        if not seen_value:
            return None
        return Reading(total + section, vague)


def canonical(value: Decimal) -> Decimal:
    """An exact value without trailing zeros or a positive exponent.

    >>> canonical(Decimal("1067.27") * Decimal("1e8")), canonical(Decimal("6.0"))
    (Decimal('106727000000'), Decimal('6'))
    """
    _, digits, exponent = value.as_tuple()
    # As many digits as the value has, so that nothing is rounded; the shared context when
    # 28 do (nearly always: a context made per call cost most of the time here).
    prec = max(28, len(digits) + max(0, exponent))
    ctx = _PREC_28 if prec == 28 else Context(prec=prec)
    value = value.normalize(ctx)
    return value.quantize(_ONE, context=ctx) if value.as_tuple().exponent > 0 else value


def width_folder(table: Mapping[int, int]) -> Callable[[str], str]:
    """`str.translate` by a 1:1 `table` (rules/numerals.toml [fold]), as a substitution of
    the characters that fold: an article has few or none of them, where translate looks
    every character up (36 ms against 1 ms on the 0.24 M characters of the articles with
    one, in bench/throughput.py's 0.45 M).

    >>> fold = width_folder(str.maketrans("１２％", "12%"))
    >>> fold("增长１２％，达１２亿元"), fold("")
    ('增长12%，达12亿元', '')
    """
    chars = {chr(k): chr(v) for k, v in table.items()}
    if not chars:
        return str
    pattern = re.compile("[" + re.escape("".join(chars)) + "]")
    return functools.partial(pattern.sub, lambda m: chars[m.group()])


_PARSERS: dict[int, tuple[Numerals, NumberParser]] = {}


def number_parser(rules: Rules | None = None) -> NumberParser:
    """The (cached) parser for `rules` (default: the default rules folder)."""
    numerals = (rules or load_rules()).numerals
    cached = _PARSERS.get(id(numerals))
    if cached is None or cached[0] is not numerals:
        cached = _PARSERS[id(numerals)] = (numerals, NumberParser(numerals))
    return cached[1]


def parse_number(text: str, *, rules: Rules | None = None) -> Decimal | None:
    """The value of a bare numeral, exactly; None if `text` is not one numeral.

    >>> parse_number("1067.27亿")
    Decimal('106727000000')
    >>> parse_number("一亿五千万"), parse_number("三万4000"), parse_number("１２０")
    (Decimal('150000000'), Decimal('34000'), Decimal('120'))
    >>> parse_number("两千四百五"), parse_number("负三点五"), parse_number("廿二")
    (Decimal('2450'), Decimal('-3.5'), Decimal('22'))
    >>> parse_number("四川") is None, parse_number("万") is None
    (True, True)
    """
    try:
        reading = number_parser(rules).read(text)
    except DecimalException:  # beyond what Decimal can hold (亿亿亿… thousands long)
        return None
    return canonical(reading.value) if reading else None


__all__ = ["parse_number", "canonical", "number_parser", "width_folder", "NumberParser", "Reading"]
