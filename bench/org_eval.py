"""Organisation P/R/F1: rules only, model only, both; on ../shared/gold and on the
CLUENER held-out split and the People's Daily held-out split (never trained on; both
chosen by the same sentence hash, pipeline/train.py `split_of`).

    .venv/bin/python bench/org_eval.py [--shared /work/shared] [--model DIR] [--limit N]

Gold: DESIGN.md matching (same name after NFKC, each name once per article, optional
items neither count for recall nor against precision); org_type accuracy over matches.
CLUENER: exact character spans of company + government + organization, labels merged.
People's Daily ("PD"): exact character spans of ORG.
"model" rows run the model alone (`use_rules=False`); "cues" rows run it only on clauses
with a cue, as the pipeline does by default; "all" rows run it on every clause.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
import unicodedata
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pipeline  # noqa: E402
from pipeline.extract.organizations import DEFAULT_MODEL  # noqa: E402
from pipeline.train import iter_split, prf, read_cluener, read_peoples_daily_folder  # noqa: E402

CONFIGS = {
    "rules": {"model": ""},
    "model (cues)": {"use_rules": False},
    "model (all)": {"use_rules": False, "model_scope": "all"},
    "rules+model (cues)": {},
    "rules+model (all)": {"model_scope": "all"},
}


print = functools.partial(print, flush=True)  # rows appear as they are computed


def org_nlp(config: dict):
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "press_extract.JiebaTokenizer.v1"}}})
    nlp.add_pipe("press_extract_sentences")
    nlp.add_pipe("press_extract_organizations", config=config)
    return nlp


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def gold_scores(nlp, shared: Path) -> tuple[dict, float]:
    tp = n_gold = n_pred = typed = 0
    for line in (shared / "seeds.jsonl").read_text(encoding="utf-8").splitlines():
        art = json.loads(line)
        gold_path = shared / "gold" / f"{art['id']}.json"
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))["organizations"]
        required = {nfkc(g["name"]): g["org_type"] for g in gold if not g.get("optional")}
        optional = {nfkc(g["name"]) for g in gold if g.get("optional")}
        pred: dict[str, str] = {}
        for o in pipeline.extract(art["text"], nlp=nlp, doc_id=art["id"]).organizations:
            pred.setdefault(nfkc(o.name), o.org_type)
        counted = {n: t for n, t in pred.items() if n not in optional}
        hits = set(counted) & set(required)
        tp += len(hits)
        n_gold += len(required)
        n_pred += len(counted)
        typed += sum(counted[n] == required[n] for n in hits)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp, "n_gold": n_gold, "n_pred": n_pred}, (typed / tp if tp else 0.0)


def span_scores(nlp, sentences) -> dict:
    gold, pred = [], []
    for s in sentences:
        gold.append(set(s.spans))
        pred.append({(o.start, o.end) for o in pipeline.extract(s.text, nlp=nlp).organizations})
    return prf(gold, pred)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("/work/shared"))
    ap.add_argument("--model", default="default", help="model folder (default: the shipped model)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N held-out sentences (0 = all)")
    args = ap.parse_args()
    heldout = list(iter_split(read_cluener(args.shared / "data" / "cluener" / "train.json"), "heldout"))
    pd_heldout = list(iter_split(read_peoples_daily_folder(args.shared / "data" / "peoples_daily"), "heldout"))
    if args.limit:
        heldout, pd_heldout = heldout[: args.limit], pd_heldout[: args.limit]
    model_dir = DEFAULT_MODEL if args.model == "default" else Path(args.model)
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))["press_extract"]
    raw = meta["scores"]["heldout"]
    print(f"model {model_dir} ({meta['source']}, best epoch {meta['best_epoch']}); CLUENER held-out: {len(heldout)} sentences, People's Daily held-out: {len(pd_heldout)}")
    print(f"raw model on held-out (from meta.json, no filters): P {raw['p']:.3f} R {raw['r']:.3f} F1 {raw['f']:.3f}\n")
    print(f"{'config':<20} | {'gold P':>6} {'R':>6} {'F1':>6} {'type':>5} ({'tp/gold/pred':>10}) | {'CLUENER P':>9} {'R':>6} {'F1':>6} | {'PD P':>6} {'R':>6} {'F1':>6} | {'s':>5}")
    print("-" * 119)
    for name, config in CONFIGS.items():
        if "use_rules" in config or config.get("model", "default"):
            config = {**config, "model": str(model_dir) if "model" not in config else config["model"]}
        nlp = org_nlp(config)
        t0 = time.monotonic()
        g, type_acc = gold_scores(nlp, args.shared)
        c = span_scores(nlp, heldout)
        d = span_scores(nlp, pd_heldout)
        secs = time.monotonic() - t0
        counts = f"{g['tp']}/{g['n_gold']}/{g['n_pred']}"
        print(
            f"{name:<20} | {g['p']:>6.3f} {g['r']:>6.3f} {g['f']:>6.3f} {type_acc:>5.2f} ({counts:>10}) | "
            f"{c['p']:>9.3f} {c['r']:>6.3f} {c['f']:>6.3f} | {d['p']:>6.3f} {d['r']:>6.3f} {d['f']:>6.3f} | {secs:>5.1f}"
        )


if __name__ == "__main__":
    main()
