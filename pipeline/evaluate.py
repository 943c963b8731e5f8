"""Score an output folder against gold files (DESIGN.md, "Evaluation").

A gold file is one JSON object per article: `{"doc_id", "date", "quantities": [...],
"organizations": [...], "metrics": [...], "goals": [...]}`. Matching is per article and
greedy: gold items are taken in file order (required ones before optional ones, so an
optional twin never takes a prediction a required item needs), and each claims the first
unused prediction, in table order, that matches it. An item with `"optional": true`
counts neither for recall nor against precision.

- quantities: same `unit`, `value` within 1e-6 relative (and `value_max` when gold has one);
- organizations: same `name` after NFKC, each name once per article (both sides);
- metrics: quantity match, and the indicator texts share a run of at least half of the
  shorter one's characters;
- goals: quantity match, or for a gold goal without value a prediction without value
  whose text overlaps the same way; and the same `deadline` when gold has one.

Attribute accuracy is measured over matched required pairs where gold states the
attribute (`change` as a number, the others as text). The first attribute of each kind (`qualifier`, `org_type`, `period`,
`comparator`) is the headline `attr_acc`; the figures are those of the shared scorer
the team uses, so the two must agree exactly on any input.

Tables are read with plain `json` (floats, not Decimal) on purpose: attribute values are
compared as `str()` of what JSON gives, so both scorers see the same objects.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

GOLD_KINDS: tuple[str, ...] = ("quantities", "organizations", "metrics", "goals")

# Attributes scored over matched pairs; the first one is the headline `attr_acc`.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "quantities": ("qualifier",),
    "organizations": ("org_type",),
    "metrics": ("period", "change"),
    "goals": ("comparator",),
}
# Numeric attributes compare as numbers (gold writes 6.0 where the tables write 6); the
# others as text, as the shared scorer does.
_NUMERIC_ATTRIBUTES = frozenset({"change"})
# What `-v` shows of a spurious prediction.
_SHOWN = ("text", "value", "unit", "indicator", "name", "deadline")


class GoldError(ValueError):
    """A gold or prediction file that cannot be read; the message names it."""


def nfkc(text: str | None) -> str:
    """NFKC-folded, stripped text ('' for None).

    >>> nfkc(" 临平区委\u3000")
    '临平区委'
    """
    return unicodedata.normalize("NFKC", text or "").strip()


def close(a: Any, b: Any) -> bool:
    """Numbers equal within 1e-6 relative (absolute below 1); two Nones are equal.

    >>> close(106727000000, 106727000000.0), close(6, 6.1), close(None, None), close(None, 0)
    (True, False, True, False)
    """
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def longest_common_run(a: str, b: str) -> int:
    """Length of the longest common substring.

    >>> longest_common_run("规上工业增加值", "工业增加值")
    5
    """
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.find_longest_match(0, len(a), 0, len(b)).size


def texts_overlap(a: str | None, b: str | None) -> bool:
    """Whether two texts share a run of at least half of the shorter one (after NFKC).

    >>> texts_overlap("地区生产总值", "生产总值"), texts_overlap("工业总产值", "税收"), texts_overlap("", "x")
    (True, False, False)
    """
    a, b = nfkc(a), nfkc(b)
    if not a or not b:
        return False
    return longest_common_run(a, b) * 2 >= min(len(a), len(b))


def quantity_matches(gold: dict, pred: dict) -> bool:
    return (
        gold.get("unit") == pred.get("unit")
        and close(gold.get("value"), pred.get("value"))
        and (gold.get("value_max") is None or close(gold.get("value_max"), pred.get("value_max")))
    )


def organization_matches(gold: dict, pred: dict) -> bool:
    return nfkc(gold.get("name")) == nfkc(pred.get("name"))


def metric_matches(gold: dict, pred: dict) -> bool:
    return quantity_matches(gold, pred) and texts_overlap(gold.get("indicator"), pred.get("indicator"))


def goal_matches(gold: dict, pred: dict) -> bool:
    if gold.get("value") is None:
        ok = pred.get("value") is None and texts_overlap(gold.get("text"), pred.get("text"))
    else:
        ok = quantity_matches(gold, pred)
    if ok and gold.get("deadline"):
        ok = str(pred.get("deadline") or "") == str(gold["deadline"])
    return ok


MATCHERS: dict[str, Callable[[dict, dict], bool]] = {
    "quantities": quantity_matches,
    "organizations": organization_matches,
    "metrics": metric_matches,
    "goals": goal_matches,
}


@dataclass
class KindScore:
    """Counts of one kind over all gold articles, with attribute tallies."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    attributes: dict[str, list[int]] = field(default_factory=dict)  # name -> [right, scored]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        right, scored = self.attributes.get(name, (0, 0))
        return right / scored if scored else None

    def to_dict(self, kind: str) -> dict[str, Any]:
        """The shared scorer's figures (rounded to 4 places), plus every attribute accuracy."""
        rounded = lambda x: None if x is None else round(x, 4)  # noqa: E731 - local formatter
        return {
            "p": round(self.precision, 4), "r": round(self.recall, 4), "f1": round(self.f1, 4),
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "attr_acc": rounded(self.accuracy(ATTRIBUTES[kind][0])),
            "attributes": {a: rounded(self.accuracy(a)) for a in ATTRIBUTES[kind]},
        }


@dataclass(frozen=True)
class Miss:
    """A required gold item no prediction matched, or a prediction no gold item took."""

    kind: str
    doc_id: str
    status: str  # missed | spurious
    item: dict[str, Any]
    # organisations: "boundary" when a missed name and a spurious one of the same article
    # overlap (浙江工商大学 / 浙江工商大学经济学院), else the status
    error: str = ""


