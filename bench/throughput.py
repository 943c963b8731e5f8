"""Throughput and memory benchmark (run by hand; prints figures, asserts nothing).

Builds a corpus of at least --mb MB by repeating and shuffling the articles of
../shared/corpus (fixed seed), then measures on the same text:
  - bare jieba segmentation (a private jieba.Tokenizer, one process),
  - the full pipeline through `press-extract run` with 1 and with 2 workers
    (chars/s, articles/s, wall time including start-up),
  - the ratio pipeline/jieba, and the peak RSS of the largest process.

    .venv/bin/python bench/throughput.py --mb 20
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jieba

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def build_corpus(path: Path, *, mb: float, seed: int = 0) -> tuple[int, int]:
    """Write a JSONL corpus of at least `mb` MB (UTF-8); return (articles, chars)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*.txt"))]
    rng = random.Random(seed)
    n = chars = size = 0
    with path.open("w", encoding="utf-8") as fh:
        while size < mb * 1e6:
            batch = texts[:]
            rng.shuffle(batch)
            for text in batch:
                line = json.dumps({"id": f"a{n:07d}", "text": text, "date": "2024-02-01"}, ensure_ascii=False) + "\n"
                fh.write(line)
                size += len(line.encode("utf-8"))
                chars += len(text)
                n += 1
    return n, chars


def bare_jieba(path: Path) -> float:
    tok = jieba.Tokenizer()
    tok.initialize()
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    t0 = time.perf_counter()
    for text in texts:
        for _ in tok.cut(text, HMM=True):
            pass
    return time.perf_counter() - t0


def pipeline_run(path: Path, *, workers: int, out: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of the largest child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(path), "--out", str(out), "--workers", str(workers), "--quiet"],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - t0
    return seconds, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        n, chars = build_corpus(corpus, mb=args.mb)
        print(f"corpus: {n} articles, {chars / 1e6:.2f} M chars, {corpus.stat().st_size / 1e6:.1f} MB")
        jieba_s = bare_jieba(corpus)
        jieba_rate = chars / jieba_s
        print(f"bare jieba:        {jieba_rate / 1e3:8.1f} k chars/s  ({jieba_s:.1f} s)")
        base = None
        for w in args.workers:
            secs, rss = pipeline_run(corpus, workers=w, out=Path(tmp) / f"out{w}")
            rate = chars / secs
            base = base or rate
            print(
                f"pipeline {w} worker{'s' if w > 1 else ' '}: {rate / 1e3:8.1f} k chars/s, {n / secs:7.1f} articles/s "
                f"({secs:.1f} s wall incl. start-up); pipeline/jieba = {rate / jieba_rate:.2f}; "
                f"x{rate / base:.2f} vs 1 worker; peak RSS of largest process {rss / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
