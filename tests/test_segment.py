"""Segmentation: private jieba, tokens that rebuild the text, sentence boundaries."""

from __future__ import annotations

import json
import marshal
import math
import tomllib

import jieba
import jieba.posseg
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.rules import load_rules
from pipeline import segment
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


SHARED = ROOT.parent / "shared"
# A wide alphabet for random runs: dictionary words and their prefixes, characters no word
# starts with (the HMM's input), repeated characters (routes of equal score), ASCII blocks.
ALPHABET = list("临平区经济技术开发区工业总产值增长亿元的了和是在十四五年月日人民政府委员会中华人民共和国长长长"
                "鑫瑀琮赟燊abcAI 12.3%-_#&+，。、\n")


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
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=60))
def test_route_tokenizer_cuts_as_jieba_on_random_text(jieba_pair, text):
    assert list(jieba_pair[1].cut(text)) == list(jieba_pair[0].cut(text))
    assert jieba_pair[1].words(text) == list(jieba_pair[0].cut(text))


@pytest.fixture(scope="module")
def python_route(jieba_pair):
    """Our tokenizer on the pure-Python route (the reference), sharing the dictionary."""
    tokenizer = RouteTokenizer(compiled=False)
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = jieba_pair[1].FREQ, jieba_pair[1].total, True
    return tokenizer


