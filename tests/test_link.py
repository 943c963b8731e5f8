"""The link stage: spec table (tests/specs/link.toml), rules integrity, properties.

The linker runs alone on a segmented doc into which each case injects the quantities,
times and organisations the extractors would have found, so these tests do not depend
on the extractors' coverage.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.extract import records_of, token_boundaries
from pipeline.records import to_document
from pipeline.rules import RulesError, load_frames, load_goals, load_indicators, load_rules
from pipeline.types import Organization, Quantity, Time

from .conftest import ROOT, assert_offsets

SPEC = tomllib.loads((ROOT / "tests" / "specs" / "link.toml").read_text(encoding="utf-8"))
CASES = SPEC["case"]


def _find(text: str, surface: str, pos: int) -> int:
    at = text.find(surface, pos)
    assert at >= 0, f"{surface!r} not in {text!r} after {pos}"
    return at


def _quantities(text: str, specs: list[str]) -> list[Quantity]:
    out, pos = [], 0
    for spec in specs:
        surface, rest = spec.split("=", 1)
        value, unit, *flags = rest.split()
        at = _find(text, surface, pos)
        pos = at + 1
        qualifier = next((f for f in flags if f in ("exact", "approx", "over", "under")), "exact")
        out.append(Quantity(start=at, end=at + len(surface), text=surface, source="test", value=Decimal(value), unit=unit,
                            unit_text=surface if "bare" in flags else unit, dimension="duration" if unit == "year" else "test",
                            qualifier=qualifier))
    return out


def _span_dates(label: str) -> tuple[str, str, str]:
    """'2023' | '2022-Q1' | '2022-H1' | '2021-01..07' | '2022-06' | '2021-2025' -> start, end, granularity."""
    def month_end(y: int, m: int) -> str:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return (nxt - dt.timedelta(days=1)).isoformat()

    if len(label) == 4:
        return f"{label}-01-01", f"{label}-12-31", "year"
    y = int(label[:4])
    rest = label[5:]
    if len(label) == 9 and label[4] == "-" and label[5:].isdigit():
        return f"{y}-01-01", f"{label[5:]}-12-31", "plan"
    if rest.startswith("Q"):
        q = int(rest[1])
        return f"{y}-{3 * q - 2:02d}-01", month_end(y, 3 * q), "quarter"
    if rest.startswith("H"):
        h = int(rest[1])
        return f"{y}-{6 * h - 5:02d}-01", month_end(y, 6 * h), "half"
    if ".." in rest:
        a, b = rest.split("..")
        return f"{y}-{int(a):02d}-01", month_end(y, int(b)), "month"
    return f"{y}-{int(rest):02d}-01", month_end(y, int(rest)), "month"


def _times(text: str, specs: list[str]) -> list[Time]:
    out, pos = [], 0
    for spec in specs:
        surface, label = spec.split("=", 1)
        at = _find(text, surface, pos)
        pos = at + 1
        start, end, gran = _span_dates(label)
        out.append(Time(start=at, end=at + len(surface), text=surface, source="test", start_date=start, end_date=end, granularity=gran))
    return out


def _orgs(text: str, specs: list[str]) -> list[Organization]:
    out = []
    for spec in specs:
        surface, org_type = spec.split("=", 1)
        at = _find(text, surface, 0)
        out.append(Organization(start=at, end=at + len(surface), text=surface, source="test", name=surface, canonical=surface, org_type=org_type))
    return out


def link(nlp, text: str, *, date: dt.date | None, quantities=(), times=(), orgs=()):
    """Segment `text`, inject records, run only the linker; return the Document."""
    doc = nlp.get_pipe("press_extract_sentences")(nlp.make_doc(text))
    doc._.doc_id, doc._.article_date = "t", date
    records_of(doc, "quantity").extend(quantities)
    records_of(doc, "time").extend(times)
    records_of(doc, "organization").extend(orgs)
    doc = nlp.get_pipe("press_extract_link")(doc)
    return to_document(doc, doc_id="t", date=date)


def _check(record, expected: dict) -> None:
    for key, want in expected.items():
        got = getattr(record, key)
        if key in ("value", "change", "horizon"):
            assert (got is None) if want == "" else (got == Decimal(want)), (key, got, want, record)
        elif want == "":
            assert got is None, (key, got, record)
        else:
            assert got == want, (key, got, want, record)


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        yield pytest.param(case, id=case["text"][:40], marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_spec(nlp, case):
    text = case["text"]
    date = dt.date.fromisoformat(case.get("date", SPEC["date"]))
    document = link(nlp, text, date=date, quantities=_quantities(text, case.get("q", [])),
                    times=_times(text, case.get("t", [])), orgs=_orgs(text, case.get("o", [])))
    assert_offsets(document)
    for kind, table in (("metrics", document.metrics), ("goals", document.goals)):
        if kind not in case:
            continue
        expected = case[kind]
        assert len(table) == len(expected), (kind, [(r.text, getattr(r, "indicator", None)) for r in table])
        for record, want in zip(table, expected):
            assert record.start < record.end, record  # never an empty span
            _check(record, want)


def test_spec_table_size():
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c.get("metrics") == [] and c.get("goals", []) == []) >= 5  # negatives


def test_past_words_date_a_sentence_without_an_article_date(nlp):
    # With no article date 去年 does not resolve, yet it is past: 计划 (a trigger unless
    # the sentence is in the past) makes no goal; as a comparison base (比去年) it says
    # nothing of when the sentence speaks.
    for text, q, goals in (
        ("深圳市去年计划安排投资500亿元。", ["500亿元=50000000000 CNY"], 0),
        # the increment over last year is the planned figure's, no second goal
        ("今年拟安排财政赤字2.18万亿元，比去年增加5600亿元。", ["2.18万亿元=2180000000000 CNY", "5600亿元=560000000000 CNY"], 1),
    ):
        at = text.index("去年")
        last_year = Time(start=at, end=at + 2, text="去年", source="test", granularity="year", relative=True, resolved=False)
        document = link(nlp, text, date=None, quantities=_quantities(text, q), times=[last_year])
        assert len(document.goals) == goals, text
        assert len(document.metrics) == (1 if goals == 0 else 0), text


# ---------------------------------------------------------------- goals never also metrics


def test_goal_numbers_are_not_metrics(nlp):
    text = "力争2025年工业总产值达1360亿元。"
    q = _quantities(text, ["1360亿元=136000000000 CNY"])
    document = link(nlp, text, date=dt.date(2025, 1, 20), quantities=q, times=_times(text, ["2025年=2025"]))
    assert [g.quantity_id for g in document.goals] == [f"t:quantity:{q[0].start}-{q[0].end}"]
    assert document.metrics == ()


def test_without_article_date_future_only_trigger_is_not_a_goal(nlp):
    text = "预计全市地区生产总值增长5%。"
    document = link(nlp, text, date=None, quantities=_quantities(text, ["5%=5 %"]))
    assert document.goals == ()
    assert [m.change for m in document.metrics] == [Decimal(5)]


# ---------------------------------------------------------------- rules integrity


def test_indicator_lexicon_size_and_ids():
    ind = load_rules().indicators
    base = {i for i in ind.ids if not i.endswith("_above_scale")}
    assert len(base) >= 60
    for required in ("gdp", "industrial_added_value", "industrial_output", "export", "import", "foreign_trade",
                     "fixed_asset_investment", "retail_sales", "manufacturing_investment", "population", "talent"):
        assert required in base
    assert ind.surfaces["规上工业增加值"] == "industrial_added_value_above_scale"
    assert ind.surfaces["规模以上工业增加值"] == "industrial_added_value_above_scale"
    # a listed surface keeps its own id even when a variant would claim it
    assert ind.surfaces["规模以上工业企业"] == "above_scale_enterprises"


def test_goal_rules_shape():
    goals = load_rules().goals
    assert goals.comparators["达"] == ">=" and goals.comparators["突破"] == ">" and goals.comparators["以内"] == "<="
    assert set(goals.triggers["future_only"]) <= set(goals.triggers["words"])
    assert not set(goals.changes["up"]) & set(goals.changes["down"])


def _copy_rules(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    return root


# fmt: off
BROKEN_RULES = [
    # (file, old text, new text, loader, message the error must name)
    ("indicators.toml", "[indicator.gdp]", '[indicator.dup]\nsurfaces = ["工业增加值"]\n\n[indicator.gdp]', load_indicators, "also belongs to 'dup'"),
    ("indicators.toml", 'surfaces = ["第一产业增加值"]', 'surfaces = ["第一产业增加值", "第一产业增加值"]', load_indicators, "twice"),
    ("goals.toml", '"<" = ["低于"', '"<" = ["达", "低于"', load_goals, "comparators"),
    ("goals.toml", 'future_only = ["预计"', 'future_only = ["估计", "预计"', load_goals, "估计"),
    ("goals.toml", 'up = ["同比增长"', 'up = ["下降", "同比增长"', load_goals, "both up and down"),
    ("goals.toml", 'stop_words = [\n    "已",', 'stop_words = [\n    "已", "已",', load_goals, "stop_words"),
    ("goals.toml", "[frames]\n", "[frames_gone]\n", load_goals, "stop_words"),
    ("goals.toml", 'openers = [\n    "还将",', 'openers = [\n    " 还将",', load_goals, "openers"),
    ("goals.toml", 'current_year = ["全年", "年内"]', "current_year = []", load_goals, "current_year"),
    ("goals.toml", 'not_openers = ["占比"', 'not_openers = ["占有"', load_goals, "hold no opener"),
    ("indicators.toml", 'fixed_terms = ["三次产业"', 'fixed_terms = ["三次产业", "三次产业"', load_indicators, "fixed_terms"),
    ("frames.toml", 'flow = [\n    "招生"', 'flow = [\n    "余额", "招生"', load_frames, "both a stock and a flow"),
    ("frames.toml", '"[一二三四五六七八九十]{1,3}、"', '"[一二三"', load_frames, "no regular expression"),
    ("frames.toml", "max_length = 40", "max_length = 0", load_frames, "sections.max_length"),
    ("frames.toml", 'since_after = ["以来", "起"]', "since_after = []", load_frames, "since_after"),
]
# fmt: on


@pytest.mark.parametrize("name, old, new, loader, message", BROKEN_RULES, ids=[b[4] for b in BROKEN_RULES])
def test_broken_rules_name_file_and_entry(tmp_path, name, old, new, loader, message):
    path = _copy_rules(tmp_path) / name
    source = path.read_text(encoding="utf-8")
    assert old in source
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError, match=message) as err:
        loader(path)
    assert name in str(err.value)


def test_frames_rules_integrity():
    """Stock and flow heads are disjoint and each heading marker opens a heading."""
    frames = load_rules().frames
    assert set(frames.kinds.values()) == {"stock", "flow"}
    for heading in ("一、地方经济", "（一）工业生产", "第一部分 总体情况"):
        assert frames.section_markers.match(heading), heading
    assert not frames.section_markers.match("一是粮食生产稳步推进")


def test_new_trigger_is_data_only(tmp_path, nlp):
    """Adding a trigger word to rules/goals.toml changes the output with no code change."""
    import pipeline

    root = _copy_rules(tmp_path)
    path = root / "goals.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('words = [\n    "力争"', 'words = [\n    "誓夺", "力争"'), encoding="utf-8")
    other = pipeline.process.build(rules_dir=str(root))
    text = "誓夺全年工业投资增长10%。"
    q = _quantities(text, ["10%=10 %"])
    assert [g.trigger for g in link(other, text, date=dt.date(2024, 1, 1), quantities=q).goals] == ["誓夺"]
    assert link(nlp, text, date=dt.date(2024, 1, 1), quantities=q).goals == ()


# ---------------------------------------------------------------- properties

PIECES = st.sampled_from(
    list("临平区地区生产总值增长下降达突破超近约亿万元家名个，。；、：“”（）\n")
    + ["力争", "确保", "预计", "将", "计划", "到", "同比", "较上年", "从", "至", "占", "的", "规上", "工业增加值", "每"]
)


@st.composite
def injected(draw):
    text = "".join(draw(st.lists(PIECES, min_size=1, max_size=40)))
    n = len(text)
    spans = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 4)), max_size=6))
    qs, taken = [], set()
    for start, width in sorted(spans):
        end = min(n, start + width)
        if any(i in taken for i in range(start, end)):
            continue
        taken.update(range(start, end))
        unit = draw(st.sampled_from(["CNY", "%", "pp", "家", "rank", "year"]))
        qs.append(Quantity(start=start, end=end, text=text[start:end], source="h", value=Decimal(draw(st.integers(0, 10**6))),
                           unit=unit, unit_text=text[start:end] if draw(st.booleans()) else unit, dimension="x"))
    ts = []
    for start in draw(st.lists(st.integers(0, n - 1), max_size=3)):
        if start in taken:
            continue
        year = draw(st.integers(2015, 2030))
        ts.append(Time(start=start, end=start + 1, text=text[start], source="h", start_date=f"{year}-01-01", end_date=f"{year}-12-31", granularity="year"))
    return text, qs, ts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=injected(), date=st.none() | st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_link_never_raises_offsets_hold_and_deterministic(nlp, case, date):
    text, qs, ts = case
    first = link(nlp, text, date=date, quantities=qs, times=ts)
    assert_offsets(first)
    goal_q = {g.quantity_id for g in first.goals}
    assert not goal_q & {m.quantity_id for m in first.metrics}  # goals are never also metrics
    second = link(nlp, text, date=date, quantities=qs, times=ts)
    assert [r.to_dict() for r in first.records()] == [r.to_dict() for r in second.records()]


def test_bulletin_reports_on_the_year_of_its_title():
    """A bulletin about 2012 published in 2013: 年末 is December 2012; a flow under it keeps
    the year; the publication year frames nothing."""
    import pipeline

    text = "2012年国民经济和社会发展统计公报\n\n年末全市常住人口120万人。全年普通高校招生3.2万人。上半年产值增长5%。"
    doc = pipeline.extract(text, date="2013-03-01")
    assert_offsets(doc)
    assert [(m.indicator, m.period, m.period_from) for m in doc.metrics] == [
        ("常住人口", "2012-12", "clause"),
        ("普通高校招生", "2012", "paragraph"),
        ("产值", "2012-H1", "clause"),
    ]


def test_pos_flags_are_the_taggers_and_bounded(nlp, monkeypatch):
    """The looked-up flags are those a fresh POS pass gives, and the table is cleared when full."""
    from pipeline.link import words

    linker = nlp.get_pipe("press_extract_link")
    phrases = ["省经合局梳理", "昆山市", "新港园区", "3家营收", "降至", "高达", "增长"]
    for phrase in phrases + phrases:  # the second round is looked up
        assert linker.pos_flags(phrase) == tuple(w.flag for w in linker.tagger.cut(phrase)), phrase
    monkeypatch.setattr(words, "FLAG_CACHE", 2)
    for phrase in ["甲乙丙", "丁戊己", "庚辛壬", "癸子丑"]:  # never looked up before
        linker.pos_flags(phrase)
        assert len(linker._flags) <= 2


# Place and area words, their look-alikes and fillers, for the properties of the lookups below.
LOOKUP_PIECES = ["临平区", "杭州市", "开发区", "全区", "示范区", "现代农业示范区", "萧山区", "山区", "城市", "街道",
                 "实现", "完成", "新增", "等", "营业收入", "增长", "，", "。", "\n", "6%", "企业", "园区"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(LOOKUP_PIECES), max_size=30))
def test_places_are_those_of_a_scan_of_every_word(nlp, pieces):
    """`_places` finds words by their end characters; the same as looking at every word."""
    linker = nlp.get_pipe("press_extract_link")
    doc = nlp.make_doc("".join(pieces))
    cuts = sorted(token_boundaries(doc))
    places, areas = [], []
    for a, b in zip(cuts, cuts[1:]):
        word = doc.text[a:b]
        if word in linker.generic_places:
            areas.append((a, b))
        elif b - a >= 3 and word.endswith(linker.place_suffix) and not linker._generic(word):
            places.append((a, b))
    assert linker._places(doc) == (places, areas)


@given(words=st.lists(st.sampled_from(LOOKUP_PIECES), max_size=6), text=st.text(alphabet="临平区杭州市实现完成新增等营业收入", max_size=20),
       bounds=st.sets(st.integers(0, 20)))
def test_word_index_lookups_are_those_of_a_scan(words, text, bounds):
    """`at` (as names in trim_phrase) and `starts` agree with a plain scan of the text."""
    from pipeline.link.indicators import WordIndex

    index, ends, words = WordIndex.of(words), frozenset(bounds), frozenset(w for w in words if w)
    for start in range(len(text)):
        longest = next((b for b in range(len(text), start, -1) if b in ends and text[start:b] in words), None)
        assert index.at(text, start, len(text), ends=ends) == ("" if longest is None else text[start:longest])
    assert index.starts(text, 0, len(text)) == [p for p in range(len(text)) if text[p] in {w[0] for w in words}]


@given(text=st.text(alphabet="甲a，,；;。！？:|｜\n\r]^-", max_size=12), pos=st.integers(0, 12), floor=st.integers(0, 12))
def test_clause_start_is_a_step_back_to_the_clause_mark(text, pos, floor):
    """`clause_start` (one backward search) is a walk back from `pos` to a clause mark or `floor`."""
    from pipeline.link.indicators import CLAUSE_PUNCT, clause_start

    pos = min(pos, len(text))
    i = pos
    while i > floor and text[i - 1] not in CLAUSE_PUNCT:
        i -= 1
    assert clause_start(text, pos, floor=floor) == i


@given(surfaces=st.lists(st.sampled_from(LOOKUP_PIECES), max_size=6), phrase=st.text(alphabet="临平区杭州市实现完成新增等营业收入", max_size=20))
def test_find_surface_is_the_last_ending_longest_surface(surfaces, phrase):
    """`find_surface` gives the surface that ends last, the longest of those: a scan of every span."""
    from pipeline.link.indicators import Lexicon, find_surface

    lexicon = Lexicon.of({w: f"id{i}" for i, w in enumerate(surfaces)})
    spans = [(b, b - a, a) for a in range(len(phrase)) for b in range(a + 1, len(phrase) + 1) if phrase[a:b] in lexicon.ids]
    best = max(spans, default=None)
    assert find_surface(phrase, lexicon) == (None if best is None else (best[2], best[0], lexicon.ids[phrase[best[2]:best[0]]]))


# Unknown runs for jieba's POS HMM: names, rare characters, one not in its tables (龘), Latin.
HMM_RUNS = ["王小明", "欧阳娜娜", "临平区", "萧山", "龘", "a", "龘龘甲", "省经合局梳理", "3家营收", "新港园区", "乙"]
HMM_CHARS = "王小明欧阳娜临平区萧山龘甲乙经合局梳理营收新港园增长达到了的是"


def _compiled_hmm():
    from pipeline.link import postag

    if postag._viterbi is None:
        pytest.skip("pipeline.link._viterbi is not built")
    return postag


@pytest.mark.parametrize("run", HMM_RUNS)
def test_compiled_pos_hmm_is_jiebas(run):
    """The compiled POS HMM gives jieba's route and score (table)."""
    postag = _compiled_hmm()
    import jieba.posseg as posseg

    assert postag.viterbi(run) == posseg.viterbi(run, posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)


