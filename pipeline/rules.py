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


@dataclass(frozen=True)
class Rules:
    """Everything in rules/, validated. Pass it explicitly; never mutate it."""

    root: Path
    sha256: str
    userdict: tuple[tuple[str, int | None, str | None], ...]


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
    )


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate rules/ (default: `default_rules_dir()`), once per folder."""
    return _load(Path(path).resolve() if path else default_rules_dir().resolve())


__all__ = ["Rules", "RulesError", "load_rules", "default_rules_dir", "read_toml", "freeze"]
