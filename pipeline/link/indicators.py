"""Pure helpers of the link stage: find the indicator phrase around a number, and read a
change (增长6% -> +6).

Nothing here knows about spaCy: phrases are character spans of the article text, and
word boundaries come in as a set of offsets (where jieba puts a token edge), so each
function is tested on plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

import regex

# Characters that end a clause: the indicator of a number never reaches across them.
CLAUSE_PUNCT = frozenset("，,；;。！？!?：:|｜\n\r")  # | ends a cell of a text table
QUOTES_OPEN = "“‘《「『（("
QUOTES_CLOSE = "”’》」』）)"
NOTE_OPEN, NOTE_CLOSE = "（(", "）)"  # brackets of a note (not quotes: “倍增计划”企业 keeps them)
SPACE = frozenset(" \t\u3000\xa0")
# The last clause mark before a position (searched right to left), for `clause_start`.
CLAUSE_MARK = regex.compile("[" + regex.escape("".join(sorted(CLAUSE_PUNCT))) + "]", flags=regex.REVERSE)
CLAUSE_MARK_AHEAD = regex.compile(CLAUSE_MARK.pattern)  # the first one from a position, for `clause_end`
# The number of a list item at a phrase's start: 1、 / 2. / 3．(not 1.5), or （一）.
ITEM_NUMBER = regex.compile(r"[0-9]{1,2}[、.．](?![0-9])\s*|[（(][一二三四五六七八九十]{1,3}[）)]\s*")
# Longest text before a pivot verb that is cut as a bare subject (企业, 临平新).
SUBJECT_WORD = 3


def clause_start(text: str, pos: int, *, floor: int = 0) -> int:
    """Start of the clause holding `pos`: just after the last clause punctuation before it.

    >>> clause_start("甲，地区生产总值1067.27亿元", 8)
    2
    """
    # One backward search in C, not a Python step per character: this runs for every number.
    if pos <= floor:
        return pos
    m = CLAUSE_MARK.search(text, floor, pos)
    return m.end() if m else floor


def clause_end(text: str, pos: int) -> int:
    """End of the clause holding `pos`: the first clause punctuation from it, else the text's end.

    >>> clause_end("增长6%左右的目标，", 0), clause_end("增长6%", 2)
    (9, 4)
    """
    m = CLAUSE_MARK_AHEAD.search(text, pos)
    return m.start() if m else max(pos, len(text))


def longest_at_end(text: str, words: Iterable[str]) -> str:
    """The longest of `words` that `text` ends with, or "".

    >>> longest_at_end("人才总量达到", ["达", "达到"])
    '达到'
    """
    # Two words of one length cannot both end `text`: the longest is the answer. A scan,
    # not a WordIndex: callers pass short rule lists, and building an index per call cost more.
    return max((w for w in words if text.endswith(w)), key=len, default="")


def longest_at_start(text: str, words: Iterable[str]) -> str:
    """The longest of `words` that `text` starts with, or "".

    >>> longest_at_start("新招引青年大学生", ["新", "新招引"])
    '新招引'
    """
    return max((w for w in words if text.startswith(w)), key=len, default="")


@dataclass(frozen=True, slots=True)
class WordIndex:
    """A word list for lookups at one position: the words, and per first (last) character
    the lengths of the words that start (end) with it, longest first (a few slice lookups
    per position, none where no word can start or end, instead of a scan of the list).

    >>> w = WordIndex.of(["新", "新招引", "达到"])
    >>> w.at("新招引青年", 0, 5), w.at("新招引青年", 0, 5, ends=frozenset({1})), w.at("人才达到", 2, 4)
    ('新招引', '新', '达到')
    >>> w.ending("人才总量达到", 0, 6), w.starts("新招引青年达到", 0, 7)
    ('达到', [0, 5])
    """

    words: frozenset[str]
    by_first: Mapping[str, tuple[int, ...]]
    by_last: Mapping[str, tuple[int, ...]]
    firsts: regex.Pattern  # any first character of a word

    @classmethod
    def of(cls, words: Iterable[str]) -> "WordIndex":
        words = frozenset(w for w in words if w)  # an empty word matches nowhere in `at` and `ending`
        by_first = _lengths_by(words, 0)
        firsts = regex.compile("|".join(regex.escape(c) for c in sorted(by_first)) or "(?!)")
        return cls(words, by_first, _lengths_by(words, -1), firsts)

    def starts(self, text: str, start: int, end: int) -> list[int]:
        """The positions in [start, end) where a word may start (its first character is there):
        one search, not a lookup per position."""
        return [m.start() for m in self.firsts.finditer(text, start, end)]

    def at(self, text: str, pos: int, end: int, *, ends: frozenset[int] | None = None) -> str:
        """The longest word at `pos` that fits before `end` (and ends on one of `ends`), or ""."""
        for n in self.by_first.get(text[pos:pos + 1], ()):
            w = text[pos:pos + n]
            if pos + n <= end and w in self.words and (ends is None or pos + n in ends):
                return w
        return ""

    def ending(self, text: str, start: int, end: int) -> str:
        """The longest word that ends at `end` and starts at or after `start`, or ""."""
        for n in self.by_last.get(text[end - 1:end] if end > 0 else "", ()):
            if end - n >= start and text[end - n:end] in self.words:
                return text[end - n:end]
        return ""

    def last(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """(start, end) of the word in [start, end) that ends last, the longest of those, or
        None: one loop here, not an `ending` call per position (most positions end no word).

        >>> WordIndex.of(["达到", "总量"]).last("人才总量达到了", 0, 7)
        (4, 6)
        """
        by_last, words = self.by_last, self.words
        for e in range(end, start, -1):
            for n in by_last.get(text[e - 1], ()):
                if e - n >= start and text[e - n:e] in words:
                    return e - n, e
        return None


def _lengths_by(words: frozenset[str], i: int) -> dict[str, tuple[int, ...]]:
    """Character at index `i` of the words -> the lengths of those words, longest first."""
    lengths: dict[str, set[int]] = {}
    for w in words:
        lengths.setdefault(w[i], set()).add(len(w))
    return {c: tuple(sorted(ns, reverse=True)) for c, ns in lengths.items()}


@dataclass(frozen=True)
class PhraseWords:
    """The context words of rules/indicators.toml, as used by `trim_phrase`."""

    lead: tuple[str, ...]
    pivot: tuple[str, ...]
    trail: tuple[str, ...]
    place_suffix: tuple[str, ...]
    index: dict[str, WordIndex] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {k: WordIndex.of(getattr(self, k)) for k in ("lead", "pivot", "trail")})

    @classmethod
    def from_rules(cls, context: Mapping[str, Sequence[str]], *, extra_lead: Iterable[str] = ()) -> "PhraseWords":
        return cls(
            lead=tuple(context["lead"]) + tuple(extra_lead),
            pivot=tuple(context["pivot"]),
            trail=tuple(context["trail"]),
            place_suffix=tuple(context["place_suffix"]),
        )


NO_NAMES = WordIndex.of(())


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop blanks and unbalanced quotes/brackets at both ends of [start, end)."""
    while True:
        before = (start, end)
        while start < end and (text[start] in SPACE or text[start] in CLAUSE_PUNCT or text[start] == "、"):
            start += 1
        while end > start and (text[end - 1] in SPACE or text[end - 1] in "、"):
            end -= 1
        span = text[start:end]
        if span and span[-1] in QUOTES_OPEN:
            end -= 1
        elif span and span[0] in QUOTES_CLOSE:
            start += 1
        elif span and span[0] in QUOTES_OPEN and QUOTES_CLOSE[QUOTES_OPEN.index(span[0])] not in span:
            start += 1
        elif span and span[-1] in QUOTES_CLOSE and QUOTES_OPEN[QUOTES_CLOSE.index(span[-1])] not in span:
            end -= 1
        elif span and span[0] in NOTE_OPEN and 0 < span.find(NOTE_CLOSE[NOTE_OPEN.index(span[0])]) < len(span) - 1:
            # A note on the subject before the indicator: 银川市|（不含宁东）计划投资.
            start += span.find(NOTE_CLOSE[NOTE_OPEN.index(span[0])]) + 1
        elif span and "\u2460" <= span[0] <= "\u2473":  # ①..⑳ number an item: ②非税收入
            start += 1
        elif span and (item := ITEM_NUMBER.match(span)):  # 1、公共财政预算收入, 2．地级市…, （三）…: an item's number
            start += item.end()
        if (start, end) == before:
            return start, end


