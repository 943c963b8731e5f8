"""Segmentation: private jieba, tokens that rebuild the text, sentence boundaries."""

from __future__ import annotations

import tomllib

import jieba
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.rules import load_rules
from pipeline.segment import RouteTokenizer, sentence_spans

from .conftest import ROOT


def test_tokens_concatenate_to_the_text(nlp):
    text = "临平区地区生产总值1067.27亿元，增长6%。\r\n\r\n  “十四五”期间！"
    doc = nlp.make_doc(text)
    assert "".join(t.text for t in doc) == text == doc.text


def test_user_dictionary_is_private(nlp):
    # rules/userdict.txt keeps 十四五 whole in our tokenizer, and the global jieba is untouched.
    assert "十四五" in [t.text for t in nlp.make_doc("“十四五”期间")]
    assert nlp.tokenizer.jieba is not jieba.dt
    assert nlp.tokenizer.jieba.FREQ.get("十四五")
    # (the linker's tagger moves the user tags of the private tokenizer into its own table)
    assert "十四五" not in jieba.dt.user_word_tag_tab and not jieba.dt.FREQ.get("十四五")


def test_sentences_end_at_terminators_and_line_breaks_keeping_quotes(nlp):
    text = "他说：“增长6%。”今年很好！明年呢？\n第二行；第三句"
    doc = nlp(text)
    assert [text[s:e] for s, e in sentence_spans(doc)] == [
        "他说：“增长6%。”", "今年很好！", "明年呢？\n", "第二行；", "第三句",
    ]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("增长6%。，；！？\n\r “”亿元12.3十四五abc　１２")), max_size=80))
def test_sentences_cover_the_text_in_order(nlp, text):
    doc = nlp(text)
    spans = sentence_spans(doc)
    assert doc.text == text
    if text:
        assert spans[0][0] == 0 and spans[-1][1] == len(text)
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


@pytest.fixture(scope="module")
def jieba_pair():
    """jieba's own Tokenizer and ours, with the same user words."""
    pair = jieba.Tokenizer(), RouteTokenizer()
    for tokenizer in pair:
        tokenizer.initialize()
        for word, freq, tag in load_rules().userdict:
            tokenizer.add_word(word, freq, tag)
    return pair


def test_route_override_is_in_effect():
    # RouteTokenizer replaces jieba's private per-run method; if a jieba release renames it,
    # the override would silently stop being used.
    assert "_Tokenizer__cut_DAG" in vars(jieba.Tokenizer)


def test_route_tokenizer_cuts_as_jieba_on_corpus_and_specs(jieba_pair):
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    for spec in sorted((ROOT / "tests" / "specs").glob("*.toml")):
        texts += [case["text"] for case in tomllib.loads(spec.read_text(encoding="utf-8"))["case"]]
    ours, theirs = jieba_pair[1], jieba_pair[0]
    assert len(texts) > 100
    for text in texts:
        assert list(ours.cut(text)) == list(theirs.cut(text)), text[:40]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("临平区经济技术开发区工业总产值增长亿元的了和是在十四五年月日人民政府委员会中华人民共和国abcAI 12.3%，。、\n")), max_size=60))
def test_route_tokenizer_cuts_as_jieba_on_random_text(jieba_pair, text):
    assert list(jieba_pair[1].cut(text)) == list(jieba_pair[0].cut(text))
