"""Organisations: the rules layer against its spec table, the rules files' integrity,
properties of the whole extractor, and invariants of the shipped model (never its scores)."""

from __future__ import annotations

import json
import tomllib
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline
import spacy

from pipeline.extract.organizations import DEFAULT_MODEL, View, has_digit, is_clause_end, is_punct, load_model, rules_only_pipeline
from pipeline.extract.org_crf import ARCH_NAME, CharCRF
from pipeline.train import CRF_MODEL_VERSION
from pipeline.rules import ORG_TYPES, RulesError, load_organizations, load_org_patterns, load_rules

from .conftest import ROOT, assert_offsets

SPEC = tomllib.loads((ROOT / "tests" / "specs" / "organizations.toml").read_text(encoding="utf-8"))["case"]


@pytest.fixture(scope="module")
def rules_nlp():
    return rules_only_pipeline()


def _case_id(case) -> str:
    return case["text"][:24]


@pytest.mark.parametrize("case", SPEC, ids=_case_id)
def test_rules_spec(case, rules_nlp, request):
    if "xfail" in case:
        request.applymarker(pytest.mark.xfail(reason=case["xfail"], strict=True))
    doc = pipeline.extract(case["text"], nlp=rules_nlp)
    assert_offsets(doc)
    found = {o.text: o for o in doc.organizations}
    assert sorted(found) == sorted(e["surface"] for e in case["expect"])
    for e in case["expect"]:
        o = found[e["surface"]]
        assert o.source.startswith("rule:")
        for key in ("canonical", "org_type", "place_code"):
            if key in e:
                assert getattr(o, key) == e[key], (e["surface"], key)


def test_spec_size():
    negatives = [c for c in SPEC if not c["expect"]]
    assert len(SPEC) >= 60 and len(negatives) >= 15


# -- rules files ---------------------------------------------------------------------------
def test_every_known_name_is_found_in_context(rules_nlp):
    """Each pattern in organizations.jsonl survives jieba segmentation between commas (a
    parent it holds, 浙江大学 in 浙江大学医学院附属邵逸夫医院, is a record of its own)."""
    rules = load_rules()
    missed = []
    for entry in (e for e in rules.organizations if "after" not in e):
        text = f"，{entry['pattern']}，"
        orgs = [o for o in pipeline.extract(text, nlp=rules_nlp).organizations if o.source != "rule:orgs.nested.v1"]
        if [(o.text, o.canonical, o.org_type) for o in orgs] != [(entry["pattern"], entry["id"], entry["org_type"])]:
            missed.append(entry["pattern"])
    assert missed == []


def test_org_patterns_are_consistent(rules_nlp):
    p = load_rules().org_patterns
    # lead_tags are tags of jieba's dictionary (a typo would silently match nothing).
    tags = set(rules_nlp.tokenizer.tagger.word_tag_tab.values())
    assert p.lead_tags <= tags and p.predicate_tags <= tags
    heads = dict(p.heads)
    assert all(t in ORG_TYPES for t in heads.values())
    assert all(t in ORG_TYPES for t in p.list_nouns.values())
    # Longest head first, so 股份有限公司 wins over 有限公司 and 公司.
    assert [len(h) for h, _ in p.heads] == sorted((len(h) for h, _ in p.heads), reverse=True)
    assert p.head_type("杭州某某科技股份有限公司") == "company"
    assert p.stops.isdisjoint(p.places)


@pytest.mark.parametrize(
    "line, reason",
    [
        ('{"label": "ORG", "pattern": "浙大", "id": "浙江大学"}', "expected keys"),
        ('{"label": "PER", "pattern": "浙大", "id": "浙江大学", "org_type": "university"}', "label must be ORG"),
        ('{"label": "ORG", "pattern": "浙大", "id": "浙江大学", "org_type": "college"}', "org_type"),
        ('{"label": "ORG", "pattern": "浙大", "id": "浙江大学", "org_type": "university"}\n'
         '{"label": "ORG", "pattern": "浙大", "id": "浙江大学", "org_type": "university"}', "duplicate pattern"),
        ('{"label": "ORG", "pattern": "浙大", "id": "浙江大学", "org_type": "university"}\n'
         '{"label": "ORG", "pattern": "浙江大学", "id": "浙江大学", "org_type": "research"}', "two types"),
        ("not json", "invalid JSON"),
    ],
)
def test_bad_organizations_file(tmp_path: Path, line: str, reason: str):
    path = tmp_path / "organizations.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(RulesError, match=reason) as exc:
        load_organizations(path)
    assert "organizations.jsonl [line " in str(exc.value)


