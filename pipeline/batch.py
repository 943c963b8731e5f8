"""Batch runs: read inputs lazily, process them in worker processes, write the tables.

Output does not depend on the number of workers: results are taken in input order and
the writer sorts by doc_id. A bad input or an article that fails to process becomes a
row of `errors`; the batch goes on.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import multiprocessing
import os
import platform
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .process import load, process_article
from .read import Article, InputProblem, iter_articles
from .rules import load_rules
from .store import Store
from .types import KINDS, TABLES
from .write import OutputWriter, clean_stale_temporaries, json_line

PACKAGE_DIR = Path(__file__).resolve().parent


def code_hash() -> str:
    """sha256 over the package's code and shipped models: a change invalidates reuse."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            h.update(p.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


class PreviousRun:
    """The records of an earlier run in the same output folder, reusable for articles
    whose text and date are unchanged when the rules, code and organisation-model
    setting are the same.

    Tables are sorted by doc_id, so each article's lines are one contiguous block.
    """

    def __init__(self, out_dir: Path, *, rules_sha256: str, code_sha256: str, org_model: bool = True, html: str = "main") -> None:
        self.out_dir = out_dir
        self.blocks: dict[str, dict[str, tuple[int, int]]] = {}
        self.inputs: dict[str, str] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        manifest = out_dir / "manifest.json"
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if m.get("rules_sha256") != rules_sha256 or m.get("code_sha256") != code_sha256:
            return
        if m.get("org_model", True) != org_model:  # manifests before the option: model on
            return
        if m.get("html", "full") != html:  # manifests before the option: visible text
            return
        try:
            for kind in KINDS + ("article",):
                self.blocks[kind] = _index_table(out_dir / f"{TABLES[kind]}.jsonl")
            with (out_dir / "articles.jsonl").open(encoding="utf-8") as fh:
                for line in fh:
                    row = json.loads(line)
                    self.rows[row["doc_id"]] = row
        except (OSError, ValueError, KeyError):
            self.blocks, self.rows = {}, {}
            return
        self.inputs = {k: v for k, v in m.get("inputs", {}).items() if k in self.rows}

    def reuse(self, article: Article) -> tuple[dict[str, Any], dict[str, list[str]]] | None:
        """The old row and lines of `article` if its text and date are unchanged."""
        row = self.rows.get(article.doc_id)
        if row is None or self.inputs.get(article.doc_id) != article.sha256:
            return None
        if row.get("date") != (article.date.isoformat() if article.date else None):
            return None
        lines: dict[str, list[str]] = {}
        for kind in KINDS:
            block = self.blocks[kind].get(article.doc_id)
            if block:
                with (self.out_dir / f"{TABLES[kind]}.jsonl").open("rb") as fh:
                    fh.seek(block[0])
                    lines[kind] = fh.read(block[1]).decode("utf-8").splitlines()
        return as_read(row, article), lines


def as_read(row: dict[str, Any], article: Article) -> dict[str, Any]:
    """An earlier run's articles row with how `article` was read this time: the path,
    title or encoding may differ although the text is the same."""
    return dict(row, path=article.path, title=article.title, url=article.url, encoding=article.encoding,
                date_source=article.date_source)


def _index_table(path: Path) -> dict[str, tuple[int, int]]:
    """doc_id -> (byte offset, length) of its block of lines in a sorted JSONL table."""
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    with path.open("rb") as fh:
        for line in fh:
            doc_id = json.loads(line)["doc_id"]
            start, length = index.get(doc_id, (offset, 0))
            index[doc_id] = (start, length + len(line))
            offset += len(line)
    return index


@dataclass
class Progress:
    """Reported to the progress callback after each article."""

    articles: int = 0
    reused: int = 0
    errors: int = 0
    chars: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


@dataclass(frozen=True)
class RunResult:
    out_dir: Path
    articles: int
    reused: int
    errors: int
    seconds: float
    counts: dict[str, int]
    store_run: int | None = None  # the run id in the store, when there is one


# An article that kills its worker this many times when run alone is given up (an error).
ATTEMPTS_ALONE = 2
# Default time limit per article, in seconds. The largest input read.py accepts (20 MB)
# takes about 2 minutes on one core, so only a hang reaches it.
DEFAULT_TIMEOUT = 600.0
# Set in each worker process by `_init_worker`: the pipeline is built once per process.
_NLP = None
_TIMEOUT: float | None = None


