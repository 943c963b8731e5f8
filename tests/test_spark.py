"""The Spark engine gives the local engine's records, row for row (pyspark in local[2]).

Compared per table, rows sorted by (doc_id, start) (articles by doc_id, errors by path
and line), as full dicts:
- the JSONL lines, exactly (numbers are exact decimals on both sides, same bytes);
- the Parquet rows of the Spark run against the local JSONL rows with each number
  converted to float64 (`float(Decimal)`, what the local Parquet writer does), and against
  the local Parquet rows.
The comparison does not depend on what the extractors find: it holds for any records.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark not installed (pip install -e '.[test]' installs it)")

import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from pipeline import process  # noqa: E402
from pipeline import spark as ps  # noqa: E402
from pipeline.batch import run as run_local  # noqa: E402
from pipeline.cli import main  # noqa: E402
from pipeline.read import Article, iter_articles  # noqa: E402
from pipeline.rules import default_rules_dir  # noqa: E402
from pipeline.types import TABLES, schema  # noqa: E402
from pipeline.write import TABLE_KINDS, read_jsonl  # noqa: E402

from .conftest import ROOT  # noqa: E402

SHARED = ROOT.parent / "shared"

# Hand-made articles: facts of every kind, one without a date, an integer id, title and
# url, a duplicate id, and lines the reader must reject (each becomes an `errors` row).
ARTICLES = [
    {"id": "t-gdp", "date": "2024-02-01", "title": "临平", "url": "https://example.org/1",
     "text": "2023年，临平区地区生产总值1067.27亿元，增长6%。规上工业增加值增长8.2%，近400家企业参与。"},
    {"id": "t-goal", "date": "2025-01-20",
     "text": "力争2025年工业总产值达1360亿元，到2027年引进高新技术企业超过50家。浙江大学与临平区政府签约。"},
    {"id": "t-nodate", "text": "今年上半年，出口额2.26万亿元，同比下降2.1个百分点；去年12月新增就业1.42万人。"},
    {"id": 7, "date": "2024/3/5", "text": "“十四五”期间，累计完成投资三千亿元左右，排名第4位。"},
    {"id": "t-gdp", "date": "2024-02-01", "text": "重复的编号：这一篇不处理。"},
    {"id": "t-blank", "text": "   "},
    {"id": "t-baddate", "date": "去年", "text": "增长6%。"},
    {"id": 1.5, "text": "编号不是字符串也不是整数。"},
    {"id": True, "text": "布尔编号。"},
    {"text": "没有编号。"},
]


def _jsonl_bytes(objs) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode("utf-8")


@pytest.fixture(scope="module")
def spark():
    # One session for all Spark tests: starting the JVM is the slow part.
    session = ps.session(master="local[2]")
    session.sparkContext.setLogLevel("ERROR")
    session.conf.set("spark.sql.shuffle.partitions", "2")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def builtin(tmp_path_factory):
    """A JSONL input: the hand-made articles, a broken line, a blank line, CRLF line
    ends, a byte-order mark, then the project's corpus/ articles."""
    path = tmp_path_factory.mktemp("spark-in") / "builtin.jsonl"
    corpus = [
        {"id": a.doc_id, "text": a.text, "date": a.date.isoformat() if a.date else None}
        for a in iter_articles([ROOT / "corpus"]) if isinstance(a, Article)
    ]
    data = b"\xef\xbb\xbf" + _jsonl_bytes(ARTICLES[:2]).replace(b"\n", b"\r\n")
    data += b"{not json\n\n" + _jsonl_bytes(ARTICLES[2:] + corpus)
    path.write_bytes(data)
    return path


def _run_both(inputs: list[Path], tmp: Path, *, org_model: bool = True) -> tuple[Path, Path]:
    local, spark_out = tmp / "local", tmp / "spark"
    run_local(inputs, out_dir=local, formats=("jsonl", "parquet"), workers=1, force=True, org_model=org_model)
    code = main(["run", "--engine", "spark", "--master", "local[2]", *map(str, inputs),
                 "--out", str(spark_out), "--format", "jsonl,parquet", *([] if org_model else ["--no-org-model"])])
    assert code in (0, 3)
    return local, spark_out


