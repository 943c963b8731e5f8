"""Load, validate and freeze the data in rules/. The only module that opens rules/.

Each file has one loader here that checks its entries and names the file and the entry
in every error. `load_rules()` is called explicitly (never at import) and cached per
folder, so a process reads its rules once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import regex

RULES_ENV = "PRESS_EXTRACT_RULES"


class RulesError(ValueError):
    """A rules file is missing or malformed. The message names the file and the entry."""

    def __init__(self, path: Path | str, reason: str, *, entry: str | None = None) -> None:
        where = f"{path}" + (f" [{entry}]" if entry else "")
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.entry = entry


def default_rules_dir() -> Path:
    """rules/ of a source checkout (editable install), else the copy inside a wheel.

    `PRESS_EXTRACT_RULES` overrides both, for trying a rule change without editing the tree.
    """
    env = os.environ.get(RULES_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "rules", here / "_rules"):
        if candidate.is_dir():
            return candidate
    raise RulesError(here.parent / "rules", "rules folder not found (set PRESS_EXTRACT_RULES)")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; TOML itself rejects duplicate keys, so a duplicate is an error."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise RulesError(path, "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(path, f"invalid TOML: {exc}") from None


def freeze(value: Any) -> Any:
    """Deep-freeze parsed data: dicts become read-only mappings, lists tuples.

    >>> freeze({"a": [1, {"b": 2}]})["a"][1]["b"]
    2
    """
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def load_userdict(path: Path) -> tuple[tuple[str, int | None, str | None], ...]:
    """Entries of a jieba user dictionary: `word [freq] [tag]` per line, `#` comments."""
    entries = []
    seen: dict[str, int] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RulesError(path, "file not found") from None
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
        if rest:
            tag = rest.pop(0)
        if rest or (tag is not None and not tag.isalpha()):
            raise RulesError(path, f"expected 'word [freq] [tag]', got {raw!r}", entry=f"line {lineno}")
        if word in seen:
            raise RulesError(path, f"duplicate word {word!r} (first on line {seen[word]})", entry=f"line {lineno}")
        seen[word] = lineno
        entries.append((word, freq, tag))
    return tuple(entries)


ORG_TYPES: tuple[str, ...] = (
    "company", "government", "university", "research", "hospital", "school", "park", "association", "other",
)


def load_organizations(path: Path) -> tuple[Mapping[str, str], ...]:
    """Known organisation names in spaCy EntityRuler JSONL: one object per line,
    `{"label": "ORG", "pattern": surface, "id": canonical name, "org_type": type}`.

    Every surface is listed once, and every canonical name has one type.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RulesError(path, "file not found") from None
    out: list[Mapping[str, str]] = []
    patterns: dict[str, int] = {}
    types: dict[str, str] = {}
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"line {lineno}"
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise RulesError(path, f"invalid JSON: {exc}", entry=where) from None
        if not isinstance(entry, dict) or set(entry) != {"label", "pattern", "id", "org_type"}:
            raise RulesError(path, "expected keys label, pattern, id, org_type", entry=where)
        if entry["label"] != "ORG":
            raise RulesError(path, f"label must be ORG, got {entry['label']!r}", entry=where)
        pattern, canonical, org_type = entry["pattern"], entry["id"], entry["org_type"]
        if not (isinstance(pattern, str) and pattern.strip() == pattern and pattern):
            raise RulesError(path, f"pattern must be a non-empty string without blanks, got {pattern!r}", entry=where)
        if not (isinstance(canonical, str) and canonical):
            raise RulesError(path, "id (the canonical name) must be a non-empty string", entry=where)
        if org_type not in ORG_TYPES:
            raise RulesError(path, f"org_type {org_type!r} is not one of {', '.join(ORG_TYPES)}", entry=where)
        if pattern in patterns:
            raise RulesError(path, f"duplicate pattern {pattern!r} (first on line {patterns[pattern]})", entry=where)
        if types.setdefault(canonical, org_type) != org_type:
            raise RulesError(path, f"{canonical!r} has two types: {types[canonical]!r} and {org_type!r}", entry=where)
        patterns[pattern] = lineno
        out.append(MappingProxyType(dict(entry)))
    return tuple(out)


CENTRAL_COLUMNS = "name\tshort\torg_type\tgroup"
LISTED_GROUP = "a-share"  # listed_companies.tsv: the group is "a-share" and the stock code


