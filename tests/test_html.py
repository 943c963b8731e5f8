"""Web pages as users save them (tests/fixtures/html/, pages written for these tests):
the main content gives every record of the article body and none from the menus,
breadcrumbs, share bars, related-article lists, comments or footers around it.

Each "must not" record is checked to be in the page's full visible text (`--html full`
finds it), so the test fails if the page stops holding what it is meant to exclude.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.batch import run
from pipeline.read import MIN_MAIN_CHARS, WARNING, InputProblem, iter_articles, labelled_date, read_html
from pipeline.types import TABLES

from .conftest import assert_offsets

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"

# page -> text_from, date and where it comes from, records (kind, text) that must be found
# and records of the boilerplate that must not.
# fmt: off
PAGES = {
    "gov_portal": dict(
        text_from="main", date="2024-04-18", date_source="html-meta",
        must=[("quantity", "7.2%"), ("quantity", "356亿元"), ("quantity", "86家"), ("time", "一季度"),
              ("metric", "汽车制造业产值达到356亿元，同比增长9.8%"), ("goal", "将加快推进技术改造，力争全年规上工业增加值增长7%以上")],
        must_not=[("quantity", "1234次"), ("organization", "市统计局"), ("organization", "某市人民政府"),
                  ("time", "2024-01-15"), ("time", "2023-02-01"), ("time", "2022-08-09"), ("quantity", "20%")],
    ),
    "stats_bureau": dict(
        text_from="main", date="2024-03-15", date_source="html-label",
        must=[("metric", "地区生产总值4256.8亿元"), ("quantity", "832.5万人"), ("quantity", "58920元"), ("time", "2023年")],
        must_not=[("organization", "国家统计局"), ("organization", "某市统计局"), ("time", "2024年1-2月"), ("time", "2022年")],
    ),
    "news_comments": dict(
        text_from="main", date="2023-10-27", date_source="html-meta",
        must=[("quantity", "52.3万辆"), ("quantity", "1280亿元"), ("goal", "到2025年，全市新能源汽车年产量将力争达到100万辆")],
        must_not=[("quantity", "56条"), ("quantity", "200个"), ("quantity", "8000元"), ("quantity", "超过30%"),
                  ("time", "2023-09-12"), ("time", "去年")],
    ),
    "table_layout": dict(
        text_from="main", date="2024-01-26", date_source="html-label",
        must=[("quantity", "512亿元"), ("quantity", "3.6亿美元"), ("time", "2024年1月25日"),
              ("goal", "将继续优化营商环境，2024年力争引进亿元以上项目70个以上")],
        must_not=[("time", "2021年"), ("time", "2022年度"), ("organization", "网络科技有限公司")],
    ),
    "gbk_county": dict(
        text_from="main", date="2023-07-12", date_source="html-meta",
        must=[("quantity", "48.6亿元"), ("quantity", "13580元"), ("metric", "夏粮总产量9.8万吨")],
        must_not=[("quantity", "896次"), ("organization", "某县人民政府"), ("time", "2023-01-10"), ("time", "2023-02-20")],
    ),
    "policy_reading": dict(
        text_from="main", date="2024-03-08", date_source="html-extractor",
        must=[("quantity", "1560亿元"), ("quantity", "500万元"), ("goal", "到2026年，全市数字经济核心产业增加值力争突破2200亿元")],
        must_not=[("time", "2024-02-28"), ("time", "2023-06-05"), ("time", "2023年度")],
    ),
    "county_news": dict(
        text_from="main", date="2023-11-20", date_source="html-label",
        must=[("quantity", "186.5亿元"), ("time", "11月17日"), ("goal", "确保全年重点项目完成投资超过200亿元")],
        must_not=[("time", "2023年1-10月"), ("organization", "某县人民政府")],
    ),
    "url_dated": dict(
        text_from="main", date="2024-05-21", date_source="html-extractor",
        must=[("quantity", "186亿元"), ("quantity", "52.1亿元"), ("time", "今年1-4月")],
        must_not=[("quantity", "5600亿元"), ("time", "2024-01-08"), ("time", "2023-12-18"), ("organization", "高新区管委会")],
    ),
    "time_tag": dict(
        text_from="main", date="2024-01-22", date_source="html-extractor",
        must=[("quantity", "8520亿元"), ("quantity", "1050亿元"), ("metric", "出口6110亿元，增长8.2%")],
        must_not=[("quantity", "2345次")],
    ),
    "no_date": dict(
        text_from="main", date=None, date_source=None,
        must=[("quantity", "86.4平方公里"), ("quantity", "58家")],
        must_not=[("organization", "某镇人民政府")],
    ),
    # A picture page: its main content is a caption, so the full text is read, with a warning.
    "tiny_main": dict(
        text_from="full", date="2024-05-11", date_source="html-label",
        must=[("time", "5月10日"), ("quantity", "45亿元")],
        must_not=[],
    ),
}
# fmt: on


def _records(out: Path) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for kind in ("quantity", "time", "organization", "metric", "goal"):
        for line in (out / f"{TABLES[kind]}.jsonl").open(encoding="utf-8"):
            r = json.loads(line)
            found.setdefault(r["doc_id"], set()).add((r["kind"], r["text"]))
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The fixture pages run in both modes, once."""
    base = tmp_path_factory.mktemp("html")
    out = {}
    for mode in ("main", "full"):
        run([FIXTURES], out_dir=base / mode, workers=1, html=mode)
        out[mode] = base / mode
    return out


