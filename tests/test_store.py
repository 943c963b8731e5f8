"""The DuckDB store, on the real engine: daily batches append, revised articles become
versions, a killed or concurrent run leaves the store as it was, and the schema follows
the record classes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline import store as store_module
from pipeline.batch import run
from pipeline.cli import main
from pipeline.store import PRIMARY_KEYS, STORE_TABLES, Store, StoreError, table_columns
from pipeline.types import KINDS, TABLES

from .conftest import ROOT

A1 = "临平区提出，力争2025年地区生产总值达到1500亿元。2023年，临平区规上工业增加值440.78亿元，增长3.7%。"
A1_REVISED = A1 + "\n2023年，临平区服务业增加值493.19亿元，增长9.2%。"
A2 = "2023年，余杭区地区生产总值3000亿元，增长5%；近400家企业。"
A3 = "2025年，临平区地区生产总值1600亿元，增长6%。"
# The organisation model is not what the store is about: rules alone keep the tests quick.
OPTIONS = {"workers": 1, "org_model": False}


def _day(path: Path, *articles: tuple[str, str, str]) -> Path:
    path.write_text("".join(
        json.dumps({"id": i, "text": t, "date": d, "title": f"title of {i}"}, ensure_ascii=False) + "\n" for i, t, d in articles
    ), encoding="utf-8")
    return path


def _rows(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _jsonl(folder: Path, table: str) -> list[dict]:
    return [json.loads(line) for line in (folder / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()]


def _tables(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix == ".jsonl"}


@pytest.fixture(scope="module")
def three_days(tmp_path_factory):
    """Day 1: a1, a2. Day 2: a1 revised, a2 unchanged, a3 new. Day 3: day 2 again."""
    tmp = tmp_path_factory.mktemp("days")
    db = tmp / "press.duckdb"
    day1 = _day(tmp / "day1.jsonl", ("a1", A1, "2024-02-01"), ("a2", A2, "2024-02-01"))
    day2 = _day(tmp / "day2.jsonl", ("a1", A1_REVISED, "2024-02-01"), ("a2", A2, "2024-02-01"), ("a3", A3, "2026-01-20"))
    results = [
        run([day1], out_dir=tmp / "out1", store=db, **OPTIONS),
        run([day2], out_dir=tmp / "out2", store=db, **OPTIONS),
        run([day2], out_dir=tmp / "out3", store=db, **OPTIONS),
    ]
    return tmp, db, results


def test_three_daily_batches_append_versions_and_skip_unchanged_articles(three_days):
    tmp, db, results = three_days
    assert [r.store_run for r in results] == [1, 2, 3]
    assert [(r.articles, r.reused) for r in results] == [(2, 0), (3, 1), (3, 3)]
    assert _rows(db, "SELECT run_id, articles, unchanged, errors FROM runs ORDER BY run_id") == [
        (1, 2, 0, 0), (2, 2, 1, 0), (3, 0, 3, 0),
    ]
    assert _rows(db, "SELECT doc_id, version, run_id, superseded_by FROM articles ORDER BY doc_id, version") == [
        ("a1", 1, 1, 2), ("a1", 2, 2, None), ("a2", 1, 1, None), ("a3", 1, 2, None),
    ]
    assert _rows(db, "SELECT doc_id, version, text FROM articles_current ORDER BY doc_id") == [
        ("a1", 2, A1_REVISED), ("a2", 1, A2), ("a3", 1, A3),
    ]
    # Each version's records are the rows the run that wrote it put in its folder.
    for kind in KINDS:
        table = TABLES[kind]
        for out, run_id in (("out1", 1), ("out2", 2)):
            want = sorted(r["id"] for r in _jsonl(tmp / out, table) if r["doc_id"] in {"a1", "a3"} or run_id == 1)
            got = sorted(r[0] for r in _rows(db, f"SELECT id FROM {table} WHERE run_id = ?", [run_id]))
            assert got == want, (table, run_id)
        # The current rows are the day-3 folder's, which is a full run's.
        current = sorted(r[0] for r in _rows(db, f"SELECT id FROM {table}_current"))
        assert current == sorted(r["id"] for r in _jsonl(tmp / "out3", table)), table
    old = {r[0] for r in _rows(db, "SELECT text FROM metrics WHERE doc_id = 'a1' AND version = 1")}
    new = {r[0] for r in _rows(db, "SELECT text FROM metrics_current WHERE doc_id = 'a1'")}
    assert old < new and any("服务业增加值" in t for t in new - old)


def test_a_repeated_batch_writes_nothing_and_its_folder_matches_a_full_run(three_days, tmp_path):
    tmp, db, _ = three_days
    full = run([tmp / "day2.jsonl"], out_dir=tmp_path / "full", **OPTIONS)
    assert full.reused == 0
    assert _tables(tmp / "out3") == _tables(tmp_path / "full")
    assert _rows(db, "SELECT count(*) FROM metrics WHERE run_id = 3") == [(0,)]


def test_unchanged_articles_are_found_across_lookup_chunks_around_bad_lines(tmp_path, monkeypatch):
    from pipeline import batch

    monkeypatch.setattr(batch._StoreReuse, "LOOKAHEAD", 2)
    db = tmp_path / "s.duckdb"
    day = _day(tmp_path / "d.jsonl", ("a1", A1, "2024-02-01"), ("a2", A2, "2024-02-01"), ("a3", A3, "2026-01-20"))
    first = run([day], out_dir=tmp_path / "out1", store=db, **OPTIONS)
    lines = day.read_text(encoding="utf-8").splitlines()
    # a bad line and a duplicate doc_id between the articles; a3 changed
    revised = json.dumps({"id": "a3", "text": A3 + "又新增企业20家。", "date": "2026-01-20"}, ensure_ascii=False)
    day.write_text("\n".join([lines[0], "{not json", lines[1], lines[0], revised]) + "\n", encoding="utf-8")
    again = run([day], out_dir=tmp_path / "out2", store=db, **OPTIONS)
    assert (first.reused, again.articles, again.reused, again.errors) == (0, 3, 2, 2)
    assert _rows(db, "SELECT doc_id, version FROM articles_current ORDER BY doc_id") == [("a1", 1), ("a2", 1), ("a3", 2)]
    assert _jsonl(tmp_path / "out2", "metrics")[:2] == _jsonl(tmp_path / "out1", "metrics")[:2]


def test_facts_and_targets_join_records_with_their_article_and_sentence(three_days):
    tmp, db, _ = three_days
    facts = _rows(db, "SELECT doc_id, version, text, title, article_date, sentence_text, value FROM facts ORDER BY id")
    assert len(facts) == _rows(db, "SELECT count(*) FROM metrics_current")[0][0] > 0
    articles = {d: (t, str(date)) for d, t, date in _rows(db, "SELECT doc_id, title, date FROM articles_current")}
    for doc_id, version, text, title, date, sentence, value in facts:
        assert text in sentence and sentence in dict(_rows(db, "SELECT doc_id, text FROM articles_current"))[doc_id]
        assert (title, str(date)) == articles[doc_id] and isinstance(value, float)
    assert ("a1", 2) in {(d, v) for d, v, *_ in facts}
    targets = _rows(db, "SELECT doc_id, indicator, deadline, sentence_text FROM targets")
    assert targets == [("a1", "地区生产总值", "2025", "临平区提出，力争2025年地区生产总值达到1500亿元。")]


def test_targets_vs_actuals_meets_a_goal_with_the_later_metric_of_its_indicator_subject_and_period(three_days):
    _, db, _ = three_days
    rows = _rows(db, "SELECT goal_doc_id, metric_doc_id, indicator_id, subject, period, goal_value, metric_value, met FROM targets_vs_actuals")
    assert rows == [("a1", "a3", "gdp", "临平区", "2025", 150000000000.0, 160000000000.0, True)]


def test_diff_and_review_take_a_store_and_two_run_ids(three_days, capsys):
    tmp, db, _ = three_days
    assert main(["diff", str(db), "1", "2"]) == 1
    out = capsys.readouterr().out
    assert "a1 (text revised)" in out and "article a3 added" in out and "服务业增加值" in out
    assert main(["diff", str(db), "2", "3"]) == 0
    assert main(["diff", str(db), "2", "3", "--format", "json"]) == 0
    page = tmp / "review.html"
    assert main(["review", str(db), "--run", "2", "--diff", "1", "--html", str(page)]) == 0
    assert "服务业增加值" in page.read_text(encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(db), "1", "9"])
    assert exc.value.code == 2 and "no run 9 (runs: 1-3)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["diff", str(db), "1"])
    assert "give two run ids" in capsys.readouterr().err


def test_the_schema_is_the_record_classes_with_keys_and_types(three_days):
    _, db, _ = three_days
    for table in STORE_TABLES:
        got = _rows(db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [table])
        assert tuple(got) == table_columns(table), table
        keys = _rows(db, "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'", [table])
        assert [tuple(k[0]) for k in keys] == [PRIMARY_KEYS[table]], table
    types = dict(_rows(db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'times'"))
    assert types["start_date"] == "DATE" and types["relative"] == "BOOLEAN"
    assert dict(_rows(db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'metrics'"))["value"] == "DOUBLE"
    assert dict(_rows(db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'articles'"))["date"] == "DATE"


def test_a_new_record_field_becomes_a_column_of_an_existing_store(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"
    Store(db).close()
    real = store_module.schema
    monkeypatch.setattr(store_module, "schema", lambda kind: real(kind) + ((("period_from", "string"),) if kind == "metric" else ()))
    Store(db).close()
    assert ("period_from", "VARCHAR") in _rows(db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'metrics'")
    assert "period_from" in {r[0] for r in _rows(db, "DESCRIBE facts")}


def test_a_file_that_is_no_store_is_a_clear_error_and_stays_as_it_was(tmp_path, capsys):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("not a database\n", encoding="utf-8")
    src = _day(tmp_path / "d.jsonl", ("a2", A2, "2024-02-01"))
    with pytest.raises(SystemExit) as exc:
        main(["run", str(src), "--out", str(tmp_path / "out"), "--store", str(bad), "--quiet", "--workers", "1"])
    assert exc.value.code == 2 and str(bad) in capsys.readouterr().err
    assert bad.read_text(encoding="utf-8") == "not a database\n"
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_format_duckdb_is_a_store_in_the_output_folder_and_force_writes_new_versions(tmp_path):
    src = _day(tmp_path / "d.jsonl", ("a2", A2, "2024-02-01"), ("a3", A3, "2026-01-20"))
    out = tmp_path / "out"
    # Two workers: the pool is forked while the store is open.
    args = ["run", str(src), "--out", str(out), "--format", "jsonl,duckdb", "--quiet", "--workers", "2", "--no-org-model"]
    assert main(args) == 0
    db = out / "press-extract.duckdb"
    assert _rows(db, "SELECT doc_id, version FROM articles ORDER BY doc_id") == [("a2", 1), ("a3", 1)]
    assert sorted(p.name for p in out.glob("*.jsonl")) == sorted(f"{TABLES[k]}.jsonl" for k in TABLES)
    assert main(args + ["--force"]) == 0
    assert _rows(db, "SELECT doc_id, version, superseded_by FROM articles ORDER BY doc_id, version") == [
        ("a2", 1, 2), ("a2", 2, None), ("a3", 1, 2), ("a3", 2, None),
    ]


# -- a killed run, two processes -----------------------------------------------------

# Runs a batch in a child process; after `pause_after` articles it writes `marker` and
# waits until `marker` is removed (the test kills it, or lets it go on).
_CHILD = """
import sys, time
from pathlib import Path
from pipeline import batch, store
store.FLUSH_ROWS = 5  # rows reach the database inside the open transaction
src, out, db, marker, pause_after = sys.argv[1:6]
def progress(p):
    if p.articles == int(pause_after):
        Path(marker).write_text("paused")
        while Path(marker).exists():
            time.sleep(0.05)