@dataclass
class Evaluation:
    scores: dict[str, KindScore]
    misses: list[Miss]
    gold_articles: int
    # Gold doc_ids with no row in the output's articles table: every gold item of theirs
    # counts as missed, usually because the run used other ids (file names, not seeds.jsonl).
    absent: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {kind: s.to_dict(kind) for kind, s in self.scores.items()}

    def error_classes(self, kind: str) -> dict[str, int]:
        """Errors of a kind by class: missed, spurious, boundary (a boundary error is one
        missed and one spurious name, counted once)."""
        out = {"missed": 0, "spurious": 0, "boundary": 0}
        for m in self.misses:
            if m.kind == kind:
                out[m.error or m.status] += 1
        out["boundary"] //= 2
        return out


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise GoldError(f"{path}:{n}: invalid JSON: {exc}") from None
    return rows


def read_gold(gold_dir: Path) -> dict[str, dict]:
    """Gold objects by doc_id, from every `*.json` in the folder (sorted by file name)."""
    golds: dict[str, dict] = {}
    for f in sorted(Path(gold_dir).glob("*.json")):
        try:
            obj = json.loads(f.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise GoldError(f"{f}: invalid JSON: {exc}") from None
        if not isinstance(obj, dict) or "doc_id" not in obj:
            raise GoldError(f"{f}: expected an object with a 'doc_id'")
        golds[obj["doc_id"]] = obj
    return golds


def _once_per_name(items: Iterable[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for it in items:
        key = nfkc(it.get("name"))
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def attribute_ok(name: str, gold: Any, pred: Any) -> bool:
    """Whether a prediction's attribute is right; gold may list several acceptable values
    (an event's day or its year), as the shared scorer reads them.

    >>> attribute_ok("period", ["2012-12", "2012"], "2012"), attribute_ok("period", "2012", "2012-12")
    (True, False)
    >>> attribute_ok("change", [6.0, 2.5], 6), attribute_ok("comparator", ">=", ">=")
    (True, True)
    """
    wanted = gold if isinstance(gold, list) else [gold]
    if name in _NUMERIC_ATTRIBUTES:
        return any(close(pred, w) for w in wanted)
    return str(pred) in [str(w) for w in wanted]


def _score_article(kind: str, doc_id: str, gold: list[dict], pred: list[dict], score: KindScore, misses: list[Miss]) -> None:
    if kind == "organizations":
        gold, pred = _once_per_name(gold), _once_per_name(pred)
    matches = MATCHERS[kind]
    used = [False] * len(pred)
    for g in sorted(gold, key=lambda it: bool(it.get("optional"))):
        hit = next((j for j, p in enumerate(pred) if not used[j] and matches(g, p)), None)
        if hit is None:
            if not g.get("optional"):
                score.fn += 1
                misses.append(Miss(kind, doc_id, "missed", g))
            continue
        used[hit] = True
        if g.get("optional"):
            continue
        score.tp += 1
        for name in ATTRIBUTES[kind]:
            if g.get(name) is not None:
                tally = score.attributes.setdefault(name, [0, 0])
                tally[0] += attribute_ok(name, g[name], pred[hit].get(name))
                tally[1] += 1
    for j, p in enumerate(pred):
        if not used[j]:
            score.fp += 1
            misses.append(Miss(kind, doc_id, "spurious", {k: p.get(k) for k in _SHOWN}))
    if kind == "organizations":
        _mark_boundaries([m for m in misses if m.kind == kind and m.doc_id == doc_id], misses)


def _mark_boundaries(article: list[Miss], misses: list[Miss]) -> None:
    """Pair each missed name with the first unpaired spurious name of the article whose
    text overlaps it (a run of at least half the shorter name), and mark both as boundary
    errors in `misses` (in place)."""
    spurious = [m for m in article if m.status == "spurious"]
    paired: set[int] = set()
    for g in (m for m in article if m.status == "missed"):
        name = nfkc(g.item.get("name"))
        k = next((k for k, p in enumerate(spurious) if k not in paired and texts_overlap(name, nfkc(p.item.get("name")))), None)
        if k is None:
            continue
        paired.add(k)
        for m in (g, spurious[k]):
            misses[misses.index(m)] = Miss(m.kind, m.doc_id, m.status, m.item, "boundary")


def evaluate(pred_dir: Path, gold_dir: Path, *, kinds: Iterable[str] = GOLD_KINDS) -> Evaluation:
    """Score the tables in `pred_dir` against the gold files in `gold_dir`.

    Only articles with a gold file are scored; predictions for other articles are ignored.
    """
    pred_dir, gold_dir = Path(pred_dir), Path(gold_dir)
    if not gold_dir.is_dir():
        raise GoldError(f"{gold_dir}: not a folder")
    if not pred_dir.is_dir():
        raise GoldError(f"{pred_dir}: not a folder")
    golds = read_gold(gold_dir)
    scores: dict[str, KindScore] = {}
    misses: list[Miss] = []
    for kind in kinds:
        if kind not in MATCHERS:
            raise GoldError(f"unknown kind {kind!r} (expected one of {', '.join(GOLD_KINDS)})")
        preds: dict[str, list[dict]] = {}
        for row in _read_jsonl(pred_dir / f"{kind}.jsonl"):
            preds.setdefault(row.get("doc_id"), []).append(row)
        score = scores[kind] = KindScore()
        for doc_id, gold in golds.items():
            _score_article(kind, doc_id, gold.get(kind, []), preds.get(doc_id, []), score, misses)
    processed = {row.get("doc_id") for row in _read_jsonl(pred_dir / "articles.jsonl")}
    absent = [doc_id for doc_id in golds if doc_id not in processed]
    return Evaluation(scores=scores, misses=misses, gold_articles=len(golds), absent=absent)

