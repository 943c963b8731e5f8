"""Throughput and memory benchmark (run by hand; prints figures, asserts nothing).

In one process, on at least --ratio-mb MB of the articles of ../shared/corpus and
../shared/dev (repeated and shuffled, fixed seed), side by side:
  - bare `jieba.Tokenizer.lcut` (a private tokenizer with jieba's own dictionary),
  - which route search (and HMM) segments: the compiled one (pipeline._route) or pure Python,
  - the pipeline (`pipeline.process.extract`) with the organisation model and with
    `org_model=False` (--no-org-model): chars/s and the ratio pipeline/jieba,
  - with --profile, a table of where the pipeline's time goes, stage by stage.
Then, as whole `press-extract run` processes on a folder of at least --mb MB (JSONL
shards of the same articles):
  - wall time with each --workers count, the speed-up over the first (also net of the
    fixed cost of a run, timed on one article), whether the records are identical, and
    the peak RSS of the largest process (one worker's),
  - the same with 1 worker and `--no-org-model`,
  - memory against corpus size: peak RSS of a 1-worker run over --small-mb MB,
  - an incremental re-run after one article changed, against the full run,
  - one long article (--long-mb MB, the corpus articles joined): its rate against the
    many-article rate shows whether the cost stays linear in an article's length.

    .venv/bin/python bench/throughput.py --mb 5 --workers 1 2 --profile
"""

from __future__ import annotations

import argparse
import collections
import filecmp
import json
import logging
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jieba