def _tsv_rows(path: Path, columns: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a tab-separated rules file (`#` comment lines, then the header
    `columns`), as (line number, fields); a missing file, a wrong header or a row of
    another width fails, naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RulesError(path, "file not found") from None
    width = columns.count("\t") + 1
    header = False
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        if not header:
            if raw != columns:
                raise RulesError(path, f"expected the header {columns!r}", entry=f"line {lineno}")
            header = True
            continue
        fields = raw.split("\t")
        if len(fields) != width:
            raise RulesError(path, f"expected {width} tab-separated fields, got {len(fields)}", entry=f"line {lineno}")
        yield lineno, fields


AFTER_NAME = "~"  # a short form that names the body only after its name (load_known_names)


def load_known_names(path: Path, *, known: tuple[Mapping[str, str], ...]) -> tuple[Mapping[str, str], ...]:
    """Known names as facts (central_organs.tsv, enterprises.tsv): `#` comment lines, a
    header, then one body a line, tab-separated: name, short forms (comma-separated),
    org_type, group. Returned as EntityRuler entries like organizations.jsonl's (each
    short form's id is the name). A short form written `~short` names the body only after
    its name in the same article (a short name that is a common phrase: 上海机场 after
    上海国际机场股份有限公司); its entry has `"after": "1"` and is no pattern to match
    alone. A surface listed twice, here or in an earlier file (`known`), fails, naming the line."""
    seen = {e["pattern"]: "an earlier file" for e in known}
    out: list[Mapping[str, str]] = []
    for lineno, fields in _tsv_rows(path, CENTRAL_COLUMNS):
        where = f"line {lineno}"
        name, short, org_type, group = fields
        if org_type not in ORG_TYPES:
            raise RulesError(path, f"org_type {org_type!r} is not one of {', '.join(ORG_TYPES)}", entry=where)
        if not group.strip():
            raise RulesError(path, "empty group", entry=where)
        if group.startswith(LISTED_GROUP) and not regex.fullmatch(LISTED_GROUP + r" \d{6}", group):
            raise RulesError(path, f"bad stock code in group {group!r} (expected '{LISTED_GROUP} ' and six digits)", entry=where)
        for surface in (name, *(short.split(",") if short else ())):
            after = surface.startswith(AFTER_NAME) and surface != name
            surface = surface[len(AFTER_NAME) :] if after else surface
            if not surface or any(c.isspace() for c in surface) or surface.startswith(AFTER_NAME):
                raise RulesError(path, f"empty name or name with blanks: {surface!r}", entry=where)
            if surface in seen:
                raise RulesError(path, f"duplicate name {surface!r} (also {seen[surface]})", entry=where)
            seen[surface] = f"line {lineno}"
            entry = {"label": "ORG", "pattern": surface, "id": name, "org_type": org_type}
            out.append(MappingProxyType(entry | {"after": "1"} if after else entry))
    if not out:
        raise RulesError(path, "no names")
    return tuple(out)


DIVISION_LEVELS: tuple[str, ...] = ("province", "prefecture", "county")
DIVISION_COLUMNS = "code\tname\tlevel\tparent\tshort"


@dataclass(frozen=True)
class Division:
    code: str  # GB/T 2260, six digits
    name: str
    level: str  # province | prefecture | county
    parent: str | None
    short: tuple[str, ...]


@dataclass(frozen=True)
class Divisions:
    """rules/divisions.tsv, validated: every division once, by code, and every surface
    (full name or short form) with the codes it may mean (朝阳 is four divisions)."""

    by_code: Mapping[str, Division]
    by_surface: Mapping[str, tuple[str, ...]]  # surface -> codes, in file order
    max_chars: int

    def is_ancestor(self, code: str, of: str) -> bool:
        """Whether division `code` contains division `of` (or is it)."""
        while of:
            if of == code:
                return True
            of = self.by_code[of].parent or ""
        return False


def load_divisions(path: Path) -> Divisions:
    """China's administrative divisions: `#` comment lines, a header, then one division a
    line, tab-separated: code, name, level, parent code, short forms (comma-separated).
    A duplicate code, an empty name, a code that is not six digits, an unknown parent or
    level, or a short form of one character fails here, naming the line."""
    by_code: dict[str, Division] = {}
    lines_of: dict[str, int] = {}
    for lineno, fields in _tsv_rows(path, DIVISION_COLUMNS):
        where = f"line {lineno}"
        code, name, level, parent, short = fields
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise RulesError(path, f"bad code {code!r} (six digits)", entry=where)
        if code in by_code:
            raise RulesError(path, f"duplicate code {code} (first on line {lines_of[code]})", entry=where)
        if not name or name.strip() != name or any(c.isspace() for c in name):
            raise RulesError(path, f"empty name or name with blanks: {name!r}", entry=where)
        if level not in DIVISION_LEVELS:
            raise RulesError(path, f"level {level!r} is not one of {', '.join(DIVISION_LEVELS)}", entry=where)
        if (level == "province") != (parent == ""):
            raise RulesError(path, "a province has no parent; every other division has one", entry=where)
        if parent and parent not in by_code:
            raise RulesError(path, f"parent {parent!r} is not a division listed before", entry=where)
        shorts = tuple(short.split(",")) if short else ()
        bad = [s for s in shorts if len(s) < 2 or s == name or any(c.isspace() for c in s)]
        if bad or len(set(shorts)) != len(shorts):
            raise RulesError(path, f"bad or repeated short form in {short!r} (two characters at least, not the name)", entry=where)
        by_code[code] = Division(code=code, name=name, level=level, parent=parent or None, short=shorts)
        lines_of[code] = lineno
    if not by_code:
        raise RulesError(path, "no divisions")
    surfaces: dict[str, list[str]] = {}
    for d in by_code.values():
        for surface in (d.name, *d.short):
            codes = surfaces.setdefault(surface, [])
            if d.code not in codes:
                codes.append(d.code)
    return Divisions(
        by_code=MappingProxyType(by_code),
        by_surface=MappingProxyType({k: tuple(v) for k, v in surfaces.items()}),
        max_chars=max(map(len, surfaces)),
    )


@dataclass(frozen=True)
class PlaceOrgans:
    """rules/place_organs.toml, validated: organ heads that make a name after a division."""

    version: str
    party_prefixes: tuple[str, ...]
    committees: tuple[str, ...]  # longest first
    level_words: tuple[str, ...]  # longest first
    organs: Mapping[str, tuple[str, bool]]  # organ -> (org_type, may follow a bare level word)
    pattern: re.Pattern[str]  # compiled alternation of organs and committees, longest first (`re`: it scans a
    # literal alternation about 6x as fast as `regex`)


def load_place_organs(path: Path) -> PlaceOrgans:
    """Organ heads (departments, bodies) and committee words after a division's name."""
    data = read_toml(path)
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise RulesError(path, "missing version string", entry="version")
    organs: dict[str, tuple[str, bool]] = {}
    tables = data.get("organs", {})
    if set(tables) != {"departments", "bodies"}:
        raise RulesError(path, "expected tables organs.departments and organs.bodies", entry="organs")
    for kind in ("departments", "bodies"):
        for org_type in tables[kind]:
            if org_type not in ORG_TYPES:
                raise RulesError(path, f"unknown org_type (expected one of {', '.join(ORG_TYPES)})", entry=f"organs.{kind}.{org_type}")
            for organ in _words(path, data, f"organs.{kind}.{org_type}"):
                if organ in organs:
                    raise RulesError(path, f"organ {organ!r} is listed twice", entry=f"organs.{kind}.{org_type}")
                organs[organ] = (org_type, kind == "departments")
    committees = tuple(sorted(_words(path, data, "committees"), key=len, reverse=True))
    both = sorted(set(committees) & organs.keys())
    if both:
        raise RulesError(path, f"committee word {both[0]!r} is also an organ", entry="committees")
    surfaces = sorted({*organs, *committees}, key=lambda w: (-len(w), w))
    return PlaceOrgans(
        version=version,
        party_prefixes=tuple(sorted(_words(path, data, "party_prefixes"), key=len, reverse=True)),
        committees=committees,
        level_words=tuple(sorted(_words(path, data, "level_words"), key=len, reverse=True)),
        organs=MappingProxyType(organs),
        pattern=re.compile("|".join(map(re.escape, surfaces))),
    )


@dataclass(frozen=True)
class OrgPatterns:
    """rules/org_patterns.toml, validated. Word lists are frozensets; heads are
    (head, org_type) pairs, longest head first."""

    version: str
    heads: tuple[tuple[str, str], ...]
    heads_by_last: Mapping[str, tuple[tuple[str, str], ...]]  # last character -> heads, longest first
    weak_heads: frozenset[str]
    not_heads: frozenset[str]
    min_name_chars: int
    place_types: frozenset[str]
    max_tokens: int
    max_chars: int
    stops: frozenset[str]  # the stops list and the titles
    titles: frozenset[str]
    lead_tags: frozenset[str]
    counters: frozenset[str]
    rank_counters: frozenset[str]
    counter_numerals: frozenset[str]
    common_freq: int
    place_suffixes: tuple[str, ...]
    places: frozenset[str]
    not_places: frozenset[str]
    separators: frozenset[str]
    last_joiners: frozenset[str]
    min_item_chars: int
    max_item_chars: int
    list_nouns: Mapping[str, str]
    non_name_nouns: frozenset[str]
    neutral_nouns: frozenset[str]
    brand_endings: tuple[str, ...]
    generic: frozenset[str]
    non_name_ends: frozenset[str]
    modifiers: frozenset[str]
    predicate_tags: frozenset[str]
    media_cues: tuple[str, ...]  # longest first
    media_heads: tuple[str, ...]  # longest first
    media_lead_cues: tuple[str, ...]
    media_max_chars: int
    legal_suffixes: tuple[str, ...]  # longest first
    min_short_chars: int
    alias_markers: tuple[str, ...]  # longest first
    proper_max_freq: int
    noun_words: int
    site_endings: tuple[str, ...]
    agent_before: frozenset[str]
    agent_verbs: frozenset[str]
    parent_heads: tuple[str, ...]  # longest first
    unit_heads: tuple[str, ...]  # longest first

    def head_type(self, text: str) -> str | None:
        """The org_type of the longest head that `text` ends with, or None."""
        found = self.head_of(text)
        return found[1] if found else None

    def head_of(self, text: str) -> tuple[str, str] | None:
        """The longest (head, org_type) that `text` ends with, or None."""
        for head, org_type in self.heads_by_last.get(text[-1:], ()):
            if text.endswith(head):
                return head, org_type
        return None


def _words(path: Path, data: Mapping[str, Any], key: str) -> list[str]:
    """A list of distinct non-empty strings at dotted `key`."""
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise RulesError(path, "missing", entry=key)
        value = value[part]
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise RulesError(path, "expected a list of non-empty strings", entry=key)
    dup = sorted({w for w in value if value.count(w) > 1})
    if dup:
        raise RulesError(path, f"duplicate entries {', '.join(dup)}", entry=key)
    return value


def _int(path: Path, table: Mapping[str, Any], key: str, *, where: str) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise RulesError(path, "expected a positive integer", entry=f"{where}.{key}")
    return value


def load_org_patterns(path: Path) -> OrgPatterns:
    """Heads, name extension, list cues and generic phrases for organisations."""
    data = read_toml(path)
    heads: dict[str, str] = {}
    for org_type, words in data.get("heads", {}).items():
        if org_type not in ORG_TYPES:
            raise RulesError(path, f"unknown org_type (expected one of {', '.join(ORG_TYPES)})", entry=f"heads.{org_type}")
        for head in _words(path, data, f"heads.{org_type}"):
            if head in heads:
                raise RulesError(path, f"head {head!r} is listed under {heads[head]!r} and {org_type!r}", entry=f"heads.{org_type}")
            heads[head] = org_type
    if not heads:
        raise RulesError(path, "no heads", entry="heads")
    weak = _words(path, data, "head_rules.weak_heads")
    unknown = [w for w in weak if w not in heads]
    if unknown:
        raise RulesError(path, f"weak heads that are not heads: {', '.join(unknown)}", entry="head_rules.weak_heads")
    place_types = _words(path, data, "head_rules.place_types")
    bad = [t for t in place_types if t not in ORG_TYPES]
    if bad:
        raise RulesError(path, f"unknown org_type {', '.join(bad)}", entry="head_rules.place_types")
    nouns = data.get("lists", {}).get("nouns", {})
    for noun, org_type in nouns.items():
        if org_type not in ORG_TYPES:
            raise RulesError(path, f"unknown org_type {org_type!r}", entry=f"lists.nouns.{noun}")
    non_name_nouns = frozenset(_words(path, data, "lists.non_name_nouns"))
    both = sorted(non_name_nouns & nouns.keys())
    if both:
        raise RulesError(path, "noun is both an organisation noun and a non-name noun", entry=f"lists.non_name_nouns.{both[0]}")
    neutral_nouns = frozenset(_words(path, data, "lists.neutral_nouns"))
    both = sorted(neutral_nouns & (nouns.keys() | non_name_nouns))
    if both:
        raise RulesError(path, "a neutral noun is also an organisation or non-name noun", entry=f"lists.neutral_nouns.{both[0]}")
    stray = [h for h in _words(path, data, "nested.parent_heads") if h not in heads]
    if stray:
        raise RulesError(path, f"parent heads that are not heads: {', '.join(stray)}", entry="nested.parent_heads")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise RulesError(path, "missing version string", entry="version")
    lists, extend = data.get("lists", {}), data.get("extend", {})
    min_item, max_item = (_int(path, lists, k, where="lists") for k in ("min_item_chars", "max_item_chars"))
    if min_item > max_item:
        raise RulesError(path, "min_item_chars > max_item_chars", entry="lists")
    titles = frozenset(_words(path, data, "extend.titles"))
    media, document = data.get("media", {}), data.get("document", {})
    longest = functools.partial(sorted, key=lambda w: (-len(w), w))
    ordered = tuple(sorted(heads.items(), key=lambda kv: (-len(kv[0]), kv[0])))
    by_last: dict[str, list[tuple[str, str]]] = {}
    for head, org_type in ordered:
        by_last.setdefault(head[-1], []).append((head, org_type))
    return OrgPatterns(
        version=version,
        heads=ordered,
        heads_by_last=MappingProxyType({k: tuple(v) for k, v in by_last.items()}),
        weak_heads=frozenset(weak),
        not_heads=frozenset(_words(path, data, "head_rules.not_heads")),
        min_name_chars=_int(path, data.get("head_rules", {}), "min_name_chars", where="head_rules"),
        place_types=frozenset(place_types),
        max_tokens=_int(path, extend, "max_tokens", where="extend"),
        max_chars=_int(path, extend, "max_chars", where="extend"),
        stops=frozenset(_words(path, data, "extend.stops")) | titles,
        titles=titles,
        lead_tags=frozenset(_words(path, data, "extend.lead_tags")),
        counters=frozenset(_words(path, data, "extend.counters")),
        rank_counters=frozenset(_words(path, data, "extend.rank_counters")),
        counter_numerals=frozenset(_words(path, data, "extend.counter_numerals")),
        common_freq=_int(path, extend, "common_freq", where="extend"),
        place_suffixes=tuple(_words(path, data, "extend.place_suffixes")),
        places=frozenset(_words(path, data, "extend.places")),
        not_places=frozenset(_words(path, data, "extend.not_places")),
        separators=frozenset(_words(path, data, "lists.separators")),
        last_joiners=frozenset(_words(path, data, "lists.last_joiners")),
        min_item_chars=min_item,
        max_item_chars=max_item,
        list_nouns=MappingProxyType(dict(nouns)),
        non_name_nouns=non_name_nouns,
        neutral_nouns=neutral_nouns,
        brand_endings=tuple(sorted(_words(path, data, "lists.brand_endings"), key=lambda w: (-len(w), w))),
        generic=frozenset(_words(path, data, "generic.phrases")),
        non_name_ends=frozenset(_words(path, data, "generic.non_name_ends")),
        modifiers=frozenset(_words(path, data, "generic.modifiers")),
        predicate_tags=frozenset(_words(path, data, "generic.predicate_tags")),
        media_cues=tuple(longest(_words(path, data, "media.cues"))),
        media_heads=tuple(longest(_words(path, data, "media.heads"))),
        media_lead_cues=tuple(longest(_words(path, data, "media.lead_cues"))),
        media_max_chars=_int(path, media, "max_chars", where="media"),
        legal_suffixes=tuple(longest(_words(path, data, "document.legal_suffixes"))),
        min_short_chars=_int(path, document, "min_short_chars", where="document"),
        alias_markers=tuple(longest(_words(path, data, "document.alias_markers"))),
        proper_max_freq=_int(path, lists, "proper_max_freq", where="lists"),
        noun_words=_int(path, lists, "noun_words", where="lists"),
        site_endings=tuple(longest(_words(path, data, "lists.site_endings"))),
        agent_before=frozenset(_words(path, data, "agents.before")),
        agent_verbs=frozenset(_words(path, data, "agents.verbs")),
        parent_heads=tuple(longest(_words(path, data, "nested.parent_heads"))),
        unit_heads=tuple(longest(_words(path, data, "nested.unit_heads"))),
    )


def _decimal(path: Path, raw: Any, *, entry: str, positive: bool = True) -> Decimal:
    """A Decimal from a TOML string (never a float, which would not be exact)."""
    if not isinstance(raw, str):
        raise RulesError(path, f"expected a number written as a string, got {raw!r}", entry=entry)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise RulesError(path, f"not a number: {raw!r}", entry=entry) from None
    if not value.is_finite() or (positive and value <= 0):
        raise RulesError(path, f"expected a positive finite number, got {raw!r}", entry=entry)
    return value


def _str_list(path: Path, raw: Any, *, entry: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) and x for x in raw):
        raise RulesError(path, "expected a non-empty list of non-empty strings", entry=entry)
    if len(set(raw)) != len(raw):
        raise RulesError(path, "duplicate string in list", entry=entry)
    return tuple(raw)


