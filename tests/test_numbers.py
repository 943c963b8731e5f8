"""pipeline.parse_number: every numeral form DESIGN.md and issue 3 list, exactly."""

from __future__ import annotations

from decimal import Decimal, DecimalException, localcontext

import pytest
from hypothesis import given, settings, strategies as st

from pipeline import parse_number
from pipeline.normalise.numbers import canonical, number_parser, width_folder
from pipeline.rules import load_rules

# fmt: off
CASES = [
    ("0", "0"), ("120", "120"), ("１２０", "120"), ("1,100", "1100"), ("1，200", "1200"),
    ("82,225.00", "82225"), ("1067.27", "1067.27"), (".5", "0.5"), ("-10.1", "-10.1"),
    ("16.4亿", "1640000000"), ("35.1亿", "3510000000"), ("1.42万", "14200"), ("10.1万", "101000"),
    ("-10.1万", "-101000"), ("100万", "1000000"), ("100万三千", "1003000"), ("3万4000", "34000"),
    ("2千零30万", "20300000"), ("200亿零四千230", "20000004230"), ("1百01", "101"), ("1万600", "10600"),
    ("5万4千6百", "54600"), ("一百点123", "100.123"), ("40k", "40000"), ("2e5", "200000"),
    ("12.32e+14", "1232000000000000"),
    ("零", "0"), ("〇", "0"), ("一", "1"), ("十", "10"), ("十一", "11"), ("一十一", "11"), ("二十", "20"),
    ("一百零一", "101"), ("一千零十", "1010"), ("一千一十", "1010"), ("一百十一", "111"),
    ("一万零一", "10001"), ("十万零一千", "101000"), ("一亿五千万", "150000000"),
    ("一亿五千万零六千三百五十五", "150006355"), ("四万万", "400000000"), ("10萬萬", "1000000000"),
    ("一千一百一十一万一千一百一十一亿一千一百一十一万一千一百一十一", "1111111111111111"),
    ("两千四百五", "2450"), ("三万五", "35000"), ("十三万五", "135000"), ("一百二", "120"),
    ("一百二十万三", "1203000"), ("百三", "130"), ("千三", "1300"), ("九百九", "990"),
    ("一千陆", "1600"), ("两千三点一", "2300.1"),
    ("壹拾壹", "11"), ("壹佰壹拾壹", "111"), ("肆佰陸拾", "460"), ("拾萬零五十六", "100056"),
    ("玖仟陆佰陆拾伍", "9665"), ("兩千兩百貳拾二", "2222"), ("五億零六", "500000006"),
    ("廿二", "22"), ("卅", "30"),
    ("三点五", "3.5"), ("零点零零一", "0.001"), ("负零点一零", "-0.1"), ("两千万点五五四四", "20000000.5544"),
    ("四百亿点零五零", "40000000000.05"), ("三点五亿", "350000000"),
    ("点五零", "0.5"), ("负百分之点二八", "-0.0028"), ("百分之负六十五点二八", "-0.6528"),  # chinese2digits
    ("负一", "-1"), ("负十一", "-11"), ("負四百零五億零四百零四萬", "-40504040000"),
    ("一二三", "123"), ("一一", "11"), ("二〇〇二", "2002"), ("幺八九", "189"), ("一七二零点一", "1720.1"),
    ("五百余万", "5000000"), ("十多万", "100000"), ("一百零几万", "1000000"), ("二十幾萬", "200000"),
    ("几千", "1000"), ("十几", "10"),
    ("三分之一", "0.3333333333333333333333333333"), ("百分之四十", "0.4"), ("五分之一", "0.2"),
    ("3又一千分之23", "3.023"), ("负一又二分之一", "-1.5"), ("一万万分之七", "7E-8"),
    ("1 3/5", "1.6"), ("４ ６／３", "6"), ("1/2", "0.5"),
    ("两千 四 百 五", "2450"), ("1000  万", "10000000"), ("半", "0.5"),
]
NOT_NUMBERS = [
    "", "万", "萬", "亿", "四川", "一切", "两两", "负", "零点", "点零", "零点点", "零点零大", "点", "点万", "点点五", "三零万二零千", "元整",
    "十一十二", "十七十八", "二三十", "10..1万", "abc", "1/0", "十四五",
]
# fmt: on


@pytest.mark.parametrize("text,value", CASES, ids=[c[0] for c in CASES])
def test_parse_number(text, value):
    got = parse_number(text)
    assert got is not None and got == Decimal(value), (text, got)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_not_a_number(text):
    assert parse_number(text) is None


def test_exact_not_float():
    assert parse_number("16.4亿") == Decimal("1640000000")
    assert parse_number("0.1") + parse_number("0.2") == Decimal("0.3")


def test_vague_reading():
    p = number_parser()
    assert p.read("三百多").vague and p.read("十几").vague and not p.read("三百").vague


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,，-负一二两三四五六七八九十百千万亿零点几多余分之又 半廿壹拾佰仟k")), max_size=14))
def test_never_raises(text):
    value = parse_number(text)
    assert value is None or isinstance(value, Decimal)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_arabic_roundtrip(n):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["分之", "又", "1", "万", "亿", "负", "点", "一", "十", ",", "0"]), min_size=50, max_size=600).map("".join))
def test_long_numerals_never_raise(text):
    # deep fraction chains and huge magnitudes: no recursion or overflow errors
    value = parse_number(text)
    assert value is None or isinstance(value, Decimal)


NUMERAL_CHARS = list("0123456789.,，-负一二两三四五六七八九十百千万亿零点几多余分之又 半廿壹拾佰仟k１２％")


def _reading(read, text):
    try:
        return read(text)
    except DecimalException as exc:
        return type(exc)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(NUMERAL_CHARS), max_size=8), min_size=1, max_size=6))
def test_cached_reading_is_the_uncached_one(texts):
    """The parser keeps its readings: asked again (or first), it gives what reading anew gives."""
    p = number_parser()
    for text in texts + texts + [c[0] for c in CASES[:20]]:
        assert _reading(p.read, text) == _reading(p.read.__wrapped__, text), text


def _canonical_per_call(value: Decimal) -> Decimal:
    """canonical as it was written before its shared context: a context made per call."""
    with localcontext() as ctx:
        ctx.prec = max(28, len(value.as_tuple().digits) + max(0, value.as_tuple().exponent))
        value = value.normalize()
        return value.quantize(Decimal(1)) if value.as_tuple().exponent > 0 else value


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.builds(lambda d, e: Decimal(d).scaleb(e), st.integers(-10**45, 10**45), st.integers(-40, 40)),
))
def test_canonical_with_a_shared_context_is_unchanged(value):
    assert str(canonical(value)) == str(_canonical_per_call(value))


@pytest.mark.parametrize("value", ["-0", "0E+5", "-0.000", "1E+30", "123456789012345678901234567890123E+3", "1.50E-30", "6.0"])
def test_canonical_edge_values(value):
    assert str(canonical(Decimal(value))) == str(_canonical_per_call(Decimal(value)))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("０１２３４５６７８９．－％＋ｋＫｍＭ／，,。1a增长亿") + ["\n"]), max_size=40))
def test_width_folder_is_translate(text):
    table = load_rules().numerals.fold
    assert width_folder(table)(text) == text.translate(table)
