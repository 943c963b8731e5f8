"""Throughput and memory benchmark (run by hand; prints figures, asserts nothing).

Builds a corpus of at least --mb MB by repeating and shuffling the articles of
../shared/corpus (fixed seed), then measures on the same text:
  - bare jieba segmentation (a private jieba.Tokenizer, one process),
  - the full pipeline through `press-extract run` with 1 and with 2 workers
    (chars/s, articles/s, wall time including start-up),
  - the ratio pipeline/jieba, and the peak RSS of the largest process of each run,
  - the same with 1 worker and `--no-org-model` (organisations by the rules alone),
  - memory against corpus size: peak RSS of a 1-worker run over --small-mb MB,
  - an incremental re-run after one article changed, against the full run,
  - one long article (--long-mb MB, the corpus articles joined): its rate against the
    many-article rate shows whether the cost stays linear in an article's length.

    .venv/bin/python bench/throughput.py --mb 20
"""

from __future__ import annotations

import argparse
import json
import random
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


def pipeline_run(path: Path, *, workers: int, out: Path, force: bool = True, options: tuple[str, ...] = ()) -> tuple[float, int]:
    """Wall seconds and peak RSS (kB) of the largest process of one `press-extract run`.

    The run is started from a fresh Python process that reports RUSAGE_CHILDREN, so each
    figure covers only this run (the pipeline process and its workers)."""
    cmd = [sys.executable, "-m", "pipeline", "run", str(path), "--out", str(out), "--workers", str(workers), "--quiet", *options]
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *cmd, *(["--force"] if force else [])],
        check=True, cwd=ROOT, capture_output=True, text=True,
    )
    seconds, rss = done.stdout.split()
    return float(seconds), int(rss)


def build_long_article(path: Path, *, mb: float) -> int:
    """Write one article of about `mb` MB (UTF-8) made of the corpus articles; return its chars."""
    joined = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*.txt")))
    text = "\n\n".join([joined] * max(1, round(mb * 1e6 / len(joined.encode("utf-8")))))
    path.write_text(json.dumps({"id": "long", "text": text, "date": "2024-02-01"}, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(text)


def change_one_article(path: Path) -> None:
    """Append a sentence to the middle article of a JSONL corpus."""
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[len(lines) // 2])
    row["text"] += "\n2024年，全区新增规上企业12家。"
    lines[len(lines) // 2] = json.dumps(row, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--small-mb", type=float, default=2.0, help="corpus size for the memory comparison")
    ap.add_argument("--long-mb", type=float, default=5.0, help="size of the one long article")
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
        full: dict[int, float] = {}
        peak: dict[int, int] = {}
        for w in args.workers:
            secs, rss = pipeline_run(corpus, workers=w, out=Path(tmp) / f"out{w}")
            full[w], peak[w] = secs, rss
            rate = chars / secs
            base = base or rate
            print(
                f"pipeline {w} worker{'s' if w > 1 else ' '}: {rate / 1e3:8.1f} k chars/s, {n / secs:7.1f} articles/s "
                f"({secs:.1f} s wall incl. start-up); pipeline/jieba = {rate / jieba_rate:.2f}; "
                f"x{rate / base:.2f} vs {args.workers[0]} worker(s); peak RSS of largest process {rss / 1024:.0f} MB"
            )
        w = args.workers[0]
        secs, rss = pipeline_run(corpus, workers=1, out=Path(tmp) / "out-rules", options=("--no-org-model",))
        print(
            f"pipeline 1 worker, --no-org-model: {chars / secs / 1e3:8.1f} k chars/s ({secs:.1f} s); "
            f"pipeline/jieba = {chars / secs / jieba_rate:.2f}; peak RSS {rss / 1024:.0f} MB"
        )
        small = Path(tmp) / "small.jsonl"
        sn, schars = build_corpus(small, mb=args.small_mb)
        _, small_rss = pipeline_run(small, workers=w, out=Path(tmp) / "small-out")
        print(
            f"memory, {w} worker(s): peak RSS {small_rss / 1024:.0f} MB at {small.stat().st_size / 1e6:.1f} MB of input, "
            f"{peak[w] / 1024:.0f} MB at {corpus.stat().st_size / 1e6:.1f} MB ({100 * (peak[w] / small_rss - 1):+.1f}%)"
        )
        change_one_article(corpus)
        secs, _ = pipeline_run(corpus, workers=w, out=Path(tmp) / f"out{w}", force=False)
        print(
            f"re-run after one changed article, {w} worker(s): {secs:.1f} s = {100 * secs / full[w]:.1f}% of the "
            f"full run ({full[w]:.1f} s)"
        )
        long = Path(tmp) / "long.jsonl"
        long_chars = build_long_article(long, mb=args.long_mb)
        secs, rss = pipeline_run(long, workers=1, out=Path(tmp) / "long-out")
        print(
            f"one article of {long.stat().st_size / 1e6:.1f} MB: {long_chars / secs / 1e3:.1f} k chars/s "
            f"({secs:.1f} s; {chars / full[w] / 1e3:.1f} k chars/s over many articles); peak RSS {rss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
