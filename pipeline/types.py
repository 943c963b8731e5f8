"""Plain data carried between the stages: articles in, records out. No logic beyond
serialisation order, so every stage can import it.

The record classes are the one source of truth for the output tables: `schema(kind)`
derives column names and types from their fields, and the writers (JSONL, CSV,
Parquet) use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Iterator

KINDS: tuple[str, ...] = ("quantity", "time", "organization", "metric", "goal")
TABLES: dict[str, str] = {
    "quantity": "quantities",
    "time": "times",
    "organization": "organizations",
    "metric": "metrics",
    "goal": "goals",
    "article": "articles",
    "error": "errors",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One input article, decoded. `text` is exactly what offsets point into."""

    doc_id: str
    text: str
    path: str | None = None
    title: str | None = None
    date: dt.date | None = None
    date_source: str | None = None  # jsonl | html-meta | html-label | html-extractor | text-label | filename | option
    url: str | None = None
    encoding: str | None = None
    sha256: str | None = None
    text_from: str | None = None  # web pages: main | full (pipeline.read.HTML_MODES)
    warning: str | None = None  # said about the input while reading it (not an output column)


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """Fields every record has (DESIGN.md "Output tables")."""

    kind: ClassVar[str] = ""
    doc_id: str = ""
    start: int
    end: int
    text: str
    sentence: int = 0
    source: str

    @property
    def id(self) -> str:
        return f"{self.doc_id}:{self.kind}:{self.start}-{self.end}"

    def to_dict(self) -> dict[str, Any]:
        """Fields in table column order; values as Python objects (Decimal kept)."""
        out: dict[str, Any] = {"id": self.id, "doc_id": self.doc_id, "kind": self.kind}
        for f in dataclasses.fields(self):
            if f.name != "doc_id":
                out[f.name] = getattr(self, f.name)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity(Record):
    kind: ClassVar[str] = "quantity"
    value: Decimal
    value_max: Decimal | None = None
    unit: str
    unit_text: str
    dimension: str
    qualifier: str = "exact"  # exact | approx | over | under


@dataclass(frozen=True, slots=True, kw_only=True)
class Time(Record):
    kind: ClassVar[str] = "time"
    start_date: str | None = None  # ISO date, inclusive; None when unresolved
    end_date: str | None = None
    granularity: str  # day | month | quarter | half | year | plan
    relative: bool = False
    resolved: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization(Record):
    kind: ClassVar[str] = "organization"
    name: str
    canonical: str
    org_type: str  # company | government | university | research | hospital | school | park | association | other
    place_code: str | None = None  # GB/T 2260 code of the division that names it (临平区委 -> 330113), rules/divisions.tsv


@dataclass(frozen=True, slots=True, kw_only=True)
class Metric(Record):
    kind: ClassVar[str] = "metric"
    indicator: str
    indicator_id: str | None = None
    subject: str | None = None
    period: str | None = None
    value: Decimal
    unit: str
    qualifier: str = "exact"
    change: Decimal | None = None
    change_unit: str | None = None  # % | pp
    quantity_id: str | None = None
    period_from: str | None = None  # the frame that gave the period: clause | sentence | paragraph | section | document


@dataclass(frozen=True, slots=True, kw_only=True)
class Goal(Record):
    kind: ClassVar[str] = "goal"
    trigger: str
    indicator: str | None = None
    comparator: str | None = None  # >= | > | <= | < | =
    value: Decimal | None = None
    unit: str | None = None
    deadline: str | None = None
    subject: str | None = None
    quantitative: bool = False
    horizon: Decimal | None = None  # 通过5年努力 -> 5
    horizon_unit: str | None = None
    quantity_id: str | None = None
    period_from: str | None = None  # the frame that gave the deadline: clause | sentence | paragraph | section | document


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls for cls in (Quantity, Time, Organization, Metric, Goal)
}


@dataclass(frozen=True, slots=True)
class Document:
    """What `pipeline.extract` returns: one article's records grouped by kind."""

    doc_id: str
    text: str
    date: dt.date | None = None
    quantities: tuple[Quantity, ...] = ()
    times: tuple[Time, ...] = ()
    organizations: tuple[Organization, ...] = ()
    metrics: tuple[Metric, ...] = ()
    goals: tuple[Goal, ...] = ()
    sentences: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    def records(self) -> Iterator[Record]:
        """Every record of every kind, in table order (kind, then start)."""
        for kind in KINDS:
            yield from getattr(self, TABLES[kind])


# Column types used by every writer: "string", "int", "number" (exact Decimal in JSON,
# float64 in Parquet), "bool".
_TYPE_NAMES = {str: "string", int: "int", Decimal: "number", bool: "bool"}

ARTICLE_SCHEMA: tuple[tuple[str, str], ...] = (
    ("doc_id", "string"),
    ("path", "string"),
    ("title", "string"),
    ("date", "string"),
    ("date_source", "string"),
    ("url", "string"),
    ("encoding", "string"),
    ("sha256", "string"),
    ("text_from", "string"),
    ("chars", "int"),
    ("sentences", "int"),
)
ERROR_SCHEMA: tuple[tuple[str, str], ...] = (
    ("path", "string"),
    ("line", "int"),
    ("doc_id", "string"),
    ("reason", "string"),
)


def schema(kind: str) -> tuple[tuple[str, str], ...]:
    """Column names and types of a table, derived from the record class.

    >>> schema("organization")[:3]
    (('id', 'string'), ('doc_id', 'string'), ('kind', 'string'))
    >>> dict(schema("quantity"))["value"]
    'number'
    """
    if kind == "article":
        return ARTICLE_SCHEMA
    if kind == "error":
        return ERROR_SCHEMA
    cls = RECORD_TYPES[kind]
    hints = typing.get_type_hints(cls)
    cols = [("id", "string"), ("doc_id", "string"), ("kind", "string")]
    for f in dataclasses.fields(cls):
        if f.name == "doc_id":
            continue
        base = [t for t in typing.get_args(hints[f.name]) if t is not type(None)] or [hints[f.name]]
        cols.append((f.name, _TYPE_NAMES[base[0]]))
    return tuple(cols)
