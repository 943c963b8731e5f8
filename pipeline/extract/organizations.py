"""Organisations: known names, head-word rules, list siblings, and a trained NER model.

Layers, in the order they run (all work on the pipeline's jieba tokens):

1. Known names (`rule:orgs.ruler.v1`): a spaCy `EntityRuler` fed from
   rules/organizations.jsonl; its pattern `id` is the canonical name (浙大 -> 浙江大学).
2. Heads (`rule:orgs.heads.v1`): a token ending with a head from rules/org_patterns.toml
   (有限公司, 管理局, 研究院 ...) ends a name; the name extends left over whole tokens until a
   stop word or a person's title, punctuation, a number, or the length limits; leading
   predicates (jieba dictionary tags `lead_tags`: 发挥|娲石集团) are cut off. The head
   gives the type. Inside a document title 《…》 a head names no body, unless the name
   opens the title as its issuer (《国务院办公厅关于…》); the same holds for model spans.
3. Lists (`rule:orgs.lists.v1`): in A、B、C (和 D) lists, once one item is an
   organisation, or the list is followed by 等 + an organisation noun (等17家企业), the
   other items are organisations too; a noun of industries or fields (等产业园,
   等领域的企业) makes them non-names. Without a member or a type noun (as after a
   neutral noun: 等项目), only items shaped like a firm's short name are taken
   (联赢医疗, 倍特生物: see `brand_shaped`).
4. Model (`model:orgs.crf.v1`): the shipped character CRF (org_crf.py; see
   pipeline/train.py; a spaCy NER folder loads too, `model:orgs.ner.v2`), run only on
   clauses with a cue (an enumeration mark, a head word, a list noun or a rule match),
   which keeps the pipeline fast; most clauses of a press release name no organisation.
   The chosen clauses of an article go to the model together, in Docs of at most about
   `MODEL_DOC_WORDS` words (see `model_names`).

Combination policy: rule spans win over model spans they overlap. The model (CRF Viterbi
or greedy spaCy NER) gives no score, so a model span must instead pass a plausibility
check: not a generic phrase,
not a bare place, no digits, 2..max_chars characters, and either a valid head (its last
word not in `not_heads`: 格局, 全部) or no more than `max_headless_chars` characters
(brand short names such as 飞仕得); it does not open with a head word, a predicate or a
stop word, does not end in a describing word (机构, 部门: `non_name_ends`), holds no
person's title, and is no item of a list of industries. Every record's `source`
names the layer that produced it. List items found next to a model span get the list's
source.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..rules import Divisions, OrgPatterns, PlaceOrgans, Rules, load_rules
from ..segment import jieba_of, text_of, words_of
from ..types import Organization
from . import SpanIndex, records_of, resolve_overlaps, token_boundaries
from .org_crf import CharCRF, is_crf_folder

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "orgs_ner"

SOURCE_RULER = "rule:orgs.ruler.v1"
SOURCE_HEADS = "rule:orgs.heads.v1"
SOURCE_LISTS = "rule:orgs.lists.v1"
SOURCE_PLACES = "rule:orgs.places.v1"
SOURCE_MEDIA = "rule:orgs.media.v1"
SOURCE_DOCUMENT = "rule:orgs.document.v1"
SOURCE_NESTED = "rule:orgs.nested.v1"

# A document title (《…》): names found inside it are words of the title.
TITLE = re.compile(r"《([^《》\n]{1,200})》")
ISSUER_AFTER = ("关于", "转发", "批转", "印发")  # 《国务院办公厅关于…》: the body that opens a title issues it
# Clause ends: the model and the list rules never look across these.
CLAUSE_END = frozenset("，。；！？：,;!?:\n（）()“”《》「」【】")
# A character every clause-end word holds: only the words holding one are tested.
CLAUSE_MARK = re.compile("[" + re.escape("".join(sorted(CLAUSE_END))) + "]")
# Priority among rule layers when spans are equally long and start together.
PRIORITY = {SOURCE_RULER: 0, SOURCE_PLACES: 1, SOURCE_HEADS: 2, SOURCE_MEDIA: 3, SOURCE_LISTS: 4, SOURCE_DOCUMENT: 5, SOURCE_NESTED: 6}
MODEL_PRIORITY = len(PRIORITY)
MAX_HEADLESS_CHARS = 8
# A decimal digit of any script: `\d` of a str pattern is the category Nd.
DIGIT = re.compile(r"\d")
PROPAGATING_TYPES = frozenset({"company", "research"})
# Words per model Doc (a typical article's cue clauses fit in one).
MODEL_DOC_WORDS = 4000
# A list noun's kind when it says the list's items are not organisations (等产业园), and
# when it says nothing of them (等项目).
NOT_NAMES = "not names"
NEUTRAL = "neutral"
ETC = frozenset({"等"})  # the word that closes a list, or a name, before its kind (等企业)
# Words and names whose tests are cached per pipeline (a bound on memory, not a tuning knob).
WORD_CACHE = 1 << 16


class View:
    """A doc's text, words, word starts and clauses as plain lists: spaCy builds a new
    `Token` (and `Doc.text` a new string) on every access, which dominated the run time.
    The words come from the tokenizer's cache, not from the tokens."""

    __slots__ = ("text", "words", "starts", "ends", "boundaries", "_clauses", "_titles")

    def __init__(self, doc: Doc) -> None:
        self.text = text_of(doc)
        self.words = words_of(doc)
        bounds = list(itertools.accumulate(map(len, self.words), initial=0))
        self.starts = bounds[:-1]
        self.ends = bounds[1:]
        # Where a word starts or ends: a non-empty span [s, e) starts and ends at words
        # when both are in it (s < len(text) and e > 0 always hold).
        self.boundaries = token_boundaries(doc)
        self._clauses: list[tuple[int, int]] | None = None
        self._titles: list[tuple[int, int]] | None = None

    def end(self, i: int) -> int:
        return self.ends[i]

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Character span of words [a, b)."""
        return self.starts[a], self.end(b - 1)

    def word_from(self, start: int) -> str:
        """The word that starts at character `start`, or "" when none does."""
        i = bisect.bisect_left(self.starts, start)
        return self.words[i] if i < len(self.starts) and self.starts[i] == start else ""

    def last_word(self, end: int) -> str:
        """The word that ends at character `end`, or its part before `end`."""
        i = bisect.bisect_right(self.starts, end - 1) - 1
        return self.text[self.starts[i]:end]

    def inside_title(self, start: int, end: int) -> bool:
        """Whether [start, end) is part of a document title 《…》: in
        《海南自由贸易港进口货物海关径予放行管理规定》 海关 is no body, while the issuer that
        opens a title (《国务院办公厅关于…》) is one.

        >>> t = "《中国经济周刊》称，《国务院办公厅关于X的通知》和《海南进口货物海关放行规定》"
        >>> v = View(rules_only_pipeline().make_doc(t))
        >>> [v.inside_title(t.index(w), t.index(w) + len(w)) for w in ["中国经济周刊", "国务院办公厅", "海南进口货物海关", "称"]]
        [False, False, True, False]
        """
        if self._titles is None:
            self._titles = [m.span(1) for m in TITLE.finditer(self.text)]
        i = bisect.bisect_right(self._titles, (start, len(self.text))) - 1
        if i < 0 or end > self._titles[i][1] or self._titles[i] == (start, end):
            return False  # outside, or the whole title (《中国经济周刊》)
        return self._titles[i][0] < start or not self.text.startswith(ISSUER_AFTER, end)

    def clauses(self) -> list[tuple[int, int]]:
        """Word ranges [start, end) between clause punctuation (computed once per doc)."""
        if self._clauses is None:
            words = self.words
            # Most clause ends are one mark: the set test spares a call.
            cuts = [i for i in self.marked_words(CLAUSE_MARK) if words[i] in CLAUSE_END or is_clause_end(words[i])]
            self._clauses = [(a + 1, b) for a, b in zip([-1, *cuts], [*cuts, len(words)]) if a + 1 < b]
        return self._clauses

    def marked_words(self, mark: re.Pattern[str]) -> list[int]:
        """Indices, in order, of the words a match of `mark` starts in: one regex scan of
        the text instead of a Python test per word.

        >>> View(rules_only_pipeline().make_doc("据公司，临平区。")).marked_words(CLAUSE_MARK)
        [2, 4]
        """
        # The word holding character c is the number of words that end at or before it.
        at = [m.start() for m in mark.finditer(self.text)]
        return list(dict.fromkeys(map(bisect.bisect_right, itertools.repeat(self.ends), at)))

    def indices(self, lo: int, hi: int, among: frozenset[str]) -> list[int]:
        """Indices in [lo, hi), in order, of the words in `among` (a scan in C).

        >>> View(rules_only_pipeline().make_doc("华为、腾讯、小米")).indices(1, 5, frozenset({"、"}))
        [1, 3]
        """
        return list(itertools.compress(range(lo, hi), map(among.__contains__, self.words[lo:hi])))

    def words_ending(self, last: re.Pattern[str]) -> list[int]:
        """Indices, in order, of the words whose last character `last` (a pattern of one
        character) matches: one regex scan instead of a Python test per word.

        >>> View(rules_only_pipeline().make_doc("据公司，临平区。")).words_ending(re.compile("[司区]"))
        [1, 3]
        """
        ends, boundaries = self.ends, self.boundaries  # a boundary after a character is a word's end
        return [bisect.bisect_left(ends, e) for e in [m.end() for m in last.finditer(self.text)] if e in boundaries]


def is_clause_end(word: str) -> bool:
    """Whether a word ends a clause: only clause punctuation (and blanks), or a line break.

    >>> is_clause_end("，"), is_clause_end(" 。"), is_clause_end("\\n"), is_clause_end(" "), is_clause_end("公司")
    (True, True, True, False, False)
    """
    if word in CLAUSE_END:  # most clause ends are one mark
        return True
    # Most words start with neither punctuation nor a blank: test the first character first.
    if "\n" in word:
        return True
    if not (word[:1] in CLAUSE_END or word[:1].isspace()):
        return False
    stripped = word.strip()
    return bool(stripped) and all(c in CLAUSE_END for c in stripped)


@dataclass(frozen=True, slots=True)
class Found:
    start: int
    end: int
    canonical: str
    org_type: str
    source: str
    place_code: str | None = None


@Language.factory(
    "press_extract_organizations",
    default_config={"rules_dir": "", "model": "default", "use_rules": True, "model_scope": "cues"},
)
def make_organizations(
    nlp: Language, name: str, *, rules_dir: str, model: str, use_rules: bool, model_scope: str
) -> "OrganizationsExtractor":
    """`model`: "default" (the shipped model), "" (rules only), or a model folder.
    `use_rules`: False for the model alone (evaluation). `model_scope`: "cues" runs the
    model only on clauses with a cue (the default, for speed), "all" on every clause."""
    if model_scope not in ("cues", "all"):
        raise ValueError(f"model_scope must be 'cues' or 'all', got {model_scope!r}")
    rules = load_rules(rules_dir or None)
    path = DEFAULT_MODEL if model == "default" else (Path(model) if model else None)
    return OrganizationsExtractor(
        nlp, rules=rules, model=load_model(path) if path else None, use_rules=use_rules, every_clause=model_scope == "all"
    )


def rules_only_pipeline(*, rules_dir: str | None = None) -> Language:
    """Tokenizer, sentences and this component without a model: the rules layer alone
    (silver data for training, evaluation)."""
    config = {"nlp": {"tokenizer": {"@tokenizers": "press_extract.JiebaTokenizer.v1", "rules_dir": rules_dir or ""}}}
    nlp = spacy.blank("zh", config=config)
    nlp.add_pipe("press_extract_sentences")
    nlp.add_pipe("press_extract_organizations", config={"rules_dir": rules_dir or "", "model": ""})
    return nlp


@functools.lru_cache(maxsize=4)
def load_model(path: Path) -> Language | CharCRF:
    """The model at `path`: a character CRF folder (org_crf.py) or a spaCy NER model
    (offline; cached per process)."""
    return CharCRF(path) if is_crf_folder(path) else spacy.load(path)


def model_doc(vocab: Vocab, words: Sequence[str]) -> Doc:
    """The model's input Doc: jieba words, each with its last character as its LEMMA.
    Chinese words have no lemma, so the model uses that attribute as a feature: the last
    character carries an organisation's head (局, 院, 司) even inside longer words."""
    return Doc(vocab, words=list(words), spaces=[False] * len(words), lemmas=[w[-1:] for w in words])


