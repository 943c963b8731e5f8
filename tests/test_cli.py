"""The `run` command end to end: tables, formats, determinism, workers, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.types import TABLES, schema
from pipeline.write import TABLE_KINDS

from .conftest import ROOT



@pytest.fixture()
def mixed(tmp_path):
    """A folder mixing good files with a binary, an empty and a GBK file."""
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(ROOT.joinpath("corpus").glob("*.txt")):
        shutil.copy(f, src / f.name)
    (src / "gbk-2024-03-05.txt").write_bytes("2023年，临平区地区生产总值1067.27亿元，增长6%。".encode("gbk"))
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 16)
    return src


def _tables(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "manifest.json"}


def test_mixed_folder_writes_good_ones_lists_bad_ones_and_exits_3(mixed, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(mixed), "--out", str(out), "--workers", "1", "--quiet"]) == 3
    articles = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [a["doc_id"] for a in articles] == [
        "2024-02-01_linping-city-east-centre", "2025-01-20_linping-development-zone", "gbk-2024-03-05",
    ]
    gbk = articles[2]
    assert gbk["encoding"] == "gb18030" and gbk["date"] == "2024-03-05" and gbk["date_source"] == "filename"
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(os.path.basename(e["path"]), e["reason"].split(":")[0]) for e in errors] == [
        ("binary.txt", "undecodable"), ("empty.txt", "empty"),
    ]
    assert "2 inputs failed" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["articles"] == 3 and manifest["counts"]["errors"] == 2
    assert set(manifest["inputs"]) == {a["doc_id"] for a in articles}
    assert len(manifest["rules_sha256"]) == 64


def test_every_table_is_written_even_when_empty(mixed, tmp_path):
    out = tmp_path / "out"
    main(["run", str(mixed), "--out", str(out), "--workers", "1", "--quiet", "--format", "jsonl,csv,parquet"])
    for kind in TABLE_KINDS:
        for fmt in ("jsonl", "csv", "parquet"):
            assert (out / f"{TABLES[kind]}.{fmt}").is_file()


def test_two_runs_are_byte_identical_and_workers_do_not_change_output(mixed, tmp_path):
    outs = []
    for i, workers in enumerate(("1", "1", "2")):
        out = tmp_path / f"out{i}"
        main(["run", str(mixed), "--out", str(out), "--workers", workers, "--quiet", "--format", "jsonl,csv"])
        outs.append(_tables(out))
    assert outs[0] == outs[1] == outs[2]


def test_offsets_invariant_on_every_written_record(mixed, tmp_path):
    out = tmp_path / "out"
    main(["run", str(mixed), "--out", str(out), "--workers", "1", "--quiet"])
    texts = {}
    for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        a = json.loads(line)
        raw = open(a["path"], "rb").read()
        texts[a["doc_id"]] = raw.decode(a["encoding"])
    for kind in ("quantity", "time", "organization", "metric", "goal"):
        for line in (out / f"{TABLES[kind]}.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            assert texts[r["doc_id"]][r["start"]:r["end"]] == r["text"]
            assert r["id"] == f"{r['doc_id']}:{kind}:{r['start']}-{r['end']}"


def test_csv_and_parquet_round_trip_through_pandas(tmp_path):
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "d1", "text": "临平区地区生产总值1067.27亿元，增长6%。", "date": "2024-02-01"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    main(["run", str(src), "--out", str(out), "--workers", "1", "--quiet", "--format", "csv,parquet"])
    for kind in TABLE_KINDS:
        name = TABLES[kind]
        rows = [json.loads(line, parse_float=Decimal) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        cols = [c for c, _ in schema(kind)]
        assert (out / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
        csv = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        pq = pd.read_parquet(out / f"{name}.parquet")
        assert list(csv.columns) == cols == list(pq.columns)
        assert len(csv) == len(pq) == len(rows)
        types = dict(schema(kind))
        for i, row in enumerate(rows):
            for c in cols:
                v = row.get(c)
                if v is None:
                    assert csv.at[i, c] == "" and pd.isna(pq.at[i, c])
                elif types[c] == "number":
                    assert Decimal(csv.at[i, c]) == v and pq.at[i, c] == pytest.approx(float(v))
                elif types[c] == "bool":
                    assert csv.at[i, c] == str(v).lower() and bool(pq.at[i, c]) is v
                else:
                    assert csv.at[i, c] == str(v) and pq.at[i, c] == v


def test_parquet_types_are_stable_when_a_table_is_empty(tmp_path):
    src = tmp_path / "x.txt"
    src.write_text("没有数字的一句话。", encoding="utf-8")
    out = tmp_path / "out"
    main(["run", str(src), "--out", str(out), "--workers", "1", "--quiet", "--format", "parquet"])
    import pyarrow.parquet as pq

    sch = pq.read_schema(out / "quantities.parquet")
    assert str(sch.field("value").type) == "double" and str(sch.field("start").type) == "int64"


def test_previous_outputs_survive_a_failed_run(tmp_path, monkeypatch):
    src = tmp_path / "a.txt"
    src.write_text("增长6%。", encoding="utf-8")
    out = tmp_path / "out"
    main(["run", str(src), "--out", str(out), "--workers", "1", "--quiet"])
    before = _tables(out)

    def boom(self, manifest):
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.write.OutputWriter.commit", boom)
    src.write_text("完全不同的文字。", encoding="utf-8")
    assert main(["run", str(src), "--out", str(out), "--workers", "1", "--quiet"]) == 130
    assert _tables(out) == before
    assert not list(out.glob(".press-extract-*"))


@pytest.mark.parametrize(
    "argv,message",
    [
        (["run", "x", "--format", "xml"], "invalid format"),
        (["run", "x", "--workers", "0"], "positive integer"),
        (["run", "x", "--date", "2024-02-30"], "invalid date"),
        (["run", "some/file.txt"], "--out DIR is required"),
        (["run", "x", "--out", "o", "--rules", "/nonexistent/rules"], "invalid rules"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_run_without_path_needs_corpus(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["run"])
    assert exc.value.code == 2 and "no corpus/ folder" in capsys.readouterr().err


def test_console_script_reads_stdin_and_prints_progress_lines(tmp_path):
    exe = shutil.which("press-extract", path=os.path.dirname(sys.executable))
    assert exe, "the console script is installed next to the interpreter"
    proc = subprocess.run(
        [exe, "run", "-", "--out", str(tmp_path / "o"), "--workers", "1", "--date", "2024-02-01"],
        input="今年增长6%。".encode(), capture_output=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"1 articles ->" in proc.stdout
    row = json.loads((tmp_path / "o" / "articles.jsonl").read_text(encoding="utf-8"))
    assert row["doc_id"] == "stdin" and row["date_source"] == "option"
