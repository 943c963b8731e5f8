"""A character CRF for organisation names (python-crfsuite), with dictionary features.

Each character is tagged B/I/O from its own features: the character and its neighbours
(window 2) and the bigrams around it, its position in its jieba word (B/M/E/S) and that
word, and the entries of a lexicon that start, continue or end there (organisation head
words by type, division names and short forms, known organisation names; see
`lexicon_of`). The lexicon is written into the model folder at training time
(`lexicon.tsv`), so the features at run time are the ones the model was trained on
whatever rules/ holds later (the rules' sha256 is in the model's meta.json).

Compared with the spaCy transition-based NER by bench/org_arch.py (figures in
pipeline/train.py): better on both held-out slices and cheaper per character; it is the
shipped model (pipeline/models/orgs_ner). Deterministic: crfsuite's Viterbi decoding
has no randomness.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

import pycrfsuite

MODEL_FILE = "model.crfsuite"
LEXICON_FILE = "lexicon.tsv"
META_FILE = "meta.json"
ARCH_NAME = "crf"

Span = tuple[int, int]
# first character -> ((length, {surface: dictionary feature prefixes}), ...) of the entries
# starting with it: a position looks up one slice per length, not every entry.
Lexicon = dict[str, tuple[tuple[int, dict[str, tuple[str, ...]]], ...]]
# a word's position classes by length (B/M/E/S), as feature strings
_POS = {"S": "wp=S", "B": "wp=B", "M": "wp=M", "E": "wp=E"}


def lexicon_rows(*, heads: Iterable[tuple[str, str]], places: Iterable[str], known: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(dictionary, class, surface) rows, sorted and without duplicates: head words by
    org type ("h"), places ("p", at least two characters), known names by org type ("k")."""
    rows = {("h", t, s) for s, t in heads if s}
    rows |= {("p", "p", s) for s in places if len(s) >= 2}
    rows |= {("k", t, s) for s, t in known if s}
    return sorted(rows)


def lexicon_from_rows(rows: Iterable[tuple[str, str, str]]) -> Lexicon:
    by_first: dict[str, dict[int, dict[str, list[str]]]] = {}
    for name, cls, surface in rows:
        by_first.setdefault(surface[0], {}).setdefault(len(surface), {}).setdefault(surface, []).append(f"{name}{cls}")
    return {
        c: tuple((n, {s: tuple(v) for s, v in d.items()}) for n, d in sorted(lengths.items()))
        for c, lengths in by_first.items()
    }


