"""Compare two output folders record by record: what appeared, vanished or changed.

Matching, per article present in both runs (all kinds together, in text order):

1. Each record gets a content key: its kind and every field except `id`, `start`, `end`
   and `sentence` (value, unit, name, indicator, text, source...). A field that points
   at another record (`quantity_id`) is compared by that record's surface text. When
   the article text is the same in both runs (same `sha256` in `articles`), offsets
   are part of the key too, so a record that moved to another place is a real change.
2. The two key sequences are aligned like lines in a text diff (longest common runs,
   `difflib`). Aligned records are the same record: an edit earlier in a revised article
   shifts offsets but shows no change.
3. Between aligned runs, leftover records of the same kind are paired as *changed* when
   their spans overlap once shifted by the offset change of the nearest aligned record
   before them, or (revised articles only) when their surfaces are equal. The fields that
   differ are reported. What is left is *added* or *removed*.

Articles only in one run are *added* or *removed*; an article whose text changed is
*revised* (that alone is not a difference in records).

The output tables do not hold the article text. For "the sentence around a change"
(and for `review`), `ArticleTexts` re-reads the input named by `articles.path`
(`file.jsonl:LINE` for JSONL) and uses it only when its sha256 equals the one recorded
for that run; otherwise the context is left out and the report says why.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import json
import re
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from .read import JSONL_SUFFIXES, SUFFIXES, Article, article_from_bytes, iter_jsonl
from .segment import sentence_starts
from .store import Store, StoreError
from .types import KINDS, TABLES
from .write import csv_cell, number_text, read_jsonl

# Fields that say where a record is, not what it is.
POSITION_FIELDS = frozenset({"id", "start", "end", "sentence"})
# Article fields worth reporting when they change (path and encoding depend on where and
# how a run read its input, not on what the article says).
ARTICLE_FIELDS = ("title", "date", "sha256")
_RECORD_ID = re.compile(r"^(?P<doc>.*):(?P<kind>[a-z]+):(?P<start>\d+)-(?P<end>\d+)$")


class OutputFolderError(ValueError):
    """An output folder that cannot be read as a press-extract run; the message says why."""


@dataclass(frozen=True)
class Run:
    """One output folder in memory: article rows and records (all kinds) per doc_id."""

    folder: Path
    articles: dict[str, dict[str, Any]]
    records: dict[str, list[dict[str, Any]]]

    def of(self, doc_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        recs = self.records.get(doc_id, [])
        return recs if kind is None else [r for r in recs if r["kind"] == kind]


def _order(rec: dict[str, Any]) -> tuple:
    return (rec["start"], KINDS.index(rec["kind"]), rec["end"])


def read_run(folder: Path, *, kinds: Iterable[str] = KINDS) -> Run:
    """Read `articles.jsonl` and the record tables of `kinds` (a missing table is empty).

    Keep every kind when diffing a subset: references between records are resolved
    through the run."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OutputFolderError(f"{folder}: not a folder")
    if not (folder / "articles.jsonl").exists():
        raise OutputFolderError(f"{folder}: no articles.jsonl (not a press-extract output folder)")
    tables = [folder / f"{TABLES[kind]}.jsonl" for kind in kinds]
    return _run_of(folder, read_jsonl(folder / "articles.jsonl"), (row for t in tables if t.exists() for row in read_jsonl(t)))


def _run_of(folder: Path, article_rows: Iterable[dict[str, Any]], record_rows: Iterable[dict[str, Any]]) -> Run:
    try:
        articles = {row["doc_id"]: row for row in article_rows}
        records: dict[str, list[dict[str, Any]]] = {}
        for row in record_rows:
            records.setdefault(row["doc_id"], []).append(row)
        for recs in records.values():
            recs.sort(key=_order)
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise OutputFolderError(f"{folder}: unreadable table: {exc!r}") from None
    return Run(folder=folder, articles=articles, records=records)