def test_every_fixture_page_is_specified():
    assert sorted(p.stem for p in FIXTURES.glob("*.htm*")) == sorted(PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_gives_the_body_records_and_none_of_the_boilerplate(page, runs):
    spec = PAGES[page]
    main, full = _records(runs["main"]).get(page, set()), _records(runs["full"]).get(page, set())
    assert not [r for r in spec["must"] if r not in main], "body records lost"
    assert not [r for r in spec["must_not"] if r in main], "boilerplate records found"
    assert not [r for r in spec["must_not"] if r not in full], "the page no longer holds this boilerplate"
    row = next(json.loads(line) for line in (runs["main"] / "articles.jsonl").open(encoding="utf-8") if f'"{page}"' in line)
    assert (row["text_from"], row["date"], row["date_source"]) == (spec["text_from"], spec["date"], spec["date_source"])


def test_record_offsets_point_into_the_main_text(nlp):
    from pipeline.process import process_article

    for item in iter_articles([FIXTURES]):
        if isinstance(item, InputProblem):
            continue
        _, document = process_article(item, nlp=nlp)
        assert_offsets(document)


def test_publication_dates_found_on_nine_of_ten_pages_that_show_one():
    shown = [p for p, s in PAGES.items() if s["date"] is not None]
    found = {a.doc_id: a.date for a in iter_articles([FIXTURES]) if not isinstance(a, InputProblem)}
    right = [p for p in shown if found[p] == dt.date.fromisoformat(PAGES[p]["date"])]
    assert len(shown) >= 10 and len(right) >= 0.9 * len(shown)
    assert found["no_date"] is None


def test_tiny_main_content_falls_back_to_full_text_with_a_warning_row(runs):
    errors = [json.loads(line) for line in (runs["main"] / "errors.jsonl").open(encoding="utf-8")]
    assert [(e["doc_id"], e["reason"].startswith(WARNING)) for e in errors] == [("tiny_main", True)]
    assert str(MIN_MAIN_CHARS) in errors[0]["reason"]
    manifest = json.loads((runs["main"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["html"] == "main"


def test_full_mode_gives_no_warning_and_the_visible_text(runs):
    assert (runs["full"] / "errors.jsonl").read_text(encoding="utf-8") == ""
    rows = [json.loads(line) for line in (runs["full"] / "articles.jsonl").open(encoding="utf-8")]
    assert {r["text_from"] for r in rows} == {"full"}


def test_title_and_url_come_from_the_page():
    (page,) = [a for a in iter_articles([FIXTURES / "gov_portal.html"])]
    assert page.title == "一季度全市规上工业增加值增长7.2%"  # the article's, not the <title> with the site name
    assert page.url == "https://www.moushi.gov.cn/art/2024/4/18/art_1229_5012345.html"
    (news,) = [a for a in iter_articles([FIXTURES / "news_comments.html"])]
    assert news.url == "https://news.example.com.cn/economy/2023/10/27/c_1129943.htm"  # og:url


@pytest.mark.parametrize("mode", ["main", "full"])
def test_reading_is_deterministic(mode):
    for f in sorted(FIXTURES.glob("*.html")):
        source = f.read_bytes().decode("gb18030" if f.stem.startswith("gbk") else "utf-8")
        assert len({read_html(source, mode=mode) for _ in range(3)}) == 1, f.name


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown HTML mode"):
        read_html("<p>x</p>", mode="article")


# fmt: off
LABELLED = [
    ("发布日期：2024年01月26日　点击数：567", dt.date(2024, 1, 26)),
    ("发布时间：2024-03-15　来源：某市统计局", dt.date(2024, 3, 15)),
    ("时间:2023/7/12 来源：县农业农村局", dt.date(2023, 7, 12)),
    ("成文日期： 2023.11.20", dt.date(2023, 11, 20)),
    # negative: unlabelled dates (related lists), an impossible date, a label without a date
    ("相关文章 2024-01-15 2023-02-01", None),
    ("发布日期：2024-02-31", None),
    ("发布时间：待定", None),
]
# fmt: on


@pytest.mark.parametrize("text, expected", LABELLED)
def test_labelled_date(text, expected):
    assert labelled_date(text) == expected


def test_same_tables_with_two_workers(runs, tmp_path):
    run([FIXTURES], out_dir=tmp_path, workers=2, html="main")
    for name in (*(f"{TABLES[k]}.jsonl" for k in ("quantity", "time", "organization", "metric", "goal")), "articles.jsonl", "errors.jsonl"):
        assert (tmp_path / name).read_bytes() == (runs["main"] / name).read_bytes(), name


@pytest.mark.parametrize("mode", ["main", "full"])
def test_review_and_diff_re_read_the_text_the_run_used(runs, mode):
    from pipeline.diff import ArticleTexts

    texts = ArticleTexts()
    for line in (runs[mode] / "articles.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        text, reason = texts.get(row, runs[mode])
        assert reason == "" and len(text) == row["chars"], row["doc_id"]


def test_switching_the_mode_reprocesses(tmp_path):
    page = FIXTURES / "gov_portal.html"
    assert run([page], out_dir=tmp_path, workers=1, html="main").reused == 0
    assert run([page], out_dir=tmp_path, workers=1, html="main").reused == 1
    assert run([page], out_dir=tmp_path, workers=1, html="full").reused == 0