def _sort_key(kind: str):
    if kind == "error":
        return lambda r: (r["path"], r["line"] or 0, r["reason"])
    if kind == "article":
        return lambda r: r["doc_id"]
    return lambda r: (r["doc_id"], r["start"], r["end"])


def _as_float64(row: dict) -> dict:
    return {k: float(v) if isinstance(v, (Decimal, int)) and not isinstance(v, bool) and k in _NUMBER_COLUMNS else v
            for k, v in row.items()}


_NUMBER_COLUMNS = {c for k in TABLE_KINDS for c, t in schema(k) if t == "number"}


def _spark_jsonl_lines(folder: Path) -> list[str]:
    # Spark writes a table as part files; their name order is the row order.
    return [line for part in sorted(folder.glob("part-*")) for line in part.read_text(encoding="utf-8").splitlines()]


def assert_same_tables(local: Path, spark_out: Path) -> dict[str, int]:
    counts = {}
    for kind in TABLE_KINDS:
        name = TABLES[kind]
        local_lines = (local / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        # The JSONL tables hold the same lines in the same order: exact decimals, same bytes.
        assert _spark_jsonl_lines(spark_out / f"{name}.jsonl") == local_lines, name

        key = _sort_key(kind)
        exact = sorted(read_jsonl(local / f"{name}.jsonl"), key=key)
        spark_table = pq.read_table(str(spark_out / f"{name}.parquet"))  # a folder of part files
        from_spark = sorted(spark_table.to_pylist(), key=key)
        from_local_parquet = sorted(pq.read_table(local / f"{name}.parquet").to_pylist(), key=key)
        # Parquet holds float64: both sides go through the same float() conversion.
        columns = [c for c, _ in schema(kind)]
        assert [dict(zip(columns, (r.get(c) for c in columns))) for r in map(_as_float64, exact)] == from_spark, name
        assert from_local_parquet == from_spark, name
        assert spark_table.schema.names == columns
        counts[name] = len(exact)
    return counts


def test_spark_engine_gives_the_local_records_on_built_in_articles(spark, builtin, tmp_path):
    local, spark_out = _run_both([builtin], tmp_path)
    counts = assert_same_tables(local, spark_out)
    assert counts["articles"] == 4 + len(list((ROOT / "corpus").glob("*.txt")))
    errors = sorted(read_jsonl(local / "errors.jsonl"), key=lambda r: r["line"] or 0)
    assert [(e["line"], e["doc_id"]) for e in errors] == [
        (None, "t-gdp"), (3, None), (8, "t-blank"), (9, "t-baddate"), (10, None), (11, None), (12, None),
    ]
    manifest = json.loads((spark_out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == "spark" and manifest["counts"] == counts


def test_spark_engine_without_the_org_model_gives_the_local_records(spark, builtin, tmp_path):
    local, spark_out = _run_both([builtin], tmp_path, org_model=False)
    counts = assert_same_tables(local, spark_out)
    assert counts["organizations"] > 0
    assert all(r["source"].startswith("rule:") for r in read_jsonl(local / "organizations.jsonl"))
    assert json.loads((spark_out / "manifest.json").read_text(encoding="utf-8"))["org_model"] is False


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="no ../shared beside the project")
def test_spark_engine_gives_the_local_records_on_shared_corpus_and_seeds(spark, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(_jsonl_bytes(
        {"id": a.doc_id, "text": a.text, "date": a.date.isoformat() if a.date else None}
        for a in iter_articles([SHARED / "corpus"]) if isinstance(a, Article)
    ))
    local, spark_out = _run_both([corpus, SHARED / "seeds.jsonl"], tmp_path)
    counts = assert_same_tables(local, spark_out)
    assert counts["errors"] == 0
    assert counts["articles"] == len(list((SHARED / "corpus").glob("*.txt"))) + len((SHARED / "seeds.jsonl").read_text(encoding="utf-8").splitlines())


def test_malformed_rows_of_a_dataframe_land_in_errors(spark):
    df = spark.createDataFrame(
        [("ok", "2023年增长6%。", "2024-02-01"), ("no-text", None, None), ("blank", " \n", None),
         ("bad-date", "增长6%。", "2024-13-45"), (None, "没有编号。", None)],
        "id string, text string, date string",
    )
    tables = ps.extract_tables(df)
    errors = sorted((r.asDict() for r in tables["errors"].collect()), key=lambda r: str(r["doc_id"]))
    assert errors == [
        {"path": "", "line": None, "doc_id": None, "reason": "missing or invalid 'id'"},
        {"path": "", "line": None, "doc_id": "bad-date", "reason": "invalid 'date' '2024-13-45' (expected YYYY-MM-DD)"},
        {"path": "", "line": None, "doc_id": "blank", "reason": "empty: missing or blank 'text'"},
        {"path": "", "line": None, "doc_id": "no-text", "reason": "empty: missing or blank 'text'"},
    ]
    assert [r.doc_id for r in tables["articles"].collect()] == ["ok"]
    assert {name: df.schema for name, df in tables.items()} == {TABLES[k]: ps.spark_schema(k) for k in TABLE_KINDS}


def test_non_string_ids_and_date_columns(spark):
    # A double id is not an id (the JSONL reader rejects 1.5 too); a date column is read as a date.
    df = spark.createDataFrame([(1.5, "增长6%。", "2024-02-01")], "id double, text string, d string")
    tables = ps.extract_tables(df, date_col="d")
    assert [r.reason for r in tables["errors"].collect()] == ["missing or invalid 'id'"]
    df = spark.createDataFrame([(7, "去年增长6%。")], "n long, body string").withColumn("day", F.to_date(F.lit("2024-02-01")))
    tables = ps.extract_tables(df, id_col="n", text_col="body", date_col="day")
    (row,) = tables["articles"].collect()
    assert (row.doc_id, row.date, row.date_source, row.chars) == ("7", "2024-02-01", "jsonl", 7)
    assert tables["errors"].count() == 0


def test_pipeline_loads_once_per_worker_process(spark, tmp_path):
    # Six partitions run in at most two Python workers (local[2], workers reused), and
    # each worker built the pipeline once, not once per partition or batch. Workers
    # outlive a test: a rules folder no earlier test used makes them build it afresh.
    rules_dir = str(shutil.copytree(default_rules_dir(), tmp_path / "rules"))

    def probe(batches):
        before = process.load.cache_info().misses
        for _ in ps._extract_batches(batches, rules_dir=rules_dir, default_date=None, org_model=True):
            pass
        yield pd.DataFrame({"pid": [os.getpid()], "builds": [process.load.cache_info().misses - before]})

    raw = [json.dumps({"id": f"p{i}", "text": "增长6%。"}, ensure_ascii=False) for i in range(12)]
    lines = spark.createDataFrame([("", i, r) for i, r in enumerate(raw)], "path string, line long, raw string")
    seen = lines.repartition(6).withColumn("_order", F.lit(0).cast("long")).mapInPandas(probe, "pid long, builds long").collect()
    assert len(seen) == 6
    assert len({r.pid for r in seen}) <= 2
    builds = collections.Counter()
    for r in seen:
        builds[r.pid] += r.builds
    assert set(builds.values()) == {1}


def test_parquet_input_gives_the_records_of_the_same_articles_as_jsonl(spark, tmp_path):
    # Parquet rows carry no line number: `path` names the Parquet file; all else is equal.
    good = [a for a in ARTICLES[:4]]
    rows = [{"id": str(a["id"]), "text": a["text"], "date": a.get("date"), "title": a.get("title")} for a in good]
    source = tmp_path / "in.parquet"
    pd.DataFrame(rows).to_parquet(source)
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(_jsonl_bytes(rows))
    local = tmp_path / "local"
    run_local([jsonl], out_dir=local, formats=("jsonl", "parquet"), workers=1)
    assert main(["run", "--engine", "spark", str(source), "--out", str(tmp_path / "spark")]) == 0
    for kind in TABLE_KINDS:
        name, key = TABLES[kind], _sort_key(kind)
        ours = sorted(pq.read_table(str(tmp_path / "spark" / f"{name}.parquet")).to_pylist(), key=key)
        theirs = sorted(pq.read_table(local / f"{name}.parquet").to_pylist(), key=key)
        if kind == "article":
            assert {r["path"] for r in ours} == {source.resolve().as_uri()}
            ours = [dict(r, path=None) for r in ours]
            theirs = [dict(r, path=None) for r in theirs]
        assert ours == theirs, name
