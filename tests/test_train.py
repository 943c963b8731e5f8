"""`press-extract train` on a small synthetic CLUENER file: reproducible with its seed,
its meta records the architecture, data hashes and scores, and the model it writes
loads and runs through the organisations component."""

from __future__ import annotations

import json

import pytest

import pipeline
from pipeline.extract.organizations import load_model, rules_only_pipeline
from pipeline.train import ARCHITECTURES, DEFAULT_ARCH, MODEL_VERSION, train

from .conftest import assert_offsets

NAMES = ["星河", "远航", "海纳", "德润", "恒通", "锦程", "瑞丰", "安泰", "华信", "鼎盛"]
PLACES = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴"]


def _cluener(path):
    lines = []
    for i in range(80):
        name = NAMES[i % len(NAMES)] + "科技有限公司"
        text = f"{PLACES[i % len(PLACES)]}的{name}去年成立，第{i}个项目投产。"
        start = text.index(name)
        # CLUENER offsets are inclusive.
        lines.append(json.dumps({"text": text, "label": {"company": {name: [[start, start + len(name) - 1]]}}}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    base = tmp_path_factory.mktemp("train")
    data = _cluener(base / "train.json")
    metas = [train(cluener=data, out=base / f"model{i}", max_epochs=2, seed=7) for i in range(2)]
    return base, metas


def test_train_is_reproducible_and_records_its_provenance(trained):
    base, (first, second) = trained
    assert first["scores"] == second["scores"] and first["history"][-1]["loss"] == second["history"][-1]["loss"]
    assert first["source"] == MODEL_VERSION and first["seed"] == 7
    assert first["architecture"] == {"name": DEFAULT_ARCH, **ARCHITECTURES[DEFAULT_ARCH]["model"]}
    assert set(first["scores"]) == {"dev", "heldout"} and all(len(h) == 64 for h in first["data"].values())
    on_disk = json.loads((base / "model0" / "meta.json").read_text(encoding="utf-8"))["press_extract"]
    assert on_disk["scores"] == first["scores"]


def test_trained_model_runs_in_the_component(trained):
    base, _ = trained
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.model = load_model(base / "model0")
    comp.every_clause = True
    doc = pipeline.extract("宁波的星河科技有限公司去年成立，远航与海纳签约。", nlp=nlp)
    assert_offsets(doc)
    assert all(o.source.startswith(("rule:", f"model:{MODEL_VERSION}")) for o in doc.organizations)


def test_unknown_architecture_is_refused(tmp_path):
    with pytest.raises(ValueError, match="architecture"):
        train(cluener=_cluener(tmp_path / "t.json"), out=tmp_path / "m", arch="huge")


def test_peoples_daily_bio_reads_org_spans_and_refuses_bad_lines(tmp_path):
    from pipeline.train import read_peoples_daily

    good = tmp_path / "ok.bio"
    good.write_text("国 B-ORG\n务 I-ORG\n院 I-ORG\n在 O\n京 B-LOC\n\n协 I-ORG\n会 I-ORG\n", encoding="utf-8")
    assert [(s.text, s.spans) for s in read_peoples_daily(good)] == [("国务院在京", ((0, 3),)), ("协会", ((0, 2),))]
    bad = tmp_path / "bad.bio"
    bad.write_text("国 B-ORG\n务院 I-ORG\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.bio:2"):
        read_peoples_daily(bad)


@pytest.fixture(scope="module")
def trained_crf(tmp_path_factory):
    base = tmp_path_factory.mktemp("crf")
    data = _cluener(base / "train.json")
    metas = [train(cluener=data, out=base / f"crf{i}", arch="crf", max_epochs=30) for i in range(2)]
    return base, metas


def test_crf_is_reproducible_and_runs_in_the_component(trained_crf):
    from pipeline.extract.org_crf import CharCRF
    from pipeline.train import CRF_MODEL_VERSION

    base, (first, second) = trained_crf
    assert first["scores"] == second["scores"] and first["source"] == CRF_MODEL_VERSION
    assert (base / "crf0" / "model.crfsuite").read_bytes() == (base / "crf1" / "model.crfsuite").read_bytes()
    model = load_model(base / "crf0")
    assert isinstance(model, CharCRF)
    nlp = rules_only_pipeline()
    comp = nlp.get_pipe("press_extract_organizations")
    comp.model = model
    comp.every_clause = True
    doc = pipeline.extract("温州的安泰科技有限公司去年成立，德润与瑞丰签约。", nlp=nlp)
    assert_offsets(doc)
    assert all(o.source.startswith(("rule:", f"model:{CRF_MODEL_VERSION}")) for o in doc.organizations)


def test_training_into_a_folder_of_the_other_architecture_is_refused(trained_crf, tmp_path):
    base, _ = trained_crf
    with pytest.raises(ValueError, match="another architecture"):
        train(cluener=base / "train.json", out=base / "crf0", max_epochs=1)
