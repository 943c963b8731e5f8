"""rules/brands.tsv: well-known company brands without a legal suffix (可口可乐, 西门子).
Integrity (no common word, no place, no name twice), errors that name file and line, and the
class it fixes: a brand inside a project or plant name is found by the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline
from pipeline.extract.organizations import rules_only_pipeline
from pipeline.rules import KNOWN_NAME_FILES, RulesError, load_known_names, load_organizations, load_rules

from .conftest import ROOT
from .test_gazetteers import edited_copy

BRANDS = ROOT / "rules" / "brands.tsv"
GROUPS = ("multinational", "chinese brand")


def rows() -> list[list[str]]:
    lines = BRANDS.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith(("#", "name\t"))]


def test_brands_integrity():
    """Every brand is a company of a known group, at least two characters, neither a common
    word of the dictionary nor a division's name; the pipeline loads them as known names."""
    from spacy.vocab import Vocab

    from pipeline.segment import JiebaTokenizer

    rules = load_rules()
    jieba = JiebaTokenizer(Vocab(), rules=rules)
    places = set(rules.divisions.by_surface)
    body = rows()
    assert len(body) > 200 and KNOWN_NAME_FILES[-1] == BRANDS.name
    for name, short, org_type, group in body:
        for surface in (name, *filter(None, short.split(","))):
            assert len(surface) >= 2 and surface not in places, surface
            assert jieba.word_freq(surface) < rules.org_patterns.common_freq, surface
        assert org_type == "company" and group in GROUPS, name
    known = {e["pattern"]: e for e in rules.organizations}
    assert known["可口可乐"]["org_type"] == "company" and known["好市多"]["id"] == "开市客"
    assert not {"苹果", "大众", "三星", "长城", "日产", "百胜"} & {r[0] for r in body}  # common words need context


# fmt: off
@pytest.mark.parametrize("text, names", [
    ("实现西门子包装项目、博世阀门成都制造中心等一批项目落地", ["西门子", "博世"]),
    ("开市客、沃尔玛等外资零售企业", ["开市客", "沃尔玛"]),
    ("巴斯夫湛江一体化基地全面投产", ["巴斯夫"]),
    # common words are not brands without a head
    ("入住三星级酒店，品尝苹果和小米粥", []),
    ("大众创业、万众创新", []),
])
# fmt: on
def test_brands_found_in_project_names(text: str, names: list[str]):
    orgs = pipeline.extract(text, nlp=rules_only_pipeline()).organizations
    assert [o.text for o in orgs] == names
    assert all(text[o.start : o.end] == o.text for o in orgs)


# fmt: off
@pytest.mark.parametrize("old, new, reason", [
    ("西门子\t\tcompany\tmultinational", "\t\tcompany\tmultinational", "empty name"),
    ("西门子\t\tcompany\tmultinational", "西门子\t\tcompany\t", "empty group"),
    ("西门子\t\tcompany\tmultinational", "西门子\t\tbrand\tmultinational", "org_type 'brand'"),
    ("博世\t\tcompany\tmultinational", "西门子\t\tcompany\tmultinational", "duplicate name '西门子' \\(also line"),
    ("西门子\t\tcompany\tmultinational", "贵州茅台\t\tcompany\tmultinational", "duplicate name '贵州茅台' \\(also an earlier file\\)"),
    ("西门子\t\tcompany\tmultinational", "西门子\t\tcompany", "expected 4 tab-separated fields"),
])
# fmt: on
def test_bad_brands_file(tmp_path: Path, old: str, new: str, reason: str):
    bad, lineno = edited_copy(BRANDS, tmp_path, old, new)
    known = load_organizations(ROOT / "rules" / "organizations.jsonl")
    for name in KNOWN_NAME_FILES[:-1]:
        known = known + load_known_names(ROOT / "rules" / name, known=known)
    with pytest.raises(RulesError, match=reason) as exc:
        load_known_names(bad, known=known)
    assert f"brands.tsv [line {lineno}]" in str(exc.value)
