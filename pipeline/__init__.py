"""press-extract: structured records from Chinese government and economic press releases.

>>> import pipeline
>>> doc = pipeline.extract("2023年，临平区地区生产总值1067.27亿元，增长6%。", date="2024-02-01")
>>> all(doc.text[r.start:r.end] == r.text for r in doc.records())
True
"""

from .normalise.numbers import parse_number
from .process import extract, load
from .types import Document, Goal, Metric, Organization, Quantity, Record, Time

__all__ = ["extract", "load", "parse_number", "Document", "Record", "Quantity", "Time", "Organization", "Metric", "Goal"]
