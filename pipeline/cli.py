"""`press-extract`: the command line. The only module that prints.

Exit codes: 0 success, 1 `diff` found differences, 2 usage or setup error, 3 finished
with errors (bad inputs listed in errors.jsonl).
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from pathlib import Path
from typing import Callable, Sequence

from .rules import RulesError

EXIT_OK, EXIT_DIFFERENT, EXIT_USAGE, EXIT_WITH_ERRORS = 0, 1, 2, 3

# Subcommands register here: name -> (add_arguments, handler returning an exit code).
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None]):
    def register(handler: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help, add_arguments, handler)
        return handler

    return register


class UsageError(Exception):
    """Bad arguments: printed as `press-extract: error: ...` with exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None


# `--format duckdb`: the store, as this file of the output folder.
STORE_FORMAT, STORE_NAME = "duckdb", "press-extract.duckdb"


def _formats(text: str) -> tuple[str, ...]:
    from .write import FORMATS

    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in FORMATS + (STORE_FORMAT,)]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"invalid format {','.join(bad) or text!r} (choose from {', '.join(FORMATS + (STORE_FORMAT,))})")
    return parts


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def _seconds(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        n = -1.0
    if not n >= 0 or n == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return n


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, folders (recursive) or - for stdin (default: corpus/)")
    # A string, not a Path: with --engine spark it may be a URI (s3a://bucket/out), which Path would mangle.
    p.add_argument("--out", help="output folder (default: outputs/ when reading corpus/)")
    p.add_argument("--format", type=_formats, default=None, help=f"comma-separated: jsonl,csv,parquet,duckdb (jsonl is always written; duckdb: --store OUT/{STORE_NAME}; with --engine spark: parquet is, and csv is not offered)")
    p.add_argument("--store", default=None, metavar="FILE.duckdb", help="also append the batch to this DuckDB store (article versions, runs, views; see README)")
    p.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all cores)")
    p.add_argument("--date", type=_date, default=None, help="article date for inputs that carry none (YYYY-MM-DD)")
    p.add_argument("--rules", default=None, help="rules folder (default: the package's rules/)")
    p.add_argument("--force", action="store_true", help="process every article, even those unchanged since the last run in --out")
    p.add_argument("--timeout", type=_seconds, default=None, help="stop an article still running after this many seconds; it becomes a row of errors.jsonl (default: 600; 0: no limit)")
    p.add_argument("--no-org-model", action="store_true", help="find organisations by the rules alone, without the NER model: faster, fewer organisations (see README)")
    p.add_argument("--html", choices=("main", "full"), default="main", help="web pages: main content only (default) or all visible text (see README)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--engine", choices=("local", "spark"), default="local", help="local processes (default) or Apache Spark (needs press-extract[spark] and Java)")
    p.add_argument("--master", default=None, help="with --engine spark: the Spark master, e.g. local[2] (default: spark-submit's)")


