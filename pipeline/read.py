"""Read inputs into `Article`s: files, folders, JSONL, standard input.

Text is decoded and kept exactly as decoded (offsets point into it). A bad input never
stops a batch: it is yielded as an `InputProblem` naming the path and the reason.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import html
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from .types import Article

MAX_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
# Which text of a web page is the article: "main" (the main content, by trafilatura) or
# "full" (all visible text). The mode is recorded as `text_from` so re-reading reproduces it.
HTML_MODES = ("main", "full")
# Main content shorter than this is taken as a failed extraction (a picture page, a
# caption): the full visible text is used instead, with a warning row.
MIN_MAIN_CHARS = 50
# How the reason of an errors.jsonl row that is only a warning begins.
WARNING = "warning: "


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A bad input, or a warning about one that was still read: one line of errors.jsonl."""

    path: str
    reason: str
    line: int | None = None
    doc_id: str | None = None

    @property
    def is_warning(self) -> bool:
        """The input was read all the same (its article is processed); not a failure."""
        return self.reason.startswith(WARNING)

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "doc_id": self.doc_id, "reason": self.reason}


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept; the message says why."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than tab/newline/CR/form feed mark binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), UTF-16 with BOM, or GB18030; return (text, encoding).

    Never guesses silently: the encoding used is returned, and bytes that are not
    clean text in one of these encodings raise `DecodeError`.

    >>> decode("临平".encode("gbk"))
    ('临平', 'gb18030')
    >>> decode(codecs.BOM_UTF8 + "6%".encode())
    ('6%', 'utf-8-sig')
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"invalid {enc} after its byte-order mark at byte {exc.start}") from None
            return _check_text(text), enc
    if b"\x00" in data:
        raise DecodeError("binary data (NUL bytes and no UTF-16 byte-order mark)")
    try:
        return _check_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as utf8_exc:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"neither UTF-8 (bad byte at {utf8_exc.start}) nor GB18030 (bad byte at {exc.start})"
            ) from None
    # GB18030 maps almost any byte pair to some character; accept it only when the
    # result reads as Chinese text, not as noise from a binary or another encoding.
    _check_text(text)
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isascii() or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    if cjk < 0.9 * len(text):
        raise DecodeError("not UTF-8, and as GB18030 it does not read as Chinese text")
    return text, "gb18030"


