"""Bad inputs and interrupted runs: nothing lost, the rest of the batch goes on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from pipeline.cli import main

GOOD = "2023年，临平区地区生产总值1067.27亿元，增长6%；近400家规上企业。"


@pytest.fixture()
def bad_inputs(tmp_path):
    """A folder of bad inputs next to two good ones."""
    d = tmp_path / "bad-inputs"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "truncated-gbk.txt").write_bytes(GOOD.encode("gbk")[:-1])
    (d / "mixed-encodings.txt").write_bytes(GOOD.encode("utf-8") + GOOD.encode("gbk"))
    (d / "nul-bytes.txt").write_bytes(GOOD.encode("utf-8") + b"\x00" * 64)
    with (d / "too-large.txt").open("wb") as fh:  # 25 MB
        fh.write(("临平" * 1000).encode("utf-8") * 4200)
    (d / "long-line.txt").write_text("临平区经济发展稳中有进" * 100_000, encoding="utf-8")  # 1M chars, no punctuation
    (d / "only-scripts.html").write_text("<html><head><script>var a='增长6%';</script></head><body><style>p{}</style></body></html>")
    lines = [json.dumps({"id": "j1", "text": GOOD}, ensure_ascii=False), '{"id": "j2", "text": "', json.dumps({"id": "j3", "text": GOOD}, ensure_ascii=False)]
    (d / "broken.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


@pytest.mark.slow
def test_bad_inputs_are_listed_and_the_rest_is_processed(bad_inputs, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(bad_inputs), "--out", str(out), "--workers", "2", "--quiet"]) == 3
    done = [json.loads(line)["doc_id"] for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert done == ["good", "j1", "j3", "long-line"]
    errors = {
        (os.path.basename(e["path"]), e["line"]): e["reason"]
        for e in map(json.loads, (out / "errors.jsonl").read_text(encoding="utf-8").splitlines())
    }
    assert errors.keys() == {
        ("broken.jsonl", 2), ("mixed-encodings.txt", None), ("nul-bytes.txt", None),
        ("only-scripts.html", None), ("too-large.txt", None), ("truncated-gbk.txt", None),
    }
    assert errors[("too-large.txt", None)].startswith("too large")
    assert errors[("only-scripts.html", None)].startswith("empty")
    assert errors[("nul-bytes.txt", None)].startswith("undecodable: binary")
    assert all(errors[(k, None)].startswith("undecodable") for k in ("truncated-gbk.txt", "mixed-encodings.txt"))


def _start_run(src, out):
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out), "--workers", "1", "--force"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_run_leaves_previous_outputs_and_a_rerun_completes(tmp_path, sig):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": GOOD}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(src), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # A run long enough to be killed mid-way.
    with src.open("w", encoding="utf-8") as fh:
        for i in range(1500):
            fh.write(json.dumps({"id": f"d{i:05d}", "text": GOOD * 20}, ensure_ascii=False) + "\n")
    proc = _start_run(src, out)
    deadline = time.monotonic() + 60
    while not list(out.glob(".press-extract-*/articles.spool")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")} == before
    if sig == signal.SIGTERM:
        assert not list(out.glob(".press-extract-*")), "SIGTERM unwinds and removes the temporary folder"

    proc = _start_run(src, out)
    assert proc.wait(timeout=600) == 0, proc.stderr.read().decode()
    assert not list(out.glob(".press-extract-*"))
    assert len((out / "articles.jsonl").read_text(encoding="utf-8").splitlines()) == 1500


@pytest.mark.slow
def test_a_worker_that_dies_costs_at_most_its_own_article(tmp_path, monkeypatch):
    """The out-of-memory killer or a stray signal kills a worker: the batch neither hangs nor
    stops. An article that kills its worker every time becomes an error; one whose worker
    was killed once by something else is run again and kept."""
    from pipeline import batch

    marker = tmp_path / "killed-once"
    real = batch.process_article

    def dying(article, *, nlp):
        # Runs in the forked workers, which inherit this patch.
        if article.doc_id == "d07" and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        if article.doc_id == "d03":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(article, nlp=nlp)

    monkeypatch.setattr(batch, "process_article", dying)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i:02d}", "text": GOOD}, ensure_ascii=False) + "\n" for i in range(40)), encoding="utf-8")
    result = batch.run([src], out_dir=tmp_path / "out", workers=2)
    assert (result.articles, result.errors) == (39, 1)
    done = [json.loads(line)["doc_id"] for line in (tmp_path / "out" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert done == [f"d{i:02d}" for i in range(40) if i != 3]
    [error] = map(json.loads, (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines())
    assert error["doc_id"] == "d03" and "worker process died" in error["reason"]
    assert marker.exists()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_an_article_that_hangs_is_stopped_and_the_batch_goes_on(tmp_path, monkeypatch, workers):
    """An article that never finishes (a loop in an extractor on some input) becomes a row
    of errors.jsonl after the time limit; the others are processed."""
    from pipeline import batch

    real = batch.process_article

    def hanging(article, *, nlp):
        # Runs in the forked workers too, which inherit this patch.
        while article.doc_id == "d02":
            pass
        return real(article, nlp=nlp)

    monkeypatch.setattr(batch, "process_article", hanging)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i:02d}", "text": GOOD}, ensure_ascii=False) + "\n" for i in range(6)), encoding="utf-8")
    result = batch.run([src], out_dir=tmp_path / "out", workers=workers, timeout=1)
    assert (result.articles, result.errors) == (5, 1)
    [error] = map(json.loads, (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines())
    assert error["doc_id"] == "d02" and "time limit of 1 s" in error["reason"]
    # The timer is gone once the batch is done: nothing fires later in this process.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_timeout_must_be_a_number_of_seconds(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["run", str(tmp_path), "--out", str(tmp_path / "out"), "--timeout", "soon"])
    assert "expected a number of seconds" in capsys.readouterr().err

