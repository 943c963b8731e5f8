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
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

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


@dataclass(frozen=True)
class OrgPatterns:
    """rules/org_patterns.toml, validated. Word lists are frozensets; heads are
    (head, org_type) pairs, longest head first."""

    version: str
    heads: tuple[tuple[str, str], ...]
    weak_heads: frozenset[str]
    not_heads: frozenset[str]
    min_name_chars: int
    place_types: frozenset[str]
    max_tokens: int
    max_chars: int
    stops: frozenset[str]
    place_suffixes: tuple[str, ...]
    places: frozenset[str]
    separators: frozenset[str]
    last_joiners: frozenset[str]
    min_item_chars: int
    max_item_chars: int
    list_nouns: Mapping[str, str]
    generic: frozenset[str]
    modifiers: frozenset[str]

    def head_type(self, text: str) -> str | None:
        """The org_type of the longest head that `text` ends with, or None."""
        for head, org_type in self.heads:
            if text.endswith(head):
                return org_type
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
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise RulesError(path, "missing version string", entry="version")
    lists, extend = data.get("lists", {}), data.get("extend", {})
    min_item, max_item = (_int(path, lists, k, where="lists") for k in ("min_item_chars", "max_item_chars"))
    if min_item > max_item:
        raise RulesError(path, "min_item_chars > max_item_chars", entry="lists")
    return OrgPatterns(
        version=version,
        heads=tuple(sorted(heads.items(), key=lambda kv: (-len(kv[0]), kv[0]))),
        weak_heads=frozenset(weak),
        not_heads=frozenset(_words(path, data, "head_rules.not_heads")),
        min_name_chars=_int(path, data.get("head_rules", {}), "min_name_chars", where="head_rules"),
        place_types=frozenset(place_types),
        max_tokens=_int(path, extend, "max_tokens", where="extend"),
        max_chars=_int(path, extend, "max_chars", where="extend"),
        stops=frozenset(_words(path, data, "extend.stops")),
        place_suffixes=tuple(_words(path, data, "extend.place_suffixes")),
        places=frozenset(_words(path, data, "extend.places")),
        separators=frozenset(_words(path, data, "lists.separators")),
        last_joiners=frozenset(_words(path, data, "lists.last_joiners")),
        min_item_chars=min_item,
        max_item_chars=max_item,
        list_nouns=MappingProxyType(dict(nouns)),
        generic=frozenset(_words(path, data, "generic.phrases")),
        modifiers=frozenset(_words(path, data, "generic.modifiers")),
    )


@dataclass(frozen=True)
class Rules:
    """Everything in rules/, validated. Pass it explicitly; never mutate it."""

    root: Path
    sha256: str
    userdict: tuple[tuple[str, int | None, str | None], ...]
    organizations: tuple[Mapping[str, str], ...]
    org_patterns: OrgPatterns


def rules_hash(root: Path) -> str:
    """sha256 over every file in rules/ (names and bytes), for the manifest and caches."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=8)
def _load(root: Path) -> Rules:
    if not root.is_dir():
        raise RulesError(root, "rules folder not found")
    return Rules(
        root=root,
        sha256=rules_hash(root),
        userdict=load_userdict(root / "userdict.txt"),
        organizations=load_organizations(root / "organizations.jsonl"),
        org_patterns=load_org_patterns(root / "org_patterns.toml"),
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate rules/ (default: `default_rules_dir()`), once per folder."""
    return _load(Path(path).resolve() if path else default_rules_dir().resolve())


__all__ = ["Rules", "RulesError", "OrgPatterns", "ORG_TYPES", "load_rules", "default_rules_dir", "read_toml", "freeze"]