def _check_text(text: str) -> str:
    n = len(_CONTROL.findall(text[:65536]))
    if n > max(2, len(text[:65536]) // 1000):
        raise DecodeError(f"binary data ({n} control characters)")
    return text


_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def parse_date(text: str | None) -> dt.date | None:
    """A calendar date written as 2024-02-01, 20240201, 2024/2/1 or 2024年2月1日, else None.

    >>> parse_date("2024年2月1日 10:00")
    datetime.date(2024, 2, 1)
    >>> parse_date("20240231") is None
    True
    """
    if not text:
        return None
    for pattern in (_DATE_TEXT, _DATE_IN_NAME):
        for m in pattern.finditer(text):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                continue
    return None


def date_from_name(name: str) -> dt.date | None:
    """The date in a file name (`2024-02-01_x.txt` or `20240201-x.txt`), else None.

    >>> date_from_name("2025-01-20_linping.txt")
    datetime.date(2025, 1, 20)
    """
    for m in _DATE_IN_NAME.finditer(name):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None


class _VisibleText(HTMLParser):
    """Collect the visible text of an HTML page, its <title> and its meta date."""

    _HIDDEN = {"script", "style", "noscript", "template", "head", "svg"}
    _BLOCK = {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "hr",
    }
    _META_DATE = {
        "publishdate", "pubdate", "date", "article:published_time", "og:published_time",
        "dc.date", "dc.date.issued", "publish_date", "publication_date", "firstpublishedtime",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.meta_date: str | None = None
        self.url: str | None = None
        self._hidden = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            if key in self._META_DATE and self.meta_date is None:
                self.meta_date = a.get("content")
            elif key == "og:url" and self.url is None:
                self.url = a.get("content") or None
        elif tag == "link":
            a = {k.lower(): (v or "") for k, v in attrs}
            if a.get("rel", "").lower() == "canonical" and a.get("href"):
                self.url = a["href"]  # the page's own statement beats og:url
        elif tag == "title":
            self._in_title = True
        elif tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._hidden:
            self.parts.append(data)

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")


@dataclass(frozen=True, slots=True)
class Page:
    """What a web page says about itself, and its visible text (the `full` text)."""

    text: str
    title: str | None
    date: dt.date | None  # from a meta tag
    url: str | None


def html_to_text(source: str) -> tuple[str, str | None, dt.date | None]:
    """Visible text, title and meta date of an HTML page.

    >>> html_to_text('<html><head><title>T</title><script>x=1</script></head><body><p>增长6%</p></body></html>')
    ('增长6%', 'T', None)
    """
    page = parse_page(source)
    return page.text, page.title, page.date


def parse_page(source: str) -> Page:
    """The visible text of a page, its <title>, meta date and URL (canonical link, og:url)."""
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    return Page(_tidy("".join(parser.parts)), html.unescape("".join(parser.title)).strip() or None,
                parse_date(parser.meta_date), parser.url)


def _tidy(text: str) -> str:
    # Source indentation between tags is not text; runs of blank lines are layout.
    return re.sub(r"[ \t\r\f\v]*\n[ \t\r\f\v\n]*", "\n", text).strip()


# htmldate discards dates after `max_date` (default: today), which would make the result
# depend on the day of the run; a fixed bound keeps reading deterministic.
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "max_date": "2099-12-31"}


@dataclass(frozen=True, slots=True)
class MainContent:
    text: str  # "" when the extractor found none
    title: str | None
    date: dt.date | None  # the date the extractor found in the page


def main_content(source: str) -> MainContent:
    """The main content of a page by trafilatura (precision first; recall when precision
    finds nothing, e.g. an article laid out in a <table>), its title and date (htmldate).

    No tables: on government sites tables are mostly page layout, and trafilatura would
    keep the whole layout (menus and footers included) as one table.
    """
    import trafilatura  # here, not at import: only main-content reading needs it

    options = dict(
        with_metadata=True, include_tables=False, include_comments=False, include_images=False,
        deduplicate=False, date_extraction_params=_DATE_PARAMS,
    )
    doc = trafilatura.bare_extraction(source, favor_precision=True, **options)
    if doc is None or not (doc.text or "").strip():
        doc = trafilatura.bare_extraction(source, favor_recall=True, **options)
    if doc is None:
        return MainContent("", None, None)
    return MainContent(_tidy(doc.text or ""), doc.title or None, parse_date(doc.date))


@dataclass(frozen=True, slots=True)
class HtmlText:
    text: str
    text_from: str  # main | full
    title: str | None
    date: dt.date | None
    date_source: str | None  # html-meta | html-extractor
    url: str | None
    warning: str | None = None


def read_html(source: str, *, mode: str = "main") -> HtmlText:
    """The article text of a page by `mode` (`HTML_MODES`), with title, date and URL.

    Date: a meta tag, else a labelled date in the visible text (`labelled_date`), else the
    date the extractor finds (both modes). In `main` mode a
    main content under `MIN_MAIN_CHARS` gives the full text instead, with a warning.
    """
    if mode not in HTML_MODES:
        raise ValueError(f"unknown HTML mode {mode!r} (expected one of {', '.join(HTML_MODES)})")
    page = parse_page(source)
    main = main_content(source) if mode == "main" else None
    date, date_source = page.date, "html-meta" if page.date else None
    if date is None and (date := labelled_date(page.text)):
        date_source = "html-label"
    if date is None and (date := main.date if main is not None else _page_date(source)):
        date_source = "html-extractor"
    common = dict(date=date, date_source=date_source, url=page.url)
    if main is None:
        return HtmlText(page.text, "full", page.title, **common)
    if len(main.text) < MIN_MAIN_CHARS:
        return HtmlText(page.text, "full", page.title, **common, warning=(
            f"{WARNING}main content too small ({len(main.text)} characters, under {MIN_MAIN_CHARS}); "
            "used the page's full visible text (text_from: full)"))
    return HtmlText(main.text, "main", main.title or page.title, **common)


# Chinese government and news pages label the publication date in the article's info
# line (发布日期：2024年01月26日, 发布时间：2024-03-15, 时间：2023-07-12); htmldate does not
# read these labels. The label must be followed by the date, so the unlabelled dates of
# related-article lists are never taken.
_LABELLED_DATE = re.compile(
    r"(?:发布|发表|发文|成文|印发|公开|更新)?(?:日期|时间)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)


def labelled_date(text: str) -> dt.date | None:
    """The first date a label introduces in a page's text, else None.

    >>> labelled_date("首页 发布日期：2024年01月26日　点击数：567 相关：2023-01-10")
    datetime.date(2024, 1, 26)
    >>> labelled_date("2024-01-15 2023年工作总结") is None
    True
    """
    for m in _LABELLED_DATE.finditer(text):
        if (date := parse_date(m[1])) is not None:
            return date
    return None


# A text file copied from a web page keeps the page's info line near its top (标题⏎发布时间：
# 2011-03-24⏎发布人：…). Only a publication label there counts: a bare 时间： in a body is
# as often a meeting's date.
_PUBLISHED_DATE = re.compile(
    r"(?:发布|发表|发文|成文|印发|公开|更新)(?:日期|时间)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
HEAD_LINES = 8


def published_date(text: str) -> dt.date | None:
    r"""The date a publication label gives in the first `HEAD_LINES` lines of a text, else None.

    >>> published_date("西藏完成投资85亿\n\n发布时间：2011-03-24\n发布人：-\n正文")
    datetime.date(2011, 3, 24)
    >>> published_date("会议通知\n时间：2024年3月1日") is None, published_date("甲\n" * 9 + "发布日期：2024-01-02") is None
    (True, True)
    """
    head = "\n".join(text[: 80 * HEAD_LINES].splitlines()[:HEAD_LINES])
    m = _PUBLISHED_DATE.search(head)
    return parse_date(m[1]) if m else None


def _page_date(source: str) -> dt.date | None:
    """The publication date htmldate finds in a page (what trafilatura uses in `main` mode)."""
    import htmldate

    return parse_date(htmldate.find_date(source, **_DATE_PARAMS))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_from_bytes(
    data: bytes, *, path: str, doc_id: str, suffix: str, default_date: dt.date | None = None,
    html_mode: str = "main",
) -> Article | InputProblem:
    """Decode one text or HTML input; dates: the page's (meta, then extractor), then file
    name, then `default_date`. A web page's fallback to its full text is in `Article.warning`."""
    if len(data) > MAX_BYTES:
        return InputProblem(path, f"too large: {len(data)} bytes (limit {MAX_BYTES})", doc_id=doc_id)
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        return InputProblem(path, f"undecodable: {exc}", doc_id=doc_id)
    title = url = text_from = warning = None
    date, date_source = None, None
    if suffix in HTML_SUFFIXES:
        page = read_html(text, mode=html_mode)
        text, title, date, date_source, url = page.text, page.title, page.date, page.date_source, page.url
        text_from, warning = page.text_from, page.warning
    if not text.strip():
        return InputProblem(path, "empty: no text" + (" (HTML without visible text)" if suffix in HTML_SUFFIXES else ""), doc_id=doc_id)
    if date is None and suffix not in HTML_SUFFIXES and (date := published_date(text)):
        date_source = "text-label"
    if date is None and (date := date_from_name(Path(path).name)):
        date_source = "filename"
    if date is None and default_date is not None:
        date, date_source = default_date, "option"
    return Article(
        doc_id=doc_id, text=text, path=path, title=title, date=date, date_source=date_source, url=url,
        encoding=encoding, sha256=_sha256(text), text_from=text_from, warning=warning,
    )


def iter_jsonl(
    stream: BinaryIO | Iterable[bytes], *, path: str, default_date: dt.date | None = None
) -> Iterator[Article | InputProblem]:
    """One article per line: {"id", "text", "title"?, "date"?, "url"?}. A broken line is
    reported and skipped; the other lines are still read."""
    for lineno, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        where = dict(line=lineno)
        if len(raw) > MAX_BYTES:
            yield InputProblem(path, f"too large: line of {len(raw)} bytes (limit {MAX_BYTES})", **where)
            continue
        try:
            line, _ = decode(raw)
            obj = json.loads(line)
        except (DecodeError, json.JSONDecodeError) as exc:
            yield InputProblem(path, f"invalid JSON line: {exc}", **where)
            continue
        if not isinstance(obj, dict):
            yield InputProblem(path, "invalid JSON line: not an object", **where)
            continue
        doc_id, text = obj.get("id"), obj.get("text")
        if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool) or str(doc_id).strip() == "":
            yield InputProblem(path, "missing or invalid 'id'", **where)
            continue
        doc_id = str(doc_id)
        if not isinstance(text, str) or not text.strip():
            yield InputProblem(path, "empty: missing or blank 'text'", doc_id=doc_id, **where)
            continue
        date, date_source = None, None
        if obj.get("date") is not None:
            date = parse_date(str(obj["date"]))
            if date is None:
                yield InputProblem(path, f"invalid 'date' {obj['date']!r} (expected YYYY-MM-DD)", doc_id=doc_id, **where)
                continue
            date_source = "jsonl"
        elif default_date is not None:
            date, date_source = default_date, "option"
        title, url = obj.get("title"), obj.get("url")
        yield Article(
            doc_id=doc_id, text=text, path=f"{path}:{lineno}",
            title=title if isinstance(title, str) else None,
            url=url if isinstance(url, str) else None,
            date=date, date_source=date_source, encoding="utf-8", sha256=_sha256(text),
        )


def _doc_id(path: Path, root: Path) -> str:
    rel = path.relative_to(root) if path != root else Path(path.name)
    return rel.with_suffix("").as_posix()


def iter_articles(
    paths: Iterable[str | Path], *, default_date: dt.date | None = None, stdin: BinaryIO | None = None,
    html_mode: str = "main",
) -> Iterator[Article | InputProblem]:
    """Articles from files, folders (recursive, sorted) and `-` (standard input), lazily.

    doc_id: the JSONL `id`, else the path relative to the input root without suffix.
    A web page that fell back to its full text is preceded by its warning (an `InputProblem`).
    """
    for given in paths:
        if str(given) == "-":
            data = (stdin or sys.stdin.buffer).read()
            if data.lstrip()[:1] == b"{":
                yield from iter_jsonl(data.splitlines(keepends=True), path="-", default_date=default_date)
            else:
                yield article_from_bytes(data, path="-", doc_id="stdin", suffix=".txt", default_date=default_date)
            continue
        root = Path(given)
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            base = root
        elif root.is_file():
            files, base = [root], root.parent
        else:
            yield InputProblem(str(root), "not found")
            continue
        for f in files:
            yield from _read_file(f, base=base, default_date=default_date, html_mode=html_mode)


def _read_file(f: Path, *, base: Path, default_date: dt.date | None, html_mode: str) -> Iterator[Article | InputProblem]:
    suffix = f.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with f.open("rb") as fh:
                yield from iter_jsonl(fh, path=str(f), default_date=default_date)
            return
        if suffix not in SUFFIXES:
            yield InputProblem(str(f), f"unsupported file type {suffix or '(none)'!r} (expected one of {', '.join(SUFFIXES)})")
            return
        size = f.stat().st_size
        doc_id = _doc_id(f, base)
        if size > MAX_BYTES:
            yield InputProblem(str(f), f"too large: {size} bytes (limit {MAX_BYTES})", doc_id=doc_id)
            return
        data = f.read_bytes()
    except OSError as exc:
        yield InputProblem(str(f), f"unreadable: {exc.strerror or exc}")
        return
    found = article_from_bytes(data, path=str(f), doc_id=doc_id, suffix=suffix, default_date=default_date, html_mode=html_mode)
    if isinstance(found, Article) and found.warning:
        yield InputProblem(str(f), found.warning, doc_id=doc_id)
    yield found
