"""`press-extract review`: the HTML page, parsed here and rendered by a real headless
browser (Debian's chromium; `.ci/run` installs it when missing)."""

from __future__ import annotations

import collections
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.diff import diff_runs, read_run
from pipeline.review import _Span, highlight, render_review, write_pages
from tests.runs import goal, metric, org, quantity, time, write_run

TEXT = "2023年，临平区地区生产总值1067.27亿元，增长6%。\n力争2025年工业总产值达1360亿元，临平区<b>打造</b>城市新地标。"
SECOND = "全年新增规上企业超700家，浙江大学等4家单位参与。"


def records(text: str, *, gdp: str = "106727000000") -> list:
    return [
        time(text, "2023年", "2023-01-01", "2023-12-31"),
        time(text, "2025年", "2025-01-01", "2025-12-31"),
        org(text, "临平区", "government"),
        quantity(text, "1067.27亿元", gdp, "CNY"),
        quantity(text, "6%", "6", "%"),
        quantity(text, "1360亿元", "136000000000", "CNY"),
        metric(text, "地区生产总值1067.27亿元，增长6%", "地区生产总值", gdp, "CNY", period="2023", subject="临平区"),
        # crosses the metric's end: rendered as two pieces, counted once
        goal(text, "6%。\n力争", "力争"),
        goal(text, "力争2025年工业总产值达1360亿元", "力争", indicator="工业总产值", comparator=">=", value="136000000000", unit="CNY", deadline="2025"),
        goal(text, "<b>打造</b>城市新地标", "打造"),
    ]


SECOND_RECORDS = [quantity(SECOND, "超700家", "700", "家", qualifier="over"), org(SECOND, "浙江大学", "university"), quantity(SECOND, "4家", "4", "家")]


@pytest.fixture
def runs(tmp_path):
    old = write_run(tmp_path / "old", [("a", TEXT, records(TEXT)), ("b", SECOND, SECOND_RECORDS)])
    changed = [r for r in records(TEXT, gdp="10672700000") if r.text != "6%"] + [org(TEXT, "临平区", nth=1)]
    new = write_run(tmp_path / "new", [("a", TEXT, changed), ("c", SECOND, SECOND_RECORDS)])
    return old, new


