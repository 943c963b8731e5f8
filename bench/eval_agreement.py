"""Check that `press-extract eval` and the team's shared scorer give the same figures.

Run by hand (reads ../shared, which the project's tests never need):

    .venv/bin/press-extract run ../shared/seeds.jsonl --out /tmp/seeds-out
    .venv/bin/python bench/eval_agreement.py /tmp/seeds-out [../shared/gold]

Prints both sets of figures and whether they, and their lists of missed and spurious
items, agree. Exit 0 when they do, 1 when not.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import sys
from pathlib import Path

from pipeline.evaluate import evaluate

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred", type=Path)
    ap.add_argument("gold", type=Path, nargs="?", default=SHARED / "gold")
    ap.add_argument("--scorer", type=Path, default=SHARED / "tools" / "score.py")
    args = ap.parse_args()

    spec = importlib.util.spec_from_file_location("shared_score", args.scorer)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    listing = io.StringIO()
    with contextlib.redirect_stdout(listing):
        theirs = scorer.score(args.pred, args.gold, None, True)

    result = evaluate(args.pred, args.gold)
    ours = {k: {n: v for n, v in f.items() if n != "attributes"} for k, f in result.to_dict().items()}
    their_misses = [" ".join(line.split()[:3]) for line in listing.getvalue().splitlines()]
    our_misses = [f"{m.kind} {m.doc_id} {m.status}" for m in result.misses]

    for kind in ours:
        a, b = ours[kind], theirs[kind]
        print(f"{kind:14s} ours   P={a['p']:.4f} R={a['r']:.4f} F1={a['f1']:.4f} tp={a['tp']} fp={a['fp']} fn={a['fn']} attr={a['attr_acc']}")
        print(f"{'':14s} shared P={b['p']:.4f} R={b['r']:.4f} F1={b['f1']:.4f} tp={b['tp']} fp={b['fp']} fn={b['fn']} attr={b['attr_acc']}")
    same = ours == theirs and our_misses == their_misses
    print(f"figures agree: {ours == theirs}; missed/spurious lists agree: {our_misses == their_misses} ({len(our_misses)} items)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
