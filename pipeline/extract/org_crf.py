"""A character CRF for organisation names (python-crfsuite), with dictionary features.

Each character is tagged B/I/O from its own features: the character and its neighbours
(window 2) and the bigrams around it, its position in its jieba word (B/M/E/S) and that
word, and the entries of a lexicon that start, continue or end there (organisation head
words by type, division names and short forms, known organisation names; see
`lexicon_of`). The lexicon is written into the model folder at training time
(`lexicon.tsv`), so the features at run time are the ones the model was trained on
whatever rules/ holds later (the rules' sha256 is in the model's meta.json). At run time
`CharCRF` emits only the features its model has (read from the model file when it is
opened, so a retrained model brings its own): the same tags, half the strings.

Compared with the spaCy transition-based NER by bench/org_arch.py (figures in
pipeline/train.py): better on both held-out slices and cheaper per character; it is the
shipped model (pipeline/models/orgs_ner). Deterministic: crfsuite's Viterbi decoding
has no randomness.
"""

from __future__ import annotations

import importlib
import json
import struct
from dataclasses import dataclass
from itertools import chain, repeat
from operator import add
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pycrfsuite

try:  # the tagging compiled (pipeline/extract/_crf.c), built at install when a C compiler is there
    # by name, as pipeline.segment imports pipeline._route: import-linter cannot parse a C module
    _crf = importlib.import_module("pipeline.extract._crf")
except ImportError:
    _crf = None

MODEL_FILE = "model.crfsuite"
LEXICON_FILE = "lexicon.tsv"
META_FILE = "meta.json"
ARCH_NAME = "crf"

Span = tuple[int, int]
# first two characters (the character, for an entry of one) -> (the lengths, ascending,
# {surface: dictionary feature prefixes}) of the entries starting with them: a position
# looks up its character and its pair, and only on a hit one slice per length.
Lexicon = dict[str, tuple[tuple[int, ...], dict[str, list[str]]]]
# feature kind -> value -> feature string, of the features a model has (`known_features`)
Known = dict[str, dict[str, str]]
# The columns of `features`, in its order, with the characters of their values (0: a
# word). The compiled tagger numbers its table's kinds by this order (`table_key`),
# then the lexicon's starts of one character and of two.
COLUMNS = (
    ("c=", 1), ("c-1=", 1), ("c+1=", 1), ("c-2=", 1), ("c+2=", 1),
    ("c-1c=", 2), ("cc+1=", 2), ("c-1c+1=", 2), ("c-2c-1=", 2), ("c+1c+2=", 2),
    ("wp=", 1), ("w=", 0), ("wpc=", 2), ("w-1=", 0), ("w+1=", 0),
)  # fmt: skip
LEXICON_ONE, LEXICON_TWO = len(COLUMNS), len(COLUMNS) + 1