class Marks(HTMLParser):
    """Counts marks by kind and diff class, and checks that tags nest properly."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.first = collections.Counter()  # kind -> marks that start a record
        self.pieces = collections.Counter()
        self.classes = collections.Counter()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.removed_markers = 0
        self.sections = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "mark":
            self.pieces[a["data-kind"]] += 1
            if "data-rid" in a:
                self.first[a["data-kind"]] += 1
                self.ids.append(a["data-rid"])
                assert a["title"] and a["tabindex"] == "0"
            self.classes.update(a["class"].split())
        if a.get("data-removed"):
            self.removed_markers += 1
        if tag == "section":
            self.sections += 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
        self.stack.pop()


def parse(page: str) -> Marks:
    m = Marks()
    m.feed(page)
    m.close()
    return m


def kind_counts(recs) -> dict[str, int]:
    return dict(collections.Counter(r.kind for r in recs))


def test_every_record_is_marked_once_and_tags_nest(runs):
    old, _ = runs
    page = render_review(read_run(old))
    m = parse(page)
    assert m.stack == []
    assert dict(m.first) == dict(collections.Counter(kind_counts(records(TEXT))) + collections.Counter(kind_counts(SECOND_RECORDS)))
    # "6%。\n力争" leaves the metric (split once) and the 2025 goal starts inside it (that
    # one is split once too); nothing else is split.
    assert m.pieces["goal"] == m.first["goal"] + 2
    assert {k: m.pieces[k] - m.first[k] for k in m.first} == {"time": 0, "organization": 0, "quantity": 0, "metric": 0, "goal": 2}
    assert len(set(m.ids)) == len(m.ids)
    assert "&lt;b&gt;打造&lt;/b&gt;" in page  # article text is escaped, never markup


def test_page_is_self_contained(runs):
    page = render_review(read_run(runs[0]))
    for needle in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert needle not in page


def test_tooltips_carry_the_normalised_value(runs):
    page = render_review(read_run(runs[0]))
    assert 'title="quantity: 106727000000 CNY"' in page
    assert 'title="quantity: 700 家 (over)"' in page
    assert 'title="metric: 地区生产总值 = 106727000000 CNY, period 2023, subject 临平区"' in page


def test_metric_and_goal_tables(runs):
    page = render_review(read_run(runs[0]))
    assert page.count('<tr class="" data-kind="metric">') == 1
    assert page.count('<tr class="" data-kind="goal">') == 3
    assert "<h3>Goals (3)</h3>" in page


def test_diff_marks_added_removed_changed(runs):
    old, new = runs
    d = diff_runs(read_run(old), read_run(new))
    m = parse(render_review(read_run(new), diff=d))
    assert m.classes["d-add"] == 1 + 3  # the second 临平区, and the records of the added article c
    assert m.classes["d-chg"] == 2  # 1067.27亿元 and its metric
    assert m.removed_markers == 1  # 6%, in place (the text is unchanged)
    assert m.sections == 3  # a, then c (added) and b (removed)
    page = render_review(read_run(new), diff=d)
    assert [page.count(f'data-change="{s}"') for s in ("added", "removed", "changed")] == [1, 1, 2]
    assert "changed: value 106727000000 → 10672700000" in page


def test_without_article_text_records_are_listed(runs):
    old, _ = runs
    (old.parent / "old.jsonl").unlink()
    page = render_review(read_run(old))
    assert "Article text not available (input" in page
    assert parse(page).first == collections.Counter()
    assert page.count('data-kind="quantity"><td>') == 5


def test_highlight_reopens_a_crossing_span():
    spans = [_Span(0, 4, "<mark a>", "<mark a+>"), _Span(2, 6, "<mark b>", "<mark b+>")]
    assert highlight("abcdef", spans, {}) == "<mark a>ab<mark b>cd</mark></mark><mark b+>ef</mark>"
    assert highlight("a<b", [], {1: ["|"]}) == "a|&lt;b"


def test_pages_for_large_runs(runs, tmp_path):
    old, new = runs
    files = write_pages(read_run(new), tmp_path / "pages", diff=diff_runs(read_run(old), read_run(new)))
    assert [f.name for f in files] == ["index.html", "0001.html", "0002.html", "0003.html"]
    index = files[0].read_text(encoding="utf-8")
    assert index.count('<a href="000') == 3 and parse(index).stack == []
    assert parse(files[1].read_text(encoding="utf-8")).first["organization"] == 2


def test_cli_review(runs, capsys):
    old, new = runs
    assert main(["review", str(new), "--diff", str(old)]) == 0
    assert (new / "review.html").exists()
    assert "wrote" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["review", str(new / "nothing")])
    assert exc.value.code == 2


# -- in a real browser --------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (.ci/run installs it)")


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True)


@browser
def test_renders_in_a_browser_with_the_right_highlights(runs, tmp_path, request):
    old, new = runs
    page = tmp_path / "review.html"
    assert main(["review", str(new), "--diff", str(old), "--html", str(page)]) == 0
    dom = chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout
    m = parse(dom.split("\n", 1)[1] if dom.startswith("<!DOCTYPE") else dom)
    new_records = [r for r in records(TEXT) if r.text != "6%"] + [org(TEXT, "临平区", nth=1)]
    assert dict(m.first) == dict(collections.Counter(kind_counts(new_records)) + collections.Counter(kind_counts(SECOND_RECORDS)))
    assert (m.classes["d-add"], m.classes["d-chg"], m.removed_markers) == (4, 2, 1)

    # A screenshot for a person to look at: .pytest_cache/d/review/review.png
    shot = request.config.cache.mkdir("review") / "review.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1000", "--hide-scrollbars", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 1000)
    assert len(data) > 20_000  # a blank page compresses to a few hundred bytes


# -- properties of the highlighter ----------------------------------------------------------


@st.composite
def text_and_spans(draw):
    text = draw(st.text(alphabet="临平<>&\"'\n 6%。", min_size=1, max_size=30))
    pairs = draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, len(text))), max_size=8))
    spans = [(min(a, b), max(a, b)) for a, b in pairs if a != b]
    markers = draw(st.lists(st.integers(0, len(text)), max_size=3))
    return text, spans, markers


@settings(max_examples=60, deadline=None)
@given(case=text_and_spans())
def test_highlight_nests_keeps_the_text_and_opens_each_span_once(case):
    text, spans, markers = case
    tags = [_Span(s, e, f'<mark data-kind="q" data-rid="{i}" title="t" tabindex="0" class="hl">', '<mark data-kind="q" class="hl cont">') for i, (s, e) in enumerate(spans)]
    out = highlight(text, tags, {p: ['<span data-removed="q">x</span>'] for p in markers})
    m = parse(out)
    assert m.stack == []
    assert m.first["q"] == len(spans) and m.removed_markers == len(set(markers))

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    t = Text()
    t.feed(out.replace('<span data-removed="q">x</span>', ""))
    t.close()
    assert "".join(t.parts) == text
