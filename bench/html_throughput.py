"""HTML throughput with main-content extraction (run by hand; prints figures, asserts nothing).

Wraps the articles of ../shared/corpus in the page of tests/fixtures/html/gov_portal.html
(navigation, breadcrumbs, share bar, related list, footer), --copies times, then reports:
  - reading alone (pipeline.read over the pages) in `main` and `full` mode, chars/s,
  - the whole pipeline on one worker over the same pages (`main` mode), chars/s,
  - the share of the pipeline's time that main-content extraction costs
    (main-mode reading minus full-mode reading, over the pipeline's wall time).

    .venv/bin/python bench/html_throughput.py --copies 10
"""

from __future__ import annotations

import argparse
import html
import re
import tempfile
import time
from pathlib import Path

from pipeline.batch import run
from pipeline.read import Article, iter_articles

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TEMPLATE = ROOT / "tests" / "fixtures" / "html" / "gov_portal.html"


def build_pages(folder: Path, *, copies: int) -> int:
    """Write the pages; return their number."""
    page = TEMPLATE.read_text(encoding="utf-8")
    body = re.compile(r'(<div class="article-content" id="zoom">).*?(</div>)', re.S)
    n = 0
    for k in range(copies):
        for f in sorted((SHARED / "corpus").glob("*.txt")):
            paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in f.read_text(encoding="utf-8").splitlines() if p.strip())
            (folder / f"{k:03d}_{f.stem}.html").write_text(body.sub(lambda m: m[1] + paras + m[2], page), encoding="utf-8")
            n += 1
    return n


def read_all(folder: Path, mode: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    chars = sum(len(a.text) for a in iter_articles([folder], html_mode=mode) if isinstance(a, Article))
    return time.perf_counter() - t0, chars


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages = Path(tmp) / "pages"
        pages.mkdir()
        n = build_pages(pages, copies=args.copies)
        read_all(pages, "main")  # warm up trafilatura's lazy set-up
        main_s, chars = read_all(pages, "main")
        full_s, full_chars = read_all(pages, "full")
        t0 = time.perf_counter()
        run([pages], out_dir=Path(tmp) / "out", workers=1, force=True, html="main")
        run_s = time.perf_counter() - t0
    print(f"{n} pages, {chars} main-content chars ({full_chars} visible chars)")
    print(f"read, main mode: {main_s:.2f} s, {chars / main_s / 1e3:.0f} k chars/s")
    print(f"read, full mode: {full_s:.2f} s, {full_chars / full_s / 1e3:.0f} k chars/s")
    print(f"pipeline, main mode, 1 worker: {run_s:.2f} s, {chars / run_s / 1e3:.1f} k chars/s")
    print(f"main-content extraction: {(main_s - full_s) / run_s:.1%} of the pipeline's time")


if __name__ == "__main__":
    main()