def _char_map(path: Path, table: Any, *, entry: str, positive: bool = True) -> MappingProxyType:
    if not isinstance(table, dict) or not table:
        raise RulesError(path, "expected a non-empty table", entry=entry)
    out = {}
    for key, raw in table.items():
        if len(key) != 1:
            raise RulesError(path, f"expected one character, got {key!r}", entry=f"{entry}.{key}")
        out[key] = _decimal(path, raw, entry=f"{entry}.{key}", positive=positive)
    return MappingProxyType(out)


@dataclass(frozen=True)
class Numerals:
    """rules/numerals.toml: numeral characters and the marks around them."""

    digits: Mapping[str, Decimal]
    units: Mapping[str, Decimal]
    scales: Mapping[str, Decimal]
    text_scales: frozenset[str]  # scales the extractor reads in running text
    arabic_scales: Mapping[str, Decimal]
    expansions: Mapping[str, str]
    negative: tuple[str, ...]
    decimal_point: tuple[str, ...]
    thousands_separator: tuple[str, ...]
    vague_digit: tuple[str, ...]
    vague_more: tuple[str, ...]
    vague_lead: tuple[str, ...]
    not_in_sequence: frozenset[str]
    list_joiners: tuple[str, ...]
    half: str
    fraction: str
    mixed_fraction: str
    fold: Mapping[int, int]  # str.translate table, 1:1


