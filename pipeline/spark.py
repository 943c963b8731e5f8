"""The same extraction on Apache Spark, record for record (optional: `press-extract[spark]`).

`extract_tables(df)` turns a DataFrame of articles (id, text, date) into one DataFrame per
output table with `mapInPandas`. Nothing is re-implemented for Spark:

- each row is validated exactly as a JSONL line is (`read.iter_jsonl`: Spark serialises the
  row with `to_json`), so a malformed row (null or blank text, bad date, an id that is
  neither a string nor an integer) becomes a row of `errors` instead of failing the job;
- each article goes through `batch._work`, the local engine's per-article step, on the
  pipeline that `process.load` builds once per Python worker process (Spark reuses its
  Python workers across tasks, so the spaCy pipeline and the rules load once per worker,
  not per batch or row);
- the Spark schema of each table is `write.arrow_schema(kind)` converted, so the columns
  and types are those of the local Parquet files; number columns are float64 there and
  here, while each row also carries its local JSONL line (exact decimals), which
  `run(..., formats=("jsonl",))` writes as is.

The extraction runs once per input: its rows are persisted (memory and disk) and each
table is a projection of them (`spark.catalog.clearCache()` releases them).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator

import pandas as pd
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import from_arrow_schema

from . import batch
from .read import InputProblem, iter_jsonl
from .rules import load_rules
from .types import TABLES, schema
from .write import TABLE_KINDS, arrow_schema, json_line

# Hidden columns of the rows the workers emit: which table, input order, position within
# the article's lines (the local engine's order), and the local JSONL line.
_HIDDEN = (("_table", pa.string()), ("_order", pa.int64()), ("_seq", pa.int64()), ("_json", pa.string()))


def _wide_arrow_schema() -> pa.Schema:
    """Every table's columns in one schema (a column has one type in every table)."""
    fields: dict[str, pa.Field] = {}
    for kind in TABLE_KINDS:
        for f in arrow_schema(kind):
            if fields.setdefault(f.name, f).type != f.type:
                raise TypeError(f"column {f.name!r} has two types across tables")
    return pa.schema(list(_HIDDEN) + list(fields.values()))


_WIDE = _wide_arrow_schema()
_ROWS_PER_FRAME = 20_000
_TYPES = {f.name: f.type for f in _WIDE}


def spark_schema(kind: str):
    """The Spark schema of a table: `write.arrow_schema(kind)` converted."""
    return from_arrow_schema(arrow_schema(kind))


def _cell(v: Any, typ: pa.DataType) -> Any:
    # The same conversion as the local Parquet writer: exact numbers become float64.
    if v is None or not pa.types.is_floating(typ):
        return v
    return float(v)


def _wide_row(table: str, order: int, seq: int, row: dict[str, Any]) -> dict[str, Any]:
    line = json_line(row)
    # Typed cells are read back from the JSONL line, as the local Parquet writer does.
    parsed = json.loads(line, parse_float=Decimal)
    out = {"_table": table, "_order": order, "_seq": seq, "_json": line}
    out.update((c, _cell(v, _TYPES[c])) for c, v in parsed.items())
    return out


def _rows_of_line(path: str | None, line: int | None, raw: str, order: int, *, default_date: dt.date | None) -> Iterator[dict[str, Any]]:
    """The wide rows of one input line (an article's row and records, or an error)."""
    for item in iter_jsonl([raw.encode("utf-8")], path=path or "", default_date=default_date):
        if isinstance(item, InputProblem):
            yield _wide_row("errors", order, 0, dataclasses.replace(item, line=line).to_dict())
            continue
        item = dataclasses.replace(item, path=f"{path}:{line}" if path and line is not None else path)
        doc_id, row, result, _sentences = batch._work(item)
        if row is None:
            yield _wide_row("errors", order, 0, InputProblem(item.path or "", str(result), doc_id=doc_id).to_dict())
            continue
        yield _wide_row("articles", order, 0, row)
        for kind, lines in result.items():
            for seq, record_line in enumerate(lines):
                yield _wide_row(TABLES[kind], order, seq, json.loads(record_line, parse_float=Decimal))


def _extract_batches(
    batches: Iterable[pd.DataFrame], *, rules_dir: str | None, default_date: dt.date | None, org_model: bool
) -> Iterator[pd.DataFrame]:
    """mapInPandas function: (path, line, raw, _order) batches in, wide rows out."""
    batch._init_worker(rules_dir, org_model=org_model)  # process.load is cached: built once per worker process
    rows: list[dict[str, Any]] = []
    for pdf in batches:
        for path, line, raw, order in zip(_nulls(pdf["path"]), _nulls(pdf["line"]), pdf["raw"], pdf["_order"]):
            rows.extend(_rows_of_line(path, None if line is None else int(line), raw, int(order), default_date=default_date))
            # An input batch holds up to 10,000 articles (Arrow's default): hand on their
            # records in smaller frames so a worker's memory stays bounded.
            if len(rows) >= _ROWS_PER_FRAME:
                yield pd.DataFrame(rows, columns=_WIDE.names, dtype=object)
                rows = []
    if rows:
        yield pd.DataFrame(rows, columns=_WIDE.names, dtype=object)