def trim_phrase(text: str, start: int, end: int, *, words: PhraseWords, boundaries: frozenset[int], names: WordIndex = NO_NAMES) -> tuple[int, int]:
    """Narrow [start, end) to the indicator noun phrase: cut the framing words (完成, 达, 名列 …)
    off both ends, a leading place name (the subject), and everything up to the last pivot verb.

    A leading word is cut only when it ends on a word boundary, so 新 leaves 新能源 alone.
    `names` are subject names known from the article (东莞, 临平区): one at the front is cut too.

    >>> w = PhraseWords(lead=("完成", "新"), pivot=("拥有", "现有"), trail=("达",), place_suffix=("区",))
    >>> t = "临平区人才总量达"
    >>> trim_phrase(t, 0, len(t), words=w, boundaries=frozenset({0, 3, 5, 7, 8}))
    (3, 7)
    >>> t = "新能源汽车"
    >>> trim_phrase(t, 0, 5, words=w, boundaries=frozenset({0, 3, 5}))
    (0, 5)
    >>> t = "企业现有员工"
    >>> trim_phrase(t, 0, 6, words=w, boundaries=frozenset({0, 2, 4, 6}))
    (4, 6)
    """
    start, end = _strip_edges(text, start, end)
    lead_words, trail_words, pivot_words = words.index["lead"], words.index["trail"], words.index["pivot"]
    changed = True
    while changed and start < end:
        changed = False
        lead = lead_words.at(text, start, end, ends=boundaries)
        if lead:
            start += len(lead)
            changed = True
        trail = trail_words.ending(text, start, end)
        if trail and (len(trail) > 1 or end - 1 in boundaries):
            end -= len(trail)
            changed = True
        # A leading place word (临平区, 杭州市) names the subject: the first word, if it ends in a suffix.
        first_end = next((b for b in range(start + 1, end) if b in boundaries), None)
        if first_end is not None and first_end - start >= 3 and text[start:first_end].endswith(words.place_suffix):
            start = first_end
            changed = True
        else:
            # The longest name the phrase starts with, on a word boundary: looked up by the
            # names' lengths, not by a scan of the names (which grew with the article) nor a
            # slice of the phrase per boundary.
            name = names.at(text, start, end, ends=boundaries)
            if name:
                start += len(name)
                changed = True
        if changed:
            start, end = _strip_edges(text, start, end)
    # After the last pivot verb comes what is measured; what comes before it is cut when it
    # is only a subject: a short word (企业现有员工), or a list of examples (运达、老板等企业).
    # A longer noun phrase stays (第一产业实现增加值, 每万名老年人拥有持证养老护理员).
    for pos in reversed(pivot_words.starts(text, start + 1, end)):
        pivot = pivot_words.at(text, pos, end)
        if pivot and pos in boundaries and pos + len(pivot) < end and pos + len(pivot) in boundaries:
            if pivot == "等" or pos - start <= SUBJECT_WORD:
                return _strip_edges(text, pos + len(pivot), end)
            break
    return start, end


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Indicator surfaces -> ids (rules/indicators.toml), indexed for `find_surface`."""

    ids: Mapping[str, str]
    surfaces: WordIndex

    @classmethod
    def of(cls, ids: Mapping[str, str]) -> "Lexicon":
        return cls(ids, WordIndex.of(ids))


def find_surface(phrase: str, lexicon: Lexicon) -> tuple[int, int, str] | None:
    """The lexicon surface that heads `phrase`: the one ending last, the longest of those
    (规模以上工业企业实现营业收入 names 营业收入): (start, end, id).

    >>> s = Lexicon.of({"工业增加值": "iav", "规上工业增加值": "iav_above_scale", "规上工业企业": "firms", "营业收入": "rev"})
    >>> find_surface("完成规上工业增加值", s)
    (2, 9, 'iav_above_scale')
    >>> find_surface("规上工业企业实现营业收入", s)
    (8, 12, 'rev')
    """
    found = lexicon.surfaces.last(phrase, 0, len(phrase))
    return None if found is None else (*found, lexicon.ids[phrase[found[0]:found[1]]])


def signed_change(word: str, value: Decimal, *, up: Iterable[str], down: Iterable[str]) -> Decimal | None:
    """The signed change a change word gives a number, or None if it is not a change word.

    >>> signed_change("下降", Decimal("2.1"), up=("增长",), down=("下降",))
    Decimal('-2.1')
    >>> signed_change("同比增长", Decimal("6"), up=("增长",), down=("下降",)) is None
    True
    """
    if word in tuple(down):
        return -value
    if word in tuple(up):
        return value
    return None


def alternation(words: Sequence[str]) -> str:
    """A regex alternation of `words`, longest first, so 同比增长 wins over 增长.

    >>> alternation(["增长", "同比增长"])
    '同比增长|增长'
    """
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def is_span(gap: str, change_words: Sequence[str], span_to: Sequence[str]) -> bool:
    """从A增长至B: the text between A and B is a change word and 至/到 (or only 至/到).

    >>> is_span("增长至", ("增长",), ("至",))
    True
    >>> is_span("，增长", ("增长",), ("至",))
    False
    """
    rest = gap.strip()
    to = longest_at_end(rest, span_to)
    if not to:
        return False
    rest = rest[: len(rest) - len(to)]
    return rest == "" or rest in change_words
