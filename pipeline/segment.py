"""Segmentation: a spaCy tokenizer backed by a private `jieba.Tokenizer`, and sentence
boundaries.

spaCy's own Chinese tokenizer calls the global `jieba` module; we keep jieba's state
private to each tokenizer so that user dictionaries never leak between pipelines.
Tokens concatenate to the text exactly, so token and character offsets agree.
"""

from __future__ import annotations

import itertools
import logging
from typing import Iterable

import jieba
import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from .rules import Rules, load_rules

# Per-doc caches set by the tokenizer and the sentence component. Extensions are class
# attributes of spaCy's Doc; registering them is idempotent and does no I/O.
Doc.set_extension("boundaries", default=None, force=True)
Doc.set_extension("words", default=None, force=True)
Doc.set_extension("sentences", default=None, force=True)
Doc.set_extension("source_text", default=None, force=True)


def text_of(doc: Doc) -> str:
    """The doc's text. spaCy's `Doc.text` joins every token on each access; the tokenizer
    keeps the text it was given, which is the same string."""
    return doc._.source_text if doc._.source_text is not None else doc.text


def words_of(doc: Doc) -> list[str]:
    """The token texts, as the tokenizer cut them (iterating a Doc creates a Token each)."""
    return doc._.words if doc._.words is not None else [t.text for t in doc]

# Sentence-final punctuation; closing quotes and brackets that follow stay in the sentence.
SENTENCE_END = frozenset("。！？；!?;")
CLOSERS = frozenset("”’」』）)】》\"'")


class JiebaTokenizer:
    """Callable `text -> Doc` using a private jieba dictionary plus rules/userdict.txt."""

    def __init__(self, vocab: Vocab, *, rules: Rules) -> None:
        self.vocab = vocab
        self.rules = rules
        # jieba logs its dictionary loading at DEBUG on its own logger; keep stderr for progress.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.jieba = jieba.Tokenizer()
        self.jieba.initialize()
        for word, freq, tag in rules.userdict:
            self.jieba.add_word(word, freq, tag)

    def cut(self, text: str) -> list[str]:
        """Words of `text`; they concatenate back to `text`."""
        return list(self.jieba.cut(text, HMM=True))

    def __call__(self, text: str) -> Doc:
        words = self.cut(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        # Every extractor needs the word boundaries; computing them from the words here
        # avoids creating a spaCy Token per word in each component.
        doc._.boundaries = frozenset(itertools.accumulate(map(len, words), initial=0))
        doc._.words = words
        doc._.source_text = text
        return doc

    def pipe(self, texts: Iterable[str]) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    # The tokenizer is rebuilt from config and rules/, so there is nothing to serialise.
    def to_bytes(self, **kwargs) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs) -> "JiebaTokenizer":
        return self

    def to_disk(self, path, **kwargs) -> None:
        return None

    def from_disk(self, path, **kwargs) -> "JiebaTokenizer":
        return self


@registry.tokenizers("press_extract.JiebaTokenizer.v1")
def create_jieba_tokenizer(rules_dir: str = ""):
    """Config entry: `[nlp.tokenizer] @tokenizers = "press_extract.JiebaTokenizer.v1"`."""

    def make(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab, rules=load_rules(rules_dir or None))

    return make


def sentence_starts(words: Iterable[str]) -> list[bool]:
    """For each token, whether it starts a sentence.

    A sentence ends after 。！？；(and ASCII !?;) or a line break; closing quotes and
    brackets right after the terminator, and trailing blanks, stay with it.

    >>> sentence_starts(["增长", "6%", "。", "”", "今年", "！", "\\n", "好"])
    [True, False, False, False, True, False, False, True]
    """
    starts: list[bool] = []
    ended = False
    for i, w in enumerate(words):
        if i == 0:
            starts.append(True)
        elif ended and w not in CLOSERS and not w.isspace():
            starts.append(True)
            ended = False
        else:
            starts.append(False)
        stripped = w.strip()
        if (stripped and stripped[-1] in SENTENCE_END) or "\n" in w:
            ended = True
    return starts


@Language.component("press_extract_sentences")
def set_sentences(doc: Doc) -> Doc:
    """Mark sentence starts by `sentence_starts`."""
    # One array write: setting Token.is_sent_start one by one rescans the doc each time.
    words = words_of(doc)
    starts = sentence_starts(words)
    flags = numpy.array([1 if s else -1 for s in starts], dtype="int64").astype("uint64")
    if len(flags):
        doc.from_array([SENT_START], flags.reshape(-1, 1))
    # Cached for the components and the records stage (doc.sents walks every token).
    offsets = itertools.accumulate(map(len, words), initial=0)
    first = [i for i, s in zip(offsets, starts) if s]
    doc._.sentences = tuple(zip(first, first[1:] + [len(text_of(doc))]))
    return doc


def sentence_spans(doc: Doc) -> tuple[tuple[int, int], ...]:
    """Character spans [start, end) of the sentences of a segmented doc."""
    if doc._.sentences is not None:
        return doc._.sentences
    return tuple((s.start_char, s.end_char) for s in doc.sents) if doc.has_annotation("SENT_START") else ()