def read_lexicon(path: Path) -> Lexicon:
    """A `lexicon.tsv` (dictionary, class, surface per line); a bad line names file and line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{path}:{number}: expected dictionary, class and surface separated by tabs, got {line!r}")
        rows.append(tuple(parts))
    return lexicon_from_rows(rows)


def write_lexicon(path: Path, rows: Sequence[tuple[str, str, str]]) -> None:
    path.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")


def lexicon_marks(text: str, lexicon: Lexicon) -> dict[int, list[str]]:
    """Position -> the lexicon marks there (an entry's prefix + B, I or E), once each, and
    the starts and ends of the entries next to it (`-` one ending just before, `+` one
    starting just after). Positions without any are absent."""
    marks: dict[int, list[str]] = {}
    for i, ch in enumerate(text):
        for length, surfaces in lexicon.get(ch, ()):
            names = surfaces.get(text[i : i + length])
            if names is None:
                continue
            end = i + length - 1
            for name in names:
                marks.setdefault(i, []).append(name + "B")
                for j in range(i + 1, end):
                    marks.setdefault(j, []).append(name + "I")
                marks.setdefault(end, []).append(name + "E")
    edges: dict[int, list[str]] = {}
    for i, ms in marks.items():
        ms = marks[i] = list(dict.fromkeys(ms))
        for m in ms:
            if m[-1] != "I":
                edges.setdefault(i + 1, []).append("-" + m)
                if i:
                    edges.setdefault(i - 1, []).append("+" + m)
    for i, es in edges.items():
        if i < len(text):
            marks.setdefault(i, []).extend(es)
    return marks


def features(text: str, words: Sequence[str], lexicon: Lexicon) -> list[tuple[str, ...]]:
    r"""The features of each character of `text` (the concatenation of `words`).

    Built column by column over the whole text (one comprehension per feature kind, then
    zipped into one tuple a character; crfsuite takes tuples as items), which costs less
    than a loop over characters.

    >>> lex = lexicon_from_rows([("h", "government", "局"), ("p", "p", "杭州")])
    >>> f = features("杭州市统计局", ["杭州市", "统计局"], lex)
    >>> [x for x in f[1] if x.startswith(("w", "pp", "+", "-"))], f[5][-2:]
    (['wp=M', 'w=杭州市', 'wpc=M州', 'w-1=\x02', 'w+1=统计局', 'ppE', '-ppB'], ('hgovernmentB', 'hgovernmentE'))
    """
    padded = "\x02\x02" + text + "\x03\x03"
    prev2, prev, nxt, nxt2 = padded[:-4], padded[1:-3], padded[3:-1], padded[4:]
    pos: list[str] = []
    word: list[str] = []
    before: list[str] = []
    after: list[str] = []
    last = len(words) - 1
    for j, w in enumerate(words):
        n = len(w)
        pos.append("S" if n == 1 else "B" + "M" * (n - 2) + "E")
        word += ["w=" + w] * n
        before += ["w-1=" + (words[j - 1] if j else "\x02")] * n
        after += ["w+1=" + (words[j + 1] if j < last else "\x03")] * n
    positions = "".join(pos)
    out = list(
        zip(
            ["c=" + c for c in text],
            ["c-1=" + c for c in prev],
            ["c+1=" + c for c in nxt],
            ["c-2=" + c for c in prev2],
            ["c+2=" + c for c in nxt2],
            ["c-1c=" + a + b for a, b in zip(prev, text)],
            ["cc+1=" + a + b for a, b in zip(text, nxt)],
            ["c-1c+1=" + a + b for a, b in zip(prev, nxt)],
            ["c-2c-1=" + a + b for a, b in zip(prev2, prev)],
            ["c+1c+2=" + a + b for a, b in zip(nxt, nxt2)],
            [_POS[p] for p in positions],
            word,
            ["wpc=" + p + c for p, c in zip(positions, text)],
            before,
            after,
        )
    )
    for i, ms in lexicon_marks(text, lexicon).items():
        out[i] += tuple(ms)
    return out


def spans_of(tags: Sequence[str]) -> list[Span]:
    """[start, end) of each B I* run (an I after O opens a span, as conlleval reads it).

    >>> spans_of(["O", "B", "I", "O", "I", "B"])
    [(1, 3), (4, 5), (5, 6)]
    """
    out, start = [], None
    for i, t in enumerate([*tags, "O"]):
        if t != "I" and start is not None:
            out.append((start, i))
            start = None
        if t == "B" or (t == "I" and start is None):
            start = i
    return out


def bio_tags(length: int, spans: Iterable[Span]) -> list[str]:
    tags = ["O"] * length
    for s, e in spans:
        tags[s] = "B"
        tags[s + 1 : e] = ["I"] * (e - s - 1)
    return tags


class CharCRF:
    """A trained character CRF folder: `model.crfsuite`, `lexicon.tsv`, `meta.json`."""

    def __init__(self, path: Path) -> None:
        for name in (MODEL_FILE, LEXICON_FILE, META_FILE):
            if not (path / name).is_file():
                raise ValueError(f"{path}: not a CRF model folder (no {name})")
        self.meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        self.lexicon = read_lexicon(path / LEXICON_FILE)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path / MODEL_FILE))

    def spans(self, words: Sequence[str]) -> list[Span]:
        """Character spans [start, end) of the names in the words' concatenation."""
        text = "".join(words)
        if not text:
            return []
        return spans_of(self.tagger.tag(features(text, words, self.lexicon)))


def is_crf_folder(path: Path) -> bool:
    return (path / MODEL_FILE).is_file()
