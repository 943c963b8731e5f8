"""Write gold annotations as an output folder, to try diff, eval and review on realistic
records (and to review the gold itself in the browser).

Run by hand (reads ../shared):

    .venv/bin/python bench/gold_run.py /tmp/gold-run [--gold ../shared/gold] [--articles ../shared/seeds.jsonl]
    .venv/bin/press-extract eval /tmp/gold-run ../shared/gold      # every figure 1.0
    .venv/bin/press-extract review /tmp/gold-run

Each gold item is placed at the first occurrence of its surface (`text`, else `name`,
else `indicator`) after the previous item of its kind, else anywhere; items whose
surface is not in the article are reported and left out. The articles' path points into
the JSONL input, so `review` shows their text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

from pipeline.types import TABLES
from pipeline.write import OutputWriter, json_line

SHARED = Path(__file__).resolve().parents[2] / "shared"
KIND_OF = {table: kind for kind, table in TABLES.items()}


def place(text: str, surface: str, after: int) -> int:
    at = text.find(surface, after)
    return at if at >= 0 else text.find(surface)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--gold", type=Path, default=SHARED / "gold")
    ap.add_argument("--articles", type=Path, default=SHARED / "seeds.jsonl")
    args = ap.parse_args()

    lines = args.articles.read_text(encoding="utf-8").splitlines()
    inputs = {json.loads(line)["id"]: (n, json.loads(line)) for n, line in enumerate(lines, 1) if line.strip()}
    writer = OutputWriter(args.out)
    left_out = 0
    for f in sorted(args.gold.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        lineno, article = inputs[gold["doc_id"]]
        text, doc_id = article["text"], gold["doc_id"]
        by_kind: dict[str, list[str]] = {}
        for table in ("quantities", "organizations", "metrics", "goals"):
            kind, after, rows = KIND_OF[table], 0, []
            for item in gold.get(table, []):
                surface = item.get("text") or item.get("name") or item.get("indicator") or ""
                start = place(text, surface, after) if surface else -1
                if start < 0:
                    left_out += 1
                    print(f"left out: {doc_id} {kind} {surface!r} not in the text")
                    continue
                after = start + 1
                fields: dict[str, Any] = {k: v for k, v in item.items() if k not in ("text", "optional")}
                rows.append({
                    "id": f"{doc_id}:{kind}:{start}-{start + len(surface)}", "doc_id": doc_id, "kind": kind,
                    "start": start, "end": start + len(surface), "text": surface, "sentence": 0,
                    "source": "gold" + (":optional" if item.get("optional") else ""), **fields,
                })
            rows.sort(key=lambda r: (r["start"], r["end"]))
            by_kind[kind] = [json_line(r) for r in rows]
        row = {
            "doc_id": doc_id, "path": f"{args.articles}:{lineno}", "title": article.get("title"), "date": article.get("date"),
            "date_source": "jsonl", "url": None, "encoding": "utf-8",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text), "sentences": 0,
        }
        writer.add_article(doc_id, row, by_kind)
    writer.commit({"gold": str(args.gold)})
    print(f"wrote {args.out} ({left_out} items left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