@settings(max_examples=150, deadline=None)
@given(run=st.text(alphabet=HMM_CHARS, min_size=1, max_size=14))
def test_compiled_pos_hmm_is_jiebas_on_random_runs(run):
    """The same on random runs, and jieba's tagger with it tags as jieba's own does."""
    postag = _compiled_hmm()
    import jieba.posseg as posseg

    assert postag.viterbi(run) == posseg.viterbi(run, posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)


def test_compiled_tagger_tags_as_jiebas(nlp):
    """The linker's tagger (HMM compiled) gives jieba's tagger's words and flags; without it, jieba's is used."""
    postag = _compiled_hmm()
    linker = nlp.get_pipe("press_extract_link")
    from pipeline.segment import TagTokenizer

    jiebas = TagTokenizer(linker.tagger.tokenizer, word_tag_tab=linker.tagger.word_tag_tab)
    assert isinstance(linker.tagger, postag.CompiledTagger) and postag.tagger_of(jiebas, compiled=False) is jiebas
    for phrase in HMM_RUNS + ["其中常熟市2例", "欧阳娜娜说王小明在临平区", "东莞市倍增计划工作领导小组办公室"]:
        assert [(w.word, w.flag) for w in linker.tagger.cut(phrase)] == [(w.word, w.flag) for w in jiebas.cut(phrase)], phrase


def test_records_keep_every_field(nlp):
    """The records stage copies every field of a record but the two it sets, as dataclasses.replace does."""
    import dataclasses

    from pipeline.records import _placed

    doc = nlp("2023年，临平区实现地区生产总值1067.27亿元，同比增长6%。力争到2025年达到1500亿元。")
    doc._.doc_id = "d"
    found = [r for kind in doc._.records.values() for r in kind]
    assert {type(r).__name__ for r in found} >= {"Quantity", "Time", "Metric", "Goal"}
    for r in found:
        assert _placed(r, doc_id="d", sentence=1) == dataclasses.replace(r, doc_id="d", sentence=1)
    document = to_document(doc, doc_id="d")
    assert all(r.doc_id == "d" for r in document.records())