def load_numerals(path: Path) -> Numerals:
    """Validate rules/numerals.toml: one-character keys, exact values, no character used twice."""
    data = read_toml(path)
    for section in ("digits", "units", "scales", "arabic_scales", "expansions", "marks", "fold"):
        if section not in data:
            raise RulesError(path, "missing table", entry=section)
    digits = _char_map(path, data["digits"], entry="digits", positive=False)
    if any(v != v.to_integral_value() or not 0 <= v <= 9 for v in digits.values()):
        raise RulesError(path, "digit values must be 0..9", entry="digits")
    units = _char_map(path, data["units"], entry="units")
    scales, text_scales = {}, set()
    for key, spec in data["scales"].items():
        entry = f"scales.{key}"
        if len(key) != 1 or not isinstance(spec, dict) or set(spec) - {"value", "in_text"}:
            raise RulesError(path, "expected one character = { value = \"...\", in_text = bool }", entry=entry)
        scales[key] = _decimal(path, spec.get("value"), entry=entry)
        if spec.get("in_text", True):
            text_scales.add(key)
    arabic_scales = _char_map(path, data["arabic_scales"], entry="arabic_scales")
    expansions = dict(data["expansions"])
    marks = data["marks"]
    fold = data["fold"]
    src, dst = fold.get("from", ""), fold.get("to", "")
    if not isinstance(src, str) or not isinstance(dst, str) or len(src) != len(dst) or len(set(src)) != len(src):
        raise RulesError(path, "`from` and `to` must be strings of equal length, `from` without repeats", entry="fold")
    numerals = Numerals(
        digits=digits,
        units=units,
        scales=MappingProxyType(scales),
        text_scales=frozenset(text_scales),
        arabic_scales=arabic_scales,
        expansions=MappingProxyType(expansions),
        negative=_str_list(path, marks.get("negative"), entry="marks.negative"),
        decimal_point=_str_list(path, marks.get("decimal_point"), entry="marks.decimal_point"),
        thousands_separator=_str_list(path, marks.get("thousands_separator"), entry="marks.thousands_separator"),
        vague_digit=_str_list(path, marks.get("vague_digit"), entry="marks.vague_digit"),
        vague_more=_str_list(path, marks.get("vague_more"), entry="marks.vague_more"),
        vague_lead=_str_list(path, marks.get("vague_lead"), entry="marks.vague_lead"),
        not_in_sequence=frozenset(marks.get("not_in_sequence", ())),
        list_joiners=_str_list(path, marks.get("list_joiners"), entry="marks.list_joiners"),
        half=str(marks.get("half", "")),
        fraction=str(marks.get("fraction", "")),
        mixed_fraction=str(marks.get("mixed_fraction", "")),
        fold=MappingProxyType(str.maketrans(src, dst)),
    )
    if not numerals.fraction or not numerals.mixed_fraction or len(numerals.half) != 1:
        raise RulesError(path, "`fraction`, `mixed_fraction` and a one-character `half` are required", entry="marks")
    if not numerals.not_in_sequence <= set(digits):
        raise RulesError(path, "`not_in_sequence` must list digits", entry="marks")
    for key, value in expansions.items():
        if len(key) != 1 or not isinstance(value, str) or not all(c in digits or c in units for c in value):
            raise RulesError(path, "expected one character = digits and units", entry=f"expansions.{key}")
    # A character must have one meaning: 两 cannot be both a digit and a unit.
    seen: dict[str, str] = {}
    for name in ("digits", "units", "scales", "expansions"):
        for key in getattr(numerals, name):
            if key in seen:
                raise RulesError(path, f"character also listed in {seen[key]}", entry=f"{name}.{key}")
            seen[key] = name
    return numerals


QUALIFIERS: tuple[str, ...] = ("exact", "approx", "over", "under")


def _factor(path: Path, raw: Any, *, entry: str) -> Decimal:
    """A positive exact factor; "10000/15" (the 亩) is a quotient, kept to 28 digits."""
    if isinstance(raw, str) and "/" in raw:
        num, _, den = raw.partition("/")
        a, b = _decimal(path, num, entry=entry), _decimal(path, den, entry=entry)
        with localcontext() as ctx:
            ctx.prec = 28
            return a / b
    return _decimal(path, raw, entry=entry)


@dataclass(frozen=True)
class UnitSpec:
    """One surface of a unit: 万元 is not one (万 is the number's); 亩 is."""

    surface: str
    unit: str
    dimension: str
    factor: Decimal
    generic: bool = False  # 元: a more specific currency next to it wins
    after_digits_only: bool = False  # 168cm, never 五m
    discount: bool = False  # 八折 is 80%
    trailing_digit: bool = False  # 七成六 is 7.6成
    ends_numeral: bool = False  # 三两: the unit is also the numeral's last character
    clause_words: tuple[str, ...] = ()  # 度 is kWh only in a clause about 电


@dataclass(frozen=True)
class RankRules:
    ordinal: str
    suffixes: tuple[str, ...]
    prefixes: tuple[str, ...]
    clause_end: str
    top: str
    top_suffixes: tuple[str, ...]
    moves: tuple[str, ...]
    move_suffixes: tuple[str, ...]


@dataclass(frozen=True)
class Units:
    """rules/units.toml, validated: every surface maps to exactly one unit."""

    suffixes: Mapping[str, UnitSpec]  # written after the number
    prefixes: Mapping[str, UnitSpec]  # written before it (￥, 人民币)
    subunits: Mapping[str, Mapping[str, Decimal]]  # unit -> {surface: factor of the unit}
    counts: frozenset[str]
    article_numerals: frozenset[str]
    fixed: Mapping[str, tuple[Decimal, str, str]]  # surface -> (value, unit, dimension)
    rank: RankRules
    dimensions: frozenset[str]
    context_unit: str
    context_window: int
    context_words: tuple[str, ...]
    unit_words_blocked: frozenset[str]