@pytest.mark.parametrize(
    "old, new, message, entry",
    [
        ('other = ["交易所"', 'other = ["大学", "交易所"', "listed under", None),
        ("[heads]", '[heads]\ncollege = ["书院"]', "unknown org_type", None),
        ("non_name_nouns = [", 'non_name_nouns = [\n    "高校",', "both an organisation noun and a non-name noun", "lists.non_name_nouns.高校"),
        ("neutral_nouns = [", 'neutral_nouns = ["领域", ', "neutral noun is also", "lists.neutral_nouns.领域"),
        ('predicate_tags = ["vn"]', 'predicate_tags = "vn"', "expected a list", "generic.predicate_tags"),
        ('counters = ["家",', 'counters = ["", "家",', "expected a list", "extend.counters"),
        ('parent_heads = ["大学",', 'parent_heads = ["书院", "大学",', "parent heads that are not heads: 书院", "nested.parent_heads"),
        ("proper_max_freq = 100", "proper_max_freq = 0", "expected a positive integer", "lists.proper_max_freq"),
    ],
)
def test_bad_org_patterns_file(tmp_path: Path, old: str, new: str, message: str, entry: str | None):
    text = (ROOT / "rules" / "org_patterns.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "org_patterns.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError, match=message) as exc:
        load_org_patterns(path)
    assert "org_patterns.toml" in str(exc.value)
    if entry is not None:
        assert entry in str(exc.value)


# -- properties ----------------------------------------------------------------------------
CHARS = st.sampled_from(list("浙大二院临平区委宣传部有限公司集团、等企业与和的，。1２年研究院开发区华为老板电器 \n"))


@settings(max_examples=60, deadline=None)
@given(st.text(CHARS, max_size=40))
def test_rules_never_raise_and_offsets_hold(rules_nlp, text):
    doc = pipeline.extract(text, nlp=rules_nlp)
    assert_offsets(doc)
    again = pipeline.extract(text, nlp=rules_nlp)
    assert doc.organizations == again.organizations
    # Organisations overlap only as a parent inside a longer name (浙江工商大学|经济学院).
    whole = sorted((o.start, o.end) for o in doc.organizations if o.source != "rule:orgs.nested.v1")
    assert all(a[1] <= b[0] for a, b in zip(whole, whole[1:])), "names never overlap"
    for o in doc.organizations:
        if o.source == "rule:orgs.nested.v1":
            assert any(s <= o.start and o.end <= e and (s, e) != (o.start, o.end) for s, e in whole), o
    assert all(o.org_type in ORG_TYPES for o in doc.organizations)


# -- the shipped model: invariants only ------------------------------------------------------
@pytest.mark.model
def test_model_loads_offline_with_provenance():
    model = load_model(DEFAULT_MODEL)
    assert isinstance(model, CharCRF)  # the character CRF (pipeline/train.py says why)
    meta = model.meta["press_extract"]
    assert meta["source"] == CRF_MODEL_VERSION
    assert meta["architecture"]["name"] == ARCH_NAME
    assert set(meta["scores"]) >= {"dev", "heldout"}
    assert all(len(h) == 64 for h in meta["data"].values())
    assert sum(p.stat().st_size for p in DEFAULT_MODEL.rglob("*") if p.is_file()) <= 30 * 2**20


@pytest.mark.model
@settings(max_examples=25, deadline=None)
@given(st.text(CHARS, max_size=60))
def test_model_layer_offsets_and_sources(nlp, text):
    doc = pipeline.extract(text, nlp=nlp)
    assert_offsets(doc)
    assert all(o.source.startswith(("rule:orgs.", f"model:{CRF_MODEL_VERSION}")) for o in doc.organizations)


@pytest.mark.model
def test_default_pipeline_runs_the_model(nlp):
    text = "时代电动、联赢医疗等企业落户。杭州智慧耳朵科技有限公司董事长郝磊说。"
    doc = pipeline.extract(text, nlp=nlp)
    assert_offsets(doc)
    sources = {o.source.split(":")[0] for o in doc.organizations}
    assert "rule" in sources
    comp = nlp.get_pipe("press_extract_organizations")
    assert comp.model is not None and comp.model_source == f"model:{CRF_MODEL_VERSION}"


