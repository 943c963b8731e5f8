"""Build small output folders by hand, in the exact format `run` writes, so that diff,
eval and review are tested without depending on what the extractors find today.

Records are written with the real writer (`pipeline.write.OutputWriter`); article texts
go into a JSONL input file named by `articles.path`, as `run` would record it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Iterable

from pipeline.types import Goal, Metric, Organization, Quantity, Record, Time
from pipeline.write import OutputWriter, json_line


def span(text: str, surface: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the nth occurrence of `surface` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def quantity(text: str, surface: str, value: str, unit: str, *, nth: int = 0, **fields) -> Quantity:
    start, end = span(text, surface, nth)
    fields.setdefault("unit_text", unit)
    fields.setdefault("dimension", "currency" if unit == "CNY" else "percent" if unit == "%" else "count")
    return Quantity(start=start, end=end, text=surface, source="rule:test", value=Decimal(value), unit=unit, **fields)


def time(text: str, surface: str, start_date: str, end_date: str, *, nth: int = 0, granularity: str = "year") -> Time:
    start, end = span(text, surface, nth)
    return Time(start=start, end=end, text=surface, source="rule:test", start_date=start_date, end_date=end_date, granularity=granularity)


def org(text: str, surface: str, org_type: str = "government", *, nth: int = 0) -> Organization:
    start, end = span(text, surface, nth)
    return Organization(start=start, end=end, text=surface, source="rule:test", name=surface, canonical=surface, org_type=org_type)


def metric(text: str, surface: str, indicator: str, value: str, unit: str, *, nth: int = 0, **fields) -> Metric:
    start, end = span(text, surface, nth)
    return Metric(start=start, end=end, text=surface, source="rule:test", indicator=indicator, value=Decimal(value), unit=unit, **fields)


def goal(text: str, surface: str, trigger: str, *, nth: int = 0, **fields) -> Goal:
    start, end = span(text, surface, nth)
    if fields.get("value") is not None:
        fields["value"] = Decimal(fields["value"])
        fields.setdefault("quantitative", True)
    return Goal(start=start, end=end, text=surface, source="rule:test", trigger=trigger, **fields)


def write_run(out: Path, articles: Iterable[tuple[str, str, list[Record]]], *, inputs: Path | None = None) -> Path:
    """Write an output folder for (doc_id, text, records) triples; the texts go to
    `inputs` (default: `<out>.jsonl`), one JSONL line per article."""
    out = Path(out)
    inputs = Path(inputs) if inputs else out.with_suffix(".jsonl")
    articles = list(articles)
    inputs.write_text("".join(json.dumps({"id": d, "text": t}, ensure_ascii=False) + "\n" for d, t, _ in articles), encoding="utf-8")
    writer = OutputWriter(out)
    for line, (doc_id, text, records) in enumerate(articles, 1):
        row = {
            "doc_id": doc_id, "path": f"{inputs}:{line}", "title": None, "date": None, "date_source": None, "url": None,
            "encoding": "utf-8", "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text), "sentences": 1,
        }
        by_kind: dict[str, list[str]] = {}
        for r in sorted(records, key=lambda r: (r.start, r.end)):
            assert text[r.start:r.end] == r.text, r
            by_kind.setdefault(r.kind, []).append(json_line(dataclasses.replace(r, doc_id=doc_id).to_dict()))
        writer.add_article(doc_id, row, by_kind)
    writer.commit({"test": True})
    return out
