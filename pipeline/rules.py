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
from decimal import Decimal, InvalidOperation
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
        fraction=str(marks.get("fraction", "")),
        mixed_fraction=str(marks.get("mixed_fraction", "")),
        fold=MappingProxyType(str.maketrans(src, dst)),
    )
    if not numerals.fraction or not numerals.mixed_fraction:
        raise RulesError(path, "`fraction` and `mixed_fraction` are required", entry="marks")
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


@dataclass(frozen=True)
class Rules:
    """Everything in rules/, validated. Pass it explicitly; never mutate it."""

    root: Path
    sha256: str
    userdict: tuple[tuple[str, int | None, str | None], ...]
    numerals: Numerals


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
        numerals=load_numerals(root / "numerals.toml"),
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate rules/ (default: `default_rules_dir()`), once per folder."""
    return _load(Path(path).resolve() if path else default_rules_dir().resolve())


__all__ = ["Rules", "RulesError", "load_rules", "default_rules_dir", "read_toml", "freeze"]