def lexicon_rows(*, heads: Iterable[tuple[str, str]], places: Iterable[str], known: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(dictionary, class, surface) rows, sorted and without duplicates: head words by
    org type ("h"), places ("p", at least two characters), known names by org type ("k")."""
    rows = {("h", t, s) for s, t in heads if s}
    rows |= {("p", "p", s) for s in places if len(s) >= 2}
    rows |= {("k", t, s) for s, t in known if s}
    return sorted(rows)


def lexicon_from_rows(rows: Iterable[tuple[str, str, str]]) -> Lexicon:
    by_start: dict[str, dict[str, list[str]]] = {}
    for name, cls, surface in rows:
        by_start.setdefault(surface[:2], {}).setdefault(surface, []).append(name + cls)
    return {k: (tuple(sorted({len(s) for s in d})), d) for k, d in by_start.items()}


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
    get = lexicon.get
    n = len(text)
    for i, (ch, pair) in enumerate(zip(text, [*map(add, text, text[1:]), ""])):
        one, more = get(ch), get(pair)
        if one is None and more is None:
            continue
        # one-character entries first, then longer ones: by length, as they are marked
        for lengths, surfaces in filter(None, (one, more)):
            for length in lengths:
                if i + length > n:
                    break  # a slice past the end is shorter: it could be another entry
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
        if i < n:
            marks.setdefault(i, []).extend(es)
    return marks


def features(text: str, words: Sequence[str], lexicon: Lexicon, *, known: Known | None = None) -> list[tuple[str, ...]]:
    r"""The features of each character of `text` (the concatenation of `words`).

    Built column by column over the whole text (one column per feature kind, then zipped
    into one tuple a character; crfsuite takes tuples as items), which costs less than a
    loop over characters. With `known` (`known_features` of a model's attributes), only
    the features the model has are emitted (about half; of the bigrams 3-10%), in the
    same order and taken from `known` instead of built: crfsuite gives any other
    attribute no weight, so the tags are the same and crfsuite has half the strings to
    look up. Training needs every feature: no `known`.

    >>> lex = lexicon_from_rows([("h", "government", "局"), ("p", "p", "杭州")])
    >>> f = features("杭州市统计局", ["杭州市", "统计局"], lex)
    >>> [x for x in f[1] if x.startswith(("w", "pp", "+", "-"))], f[5][-2:]
    (['wp=M', 'w=杭州市', 'wpc=M州', 'w-1=\x02', 'w+1=统计局', 'ppE', '-ppB'], ('hgovernmentB', 'hgovernmentE'))
    >>> features("杭州市统计局", ["杭州市", "统计局"], lex, known=known_features(["c=州", "w=杭州市", "ppE"]))[1]
    ('c=州', 'w=杭州市', 'ppE')
    """
    padded = "\x02\x02" + text + "\x03\x03"
    n = len(text)
    prev2, prev, nxt, nxt2 = padded[:-4], padded[1:-3], padded[3:-1], padded[4:]
    # the neighbouring pairs: pairs[k] is padded[k : k + 2], so c-2c-1, c-1c, cc+1 and
    # c+1c+2 at i are pairs[i] to pairs[i + 3]
    pairs = list(map(add, padded[:-1], padded[1:]))
    lengths = list(map(len, words))
    positions = "".join("S" if k == 1 else "B" + "M" * (k - 2) + "E" for k in lengths)

    def column(prefix: str, values: Iterable[str]) -> list[str | None]:
        if known is None:
            return [prefix + v for v in values]
        return list(map(known.get(prefix, {}).get, values))

    def spread(values: list[str | None]) -> Iterator[str | None]:
        """A value a word -> the word's value at each of its characters."""
        return chain.from_iterable(map(repeat, values, lengths))

    columns = (
        column("c=", text),
        column("c-1=", prev),
        column("c+1=", nxt),
        column("c-2=", prev2),
        column("c+2=", nxt2),
        column("c-1c=", pairs[1 : n + 1]),
        column("cc+1=", pairs[2 : n + 2]),
        column("c-1c+1=", map(add, prev, nxt)),
        column("c-2c-1=", pairs[:n]),
        column("c+1c+2=", pairs[3 : n + 3]),
        column("wp=", positions),
        spread(column("w=", words)),
        column("wpc=", map(add, positions, text)),
        spread(column("w-1=", ["\x02", *words[:-1]])),
        spread(column("w+1=", [*words[1:], "\x03"])),
    )
    marks = lexicon_marks(text, lexicon)
    if known is None:
        out = list(zip(*columns))
        for i, ms in marks.items():
            out[i] += tuple(ms)
        return out
    # None stands for a feature the model lacks
    out = [tuple(filter(None, row)) for row in zip(*columns)]
    names = known[""]
    for i, ms in marks.items():
        out[i] += tuple(filter(names.__contains__, ms))
    return out


def known_features(attributes: Iterable[str]) -> Known:
    """A model's attributes for `features(known=...)`: feature kind (the text up to and
    including the first `=`) -> value -> the attribute, and "" -> every attribute -> itself
    (for the lexicon marks, which have no `=`)."""
    out: Known = {"": {}}
    for a in attributes:
        kind, eq, value = a.partition("=")
        if eq:
            out.setdefault(kind + eq, {})[value] = a
        out[""][a] = a
    return out


# crfsuite's CRF1d model file: a header (magic, size, type, version, counts of features,
# labels and attributes, offsets of the features, label CQDB, attribute CQDB, label and
# attribute feature references), then those chunks.
HEADER = struct.Struct("<4sI4s9I")


def _model_header(path: Path, data: bytes) -> tuple[int, ...]:
    """(features, labels, attributes, features offset, labels offset, attributes offset, label
    references offset, attribute references offset) of a CRF1d model file."""
    magic, _, kind, _, *rest = HEADER.unpack_from(data, 0)
    if (magic, kind) != (b"lCRF", b"FOMC"):
        raise ValueError(f"{path}: not a crfsuite CRF1d model")
    return tuple(rest)


def _strings(path: Path, data: bytes, at: int, count: int) -> list[str]:
    """The strings of the CQDB at `at` (a table from id to record), in id order."""
    chunk, _, _, _, size, table = struct.unpack_from("<4s5I", data, at)
    if chunk != b"CQDB" or size != count:
        raise ValueError(f"{path}: not a crfsuite CRF1d model")
    out = []
    for number, offset in enumerate(struct.unpack_from(f"<{count}I", data, at + table)):
        record, length = struct.unpack_from("<2I", data, at + offset)
        if record != number:
            raise ValueError(f"{path}: string {number} has id {record}")
        start = at + offset + 8
        out.append(data[start : start + length - 1].decode("utf-8"))
    return out


def model_attributes(path: Path) -> list[str]:
    """The attribute strings of a crfsuite model file, in id order. Read from the file
    (crfsuite's CRF1d model layout, `HEADER`: the attributes are a CQDB with a table
    from id to record), because `Tagger.info()` fails on attributes holding a newline and
    `Tagger.dump()` writes them unescaped."""
    data = path.read_bytes()
    _, _, attributes, _, _, at, _, _ = _model_header(path, data)
    return _strings(path, data, at, attributes)


@dataclass(frozen=True)
class Weights:
    """A CRF1d model's parameters as crfsuite's tagger reads them (crf1d_tag.c):
    `labels` in id order; `transitions[a * len(labels) + b]`, the weight of label b after
    label a (0 where the model has none); `state[attribute]`, the (label, weight) of
    each state feature of the attribute, in the file's order (the order crfsuite adds
    them in)."""

    labels: tuple[str, ...]
    transitions: tuple[float, ...]
    state: tuple[tuple[tuple[int, float], ...], ...]


def model_weights(path: Path) -> Weights:
    """The labels and feature weights of a crfsuite model file (for the compiled tagger)."""
    data = path.read_bytes()
    _, n_labels, n_attributes, features_at, labels_at, _, label_refs_at, attribute_refs_at = _model_header(path, data)
    chunk, _, n_features = struct.unpack_from("<4s2I", data, features_at)  # the header's count is left 0
    if chunk != b"FEAT":
        raise ValueError(f"{path}: not a crfsuite CRF1d model")
    first = features_at + 12  # past the chunk's id, size and count
    # (type, source, label, weight) of each feature
    feature = list(struct.iter_unpack("<3Id", data[first : first + 20 * n_features]))

    def references(at: int, count: int, chunk: bytes) -> list[list[tuple[int, int, int, float]]]:
        """The features each label or attribute refers to."""
        if struct.unpack_from("<4s", data, at)[0] != chunk:
            raise ValueError(f"{path}: not a crfsuite CRF1d model")
        out = []
        for offset in struct.unpack_from(f"<{count}I", data, at + 12):
            (k,) = struct.unpack_from("<I", data, offset)
            out.append([feature[f] for f in struct.unpack_from(f"<{k}I", data, offset + 4)])
        return out

    transitions = [0.0] * (n_labels * n_labels)
    for a, refs in enumerate(references(label_refs_at, n_labels, b"LFRF")):
        for _, _, b, weight in refs:
            transitions[a * n_labels + b] = weight
    state = tuple(tuple((b, w) for _, _, b, w in refs) for refs in references(attribute_refs_at, n_attributes, b"AFRF"))
    return Weights(tuple(_strings(path, data, labels_at, n_labels)), tuple(transitions), state)


def table_key(kind: int, value: str) -> int:
    """The compiled tagger's key of a value of one or two characters of a kind (its
    number in `COLUMNS`, or `LEXICON_ONE`/`LEXICON_TWO`): 5 bits of kind, 21 bits a
    character (pipeline/extract/_crf.c, KEY).

    >>> table_key(0, "a") == 97 << 21, table_key(5, "ab") == 5 << 42 | 97 << 21 | 98
    (True, True)
    """
    codes = [*map(ord, value), 0]
    return kind << 42 | codes[0] << 21 | codes[1]


def compiled_tagger(attributes: Sequence[str], known: Known, lexicon: Lexicon, weights: Weights) -> "_crf.Tagger":
    """The compiled tagger (pipeline/extract/_crf.c) of a model with these attributes (in
    id order, `known` their `known_features`), lexicon and weights: its features' attribute ids by character codes
    (`table_key`) and by word, the lexicon's entries with numbered names and each name's
    marks (letter B, I, E; sign none, `-`, `+`) as attribute ids or -1."""
    ids = {a: i for i, a in enumerate(attributes)}
    table = {}
    for kind, (prefix, size) in enumerate(COLUMNS):
        if size:
            table.update((table_key(kind, v), ids[a]) for v, a in known.get(prefix, {}).items() if len(v) == size)
    words = tuple({v: ids[a] for v, a in known.get(prefix, {}).items()} for prefix, size in COLUMNS if not size)
    names = sorted({n for _, surfaces in lexicon.values() for ns in surfaces.values() for n in ns})
    number = {n: i for i, n in enumerate(names)}
    starts = []
    for first, (lengths, surfaces) in lexicon.items():
        table[table_key(LEXICON_ONE if len(first) == 1 else LEXICON_TWO, first)] = len(starts)
        starts.append((lengths, {s: tuple(number[n] for n in ns) for s, ns in surfaces.items()}))
    marks = tuple(ids.get(sign + n + letter, -1) for n in names for letter in "BIE" for sign in ("", "-", "+"))
    return _crf.Tagger(table, words, tuple(starts), marks, weights.state, weights.transitions, weights.labels)


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
    """A trained character CRF folder: `model.crfsuite`, `lexicon.tsv`, `meta.json`.

    With `compiled` (the default) and the extension `pipeline.extract._crf` built, the
    tags come from it: the same tags as pycrfsuite's on `features(known=...)`, from the
    model's weights, without building the feature strings (tests/test_org_crf.py checks
    both on every model call of the articles); without, from pycrfsuite."""

    def __init__(self, path: Path, *, compiled: bool = True) -> None:
        for name in (MODEL_FILE, LEXICON_FILE, META_FILE):
            if not (path / name).is_file():
                raise ValueError(f"{path}: not a CRF model folder (no {name})")
        self.meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        self.lexicon = read_lexicon(path / LEXICON_FILE)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path / MODEL_FILE))
        attributes = model_attributes(path / MODEL_FILE)
        self.known = known_features(attributes)
        self.compiled = (
            compiled_tagger(attributes, self.known, self.lexicon, model_weights(path / MODEL_FILE)) if compiled and _crf else None
        )

    def tags(self, words: Sequence[str]) -> list[str]:
        """The tag of each character of the words' concatenation (not empty)."""
        text = "".join(words)
        if self.compiled is not None:
            return self.compiled.tag(text, words)
        return self.tagger.tag(features(text, words, self.lexicon, known=self.known))

    def spans(self, words: Sequence[str]) -> list[Span]:
        """Character spans [start, end) of the names in the words' concatenation."""
        if not any(words):
            return []
        return spans_of(self.tags(words))


def is_crf_folder(path: Path) -> bool:
    return (path / MODEL_FILE).is_file()
