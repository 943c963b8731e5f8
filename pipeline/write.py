"""Write the output tables: JSONL always, CSV (UTF-8 with BOM) and Parquet on request,
and manifest.json.

Records are spooled per table as they arrive (memory does not grow with the corpus),
then written sorted by doc_id (and start, within an article) into a temporary folder
and renamed into place, so an interrupted run never leaves a half-written table and
two runs on the same input give byte-identical tables.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from .types import KINDS, TABLES, schema

FORMATS = ("jsonl", "csv", "parquet")
TABLE_KINDS: tuple[str, ...] = ("article",) + KINDS + ("error",)


def number_text(value: Decimal) -> str:
    """A Decimal as a plain JSON number, exact and without exponent.

    >>> number_text(Decimal("1.0672700E+11")), number_text(Decimal("6.0")), number_text(Decimal("-0.50"))
    ('106727000000', '6', '-0.5')
    """
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _json_value(v: Any) -> str:
    if isinstance(v, Decimal):
        return number_text(v)
    return json.dumps(v, ensure_ascii=False)


def json_line(row: dict[str, Any]) -> str:
    """One JSONL line; Decimals are written as exact numbers, never floats.

    >>> json_line({"value": Decimal("16.4E8"), "unit": "CNY", "ok": True})
    '{"value": 1640000000, "unit": "CNY", "ok": true}'
    """
    return "{" + ", ".join(f"{json.dumps(k)}: {_json_value(v)}" for k, v in row.items()) + "}"


class TableSpool:
    """Append-only spool of one table's lines, grouped by doc_id, written out sorted."""

    def __init__(self, folder: Path, name: str) -> None:
        self._fh = open(folder / f"{name}.spool", "w+b")  # noqa: SIM115 - closed in close()
        self._index: list[tuple[str, int, int]] = []
        self.count = 0

    def add(self, doc_id: str, lines: list[str]) -> None:
        if not lines:
            return
        data = ("\n".join(lines) + "\n").encode("utf-8")
        self._index.append((doc_id, self._fh.tell(), len(data)))
        self._fh.write(data)
        self.count += len(lines)

    def write_sorted(self, path: Path) -> None:
        self._fh.flush()
        with path.open("wb") as out:
            # The sort is stable, so groups with equal doc_ids keep their arrival order.
            for _, offset, length in sorted(self._index, key=lambda x: x[0]):
                self._fh.seek(offset)
                out.write(self._fh.read(length))

    def close(self) -> None:
        self._fh.close()


class OutputWriter:
    """Collects one run's tables in a temporary folder inside `out_dir`; `commit()` moves
    them into place, `abort()` leaves the previous outputs untouched."""

    def __init__(self, out_dir: Path, *, formats: Iterable[str] = ("jsonl",)) -> None:
        self.out_dir = Path(out_dir)
        self.formats = tuple(dict.fromkeys(("jsonl", *formats)))
        unknown = set(self.formats) - set(FORMATS)
        if unknown:
            raise ValueError(f"unknown format(s): {', '.join(sorted(unknown))} (expected {', '.join(FORMATS)})")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".press-extract-", dir=self.out_dir))
        self.spools = {kind: TableSpool(self.tmp, TABLES[kind]) for kind in TABLE_KINDS}

    def add_article(self, doc_id: str, row: dict[str, Any], lines_by_kind: dict[str, list[str]]) -> None:
        self.spools["article"].add(doc_id, [json_line(row)])
        for kind, lines in lines_by_kind.items():
            self.spools[kind].add(doc_id, lines)

    def add_error(self, sort_key: str, row: dict[str, Any]) -> None:
        self.spools["error"].add(sort_key, [json_line(row)])

    def counts(self) -> dict[str, int]:
        return {TABLES[k]: s.count for k, s in self.spools.items()}

    def commit(self, manifest: dict[str, Any]) -> None:
        """Write every table sorted, then rename all of them into `out_dir`."""
        for kind, spool in self.spools.items():
            name = TABLES[kind]
            jsonl = self.tmp / f"{name}.jsonl"
            spool.write_sorted(jsonl)
            spool.close()
            (self.tmp / f"{name}.spool").unlink()
            if "csv" in self.formats:
                write_csv(jsonl, self.tmp / f"{name}.csv", kind=kind)
            if "parquet" in self.formats:
                write_parquet(jsonl, self.tmp / f"{name}.parquet", kind=kind)
        (self.tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        produced = {p.name for p in self.tmp.iterdir()}
        for p in sorted(self.tmp.iterdir()):
            os.replace(p, self.out_dir / p.name)
        # A table of ours from an earlier run in another format would now be stale.
        for kind in TABLE_KINDS:
            for fmt in FORMATS:
                stale = self.out_dir / f"{TABLES[kind]}.{fmt}"
                if stale.name not in produced and stale.exists():
                    stale.unlink()
        self.tmp.rmdir()

    def abort(self) -> None:
        for spool in self.spools.values():
            spool.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def clean_stale_temporaries(out_dir: Path) -> None:
    """Remove temporary folders left by runs that were killed (SIGKILL leaves them)."""
    if out_dir.is_dir():
        for p in out_dir.glob(".press-extract-*"):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL table; numbers come back as Decimal (exact) or int."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line, parse_float=Decimal)


def csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return number_text(v)
    return v


def write_csv(jsonl: Path, path: Path, *, kind: str) -> None:
    """CSV in UTF-8 with BOM (Excel opens it as UTF-8), columns in schema order."""
    cols = [c for c, _ in schema(kind)]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for row in read_jsonl(jsonl):
            w.writerow([csv_cell(row.get(c)) for c in cols])


_ARROW_TYPES = {"string": "string", "int": "int64", "number": "float64", "bool": "bool_"}


def arrow_schema(kind: str):
    """The pyarrow schema of a table: the same column types in every file, empty or not."""
    import pyarrow as pa

    return pa.schema([(c, getattr(pa, _ARROW_TYPES[t])()) for c, t in schema(kind)])


def write_parquet(jsonl: Path, path: Path, *, kind: str, batch_rows: int = 50_000) -> None:
    """Parquet with a fixed schema, written in batches so memory stays flat."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sch = arrow_schema(kind)
    cols = [f.name for f in sch]
    with pq.ParquetWriter(path, sch) as writer:
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            data = {c: [_arrow_cell(r.get(c)) for r in batch] for c in cols}
            writer.write_table(pa.table(data, schema=sch))
            batch.clear()

        for row in read_jsonl(jsonl):
            batch.append(row)
            if len(batch) >= batch_rows:
                flush()
        flush()


def _arrow_cell(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v