def load_units(path: Path) -> Units:
    """Validate rules/units.toml: known dimensions, positive factors, no surface claimed twice."""
    data = read_toml(path)
    dimensions = frozenset(data.get("dimensions", {}))
    if not dimensions:
        raise RulesError(path, "missing or empty table", entry="dimensions")
    suffixes: dict[str, UnitSpec] = {}
    prefixes: dict[str, UnitSpec] = {}
    subunits: dict[str, dict[str, Decimal]] = {}
    allowed = {"unit", "dimension", "factor", "surfaces", "prefix_surfaces", "subunits", "generic", "after_digits_only", "discount", "trailing_digit", "ends_numeral", "clause_words"}
    for i, spec in enumerate(data.get("unit", [])):
        entry = f"unit[{i}] {spec.get('unit', '?')}"
        if set(spec) - allowed:
            raise RulesError(path, f"unknown keys {sorted(set(spec) - allowed)}", entry=entry)
        unit, dimension = spec.get("unit"), spec.get("dimension")
        if not isinstance(unit, str) or not unit:
            raise RulesError(path, "missing `unit`", entry=entry)
        if dimension not in dimensions:
            raise RulesError(path, f"dimension {dimension!r} is not in [dimensions]", entry=entry)
        factor = _factor(path, spec.get("factor"), entry=entry)
        for key, table in (("surfaces", suffixes), ("prefix_surfaces", prefixes)):
            if key not in spec and key == "prefix_surfaces":
                continue
            for surface in _str_list(path, spec.get(key), entry=f"{entry}.{key}"):
                if surface in table:
                    raise RulesError(path, f"surface {surface!r} already belongs to {table[surface].unit}", entry=entry)
                table[surface] = UnitSpec(
                    surface=surface, unit=unit, dimension=dimension, factor=factor,
                    generic=bool(spec.get("generic", False)),
                    after_digits_only=bool(spec.get("after_digits_only", False)),
                    discount=bool(spec.get("discount", False)),
                    trailing_digit=bool(spec.get("trailing_digit", False)),
                    ends_numeral=bool(spec.get("ends_numeral", False)),
                    clause_words=tuple(_str_list(path, spec["clause_words"], entry=f"{entry}.clause_words"))
                    if "clause_words" in spec else (),
                )
        for surface, raw in spec.get("subunits", {}).items():
            subunits.setdefault(unit, {})[surface] = _factor(path, raw, entry=f"{entry}.subunits.{surface}")
    counts_data = data.get("counts", {})
    counts = _str_list(path, counts_data.get("classifiers"), entry="counts.classifiers")
    for surface in counts:
        if surface in suffixes:
            raise RulesError(path, f"classifier {surface!r} is also a surface of {suffixes[surface].unit}", entry="counts")
    if "count" not in dimensions or "rank" not in dimensions:
        raise RulesError(path, "dimensions `count` and `rank` are required", entry="dimensions")
    fixed = {}
    for i, spec in enumerate(data.get("fixed", [])):
        entry = f"fixed[{i}] {spec.get('surface', '?')}"
        if spec.get("dimension") not in dimensions or not spec.get("surface") or not spec.get("unit"):
            raise RulesError(path, "needs surface, unit and a known dimension", entry=entry)
        fixed[spec["surface"]] = (_decimal(path, spec.get("value"), entry=entry), spec["unit"], spec["dimension"])
    r = data.get("rank", {})
    try:
        rank = RankRules(
            ordinal=r["ordinal"], suffixes=tuple(r["suffixes"]), prefixes=tuple(r["prefixes"]),
            clause_end=r["clause_end"], top=r["top"], top_suffixes=tuple(r["top_suffixes"]),
            moves=tuple(r["moves"]), move_suffixes=tuple(r["move_suffixes"]),
        )
    except KeyError as exc:
        raise RulesError(path, f"missing key {exc}", entry="rank") from None
    ctx = data.get("currency_context", {})
    if ctx.get("unit") not in {u.unit for u in suffixes.values()} or not isinstance(ctx.get("window"), int):
        raise RulesError(path, "needs a known `unit` and an integer `window`", entry="currency_context")
    return Units(
        suffixes=MappingProxyType(suffixes),
        prefixes=MappingProxyType(prefixes),
        subunits=freeze(subunits),
        counts=frozenset(counts),
        article_numerals=frozenset(counts_data.get("article_numerals", ())),
        fixed=MappingProxyType(fixed),
        rank=rank,
        dimensions=dimensions,
        context_unit=ctx["unit"],
        context_window=ctx["window"],
        context_words=_str_list(path, ctx.get("words"), entry="currency_context.words"),
        unit_words_blocked=frozenset(
            _str_list(path, data.get("boundaries", {}).get("unit_words_blocked"), entry="boundaries.unit_words_blocked")
        ),
    )


@dataclass(frozen=True)
class Qualifiers:
    """rules/qualifiers.toml: word -> qualifier, before and after the quantity."""

    before: Mapping[str, str]
    after: Mapping[str, str]
    words_blocked: frozenset[str] = frozenset()  # words a qualifier character may end


def load_qualifiers(path: Path) -> Qualifiers:
    """Validate rules/qualifiers.toml: known qualifiers, no word with two meanings."""
    data = read_toml(path)
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    blocked = frozenset(_str_list(path, data.pop("words_blocked", ["-"]), entry="words_blocked"))
    for qualifier, table in data.items():
        if qualifier not in QUALIFIERS or qualifier == "exact":
            raise RulesError(path, f"unknown qualifier (expected one of {QUALIFIERS[1:]})", entry=qualifier)
        if set(table) - {"before", "after"}:
            raise RulesError(path, "expected keys `before` and `after`", entry=qualifier)
        for position, out in (("before", before), ("after", after)):
            for word in _str_list(path, table.get(position), entry=f"{qualifier}.{position}"):
                if word in out:
                    raise RulesError(path, f"{word!r} is already {out[word]!r}", entry=f"{qualifier}.{position}")
                out[word] = qualifier
    return Qualifiers(before=MappingProxyType(before), after=MappingProxyType(after), words_blocked=blocked)


@dataclass(frozen=True)
class Exclusion:
    name: str
    pattern: Any  # compiled `regex` pattern
    drop: str  # overlap | inside
    examples: tuple[str, ...] = ()


def load_exclusions(path: Path) -> tuple[Exclusion, ...]:
    """Validate rules/quantity_exclusions.toml: named, compilable patterns."""
    data = read_toml(path)
    out = []
    names = set()
    for i, spec in enumerate(data.get("pattern", [])):
        name = spec.get("name")
        entry = f"pattern[{i}] {name}"
        if not name or name in names or not spec.get("why"):
            raise RulesError(path, "every pattern needs a unique `name` and a `why`", entry=entry)
        names.add(name)
        drop = spec.get("drop", "overlap")
        if drop not in ("overlap", "inside"):
            raise RulesError(path, "`drop` is overlap or inside", entry=entry)
        try:
            pattern = regex.compile(spec.get("regex", ""))
        except regex.error as exc:
            raise RulesError(path, f"bad regex: {exc}", entry=entry) from None
        if pattern.pattern == "" or pattern.search("") is not None:
            raise RulesError(path, "the regex matches the empty string", entry=entry)
        examples = _str_list(path, spec.get("examples"), entry=f"{entry}.examples")
        out.append(Exclusion(name=name, pattern=pattern, drop=drop, examples=examples))
    return tuple(out)


@dataclass(frozen=True, eq=False)
class TimesRules:
    """rules/times.toml, validated (see that file for what each table means)."""

    version: str
    digits: MappingProxyType  # surface -> 0..9
    plans: MappingProxyType  # 十四五 -> (2021, 2025)
    plan_suffixes: MappingProxyType  # 期间 -> whole | first | last
    relative_years: MappingProxyType  # 去年 -> (-1, -1, "article"): first, last offset, anchor
    relative_quarters: MappingProxyType  # 上季度 -> -1
    relative_months: MappingProxyType  # 上月 -> (-1, "article")
    same_period: MappingProxyType  # words: (同期,), bare_after: (比, 较, 与)
    year_parts: MappingProxyType  # 上半年 -> ((1, 6), "half")
    edges: MappingProxyType  # 底 -> last
    month_parts: MappingProxyType  # 上旬 -> (1, 10): days of a month (31: to its end)
    windows: MappingProxyType  # 近 -> past
    joiners: tuple[str, ...]
    calendar: MappingProxyType  # [calendar.*]: see `_calendar`
    spoken_year_not_with: frozenset[str]  # 两: 三两年 is a duration, not the year '32
    spoken_year_not_before: tuple[str, ...]  # 级: 一三年级 is a school grade


_TIME_GRANULARITIES = ("day", "month", "quarter", "half", "year", "plan")


def _table(path: Path, data: dict[str, Any], name: str) -> dict[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict) or not table:
        raise RulesError(path, f"missing or empty table [{name}]", entry=name)
    for key in table:
        if not key or key != key.strip():
            raise RulesError(path, f"empty or padded surface {key!r}", entry=name)
    return table