# -- the model layer's plumbing, with a stand-in model ------------------------------------------
@settings(max_examples=40, deadline=None)
@given(st.text(CHARS, max_size=80))
def test_view_matches_the_tokens(rules_nlp, text):
    doc = rules_nlp.make_doc(text)
    v = View(doc)
    assert v.words == [t.text for t in doc] and v.starts == [t.idx for t in doc] and v.text == text
    # Clauses never hold clause punctuation and never overlap.
    ranges = v.clauses()
    assert all(a < b for a, b in ranges) and all(x[1] <= y[0] for x, y in zip(ranges, ranges[1:]))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_punct_and_digit_tests_follow_the_unicode_categories(text):
    """`is_punct` and `has_digit` take fast paths (str.isalnum, a regex): they say what the
    categories of the characters say."""
    assert is_punct(text) == all(c.isspace() or unicodedata.category(c)[0] in "PSZ" for c in text)
    assert has_digit(text) == any(unicodedata.category(c) == "Nd" for c in text)


@settings(max_examples=40, deadline=None)
@given(st.text(CHARS, max_size=80))
def test_cue_clauses_are_the_clauses_with_a_cue(rules_nlp, text):
    """`cue_clauses` (a set test per clause) picks the clauses holding a rule span's start or
    a cue word (`is_cue_word`), and every clause with `every_clause`."""
    comp = rules_nlp.get_pipe("press_extract_organizations")
    v = View(rules_nlp.make_doc(text))
    starts = sorted({0, len(text) // 2})
    expected = [
        (lo, hi) for lo, hi in v.clauses()
        if any(v.starts[lo] <= s < v.end(hi - 1) for s in starts) or any(comp.is_cue_word(w) for w in v.words[lo:hi])
    ]
    assert comp.cue_clauses(v, starts) == expected


def _clause_texts() -> list[str]:
    return [c["text"] for c in SPEC] + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]


@pytest.mark.parametrize("text", _clause_texts(), ids=lambda t: t[:16])
def test_clauses_and_list_clauses_miss_nothing(rules_nlp, text):
    """The clauses are the runs between clause-end words, found by one regex scan; and a
    clause the list layers skip (`list_clauses`) is one they find nothing in."""
    comp = rules_nlp.get_pipe("press_extract_organizations")
    v = View(rules_nlp.make_doc(text))
    cuts = [-1] + [i for i, w in enumerate(v.words) if is_clause_end(w)] + [len(v.words)]
    assert v.clauses() == [(a + 1, b) for a, b in zip(cuts, cuts[1:]) if a + 1 < b]
    visited = set(comp.list_clauses(v))
    for lo, hi in v.clauses():
        if (lo, hi) not in visited:
            assert not (comp.single_names(v, lo, hi) or comp.agent_names(v, lo, hi) or comp.list_items(v, lo, hi))


def _ruler_model(patterns: list[list[str]]):
    """A stand-in 'model' that marks the given word sequences as ORG."""
    model = spacy.blank("zh")
    ruler = model.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": [{"ORTH": w} for w in words]} for words in patterns])
    return model


def test_model_spans_map_back_and_never_cross_a_clause():
    """The cue clauses of a doc go to the model as one Doc (each with the punctuation that
    ends it); its spans map back to the article's offsets, and a span across a clause end
    is dropped."""
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    text = "飞仕得、极智嘉来了，今天天气很好，联赢、老板电器等企业。"
    words = [t.text for t in nlp.make_doc(text)]
    assert {"极智嘉来", "今天天气", "好", "，", "联赢"} <= set(words)

    def model_texts(patterns, *, every_clause):
        comp.model = _ruler_model(patterns)
        comp.every_clause = every_clause
        doc = pipeline.extract(text, nlp=nlp)
        assert_offsets(doc)
        return [o.text for o in doc.organizations if o.source == comp.model_source]

    # Clause 2 has no cue: the model Doc is clause 1 + its comma + clause 2's comma + clause 3.
    assert model_texts([["极智嘉来"], ["联赢"], ["今天天气"]], every_clause=False) == ["极智嘉来", "联赢"]
    assert model_texts([["今天天气"]], every_clause=True) == ["今天天气"]
    assert model_texts([["好", "，", "联赢"], ["，", "联赢"]], every_clause=True) == []
    assert model_texts([["，", "联赢"]], every_clause=False) == []


def test_model_span_ending_in_a_non_head_is_headless():
    """构建城乡共美全域格局 ends with 局 but 格局 is no head: as a headless model span it
    is longer than the headless limit and dropped."""
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.every_clause = True
    text = "构建城乡共美全域格局。"
    words = [t.text for t in nlp.make_doc(text)]
    slogan = words[: words.index("格局") + 1]
    comp.model = _ruler_model([slogan])
    assert not pipeline.extract(text, nlp=nlp).organizations


def test_model_span_opening_with_a_head_is_dropped():
    """崇贤街道崇文社区 cut as 崇贤|街道|崇文|社区: a model span 街道崇文社区 starts inside the
    name (a name does not open with a head); the whole name is kept."""
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.every_clause = True
    text = "崇贤街道崇文社区成功创建示范社区。"
    words = [t.text for t in nlp.make_doc(text)]
    head = next(i for i, w in enumerate(words) if w == "街道")
    name_end = words.index("社区") + 1
    comp.model = _ruler_model([words[head:name_end]])
    assert not [o for o in pipeline.extract(text, nlp=nlp).organizations if o.source == comp.model_source]
    comp.model = _ruler_model([words[:name_end]])
    assert [o.text for o in pipeline.extract(text, nlp=nlp).organizations if o.source == comp.model_source] == ["崇贤街道崇文社区"]


def test_model_span_in_a_list_of_industries_is_dropped():
    """…、IVD等产业园: the noun after 等 says the items are industries, so a model span
    there is no organisation; the same span in a list of firms (等企业) is kept."""
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.every_clause = True
    comp.model = _ruler_model([["IVD"]])
    for text, expected in [
        ("生物医药、专精特新、IVD等产业园建设稳步推进。", []),
        ("有序推进半导体、机器人、IVD等产业集聚区建设。", []),
        ("鼓励汽车、IVD等领域的企业参与。", []),
        ("引进华为、IVD等一批企业。", ["IVD"]),
    ]:
        doc = pipeline.extract(text, nlp=nlp)
        assert_offsets(doc)
        assert [o.text for o in doc.organizations if o.source == comp.model_source] == expected, text


def test_model_docs_are_capped_without_changing_the_spans(monkeypatch):
    """A huge article goes to the model in Docs of about MODEL_DOC_WORDS words (memory);
    the spans are those of one Doc."""
    from pipeline.extract import organizations

    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.every_clause = True
    text = "飞仕得、极智嘉来了，联赢、老板电器等企业。极智嘉来参展，联赢也来了。"
    comp.model = _ruler_model([["极智嘉来"], ["联赢"]])
    seen = []
    real = organizations.model_doc
    monkeypatch.setattr(organizations, "model_doc", lambda vocab, words: seen.append(len(words)) or real(vocab, words))

    def model_spans():
        doc = pipeline.extract(text, nlp=nlp)
        assert_offsets(doc)
        return [(o.start, o.text) for o in doc.organizations if o.source == comp.model_source]

    whole = model_spans()
    assert len(seen) == 1 and len(whole) >= 3
    seen.clear()
    monkeypatch.setattr(organizations, "MODEL_DOC_WORDS", 3)
    assert model_spans() == whole
    assert len(seen) > 2 and max(seen) < sum(seen)


def _model_layer():
    """The rules pipeline and its organisations component, set to run a model on every clause."""
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.every_clause = True
    return nlp, comp


def test_model_span_holding_a_title_names_a_person():
    nlp, comp = _model_layer()
    text = "深圳市市长覃伟中在会上表示。"
    words = [t.text for t in nlp.make_doc(text)]
    assert "市长" in words
    comp.model = _ruler_model([words[: words.index("市长") + 2]])
    assert not pipeline.extract(text, nlp=nlp).organizations


def test_model_span_opening_with_a_stop_word_is_dropped():
    """A stop word ends a name on its left, so no name starts with one: 资助|飞仕得 and
    首批|极智嘉来 from the model are dropped; the name alone is kept."""
    nlp, comp = _model_layer()

    def model_texts(text, span):
        comp.model = _ruler_model([span])
        doc = pipeline.extract(text, nlp=nlp)
        assert_offsets(doc)
        return [o.text for o in doc.organizations if o.source == comp.model_source]

    for text, stop, name in [("政府资助飞仕得。", "资助", "飞仕得"), ("建成首批极智嘉来。", "首批", "极智嘉来")]:
        assert stop in comp.patterns.stops and [stop, name] == [t.text for t in nlp.make_doc(text)][-3:-1]
        assert model_texts(text, [stop, name]) == [], text
        assert model_texts(text, [name]) == [name], text


def test_model_span_ending_in_a_describing_word_is_dropped():
    nlp, comp = _model_layer()
    text = "完善国家统计部门的数据。"
    words = [t.text for t in nlp.make_doc(text)]
    assert words[1:4] == ["国家", "统计", "部门"] and "部门" in comp.patterns.non_name_ends
    comp.model = _ruler_model([words[1:4]])
    doc = pipeline.extract(text, nlp=nlp)
    assert_offsets(doc)
    assert not doc.organizations
