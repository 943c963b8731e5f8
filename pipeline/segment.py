"""Segmentation: a spaCy tokenizer backed by a private `jieba.Tokenizer`, and sentence
boundaries.

spaCy's own Chinese tokenizer calls the global `jieba` module; we keep jieba's state
private to each tokenizer so that user dictionaries never leak between pipelines.
Tokens concatenate to the text exactly, so token and character offsets agree.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import itertools
import logging
import marshal
import math
import os
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import jieba
import jieba.finalseg
import jieba.posseg
import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from .rules import Rules, load_rules

try:  # the same route search compiled (pipeline/_route.c), built at install when a C compiler is there
    # by name: import-linter reads `from . import _route` (a C module it cannot parse) as
    # an import of the package `pipeline`, which imports every stage.
    _route = importlib.import_module("pipeline._route")
except ImportError:
    _route = None

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


class RouteTokenizer(jieba.Tokenizer):
    """jieba's `Tokenizer`, with its best-route search done in one pass.

    For each run of Han characters jieba builds a DAG of dictionary words (a dict of
    lists), then scores it in a second pass with a generator of tuples per position: that
    was three quarters of its time. Here each position's words are scored as they are
    found, right to left, with jieba's arithmetic and tie-break (the longer word wins), so
    the words are jieba's own; tests/test_segment.py checks that on the corpus and on
    random text. Splitting the text into runs and the HMM for unknown runs stay jieba's.

    With `compiled` (the default) and the extension `pipeline._route` built, a run's
    route and words come from C, and so do the HMM's words of an unknown run of Han
    characters (jieba.finalseg's model), with the same arithmetic and tie-breaks; this
    Python route, with jieba's HMM, is the fallback and the reference the tests compare
    it with.
    """

    def __init__(self, dictionary: str = jieba.DEFAULT_DICT, *, compiled: bool = True) -> None:
        super().__init__(dictionary)
        self.compiled = compiled and _route is not None

    def words(self, text: str) -> list[str]:
        """jieba's `cut(text, HMM=True)` as one list, with no generator per block: the
        same split into blocks of Han (and ASCII word) characters, and of blanks."""
        han, skip = jieba.re_han_default, jieba.re_skip_default
        words: list[str] = []
        for block in han.split(text):
            if not block:
                continue
            if han.match(block):
                words += self.run_words(block)
            else:
                for piece in skip.split(block):
                    if skip.match(piece):
                        words.append(piece)
                    else:
                        words += piece  # one word per character
        return words

    def run_words(self, run: str) -> list[str]:
        """The words of one block of Han characters, as jieba's `__cut_DAG` gives them."""
        if self.compiled:
            return _route.cut_run(run, self.FREQ, math.log(self.total), jieba.finalseg.cut, jieba.finalseg)
        return list(self.route_words(run))

    def best_ends(self, run: str) -> list[int]:
        """For each position of `run`, where the word the best route takes there ends.

        >>> tokenizer = RouteTokenizer(); tokenizer.FREQ, tokenizer.total = {"开": 5, "开发": 2, "发": 1, "区": 3}, 11
        >>> tokenizer.best_ends("开发区")
        [2, 2, 3]
        """
        freq = self.FREQ
        log, log_total = math.log, math.log(self.total)
        n = len(run)
        score = [0.0] * (n + 1)
        ends = [0] * n
        for start in range(n - 1, -1, -1):
            best, best_end = None, start + 1
            end = start + 1
            word = run[start]
            while word in freq:  # FREQ also holds every word's prefixes, with frequency 0
                count = freq[word]
                if count:
                    s = log(count) - log_total + score[end]
                    if best is None or s >= best:
                        best, best_end = s, end
                if end == n:
                    break
                end += 1
                word = run[start:end]
            if best is None:  # no dictionary word starts here: one character, frequency 1
                best = log(1) - log_total + score[start + 1]
            score[start], ends[start] = best, best_end
        return ends

    # jieba's `cut` calls this private method (`__cut_DAG`) for each run of Han characters.
    def _Tokenizer__cut_DAG(self, run: str) -> Iterator[str]:
        return iter(self.run_words(run))

    def route_words(self, run: str) -> Iterator[str]:
        """`run_words` in Python: the words along `best_ends`, single characters grouped."""
        ends = self.best_ends(run)
        start, single = 0, ""
        while start < len(run):
            end = ends[start]
            if end - start == 1:
                single += run[start]
            else:
                if single:
                    yield from self.singles(single)
                    single = ""
                yield run[start:end]
            start = end
        if single:
            yield from self.singles(single)

    def singles(self, chars: str) -> Iterator[str]:
        """A run of characters the route took one by one: jieba gives an unknown run to
        its HMM (new words such as names), and a dictionary word's characters apart."""
        if len(chars) == 1:
            yield chars
        elif not self.FREQ.get(chars):
            yield from jieba.finalseg.cut(chars)
        else:
            yield from chars


# Bump when what the dictionary cache holds changes: older files are then rebuilt.
CACHE_FORMAT = 1


@dataclass(frozen=True)
class Dictionary:
    """A jieba dictionary as jieba reads it: `freq` and `total` as `Tokenizer.initialize`
    makes them (every word's prefixes with frequency 0), `tags` as `POSTokenizer` reads them."""

    freq: dict[str, int]
    total: int
    tags: dict[str, str]


def read_dictionary(tokenizer: jieba.Tokenizer) -> Dictionary:
    """`tokenizer`'s dictionary file read by jieba's own code (two passes over the file)."""
    freq, total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    table = types.SimpleNamespace()  # load_word_tag only sets `word_tag_tab` on its instance
    jieba.posseg.POSTokenizer.load_word_tag(table, tokenizer.get_dict_file())
    return Dictionary(freq, total, table.word_tag_tab)


def cache_path(tokenizer: jieba.Tokenizer) -> Path:
    """Where the dictionary of `tokenizer` is cached: jieba's cache folder (its `tmp_dir`,
    else the system's temporary folder), one file per dictionary path."""
    name = hashlib.sha256(repr(tokenizer.dictionary).encode("utf-8")).hexdigest()[:16]
    return Path(tokenizer.tmp_dir or tempfile.gettempdir()) / f"press-extract-dict.{name}.cache"


def load_dictionary(tokenizer: jieba.Tokenizer) -> Dictionary:
    """`read_dictionary(tokenizer)`, from a cache file when one was written for the same
    dictionary bytes, jieba version and Python: one marshal read instead of jieba's cache
    read plus a second pass over the file for the tags (most of a worker's start-up).
    A missing, stale or unreadable cache is rebuilt; one that cannot be written is skipped."""
    with tokenizer.get_dict_file() as fh:
        key = hashlib.sha256(fh.read())
    key.update(f"\0{jieba.__version__}\0{sys.implementation.cache_tag}\0{CACHE_FORMAT}".encode())
    path = cache_path(tokenizer)
    try:
        # one read, then loads: marshal.load on a file reads it a few bytes at a time
        stored, freq, total, tags = marshal.loads(path.read_bytes())
        if stored == key.hexdigest() and isinstance(freq, dict) and isinstance(total, int) and isinstance(tags, dict):
            return Dictionary(freq, total, tags)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    dictionary = read_dictionary(tokenizer)
    write_cache(path, marshal.dumps((key.hexdigest(), dictionary.freq, dictionary.total, dictionary.tags)))
    return dictionary


def write_cache(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all (workers may start together); a folder
    that cannot be written is only logged: the cache saves time, nothing else."""
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as error:
        logging.getLogger(__name__).debug("dictionary cache not written to %s: %s", path, error)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


class TagTokenizer(jieba.posseg.POSTokenizer):
    """jieba's `POSTokenizer` over `tokenizer`, given its word-tag table (as
    `POSTokenizer.load_word_tag` reads it) instead of reading the dictionary file again."""

    def __init__(self, tokenizer: jieba.Tokenizer, *, word_tag_tab: dict[str, str]) -> None:
        self.tokenizer = tokenizer
        self.word_tag_tab = word_tag_tab


class JiebaTokenizer:
    """Callable `text -> Doc` using a private jieba dictionary plus rules/userdict.txt."""

    def __init__(self, vocab: Vocab, *, rules: Rules) -> None:
        self.vocab = vocab
        self.rules = rules
        # jieba logs its dictionary loading at DEBUG on its own logger; keep stderr for progress.
        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.jieba = RouteTokenizer()
        dictionary = load_dictionary(self.jieba)
        self.jieba.FREQ, self.jieba.total, self.jieba.initialized = dictionary.freq, dictionary.total, True
        self._word_tags = dictionary.tags
        for word, freq, tag in rules.userdict:
            self.jieba.add_word(word, freq, tag)

    @functools.cached_property
    def tagger(self) -> jieba.posseg.POSTokenizer:
        """jieba's part-of-speech tagger over this tokenizer (same user dictionary), made
        once on first use: a second dictionary would double start-up time and memory. It
        takes the user tags out of the tokenizer, which cutting does not use."""
        return TagTokenizer(self.jieba, word_tag_tab=self._word_tags)

    def word_tag(self, word: str) -> str | None:
        """The dictionary's part-of-speech tag of `word` (v, n, ns …), None for a word the
        dictionary does not hold (a new word found by the HMM)."""
        return self.tagger.word_tag_tab.get(word)

    def word_freq(self, word: str) -> int:
        """The dictionary's frequency of `word` (0 when it holds none)."""
        return self.jieba.FREQ.get(word, 0)

    def cut(self, text: str) -> list[str]:
        """Words of `text`; they concatenate back to `text`."""
        return self.jieba.words(text)

    def __call__(self, text: str) -> Doc:
        # One string per distinct word: a long article repeats a few thousand words, and a
        # string per token was a third of what its words and Doc held.
        seen: dict[str, str] = {}
        words = [seen.setdefault(w, w) for w in self.cut(text)]
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


def jieba_of(nlp: Language, rules: Rules) -> JiebaTokenizer:
    """The pipeline's own tokenizer when it segments with `rules`, else a new one: parts
    of speech must come from the dictionary that cut the words."""
    tokenizer = nlp.tokenizer
    if isinstance(tokenizer, JiebaTokenizer) and tokenizer.rules is rules:
        return tokenizer
    return JiebaTokenizer(nlp.vocab, rules=rules)


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
