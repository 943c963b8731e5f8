"""Architecture comparison for the organisation model (issue 16): trained model folders
(spaCy NER or the character CRF of pipeline/extract/org_crf.py) on the same held-out
slices (CLUENER and People's Daily, `pipeline/train.py` `split_of`, never trained on),
raw model output (no rules, no filters), exact character spans; plus inference speed
in chars/s on those sentences (jieba words made beforehand, as the pipeline has them).

    .venv/bin/python bench/org_arch.py MODEL_DIR [MODEL_DIR ...] [--shared /work/shared] [--repeat 3]

Train the candidates with `press-extract train ... --arch w48|crf --out DIR`.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.extract.organizations import load_model  # noqa: E402
from pipeline.rules import load_rules  # noqa: E402
from pipeline.segment import JiebaTokenizer  # noqa: E402
from pipeline.train import iter_split, predict_spans, prf, read_cluener, read_peoples_daily_folder  # noqa: E402

print = functools.partial(print, flush=True)  # rows appear as they are computed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", type=Path, nargs="+", help="model folders to compare")
    ap.add_argument("--shared", type=Path, default=Path("/work/shared"))
    ap.add_argument("--repeat", type=int, default=3, help="speed: best of this many runs")
    args = ap.parse_args()

    cut = JiebaTokenizer(spacy.blank("zh").vocab, rules=load_rules(None)).cut
    heldout = {
        "CLUENER": list(iter_split(read_cluener(args.shared / "data" / "cluener" / "train.json"), "heldout")),
        "PD": list(iter_split(read_peoples_daily_folder(args.shared / "data" / "peoples_daily"), "heldout")),
    }
    words = {k: [cut(s.text) for s in part] for k, part in heldout.items()}
    every = [w for ws in words.values() for w in ws]
    chars = sum(len(s.text) for part in heldout.values() for s in part)
    size = {p: sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 1e6 for p in args.models}
    print(f"held-out: CLUENER {len(heldout['CLUENER'])} sentences, People's Daily {len(heldout['PD'])}; {chars} chars")
    for path in args.models:
        model = load_model(path.resolve())
        cols = {k: prf([set(s.spans) for s in part], [set(p) for p in predict_spans(model, words[k])]) for k, part in heldout.items()}
        secs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for _ in predict_spans(model, every):
                pass
            secs.append(time.perf_counter() - t0)
        print(
            f"{str(path):<32} {size[path]:5.1f} MB | "
            + " | ".join(f"{k} P {c['p']:.3f} R {c['r']:.3f} F1 {c['f']:.3f}" for k, c in cols.items())
            + f" | {chars / min(secs) / 1e3:6.1f} k chars/s"
        )


if __name__ == "__main__":
    main()