class _ProgressPrinter:
    """A bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, stream, *, every: float = 5.0) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every = every
        self.last = 0.0

    def __call__(self, p) -> None:
        rate = p.chars / p.seconds if p.seconds > 0 else 0.0
        line = f"{p.articles} articles ({p.reused} unchanged), {p.errors} errors, {p.chars / 1e6:.2f} M chars, {rate / 1e3:.0f} k chars/s"
        if self.tty:
            self.stream.write(f"\r\x1b[K{line}")
            self.stream.flush()
        elif p.seconds - self.last >= self.every:
            self.last = p.seconds
            self.stream.write(line + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


@command("run", "extract records from articles into tables", _run_args)
def _run(args: argparse.Namespace) -> int:
    from .batch import DEFAULT_TIMEOUT, default_workers, run

    paths = args.paths
    out = args.out
    if not paths:
        if not Path("corpus").is_dir():
            raise UsageError("no PATH given and no corpus/ folder here (run from the project folder, or pass PATH)")
        paths = ["corpus"]
        out = out or Path("outputs")
    if out is None:
        raise UsageError("--out DIR is required when PATH is given")
    formats = tuple(f for f in args.format or ("jsonl",) if f != STORE_FORMAT) or ("jsonl",)
    store = args.store or (Path(out) / STORE_NAME if STORE_FORMAT in (args.format or ()) else None)
    printer = None if args.quiet else _ProgressPrinter(sys.stderr)
    if args.engine == "spark":
        if store:
            raise UsageError("--store and --format duckdb apply to the local engine; attach the Spark Parquet tables in DuckDB as the README shows")
        result = _run_spark(args, paths, out)
    else:
        from .store import StoreError

        try:
            result = run(
                paths, out_dir=out, formats=formats, workers=args.workers or default_workers(),
                default_date=args.date, rules_dir=args.rules, force=args.force, on_progress=printer,
                timeout=DEFAULT_TIMEOUT if args.timeout is None else (args.timeout or None), org_model=not args.no_org_model,
                html=args.html, store=store,
            )
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    if printer:
        printer.close()
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items() if name not in ("articles", "errors"))
    reused = f", {result.reused} unchanged since the last run" if result.reused else ""
    print(f"{result.articles} articles{reused} -> {result.out_dir}/ ({counts}) in {result.seconds:.1f} s")
    if result.store_run is not None:
        print(f"stored as run {result.store_run} in {store}")
    if result.errors:
        print(f"{result.errors} inputs failed: see {result.out_dir / 'errors.jsonl'}", file=sys.stderr)
        return EXIT_WITH_ERRORS
    return EXIT_OK


def _train_args(p: argparse.ArgumentParser) -> None:
    from .train import ARCH_NAMES, DEFAULT_ARCH, MODEL_NAME

    default_out = Path(__file__).resolve().parent / "models" / MODEL_NAME
    p.add_argument("cluener", type=Path, help="CLUENER train.json (e.g. ../shared/data/cluener/train.json)")
    p.add_argument("--out", type=Path, default=default_out, help=f"model folder (default: {default_out})")
    p.add_argument("--peoples-daily", type=Path, default=None, help="People's Daily BIO folder to train on as well (e.g. ../shared/data/peoples_daily)")
    p.add_argument("--corpus", type=Path, default=None, help="press-release .txt folder for rule-labelled silver data (e.g. ../shared/corpus)")
    p.add_argument("--seed", type=int, default=13, help="random seed (default: 13)")
    p.add_argument("--max-epochs", type=_positive, default=30, help="at most this many epochs, or L-BFGS iterations for --arch crf (default: 30)")
    p.add_argument("--max-minutes", type=float, default=20.0, help="time budget; stops before overrunning it (default: 20)")
    p.add_argument("--rules", default=None, help="rules folder for the jieba user dictionary (default: the package's rules/)")
    p.add_argument("--arch", choices=ARCH_NAMES, default=DEFAULT_ARCH, help=f"model architecture (default: {DEFAULT_ARCH})")
    p.add_argument("--dropout", type=float, default=0.2, help="dropout (default: 0.2)")
    p.add_argument("--batch-size", type=_positive, default=32, help="sentences per update (default: 32)")
    p.add_argument("--learn-rate", type=float, default=0.001, help="Adam learning rate (default: 0.001)")
    p.add_argument("--limit", type=int, default=0, help="train on the first N CLUENER training sentences only, for quick trials (default: 0 = all)")


@command("train", "rebuild the organisation NER model from CLUENER and People's Daily (fixed seed)", _train_args)
def _train(args: argparse.Namespace) -> int:
    from .train import train

    if not args.cluener.is_file():
        raise UsageError(f"no such file: {args.cluener}")
    if args.peoples_daily is not None and not args.peoples_daily.is_dir():
        raise UsageError(f"no such folder: {args.peoples_daily}")
    meta = train(
        cluener=args.cluener, out=args.out, peoples_daily=args.peoples_daily, corpus=args.corpus, rules_dir=args.rules, seed=args.seed,
        max_epochs=args.max_epochs, max_minutes=args.max_minutes, arch=args.arch, dropout=args.dropout, batch_size=args.batch_size,
        learn_rate=args.learn_rate, limit=args.limit,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    held = meta["scores"]["heldout"]
    line = f"model -> {args.out} (CLUENER held-out P {held['p']:.3f} R {held['r']:.3f} F1 {held['f']:.3f}"
    if "peoples_daily_heldout" in meta["scores"]:
        held = meta["scores"]["peoples_daily_heldout"]
        line += f"; People's Daily held-out P {held['p']:.3f} R {held['r']:.3f} F1 {held['f']:.3f}"
    print(line + ")")
    return EXIT_OK


def _run_spark(args: argparse.Namespace, paths: list[str], out: Path):
    formats = args.format or ("parquet",)
    if "csv" in formats:
        raise UsageError("--engine spark writes parquet and jsonl, not csv")
    if args.timeout is not None:
        raise UsageError("--timeout applies to the local engine only")
    try:
        from .spark import run
    except ImportError as exc:
        raise UsageError(f"--engine spark needs pyspark: pip install 'press-extract[spark]' ({exc})") from None
    return run(
        paths, out_dir=out, formats=formats, master=args.master, default_date=args.date, rules_dir=args.rules,
        org_model=not args.no_org_model,
    )


def _kind(text: str) -> str:
    from .types import KINDS, TABLES

    by_name = {**{k: k for k in KINDS}, **{TABLES[k]: k for k in KINDS}}
    if text not in by_name:
        raise argparse.ArgumentTypeError(f"invalid kind {text!r} (choose from {', '.join(KINDS)})")
    return by_name[text]


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", type=Path, metavar="OLD_DIR|STORE", help="output folder of the earlier run, or a DuckDB store")
    p.add_argument("new", metavar="NEW_DIR|OLD_RUN", help="output folder of the later run, or (with a store) the earlier run id")
    p.add_argument("new_run", nargs="?", metavar="NEW_RUN", help="with a store: the later run id")
    p.add_argument("--kind", type=_kind, action="append", help="only this kind (repeatable; default: all)")
    p.add_argument("--format", choices=("text", "json", "html"), default="text", help="text (default; coloured on a terminal), json or html")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text format (auto: on a terminal, unless NO_COLOR is set)")


@command("diff", "compare two output folders record by record (exit 0 same, 1 different)", _diff_args)
def _diff(args: argparse.Namespace) -> int:
    import os

    from .diff import OutputFolderError, StoredTexts, diff_runs, diff_to_dict, format_text, read_run, to_json
    from .types import KINDS

    kinds = tuple(dict.fromkeys(args.kind)) if args.kind else KINDS
    try:
        if args.old.is_file():  # a store and two run ids
            if args.new_run is None:
                raise UsageError(f"{args.old} is a store: give two run ids (press-extract diff STORE OLD_RUN NEW_RUN)")
            (old, old_texts), (new, new_texts) = (_store_run(args.old, r) for r in (args.new, args.new_run))
            texts = StoredTexts({**old_texts.texts, **new_texts.texts})
        else:
            if args.new_run is not None:
                raise UsageError(f"{args.old} is not a store: give two output folders")
            old, new, texts = read_run(args.old), read_run(Path(args.new)), None
    except OutputFolderError as exc:
        raise UsageError(str(exc)) from None
    d = diff_runs(old, new, kinds=kinds)
    if args.format == "json":
        sys.stdout.write(to_json(diff_to_dict(d)) + "\n")
    elif args.format == "html":
        from .review import render_review

        sys.stdout.write(render_review(new, diff=d, only_different=True, texts=texts))
    else:
        tty = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sys.stdout.write(format_text(d, color=args.color == "always" or (args.color == "auto" and tty), texts=texts))
    return EXIT_DIFFERENT if d.different else EXIT_OK


def _store_run(path: Path, run_id: str | None):
    """A store's run by its id (None: the latest): the articles as they stood after it, and their texts."""
    from .diff import read_store_run

    if run_id is not None and not run_id.isdigit():
        raise UsageError(f"invalid run id {run_id!r} (a number from the store's runs table)")
    return read_store_run(path, None if run_id is None else int(run_id))


