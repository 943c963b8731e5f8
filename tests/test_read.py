"""Readers: every format and encoding, dates, and bad inputs reported with a reason."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json

import pytest

from pipeline.read import InputProblem, decode, iter_articles

TEXT = "2023年，临平区地区生产总值1067.27亿元，增长6%。\n“十四五”期间，近400家企业。"


def _read(*paths, **kw):
    return list(iter_articles([str(p) for p in paths], **kw))


# fmt: off
ENCODINGS = [
    ("utf-8", TEXT.encode("utf-8"), "utf-8"),
    ("utf-8-bom", codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    ("utf-16-le-bom", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    ("gbk", TEXT.encode("gbk"), "gb18030"),
    ("gb18030", TEXT.encode("gb18030"), "gb18030"),
]
# fmt: on


@pytest.mark.parametrize("name,data,encoding", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_encodings_decode_to_the_same_text(tmp_path, name, data, encoding):
    f = tmp_path / f"{name}.txt"
    f.write_bytes(data)
    (article,) = _read(f)
    assert article.text == TEXT
    assert article.encoding == encoding
    assert article.doc_id == name


def test_crlf_and_spacing_are_kept_as_decoded(tmp_path):
    raw = "第一段。\r\n\r\n  第二段：增长6%。 "
    (tmp_path / "a.txt").write_bytes(raw.encode())
    (article,) = _read(tmp_path / "a.txt")
    assert article.text == raw


def test_html_visible_text_title_and_meta_date(tmp_path):
    page = """<html><head><title>临平 &amp; 经开区</title>
    <meta name="PubDate" content="2024-02-01 08:00">
    <style>p{color:red}</style><script>var x = "增长99%";</script></head>
    <body><h1>标题</h1><p>地区生产总值1067.27亿元，增长6%。</p>
    <noscript>请开启脚本</noscript><div>近400家&nbsp;企业</div></body></html>"""
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (article,) = _read(tmp_path / "page.html", html_mode="full")
    assert article.title == "临平 & 经开区" and article.text_from == "full"
    assert article.date == dt.date(2024, 2, 1) and article.date_source == "html-meta"
    assert "99%" not in article.text and "color" not in article.text and "脚本" not in article.text
    assert article.text == "标题\n地区生产总值1067.27亿元，增长6%。\n近400家\xa0企业"


def test_html_with_only_scripts_is_an_empty_input(tmp_path):
    (tmp_path / "s.htm").write_text("<html><script>alert(1)</script><style>x{}</style></html>")
    (problem,) = _read(tmp_path / "s.htm")
    assert isinstance(problem, InputProblem) and problem.reason.startswith("empty")


def test_gbk_html(tmp_path):
    (tmp_path / "g.html").write_bytes("<p>增长6%</p>".encode("gbk"))
    (article,) = _read(tmp_path / "g.html", html_mode="full")
    assert article.text == "增长6%" and article.encoding == "gb18030"


def test_markdown_is_read_verbatim(tmp_path):
    (tmp_path / "m.md").write_text("# 标题\n\n**增长6%**", encoding="utf-8")
    (article,) = _read(tmp_path / "m.md")
    assert article.text == "# 标题\n\n**增长6%**"


def test_jsonl_articles_and_a_broken_line(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "增长6%。", "date": "2024-02-01", "title": "T", "url": "http://x"}, ensure_ascii=False),
        '{"id": "broken", "text": ',
        json.dumps({"id": 7, "text": "近400家"}, ensure_ascii=False),
        json.dumps({"id": "bad-date", "text": "x", "date": "2024-13-01"}),
        json.dumps({"id": "no-text"}),
        json.dumps(["not", "an", "object"]),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = _read(tmp_path / "in.jsonl")
    ok = [i for i in items if not isinstance(i, InputProblem)]
    bad = [i for i in items if isinstance(i, InputProblem)]
    assert [a.doc_id for a in ok] == ["a", "7"]
    assert ok[0].date == dt.date(2024, 2, 1) and ok[0].date_source == "jsonl"
    assert ok[0].title == "T" and ok[0].url == "http://x"
    assert [(p.line, p.reason.split(":")[0]) for p in bad] == [
        (2, "invalid JSON line"), (4, "invalid 'date' '2024-13-01' (expected YYYY-MM-DD)"),
        (5, "empty"), (6, "invalid JSON line"),
    ]
    assert all(p.path == str(tmp_path / "in.jsonl") for p in bad)


def test_folder_is_recursive_and_sorted_with_relative_doc_ids(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("乙", encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / "b" / "1.md").write_text("丙", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    assert [a.doc_id for a in _read(tmp_path)] == ["a", "b/1", "b/2"]


def test_date_order_filename_then_option(tmp_path):
    (tmp_path / "20240201-x.txt").write_text("去年", encoding="utf-8")
    (tmp_path / "y.txt").write_text("去年", encoding="utf-8")
    a, b = _read(tmp_path, default_date=dt.date(2020, 5, 5))
    assert (a.date, a.date_source) == (dt.date(2024, 2, 1), "filename")
    assert (b.date, b.date_source) == (dt.date(2020, 5, 5), "option")
    (c,) = _read(tmp_path / "y.txt")
    assert c.date is None and c.date_source is None


def test_a_text_files_publication_label_dates_it_before_its_file_name(tmp_path):
    (tmp_path / "20240201-x.txt").write_text("标题\n发布时间：2011-03-24\n今年", encoding="utf-8")
    (tmp_path / "y.txt").write_text("会议通知\n时间：2024年3月1日\n今年", encoding="utf-8")
    a, b = _read(tmp_path)
    assert (a.date, a.date_source) == (dt.date(2011, 3, 24), "text-label")
    assert b.date is None  # a bare 时间 is no publication date


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("binary.txt", bytes(range(256)) * 8, "undecodable"),
        ("nul.txt", "增长6%".encode() + b"\x00\x00abc", "undecodable"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\n", "empty"),
        ("latin1.txt", "Caf\xe9 na\xefve r\xe9sum\xe9 \xe0 la carte".encode("latin-1"), "undecodable"),
        ("truncated-utf16.txt", codecs.BOM_UTF16_LE + "增长".encode("utf-16-le")[:-1], "undecodable"),
    ],
)
def test_bad_inputs_become_problems_with_a_reason(tmp_path, name, data, reason):
    (tmp_path / name).write_bytes(data)
    (problem,) = _read(tmp_path / name)
    assert isinstance(problem, InputProblem)
    assert problem.path == str(tmp_path / name)
    assert problem.reason.startswith(reason), problem.reason


def test_too_large_is_reported_without_reading(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.read.MAX_BYTES", 10)
    (tmp_path / "big.txt").write_text("增长6%增长6%增长6%", encoding="utf-8")
    (problem,) = _read(tmp_path / "big.txt")
    assert problem.reason.startswith("too large")


def test_missing_path_is_reported(tmp_path):
    (problem,) = _read(tmp_path / "nope")
    assert problem.reason == "not found"


def test_stdin_text_and_jsonl():
    (a,) = list(iter_articles(["-"], stdin=io.BytesIO("增长6%".encode("gbk"))))
    assert (a.doc_id, a.text, a.encoding) == ("stdin", "增长6%", "gb18030")
    data = b'{"id": "x", "text": "1"}\n{"id": "y", "text": "2"}\n'
    assert [a.doc_id for a in iter_articles(["-"], stdin=io.BytesIO(data))] == ["x", "y"]


def test_decode_never_guesses_silently():
    with pytest.raises(ValueError):
        decode(b"\x80\x81\xfe binary \x00")
