"""Integrity of the quantity rules: rules/units.toml, numerals.toml, qualifiers.toml and
quantity_exclusions.toml load, agree with each other, and reject malformed entries."""

from __future__ import annotations

import shutil
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.rules import RulesError, default_rules_dir, load_numerals, load_qualifiers, load_units, load_rules

RULES = load_rules()


def test_fullwidth_digits_fold_to_ascii():
    fold = RULES.numerals.fold
    for i in range(10):
        full = chr(ord("０") + i)
        assert chr(fold[ord(full)]) == str(i)
    for src, dst in fold.items():
        assert unicodedata.normalize("NFKC", chr(src)) == chr(dst)


def test_numeral_tables():
    n = RULES.numerals
    assert all(Decimal(0) <= v <= 9 for v in n.digits.values())
    assert sorted(n.units.values()) == [10, 10, 100, 100, 1000, 1000]
    assert n.scales["万"] == Decimal("1e4") and n.scales["亿"] == Decimal("1e8")
    assert "兆" in n.scales and "兆" not in n.text_scales  # 兆瓦 is mega-watt
    everything = [*n.digits, *n.units, *n.scales, *n.expansions]
    assert len(everything) == len(set(everything))


def test_every_unit_surface_has_one_meaning():
    u = RULES.units
    suffixes = set(u.suffixes)
    assert not suffixes & u.counts
    assert not suffixes & set(u.fixed)
    for spec in list(u.suffixes.values()) + list(u.prefixes.values()):
        assert spec.factor > 0, spec
        assert spec.dimension in u.dimensions, spec
    for unit, subs in u.subunits.items():
        assert all(0 < f < 1 for f in subs.values()), unit


def test_canonical_units_of_design():
    u = RULES.units.suffixes
    expect = {
        "元": ("CNY", 1), "%": ("%", 1), "个百分点": ("pp", 1), "倍": ("times", 1),
        "平方米": ("m2", 1), "公顷": ("m2", 10000), "平方公里": ("m2", 10**6),
        "米": ("m", 1), "公里": ("m", 1000), "千米": ("m", 1000), "厘米": ("m", Decimal("0.01")),
        "吨": ("kg", 1000), "公斤": ("kg", 1), "千克": ("kg", 1), "斤": ("kg", Decimal("0.5")),
        "立方米": ("m3", 1), "升": ("m3", Decimal("0.001")),
        "瓦": ("kW", Decimal("0.001")), "千瓦": ("kW", 1), "兆瓦": ("kW", 1000), "吉瓦": ("kW", 10**6),
        "千瓦时": ("kWh", 1), "年": ("year", 1), "个月": ("month", 1), "天": ("day", 1),
        "小时": ("hour", 1), "分钟": ("minute", 1),
    }
    for surface, (unit, factor) in expect.items():
        assert (u[surface].unit, u[surface].factor) == (unit, Decimal(factor)), surface
    assert abs(u["亩"].factor - Decimal(10000) / 15) < Decimal("1e-20")
    for classifier in "家 名 人 个 台 户 所 项 处 次 家次 人次 件 座 条 套 辆 款 批".split():
        assert classifier in RULES.units.counts


def test_qualifier_words_of_design():
    q = RULES.qualifiers
    for word in ("近", "约"):
        assert q.before[word] == "approx"
    for word in ("左右", "上下"):
        assert q.after[word] == "approx"
    for word in ("超", "超过", "逾", "突破", "破"):
        assert q.before[word] == "over"
    for word in ("余", "多", "以上"):
        assert q.after[word] == "over"
    for word in ("不到", "不足"):
        assert q.before[word] == "under"
    for word in ("以内", "以下"):
        assert q.after[word] == "under"
    # a blocked word is a word that merely ends in a qualifier character, never a qualifier
    assert not q.words_blocked & set(q.before)
    assert all(any(w.endswith(b) for b in q.before) for w in q.words_blocked)


def test_exclusions_have_examples_they_match():
    for ex in RULES.quantity_exclusions:
        assert ex.examples, ex.name
        for example in ex.examples:
            assert ex.pattern.search(example), (ex.name, example)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), dst)
    return dst


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        ("units.toml", 'surfaces = ["公顷"]', 'surfaces = ["公里"]', "already belongs"),
        ("units.toml", 'factor = "1e4"\nsurfaces = ["公顷"]', 'factor = "-1"\nsurfaces = ["公顷"]', "positive"),
        ("units.toml", 'dimension = "power"', 'dimension = "wattage"', r"not in \[dimensions\]"),
        ("units.toml", '"家", "名",', '"家", "元",', "also a surface"),
        ("numerals.toml", '"两" = "2"', '"两" = "12"', "0..9"),
        ("numerals.toml", '"十" = "10"', '"十" = 10', "written as a string"),
        ("numerals.toml", 'list_joiners = ["、", "和", "及", "与"]', 'list_joiners = []', "marks.list_joiners"),
        ("qualifiers.toml", 'after = ["左右", "上下", "许"]', 'after = ["左右", "上下", "以上"]', "already"),
        ("qualifiers.toml", "[under]", "[below]", "unknown qualifier"),
    ],
)
def test_malformed_rules_are_rejected(rules_copy, file, old, new, message):
    path = rules_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    loader = {"units.toml": load_units, "numerals.toml": load_numerals, "qualifiers.toml": load_qualifiers}[file]
    with pytest.raises(RulesError, match=message) as info:
        loader(path)
    assert file in str(info.value)


def test_bad_exclusion_regex_is_rejected(rules_copy):
    path = rules_copy / "quantity_exclusions.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[pattern]]\nname = "bad"\nwhy = "x"\nexamples = ["x"]\nregex = "(["\n', encoding="utf-8")
    with pytest.raises(RulesError, match="bad regex"):
        load_rules(rules_copy)