def _choice(path: Path, entry: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise RulesError(path, f"expected one of {allowed}, got {value!r}", entry=entry)
    return value


def _int_pair(path: Path, entry: str, value: Any, *, low: int, high: int) -> tuple[int, int]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and low <= value[0] <= value[1] <= high
    )
    if not ok:
        raise RulesError(path, f"expected [first, last] with {low} <= first <= last <= {high}, got {value!r}", entry=entry)
    return (value[0], value[1])


def _offsets(path: Path, data: dict[str, Any], name: str, *, limit: int) -> dict[str, int]:
    """A table of word = integer offset within -limit..limit."""
    out = {}
    for word, offset in _table(path, data, name).items():
        if not isinstance(offset, int) or isinstance(offset, bool) or not -limit <= offset <= limit:
            raise RulesError(path, f"offset must be an integer -{limit}..{limit}, got {offset!r}", entry=f"{name}.{word}")
        out[word] = offset
    return out


def _anchored(path: Path, data: dict[str, Any], name: str, *, limit: int, with_last: bool) -> dict[str, tuple[int, int, str]]:
    """A table of word = { offset = N, [last = M,] anchor = "article" | "context" }, as
    (offset, last, anchor); `last` (several years, 今明两年) only when `with_last`."""
    out = {}
    keys = {"offset", "last", "anchor"} if with_last else {"offset", "anchor"}
    for word, spec in _table(path, data, name).items():
        entry = f"{name}.{word}"
        if not isinstance(spec, dict) or not {"offset", "anchor"} <= set(spec) <= keys:
            raise RulesError(path, f"expected {{ {', '.join(sorted(keys))} }}", entry=entry)
        offset, last = spec["offset"], spec.get("last", spec["offset"])
        for value in (offset, last):
            if not isinstance(value, int) or isinstance(value, bool) or not -limit <= value <= limit:
                raise RulesError(path, f"offsets must be integers -{limit}..{limit}, got {value!r}", entry=entry)
        if last < offset:
            raise RulesError(path, f"last ({last}) is before offset ({offset})", entry=entry)
        out[word] = (offset, last, _choice(path, entry, spec["anchor"], ("article", "context")))
    return out


def load_times(path: Path) -> TimesRules:
    """rules/times.toml: digits, plan periods, relative year, quarter and month words, parts and
    edges of a year, parts of a month (上旬), windows (近三年) and range joiners. Every surface is claimed once."""
    data = read_toml(path)
    known = {"version", "digits", "plans", "plan_suffixes", "relative_years", "relative_quarters", "relative_months",
             "same_period", "year_parts", "edges", "month_parts", "windows", "range", "calendar", "spoken_years"}
    for key in data:
        if key not in known:
            raise RulesError(path, f"unknown table or key {key!r}", entry=key)
    version = data.get("version")
    if not isinstance(version, str) or not version.startswith("times."):
        raise RulesError(path, f"version must be a string like 'times.v1', got {version!r}", entry="version")
    digits = {}
    for surface, value in _table(path, data, "digits").items():
        if len(surface) != 1 or not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
            raise RulesError(path, f"a digit is one character with a value 0..9, got {surface!r} = {value!r}", entry=f"digits.{surface}")
        digits[surface] = value
    plans = {}
    for name, years in _table(path, data, "plans").items():
        first, last = _int_pair(path, f"plans.{name}", years, low=1950, high=2100)
        if last - first != 4:
            raise RulesError(path, f"a five-year plan spans five years, got {years!r}", entry=f"plans.{name}")
        plans[name] = (first, last)
    plan_suffixes = {
        k: _choice(path, f"plan_suffixes.{k}", v, ("whole", "first", "last"))
        for k, v in _table(path, data, "plan_suffixes").items()
    }
    relative_years = _anchored(path, data, "relative_years", limit=10, with_last=True)
    relative_quarters = _offsets(path, data, "relative_quarters", limit=8)
    relative_months = {
        word: (first, anchor)
        for word, (first, _, anchor) in _anchored(path, data, "relative_months", limit=24, with_last=False).items()
    }
    table = _table(path, data, "same_period")
    same_period = {}
    for key in ("words", "bare_after"):
        values = table.get(key)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() == v and v for v in values):
            raise RulesError(path, f"{key} must be a non-empty list of words", entry=f"same_period.{key}")
        same_period[key] = tuple(values)
    if set(table) != {"words", "bare_after"}:
        raise RulesError(path, "expected only words and bare_after", entry="same_period")
    year_parts = {}
    for word, spec in _table(path, data, "year_parts").items():
        entry = f"year_parts.{word}"
        if not isinstance(spec, dict) or set(spec) != {"months", "granularity"}:
            raise RulesError(path, "expected { months = [first, last], granularity = ... }", entry=entry)
        months = _int_pair(path, entry, spec["months"], low=1, high=12)
        year_parts[word] = (months, _choice(path, entry, spec["granularity"], _TIME_GRANULARITIES))
    edges = {k: _choice(path, f"edges.{k}", v, ("first", "last")) for k, v in _table(path, data, "edges").items()}
    month_parts = {k: _int_pair(path, f"month_parts.{k}", v, low=1, high=31) for k, v in _table(path, data, "month_parts").items()}
    windows = {k: _choice(path, f"windows.{k}", v, ("past", "future")) for k, v in _table(path, data, "windows").items()}
    joiners = _table(path, data, "range").get("joiners")
    if not isinstance(joiners, list) or not joiners or not all(isinstance(j, str) and j for j in joiners):
        raise RulesError(path, "joiners must be a non-empty list of non-empty strings", entry="range.joiners")
    if len(set(joiners)) != len(joiners):
        raise RulesError(path, "duplicate joiner", entry="range.joiners")
    words: dict[str, str] = {}
    for table_name, table in (
        ("plans", plans), ("relative_years", relative_years), ("relative_quarters", relative_quarters),
        ("relative_months", relative_months),
        ("same_period", dict.fromkeys(same_period["words"])), ("year_parts", year_parts), ("month_parts", month_parts),
    ):
        for word in table:
            if word in words:
                raise RulesError(path, f"{word!r} is claimed by [{words[word]}] and [{table_name}]", entry=f"{table_name}.{word}")
            words[word] = table_name
    return TimesRules(
        version=version,
        digits=MappingProxyType(digits),
        plans=MappingProxyType(plans),
        plan_suffixes=MappingProxyType(plan_suffixes),
        relative_years=MappingProxyType(relative_years),
        relative_quarters=MappingProxyType(relative_quarters),
        relative_months=MappingProxyType(relative_months),
        same_period=MappingProxyType(same_period),
        year_parts=MappingProxyType(year_parts),
        edges=MappingProxyType(edges),
        month_parts=MappingProxyType(month_parts),
        windows=MappingProxyType(windows),
        joiners=tuple(joiners),
        calendar=_calendar(path, data.get("calendar", {})),
        spoken_year_not_with=_spoken_year_not_with(path, data, digits),
        spoken_year_not_before=_word_list(path, _table(path, data, "spoken_years"), "not_before", entry="spoken_years"),
    )


def _spoken_year_not_with(path: Path, data: dict[str, Any], digits: dict[str, int]) -> frozenset[str]:
    """[spoken_years] not_with: digits that make a two-digit 年 a duration (三两年)."""
    words = _word_list(path, _table(path, data, "spoken_years"), "not_with", entry="spoken_years")
    unknown = [w for w in words if w not in digits]
    if unknown:
        raise RulesError(path, f"not_with {unknown} are not in [digits]", entry="spoken_years")
    return frozenset(words)