def article_texts() -> list[str]:
    """Every article of ../shared/corpus, ../shared/dev, ../shared/seeds.jsonl and corpus/."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*.txt"))]
    for jsonl in (SHARED / "dev" / "docs.jsonl", SHARED / "seeds.jsonl"):
        texts += [json.loads(line)["text"] for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]


needs_compiled = pytest.mark.skipif(segment._route is None, reason="pipeline._route was not built (no C compiler)")


@needs_compiled
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (the shared articles) is absent")
def test_compiled_route_cuts_every_article_as_jieba(jieba_pair, python_route):
    # The condition for a compiled drop-in: token for token jieba's words, with the
    # project dictionary, on every article of the shared corpus, dev, seeds and sample corpus.
    texts = article_texts()
    assert len(texts) >= 47
    compiled, theirs = jieba_pair[1], jieba_pair[0]
    assert compiled.compiled
    for text in texts:
        words = theirs.lcut(text)
        assert compiled.words(text) == words, text[:40]
        assert python_route.words(text) == words, text[:40]


@needs_compiled
def test_compiled_route_is_the_python_route_on_in_repo_text(jieba_pair, python_route):
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    for spec in sorted((ROOT / "tests" / "specs").glob("*.toml")):
        texts += [case["text"] for case in tomllib.loads(spec.read_text(encoding="utf-8"))["case"]]
    runs = [run for text in texts for run in jieba.re_han_default.findall(text)]
    assert len(runs) > 1000
    for run in runs:
        assert jieba_pair[1].run_words(run) == list(python_route.route_words(run)), run
        assert segment._route.best_ends(run, python_route.FREQ, math.log(python_route.total)) == python_route.best_ends(run)


@needs_compiled
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=80))
def test_compiled_route_is_the_python_route_on_random_text(jieba_pair, python_route, text):
    assert jieba_pair[1].words(text) == python_route.words(text)
    for run in jieba.re_han_default.findall(text):
        assert segment._route.best_ends(run, python_route.FREQ, math.log(python_route.total)) == python_route.best_ends(run)


@needs_compiled
def test_compiled_route_breaks_ties_as_jieba():
    # 长 alone and 长长 with the same score per character: routes of equal score, where
    # jieba keeps the longer word (its `max` over (score, end) pairs).
    tokenizer = RouteTokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {"长": 1, "长长": 1}, 1, True
    reference = RouteTokenizer(compiled=False)
    reference.FREQ, reference.total, reference.initialized = tokenizer.FREQ, 1, True
    for n in range(1, 8):
        assert tokenizer.best_ends("长" * n) == reference.best_ends("长" * n)
        assert segment._route.best_ends("长" * n, tokenizer.FREQ, 0.0) == reference.best_ends("长" * n)


def test_python_route_is_used_when_the_extension_is_absent(monkeypatch, jieba_pair):
    monkeypatch.setattr(segment, "_route", None)
    tokenizer = RouteTokenizer()
    assert not tokenizer.compiled
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = jieba_pair[1].FREQ, jieba_pair[1].total, True
    text = "临平区经济技术开发区工业总产值增长6%，鑫瑀琮赟燊。"
    assert tokenizer.words(text) == jieba_pair[0].lcut(text)


def test_compiled_route_is_used_when_built():
    # On a machine with a compiler the install builds it; say so rather than skip silently.
    assert RouteTokenizer().compiled == (segment._route is not None)


def small_dictionary(path, lines):
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    tokenizer = RouteTokenizer(str(path))
    tokenizer.tmp_dir = str(path.parent / "cache")
    (path.parent / "cache").mkdir(exist_ok=True)
    return tokenizer


def as_jieba_reads_it(path):
    tokenizer = jieba.Tokenizer(str(path))
    tokenizer.tmp_dir = str(path.parent / "jieba-cache")  # not our cache folder
    (path.parent / "jieba-cache").mkdir(exist_ok=True)
    tokenizer.initialize()
    return tokenizer.FREQ, tokenizer.total, jieba.posseg.POSTokenizer(tokenizer).word_tag_tab


def test_dictionary_cache_holds_what_jieba_reads(tmp_path):
    tokenizer = small_dictionary(tmp_path / "dict.txt", ["开发区 20 n", "开发 30 v", "临平 5 ns"])
    expected = as_jieba_reads_it(tmp_path / "dict.txt")
    assert not list((tmp_path / "cache").iterdir())
    for _ in ("written", "read back"):
        d = segment.load_dictionary(tokenizer)
        assert (d.freq, d.total, d.tags) == expected
        assert [p.name for p in (tmp_path / "cache").iterdir()] == [segment.cache_path(tokenizer).name]


def test_dictionary_cache_follows_the_dictionary_bytes(tmp_path):
    tokenizer = small_dictionary(tmp_path / "dict.txt", ["开发区 20 n", "开发 30 v"])
    segment.load_dictionary(tokenizer)
    small_dictionary(tmp_path / "dict.txt", ["开发区 20 n", "开发 31 vn"])  # same path, same length
    d = segment.load_dictionary(tokenizer)
    assert (d.freq, d.total, d.tags) == as_jieba_reads_it(tmp_path / "dict.txt")
    assert d.freq["开发"] == 31 and d.tags["开发"] == "vn"


@pytest.mark.parametrize("content", [
    b"", b"not marshal", marshal.dumps(("0" * 64, {"x": 1}, 1, {})),  # a stale key
    marshal.dumps([1, 2]),  # not the cache's shape
])
def test_a_bad_dictionary_cache_is_rebuilt(tmp_path, content):
    tokenizer = small_dictionary(tmp_path / "dict.txt", ["开发区 20 n"])
    path = segment.cache_path(tokenizer)
    path.write_bytes(content)
    d = segment.load_dictionary(tokenizer)
    assert (d.freq, d.total, d.tags) == as_jieba_reads_it(tmp_path / "dict.txt")
    assert segment.load_dictionary(tokenizer) == d  # and the file was rewritten


def test_an_unwritable_cache_folder_only_costs_time(tmp_path):
    tokenizer = small_dictionary(tmp_path / "dict.txt", ["开发区 20 n"])
    tokenizer.tmp_dir = str(tmp_path / "absent")
    d = segment.load_dictionary(tokenizer)
    assert (d.freq, d.total, d.tags) == as_jieba_reads_it(tmp_path / "dict.txt")
    assert not (tmp_path / "absent").exists()


def test_pipeline_dictionary_is_jiebas_with_the_user_words(nlp, jieba_pair):
    # The tokenizer's dictionary (through the cache) and tags against jieba's own reading.
    theirs = jieba_pair[0]
    assert nlp.tokenizer.jieba.FREQ == theirs.FREQ and nlp.tokenizer.jieba.total == theirs.total
    reference = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    tags = dict(reference.word_tag_tab, **{w: t for w, _, t in load_rules().userdict if t})
    nlp.tokenizer.tagger.makesure_userdict_loaded()
    assert nlp.tokenizer.tagger.word_tag_tab == tags


# The HMM's alphabet: frequent characters, characters of names, and Han characters none of
# its tables hold (every state scores MIN_FLOAT there: ties broken by the state letter).
UNSEEN = [chr(c) for c in range(0x9F00, 0x9FD6) if all(chr(c) not in jieba.finalseg.emit_P[s] for s in "BMES")][:6]
HMM_ALPHABET = (
    sorted(jieba.finalseg.emit_P["S"], key=lambda c: (-jieba.finalseg.emit_P["S"][c], c))[:200]  # frequent alone
    + sorted(jieba.finalseg.emit_P["B"], key=lambda c: (-jieba.finalseg.emit_P["B"][c], c))[:200]  # word starts
    + ["鑫", "瑀", "琮", "赟", "燊"] + UNSEEN
)


def hmm_texts() -> list[str]:
    """Every run of finalseg's Han characters in every article (see article_texts)."""
    return [run for text in article_texts() for run in jieba.finalseg.re_han.findall(text)]