class ArticleTimeout(BaseException):
    """An article took longer than the batch's time limit. Not an `Exception`, so that
    no `except Exception` on the way up can swallow it and let the article run on."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `ArticleTimeout` in the block after `seconds` (None or 0: no limit).

    A SIGALRM timer, so it needs a Unix main thread (each worker's, or the caller's with
    one worker); elsewhere the block runs without a limit. It interrupts Python code and
    waits in C that return on a signal; a loop inside a C extension is not interrupted.
    """
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise ArticleTimeout(f"took longer than the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _init_worker(rules_dir: str | None, timeout: float | None = None, org_model: bool = True) -> None:
    global _NLP, _TIMEOUT
    _NLP = load(rules_dir=rules_dir, org_model=org_model)
    _TIMEOUT = timeout


def _work(article: Article) -> tuple[str, dict[str, Any] | None, dict[str, list[str]] | str, tuple]:
    """Process one article in a worker: its row, its JSONL lines per kind and its
    sentence spans, or a reason."""
    try:
        with time_limit(_TIMEOUT):
            row, document = process_article(article, nlp=_NLP)
    except ArticleTimeout as exc:  # a hang must not stall an unattended batch
        return article.doc_id, None, f"extraction stopped: {exc} (--timeout)", ()
    except Exception as exc:  # one article's failure must not end an unattended batch
        return article.doc_id, None, f"extraction failed: {type(exc).__name__}: {exc}", ()
    lines: dict[str, list[str]] = {}
    for record in document.records():
        lines.setdefault(record.kind, []).append(json_line(record.to_dict()))
    return article.doc_id, row, lines, document.sentences


def _ordered_map(
    fn: Callable, items: Iterable, *, workers: int, rules_dir: str | None, timeout: float | None, org_model: bool,
    on_crash: Callable,
) -> Iterator:
    """`map(fn, items)` in input order over `workers` processes, with a bounded number of
    articles in flight so memory does not grow with the corpus. Nothing is started
    (no pipeline, no pool) when there is nothing to process.

    A worker that dies (the out-of-memory killer, a signal) must not hang or end an
    unattended batch: the pool is rebuilt and the articles that were in flight are run
    again one at a time; one that kills its worker `ATTEMPTS_ALONE` times yields
    `on_crash(item)`.
    """
    it = iter(items)
    first = next(it, None)
    if first is None:
        return
    items = itertools.chain([first], it)
    if workers <= 1:
        _init_worker(rules_dir, timeout, org_model)
        yield from map(fn, items)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    new_pool = functools.partial(
        ProcessPoolExecutor, workers, mp_context=multiprocessing.get_context(method),
        initializer=_init_worker, initargs=(rules_dir, timeout, org_model),
    )
    pool = new_pool()
    pending: collections.deque = collections.deque()
    window = workers * 8

    def drain(limit: int) -> Iterator:
        nonlocal pool
        while len(pending) > limit:
            item, future = pending[0]
            try:
                result = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                for item, done in pending:
                    if done.done() and not done.cancelled() and done.exception() is None:
                        yield done.result()  # finished before the pool broke
                        continue
                    for _attempt in range(ATTEMPTS_ALONE):
                        try:
                            result = pool.submit(fn, item).result()
                            break
                        except BrokenProcessPool:
                            pool.shutdown(wait=False, cancel_futures=True)
                            pool = new_pool()
                    else:
                        result = on_crash(item)
                    yield result
                pending.clear()
                return
            pending.popleft()
            yield result

    try:
        for item in items:
            pending.append((item, pool.submit(fn, item)))
            yield from drain(window - 1)
        yield from drain(0)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _crashed(article: Article) -> tuple[str, None, str, tuple]:
    return article.doc_id, None, "the worker process died while processing this article (out of memory or killed)", ()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("press-extract", "spacy", "jieba", "pandas", "pyarrow", "regex"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def run(
    paths: Iterable[str | Path],
    *,
    out_dir: str | Path,
    formats: Iterable[str] = ("jsonl",),
    workers: int = 1,
    default_date: dt.date | None = None,
    rules_dir: str | None = None,
    force: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    org_model: bool = True,
    html: str = "main",
    store: str | Path | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunResult:
    """Extract every article under `paths` into the tables of `out_dir`.

    Unless `force`, articles whose text and date are unchanged since the last run in
    `out_dir` (same rules, same code) keep their records without being processed again.
    An article still running after `timeout` seconds (None: no limit) is stopped and
    becomes a row of `errors`. `org_model=False` finds organisations by the rules alone
    (faster; no `model:` records); a run reuses only records made the same way.
    `html`: which text of a web page is read (`pipeline.read.HTML_MODES`); also part of reuse.

    With `store` (a DuckDB file, see `pipeline.store`) the batch is also appended there
    in one transaction, and "unchanged" means unchanged since the store's current version.
    """
    paths = [str(p) for p in paths]
    rules = load_rules(rules_dir)  # fail on bad rules before touching any output
    out_dir = Path(out_dir)
    clean_stale_temporaries(out_dir)
    code_sha256 = code_hash()
    db = Store(store) if store else None  # fails now if another run holds it
    if db:
        db.begin(inputs=paths, rules_sha256=rules.sha256, code_sha256=code_sha256, org_model=org_model)
        previous = None if force else _StoreReuse(db)
    else:
        previous = None if force else PreviousRun(out_dir, rules_sha256=rules.sha256, code_sha256=code_sha256, org_model=org_model, html=html)
    writer = OutputWriter(out_dir, formats=formats)
    progress = Progress()
    inputs: dict[str, str] = {}
    first_seen: dict[str, str] = {}

    def articles() -> Iterator[Article]:
        items = iter_articles(paths, default_date=default_date, html_mode=html)
        for item in previous.ahead(items) if isinstance(previous, _StoreReuse) else items:
            if isinstance(item, InputProblem):
                _error(item)
                continue
            if item.doc_id in first_seen:
                _error(InputProblem(item.path or "", f"duplicate doc_id {item.doc_id!r} (first in {first_seen[item.doc_id]})", doc_id=item.doc_id))
                continue
            first_seen[item.doc_id] = item.path or ""
            old = previous.reuse(item) if previous else None
            if old is not None:
                writer.add_article(item.doc_id, *old)
                inputs[item.doc_id] = item.sha256 or ""
                progress.articles += 1
                progress.reused += 1
                progress.chars += len(item.text)
                continue
            yield item

    def _error(problem: InputProblem) -> None:
        progress.errors += not problem.is_warning
        writer.add_error(f"{problem.path}\0{problem.line or 0:012d}", problem.to_dict())
        if db:
            db.add_error(problem.to_dict())

    try:
        texts_by_id: dict[str, str] = {}
        mapped = _ordered_map(
            _work, _tracking(articles(), texts_by_id, inputs), workers=workers, rules_dir=str(rules.root), timeout=timeout,
            org_model=org_model, on_crash=_crashed,
        )
        for doc_id, row, result, sentences in mapped:
            text = texts_by_id.pop(doc_id, "")
            if row is None:
                _error(InputProblem(first_seen[doc_id], str(result), doc_id=doc_id))
                inputs.pop(doc_id, None)
            else:
                writer.add_article(doc_id, row, result)
                if db:
                    db.add_article(row, result, text=text, sentences=sentences)
                progress.articles += 1
            progress.chars += len(text)
            if on_progress:
                on_progress(progress)
        counts = writer.counts()
        manifest = {
            "versions": _versions(),
            "rules_sha256": rules.sha256,
            "code_sha256": code_sha256,
            "org_model": org_model,
            "html": html,
            "reused": progress.reused,
            "inputs": dict(sorted(inputs.items())),
            "counts": counts,
            "seconds": round(progress.seconds, 3),
            "workers": workers,
            "formats": list(writer.formats),
            "finished": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        }
        writer.commit(manifest)
        if db:
            db.commit(unchanged=progress.reused)
    except BaseException:
        writer.abort()
        if db:
            db.abort()
        raise
    finally:
        if db:
            db.close()
    return RunResult(
        out_dir=out_dir, articles=progress.articles, reused=progress.reused, errors=progress.errors,
        seconds=progress.seconds, counts=counts, store_run=db.run_id if db else None,
    )


class _StoreReuse:
    """`PreviousRun.reuse` over a store's current versions, looked up for `LOOKAHEAD`
    articles at a time (`ahead`): one query each, not one per article."""

    LOOKAHEAD = 256

    def __init__(self, db: Store) -> None:
        self.db = db
        self.found: dict[str, tuple[dict[str, Any], dict[str, list[str]]]] = {}

    def ahead(self, items: Iterable[Article | InputProblem]) -> Iterator[Article | InputProblem]:
        """`items` unchanged, with the stored rows of each chunk's articles fetched before it is passed on."""
        it = iter(items)
        while chunk := list(itertools.islice(it, self.LOOKAHEAD)):
            self.found = self.db.unchanged(
                (a.doc_id, a.sha256, a.date.isoformat() if a.date else None) for a in chunk if isinstance(a, Article)
            )
            yield from chunk

    def reuse(self, article: Article) -> tuple[dict[str, Any], dict[str, list[str]]] | None:
        found = self.found.pop(article.doc_id, None)
        # the same text read in another --html mode is another reading of the page
        if found is None or found[0].get("text_from") != article.text_from:
            return None
        return as_read(found[0], article), found[1]


def _tracking(articles: Iterable[Article], texts: dict[str, str], hashes: dict[str, str]) -> Iterator[Article]:
    """Note each article's text and hash on its way to the workers (the texts in flight)."""
    for a in articles:
        texts[a.doc_id] = a.text
        hashes[a.doc_id] = a.sha256 or ""
        yield a


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


__all__ = ["run", "RunResult", "Progress", "default_workers", "DEFAULT_TIMEOUT"]
