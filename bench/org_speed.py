"""Throughput: the whole pipeline with the organisation model loaded vs bare jieba
segmentation (the pipeline's own tokenizer) on the same text.

    .venv/bin/python bench/org_speed.py [--shared /work/shared] [--repeat 3] [--model DIR] [--scope cues|all]

Each figure is the best of `--repeat` runs (least disturbed by other processes on the
machine). Also prints the pipeline without the model, the organisation component's own
cost (on docs already segmented) as a multiple of jieba's time, and the share of
characters the model is run on (clauses with a cue, see pipeline/extract/organizations.py).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pipeline  # noqa: E402
from pipeline.extract.organizations import View, load_model, rules_only_pipeline  # noqa: E402
from pipeline.process import build  # noqa: E402


print = functools.partial(print, flush=True)  # rows appear as they are computed


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path("/work/shared"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--model", type=Path, default=None, help="model folder (default: the shipped model)")
    ap.add_argument("--scope", choices=("cues", "all"), default="cues", help="clauses the model runs on (default: cues, as the pipeline)")
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted((args.shared / "corpus").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((args.shared / "seeds").glob("*.txt"))]
    chars = sum(len(t) for t in texts)

    nlp = pipeline.load()
    orgs = nlp.get_pipe("press_extract_organizations")
    assert orgs.model is not None, "the shipped model must load by default"
    if args.model is not None:
        orgs.model = load_model(args.model.resolve())
    orgs.every_clause = args.scope == "all"
    cut = nlp.tokenizer.cut

    def run(n):
        return lambda: [pipeline.extract(t, nlp=n) for t in texts]

    run(nlp)()  # warm up: jieba's dictionary, model weights
    jieba_s = best_of(args.repeat, lambda: [cut(t) for t in texts])
    full_s = best_of(args.repeat, run(nlp))
    bare = build()
    bare.get_pipe("press_extract_organizations").model = None  # same pipeline, model off
    run(bare)()
    nomodel_s = best_of(args.repeat, run(bare))

    org_only = rules_only_pipeline()
    org_model = rules_only_pipeline()
    org_model.get_pipe("press_extract_organizations").model = orgs.model
    org_model.get_pipe("press_extract_organizations").every_clause = orgs.every_clause
    org_rules_s = best_of(args.repeat, lambda: [org_only(t) for t in texts])
    org_model_s = best_of(args.repeat, lambda: [org_model(t) for t in texts])

    # The component alone, on docs the tokenizer and the sentence component already made.
    docs = [org_model.get_pipe("press_extract_sentences")(org_model.make_doc(t)) for t in texts]

    def component(c):
        for doc in docs:
            doc._.records = None
            c(doc)

    comp_rules = org_only.get_pipe("press_extract_organizations")
    comp_model = org_model.get_pipe("press_extract_organizations")
    comp_rules_s = best_of(args.repeat, lambda: component(comp_rules))
    comp_model_s = best_of(args.repeat, lambda: component(comp_model))

    seen = 0
    for t in texts:
        doc = nlp.make_doc(t)
        v = View(doc)
        rule = orgs.choose(orgs.known_names(doc, v) + orgs.head_names(v))
        starts = sorted(f.start for f in rule)
        for lo, hi in orgs.cue_clauses(v, starts):
            a, b = v.span(lo, hi)
            seen += b - a
    print(f"{len(texts)} articles, {chars} chars, best of {args.repeat}")
    print(f"bare jieba segmentation : {chars / jieba_s / 1e3:8.1f} k chars/s")
    print(f"pipeline, model loaded  : {chars / full_s / 1e3:8.1f} k chars/s  = {jieba_s / full_s:.0%} of jieba")
    print(f"pipeline, no org model  : {chars / nomodel_s / 1e3:8.1f} k chars/s  = {jieba_s / nomodel_s:.0%} of jieba")
    print(f"jieba + sentences + organisations, rules only : {chars / org_rules_s / 1e3:8.1f} k chars/s  = {jieba_s / org_rules_s:.0%} of jieba")
    print(f"jieba + sentences + organisations, with model : {chars / org_model_s / 1e3:8.1f} k chars/s  = {jieba_s / org_model_s:.0%} of jieba")
    print(f"organisations component alone, rules only : {comp_rules_s:.3f} s = {comp_rules_s / jieba_s:.2f}x jieba's time")
    print(f"organisations component alone, with model : {comp_model_s:.3f} s = {comp_model_s / jieba_s:.2f}x jieba's time")
    print(f"model runs on {seen / chars:.0%} of the characters ({'every clause' if orgs.every_clause else 'clauses with a cue'})")


if __name__ == "__main__":
    main()