@needs_compiled
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (the shared articles) is absent")
def test_compiled_hmm_cuts_every_article_as_jieba():
    # Not only the unknown runs the route hands it: every Han run of every article, whole.
    runs = hmm_texts()
    assert len(runs) > 10000
    for run in runs:
        assert segment._route.hmm_cut(run, jieba.finalseg.cut, jieba.finalseg) == list(jieba.finalseg.cut(run)), run


@needs_compiled
@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(HMM_ALPHABET), min_size=1, max_size=40))
def test_compiled_hmm_is_jiebas_on_random_han_text(text):
    assert len(UNSEEN) == 6
    assert segment._route.hmm_cut(text, jieba.finalseg.cut, jieba.finalseg) == list(jieba.finalseg.cut(text))


@needs_compiled
@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(HMM_ALPHABET[:50] + list("ab12.%- ")), max_size=30))
def test_compiled_hmm_hands_other_text_to_jieba(text):
    # Runs with other characters than finalseg's Han ones go to finalseg.cut itself.
    assert segment._route.hmm_cut(text, jieba.finalseg.cut, jieba.finalseg) == list(jieba.finalseg.cut(text))


@needs_compiled
def test_compiled_hmm_follows_jiebas_force_split_words(monkeypatch):
    text = "小明硕士毕业于中国科学院计算所"
    assert "硕士" in segment._route.hmm_cut(text, jieba.finalseg.cut, jieba.finalseg)
    monkeypatch.setattr(jieba.finalseg, "Force_Split_Words", {"硕士"})
    words = segment._route.hmm_cut(text, jieba.finalseg.cut, jieba.finalseg)
    assert words == list(jieba.finalseg.cut(text)) and "硕士" not in words and "硕" in words


@needs_compiled
def test_compiled_hmm_falls_back_to_python_on_other_tables(monkeypatch):
    # Tables that are not jieba's dicts of floats (an int start score): the Python model runs.
    calls = []

    def hmm(chars):
        calls.append(chars)
        return jieba.finalseg.cut(chars)

    monkeypatch.setattr(jieba.finalseg, "start_P", dict(jieba.finalseg.start_P, B=0))
    text = "小明硕士毕业于中国科学院计算所"
    assert segment._route.hmm_cut(text, hmm, jieba.finalseg) == list(jieba.finalseg.cut(text))
    assert calls == [text]
