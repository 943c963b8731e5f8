"""An HTML page a person can review: each article with its records highlighted in place.

One self-contained file (inline CSS, no script, no network, no external assets):

- a header with a colour legend (one colour per kind, with totals) and an index table of
  articles with their record counts, linking to each article;
- per article, the text with every record marked where it was found (atoms as coloured
  backgrounds, metrics and goals as underlines, nested where spans nest); the normalised
  value shows as a tooltip on hover and under the mark on keyboard focus;
- per article, tables of its metrics and goals;
- with a diff (`review --diff OLD`, `diff --format html`), added and changed records are
  outlined, and removed ones listed (and marked where they were, when the text is the same).

The article text is not in the output tables: it is re-read from the input that
`articles.path` names, and used only when its sha256 is the one the run recorded
(`diff.ArticleTexts`). Without it, an article shows a table of its records instead.

Pages stay usable for a thousand articles: sections are rendered lazily by the browser
(`content-visibility`), and `write_pages` writes an index page plus one page per article.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any, Iterable

from .diff import ArticleDiff, ArticleTexts, Change, Run, RunDiff, describe, show
from .types import KINDS, TABLES

# Colours chosen to stay apart for common colour-vision deficiencies; the legend repeats them.
KIND_COLOURS: dict[str, str] = {
    "quantity": "#ffd966",
    "time": "#9fd3ff",
    "organization": "#b5e7a0",
    "metric": "#8e44ad",
    "goal": "#e4572e",
}
METRIC_COLUMNS = ("indicator", "subject", "period", "period_from", "value", "unit", "qualifier", "change", "change_unit", "indicator_id")
GOAL_COLUMNS = ("trigger", "indicator", "comparator", "value", "unit", "deadline", "period_from", "subject", "quantitative")
_DIFF_CLASS = {"added": "d-add", "changed": "d-chg", "removed": "d-rm"}

_CSS = """
body{font:15px/1.6 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:0 auto;max-width:72em;padding:0 1em 4em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2.5em;border-top:1px solid #ccc;padding-top:1em}h3{font-size:1em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.15em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.legend span{display:inline-block;margin:0 1em .3em 0}.sw{display:inline-block;width:1.6em;height:1em;vertical-align:middle;margin-right:.3em;border-radius:2px}
.doc{content-visibility:auto;contain-intrinsic-size:auto 1500px}
.meta{color:#666;font-size:.85em}.note{color:#a33}
.text{white-space:pre-wrap;line-height:2.3;padding:.5em 1em;background:#fcfcfc;border:1px solid #eee}
mark.hl{background:none;color:inherit;position:relative;border-radius:2px;cursor:help}
mark.k-quantity{background:#ffd966}mark.k-time{background:#9fd3ff}mark.k-organization{background:#b5e7a0}
mark.k-metric{border-bottom:3px solid #8e44ad;padding-bottom:2px}
mark.k-goal{border-bottom:3px dotted #e4572e;padding-bottom:6px}
mark.hl:focus{outline:2px solid #000}
mark.hl:focus::after{content:attr(title);position:absolute;left:0;top:100%;z-index:2;white-space:pre;background:#222;color:#fff;font-size:.8em;line-height:1.4;padding:.2em .5em;border-radius:3px}
.d-add{outline:2px solid #1b7f2a;outline-offset:1px}.d-chg{outline:2px dashed #d97b00;outline-offset:1px}
.d-rm{color:#c62828;font-weight:bold;font-size:.8em;vertical-align:super}
tr.d-add td,tr.d-add-row td{background:#e6f4e8}tr.d-chg td,tr.d-chg-row td{background:#fff1dc}tr.d-rm td{background:#fde4e4;text-decoration:line-through}tr.d-rm-row td{background:#fde4e4}
"""


def _e(value: Any) -> str:
    return html.escape(show(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _legend(totals: dict[str, int] | None, *, with_diff: bool) -> str:
    items = []
    for kind in KINDS:
        colour = KIND_COLOURS[kind]
        style = f"background:{colour}" if kind in ("quantity", "time", "organization") else f"border-bottom:3px {'solid' if kind == 'metric' else 'dotted'} {colour}"
        items.append(f'<span data-legend="{kind}"><i class="sw" style="{style}"></i>{kind}' + (f" ({totals.get(kind, 0)})" if totals is not None else "") + "</span>")
    if with_diff:
        items += [
            '<span><i class="sw d-add"></i>added</span>',
            '<span><i class="sw d-chg"></i>changed (old value in the tooltip)</span>',
            '<span><b class="d-rm">✕</b> removed (listed under the article)</span>',
        ]
    return '<p class="legend">' + "".join(items) + "</p>"


class _Span:
    __slots__ = ("start", "end", "open", "cont")

    def __init__(self, start: int, end: int, open_tag: str, cont_tag: str) -> None:
        self.start, self.end, self.open, self.cont = start, end, open_tag, cont_tag


def highlight(text: str, spans: list[_Span], markers: dict[int, list[str]]) -> str:
    """`text` escaped, with each span wrapped in its tag. Spans nest when they nest; a span
    that crosses another's boundary is closed and reopened with its continuation tag."""
    starts: dict[int, list[_Span]] = {}
    for s in spans:
        starts.setdefault(s.start, []).append(s)
    points = sorted({0, len(text), *starts, *(s.end for s in spans), *markers})
    out: list[str] = []
    stack: list[_Span] = []
    opened: set[int] = set()
    active: list[_Span] = []
    for k, p in enumerate(points):
        active = [s for s in active if s.end > p] + starts.get(p, [])
        want = sorted(active, key=lambda s: (s.start, -s.end))
        keep = 0
        while keep < len(stack) and keep < len(want) and stack[keep] is want[keep]:
            keep += 1
        out.append("</mark>" * (len(stack) - keep))
        out.extend(markers.get(p, ()))
        for s in want[keep:]:
            out.append(s.cont if id(s) in opened else s.open)
            opened.add(id(s))
        stack = want
        if k + 1 < len(points):
            out.append(html.escape(text[p:points[k + 1]], quote=False))
    return "".join(out)


def _placed(text: str, rec: dict[str, Any]) -> bool:
    return 0 <= rec["start"] < rec["end"] <= len(text) and text[rec["start"]:rec["end"]] == rec["text"]


def _change_note(c: Change) -> str:
    return "changed: " + "; ".join(f"{f} {show(c.old.get(f))} → {show(c.new.get(f))}" for f in c.fields)


# How the review names the text a web page was read as (`articles.text_from`).
_TEXT_FROM = {"main": "main content of the page", "full": "all visible text of the page"}


class _ArticleView:
    """Renders one article (of the new run when there is a diff)."""

    def __init__(self, n: int, doc_id: str, run: Run, texts: ArticleTexts, change: ArticleDiff | None) -> None:
        self.n, self.doc_id, self.run, self.change = n, doc_id, run, change
        self.row = run.articles.get(doc_id) or {}
        self.records = run.of(doc_id)
        self.text, self.reason = texts.get(run.articles.get(doc_id), run.folder)
        self.by_id = {c.new["id"]: c for c in (change.changes if change else ()) if c.new is not None}
        self.removed = [c.old for c in (change.changes if change else ()) if c.status == "removed"]

    def anchor(self, i: int) -> str:
        return f"r{self.n}-{i}"

    def _diff_class(self, rec: dict[str, Any]) -> str:
        c = self.by_id.get(rec["id"])
        return _DIFF_CLASS[c.status] if c else ""

    def _tip(self, rec: dict[str, Any]) -> str:
        c = self.by_id.get(rec["id"])
        tip = f"{rec['kind']}: {describe(rec)}"
        if c is not None:
            tip += "\n" + (_change_note(c) if c.status == "changed" else c.status)
        return html.escape(tip, quote=True)

    def text_html(self) -> str:
        spans = []
        for i, rec in enumerate(self.records):
            if not _placed(self.text, rec):
                continue
            cls = f"hl k-{rec['kind']} {self._diff_class(rec)}".strip()
            tip = self._tip(rec)
            spans.append(_Span(
                rec["start"], rec["end"],
                f'<mark class="{cls}" id="{self.anchor(i)}" data-kind="{rec["kind"]}" data-rid="{html.escape(rec["id"], quote=True)}" tabindex="0" title="{tip}">',
                f'<mark class="{cls} cont" data-kind="{rec["kind"]}" title="{tip}">',
            ))
        markers: dict[int, list[str]] = {}
        if self.change is not None and self.change.status == "same":
            for rec in self.removed:
                if _placed(self.text, rec):
                    tip = html.escape(f"removed {rec['kind']} {rec['text']}: {describe(rec)}", quote=True)
                    markers.setdefault(rec["start"], []).append(f'<span class="d-rm" data-removed="{rec["kind"]}" title="{tip}">✕</span>')
        return f'<div class="text">{highlight(self.text, spans, markers)}</div>'

    def _table(self, title: str, kind: str | None, columns: Iterable[str], records: list[tuple[int | None, dict[str, Any], str]]) -> str:
        if not records:
            return ""
        columns = tuple(columns)
        head = "".join(f"<th>{c}</th>" for c in ("text", *columns))
        rows = []
        for i, rec, cls in records:
            link = f'<a href="#{self.anchor(i)}">{html.escape(rec["text"])}</a>' if i is not None and self.text is not None and _placed(self.text, rec) else html.escape(rec["text"])
            cells = "".join(
                f'<td class="n">{_e(rec.get(c))}</td>' if c in ("value", "change", "start", "end") else f"<td>{_e(rec.get(c))}</td>"
                for c in columns
            )
            rows.append(f'<tr class="{cls}" data-kind="{rec["kind"]}"><td>{link}</td>{cells}</tr>')
        attr = f' data-table="{kind}"' if kind else ""
        return f"<h3>{title} ({len(records)})</h3><table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    def _changes_table(self) -> str:
        """What changed since the old run, each row linking to its mark."""
        if self.change is None or not self.change.changes or self.change.status == "added":
            return ""
        where = {r["id"]: i for i, r in enumerate(self.records)}
        rows = []
        for c in self.change.changes:
            rec = c.record
            i = where.get(rec["id"]) if c.new is not None else None
            surface = html.escape(rec["text"])
            if i is not None and self.text is not None and _placed(self.text, rec):
                surface = f'<a href="#{self.anchor(i)}">{surface}</a>'
            what = _change_note(c) if c.status == "changed" else describe(rec)
            rows.append(f'<tr class="{_DIFF_CLASS[c.status]}-row" data-change="{c.status}"><td>{c.status}</td><td>{rec["kind"]}</td><td>{surface}</td><td>{html.escape(what)}</td></tr>')
        return (
            f'<h3>Changes ({len(rows)})</h3><table data-table="changes"><thead><tr><th>change</th><th>kind</th><th>text</th>'
            f"<th>what</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def html(self) -> str:
        status = self.change.status if self.change else ""
        title = self.row.get("title")
        parts = [
            f'<section class="doc" id="a{self.n}" data-doc-id="{html.escape(self.doc_id, quote=True)}" data-status="{status}">',
            f"<h2>{html.escape(self.doc_id)}" + (f" — {html.escape(title)}" if title else "") + (f" <small>[{status}]</small>" if status not in ("", "same") else "") + "</h2>",
            f'<p class="meta">date {_e(self.row.get("date"))} · {_e(self.row.get("chars"))} characters · ' + (f'text {_e(_TEXT_FROM.get(self.row["text_from"], self.row["text_from"]))} · ' if self.row.get("text_from") else "")
            + f'input {_e(self.row.get("path"))} · '
            + ", ".join(f"{sum(r['kind'] == k for r in self.records)} {TABLES[k]}" for k in KINDS) + "</p>",
        ]
        if self.change is not None and self.change.changes:
            c = self.change
            parts.append(f'<p class="meta">vs old run: {c.count("added")} added, {c.count("removed")} removed, {c.count("changed")} changed, {c.unchanged} unchanged</p>')
        indexed = list(enumerate(self.records))
        parts.append(self._changes_table())
        if self.text is None:
            parts.append(f'<p class="note">Article text not available ({html.escape(self.reason)}): records listed without their place in the text.</p>')
            parts.append(self._table("Records", None, ("kind", "start", "end", "description"), [
                (i, {**r, "description": describe(r)}, self._diff_class(r)) for i, r in indexed
            ]))
        else:
            parts.append(self.text_html())
            unplaced = [(i, r) for i, r in indexed if not _placed(self.text, r)]
            if unplaced:
                parts.append(self._table("Records whose offsets do not match the text", None, ("kind", "start", "end"), [(None, r, "") for _, r in unplaced]))
        parts.append(self._table("Metrics", "metric", METRIC_COLUMNS, [(i, r, self._diff_class(r)) for i, r in indexed if r["kind"] == "metric"]))
        parts.append(self._table("Goals", "goal", GOAL_COLUMNS, [(i, r, self._diff_class(r)) for i, r in indexed if r["kind"] == "goal"]))
        parts.append(self._table("Removed records", "removed", ("kind", "start", "end", "description"), [
            (None, {**r, "description": describe(r)}, "d-rm") for r in self.removed
        ]))
        parts.append('<p><a href="#index">index</a></p></section>')
        return "\n".join(p for p in parts if p)


def _removed_article(n: int, doc_id: str, run: Run) -> str:
    rows = "".join(
        f'<tr class="d-rm" data-kind="{r["kind"]}"><td>{html.escape(r["kind"])}</td><td>{html.escape(r["text"])}</td><td>{html.escape(describe(r))}</td></tr>'
        for r in run.of(doc_id)
    )
    return (
        f'<section class="doc" id="a{n}" data-doc-id="{html.escape(doc_id, quote=True)}" data-status="removed">'
        f"<h2>{html.escape(doc_id)} <small>[removed]</small></h2><p class=\"meta\">not in the new run; its records were:</p>"
        f'<table data-table="removed"><tbody>{rows}</tbody></table><p><a href="#index">index</a></p></section>'
    )


def _selection(run: Run, diff: RunDiff | None, only_different: bool) -> list[tuple[str, ArticleDiff | None]]:
    if diff is None:
        return [(doc_id, None) for doc_id in sorted(run.articles)]
    return [(a.doc_id, a) for a in diff.articles if a.different or a.fields or not only_different]


def _index_row(n: int, doc_id: str, run: Run, change: ArticleDiff | None, *, href: str) -> str:
    row = run.articles.get(doc_id) or {}
    recs = run.of(doc_id)
    counts = "".join(f'<td class="n">{sum(r["kind"] == k for r in recs)}</td>' for k in KINDS)
    diff_cells = ""
    if change is not None:
        diff_cells = f"<td>{change.status}</td>" + "".join(f'<td class="n">{change.count(s)}</td>' for s in ("added", "removed", "changed"))
    return (
        f'<tr><td class="n">{n + 1}</td><td><a href="{href}">{html.escape(doc_id)}</a></td>'
        f"<td>{_e(row.get('title'))}</td><td>{_e(row.get('date'))}</td>{counts}{diff_cells}</tr>"
    )


def _index(run: Run, chosen: list[tuple[str, ArticleDiff | None]], diff: RunDiff | None, hrefs: list[str]) -> str:
    head = "<th>#</th><th>doc_id</th><th>title</th><th>date</th>" + "".join(f"<th>{TABLES[k]}</th>" for k in KINDS)
    if diff is not None:
        head += "<th>status</th><th>added</th><th>removed</th><th>changed</th>"
    rows = "".join(
        _index_row(n, doc_id, diff.old if change is not None and change.status == "removed" else run, change, href=hrefs[n])
        for n, (doc_id, change) in enumerate(chosen)
    )
    return f'<table id="index" class="index"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _header(run: Run, chosen, diff: RunDiff | None) -> str:
    totals = {k: sum(r["kind"] == k for doc_id, _ in chosen for r in run.of(doc_id)) for k in KINDS}
    title = f"press-extract review: {run.folder}"
    lines = [f"<h1>{html.escape(title)}</h1>"]
    if diff is not None:
        s = diff.summary()
        lines.append(
            f'<p class="meta">compared with {html.escape(str(diff.old.folder))}: {s["added"]} added, {s["removed"]} removed, '
            f'{s["changed"]} changed, {s["unchanged"]} unchanged records; articles {s["articles_added"]} added, '
            f'{s["articles_removed"]} removed, {s["articles_revised"]} revised</p>'
        )
    lines.append(f'<p class="meta">{len(chosen)} articles shown. Hover over a mark, or focus it with Tab, for its normalised value.</p>')
    lines.append(_legend(totals, with_diff=diff is not None))
    return "\n".join(lines)


def _article_html(n: int, doc_id: str, change: ArticleDiff | None, run: Run, diff: RunDiff | None, texts: ArticleTexts) -> str:
    if change is not None and change.status == "removed":
        return _removed_article(n, doc_id, diff.old)
    return _ArticleView(n, doc_id, run, texts, change).html()


def render_review(run: Run, *, diff: RunDiff | None = None, only_different: bool = False, texts: ArticleTexts | None = None) -> str:
    """One self-contained HTML page: legend, index, then every article (with `diff`, the
    articles of `diff.new` marked against `diff.old`; `only_different` keeps those that differ)."""
    texts = texts or ArticleTexts()
    chosen = _selection(run, diff, only_different)
    body = [_header(run, chosen, diff), _index(run, chosen, diff, [f"#a{n}" for n in range(len(chosen))])]
    body += [_article_html(n, doc_id, change, run, diff, texts) for n, (doc_id, change) in enumerate(chosen)]
    return _page(f"press-extract review: {run.folder}", "\n".join(body))


def write_pages(run: Run, folder: Path, *, diff: RunDiff | None = None, only_different: bool = False, texts: ArticleTexts | None = None) -> list[Path]:
    """`index.html` plus one self-contained page per article (`0001.html`, ...) in `folder`,
    for runs too large to read as one page. Returns the files written, index first."""
    texts = texts or ArticleTexts()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chosen = _selection(run, diff, only_different)
    names = [f"{n + 1:04d}.html" for n in range(len(chosen))]
    index = folder / "index.html"
    index.write_text(_page(f"press-extract review: {run.folder}", _header(run, chosen, diff) + _index(run, chosen, diff, names)), encoding="utf-8")
    written = [index]
    for n, (doc_id, change) in enumerate(chosen):
        body = f'<p><a href="index.html">index</a></p>{_legend(None, with_diff=diff is not None)}' + _article_html(n, doc_id, change, run, diff, texts)
        page = folder / names[n]
        page.write_text(_page(f"{doc_id} — press-extract review", body.replace('href="#index"', 'href="index.html"')), encoding="utf-8")
        written.append(page)
    return written