def _eval_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("pred", type=Path, metavar="PRED_DIR", help="output folder to score")
    p.add_argument("gold", type=Path, metavar="GOLD_DIR", help="folder of gold files, one JSON object per article")
    p.add_argument("--kind", type=_kind, action="append", help="only this kind (repeatable; quantity, organization, metric, goal)")
    p.add_argument("-v", "--verbose", action="store_true", help="also list missed and spurious items")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object only")


@command("eval", "score an output folder against gold files (precision, recall, F1 per kind)", _eval_args)
def _eval(args: argparse.Namespace) -> int:
    import json

    from .evaluate import GOLD_KINDS, GoldError, evaluate
    from .types import TABLES

    kinds = tuple(TABLES[k] for k in dict.fromkeys(args.kind)) if args.kind else GOLD_KINDS
    bad = [k for k in kinds if k not in GOLD_KINDS]
    if bad:
        raise UsageError(f"no gold for {', '.join(bad)} (gold has {', '.join(GOLD_KINDS)})")
    try:
        result = evaluate(args.pred, args.gold, kinds=kinds)
    except GoldError as exc:
        raise UsageError(str(exc)) from None
    figures = result.to_dict()
    if result.absent:
        print(
            f"warning: {len(result.absent)} of {result.gold_articles} gold articles are not in {args.pred / 'articles.jsonl'} "
            f"({', '.join(result.absent[:5])}{' …' if len(result.absent) > 5 else ''}); all their gold items count as missed. "
            "Run on the gold articles with their ids, e.g. `press-extract run ../shared/seeds.jsonl --out DIR`.",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return EXIT_OK
    if args.verbose:
        for m in result.misses:
            tag = " (boundary)" if m.error == "boundary" else ""
            print(f"   {m.kind} {m.doc_id} {m.status}{tag} {json.dumps(m.item, ensure_ascii=False)}")
    print(f"{result.gold_articles} gold articles")
    for kind, f in figures.items():
        attrs = " ".join(f"{name}={'—' if acc is None else f'{acc:.3f}'}" for name, acc in f["attributes"].items())
        print(f"{kind:14s} P={f['p']:.3f} R={f['r']:.3f} F1={f['f1']:.3f} tp={f['tp']} fp={f['fp']} fn={f['fn']}  {attrs}")
        if kind == "organizations":
            classes = result.error_classes(kind)
            print(f"{'':14s} errors: missed={classes['missed']} spurious={classes['spurious']} boundary={classes['boundary']}")
    print(json.dumps(figures, ensure_ascii=False))
    return EXIT_OK


def _review_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", type=Path, metavar="OUT_DIR|STORE", help="output folder to review, or a DuckDB store")
    p.add_argument("--run", metavar="RUN", help="with a store: the run to review (default: the latest)")
    p.add_argument("--html", type=Path, help="the page to write (default: OUT_DIR/review.html; for a store NAME.duckdb: NAME.review.html beside it)")
    p.add_argument("--pages", type=Path, metavar="DIR", help="instead of one page: DIR/index.html and one page per article")
    p.add_argument("--diff", metavar="OLD_DIR|OLD_RUN", help="mark records added, removed or changed since this run (with a store: a run id)")
    p.add_argument("--only-different", action="store_true", help="with --diff: show only the articles that differ")


@command("review", "write an HTML page with every article's records highlighted in place", _review_args)
def _review(args: argparse.Namespace) -> int:
    from .diff import OutputFolderError, diff_runs, read_run
    from .review import render_review, write_pages

    if args.html and args.pages:
        raise UsageError("give --html or --pages, not both")
    texts = None
    try:
        if args.out.is_file():  # a store: runs by id
            run, texts = _store_run(args.out, args.run)
            old = _store_run(args.out, args.diff)[0] if args.diff else None
        else:
            if args.run:
                raise UsageError("--run needs a store")
            run, old = read_run(args.out), read_run(Path(args.diff)) if args.diff else None
        d = diff_runs(old, run) if old else None
    except OutputFolderError as exc:
        raise UsageError(str(exc)) from None
    shown = f"{len(run.articles)} articles, {sum(len(v) for v in run.records.values())} records"
    if args.pages:
        files = write_pages(run, args.pages, diff=d, only_different=args.only_different, texts=texts)
        print(f"wrote {files[0]} and {len(files) - 1} article pages ({shown})")
        return EXIT_OK
    target = args.html or (args.out.with_suffix(".review.html") if texts else args.out / "review.html")
    target.write_text(render_review(run, diff=d, only_different=args.only_different, texts=texts), encoding="utf-8")
    print(f"wrote {target} ({shown})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="press-extract", description="Structured records from Chinese press releases.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_text, add_arguments, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(handler=handler)
    return parser


def _terminate(signum, frame) -> None:
    # Unwind normally so the writer removes its temporary folder; outputs stay as they were.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.handler(args)
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"press-extract: error: {exc}\n")
    except RulesError as exc:
        parser.exit(EXIT_USAGE, f"press-extract: error: invalid rules: {exc}\n")
    except OSError as exc:
        parser.exit(EXIT_USAGE, f"press-extract: error: {exc}\n")
    except KeyboardInterrupt:
        print("press-extract: interrupted; previous outputs left unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
