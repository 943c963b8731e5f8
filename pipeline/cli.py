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


def _formats(text: str) -> tuple[str, ...]:
    from .write import FORMATS

    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in FORMATS]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"invalid format {','.join(bad) or text!r} (choose from {', '.join(FORMATS)})")
    return parts


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return n


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="files, folders (recursive) or - for stdin (default: corpus/)")
    p.add_argument("--out", type=Path, help="output folder (default: outputs/ when reading corpus/)")
    p.add_argument("--format", type=_formats, default=("jsonl",), help="comma-separated: jsonl,csv,parquet (jsonl is always written)")
    p.add_argument("--workers", type=_positive, default=None, help="worker processes (default: all cores)")
    p.add_argument("--date", type=_date, default=None, help="article date for inputs that carry none (YYYY-MM-DD)")
    p.add_argument("--rules", default=None, help="rules folder (default: the package's rules/)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


class _ProgressPrinter:
    """A bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, stream, *, every: float = 5.0) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every = every
        self.last = 0.0

    def __call__(self, p) -> None:
        rate = p.chars / p.seconds if p.seconds > 0 else 0.0
        line = f"{p.articles} articles, {p.errors} errors, {p.chars / 1e6:.2f} M chars, {rate / 1e3:.0f} k chars/s"
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
    from .batch import default_workers, run

    paths = args.paths
    out = args.out
    if not paths:
        if not Path("corpus").is_dir():
            raise UsageError("no PATH given and no corpus/ folder here (run from the project folder, or pass PATH)")
        paths = ["corpus"]
        out = out or Path("outputs")
    if out is None:
        raise UsageError("--out DIR is required when PATH is given")
    printer = None if args.quiet else _ProgressPrinter(sys.stderr)
    result = run(
        paths, out_dir=out, formats=args.format, workers=args.workers or default_workers(),
        default_date=args.date, rules_dir=args.rules, on_progress=printer,
    )
    if printer:
        printer.close()
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items() if name not in ("articles", "errors"))
    print(f"{result.articles} articles -> {result.out_dir}/ ({counts}) in {result.seconds:.1f} s")
    if result.errors:
        print(f"{result.errors} inputs failed: see {result.out_dir / 'errors.jsonl'}", file=sys.stderr)
        return EXIT_WITH_ERRORS
    return EXIT_OK


def _train_args(p: argparse.ArgumentParser) -> None:
    from .train import MODEL_NAME

    default_out = Path(__file__).resolve().parent / "models" / MODEL_NAME
    p.add_argument("cluener", type=Path, help="CLUENER train.json (e.g. ../shared/data/cluener/train.json)")
    p.add_argument("--out", type=Path, default=default_out, help=f"model folder (default: {default_out})")
    p.add_argument("--seed", type=int, default=13, help="random seed (default: 13)")
    p.add_argument("--max-epochs", type=_positive, default=30, help="at most this many epochs (default: 30)")
    p.add_argument("--max-minutes", type=float, default=20.0, help="time budget; stops before overrunning it (default: 20)")
    p.add_argument("--rules", default=None, help="rules folder for the jieba user dictionary (default: the package's rules/)")


@command("train", "rebuild the organisation NER model from CLUENER (fixed seed)", _train_args)
def _train(args: argparse.Namespace) -> int:
    from .train import train

    if not args.cluener.is_file():
        raise UsageError(f"no such file: {args.cluener}")
    meta = train(
        cluener=args.cluener, out=args.out, rules_dir=args.rules, seed=args.seed,
        max_epochs=args.max_epochs, max_minutes=args.max_minutes,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    held = meta["scores"]["heldout"]
    print(f"model -> {args.out} (held-out P {held['p']:.3f} R {held['r']:.3f} F1 {held['f']:.3f})")
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