def _nulls(column: pd.Series) -> list[Any]:
    """A batch column's values with Spark nulls (None or NaN in pandas) as None."""
    return [None if pd.isna(v) else v for v in column]


def _duplicate_errors(batches: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """mapInPandas function: a later article with an already seen doc_id becomes an error,
    worded as the local engine words it."""
    for pdf in batches:
        rows = [
            _wide_row("errors", int(order), 0, InputProblem(
                path or "", f"duplicate doc_id {doc_id!r} (first in {first or ''})", doc_id=doc_id).to_dict())
            for doc_id, path, first, order in zip(pdf["doc_id"], _nulls(pdf["path"]), _nulls(pdf["_first_path"]), pdf["_order"])
        ]
        yield pd.DataFrame(rows, columns=_WIDE.names, dtype=object)


def _rows(lines: DataFrame, *, rules_dir: str | None, default_date: dt.date | None, org_model: bool) -> DataFrame:
    """The rows of every table, with the hidden columns, for (path, line, raw JSON line) rows."""
    wide_schema = from_arrow_schema(_WIDE)
    wide = (
        lines.withColumn("_order", F.monotonically_increasing_id())
        .mapInPandas(lambda it: _extract_batches(it, rules_dir=rules_dir, default_date=default_date, org_model=org_model), wide_schema)
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    # Duplicate doc_ids are rare: the (small) set of them is broadcast, the first in input
    # order is kept, as `batch.run` keeps the first it reads.
    dups = (
        wide.filter(F.col("_table") == "articles")
        .groupBy("doc_id")
        .agg(F.count("*").alias("_n"), F.min("_order").alias("_first"), F.min_by("path", "_order").alias("_first_path"))
        .filter(F.col("_n") > 1)
    )
    marked = wide.join(F.broadcast(dups.select("doc_id", "_first", "_first_path")), on="doc_id", how="left")
    is_dup = F.col("_first").isNotNull() & (F.col("_order") != F.col("_first")) & (F.col("_table") != "errors")
    kept = marked.filter(~is_dup).select(*_WIDE.names)
    dup_errors = (
        marked.filter(is_dup & (F.col("_table") == "articles"))
        .select("doc_id", "path", "_first_path", "_order")
        .mapInPandas(_duplicate_errors, wide_schema)
    )
    return kept.unionByName(dup_errors).persist(StorageLevel.MEMORY_AND_DISK)


def _table(rows: DataFrame, kind: str) -> DataFrame:
    return rows.filter(F.col("_table") == TABLES[kind])


def _order(kind: str) -> tuple:
    """How the local writer orders a table: by doc_id, each article's records in the order
    the pipeline gives them; errors by input path and line, then arrival."""
    if kind == "error":
        return ("path", F.coalesce("line", F.lit(0)), "_order")
    return ("doc_id",) if kind == "article" else ("doc_id", "_seq")


def _columns(kind: str) -> list[str]:
    return [c for c, _ in schema(kind)]


def extract_tables(
    df: DataFrame, *, id_col: str = "id", text_col: str = "text", date_col: str = "date",
    rules_dir: str | None = None, default_date: dt.date | None = None, org_model: bool = True,
) -> dict[str, DataFrame]:
    """One DataFrame per output table (articles, quantities, times, organizations, metrics,
    goals, errors) for a DataFrame of articles.

    `date_col` may be missing, a string (YYYY-MM-DD, 2024年2月1日 ...) or a date. Optional
    columns `title` and `url` are carried into `articles`; `path` and `line`, when present,
    name the input of each row as the local engine does (`path:line`). `org_model=False`
    finds organisations by the rules alone, as `press-extract run --no-org-model`.
    """
    lines = _lines(df, id_col=id_col, text_col=text_col, date_col=date_col)
    rows = _rows(lines, rules_dir=rules_dir, default_date=default_date, org_model=org_model)
    return {TABLES[k]: _table(rows, k).select(*_columns(k)) for k in TABLE_KINDS}


def _lines(df: DataFrame, *, id_col: str = "id", text_col: str = "text", date_col: str = "date") -> DataFrame:
    """(path, line, raw) rows: each article as the JSONL line the local engine would read."""
    fields = [F.col(id_col).alias("id"), F.col(text_col).alias("text")]
    if date_col in df.columns:
        fields.append(F.col(date_col).alias("date"))
    fields += [F.col(c) for c in ("title", "url") if c in df.columns and c not in (id_col, text_col, date_col)]
    return df.select(
        _optional(df, "path", "string"), _optional(df, "line", "long"),
        F.to_json(F.struct(*fields)).alias("raw"),
    )


def _optional(df: DataFrame, name: str, typ: str) -> Column:
    return (F.col(name) if name in df.columns else F.lit(None)).cast(typ).alias(name)


# ---- the `press-extract run --engine spark` job ----------------------------------------

def session(*, master: str | None = None) -> SparkSession:
    """The active SparkSession, or a new one (`master` as for spark-submit; under
    spark-submit leave it None). A local master runs this interpreter's Python workers."""
    builder = SparkSession.builder.appName("press-extract")
    if master:
        builder = builder.master(master)
        if master.startswith("local"):
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.getOrCreate()


def _hadoop_fs(spark: SparkSession, path: str):
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hpath


def _jsonl_files(spark: SparkSession, given: str) -> list[tuple[str, str]]:
    """(URI, path as the local engine names it) of a JSONL file, or of the .jsonl files
    under a folder (recursive, sorted)."""
    fs, hpath = _hadoop_fs(spark, given)
    if not fs.exists(hpath):
        raise FileNotFoundError(f"not found: {given}")
    if not fs.getFileStatus(hpath).isDirectory():
        return [(fs.makeQualified(hpath).toString(), given)]
    root = fs.makeQualified(hpath).toUri().getPath().rstrip("/")
    found = []
    it = fs.listFiles(hpath, True)
    while it.hasNext():
        p = it.next().getPath()
        rel = p.toUri().getPath()[len(root):].lstrip("/")
        if rel.endswith(".jsonl"):
            found.append((p.toString(), str(PurePosixPath(given) / rel)))
    return sorted(found, key=lambda x: x[1])


def read_inputs(spark: SparkSession, paths: Iterable[str]) -> DataFrame:
    """(path, line, raw) rows of JSONL inputs: one per line, numbered per file as the local
    engine numbers them. Lines are read by Spark as UTF-8."""
    sc = spark.sparkContext
    rdds = []
    for given in paths:
        for uri, name in _jsonl_files(spark, given):
            rdds.append(sc.textFile(uri).zipWithIndex().map(lambda t, name=name: (name, t[1] + 1, t[0])))
    rdd = sc.union(rdds) if rdds else sc.emptyRDD()
    return spark.createDataFrame(rdd, "path string, line long, raw string")


def run(
    paths: Iterable[str], *, out_dir: str | Path, formats: Iterable[str] = ("parquet",), master: str | None = None,
    default_date: dt.date | None = None, rules_dir: str | None = None, org_model: bool = True,
) -> batch.RunResult:
    """Extract JSONL inputs (files or folders) and Parquet datasets (paths ending in
    .parquet: columns id, text, date?, title?, url?) into `out_dir`/<table>.parquet and,
    when asked, `out_dir`/<table>.jsonl (Spark datasets: folders of part files, rows sorted
    as the local engine sorts them)."""
    started = time.monotonic()
    formats = tuple(formats)
    rules = load_rules(rules_dir)  # fail on bad rules before starting a job
    spark = session(master=master)
    paths = [str(p) for p in paths]
    parquet = [p for p in paths if p.rstrip("/").endswith(".parquet")]
    lines = read_inputs(spark, [p for p in paths if p not in parquet])
    for p in parquet:
        df = spark.read.parquet(p)
        if "path" not in df.columns:
            df = df.withColumn("path", F.input_file_name())
        lines = lines.unionByName(_lines(df))
    rows = _rows(lines, rules_dir=rules_dir, default_date=default_date, org_model=org_model)
    out = str(out_dir).rstrip("/")
    # Counting first runs the extraction once into the persisted rows; the tables are then
    # written by concurrent jobs (small jobs are mostly scheduling latency).
    found = dict(rows.groupBy("_table").count().collect())
    counts = {TABLES[k]: found.get(TABLES[k], 0) for k in TABLE_KINDS}

    def write(kind: str) -> None:
        name = TABLES[kind]
        table = _table(rows, kind).orderBy(*_order(kind))
        if "jsonl" in formats:
            table = table.persist(StorageLevel.MEMORY_AND_DISK)
            table.select("_json").write.mode("overwrite").text(f"{out}/{name}.jsonl")
        table.select(*_columns(kind)).write.mode("overwrite").parquet(f"{out}/{name}.parquet")
        table.unpersist()

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(TABLE_KINDS)) as pool:
        list(pool.map(write, TABLE_KINDS))
    rows.unpersist()
    seconds = time.monotonic() - started
    manifest = {
        "engine": "spark", "spark": spark.version, "master": spark.sparkContext.master,
        "versions": batch._versions(), "rules_sha256": rules.sha256, "org_model": org_model, "counts": counts,
        "seconds": round(seconds, 3), "formats": ["parquet", *(["jsonl"] if "jsonl" in formats else [])],
        "finished": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
    fs, hpath = _hadoop_fs(spark, f"{out}/manifest.json")
    stream = fs.create(hpath, True)
    stream.write(bytearray((json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")))
    stream.close()
    return batch.RunResult(
        out_dir=Path(out), articles=counts["articles"], reused=0, errors=counts["errors"], seconds=seconds, counts=counts,
    )

