"""Load, validate and freeze the data in rules/. The only module that opens rules/.

Each file has one loader here that checks its entries and names the file and the entry
in every error. `load_rules()` is called explicitly (never at import) and cached per
folder, so a process reads its rules once.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

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
    "attributive_after", "generic_places", "place_suffix",
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
GOAL_TRIGGER_KEYS = ("words", "future_only", "unless_past", "noun_like", "blockers", "qualitative", "after", "time_prefixes", "phrases")
GOAL_CHANGE_KEYS = ("up", "down", "bases", "openers", "links", "span_to", "span_from", "respectively", "rank_moves")


@dataclass(frozen=True)
class GoalRules:
    """rules/goals.toml: triggers, horizon words, comparator words, change words."""

    triggers: Any  # Mapping[str, tuple[str, ...]]
    horizon_before: tuple[str, ...]
    comparators: Any  # Mapping[surface, comparator], read-only
    changes: Any  # Mapping[str, tuple[str, ...]]


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
    return GoalRules(
        triggers=freeze(triggers),
        horizon_before=_word_list(path, data.get("horizon", {}), "before", entry="horizon"),
        comparators=freeze(comparators),
        changes=freeze(changes),
    )


@dataclass(frozen=True)
class Rules:
    """Everything in rules/, validated. Pass it explicitly; never mutate it."""

    root: Path
    sha256: str
    userdict: tuple[tuple[str, int | None, str | None], ...]
    indicators: Indicators
    goals: GoalRules


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
        indicators=load_indicators(root / "indicators.toml"),
        goals=load_goals(root / "goals.toml"),
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate rules/ (default: `default_rules_dir()`), once per folder."""
    return _load(Path(path).resolve() if path else default_rules_dir().resolve())


__all__ = ["Rules", "RulesError", "load_rules", "default_rules_dir", "read_toml", "freeze"]
