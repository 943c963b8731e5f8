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
    windows: MappingProxyType  # 近 -> past
    joiners: tuple[str, ...]


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
    edges of a year, windows (近三年) and range joiners. Every surface is claimed once."""
    data = read_toml(path)
    known = {"version", "digits", "plans", "plan_suffixes", "relative_years", "relative_quarters", "relative_months",
             "same_period", "year_parts", "edges", "windows", "range"}
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
        ("same_period", dict.fromkeys(same_period["words"])), ("year_parts", year_parts),
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
        windows=MappingProxyType(windows),
        joiners=tuple(joiners),
    )


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
    "attributive_after", "bounds", "share_markers", "generic_places", "place_suffix",
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
    times: TimesRules


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
        times=load_times(root / "times.toml"),
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate rules/ (default: `default_rules_dir()`), once per folder."""
    return _load(Path(path).resolve() if path else default_rules_dir().resolve())


__all__ = ["Rules", "RulesError", "TimesRules", "load_times", "load_rules", "default_rules_dir", "read_toml", "freeze"]