def _calendar(path: Path, data: dict[str, Any]) -> MappingProxyType:
    """[calendar.*] of rules/times.toml: day, week, festival, lunar and decade words."""
    known = {"relative_days", "figurative_after", "relative_weeks", "weekdays", "day_windows", "centuries",
             "period_edges", "festivals", "lunar", "since", "ago"}
    if set(data) - known:
        raise RulesError(path, f"unknown tables {sorted(set(data) - known)}", entry="calendar")
    missing = known - set(data)
    if missing:
        raise RulesError(path, f"missing tables {sorted(missing)}", entry="calendar")
    out: dict[str, Any] = {
        "relative_days": _offsets(path, data, "relative_days", limit=7),
        "figurative_after": _word_list(path, data["figurative_after"], "words", entry="calendar.figurative_after"),
        "relative_weeks": _offsets(path, data, "relative_weeks", limit=4),
        "weekdays": {k: _int_pair(path, f"calendar.weekdays.{k}", v, low=1, high=7) for k, v in _table(path, data, "weekdays").items()},
        "day_windows": {k: _choice(path, f"calendar.day_windows.{k}", v, ("past", "future")) for k, v in _table(path, data, "day_windows").items()},
    }
    centuries = {}
    for word, year in _table(path, data, "centuries").items():
        if not isinstance(year, int) or isinstance(year, bool) or year % 100:
            raise RulesError(path, f"a century is its first year (1900), got {year!r}", entry=f"calendar.centuries.{word}")
        centuries[word] = year
    out["centuries"] = centuries
    edges = {}
    for word, spec in _table(path, data, "period_edges").items():
        entry = f"calendar.period_edges.{word}"
        if not isinstance(spec, dict) or spec.get("of") not in ("year", "quarter", "month") or set(spec) - {"of", "months", "edge", "days"}:
            raise RulesError(path, "expected { of = year|quarter|month, and months, edge or days }", entry=entry)
        edges[word] = {
            "of": spec["of"],
            "months": _int_pair(path, entry, spec["months"], low=1, high=12) if "months" in spec else None,
            "edge": _choice(path, entry, spec["edge"], ("first", "last")) if "edge" in spec else None,
            "days": _int_pair(path, entry, spec["days"], low=1, high=31) if "days" in spec else None,
        }
    out["period_edges"] = edges
    festivals = {}
    for word, spec in _table(path, data, "festivals").items():
        entry = f"calendar.festivals.{word}"
        kinds = [k for k in ("lunar", "solar") if isinstance(spec, dict) and k in spec]
        if len(kinds) != 1 or set(spec) - {"lunar", "solar", "days", "after"}:
            raise RulesError(path, "expected exactly one of lunar/solar = [month, day], and optional days, after", entry=entry)
        pair = spec[kinds[0]]
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, int) for x in pair)
                and 1 <= pair[0] <= 12 and 1 <= pair[1] <= 31):
            raise RulesError(path, f"expected [month 1..12, day 1..31], got {pair!r}", entry=entry)
        month, day = pair
        days = spec.get("days", 0)
        if not isinstance(days, int) or isinstance(days, bool) or abs(days) > 7:
            raise RulesError(path, f"days must be an integer -7..7, got {days!r}", entry=entry)
        after = _word_list(path, spec, "after", entry=entry) if "after" in spec else ()
        festivals[word] = {"calendar": kinds[0], "month": month, "day": day, "days": days, "after": after}
    out["festivals"] = festivals
    lunar = _table(path, data, "lunar")
    months = lunar.get("months")
    if not isinstance(months, dict) or not months or not all(isinstance(v, int) and 1 <= v <= 12 for v in months.values()):
        raise RulesError(path, "months must map month words to 1..12", entry="calendar.lunar.months")
    bare = _word_list(path, lunar, "bare_months", entry="calendar.lunar")
    if set(bare) - set(months):
        raise RulesError(path, f"bare_months {sorted(set(bare) - set(months))} are not in months", entry="calendar.lunar")
    prefix = lunar.get("day_prefix")
    if not isinstance(prefix, str) or not prefix:
        raise RulesError(path, "day_prefix must be a non-empty string", entry="calendar.lunar")
    out["lunar"] = {
        "prefixes": _word_list(path, lunar, "prefixes", entry="calendar.lunar"), "months": months,
        "bare_months": bare, "day_prefix": prefix, "twenty": _word_list(path, lunar, "twenty", entry="calendar.lunar"),
    }
    since, ago = data["since"], data["ago"]
    out["since"] = {"after": _word_list(path, since, "after", entry="calendar.since"),
                    "verbs": _word_list(path, since, "verbs", entry="calendar.since"),
                    "verb_before": _word_list(path, since, "verb_before", entry="calendar.since")}
    if set(out["since"]["verbs"]) - set(out["since"]["after"]):
        raise RulesError(path, "every word of verbs must be in after", entry="calendar.since")
    out["ago"] = {"after": _word_list(path, ago, "after", entry="calendar.ago")}
    return freeze(out)


def _word_list(path: Path, table: Any, key: str, *, entry: str) -> tuple[str, ...]:
    """A non-empty list of distinct non-blank strings at `table[key]`."""
    words = table.get(key) if isinstance(table, dict) else None
    if not isinstance(words, list) or not words:
        raise RulesError(path, f"{key!r} must be a non-empty list of strings", entry=entry)
    seen: set[str] = set()
    for w in words:
        if not isinstance(w, str) or not w.strip() or w != w.strip():
            raise RulesError(path, f"{key!r} holds a blank or padded entry {w!r}", entry=entry)
        if w in seen:
            raise RulesError(path, f"{key!r} lists {w!r} twice", entry=entry)
        seen.add(w)
    return tuple(words)


@dataclass(frozen=True)
class Indicators:
    """rules/indicators.toml: surface -> indicator id (variants expanded), and phrase context words."""

    surfaces: Any  # Mapping[str, str], read-only
    context: Any  # Mapping[str, tuple[str, ...]], read-only

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.surfaces.values())


INDICATOR_CONTEXT_KEYS = (
    "lead", "pivot", "trail", "right_stop", "prefer_right", "hedges", "joiners", "skip_units", "per_before",
    "attributive_after", "bounds", "share_markers", "generic_places", "place_suffix", "named_heads", "head_counters",
    "base_fillers", "rate_durations", "enumeration_nouns", "fixed_terms", "copulas",
)


def load_indicators(path: Path) -> Indicators:
    """Validate the indicator lexicon; every surface names exactly one indicator id."""
    data = read_toml(path)
    prefixes = _word_list(path, data.get("variants", {}), "above_scale", entry="variants")
    context = {k: _word_list(path, data.get("context", {}), k, entry="context") for k in INDICATOR_CONTEXT_KEYS}
    table = data.get("indicator")
    if not isinstance(table, dict) or not table:
        raise RulesError(path, "no [indicator.<id>] tables")
    surfaces: dict[str, str] = {}

    def claim(surface: str, ind_id: str) -> None:
        if surface in surfaces and surfaces[surface] != ind_id:
            raise RulesError(path, f"surface {surface!r} also belongs to {surfaces[surface]!r}", entry=f"indicator.{ind_id}")
        surfaces[surface] = ind_id

    for ind_id, entry in table.items():
        where = f"indicator.{ind_id}"
        if not ind_id.isidentifier() or ind_id != ind_id.lower():
            raise RulesError(path, "ids are lower-case identifiers", entry=where)
        unknown = set(entry) - {"surfaces", "above_scale"}
        if unknown:
            raise RulesError(path, f"unknown keys {sorted(unknown)}", entry=where)
        scaled = entry.get("above_scale", False)
        if not isinstance(scaled, bool):
            raise RulesError(path, "above_scale must be true or false", entry=where)
        for surface in _word_list(path, entry, "surfaces", entry=where):
            claim(surface, ind_id)
    # Variants after every plain surface, so a listed 规上工业企业 keeps its own id.
    for ind_id, entry in table.items():
        if entry.get("above_scale"):
            for surface in entry["surfaces"]:
                for prefix in prefixes:
                    if prefix + surface not in surfaces:
                        claim(prefix + surface, f"{ind_id}_above_scale")
    return Indicators(surfaces=freeze(surfaces), context=freeze(context))