def read_store_run(path: Path, run_id: int | None, *, kinds: Iterable[str] = KINDS) -> tuple[Run, "StoredTexts"]:
    """The articles of a store as they stood after run `run_id` (None: the latest finished
    run; each article's latest version
    written by that run or an earlier one), read from the JSONL lines the runs wrote, so
    that a store's runs compare exactly as output folders do; and their texts."""
    try:
        store = Store(path, read_only=True)
    except StoreError as exc:
        raise OutputFolderError(str(exc)) from None
    try:
        run_id, (articles, lines, texts) = store.snapshot(run_id)
    except StoreError as exc:
        raise OutputFolderError(str(exc)) from None
    finally:
        store.close()
    parse = functools.partial(json.loads, parse_float=Decimal)
    records = (parse(line) for by_kind in lines.values() for kind in kinds if kind in by_kind for line in by_kind[kind].split("\n"))
    return _run_of(Path(f"{path}@{run_id}"), map(parse, articles.values()), records), StoredTexts(texts)


# -- matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One record difference; `fields` names what changed (for `changed`)."""

    status: str  # added | removed | changed
    kind: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    fields: tuple[str, ...] = ()

    @property
    def record(self) -> dict[str, Any]:
        """The record as it is now (the old one for a removed record)."""
        return self.new if self.new is not None else self.old


@dataclass
class ArticleDiff:
    doc_id: str
    status: str  # added | removed | revised | same
    changes: list[Change] = field(default_factory=list)
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # article field -> (old, new)
    unchanged: int = 0

    @property
    def different(self) -> bool:
        return self.status in ("added", "removed") or bool(self.changes)

    def count(self, status: str) -> int:
        return sum(1 for c in self.changes if c.status == status)


@dataclass
class RunDiff:
    old: Run
    new: Run
    kinds: tuple[str, ...]
    articles: list[ArticleDiff]  # every article of either run, sorted by doc_id

    @property
    def different(self) -> bool:
        return any(a.different for a in self.articles)

    def summary(self) -> dict[str, int]:
        common = [a for a in self.articles if a.status in ("same", "revised")]
        return {
            "articles_added": sum(a.status == "added" for a in self.articles),
            "articles_removed": sum(a.status == "removed" for a in self.articles),
            "articles_revised": sum(a.status == "revised" for a in self.articles),
            "articles_changed": sum(bool(a.changes) for a in common),
            "added": sum(a.count("added") for a in common),
            "removed": sum(a.count("removed") for a in common),
            "changed": sum(a.count("changed") for a in common),
            "unchanged": sum(a.unchanged for a in common),
        }

    def by_doc(self) -> dict[str, ArticleDiff]:
        return {a.doc_id: a for a in self.articles}


def _reference_text(value: Any, by_span: dict[tuple[str, int, int], str]) -> Any:
    """A record id resolved to the kind and surface of the record it names (when it is
    one); a reference to a record not in the run keeps only its kind."""
    if isinstance(value, str) and (m := _RECORD_ID.match(value)):
        return ("ref", m["kind"], by_span.get((m["kind"], int(m["start"]), int(m["end"]))))
    return value


def _content_key(rec: dict[str, Any], by_span: dict, *, with_offsets: bool) -> tuple:
    items = []
    for name, value in rec.items():
        if name in POSITION_FIELDS:
            continue
        if not with_offsets and name.endswith("_id"):
            value = _reference_text(value, by_span)
        elif isinstance(value, (list, dict)):  # not in today's tables; keys must be hashable
            value = json.dumps(value, sort_keys=True, default=str)
        items.append((name, value))
    key = tuple(sorted(items, key=lambda kv: kv[0]))
    return (rec["start"], rec["end"], key) if with_offsets else key


def _spans(recs: list[dict[str, Any]]) -> dict[tuple[str, int, int], str]:
    return {(r["kind"], r["start"], r["end"]): r["text"] for r in recs}


