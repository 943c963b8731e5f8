"""Incremental runs: unchanged articles keep their records; output equals a full run."""

from __future__ import annotations

import json
import shutil

from pipeline.batch import run
from pipeline.process import load
from pipeline.rules import _load

from .conftest import ROOT


def _corpus(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(ROOT / "corpus", src)
    (src / "2024-05-01_extra.txt").write_text("2023年，全区地区生产总值1067.27亿元，增长6%；近400家企业。", encoding="utf-8")
    return src


def _tables(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix == ".jsonl"}


def test_rerun_reuses_unchanged_articles_and_matches_a_full_run(tmp_path):
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    first = run([src], out_dir=out)
    assert first.reused == 0 and first.articles == 3
    before = _tables(out)
    again = run([src], out_dir=out)
    assert again.reused == 3 and _tables(out) == before

    (src / "2024-05-01_extra.txt").write_text("2023年，全区地区生产总值999亿元，增长5%。", encoding="utf-8")
    changed = run([src], out_dir=out)
    assert changed.reused == 2 and changed.articles == 3
    full = run([src], out_dir=tmp_path / "full", force=True)
    assert full.reused == 0
    assert _tables(out) == _tables(tmp_path / "full")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["reused"] == 2 and set(manifest["inputs"]) == {
        "2024-02-01_linping-city-east-centre", "2025-01-20_linping-development-zone", "2024-05-01_extra",
    }


def test_removed_articles_vanish_and_a_new_date_reprocesses(tmp_path):
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    run([src], out_dir=out)
    (src / "2024-05-01_extra.txt").unlink()
    res = run([src], out_dir=out)
    assert res.articles == 2 and res.reused == 2
    assert "2024-05-01_extra" not in (out / "articles.jsonl").read_text(encoding="utf-8")
    # Same text, new date: relative times may resolve differently, so it is processed again.
    (src / "2024-02-01_linping-city-east-centre.txt").rename(src / "2024-03-01_linping-city-east-centre.txt")
    res = run([src], out_dir=out)
    assert res.reused == 1


def test_changed_rules_invalidate_reuse(tmp_path):
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    run([src], out_dir=out, rules_dir=str(rules))
    with (rules / "userdict.txt").open("a", encoding="utf-8") as fh:
        fh.write("临平数智城 n\n")
    # Rules are loaded once per process; a rule change is picked up by a new process.
    _load.cache_clear()
    load.cache_clear()
    assert run([src], out_dir=out, rules_dir=str(rules)).reused == 0


def test_org_model_setting_is_part_of_what_is_reused(tmp_path):
    """--no-org-model records differ (no model spans), so switching the setting reprocesses
    every article, and each setting's output equals a full run with it."""
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    rules_only = run([src], out_dir=out, org_model=False)
    assert rules_only.reused == 0 and json.loads((out / "manifest.json").read_text())["org_model"] is False
    sources = {json.loads(line)["source"] for line in (out / "organizations.jsonl").read_text(encoding="utf-8").splitlines()}
    assert sources and all(s.startswith("rule:") for s in sources)
    assert run([src], out_dir=out, org_model=False).reused == 3
    with_model = run([src], out_dir=out)
    assert with_model.reused == 0 and json.loads((out / "manifest.json").read_text())["org_model"] is True
    run([src], out_dir=tmp_path / "full", force=True)
    assert _tables(out) == _tables(tmp_path / "full")
    # The one-process pipeline for each setting is built once.
    assert load(org_model=False) is load(org_model=False) and load(org_model=False) is not load()
