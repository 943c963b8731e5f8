"""Assemble the spaCy `Language` (segment -> extract -> link) and run it on articles."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Iterable

import spacy
from spacy.language import Language

# Imported for their registrations: the tokenizer, the sentence component, the
# extractor components and the linker.
from . import link, segment  # noqa: F401
from .extract import EXTRACTORS, organizations, quantities, times  # noqa: F401
from .read import MAX_BYTES, Article
from .records import to_document
from .rules import load_rules
from .types import Document

LINKERS: tuple[str, ...] = ("press_extract_link",)


def build(*, rules_dir: str | None = None, org_model: bool = True) -> Language:
    """A new pipeline: blank `zh` with the private-jieba tokenizer, sentences, extractors, linker.
    `org_model=False` finds organisations by the rules alone, without the NER model (faster)."""
    rules = load_rules(rules_dir)  # validates rules/ before anything is built
    root = str(rules.root)
    nlp = spacy.blank(
        "zh",
        config={"nlp": {"tokenizer": {"@tokenizers": "press_extract.JiebaTokenizer.v1", "rules_dir": root}}},
    )
    # Inputs are capped at read time (read.MAX_BYTES); spaCy's own cap guards parsers we do not run.
    nlp.max_length = MAX_BYTES
    nlp.add_pipe("press_extract_sentences")
    options = {"press_extract_organizations": {"model": "default" if org_model else ""}}
    for name in EXTRACTORS + LINKERS:
        # A factory that pipes its own texts through `nlp` (the organisations' EntityRuler
        # tokenises its 3,500 phrase patterns) needs the tokenizer alone: running the
        # components before it on each pattern was most of a worker's start-up.
        with nlp.select_pipes(disable=nlp.pipe_names):
            nlp.add_pipe(name, config={"rules_dir": root, **options.get(name, {})})
    return nlp


@functools.lru_cache(maxsize=4)
def load(*, rules_dir: str | None = None, org_model: bool = True) -> Language:
    """The pipeline for `rules_dir` (default rules/), built once per process."""
    return build(rules_dir=rules_dir, org_model=org_model)


def extract(text: str, *, date: dt.date | str | None = None, doc_id: str = "text", nlp: Language | None = None) -> Document:
    """Extract every record from one text.

    >>> extract("增长6%。", date="2024-02-01").text
    '增长6%。'
    """
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    nlp = nlp or load()
    return _run(nlp, [(doc_id, text, date)])[0]


def _run(nlp: Language, items: Iterable[tuple[str, str, dt.date | None]]) -> list[Document]:
    docs = []
    for doc_id, text, date in items:
        doc = nlp.make_doc(text)
        doc._.doc_id = doc_id
        doc._.article_date = date
        docs.append(doc)
    return [
        to_document(doc, doc_id=doc._.doc_id, date=doc._.article_date)
        for doc in nlp.pipe(docs)
    ]


def process_article(article: Article, *, nlp: Language) -> tuple[dict[str, Any], Document]:
    """Run one article; return its `articles` row and its records."""
    document = _run(nlp, [(article.doc_id, article.text, article.date)])[0]
    row = {
        "doc_id": article.doc_id,
        "path": article.path,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "date_source": article.date_source,
        "url": article.url,
        "encoding": article.encoding,
        "sha256": article.sha256,
        "text_from": article.text_from,
        "chars": len(article.text),
        "sentences": len(document.sentences),
    }
    return row, document