batch.run([src], out_dir=out, store=db, workers=1, org_model=False, on_progress=progress)
"""


def _child(src: Path, out: Path, db: Path, marker: Path, pause_after: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(src), str(out), str(db), str(marker), str(pause_after)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, "the child ended before it paused"
        assert time.monotonic() < deadline, "the child did not pause"
        time.sleep(0.05)
    return proc


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    return {t: sorted(map(repr, _rows(db, f"SELECT * FROM {t}"))) for t in STORE_TABLES}


def test_a_run_killed_mid_batch_leaves_the_store_as_it_was(tmp_path):
    db = tmp_path / "s.duckdb"
    run([_day(tmp_path / "d1.jsonl", ("a2", A2, "2024-02-01"))], out_dir=tmp_path / "out1", store=db, **OPTIONS)
    before = _snapshot(db)
    day2 = _day(tmp_path / "d2.jsonl", ("a1", A1, "2024-02-01"), ("a2", A2 + "又新增企业20家。", "2024-02-01"), ("a3", A3, "2026-01-20"))
    proc = _child(day2, tmp_path / "out2", db, tmp_path / "paused", pause_after=2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _snapshot(db) == before
    again = run([day2], out_dir=tmp_path / "out2", store=db, **OPTIONS)
    assert again.store_run == 2 and again.articles == 3
    assert _rows(db, "SELECT doc_id, version FROM articles_current ORDER BY doc_id") == [("a1", 1), ("a2", 2), ("a3", 1)]


def test_a_second_writer_fails_with_a_clear_message_and_nothing_is_corrupted(tmp_path):
    db = tmp_path / "s.duckdb"
    first = _day(tmp_path / "d1.jsonl", ("a1", A1, "2024-02-01"), ("a2", A2, "2024-02-01"))
    second = _day(tmp_path / "d2.jsonl", ("a3", A3, "2026-01-20"))
    marker = tmp_path / "paused"
    proc = _child(first, tmp_path / "out1", db, marker, pause_after=1)
    try:
        cli = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", str(second), "--out", str(tmp_path / "out2"), "--store", str(db),
             "--quiet", "--workers", "1", "--no-org-model"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
        assert cli.returncode == 2
        assert "in use by another process" in cli.stderr and str(db) in cli.stderr
    finally:
        marker.unlink()
        assert proc.wait(timeout=120) == 0
    assert _rows(db, "SELECT run_id, articles FROM runs") == [(1, 2)]
    run([second], out_dir=tmp_path / "out2", store=db, **OPTIONS)
    assert _rows(db, "SELECT doc_id, version, run_id FROM articles ORDER BY doc_id") == [("a1", 1, 1), ("a2", 1, 1), ("a3", 1, 2)]
