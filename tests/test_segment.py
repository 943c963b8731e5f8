"""Segmentation: private jieba, tokens that rebuild the text, sentence boundaries."""

from __future__ import annotations

import jieba
from hypothesis import given, settings, strategies as st

from pipeline.segment import sentence_spans


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
