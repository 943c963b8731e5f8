"""What the DuckDB store adds to a run (run by hand; prints figures, asserts nothing).

On the throughput benchmark's corpus (bench/throughput.py's `build_corpus`, --mb MB):
  - wall time of `press-extract run` without and with `--store` (fresh output folder and
    store each time; the two alternate --repeat times, the median is reported),
  - the seconds spent inside the store (opening, buffering, inserting, committing),
    measured in-process by timing `pipeline.store.Store`'s methods during one run, which
    other load on the machine does not blur,
  - a repeated batch (every article unchanged) with the store, against the same repeat
    into the output folder alone.

    .venv/bin/python bench/store_overhead.py --mb 5 --workers 2
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, build_corpus, pipeline_run  # noqa: E402

_TIMED = ("__init__", "begin", "unchanged", "add_article", "add_error", "flush", "commit", "close")
_IN_PROCESS = """
import functools, sys, time
from pipeline import batch, store
spent = [0.0]
def timed(fn):
    @functools.wraps(fn)
    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t
    return wrapper
for name in %r:
    setattr(store.Store, name, timed(getattr(store.Store, name)))
t = time.perf_counter()
r = batch.run([sys.argv[1]], out_dir=sys.argv[2], store=sys.argv[3], workers=int(sys.argv[4]))
print(time.perf_counter() - t, spent[0])
""" % (_TIMED,)


def store_seconds(corpus: Path, tmp: Path, *, workers: int, name: str) -> tuple[float, float]:
    """(run seconds, seconds inside the store) of one in-process run."""
    done = subprocess.run(
        [sys.executable, "-c", _IN_PROCESS, str(corpus), str(tmp / f"{name}-out"), str(tmp / f"{name}.duckdb"), str(workers)],
        check=True, cwd=ROOT, capture_output=True, text=True,
    )
    total, inside = map(float, done.stdout.split())
    return total, inside


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        corpus = tmp / "corpus.jsonl"
        n, chars = build_corpus(corpus, mb=args.mb)
        print(f"corpus: {n} articles, {chars / 1e6:.2f} M chars, {corpus.stat().st_size / 1e6:.1f} MB; {args.workers} workers")
        plain, stored = [], []
        for i in range(args.repeat):
            plain.append(pipeline_run(corpus, workers=args.workers, out=tmp / f"plain{i}")[0])
            db = tmp / f"s{i}.duckdb"
            stored.append(pipeline_run(corpus, workers=args.workers, out=tmp / f"stored{i}", force=False, options=("--store", str(db)))[0])
        p, s = statistics.median(plain), statistics.median(stored)
        print(f"run without store: {p:7.1f} s  ({', '.join(f'{x:.1f}' for x in plain)})")
        print(f"run with --store:  {s:7.1f} s  ({', '.join(f'{x:.1f}' for x in stored)})  {100 * (s - p) / p:+.1f}%")
        size = (tmp / "s0.duckdb").stat().st_size
        print(f"store file: {size / 1e6:.1f} MB for {corpus.stat().st_size / 1e6:.1f} MB of input")
        total, inside = store_seconds(corpus, tmp, workers=args.workers, name="timed")
        print(f"in-process: run {total:.1f} s, of which in the store {inside:.2f} s ({100 * inside / (total - inside):.1f}% added)")
        again = pipeline_run(corpus, workers=args.workers, out=tmp / "stored0", force=False, options=("--store", str(tmp / "s0.duckdb")))[0]
        folder_again = pipeline_run(corpus, workers=args.workers, out=tmp / "plain0", force=False)[0]
        print(f"repeated batch, all unchanged: with --store {again:.1f} s, folder alone {folder_again:.1f} s")


if __name__ == "__main__":
    main()
