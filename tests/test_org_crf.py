"""The character CRF's features, tag decoding and lexicon file (pipeline/extract/org_crf.py)."""

from __future__ import annotations

import pytest

from pipeline.extract.org_crf import bio_tags, features, lexicon_from_rows, read_lexicon, spans_of

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


def test_bad_lexicon_line_names_file_and_line(tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_text("h\tgovernment\t统计局\np\t杭州\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon\.tsv:2"):
        read_lexicon(path)
