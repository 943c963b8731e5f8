"""The character CRF's features, tag decoding and lexicon file, and that the run path's
features (only those the model has) tag as all of them do (pipeline/extract/org_crf.py)."""

from __future__ import annotations

import pycrfsuite
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import org_crf
from pipeline.extract.org_crf import (
    MODEL_FILE,
    CharCRF,
    bio_tags,
    features,
    known_features,
    lexicon_from_rows,
    lexicon_marks,
    model_attributes,
    read_lexicon,
    spans_of,
)
from pipeline.extract.organizations import DEFAULT_MODEL, rules_only_pipeline

from .test_organizations import _clause_texts

LEX = lexicon_from_rows([("h", "government", "统计局"), ("p", "p", "杭州"), ("p", "p", "杭州市"), ("k", "company", "格力")])


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["O", "O"], []),
        (["B", "I", "I"], [(0, 3)]),
        (["B", "B", "I", "O"], [(0, 1), (1, 3)]),
        (["O", "I", "I", "O", "B"], [(1, 3), (4, 5)]),
    ],
)
def test_spans_of_reads_bio_runs(tags, spans):
    assert spans_of(tags) == spans
    assert spans_of(bio_tags(len(tags), spans)) == spans


@pytest.mark.parametrize(
    ("text", "words", "at", "expected", "absent"),
    [
        ("杭州市统计局", ["杭州市", "统计局"], 0, {"ppB", "wp=B", "w=杭州市"}, {"hgovernmentB"}),
        ("杭州市统计局", ["杭州市", "统计局"], 2, {"ppE", "+hgovernmentB", "wp=E"}, set()),
        ("杭州市统计局", ["杭州市", "统计局"], 4, {"hgovernmentI", "-hgovernmentB"}, {"ppE"}),
        ("格力电器", ["格力", "电器"], 1, {"kcompanyE", "c-1c=格力"}, {"kcompanyB"}),
        ("电器", ["电器"], 0, {"c-1=\x02", "c+2=\x03"}, {"kcompanyB", "ppB"}),
    ],
)
def test_features_of_a_character(text, words, at, expected, absent):
    f = features(text, words, LEX)
    assert len(f) == len(text)
    assert expected <= set(f[at]) and not absent & set(f[at])


ROWS = [("h", "government", "局"), ("h", "government", "统计局"), ("k", "government", "统计局"), ("p", "p", "杭州"), ("p", "p", "杭州市")]


def _naive_marks(text, rows):
    """Each entry's B/I/E marks where it occurs, by start, then length, then row order."""
    marks = {}
    for i in range(len(text)):
        for name, cls, surface in sorted(rows, key=lambda r: len(r[2])):
            if text.startswith(surface, i):
                end = i + len(surface) - 1
                marks.setdefault(i, []).append(name + cls + "B")
                for j in range(i + 1, end):
                    marks.setdefault(j, []).append(name + cls + "I")
                marks.setdefault(end, []).append(name + cls + "E")
    return {i: list(dict.fromkeys(ms)) for i, ms in marks.items()}


def _entry_marks(text):
    """`lexicon_marks` without the neighbours' edges (`+`, `-`)."""
    marks = {i: [m for m in ms if m[0] not in "+-"] for i, ms in lexicon_marks(text, lexicon_from_rows(ROWS)).items()}
    return {i: ms for i, ms in marks.items() if ms}


@pytest.mark.parametrize("text", ["杭州", "在杭州", "杭州市统计局", "市统计局局", "杭", "统计", "杭州杭州市"])
def test_lexicon_marks_are_each_entry_where_it_occurs(text):
    assert _entry_marks(text) == _naive_marks(text, ROWS)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("杭州市统计局在")), max_size=20))
def test_lexicon_marks_match_a_naive_search(text):
    assert _entry_marks(text) == _naive_marks(text, ROWS)


