"""Resolve the parts of a found quantity (numeral, unit, qualifier words) into its value.

Pure functions over rules data: the extractor finds a span and the surfaces in it, these
decide what it means. Arithmetic is exact (`Decimal`, 28 significant digits for the
quotients of 三分之一 and 亩).
"""

from __future__ import annotations

from decimal import Context, Decimal, localcontext

from ..rules import Qualifiers, Rules, UnitSpec
from .numbers import canonical

_PRECISION = 28
# One context for the products of `scaled`: a `localcontext` per call cost more than the product.
_CONTEXT = Context(prec=_PRECISION)


def scaled(value: Decimal, factor: Decimal) -> Decimal:
    """`value` in the canonical unit, given the unit's factor.

    >>> scaled(Decimal("5000"), Decimal(10000) / Decimal(15))  # 5000亩 in m2
    Decimal('3333333.333333333333333333334')
    """
    return canonical(_CONTEXT.multiply(value, factor))


def fraction_percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """B/A as a percentage (百分之四十, 三分之一, 千分之五); None when A is zero.

    >>> fraction_percent(Decimal(40), Decimal(100)), fraction_percent(Decimal(1), Decimal(3))
    (Decimal('40'), Decimal('33.33333333333333333333333333'))
    """
    if denominator == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return canonical(numerator * 100 / denominator)


def discount_percent(value: Decimal) -> Decimal | None:
    """A discount (折) as the percentage paid: 八折 is 80, 8.5折 85, 七五折 75; 十折 is none.

    >>> discount_percent(Decimal(8)), discount_percent(Decimal("8.5")), discount_percent(Decimal(75))
    (Decimal('80'), Decimal('85'), Decimal('75'))
    >>> discount_percent(Decimal(10)) is None
    True
    """
    if 0 < value < 10:
        return canonical(value * 10)
    if 10 < value < 100 and value == value.to_integral_value():
        return canonical(value)
    return None


def qualifier(*, before: str | None, after: str | None, vague: bool, qualifiers: Qualifiers) -> str:
    """exact | approx | over | under, from the words around the number.

    The word before the number wins (近百个 is approx although 百 alone is exact), then
    the word after the unit, then a vague numeral (三百多, 十几), which is "over".
    """
    if before:
        return qualifiers.before[before]
    if after:
        return qualifiers.after[after]
    return "over" if vague else "exact"


def currency_unit(*, prefix: UnitSpec | None, suffix: UnitSpec | None) -> UnitSpec | None:
    """The currency of 港币两千九百六十元 (HKD: the generic 元 yields to a named currency)."""
    if prefix is None:
        return suffix
    if suffix is None or suffix.generic:
        return prefix
    return suffix


def is_year(numeral: str, unit_surface: str, *, rules: Rules) -> bool:
    """Whether numeral + unit is a calendar year (2023年, 二〇二三年): a time, not a duration.

    >>> from pipeline.rules import load_rules
    >>> r = load_rules()
    >>> is_year("2023", "年", rules=r), is_year("二〇二三", "年", rules=r), is_year("5", "年", rules=r)
    (True, True, False)
    """
    spec = rules.units.suffixes.get(unit_surface)
    if spec is None or spec.unit != "year" or len(numeral) != 4:
        return False
    return numeral.isdigit() or all(c in rules.numerals.digits for c in numeral)


__all__ = ["scaled", "fraction_percent", "discount_percent", "qualifier", "currency_unit", "is_year"]