def changed_fields(old: dict[str, Any], new: dict[str, Any], *, old_spans: dict, new_spans: dict, same_text: bool) -> tuple[str, ...]:
    """Names of the fields that differ, positions aside (references by surface unless
    the article text is unchanged)."""
    out = []
    for name in dict.fromkeys([*old, *new]):
        if name in POSITION_FIELDS:
            continue
        a, b = old.get(name), new.get(name)
        if not same_text and name.endswith("_id"):
            a, b = _reference_text(a, old_spans), _reference_text(b, new_spans)
        if a != b:
            out.append(name)
    return tuple(out)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def diff_article(
    old: list[dict[str, Any]], new: list[dict[str, Any]], *, same_text: bool,
    old_spans: dict | None = None, new_spans: dict | None = None,
) -> tuple[list[Change], int]:
    """Changes between two record lists of one article (each sorted by position), and
    how many records were unchanged. See the module docstring for the matching.

    `old_spans`/`new_spans` map (kind, start, end) to the surface of every record of the
    article in that run (default: the records given), to resolve references."""
    old_spans = _spans(old) if old_spans is None else old_spans
    new_spans = _spans(new) if new_spans is None else new_spans
    old_keys = [_content_key(r, old_spans, with_offsets=same_text) for r in old]
    new_keys = [_content_key(r, new_spans, with_offsets=same_text) for r in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    changes: list[Change] = []
    unchanged = 0
    shift = 0  # offset change at the last aligned record: where the old text now is
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            unchanged += i2 - i1
            shift = new[j2 - 1]["start"] - old[i2 - 1]["start"]
            continue
        used: set[int] = set()
        for o in old[i1:i2]:
            moved = (o["start"] + shift, o["end"] + shift)
            best, best_rank = None, None
            for j in range(j1, j2):
                n = new[j]
                if j in used or n["kind"] != o["kind"]:
                    continue
                overlap = _overlap(moved, (n["start"], n["end"]))
                same_surface = n["text"] == o["text"] and not same_text
                if overlap <= 0 and not same_surface:
                    continue
                rank = (overlap > 0, same_surface, overlap, -abs(n["start"] - moved[0]))
                if best_rank is None or rank > best_rank:
                    best, best_rank = j, rank
            if best is None:
                changes.append(Change("removed", o["kind"], o, None))
                continue
            used.add(best)
            n = new[best]
            shift = n["start"] - o["start"]
            fields = changed_fields(o, n, old_spans=old_spans, new_spans=new_spans, same_text=same_text)
            if fields:
                changes.append(Change("changed", o["kind"], o, n, fields))
            elif same_text:
                changes.append(Change("changed", o["kind"], o, n, ("start", "end")))
            else:
                unchanged += 1
        changes.extend(Change("added", new[j]["kind"], None, new[j]) for j in range(j1, j2) if j not in used)
    changes.sort(key=lambda c: _order(c.record))
    return changes, unchanged


def diff_runs(old: Run, new: Run, *, kinds: Sequence[str] = KINDS) -> RunDiff:
    """Every article of either run with its record changes, restricted to `kinds`."""
    kinds = tuple(kinds)
    out = []
    for doc_id in sorted(set(old.articles) | set(new.articles)):
        old_row, new_row = old.articles.get(doc_id), new.articles.get(doc_id)
        old_recs = [r for r in old.of(doc_id) if r["kind"] in kinds]
        new_recs = [r for r in new.of(doc_id) if r["kind"] in kinds]
        if old_row is None:
            out.append(ArticleDiff(doc_id, "added", [Change("added", r["kind"], None, r) for r in new_recs]))
            continue
        if new_row is None:
            out.append(ArticleDiff(doc_id, "removed", [Change("removed", r["kind"], r, None) for r in old_recs]))
            continue
        same_text = bool(old_row.get("sha256")) and old_row.get("sha256") == new_row.get("sha256")
        changes, unchanged = diff_article(
            old_recs, new_recs, same_text=same_text, old_spans=_spans(old.of(doc_id)), new_spans=_spans(new.of(doc_id))
        )
        fields = {f: (old_row.get(f), new_row.get(f)) for f in ARTICLE_FIELDS if old_row.get(f) != new_row.get(f)}
        out.append(ArticleDiff(doc_id, "same" if same_text else "revised", changes, fields, unchanged))
    return RunDiff(old=old, new=new, kinds=kinds, articles=out)


# -- article text and context ------------------------------------------------------------


def _line_offsets(path: Path) -> array:
    """Byte offset of the start of each line of a file."""
    offsets = array("q")
    with path.open("rb") as fh:
        pos = 0
        for raw in fh:
            offsets.append(pos)
            pos += len(raw)
    return offsets


class ArticleTexts:
    """Article texts recovered from the inputs that `articles.path` names.

    A relative path is tried from the current folder, then from the output folder's
    parent (where `run` is usually invoked). The text is used only when its sha256 is the
    one the run recorded, so a file edited since the run is never shown with stale
    offsets. A JSONL input is scanned once for where its lines start; an article's line
    is read when asked for, so memory does not grow with the input.
    """

    def __init__(self) -> None:
        self._lines: dict[Path, array] = {}

    def _locate(self, path: str, folder: Path) -> Path | None:
        p = Path(path)
        for candidate in ([p] if p.is_absolute() else [p, folder.parent / p]):
            if candidate.is_file():
                return candidate
        return None

    def _read(self, row: dict[str, Any], folder: Path) -> Article | str:
        path = row.get("path") or ""
        if not path or path == "-" or path.startswith("-:"):
            return "read from standard input"
        name, _, line = path.rpartition(":")
        if name and line.isdigit() and name.lower().endswith(JSONL_SUFFIXES):
            file = self._locate(name, folder)
            if file is None:
                return f"input {name} not found"
            if file not in self._lines:
                self._lines[file] = _line_offsets(file)
            offsets = self._lines[file]
            n = int(line)
            if not 0 < n <= len(offsets):
                return f"{name} has no line {line}"
            with file.open("rb") as fh:
                fh.seek(offsets[n - 1])
                raw = fh.readline()
            found = next(iter_jsonl([raw], path=name), None)
            return found if isinstance(found, Article) else f"line {line} of {name} is not an article"
        file = self._locate(path, folder)
        if file is None:
            return f"input {path} not found"
        suffix = file.suffix.lower()
        if suffix not in SUFFIXES:
            return f"input {path} is not a supported file"
        # The text the run used: a web page is re-read the way its row says (`text_from`;
        # rows from before the option hold the visible text).
        mode = "full" if row.get("text_from") in (None, "full") else row["text_from"]
        result = article_from_bytes(file.read_bytes(), path=path, doc_id=row["doc_id"], suffix=suffix, html_mode=mode)
        return result if isinstance(result, Article) else result.reason

    def get(self, row: dict[str, Any] | None, folder: Path) -> tuple[str | None, str]:
        """(text, '') when the input still holds the article as the run read it, else
        (None, reason)."""
        if row is None:
            return None, "article not in this run"
        try:
            found = self._read(row, folder)
        except OSError as exc:
            return None, f"input unreadable: {exc.strerror or exc}"
        if isinstance(found, str):
            return None, found
        if row.get("sha256") and found.sha256 != row["sha256"]:
            return None, "input changed since the run"
        return found.text, ""


class StoredTexts:
    """`ArticleTexts` for runs read from a store, which holds the texts (keyed by sha256)."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts

    def get(self, row: dict[str, Any] | None, folder: Path) -> tuple[str | None, str]:
        if row is None:
            return None, "article not in this run"
        text = self.texts.get(row.get("sha256") or "")
        return (text, "") if text is not None else (None, "text not in the store")


@dataclass(frozen=True)
class Sentences:
    """Sentence spans of a text, by the pipeline's sentence rule, for context lookups."""

    text: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "Sentences":
        # Characters as words: the rule only looks at terminators, closers and line breaks.
        flags = sentence_starts(text)
        return cls(text, tuple(i for i, s in enumerate(flags) if s))

    def around(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) of the sentence(s) holding the span, trailing line break removed.

        >>> s = Sentences.of("去年增长6%。今年达到1360亿元。")
        >>> s.text.__getitem__(slice(*s.around(11, 17)))
        '今年达到1360亿元。'
        """
        i = max(0, bisect.bisect_right(self.starts, start) - 1)
        j = bisect.bisect_left(self.starts, max(end, start + 1))
        lo = self.starts[i] if self.starts else 0
        hi = self.starts[j] if j < len(self.starts) else len(self.text)
        return lo, len(self.text[lo:hi].rstrip("\n")) + lo


# -- describing records ------------------------------------------------------------------


def show(value: Any) -> str:
    """A field value as a person reads it.

    >>> show(Decimal("1.0672700E+11")), show(None), show(True), show("CNY")
    ('106727000000', '—', 'true', 'CNY')
    """
    # The CSV writer's cell text (exact numbers, true/false), with a dash for "none".
    return "—" if value is None else str(csv_cell(value))


def _signed(value: Any) -> str:
    text = show(value)
    return text if text.startswith("-") else "+" + text


def describe(rec: dict[str, Any]) -> str:
    """The normalised meaning of a record in one line.

    >>> describe({"kind": "quantity", "value": Decimal("5"), "value_max": Decimal("10"), "unit": "year", "qualifier": "exact"})
    '5..10 year'
    >>> describe({"kind": "metric", "indicator": "地区生产总值", "value": Decimal("1.0672700E+11"), "unit": "CNY",
    ...           "qualifier": "exact", "change": Decimal("6.0"), "change_unit": "%", "period": "2023", "subject": None})
    '地区生产总值 = 106727000000 CNY, change +6 %, period 2023'
    >>> describe({"kind": "metric", "indicator": "GDP", "value": 5, "unit": "%", "period": "2016-H1", "period_from": "document"})
    'GDP = 5 %, period 2016-H1 (from the document)'
    """
    kind = rec.get("kind")
    if kind == "quantity":
        value = show(rec.get("value")) + (f"..{show(rec['value_max'])}" if rec.get("value_max") is not None else "")
        qualifier = rec.get("qualifier")
        return f"{value} {show(rec.get('unit'))}" + (f" ({qualifier})" if qualifier and qualifier != "exact" else "")
    if kind == "time":
        if not rec.get("resolved", True) or rec.get("start_date") is None:
            return f"unresolved ({show(rec.get('granularity'))})"
        span = rec["start_date"] if rec.get("end_date") in (None, rec["start_date"]) else f"{rec['start_date']}..{rec['end_date']}"
        return f"{span} ({show(rec.get('granularity'))}{', relative' if rec.get('relative') else ''})"
    if kind == "organization":
        return f"{show(rec.get('canonical') or rec.get('name'))} ({show(rec.get('org_type'))})"
    if kind == "metric":
        parts = [f"{show(rec.get('indicator'))} = {show(rec.get('value'))} {show(rec.get('unit'))}"]
        if rec.get("qualifier") not in (None, "exact"):
            parts[0] += f" ({rec['qualifier']})"
        if rec.get("change") is not None:
            parts.append(f"change {_signed(rec['change'])} {show(rec.get('change_unit'))}")
        if rec.get("period"):
            parts.append(f"period {rec['period']}" + (f" (from the {rec['period_from']})" if rec.get("period_from") else ""))
        if rec.get("subject"):
            parts.append(f"subject {rec['subject']}")
        return ", ".join(parts)
    if kind == "goal":
        target = " ".join(show(rec.get(k)) for k in ("comparator", "value", "unit") if rec.get(k) is not None)
        parts = [f"{show(rec.get('trigger'))}: {rec.get('indicator') or ''} {target}".strip()]
        if rec.get("deadline"):
            parts.append(f"by {rec['deadline']}" + (f" (from the {rec['period_from']})" if rec.get("period_from") else ""))
        if rec.get("subject"):
            parts.append(f"subject {rec['subject']}")
        return ", ".join(parts) if rec.get("quantitative") or target else ", ".join(parts) + " (qualitative)"
    return show(rec.get("text"))


# -- formats -----------------------------------------------------------------------------


def to_json(obj: Any, *, indent: int = 0, step: int = 2) -> str:
    """JSON with Decimals as exact numbers (never floats), nested dicts and lists indented.

    >>> print(to_json({"value": Decimal("16.4E8"), "fields": ["value"]}))
    {
      "value": 1640000000,
      "fields": [
        "value"
      ]
    }
    """
    pad, inner = " " * indent, " " * (indent + step)
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {to_json(v, indent=indent + step)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(obj, (list, tuple)) and obj:
        return "[\n" + ",\n".join(f"{inner}{to_json(v, indent=indent + step)}" for v in obj) + f"\n{pad}]"
    if isinstance(obj, Decimal):
        return number_text(obj)
    return json.dumps([] if isinstance(obj, tuple) else obj, ensure_ascii=False)


def diff_to_dict(d: RunDiff) -> dict[str, Any]:
    """The diff for tools: summary, then each article that differs with its changes."""
    articles = []
    for a in d.articles:
        if not (a.different or a.fields):
            continue
        articles.append({
            "doc_id": a.doc_id,
            "status": a.status,
            "article_fields": {k: {"old": o, "new": n} for k, (o, n) in a.fields.items()},
            "unchanged": a.unchanged,
            "changes": [
                {"status": c.status, "kind": c.kind, "fields": list(c.fields), "old": c.old, "new": c.new}
                for c in a.changes
            ],
        })
    return {
        "old": str(d.old.folder), "new": str(d.new.folder), "kinds": list(d.kinds),
        "different": d.different, "summary": d.summary(), "articles": articles,
    }


_COLOURS = {"added": "32", "removed": "31", "changed": "33", "head": "1", "dim": "2"}
_SIGNS = {"added": "+", "removed": "-", "changed": "~"}


class _Context:
    """Sentence lookups for one side of the diff, text read once per article."""

    def __init__(self, run: Run, texts: ArticleTexts) -> None:
        self.run, self.texts = run, texts
        self._cache: dict[str, tuple[Sentences | None, str]] = {}

    def sentences(self, doc_id: str) -> tuple[Sentences | None, str]:
        if doc_id not in self._cache:
            text, reason = self.texts.get(self.run.articles.get(doc_id), self.run.folder)
            self._cache[doc_id] = (Sentences.of(text) if text is not None else None, reason)
        return self._cache[doc_id]


def format_text(d: RunDiff, *, color: bool = False, texts: ArticleTexts | None = None) -> str:
    """The diff for a person: grouped by article, each change with the sentence around it
    (the changed span in «»), and a summary line."""
    texts = texts or ArticleTexts()
    sides = {"old": _Context(d.old, texts), "new": _Context(d.new, texts)}

    def paint(style: str, s: str) -> str:
        return f"\x1b[{_COLOURS[style]}m{s}\x1b[0m" if color else s

    lines = [paint("head", f"--- {d.old.folder}"), paint("head", f"+++ {d.new.folder}")]
    for a in d.articles:
        if a.status in ("added", "removed"):
            counts = ", ".join(f"{sum(c.kind == k for c in a.changes)} {TABLES[k]}" for k in d.kinds if any(c.kind == k for c in a.changes))
            sign = _SIGNS[a.status] * 2
            lines.append(paint(a.status, f"{sign} article {a.doc_id} {a.status}" + (f" ({counts})" if counts else " (no records)")))
            continue
        if not (a.changes or a.fields):
            continue
        head = f"@@ {a.doc_id}" + (" (text revised)" if a.status == "revised" else "")
        head += f"  +{a.count('added')} -{a.count('removed')} ~{a.count('changed')}  ({a.unchanged} unchanged)"
        lines.append(paint("head", head))
        for name, (o, n) in a.fields.items():
            if name != "sha256":
                lines.append(paint("dim", f"   article {name}: {show(o)} -> {show(n)}"))
        for c in a.changes:
            lines.extend(_change_lines(c, a.doc_id, sides, paint))
    s = d.summary()
    lines.append(
        f"{s['added']} added, {s['removed']} removed, {s['changed']} changed, {s['unchanged']} unchanged records"
        f" in {s['articles_changed']} articles; articles: {s['articles_added']} added, {s['articles_removed']} removed,"
        f" {s['articles_revised']} revised" + ("" if d.different else " — no differences")
    )
    return "\n".join(lines) + "\n"


def _change_lines(c: Change, doc_id: str, sides: dict[str, _Context], paint) -> list[str]:
    rec = c.record
    where = f"[{rec['start']}-{rec['end']}]"
    out = [paint(c.status, f" {_SIGNS[c.status]} {c.kind:<12} {rec['text']}  {where}  {describe(rec)}")]
    if c.status == "changed":
        for name in c.fields:
            out.append(paint(c.status, f"     {name}: {show(c.old.get(name))} -> {show(c.new.get(name))}"))
    sentences, reason = sides["old" if c.status == "removed" else "new"].sentences(doc_id)
    if sentences is None:
        out.append(paint("dim", f"     (no context: {reason})"))
    else:
        lo, hi = sentences.around(rec["start"], rec["end"])
        t = sentences.text
        snippet = f"{t[lo:rec['start']]}«{t[rec['start']:rec['end']]}»{t[rec['end']:hi]}".replace("\n", " ").strip()
        out.append(paint("dim", f"     {snippet}"))
    return out
