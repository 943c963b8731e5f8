"""Throughput of quantity extraction alone (target: >= 1 MB/s of text on one core).

    .venv/bin/python bench/quantity_speed.py [PATH ...] [--repeat N]

Reads the articles (default: corpus/ and ../shared/corpus when present), segments them
once (not timed), then times (1) `QuantityFinder.find` on the text with its word starts,
and (2) the spaCy component on the already segmented docs (find + overlap resolution +
records). Segmentation is timed too, for comparison. "MB" is 10**6 characters of text
as UTF-8 bytes; times are CPU seconds of this process
(`time.process_time`), so a busy machine does not deflate them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pipeline
from pipeline.extract.quantities import QuantityFinder
from pipeline.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [ROOT / "corpus", ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")]


def texts(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        files = sorted(path.rglob("*.txt")) if path.is_dir() else [path]
        out.extend(f.read_text(encoding="utf-8") for f in files if f.is_file())
    return out


def rate(nbytes: int, seconds: float, nchars: int) -> str:
    return f"{nbytes / seconds / 1e6:6.2f} MB/s  {nchars / seconds / 1e6:5.2f} M chars/s  ({seconds:.2f} s CPU)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=5, help="passes over the texts")
    args = ap.parse_args()
    paths = args.paths or [p for p in DEFAULT if p.is_dir()][:2]
    docs_text = texts(paths)
    nlp = pipeline.load()
    t0 = time.process_time()
    docs = [nlp.make_doc(t) for t in docs_text]
    seg = time.process_time() - t0
    nbytes = sum(len(t.encode("utf-8")) for t in docs_text)
    nchars = sum(len(t) for t in docs_text)
    starts = [[tok.idx for tok in d] for d in docs]
    finder = QuantityFinder(load_rules())
    component = nlp.get_pipe("press_extract_quantities")

    t0 = time.process_time()
    n = 0
    for _ in range(args.repeat):
        for text, st in zip(docs_text, starts):
            n += len(finder.find(text, token_starts=st))
    find = time.process_time() - t0

    t0 = time.process_time()
    for _ in range(args.repeat):
        for d in docs:
            d._.records = None
            component(d)
    comp = time.process_time() - t0
    total = nbytes * args.repeat
    print(f"{len(docs_text)} articles, {nbytes / 1e6:.2f} MB, {args.repeat} passes, {n // args.repeat} candidates per pass")
    chars = nchars * args.repeat
    print(f"QuantityFinder.find          {rate(total, find, chars)}")
    print(f"quantities component         {rate(total, comp, chars)}")
    print(f"segmentation (jieba, 1 pass) {rate(nbytes, seg, nchars)}")


if __name__ == "__main__":
    main()