def is_punct(text: str) -> bool:
    """Whether a token is blank or only punctuation/symbols.

    >>> is_punct("、"), is_punct(" "), is_punct("临平")
    (True, True, False)
    """
    if text.isalnum():  # letters and digits only, as most words: none is a mark (a test in C)
        return False
    return all(c.isspace() or unicodedata.category(c)[0] in "PSZ" for c in text)


def made_of(text: str, words: frozenset[str]) -> bool:
    """Whether `text` is a concatenation of one or more of `words` (世界一流 of 世界一流;
    消费金融 of 消费 and 金融 in two jieba words).

    >>> made_of("世界一流", frozenset({"世界一流", "一流"})), made_of("国家级重点", frozenset({"国家级", "重点"}))
    (True, True)
    >>> made_of("临平重点", frozenset({"重点"})), made_of("", frozenset({"重点"}))
    (False, False)
    """
    ends = [0]  # prefix lengths that are concatenations of words
    for i in range(1, len(text) + 1):
        if any(text[j:i] in words for j in ends):
            ends.append(i)
    return len(text) > 0 and ends[-1] == len(text)


def has_digit(text: str) -> bool:
    """Whether `text` holds a decimal digit (ASCII or full-width).

    >>> has_digit("第2医院"), has_digit("第２医院"), has_digit("第二医院")
    (True, True, False)
    """
    return DIGIT.search(text) is not None