COMPARATORS = (">=", ">", "<=", "<", "=")
GOAL_TRIGGER_KEYS = ("words", "future_only", "unless_past", "noun_like", "blockers", "qualitative", "after", "time_prefixes", "phrases", "fact_markers")
GOAL_CHANGE_KEYS = ("up", "down", "bases", "openers", "not_openers", "links", "span_to", "span_from", "span_verbs", "span_now", "respectively", "rank_moves")


@dataclass(frozen=True)
class GoalRules:
    """rules/goals.toml: triggers, horizon words, comparator words, change words."""

    triggers: Any  # Mapping[str, tuple[str, ...]]
    horizon_before: tuple[str, ...]
    comparators: Any  # Mapping[surface, comparator], read-only
    changes: Any  # Mapping[str, tuple[str, ...]]
    stop_words: tuple[str, ...] = ()  # [frames]: words that end a plan sentence's paragraph scope
    frame_openers: tuple[str, ...] = ()  # [frames]: words that let a plan sentence scope its paragraph
    current_year: tuple[str, ...] = ()  # [deadlines]: words that give a target the article's year


def load_goals(path: Path) -> GoalRules:
    """Validate goal triggers and comparators; subsets must name listed triggers."""
    data = read_toml(path)
    trig = data.get("triggers", {})
    triggers = {k: _word_list(path, trig, k, entry="triggers") for k in GOAL_TRIGGER_KEYS}
    for key in ("future_only", "unless_past", "noun_like", "qualitative"):
        stray = set(triggers[key]) - set(triggers["words"])
        if stray:
            raise RulesError(path, f"{key} names words missing from triggers.words: {sorted(stray)}", entry="triggers")
    comparators: dict[str, str] = {}
    table = data.get("comparators", {})
    unknown = set(table) - set(COMPARATORS)
    if unknown:
        raise RulesError(path, f"unknown comparators {sorted(unknown)}", entry="comparators")
    for comp in table:
        for word in _word_list(path, table, comp, entry=f"comparators.{comp}"):
            if word in comparators:
                raise RulesError(path, f"{word!r} is both {comparators[word]!r} and {comp!r}", entry="comparators")
            comparators[word] = comp
    changes = {k: _word_list(path, data.get("changes", {}), k, entry="changes") for k in GOAL_CHANGE_KEYS}
    both = set(changes["up"]) & set(changes["down"])
    if both:
        raise RulesError(path, f"words both up and down: {sorted(both)}", entry="changes")
    loose = [w for w in changes["not_openers"] if not any(o in w for o in changes["openers"])]
    if loose:
        raise RulesError(path, f"not_openers hold no opener: {loose}", entry="changes")
    return GoalRules(
        triggers=freeze(triggers),
        horizon_before=_word_list(path, data.get("horizon", {}), "before", entry="horizon"),
        comparators=freeze(comparators),
        changes=freeze(changes),
        stop_words=_word_list(path, data.get("frames", {}), "stop_words", entry="frames"),
        frame_openers=_word_list(path, data.get("frames", {}), "openers", entry="frames"),
        current_year=_word_list(path, data.get("deadlines", {}), "current_year", entry="deadlines"),
    )


FRAME_PERIOD_KEYS = ("since_after", "point_before", "point_end", "metadata")


@dataclass(frozen=True)
class FrameRules:
    """rules/frames.toml: section heading markers, words about periods, stock and flow heads."""

    section_markers: Any  # compiled regex: any marker, at a line's start
    section_max_length: int
    periods: Any  # Mapping[str, tuple[str, ...]]
    kinds: Any  # Mapping[head word, "stock" | "flow"], read-only


def load_frames(path: Path) -> FrameRules:
    """Validate frames.toml; every marker compiles and no head is both a stock and a flow."""
    data = read_toml(path)
    sections = data.get("sections", {})
    markers = _word_list(path, sections, "markers", entry="sections")
    for m in markers:
        try:
            regex.compile(m)
        except regex.error as e:
            raise RulesError(path, f"marker {m!r} is no regular expression: {e}", entry="sections") from None
    length = _int(path, sections, "max_length", where="sections")
    periods = {k: _word_list(path, data.get("periods", {}), k, entry="periods") for k in FRAME_PERIOD_KEYS}
    kinds: dict[str, str] = {}
    for kind in ("stock", "flow"):
        for word in _word_list(path, data.get("stocks", {}), kind, entry=f"stocks.{kind}"):
            if word in kinds:
                raise RulesError(path, f"{word!r} is both a stock and a flow", entry=f"stocks.{kind}")
            kinds[word] = kind
    return FrameRules(
        section_markers=regex.compile("|".join(f"(?:{m})" for m in markers)),
        section_max_length=length,
        periods=freeze(periods),
        kinds=freeze(kinds),
    )


@dataclass(frozen=True)
class Rules:
    """Everything in rules/, validated. Pass it explicitly; never mutate it."""

    root: Path
    sha256: str
    userdict: tuple[tuple[str, int | None, str | None], ...]
    organizations: tuple[Mapping[str, str], ...]  # organizations.jsonl, then KNOWN_NAME_FILES
    org_patterns: OrgPatterns
    divisions: Divisions
    place_organs: PlaceOrgans
    numerals: Numerals
    units: Units
    qualifiers: Qualifiers
    quantity_exclusions: tuple[Exclusion, ...]
    times: TimesRules
    indicators: Indicators
    goals: GoalRules
    frames: FrameRules


def rules_hash(root: Path) -> str:
    """sha256 over every file in rules/ (names and bytes), for the manifest and caches."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


KNOWN_NAME_FILES = ("central_organs.tsv", "enterprises.tsv", "listed_companies.tsv", "brands.tsv")


def known_names(root: Path, organizations: tuple[Mapping[str, str], ...]) -> tuple[Mapping[str, str], ...]:
    """organizations.jsonl's entries, then those of each file of facts, no surface twice."""
    out = organizations
    for name in KNOWN_NAME_FILES:
        out = out + load_known_names(root / name, known=out)
    return out


@functools.lru_cache(maxsize=8)
def _load(root: Path) -> Rules:
    if not root.is_dir():
        raise RulesError(root, "rules folder not found")
    organizations = load_organizations(root / "organizations.jsonl")
    return Rules(
        root=root,
        sha256=rules_hash(root),
        userdict=load_userdict(root / "userdict.txt"),
        organizations=known_names(root, organizations),
        org_patterns=load_org_patterns(root / "org_patterns.toml"),
        divisions=load_divisions(root / "divisions.tsv"),
        place_organs=load_place_organs(root / "place_organs.toml"),
        indicators=load_indicators(root / "indicators.toml"),
        goals=load_goals(root / "goals.toml"),
        frames=load_frames(root / "frames.toml"),
        numerals=load_numerals(root / "numerals.toml"),
        units=load_units(root / "units.toml"),
        qualifiers=load_qualifiers(root / "qualifiers.toml"),
        quantity_exclusions=load_exclusions(root / "quantity_exclusions.toml"),
        times=load_times(root / "times.toml"),
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate rules/ (default: `default_rules_dir()`), once per folder."""
    return _load(Path(path).resolve() if path else default_rules_dir().resolve())


__all__ = [
    "Rules", "RulesError", "OrgPatterns", "Divisions", "Division", "PlaceOrgans", "load_known_names", "ORG_TYPES",
    "TimesRules", "load_times", "FrameRules", "load_frames",
    "load_rules", "default_rules_dir", "read_toml", "freeze",
]