from pipeline import process, segment
from pipeline.records import to_document

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def article_texts() -> list[str]:
    """The texts of ../shared/corpus and ../shared/dev, in a fixed order."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "corpus").glob("*.txt"))]
    with (SHARED / "dev" / "docs.jsonl").open(encoding="utf-8") as fh:
        texts += [json.loads(line)["text"] for line in fh if line.strip()]
    return texts


def repeated(texts: list[str], *, mb: float, seed: int = 0) -> list[str]:
    """`texts` shuffled and repeated until they make at least `mb` MB of UTF-8."""
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < mb * 1e6:
        batch = texts[:]
        rng.shuffle(batch)
        out += batch
        size += sum(len(t.encode("utf-8")) for t in batch)
    return out


def build_corpus(path: Path, *, mb: float, shard: int = 0) -> tuple[int, int]:
    """Write the articles of at least `mb` MB as JSONL: one file at `path`, or with
    `shard` a folder `path` of files of `shard` articles each; return (articles, chars)."""
    texts = repeated(article_texts(), mb=mb)
    if shard:
        path.mkdir(parents=True, exist_ok=True)
    fh = None
    for n, text in enumerate(texts):
        if fh is None or (shard and n % shard == 0):
            if fh:
                fh.close()
            fh = (path / f"part{n // shard:04d}.jsonl" if shard else path).open("w", encoding="utf-8")
        fh.write(json.dumps({"id": f"a{n:07d}", "text": text, "date": "2024-02-01"}, ensure_ascii=False) + "\n")
    fh.close()
    return len(texts), sum(map(len, texts))


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size


def bare_jieba(texts: list[str]) -> float:
    """Seconds of bare `jieba.Tokenizer.lcut` over `texts` (dictionary loaded first)."""
    logging.getLogger("jieba").setLevel(logging.WARNING)  # its dictionary-loading lines
    tok = jieba.Tokenizer()
    tok.initialize()
    t0 = time.perf_counter()
    for text in texts:
        tok.lcut(text)
    return time.perf_counter() - t0


def in_process(texts: list[str], *, org_model: bool) -> float:
    """Seconds of the pipeline over `texts` in this process (pipeline built first)."""
    nlp = process.load(org_model=org_model)
    process.extract(texts[0], nlp=nlp)  # warm-up: lazy tables
    t0 = time.perf_counter()
    for text in texts:
        process.extract(text, date="2024-02-01", nlp=nlp)
    return time.perf_counter() - t0


def stage_table(texts: list[str]) -> list[tuple[str, float]]:
    """Seconds per stage over `texts`, the organisation model's share apart: segmentation
    (jieba's cut alone and with the Doc), each component, and the records."""
    nlp = process.load(org_model=True)
    process.extract(texts[0], nlp=nlp)
    spent: collections.Counter[str] = collections.Counter()
    orgs = nlp.get_pipe("press_extract_organizations")
    model_spans = orgs.model_spans

    def timed_model(v, runs):
        t = time.perf_counter()
        out = list(model_spans(v, runs))
        spent["  of which the NER model"] += time.perf_counter() - t
        return out

    orgs.model_spans = timed_model
    try:
        for text in texts:
            t = time.perf_counter()
            nlp.tokenizer.cut(text)
            spent["  jieba's cut (timed apart)"] += time.perf_counter() - t
            t = time.perf_counter()
            doc = nlp.make_doc(text)
            spent["segment + Doc"] += time.perf_counter() - t
            for name, component in nlp.pipeline:
                t = time.perf_counter()
                doc = component(doc)
                spent[name.removeprefix("press_extract_")] += time.perf_counter() - t
            t = time.perf_counter()
            to_document(doc, doc_id="x", date=None)
            spent["records"] += time.perf_counter() - t
    finally:
        del orgs.model_spans
    order = ["segment + Doc", "  jieba's cut (timed apart)", "sentences", "times", "quantities", "organizations",
             "  of which the NER model", "link", "records"]
    return [(k, spent[k]) for k in order + [k for k in spent if k not in order]]


def same_records(a: Path, b: Path) -> bool:
    """Whether two output folders hold the same tables (the manifest aside)."""
    names = sorted(p.name for p in a.glob("*.jsonl"))
    return names == sorted(p.name for p in b.glob("*.jsonl")) and all(
        filecmp.cmp(a / n, b / n, shallow=False) for n in names
    )


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
    ap.add_argument("--ratio-mb", type=float, default=1.0, help="text for the in-process ratios to bare jieba")
    ap.add_argument("--mb", type=float, default=5.0, help="size of the folder for the whole-run figures")
    ap.add_argument("--small-mb", type=float, default=2.0, help="corpus size for the memory comparison (0: skip it)")
    ap.add_argument("--long-mb", type=float, default=5.0, help="size of the one long article (0: skip)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--profile", action="store_true", help="print where the time goes, stage by stage")
    ap.add_argument("--ratios-only", action="store_true", help="only the in-process figures")
    args = ap.parse_args()

    texts = repeated(article_texts(), mb=args.ratio_mb)
    chars = sum(map(len, texts))
    print(f"in one process: {len(texts)} articles, {chars / 1e6:.2f} M chars, "
          f"{sum(len(t.encode('utf-8')) for t in texts) / 1e6:.1f} MB of ../shared/corpus + ../shared/dev")
    compiled = segment.RouteTokenizer().compiled
    print(f"  route search and HMM: {'compiled (pipeline._route)' if compiled else 'pure Python (pipeline._route not built)'}")
    jieba_s = bare_jieba(texts)
    print(f"  bare jieba.Tokenizer.lcut:  {chars / jieba_s / 1e3:8.1f} k chars/s  ({jieba_s:.2f} s)")
    for label, org_model in (("pipeline, org model on:", True), ("pipeline, --no-org-model:", False)):
        secs = in_process(texts, org_model=org_model)
        print(f"  {label:27s} {chars / secs / 1e3:8.1f} k chars/s  ({secs:.2f} s); pipeline/jieba = {jieba_s / secs:.2f}")
    if args.profile:
        table = stage_table(texts)
        total = sum(v for k, v in table if not k.startswith("  "))
        print(f"  where the time goes (org model on; {total:.2f} s):")
        for name, secs in table:
            print(f"    {name:26s} {secs:7.2f} s {100 * secs / total:5.1f}%")
    if args.ratios_only:
        return

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        n, chars = build_corpus(corpus, mb=args.mb, shard=200)
        print(f"whole runs on a folder: {n} articles, {chars / 1e6:.2f} M chars, {size_of(corpus) / 1e6:.1f} MB")
        full: dict[int, float] = {}
        peak: dict[int, int] = {}
        w0 = args.workers[0]
        # The fixed cost of a run (start-up, pipeline build, writing): a run on one article.
        one = Path(tmp) / "one.jsonl"
        one.write_text((corpus / "part0000.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        fixed, _ = pipeline_run(one, workers=1, out=Path(tmp) / "one-out")
        print(f"  fixed cost (a run on one article): {fixed:.1f} s")
        for w in args.workers:
            secs, rss = pipeline_run(corpus, workers=w, out=Path(tmp) / f"out{w}")
            full[w], peak[w] = secs, rss
            same = "" if w == w0 else f"; records identical to {w0} worker(s): {same_records(Path(tmp) / f'out{w0}', Path(tmp) / f'out{w}')}"
            print(
                f"  --workers {w}: {secs:6.1f} s wall incl. start-up, {chars / secs / 1e3:7.1f} k chars/s, "
                f"{n / secs:6.1f} articles/s, x{full[w0] / secs:.2f} vs {w0} worker(s) "
                f"(x{(full[w0] - fixed) / max(secs - fixed, 1e-9):.2f} net of the fixed cost); "
                f"peak RSS of the largest process {rss / 1024:.0f} MB{same}"
            )
        secs, rss = pipeline_run(corpus, workers=1, out=Path(tmp) / "out-rules", options=("--no-org-model",))
        print(f"  --workers 1 --no-org-model: {secs:6.1f} s, {chars / secs / 1e3:7.1f} k chars/s; peak RSS {rss / 1024:.0f} MB")
        if args.small_mb:  # 0 skips the memory comparison
            small = Path(tmp) / "small.jsonl"
            build_corpus(small, mb=args.small_mb)
            _, small_rss = pipeline_run(small, workers=w0, out=Path(tmp) / "small-out")
            print(
                f"  memory, {w0} worker(s): peak RSS {small_rss / 1024:.0f} MB at {size_of(small) / 1e6:.1f} MB of input, "
                f"{peak[w0] / 1024:.0f} MB at {size_of(corpus) / 1e6:.1f} MB ({100 * (peak[w0] / small_rss - 1):+.1f}%)"
            )
        change_one_article(sorted(corpus.glob("*.jsonl"))[0])
        secs, _ = pipeline_run(corpus, workers=w0, out=Path(tmp) / f"out{w0}", force=False)
        print(
            f"  re-run after one changed article, {w0} worker(s): {secs:.1f} s = {100 * secs / full[w0]:.1f}% of the "
            f"full run ({full[w0]:.1f} s)"
        )
        if args.long_mb:
            long = Path(tmp) / "long.jsonl"
            long_chars = build_long_article(long, mb=args.long_mb)
            secs, rss = pipeline_run(long, workers=1, out=Path(tmp) / "long-out")
            print(
                f"  one article of {long.stat().st_size / 1e6:.1f} MB: {long_chars / secs / 1e3:.1f} k chars/s "
                f"({secs:.1f} s; {chars / full[1 if 1 in full else w0] / 1e3:.1f} k chars/s over many articles); "
                f"peak RSS {rss / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