class OrganizationsExtractor:
    def __init__(
        self, nlp: Language, *, rules: Rules, model: Language | None, use_rules: bool = True, every_clause: bool = False
    ) -> None:
        self.patterns: OrgPatterns = rules.org_patterns
        self.divisions: Divisions = rules.divisions
        self.organs: PlaceOrgans = rules.place_organs
        self.full_names = frozenset(d.name for d in self.divisions.by_code.values())
        self.dictionary = jieba_of(nlp, rules)  # parts of speech and frequencies of words
        self.place_words = self.place_surfaces()
        self.model = model
        self.use_rules = use_rules
        self.every_clause = every_clause
        self.known = {e["pattern"]: e for e in rules.organizations if "after" not in e}
        self.ruler = EntityRuler(nlp, name="orgs_ruler", phrase_matcher_attr="ORTH")
        self.ruler.add_patterns([dict(e) for e in self.known.values()])
        # Known full name -> the short forms that name it only after it (上海机场).
        self.shorts_after: dict[str, list[str]] = {}
        for e in rules.organizations:
            if "after" in e:
                self.shorts_after.setdefault(e["id"], []).append(e["pattern"])
        # Nouns after 等 -> org type, NOT_NAMES, or NEUTRAL (says nothing of the items); a
        # word ends with the longest one it ends with (`noun_kind`).
        nouns = {
            **{n: NEUTRAL for n in self.patterns.neutral_nouns},
            **{n: NOT_NAMES for n in self.patterns.non_name_nouns},
            **self.patterns.list_nouns,
        }
        self.list_nouns = nouns
        self.list_noun_lengths = sorted({len(n) for n in nouns}, reverse=True)
        self.head_words = frozenset(h for h, _ in self.patterns.heads)
        self.head_last_mark = re.compile("[" + re.escape("".join(sorted(self.patterns.heads_by_last))) + "]")
        self.list_triggers = ETC | self.patterns.separators | self.patterns.agent_before
        # Where one may start: a word equal to one starts with a match (see View.marked_words).
        self.list_mark = re.compile("(?=" + "|".join(map(re.escape, sorted(self.list_triggers, key=lambda w: (-len(w), w)))) + ")")
        # Tests of one word or name that an article asks again and again; pure given the rules.
        self.is_stop = functools.lru_cache(maxsize=WORD_CACHE)(self.is_stop)  # type: ignore[method-assign]
        self.brand_shaped = functools.lru_cache(maxsize=WORD_CACHE)(self.brand_shaped)  # type: ignore[method-assign]
        self.is_cue_word = functools.lru_cache(maxsize=WORD_CACHE)(self.is_cue_word)  # type: ignore[method-assign]
        self.heads_ending = functools.lru_cache(maxsize=WORD_CACHE)(self.heads_ending)  # type: ignore[method-assign]
        n, p = rules.numerals, self.patterns
        self.counter_numerals = frozenset(n.digits) | frozenset(n.units) | frozenset(n.vague_digit) | p.counter_numerals

    @property
    def model_source(self) -> str | None:
        """`source` of the model's records, from its meta (follows `self.model`)."""
        if self.model is None:
            return None
        return "model:" + self.model.meta.get("press_extract", {}).get("source", self.model.meta.get("name", "ner"))

    # -- layer 1: known names ------------------------------------------------------
    def known_names(self, doc: Doc, v: "View") -> list[Found]:
        """The ruler's matches, longest first, then the last first (`EntityRuler.match`'s
        order). Its phrase matcher is called directly: `match` counts every pattern of the
        ruler on each call, which cost more than the matching."""
        out = []
        matches = {(s, e) for _, s, e in self.ruler.phrase_matcher(doc) if s != e}
        for s, e in sorted(matches, key=lambda m: (m[1] - m[0], -m[0]), reverse=True):
            start, end = v.starts[s], v.ends[e - 1]
            entry = self.known.get(v.text[start:end])
            if entry is not None:
                out.append(Found(start, end, entry["id"], entry["org_type"], SOURCE_RULER))
        return out

    # -- layer 2: heads --------------------------------------------------------------
    def head_at(self, v: "View", i: int) -> tuple[int, str] | None:
        """(start char, org_type) of the longest strong head ending where `tok` ends.
        A head may span tokens (急救/中心) or start inside one (临平经/开区)."""
        heads = self.heads_ending(v.words[i])
        if not heads:
            return None
        end = v.end(i)
        for head, org_type in heads:
            if v.text.endswith(head, 0, end):
                return None if head in self.patterns.weak_heads else (end - len(head), org_type)
        return None

    def heads_ending(self, word: str) -> tuple[tuple[str, str], ...]:
        """The heads, longest first, that may end where `word` ends: those it ends with and
        the longer ones that end with it; none for a `not_heads` word.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> [h for h, _ in comp.heads_ending("有限公司")], comp.heads_ending("企业"), comp.heads_ending("格局")
        (['股份有限公司', '有限公司', '公司'], (), ())
        """
        p = self.patterns
        if word in p.not_heads:
            return ()
        return tuple(h for h in p.heads_by_last.get(word[-1:], ()) if word.endswith(h[0]) or h[0].endswith(word))

    def is_stop(self, token: str) -> bool:
        """Whether a token ends a name on its left (and a list item)."""
        return is_punct(token) or has_digit(token) or token in self.patterns.stops or self.counts(token)

    def counts(self, token: str) -> bool:
        """Whether a token counts (一家, 第一家, 十大, a bare 家 after 5), by `counters`.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> [comp.counts(t) for t in ["一家", "家", "第一家", "十大", "各大", "大", "一汽", "七匹狼"]]
        [True, True, True, True, True, False, False, False]
        """
        p = self.patterns
        lead, last = token[:-1], token[-1:]
        numerals = all(c in self.counter_numerals for c in lead)
        return numerals and (last in p.counters or (bool(lead) and last in p.rank_counters))

    def opens_no_name(self, token: str) -> bool:
        """A verb, adverb, … by the dictionary's tag (`lead_tags`): a name does not start
        with one. Only the first words are tested: names hold verbs (临平中西医结合医院)."""
        return self.dictionary.word_tag(token) in self.patterns.lead_tags

    def is_common(self, token: str) -> bool:
        """A word frequent in the dictionary (`common_freq`): 完善 is a predicate, while a
        rare 'verb' (联想, 强生, 运达) is more likely a brand."""
        return self.dictionary.word_freq(token) >= self.patterns.common_freq

    def is_place(self, text: str) -> bool:
        p = self.patterns
        if text in p.not_places:
            return False
        return text in p.places or text in self.place_words or (len(text) >= 2 and text.endswith(p.place_suffixes))

    # -- layer 2a: places and their organs ------------------------------------------------
    def place_surfaces(self) -> frozenset[str]:
        """Division names and short forms that name a place in running text: a county's
        short form that is a common word or a predicate (友好 of 友好区, 和平, 前进) does
        not; full names and the short forms of provinces and prefectures always do."""
        d, p = self.divisions, self.patterns
        out = set()
        for surface, codes in d.by_surface.items():
            if surface in p.not_places:
                continue
            if any(d.by_code[c].name == surface or d.by_code[c].level != "county" for c in codes) or not (
                self.is_common(surface) or self.opens_no_name(surface)
            ):
                out.add(surface)
        return frozenset(out)

    def places_before(self, text: str, end: int, *, floor: int = 0) -> list[tuple[int, str]]:
        """The run of division names (full or short) that ends at `end`, as (start,
        surface) left to right, each the longest surface there (浙江省|杭州市|临平区).

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> comp.places_before("据浙江省杭州市临平区委", 10), comp.places_before("据公司", 3)
        ([(1, '浙江省'), (4, '杭州市'), (7, '临平区')], [])
        """
        surfaces = self.place_words
        chain: list[tuple[int, str]] = []
        while end - floor >= 2:
            k = next((k for k in range(min(self.divisions.max_chars, end - floor), 1, -1) if text[end - k : end] in surfaces), 0)
            if not k:
                break
            end -= k
            chain.append((end, text[end : end + k]))
        chain.reverse()
        return chain

    def place_code(self, surfaces: Sequence[str]) -> str | None:
        """The code of the last division of a run (杭州市|临平区 -> 330113), each narrowed to
        the divisions inside the one before; None when it stays ambiguous (朝阳 alone).
        Of a division and its own part (北京市 the province and the city) the wider is meant.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> [comp.place_code(r) for r in (["杭州市", "临平区"], ["朝阳"], ["辽宁", "朝阳"], ["北京市"], [])]
        ['330113', None, '211300', '110000', None]
        """
        d = self.divisions
        codes: Sequence[str] = ()
        for surface in surfaces:
            found = d.by_surface.get(surface, ())
            inside = [c for c in found if any(d.is_ancestor(p, c) and p != c for p in codes)]
            codes = inside or found
        tops = [c for c in codes if not any(d.is_ancestor(o, c) and o != c for o in codes)]
        return tops[0] if len(tops) == 1 else None

    def bracketed_place_before(self, text: str, start: int) -> int:
        """The start of a place and a place in brackets that end at `start`, else `start`:
        the official names of national bodies seated in a city open so (中国（深圳）综合开发研究院).

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> t = "据中国（杭州）跨境电商综试区"
        >>> comp.bracketed_place_before(t, 7), comp.bracketed_place_before("（杭州）综试区", 4), comp.bracketed_place_before("公司（杭州）", 6)
        (1, 4, 6)
        """
        if start < 2 or text[start - 1] not in ")）":
            return start
        opening = max(text.rfind("（", 0, start - 1), text.rfind("(", 0, start - 1))
        if opening < 0 or not self.is_place(text[opening + 1 : start - 1]):
            return start
        places = self.patterns.places
        k = next((k for k in range(min(self.divisions.max_chars, opening), 1, -1) if text[opening - k : opening] in places or text[opening - k : opening] in self.place_words), 0)
        return opening - k if k else start

    def leading_places(self, text: str) -> list[str]:
        """The division names that open `text`, left to right, longest first at each point."""
        surfaces = self.place_words
        out: list[str] = []
        i = 0
        while i < len(text):
            k = next((k for k in range(min(self.divisions.max_chars, len(text) - i), 1, -1) if text[i : i + k] in surfaces), 0)
            if not k:
                break
            out.append(text[i : i + k])
            i += k
        return out if i < len(text) else []  # a bare place is no organisation

    def code_of_name(self, text: str, org_type: str) -> str | None:
        """`place_code` of a name that opens with divisions (临平区委, 杭州汽轮动力集团).
        A firm's name opens with a place by a short form only when it is a province's or a
        prefecture's (东方电气 is no firm of 东方市); a short form inside a jieba word is none.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> [comp.code_of_name(n, t) for n, t in [("杭州市政府", "government"), ("临平急救中心", "hospital"), ("阿里巴巴", "company")]]
        ['330100', '330113', None]
        """
        places = self.leading_places(text)
        if places and places[0] not in self.full_names and len(next(iter(self.dictionary.cut(text)), "")) > len(places[0]):
            return None  # a short form inside a word (阿里巴巴 is no firm of 阿里地区)
        if places and org_type == "company":
            d = self.divisions
            wide = [s for s in places if any(d.by_code[c].name == s or d.by_code[c].level != "county" for c in d.by_surface[s])]
            places = places if len(wide) == len(places) else []
        return self.place_code(places)

    def bounds_name(self, word: str) -> bool:
        """Whether a name may start right after `word`: a stop, punctuation, a clause end
        or a predicate (宣布|乌兰浩特经济技术开发区)."""
        return self.is_stop(word) or is_clause_end(word) or self.opens_no_name(word)

    def place_names(self, v: "View", known: Sequence[Found]) -> list[Found]:
        """Division + organ (深圳市发改委, 乌兰浩特经济技术开发区, 中共兴和县委), a bare level word
        + a department (省经合局), and a known body before a division's branch
        (国家统计局|苏州|调查队). The name starts and ends at word boundaries."""
        o = self.organs
        text = v.text
        starts = ends = v.boundaries
        known_by_end = {f.end: f for f in known}
        out = []
        for m in o.pattern.finditer(text):
            s, e = m.span()
            organ = m.group()
            if not self.ends_name(v, e):  # 深圳市委|书记 may be one word (市委书记)
                continue
            org_type, department = o.organs.get(organ, ("government", False))
            chain = self.places_before(text, s, floor=max(0, s - 3 * self.divisions.max_chars))
            if organ in o.committees:
                # 深圳市委: the committee follows a full name (a one-character 委 after a short
                # form is a word of its own: 发改委 is an organ, not 发改 + 委).
                chain = chain if chain and chain[-1][1] in self.full_names else []
            start = chain[0][0] if chain else None
            if start is None and department:
                level = next((w for w in o.level_words if text.startswith(w, s - len(w))), None)
                if level is not None and s - len(level) in starts:
                    before = s - len(level)
                    if before == 0 or self.bounds_name(v.last_word(before)):
                        start = before
            if start is None or start not in starts:
                continue
            if chain:
                prefix = next((p for p in o.party_prefixes if text.startswith(p, start - len(p))), None)
                if prefix is not None:
                    start -= len(prefix)
                elif department and start in known_by_end:
                    start = known_by_end[start].start  # 国家统计局苏州调查队
                elif start > 0 and not self.bounds_name(v.last_word(start)):
                    continue  # the name goes on to the left: 临港|新城|管委会 is no 新城 body
            if start not in starts or v.word_from(start) in self.patterns.stops or v.inside_title(start, e):
                continue
            name = text[start:e]
            if name in self.patterns.generic:
                continue
            code = self.place_code([w for _, w in chain]) if chain else None
            out.append(Found(start, e, name, org_type, SOURCE_PLACES, code))
        return out

    def head_names(self, v: "View") -> list[Found]:
        p = self.patterns
        out = []
        doc_text = v.text
        word_starts = v.boundaries
        words = v.words
        # Most words end with no head's last character, and most others with no head.
        for i in [i for i in v.words_ending(self.head_last_mark) if self.heads_ending(words[i])]:
            found = self.head_at(v, i)
            if found is None:
                continue
            head_start, org_type = found
            end = v.end(i)
            k = i
            while v.starts[k] > head_start:
                k -= 1
            # Name pieces, right to left: the part of token k before the head, then whole tokens.
            pieces = [(v.starts[k], doc_text[v.starts[k] : head_start])] if v.starts[k] < head_start else []
            chars = head_start - v.starts[k]
            j = k
            while j > 0 and k - j < p.max_tokens:
                prev = v.words[j - 1]
                if self.is_stop(prev) or chars + len(prev) > p.max_chars:
                    break
                j -= 1
                chars += len(prev)
                pieces.append((v.starts[j], prev))
            pieces.reverse()
            # The predicate before the name (离不开|当年|温州青山集团, 发挥|娲石集团) is no part of
            # it. When nothing but the head would be left, a common predicate makes no name
            # (完善|公司治理) and a rare one is a brand (联想|集团, 强生|公司).
            lead = next((n for n, (_, w) in enumerate(pieces) if not self.opens_no_name(w)), len(pieces))
            if lead == len(pieces) and pieces and any(self.is_common(w) for _, w in pieces):
                continue
            if lead < len(pieces):
                pieces = pieces[lead:]
            # 中国（上海）|自由贸易试验区管委会: a place in brackets names all that follows it.
            bracketed = bool(pieces) and self.bracketed_place_before(doc_text, pieces[0][0]) < pieces[0][0]
            if org_type in p.place_types and not bracketed:
                # 区委, 政府, 开发区 ... are named by a place: start at the first place.
                first = next((i for i, (_, w) in enumerate(pieces) if self.is_place(w)), None)
                if first is None:
                    continue
                pieces = pieces[first:]
            if not pieces:
                continue
            start = pieces[0][0]
            # A name owns the places before it that the word limits cut off (科右|前旗|乌兰集团…).
            chain = self.places_before(doc_text, start, floor=max(0, start - 2 * self.divisions.max_chars))
            if chain and chain[0][0] in word_starts:
                start = chain[0][0]
            elif j > 0:
                # or a place cut in two by the limit (科右|前旗: 科右前旗 holds the name's start)
                a = v.starts[j - 1]
                places = self.leading_places(doc_text[a:end])
                if places and a + len(places[0]) > start:
                    start = a
            start = self.bracketed_place_before(doc_text, start)
            text = doc_text[start:end]
            if end - start - (end - head_start) < p.min_name_chars:
                continue
            if not self.plausible(text, [w for _, w in pieces] + [doc_text[head_start:end]]):
                continue
            if v.inside_title(start, end):
                continue
            out.append(Found(start, end, text, org_type, SOURCE_HEADS))
        return out

    def plausible(self, text: str, words: Sequence[str]) -> bool:
        """Not a generic phrase, a stop word, a number, a bare place, or only modifiers
        plus a head (省级研究院; but 临平区政府 is named by its place)."""
        p = self.patterns
        if text in p.generic or text in p.stops or has_digit(text):
            return False
        if self.is_place(text) and p.head_type(text) is None:
            return False
        name = list(words)
        found = p.head_of(words[-1]) if words else None
        if found:
            # The head may end a longer word (一流大学 is one jieba word): the rest is name.
            name[-1] = words[-1][: -len(found[0])]
            if not name[-1]:
                name.pop()
        if not name:
            return True
        # Modifiers after a leading nominal verb are generic too (发展|民营|银行).
        rest = list(itertools.dropwhile(lambda w: self.dictionary.word_tag(w) in p.predicate_tags, name))
        if 0 < len(rest) < len(name) and made_of("".join(rest), p.modifiers):
            return False
        return not made_of("".join(name), p.modifiers)

    # -- layer 2b: media outlets named by their reporters ---------------------------------
    def media_names(self, v: "View") -> list[Found]:
        """The outlet before a reporter (`media.cues`): 澎湃新闻|记者, 对《国际金融报》记者.
        The name is the longest run of the words before the cue that ends with a media head
        (界面新闻|大湾区频道记者 -> 界面新闻); the words stop at a stop word or punctuation."""
        p = self.patterns
        text = v.text
        ends = v.boundaries
        out = []
        for cue in p.media_cues:
            at = text.find(cue)
            while at >= 0:
                e = at + len(cue)
                if e in ends and not (at > 0 and text[at - 1 : e] in p.media_cues):
                    found = self.outlet_before(v, at)
                    if found is not None:
                        out.append(Found(found[0], found[1], text[found[0] : found[1]], "other", SOURCE_MEDIA))
                at = text.find(cue, e)
        for cue in p.media_lead_cues:
            at = text.find(cue)
            while at >= 0:
                found = self.outlet_after(v, at + len(cue))
                if found is not None:
                    out.append(Found(found[0], found[1], text[found[0] : found[1]], "other", SOURCE_MEDIA))
                at = text.find(cue, at + len(cue))
        return out

    def outlet_after(self, v: "View", start: int) -> tuple[int, int] | None:
        """The outlet a source line names from `start`: the longest run of words there, up to
        punctuation, that ends with a media head (人民网|福建频道 -> 人民网; 《国际金融报》)."""
        p = self.patterns
        text = v.text
        if text.startswith("《", start):
            start += 1
        first = v.word_from(start) if start in v.boundaries else ""
        if not first or self.is_stop(first) or (self.opens_no_name(first) and self.is_common(first)):
            return None
        end = start
        while end < len(text) and end - start < p.media_max_chars and not is_punct(text[end]):
            end += 1
        return self.outlet_in(text, start, end, ends=v.boundaries)

    def outlet_in(self, text: str, start: int, end: int, *, ends: frozenset[int] | None = None) -> tuple[int, int] | None:
        """The longest text[start:k], k <= end, that ends with a media head after at least
        two characters that are not only modifiers (and at a word boundary, with `ends`)."""
        p = self.patterns
        for k in range(end, start + 2, -1):
            head = next((h for h in p.media_heads if text.endswith(h, start, k)), None)
            if head is not None and k - len(head) - start >= 2 and (ends is None or k in ends) and not made_of(text[start : k - len(head)], p.modifiers):
                return start, k
        return None

    def outlet_before(self, v: "View", end: int) -> tuple[int, int] | None:
        p = self.patterns
        text = v.text
        if text[end - 1 : end] == "》":
            start = text.rfind("《", max(0, end - p.media_max_chars - 2), end)
            return (start + 1, end - 1) if start >= 0 and end - start - 2 >= 2 else None
        i = bisect.bisect_right(v.starts, end - 1) - 1  # the word holding the cue's start
        start = v.starts[i] if v.starts[i] < end else end
        while i > 0 and end - v.starts[i - 1] <= p.media_max_chars:
            prev = v.words[i - 1]
            if self.is_stop(prev):
                break
            i -= 1
            start = v.starts[i]
        # A leading predicate is no part of the name, unless it is rare (澎湃|新闻 is a brand).
        while start < end and self.opens_no_name(v.words[i]) and self.is_common(v.words[i]):
            i += 1
            start = v.starts[i] if i < len(v.starts) else end
        # A word out of the dictionary that ends with a one-character stop (王振对|界面新闻:
        # jieba glued 对 to a person's name) ends the run on its left; 每日 is a word.
        while (
            i < len(v.words) and v.starts[i] < end and len(v.words[i]) > 1 and v.words[i][-1] in p.stops
            and not self.dictionary.word_freq(v.words[i])
        ):
            i += 1
            start = v.starts[i] if i < len(v.starts) else end
        return self.outlet_in(text, start, end)

    # -- names inside names ----------------------------------------------------------------
    def nested_names(self, v: "View", found: Sequence[Found], known: Sequence[Found]) -> list[Found]:
        """The parent a found name holds (see [nested] in org_patterns.toml): its longest
        part that ends with a parent head where the rest ends with a unit head
        (浙江工商大学|经济学院), else a known name of another type that opens it (at its start
        or after its places) — unless the name is a firm's full name, which holds its own
        short name (宁波华翔|电子股份有限公司 is one firm)."""
        p = self.patterns
        text = v.text
        ends = v.boundaries
        known_at: dict[int, Found] = {}
        for k in known:
            if k.end - k.start > (known_at[k.start].end - k.start if k.start in known_at else 0):
                known_at[k.start] = k
        out = []
        for f in found:
            parent = self.parent_of(v, f.start, f.end) if text.endswith(p.unit_heads, f.start, f.end) else None
            if parent is not None:
                out.append(Found(f.start, parent, text[f.start : parent], p.head_type(text[f.start : parent]) or "company", SOURCE_NESTED))
                continue
            if text.endswith(p.legal_suffixes, f.start, f.end):
                continue
            places = self.leading_places(text[f.start : f.end])
            opens = list(itertools.accumulate(map(len, places), initial=f.start))
            k = next((known_at[a] for a in opens if a in known_at and known_at[a].end < f.end), None)
            # A body's own branch or office is of its type (浙大一院|余杭院区, 国家统计局|宁波调查队);
            # a brand before a body of another kind is another body (a firm's hospital).
            if k is not None and k.org_type != f.org_type:
                out.append(Found(k.start, k.end, k.canonical, k.org_type, SOURCE_NESTED))
        return out

    def parent_of(self, v: "View", s: int, e: int) -> int | None:
        """Where the parent in the name [s, e) ends: the last word boundary after a parent
        head with a unit head after it and a plausible name before it, or None."""
        p = self.patterns
        text = v.text
        for cut in range(e - 1, s + p.min_name_chars, -1):
            head = next((h for h in p.parent_heads if text.endswith(h, s, cut)), None)
            if head is None or cut not in v.boundaries or not text.endswith(p.unit_heads, cut, e):
                continue
            ok = cut - s - len(head) >= p.min_name_chars and self.plausible(text[s:cut], self.words_in(v, s, cut))
            return cut if ok else None
        return None

    @staticmethod
    def words_in(v: "View", s: int, e: int) -> list[str]:
        """The words of [s, e), which starts and ends at word boundaries."""
        return v.words[bisect.bisect_left(v.starts, s) : bisect.bisect_left(v.starts, e)]

    # -- consistency across the article ----------------------------------------------------
    def short_form(self, name: str) -> str | None:
        """A full name without its opening places and legal form (杭州老板电器股份有限公司
        -> 老板电器), or None when nothing of a name would be left.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> comp.short_form("杭州老板电器股份有限公司"), comp.short_form("浙江有限公司"), comp.short_form("某某集团")
        ('老板电器', None, None)
        """
        p = self.patterns
        suffix = next((s for s in p.legal_suffixes if name.endswith(s)), None)
        if suffix is None:
            return None
        rest = name[: -len(suffix)]
        places = self.leading_places(rest) if rest else []
        rest = rest[sum(map(len, places)) :]
        return rest if self.names_one(rest) else None

    def names_one(self, short: str) -> bool:
        """Whether a short form can stand for one organisation: not too short, no stop word,
        modifiers, place or common word."""
        p = self.patterns
        if len(short) < p.min_short_chars or short in p.stops or made_of(short, p.modifiers) or self.is_place(short):
            return False
        return not (short in self.dictionary.cut(short) and self.is_common(short))

    def declared_alias(self, text: str, end: int) -> tuple[str, int] | None:
        """The short name declared in brackets right after a name ending at `end`, and where
        the brackets end (（以下简称“老板电器”）), or None.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> t = "杭州老板电器股份有限公司（以下简称“老板电器”）"
        >>> comp.declared_alias(t, 12), comp.declared_alias("某某集团（简称公司）", 4), comp.declared_alias("某某集团（杭州）", 4)
        (('老板电器', 24), None, None)
        """
        p = self.patterns
        if text[end : end + 1] not in ("（", "("):
            return None
        close = min((i for i in (text.find("）", end), text.find(")", end)) if i > 0), default=-1)
        inside = text[end + 1 : close] if 0 < close - end <= p.max_chars else ""
        marker = next((m for m in p.alias_markers if inside.startswith(m)), None)
        if marker is None:
            return None
        alias = inside[len(marker) :].strip(" ：:为“”\"‘’「」")
        if any(is_punct(c) for c in alias) or (p.head_of(alias) or ("",))[0] == alias or not self.names_one(alias):
            return None  # 公司, 集团: a head alone
        return alias, close + 1

    def ends_name(self, v: "View", e: int) -> bool:
        """Whether a name may end at `e`: a word boundary, or a person's title glued to the
        name in one word (自治区党委|书记 of 党委书记, 某某集团|董事长)."""
        return e in v.boundaries or any(v.text.startswith(t, e) and e + len(t) in v.boundaries for t in self.patterns.titles)

    def repeat_names(self, v: "View", found: list[Found]) -> list[Found]:
        """Every other occurrence of a found name, and of a full name's short form after
        it, at word boundaries and where nothing was found."""
        text = v.text
        starts = v.boundaries
        taken = SpanIndex(found)
        first: dict[str, Found] = {}
        for f in sorted(found, key=lambda f: f.start):
            first.setdefault(text[f.start : f.end], f)
        wanted: dict[str, tuple[Found, int]] = {name: (f, 0) for name, f in first.items()}
        for name, f in first.items():
            # A known firm's own short forms, else the name without places and legal form.
            shorts = self.shorts_after.get(f.canonical) or [self.short_form(name)]
            for short in shorts:
                if short is not None and short not in wanted:
                    wanted[short] = (Found(0, 0, f.canonical, f.org_type, SOURCE_DOCUMENT), f.end)
        for f in found:
            declared = self.declared_alias(text, f.end)
            if declared is not None and declared[0] not in wanted:
                wanted[declared[0]] = (Found(0, 0, f.canonical, f.org_type, SOURCE_DOCUMENT), f.end)
        out = []
        for name, (f, after) in wanted.items():
            at = text.find(name, after)
            while at >= 0:
                e = at + len(name)
                if at in starts and self.ends_name(v, e) and not taken.overlaps(at, e) and not v.inside_title(at, e):
                    out.append(Found(at, e, f.canonical, f.org_type, SOURCE_DOCUMENT, f.place_code))
                at = text.find(name, e)
        return out

    # -- layer 3: lists --------------------------------------------------------------
    def brand_shaped(self, text: str) -> bool:
        """A firm's short name: a name of two or three characters (not a modifier, place,
        number word or common word) and then a `brand_endings` word or a company head
        (双子智能, 倍特生物, 海潮电子; not 人工智能, 第三代半导体, 工程起重机械).

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> [comp.brand_shaped(t) for t in ["双子智能", "倍特生物", "人工智能", "时代电动", "第三代半导体", "工程起重机械"]]
        [True, True, False, False, False, False]
        """
        p = self.patterns
        ending = next((e for e in p.brand_endings if text.endswith(e)), None)
        if ending is None:
            found = p.head_of(text)
            ending = found[0] if found and found[1] == "company" else None
        name = text[: -len(ending)] if ending else ""
        if not 2 <= len(name) <= 3 or name in p.modifiers or self.is_place(name):
            return False
        for word in self.dictionary.cut(name):
            tag = self.dictionary.word_tag(word)
            if self.is_common(word) or tag in p.lead_tags or tag == "m":
                return False
        return True

    def proper_opened(self, v: "View", s: int, e: int) -> bool:
        """Whether the item [s, e) (at word boundaries) opens with a proper name and goes on
        with nouns: its first word is rare in the dictionary (`proper_max_freq`) and no
        place, modifier, verb or number word, no later word is a verb, and it does not end
        like a site (`site_endings`: 艺尚美谷 and 深汕智造城 are projects).

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> t = "华晶绵阳玻纤、益海粮油、载人航天、宝安燕罗、推动发展、艺尚美谷"
        >>> v = View(rules_only_pipeline().make_doc(t))
        >>> [comp.proper_opened(v, t.index(w), t.index(w) + len(w)) for w in t.split("、")]
        [True, True, False, False, False, False]
        """
        p = self.patterns
        words = self.words_in(v, s, e)
        if len(words) < 2 or len(words[0]) < 2 or v.text.endswith(p.site_endings, s, e):
            return False
        first = words[0]
        if self.dictionary.word_freq(first) >= p.proper_max_freq or self.is_place(first) or first in p.modifiers:
            return False
        tags = [self.dictionary.word_tag(w) for w in words]
        return tags[0] not in p.lead_tags and tags[0] != "m" and not any(t is not None and t.startswith("v") for t in tags)

    def county_short_form(self, text: str) -> bool:
        """Whether `text` is only the short form of counties (兴和 of 兴和县), never a full
        name or the short form of a province or prefecture (杭州)."""
        d = self.divisions
        codes = d.by_surface.get(text, ())
        return bool(codes) and all(d.by_code[c].level == "county" and d.by_code[c].name != text for c in codes)

    def clauses(self, v: "View") -> list[tuple[int, int]]:
        """Token ranges [start, end) between clause punctuation."""
        return v.clauses()

    def list_items(self, v: "View", lo: int, hi: int) -> list[tuple[list[tuple[int, int]], str | None, bool]]:
        """Lists in tokens [lo, hi): items as token ranges, the type named by a
        following 等 + noun (None when no noun follows, NOT_NAMES when the noun says the
        items are not organisations, NEUTRAL when it says nothing of them), and whether the
        last item is whole."""
        p = self.patterns
        if p.separators.isdisjoint(v.words[lo:hi]):  # most clauses hold no list (a test in C)
            return []
        seps = v.indices(lo, hi, p.separators)
        lists = []
        group = [seps[0]]
        for i in seps[1:]:
            if i - group[-1] <= 8 and not any(map(is_punct, v.words[group[-1] + 1 : i])):
                group.append(i)
            else:
                lists.append(group)
                group = [i]
        lists.append(group)
        out = []
        for group in lists:
            items = [(a + 1, b) for a, b in zip(group, group[1:])]
            # Last item: up to 等, a joiner (A、B和C), or a stop.
            j = group[-1] + 1
            while j < hi and v.words[j] != "等" and not self.is_stop(v.words[j]) and j - group[-1] <= 6:
                j += 1
            last = (group[-1] + 1, j)
            if j < hi and v.words[j] in p.last_joiners and j + 1 < hi and v.words[j + 1] == "等":
                # a joiner right before 等 is a character of the last item (兴|和|等: 兴和)
                j += 1
                items.append((group[-1] + 1, j))
            elif j < hi and v.words[j] in p.last_joiners:
                k = j + 1
                while k < hi and v.words[k] != "等" and not self.is_stop(v.words[k]) and k - j <= 6:
                    k += 1
                items += [last, (j + 1, k)]
                j = k
            else:
                items.append(last)
            # First item: back from the first separator to a stop.
            i = group[0]
            while i > lo and not self.is_stop(v.words[i - 1]) and group[0] - i < 6:
                i -= 1
            items.insert(0, (i, group[0]))
            noun = self.noun_after(v, j, hi) if j < hi and v.words[j] == "等" else None
            # The last item ends at 等 or punctuation: it is whole. Else it ran into a stop.
            whole_last = j >= hi or v.words[j] == "等" or is_punct(v.words[j])
            out.append(([it for it in items if it[0] < it[1]], noun, whole_last))
        return out

    def noun_after(self, v: "View", j: int, hi: int) -> str | None:
        """The kind of the noun phrase after 等 (word j): an org type, NOT_NAMES, NEUTRAL or
        None. Its head is its last noun: 等产业项目 are projects, 等数字经济领域代表企业 firms;
        的 ends the phrase (等领域的企业: the items are fields)."""
        noun = None
        for k in range(j + 1, min(hi, j + 1 + self.patterns.noun_words)):
            text = v.words[k]
            if text == "的" or is_punct(text):
                break
            noun = self.noun_kind(text) or noun
        return noun

    def noun_kind(self, word: str) -> str | None:
        """The kind of the longest list noun `word` ends with (产业项目: 项目), or None.

        >>> comp = rules_only_pipeline().get_pipe("press_extract_organizations")
        >>> comp.noun_kind("代表企业"), comp.noun_kind("产业园"), comp.noun_kind("临平")
        ('company', 'not names', None)
        """
        return next((self.list_nouns[word[-n:]] for n in self.list_noun_lengths if word[-n:] in self.list_nouns), None)

    def agent_names(self, v: "View", lo: int, hi: int) -> list[Found]:
        """A firm-shaped name (`brand_shaped`) between a preposition and a verb organisations
        take ([agents]: 由双子智能牵头, 与倍特生物签约)."""
        p = self.patterns
        out = []
        for a in v.indices(lo, hi - 2, p.agent_before):
            b = next((b for b in range(a + 2, min(hi, a + 6)) if v.words[b] in p.agent_verbs), None)
            if b is None:
                continue
            s, e = v.starts[a + 1], v.end(b - 1)
            text = v.text[s:e]
            if any(self.is_stop(w) for w in v.words[a + 1 : b]) or not p.min_item_chars <= len(text) <= p.max_item_chars:
                continue
            if self.brand_shaped(text) and self.plausible(text, v.words[a + 1 : b]):
                out.append(Found(s, e, text, p.head_type(text) or "company", SOURCE_LISTS))
        return out

    def single_names(self, v: "View", lo: int, hi: int) -> list[Found]:
        """One name before 等 and a noun of organisations (推动恒嘉铜材等企业), when it is
        shaped like a firm's short name (`brand_shaped`, `proper_opened`): the words back
        from 等 to a stop, punctuation or a predicate, from the first start that gives the
        shape. An item after 、 belongs to a list (`list_items`)."""
        p = self.patterns
        out = []
        for j in v.indices(lo + 1, hi, ETC):
            noun = self.noun_after(v, j, hi)
            if noun in (None, NEUTRAL, NOT_NAMES):
                continue
            i = j
            while i > lo and j - i < 4 and not (self.is_stop(v.words[i - 1]) or self.opens_no_name(v.words[i - 1])):
                i -= 1
            if i == j or (i > lo and v.words[i - 1] in p.separators):
                continue
            e = v.end(j - 1)
            for a in range(i, j):
                s = v.starts[a]
                text = v.text[s:e]
                if not (p.min_item_chars <= len(text) <= p.max_item_chars):
                    continue
                if any(text + n in p.generic for n in p.list_nouns):
                    break  # a kind of firm (专精特新等企业: 专精特新企业 is a generic phrase)
                if (self.brand_shaped(text) or self.proper_opened(v, s, e)) and self.plausible(text, v.words[a:j]):
                    out.append(Found(s, e, text, p.head_type(text) or noun, SOURCE_LISTS))
                    break
        return out

    def trim_item(self, v: "View", item: tuple[int, int], *, at_end: bool, width: int, known: dict[tuple[str, int], tuple[int, int]]) -> tuple[int, int]:
        """Cut the first (or last) item of a list to the part that is the name: an
        organisation already found there, else the token run closest to `width` chars."""
        s, e = item
        lo, hi = v.span(s, e)
        edge = known.get(("end", hi) if not at_end else ("start", lo))
        if edge is not None and lo <= edge[0] and edge[1] <= hi:
            return edge
        best = None
        for k in (range(s, e) if not at_end else range(e, s, -1)):
            a, b = (k, e) if not at_end else (s, k)
            n = v.end(b - 1) - v.starts[a]
            if best is None or abs(n - width) < abs(best[0] - width):
                best = (n, v.starts[a], v.end(b - 1))
        return best[1], best[2]

    def list_clauses(self, v: "View") -> list[tuple[int, int]]:
        """The clauses, in order, that hold a word the list layers start from (等, a
        separator, a preposition of `agent_names`): most clauses hold none, and the
        others give nothing without one."""
        clauses = self.clauses(v)
        starts = [lo for lo, _ in clauses]
        marks = (i for i in v.marked_words(self.list_mark) if v.words[i] in self.list_triggers)
        picked = dict.fromkeys(bisect.bisect_right(starts, i) - 1 for i in marks)
        return [clauses[c] for c in picked if c >= 0]

    def list_names(self, v: "View", found: list[Found]) -> list[Found]:
        p = self.patterns
        out = []
        doc_text = v.text
        by_span = {(f.start, f.end): f for f in found}
        edges = {("end", f.end): (f.start, f.end) for f in found} | {("start", f.start): (f.start, f.end) for f in found}
        for lo, hi in self.list_clauses(v):
            out += [f for f in self.single_names(v, lo, hi) + self.agent_names(v, lo, hi) if (f.start, f.end) not in by_span]
            for items, noun, whole_last in self.list_items(v, lo, hi):
                if len(items) < 2:
                    continue
                inner = [v.span(s, e) for s, e in items[1:-1]]
                if inner:
                    widths = sorted(e - s for s, e in inner)
                    width_first = width_last = widths[len(widths) // 2]
                else:
                    # Two items: each is trimmed to the other's length.
                    last_span = v.span(*items[-1])
                    width_first, width_last = last_span[1] - last_span[0], 0
                first = self.trim_item(v, items[0], at_end=False, width=width_first, known=edges)
                if first not in by_span and not self.brand_shaped(doc_text[first[0] : first[1]]) and self.proper_opened(v, *v.span(*items[0])):
                    first = v.span(*items[0])  # a proper name opens the item: it is whole (华晶绵阳玻纤, not 绵阳玻纤)
                if not inner:
                    width_last = first[1] - first[0]
                spans = [first] + inner
                last = items[-1]
                if whole_last:
                    spans.append(v.span(*last))
                else:
                    spans.append(self.trim_item(v, last, at_end=True, width=width_last, known=edges))
                # Only rule members propagate (a model span in a list of industries would make
                # them all organisations), and a member found by its head only when it names a
                # firm or an institute: schools and facilities are listed with non-organisations.
                members = [
                    f for f in (by_span.get(span) for span in spans)
                    if f is not None and f.source in PRIORITY
                    and (f.source not in (SOURCE_HEADS, SOURCE_PLACES) or f.org_type in PROPAGATING_TYPES)
                ]
                if noun == NOT_NAMES:
                    continue
                neutral = noun == NEUTRAL
                noun = None if neutral else noun
                org_type = noun or "company"
                # With no member and no type noun, only items shaped like a firm's short
                # name are taken (倍特生物 in 艺尚美谷、倍特生物等产业项目); after a neutral noun
                # also items that open with a proper name (益海粮油 in …、益海粮油等25个投资项目).
                brands_only = noun is None and not members
                # A county's short form is a firm's name in a list a type noun closes, next
                # to items that are no places (华为、腾讯、兴和等一批企业; not 萧山、余杭等企业).
                mixed = noun is not None and any(not self.is_place(doc_text[a:b]) for a, b in spans)
                for s, e in spans:
                    text = doc_text[s:e]
                    if (s, e) in by_span or (brands_only and not (self.brand_shaped(text) or (neutral and self.proper_opened(v, s, e)))):
                        continue
                    if not (p.min_item_chars <= len(text) <= p.max_item_chars) or text in p.stops:
                        continue
                    if not (self.plausible(text, [text]) or (mixed and self.county_short_form(text))):
                        continue
                    if p.head_type(text) is None and v.last_word(e) in p.non_name_ends:
                        continue  # 年产40万件羊绒衫|加工|项目 names a works, not a firm (深发展 is one word)
                    out.append(Found(s, e, text, p.head_type(text) or org_type, SOURCE_LISTS))
        return out

    # -- layer 4: model -----------------------------------------------------------------
    def cue_clauses(self, v: "View", rule_starts: Sequence[int]) -> list[tuple[int, int]]:
        """The clauses, in order, worth running the model on: every clause with
        `every_clause`, else those a rule span starts in (`rule_starts` sorted) or that hold
        a cue word. The doc's distinct words are tested once, and a clause by a set test."""
        clauses = self.clauses(v)
        if self.every_clause:
            return clauses
        cue_words = {w for w in set(v.words) if self.is_cue_word(w)}
        words = v.words
        # The clauses holding the words the rule spans start in (a clause end is in none).
        los = [lo for lo, _ in clauses]
        ruled = set()
        for w in map(bisect.bisect_right, itertools.repeat(v.ends), rule_starts):
            c = bisect.bisect_right(los, w) - 1
            if c >= 0 and w < clauses[c][1]:
                ruled.add(c)
        return [(lo, hi) for c, (lo, hi) in enumerate(clauses) if c in ruled or not cue_words.isdisjoint(words[lo:hi])]

    def is_cue_word(self, word: str) -> bool:
        """A separator, a word of two or more characters that ends with a head, or a list
        noun: a word that makes its clause worth the model's time."""
        p = self.patterns
        return word in p.separators or (len(word) > 1 and bool(p.head_type(word))) or word in p.list_nouns

    def model_names(self, v: "View", rule_spans: list[Found]) -> list[Found]:
        """The model's spans in the chosen clauses. They go into the model together, each
        clause with the punctuation that ends it (as in running text), in Docs of about
        `MODEL_DOC_WORDS` words: one Doc per article costs far less than one per clause,
        and the cap keeps memory flat on a huge article (one Doc of a 2M-character article
        took 1.6 GB). Spans across a clause end are dropped."""
        p = self.patterns
        source = self.model_source
        starts = sorted(f.start for f in rule_spans)
        runs: list[list[int]] = []  # one per model Doc: model token -> view word
        for lo, hi in self.cue_clauses(v, starts):
            if not runs or len(runs[-1]) >= MODEL_DOC_WORDS:
                runs.append([])
            index = runs[-1]
            if index and index[-1] < lo - 1:
                index.append(lo - 1)  # the previous clause end stands for the gap
            index.extend(range(lo, min(hi + 1, len(v.words))))
        clauses = self.clauses(v)
        clause_starts = [lo for lo, _ in clauses]
        non_names: dict[int, list[tuple[int, int]]] = {}  # clause -> its non-name list items
        out = []
        for a, b in self.model_spans(v, runs):
            # A span across two clauses holds a clause end (the only words at the joins).
            if any(is_clause_end(w) for w in v.words[a:b]):
                continue
            c = bisect.bisect_right(clause_starts, a) - 1
            if c not in non_names:
                non_names[c] = [it for items, noun, _ in self.list_items(v, *clauses[c]) if noun == NOT_NAMES for it in items]
            if any(lo <= a and b <= hi for lo, hi in non_names[c]):
                continue  # an item of a list of industries or fields (…、IVD等产业园)
            s, e = v.starts[a], v.end(b - 1)
            text = v.text[s:e]
            # A last word that only looks like a head (格局, 全部) gives no head, as in layer 2.
            head = None if v.words[b - 1] in p.not_heads else p.head_type(text)
            if not 2 <= len(text) <= p.max_chars or not self.plausible(text, v.words[a:b]):
                continue
            if b - a == 1 and head is None and self.is_common(v.words[a]):
                continue  # one frequent word without a head is a common noun (博士), not a brand
            if b - a > 1 and v.words[a] in p.place_suffixes and not self.plausible(text[len(v.words[a]) :], v.words[a + 1 : b]):
                continue  # a bare level word before modifiers and a head is generic: 省|重点|企业|研究院 (省级…)
            if b - a > 1 and v.words[a] in self.head_words:
                continue  # a name does not open with a head: 崇贤街道|崇文社区 gave 街道崇文社区
            if b - a > 1 and (self.opens_no_name(v.words[a]) or v.words[a] in p.stops):
                continue  # nor with a verb, an adverb or a stop word: 签署|中韩, 资助|各类|学校
            if any(w in p.titles for w in v.words[a:b]):
                continue  # a person: 深圳市|市长|覃伟中
            if v.words[b - 1] in p.non_name_ends:
                continue  # a description: 地方政府|机构, 金融|科技|监管
            if head is None and len(text) > MAX_HEADLESS_CHARS:
                continue
            if v.inside_title(s, e):
                continue
            out.append(Found(s, e, text, head or "company", source))
        return out

    def model_spans(self, v: "View", runs: list[list[int]]) -> Iterator[tuple[int, int]]:
        """The model's entities in each run of view words, as view word ranges [a, b).
        A CRF span that cuts a word is dropped (the rules and filters work on words)."""
        if isinstance(self.model, CharCRF):
            for index in runs:
                words = [v.words[i] for i in index]
                starts = list(itertools.accumulate(map(len, words), initial=0))
                for s, e in self.model.spans(words):
                    a, b = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
                    if b < len(starts) and starts[a] == s and starts[b] == e:
                        yield index[a], index[b - 1] + 1
            return
        for index in runs:
            mdoc = self.model(model_doc(self.model.vocab, [v.words[i] for i in index]))
            for ent in mdoc.ents:
                yield index[ent.start], index[ent.end - 1] + 1

    # -- combination ---------------------------------------------------------------------
    def find(self, doc: Doc) -> list[Found]:
        """Rules, then model spans that no rule span overlaps, then list siblings of
        everything found (trimmed to a found span where one sits at the item's edge)."""
        v = View(doc)
        if self.use_rules:
            known = self.known_names(doc, v)
            rule = self.choose(known + self.place_names(v, known) + self.head_names(v) + self.media_names(v))
        else:
            known, rule = [], []
        model: list[Found] = []
        if self.model is not None:
            taken = SpanIndex(rule)
            model = [m for m in self.model_names(v, rule) if not taken.overlaps(m.start, m.end)]
            model = self.choose(model)
        if not self.use_rules:
            return model
        taken = SpanIndex(rule + model)
        lists = [f for f in self.list_names(v, rule + model) if not taken.overlaps(f.start, f.end)]
        found = self.choose(rule + model + lists)
        nested = self.nested_names(v, found, known)
        found = self.choose(found + self.repeat_names(v, found + nested))
        # A parent inside a longer name is recorded as well as the name (they overlap).
        return sorted(found + nested, key=lambda f: (f.start, f.end))

    @staticmethod
    def choose(found: list[Found]) -> list[Found]:
        """Non-overlapping subset: longest, earliest, then layer priority."""
        ranked = {(f.start, f.end, PRIORITY.get(f.source, MODEL_PRIORITY)): f for f in sorted(found, key=lambda f: -PRIORITY.get(f.source, MODEL_PRIORITY))}
        return [ranked[k] for k in resolve_overlaps(list(ranked))]

    def __call__(self, doc: Doc) -> Doc:
        out = records_of(doc, "organization")
        doc_text = text_of(doc)
        for f in self.find(doc):
            text = doc_text[f.start : f.end]
            code = f.place_code or self.code_of_name(text, f.org_type)
            out.append(
                Organization(
                    start=f.start, end=f.end, text=text, name=text, canonical=f.canonical, org_type=f.org_type,
                    source=f.source, place_code=code,
                )
            )
        return doc