def test_bad_lexicon_line_names_file_and_line(tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_text("h\tgovernment\t统计局\np\t杭州\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon\.tsv:2"):
        read_lexicon(path)


# -- the run path: only the model's own features ---------------------------------------------
def test_known_features_keep_the_models_attributes_in_order():
    rows = features("杭州市统计局", ["杭州市", "统计局"], LEX)
    attributes = ["hgovernmentE", "c=州", "w=杭州市", "c-1c=杭州", "ppE", "-hgovernmentB", "w-1=\x02", "c=x\ny"]
    known = known_features(attributes)
    filtered = features("杭州市统计局", ["杭州市", "统计局"], LEX, known=known)
    assert filtered == [tuple(a for a in row if a in attributes) for row in rows]
    assert filtered[1] == ("c=州", "c-1c=杭州", "w=杭州市", "w-1=\x02", "ppE")
    assert features("杭州", ["杭州"], LEX, known=known_features([])) == [(), ()]


def _tiny_model(tmp_path, items):
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.append(items, ["B", "O"] * (len(items) // 2))
    trainer.set_params({"c1": 0.0, "c2": 0.01, "max_iterations": 5})
    path = tmp_path / MODEL_FILE
    trainer.train(str(path))
    return path


def test_model_attributes_read_from_the_file_in_id_order(tmp_path):
    """Attributes holding a newline or `=` are read whole (`Tagger.dump` is the reference)."""
    path = _tiny_model(tmp_path, [("c=甲", "w=a\nb"), ("c==", "kcompanyB"), ("c=甲", "c-1c=\x02乙"), ("w+1=\x03",)])
    attributes = model_attributes(path)
    assert sorted(attributes) == sorted({"c=甲", "w=a\nb", "c==", "kcompanyB", "c-1c=\x02乙", "w+1=\x03"})
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    dump = tmp_path / "dump.txt"
    tagger.dump(str(dump))
    listed = "".join(f"  {i:5d}: {a}\n" for i, a in enumerate(attributes))
    assert "ATTRIBUTES = {\n" + listed + "}" in dump.read_text(encoding="utf-8")
    assert known_features(attributes)["c="] == {"甲": "c=甲", "=": "c=="}


def test_a_file_that_is_no_crfsuite_model_is_refused(tmp_path):
    path = tmp_path / MODEL_FILE
    path.write_bytes(b"lCRF" + bytes(60))
    with pytest.raises(ValueError, match="not a crfsuite CRF1d model"):
        model_attributes(path)


@pytest.fixture(scope="module")
def crf():
    return CharCRF(DEFAULT_MODEL)


def _tags(crf, words, *, known):
    text = "".join(words)
    return crf.tagger.tag(features(text, words, crf.lexicon, known=crf.known if known else None))


@pytest.mark.model
def test_the_shipped_model_tags_the_same_on_its_known_features(crf):
    """The spec sentences and the sample articles, cut by the pipeline's tokenizer."""
    make_doc = rules_only_pipeline().make_doc
    for text in _clause_texts():
        words = [t.text for t in make_doc(text)]
        assert _tags(crf, words, known=True) == _tags(crf, words, known=False), text[:30]
        assert crf.spans(words) == spans_of(_tags(crf, words, known=False))


# characters the model has features for and some it has none for (ASCII, rare CJK, controls)
WORD = st.text(st.sampled_from(list("浙江杭州市临平区统计局人民政府有限公司集团科技研究院大学医院中心协会、，。的和与在年月日1２%Ab 鑫燚\n\x02")), min_size=1, max_size=6)


@pytest.mark.model
@settings(max_examples=80, deadline=None)
@given(st.lists(WORD, max_size=30))
def test_known_features_never_change_a_tag(crf, words):
    assert _tags(crf, words, known=True) == _tags(crf, words, known=False)


# -- the compiled tagger (pipeline/extract/_crf.c) against pycrfsuite ---------------------------
needs_compiled = pytest.mark.skipif(org_crf._crf is None, reason="pipeline.extract._crf was not built (no C compiler)")


@pytest.fixture(scope="module")
def python_crf():
    return CharCRF(DEFAULT_MODEL, compiled=False)


# fmt: off
TEXTS = [
    ["杭州市", "统计局"], ["格力", "电器"], ["电器"], ["临平区", "人民政府", "、", "浙江大学", "医学院"],
    ["a"], ["", "杭州"], ["杭州", "", ""], ["\x02", "\x03", "统计局"], ["鑫燚", "有限公司"], ["1２%", "Ab", " \n"],
]
# fmt: on


@pytest.mark.model
@needs_compiled
@pytest.mark.parametrize("words", TEXTS, ids=map("|".join, TEXTS))
def test_compiled_tags_are_pycrfsuites_on_a_table(crf, python_crf, words):
    assert crf.compiled is not None and python_crf.compiled is None
    assert crf.tags(words) == python_crf.tags(words) == _tags(python_crf, words, known=False)


@pytest.mark.model
@needs_compiled
def test_compiled_tags_are_pycrfsuites_on_every_model_call_of_the_articles(crf, python_crf):
    """The spec sentences and sample articles, and each model call of the pipeline on them."""
    make_doc = rules_only_pipeline().make_doc
    for text in _clause_texts():
        words = [t.text for t in make_doc(text)]
        assert crf.tags(words) == python_crf.tags(words), text[:30]
        assert crf.spans(words) == python_crf.spans(words)


@pytest.mark.model
@needs_compiled
@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(WORD, st.text(max_size=4)), max_size=30))
def test_compiled_tags_are_pycrfsuites_on_random_words(crf, python_crf, words):
    assert crf.tags(words) == python_crf.tags(words)


@needs_compiled
def test_compiled_tagger_reads_a_tiny_model_as_pycrfsuite(tmp_path):
    path = _tiny_model(tmp_path, [("c=甲", "w=甲乙"), ("c=乙", "kcompanyB"), ("c=甲", "c-1c=\x02甲"), ("w+1=\x03",)])
    attributes = model_attributes(path)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    lex = lexicon_from_rows([("k", "company", "甲乙"), ("k", "company", "乙")])
    compiled = org_crf.compiled_tagger(attributes, known_features(attributes), lex, org_crf.model_weights(path))
    for words in (["甲乙"], ["甲", "乙", "甲乙"], ["乙"], ["丙", "甲"]):
        text = "".join(words)
        assert compiled.tag(text, words) == tagger.tag(features(text, words, lex, known=known_features(attributes)))


def test_python_tags_are_used_when_the_extension_is_absent(monkeypatch):
    monkeypatch.setattr(org_crf, "_crf", None)
    assert CharCRF(DEFAULT_MODEL).compiled is None
