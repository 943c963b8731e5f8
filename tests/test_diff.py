"""`press-extract diff`: crafted pairs of output folders, the matching, the formats and
the exit codes."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.diff import ArticleTexts, Sentences, diff_article, diff_runs, diff_to_dict, format_text, read_run
from tests.runs import goal, metric, org, quantity, time, write_run

TEXT = "2023年，临平区地区生产总值1067.27亿元，增长6%。力争2025年工业总产值达1360亿元。临平区委提出打造城市新地标。"
OTHER = "全年新增规上企业超700家，其中4家上市，另有4家在辅导。"


def records(text: str, *, gdp: str = "106727000000") -> list:
    q = quantity(text, "1067.27亿元", gdp, "CNY")
    return [
        time(text, "2023年", "2023-01-01", "2023-12-31"),
        org(text, "临平区委"),
        q,
        quantity(text, "6%", "6", "%"),
        quantity(text, "1360亿元", "136000000000", "CNY"),
        metric(text, "地区生产总值1067.27亿元", "地区生产总值", gdp, "CNY", change=Decimal(6), change_unit="%",
               period="2023", quantity_id=f"a:quantity:{q.start}-{q.end}"),
        goal(text, "力争2025年工业总产值达1360亿元", "力争", indicator="工业总产值", comparator=">=", value="136000000000", unit="CNY", deadline="2025"),
        goal(text, "打造城市新地标", "打造"),
    ]


@pytest.fixture
def old(tmp_path):
    return write_run(tmp_path / "old", [("a", TEXT, records(TEXT)), ("b", OTHER, [quantity(OTHER, "4家", "4", "家")])])


def diff(tmp_path, old, new_articles):
    new = write_run(tmp_path / "new", new_articles)
    return diff_runs(read_run(old), read_run(new))


def test_same_run_is_equal_and_exits_0(old, capsys):
    d = diff_runs(read_run(old), read_run(old))
    assert not d.different
    assert d.summary()["unchanged"] == 9
    assert main(["diff", str(old), str(old)]) == 0
    assert "no differences" in capsys.readouterr().out


def test_edit_before_records_shifts_offsets_but_shows_no_change(tmp_path, old):
    edited = "（本报讯）" + TEXT
    d = diff(tmp_path, old, [("a", edited, records(edited)), ("b", OTHER, [quantity(OTHER, "4家", "4", "家")])])
    a = d.by_doc()["a"]
    assert a.status == "revised"
    assert a.changes == [] and a.unchanged == 8
    # the metric's quantity_id moved with the text: it still names the same quantity
    assert not d.different
    assert main(["diff", str(old), str(tmp_path / "new")]) == 0


def test_value_change_is_reported_with_its_fields(tmp_path, old):
    d = diff(tmp_path, old, [("a", TEXT, records(TEXT, gdp="10672700000")), ("b", OTHER, [quantity(OTHER, "4家", "4", "家")])])
    changes = d.by_doc()["a"].changes
    assert [(c.status, c.kind, c.fields) for c in changes] == [
        ("changed", "metric", ("value",)),
        ("changed", "quantity", ("value",)),
    ]
    assert changes[1].old["value"] == Decimal("106727000000") and changes[1].new["value"] == Decimal("10672700000")
    assert d.summary() | {"unchanged": 0} == {
        "articles_added": 0, "articles_removed": 0, "articles_revised": 0, "articles_changed": 1,
        "added": 0, "removed": 0, "changed": 2, "unchanged": 0,
    }


def test_value_change_in_a_revised_article_is_still_a_change(tmp_path, old):
    edited = TEXT.replace("2023年，", "2023年全年，")
    d = diff(tmp_path, old, [("a", edited, records(edited, gdp="1")), ("b", OTHER, [quantity(OTHER, "4家", "4", "家")])])
    assert [(c.status, c.kind, c.fields) for c in d.by_doc()["a"].changes] == [
        ("changed", "metric", ("value",)),
        ("changed", "quantity", ("value",)),
    ]


def test_record_removed(tmp_path, old):
    kept = [r for r in records(TEXT) if r.text != "6%"]
    d = diff(tmp_path, old, [("a", TEXT, kept), ("b", OTHER, [quantity(OTHER, "4家", "4", "家")])])
    changes = d.by_doc()["a"].changes
    assert [(c.status, c.kind, c.old["text"]) for c in changes] == [("removed", "quantity", "6%")]
    assert d.different


def test_article_added_and_removed(tmp_path, old, capsys):
    third = "临平经开区引进项目12个。"
    d = diff(tmp_path, old, [("a", TEXT, records(TEXT)), ("c", third, [quantity(third, "12个", "12", "个")])])
    by_doc = d.by_doc()
    assert by_doc["b"].status == "removed" and [c.status for c in by_doc["b"].changes] == ["removed"]
    assert by_doc["c"].status == "added" and [c.new["text"] for c in by_doc["c"].changes] == ["12个"]
    assert d.summary()["articles_added"] == 1 and d.summary()["articles_removed"] == 1
    assert main(["diff", str(old), str(tmp_path / "new")]) == 1
    out = capsys.readouterr().out
    assert "++ article c added (1 quantities)" in out and "-- article b removed (1 quantities)" in out


def test_same_surface_elsewhere_in_an_unchanged_article_is_not_the_same_record(tmp_path, old):
    # OTHER has 4家 twice: moving the record from the first to the second is a real change.
    d = diff(tmp_path, old, [("a", TEXT, records(TEXT)), ("b", OTHER, [quantity(OTHER, "4家", "4", "家", nth=1)])])
    assert [(c.status, c.record["start"]) for c in d.by_doc()["b"].changes] == [("removed", 16), ("added", 23)]


def test_span_grown_in_place_is_a_change_of_text(tmp_path):
    text = "新增装机容量超过300万千瓦。"
    old = write_run(tmp_path / "old", [("a", text, [quantity(text, "300万千瓦", "3000000", "kW")])])
    new = write_run(tmp_path / "new", [("a", text, [quantity(text, "超过300万千瓦", "3000000", "kW", qualifier="over")])])
    (c,) = diff_runs(read_run(old), read_run(new)).by_doc()["a"].changes
    assert (c.status, c.fields) == ("changed", ("text", "qualifier"))


def test_kind_filter(tmp_path, old, capsys):
    kept = [r for r in records(TEXT) if r.kind != "organization"]
    new = write_run(tmp_path / "new", [("a", TEXT, kept), ("b", OTHER, [quantity(OTHER, "4家", "4", "家")])])
    assert main(["diff", str(old), str(new), "--kind", "quantity", "--kind", "metrics"]) == 0
    assert main(["diff", str(old), str(new), "--kind", "organization"]) == 1
    assert "临平区委" in capsys.readouterr().out


def test_json_format_is_exact_and_complete(tmp_path, old, capsys):
    write_run(tmp_path / "new", [("a", TEXT, records(TEXT, gdp="10672700000.5"))])
    assert main(["diff", str(old), str(tmp_path / "new"), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["different"] is True
    assert data["summary"]["changed"] == 2 and data["summary"]["articles_removed"] == 1
    (a, b) = data["articles"]
    assert (a["doc_id"], a["status"], b["doc_id"], b["status"]) == ("a", "same", "b", "removed")
    q = next(c for c in a["changes"] if c["kind"] == "quantity")
    assert q["fields"] == ["value"] and q["new"]["value"] == 10672700000.5 and q["old"]["value"] == 106727000000


def test_text_format_shows_the_sentence_around_each_change(tmp_path, old):
    d = diff(tmp_path, old, [("a", TEXT, [r for r in records(TEXT) if r.text != "6%"]), ("b", OTHER, [])])
    out = format_text(d)
    assert "2023年，临平区地区生产总值1067.27亿元，增长«6%»。" in out
    assert "\x1b[" not in out
    assert "\x1b[31m" in format_text(d, color=True)


def test_context_is_left_out_when_the_input_changed_since_the_run(tmp_path, old):
    d = diff(tmp_path, old, [("a", TEXT, [r for r in records(TEXT) if r.text != "6%"]), ("b", OTHER, [])])
    (tmp_path / "old.jsonl").write_text('{"id": "a", "text": "已修改"}\n', encoding="utf-8")
    assert "(no context: input changed since the run)" in format_text(d, texts=ArticleTexts())
    (tmp_path / "old.jsonl").unlink()
    assert "not found)" in format_text(d, texts=ArticleTexts())


def test_relative_input_path_is_found_from_the_output_folders_parent(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "corpus").mkdir()
    (folder / "corpus" / "x.txt").write_text(OTHER, encoding="utf-8")
    out = write_run(folder / "outputs", [("x", OTHER, [])])
    rows = (out / "articles.jsonl").read_text(encoding="utf-8").replace(str(folder / "outputs.jsonl") + ":1", "corpus/x.txt")
    (out / "articles.jsonl").write_text(rows, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert ArticleTexts().get(read_run(out).articles["x"], out) == (OTHER, "")


def test_errors_exit_2(tmp_path, old, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(old), str(tmp_path / "missing")])
    assert exc.value.code == 2
    broken = tmp_path / "broken"
    shutil.copytree(old, broken)
    (broken / "quantities.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["diff", str(old), str(broken)])
    assert exc.value.code == 2
    assert "unreadable table" in capsys.readouterr().err


def test_html_format_is_a_page(tmp_path, old, capsys):
    write_run(tmp_path / "new", [("a", TEXT, records(TEXT, gdp="1"))])
    assert main(["diff", str(old), str(tmp_path / "new"), "--format", "html"]) == 1
    page = capsys.readouterr().out
    assert page.startswith("<!DOCTYPE html>") and page.count('class="hl k-quantity d-chg"') == 1


def test_sentences_follow_the_pipeline_rule():
    s = Sentences.of("第一句。第二句！\n第三句")
    assert [s.text[slice(*s.around(i, i + 1))] for i in (0, 4, 9)] == ["第一句。", "第二句！", "第三句"]


# Random shifts and deletions: the diff reports exactly the deletions, never a change.
# (The metric names quantity 2 by id: dropping that one would change the metric.)
def _rows(text: str, shift: int) -> list[dict]:
    rows = [{**r.to_dict(), "doc_id": "a", "start": r.start + shift, "end": r.end + shift} for r in records(text)]
    q = rows[2]
    rows[5]["quantity_id"] = f"a:quantity:{q['start']}-{q['end']}"
    return rows


@settings(max_examples=40, deadline=None)
@given(prefix=st.text(max_size=20), dropped=st.sets(st.sampled_from([0, 1, 3, 4, 5, 6, 7])))
def test_shift_and_drop_property(prefix, dropped):
    old = _rows(TEXT, 0)
    old.sort(key=lambda r: (r["start"], r["end"]))
    new = [r for i, r in enumerate(_rows(TEXT, len(prefix))) if i not in dropped]
    new.sort(key=lambda r: (r["start"], r["end"]))
    changes, unchanged = diff_article(old, new, same_text=not prefix)
    assert sorted(c.old["text"] for c in changes) == sorted(records(TEXT)[i].text for i in dropped)
    assert all(c.status == "removed" for c in changes)
    assert unchanged == 8 - len(dropped)


def test_diff_to_dict_lists_only_articles_that_differ(tmp_path, old):
    d = diff_runs(read_run(old), read_run(old))
    assert diff_to_dict(d)["articles"] == []


def test_jsonl_line_that_is_not_there(tmp_path, old):
    row = dict(read_run(old).articles["a"], path=f"{tmp_path / 'old.jsonl'}:9")
    assert ArticleTexts().get(row, old) == (None, f"{tmp_path / 'old.jsonl'} has no line 9")
