"""Spark engine vs local engine: throughput and start-up overhead (run by hand; prints
figures, asserts nothing). Needs pyspark and Java.

On the same JSONL corpus of at least --mb MB (bench/throughput.py's `build_corpus`), it
times, as wall seconds of the whole command (start-up included):
  - `press-extract run --workers 2` (local engine, JSONL out),
  - `press-extract run --engine spark --master local[2]` (Parquet out),
and the same two commands on a one-article input: their fixed cost (interpreter, JVM and
SparkContext start, pipeline load in each worker, Spark's jobs over the tables). The load
average before and after is printed: on a shared machine the figures are noisy.

    .venv/bin/python bench/spark_vs_local.py --mb 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, build_corpus  # noqa: E402


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "run", *args, "--quiet"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus, tiny = tmp / "corpus.jsonl", tmp / "tiny.jsonl"
        n, chars = build_corpus(corpus, mb=args.mb)
        with corpus.open(encoding="utf-8") as fh:
            first = fh.readline()
        tiny.write_text(first, encoding="utf-8")
        tiny_chars = len(json.loads(first)["text"])
        print(f"corpus: {n} articles, {chars / 1e6:.2f} M chars, {corpus.stat().st_size / 1e6:.1f} MB")
        engines = {
            f"local --workers {args.workers}": ["--workers", str(args.workers), "--force"],
            f"spark --master {args.master}": ["--engine", "spark", "--master", args.master],
        }
        for name, opts in engines.items():
            fixed = timed([str(tiny), "--out", str(tmp / "tiny-out"), *opts])
            total = timed([str(corpus), "--out", str(tmp / "out"), *opts])
            print(
                f"{name:24s}: {chars / total / 1e3:7.1f} k chars/s, {n / total:6.1f} articles/s over {total:6.1f} s wall; "
                f"one-article run {fixed:5.1f} s ({tiny_chars} chars); "
                f"without that fixed cost {chars / max(total - fixed, 1e-9) / 1e3:7.1f} k chars/s"
            )
    print(f"load average after:  {load()}")


if __name__ == "__main__":
    main()
