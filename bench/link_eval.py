"""Score metrics and goals against gold files (run by hand; prints figures).

    .venv/bin/python bench/link_eval.py                 # seeds gold + bench/gold corpus articles
    .venv/bin/python bench/link_eval.py --oracle -v     # linker alone, on gold quantities

Two gold sets: /work/shared/gold (the two seed articles, texts in /work/shared/seeds) and
bench/gold/ (/work/shared/corpus articles annotated for this issue by the DESIGN.md guideline,
same format): src_sina_002 (苏州 一季度 statistics), src_sina_005 (东莞 倍增计划) and
src_sina_007 (杭州 GDP and 十四五 targets) were annotated first and then used to find
errors; src_sina_017 (西安 energy use) was annotated last and never tuned on. Periods below
a year are written 2022-Q1, 2022-H1, 2021-01..09. Scoring is /work/shared/tools/score.py,
unchanged; `--per-doc` adds one line per article.

Default mode runs the whole pipeline (`press-extract run`'s batch) so the figures include the
quantities and times stages. `--oracle` isolates the linker: it places the gold quantities
in the text, adds bare year times (2023年, 今年, 去年), and runs only the link component.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import re
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path("/work/shared")
SETS = {
    "seeds": (SHARED / "gold", SHARED / "seeds"),
    "corpus": (HERE / "gold", SHARED / "corpus"),
}
YEAR = re.compile(r"(?<![\d.])(\d{4})(?:年度|年)|今年|去年|上年")
# Sub-year periods, plan periods and month ends, enough to exercise period selection.
PERIODS = re.compile(r"(?P<q>[一二三四])季度|前三季度|上半年|(?P<m1>\d{1,2})[-—－](?P<m2>\d{1,2})月|(?P<end>\d{1,2})月(?:底|末)|(?P<year>\d{4})年(?:底|末)|十四五")
BARE = re.compile(r"[万亿千百]*\D{1,2}")  # a unit written without a number (亿元企业)
DIMENSIONS = {"CNY": "currency", "%": "percent", "pp": "percentage_point", "rank": "rank", "m2": "area", "m": "length"}


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED / "tools" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_articles(gold_dir: Path, text_dir: Path) -> list[tuple[dict, str]]:
    out = []
    for f in sorted(gold_dir.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        out.append((gold, (text_dir / f"{gold['doc_id']}.txt").read_text(encoding="utf-8")))
    return out


def run_pipeline(articles: list[tuple[dict, str]], out: Path) -> None:
    from pipeline import batch

    src = out / "input.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for gold, text in articles:
            fh.write(json.dumps({"id": gold["doc_id"], "text": text, "date": gold["date"]}, ensure_ascii=False) + "\n")
    batch.run([src], out_dir=out)


def oracle_records(text: str, gold: dict, date: dt.date):
    """Gold quantities placed in order in the text, gold organisations, and simple times."""
    from pipeline.types import Organization, Quantity, Time

    quantities, pos = [], 0
    for g in gold["quantities"]:
        at = text.find(g["text"], pos)
        if at < 0:
            at = text.find(g["text"])
        if at < 0:
            continue
        pos = at + len(g["text"])
        unit = g["unit"]
        quantities.append(Quantity(start=at, end=at + len(g["text"]), text=g["text"], source="oracle", value=Decimal(str(g["value"])),
                                   unit=unit, unit_text=g["text"] if BARE.fullmatch(g["text"]) else "", dimension=DIMENSIONS.get(unit, "duration" if unit in ("year", "month", "day", "minute") else "count"),
                                   qualifier=g["qualifier"]))
    times = []
    for m in PERIODS.finditer(text):
        at_year = next((int(y[1]) for y in YEAR.finditer(text, max(0, m.start() - 8), m.start()) if y[1]), date.year)
        if m[0] == "十四五":
            span, gran = ("2021-01-01", "2025-12-31"), "plan"
        elif m["year"]:
            span, gran = (f"{m['year']}-12-01", f"{m['year']}-12-31"), "month"
        else:
            first, last = ((3 * "一二三四".index(m["q"]) + 1, 3 * "一二三四".index(m["q"]) + 3) if m["q"] else (1, 9) if m[0] == "前三季度"
                           else (1, 6) if m[0] == "上半年" else (int(m["m1"]), int(m["m2"])) if m["m1"] else (int(m["end"]), int(m["end"])))
            end = (dt.date(at_year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
            span, gran = (f"{at_year}-{first:02d}-01", end), "month"
        times.append(Time(start=m.start(), end=m.end(), text=m[0], source="oracle", start_date=span[0], end_date=span[1], granularity=gran))
    taken = [(t.start, t.end) for t in times]
    for m in YEAR.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        year = int(m[1]) if m[1] else date.year - (0 if m[0] == "今年" else 1)
        times.append(Time(start=m.start(), end=m.end(), text=m[0], source="oracle", start_date=f"{year}-01-01", end_date=f"{year}-12-31", granularity="year", relative=not m[1]))
    orgs = []
    for g in gold.get("organizations", []):
        at = text.find(g["name"])
        if at >= 0:
            orgs.append(Organization(start=at, end=at + len(g["name"]), text=g["name"], source="oracle", name=g["name"], canonical=g["name"], org_type=g["org_type"]))
    return quantities, times, orgs


def run_oracle(articles: list[tuple[dict, str]], out: Path) -> None:
    import pipeline
    from pipeline.extract import records_of
    from pipeline.records import to_document
    from pipeline.write import json_line

    nlp = pipeline.load()
    rows = {"metric": [], "goal": []}
    for gold, text in articles:
        date = dt.date.fromisoformat(gold["date"])
        doc = nlp.make_doc(text)
        doc._.doc_id, doc._.article_date = gold["doc_id"], date
        doc = nlp.get_pipe("press_extract_sentences")(doc)
        quantities, times, orgs = oracle_records(text, gold, date)
        records_of(doc, "quantity").extend(quantities)
        records_of(doc, "time").extend(times)
        records_of(doc, "organization").extend(orgs)
        doc = nlp.get_pipe("press_extract_link")(doc)
        document = to_document(doc, doc_id=gold["doc_id"], date=date)
        for kind, table in (("metric", "metrics"), ("goal", "goals")):
            rows[kind] += [json_line(r.to_dict()) for r in getattr(document, table)]
    for kind, table in (("metric", "metrics"), ("goal", "goals")):
        (out / f"{table}.jsonl").write_text("".join(line + "\n" for line in rows[kind]), encoding="utf-8")


def goal_filter(out: Path) -> None:
    """Keep quantitative goals only, for the "goals F1 (quantitative)" figure."""
    path = out / "goals.jsonl"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line).get("quantitative")]
    (out / "quant").mkdir(exist_ok=True)
    (out / "quant" / "goals.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def show(label: str, v: dict) -> None:
    attr = next(({"metrics": "period acc", "goals": "comparator acc"}[w] for w in label.split() if w in ("metrics", "goals")), "")
    print(f"{label:30s} P={v['p']:.3f} R={v['r']:.3f} F1={v['f1']:.3f} tp={v['tp']} fp={v['fp']} fn={v['fn']} {attr}={v['attr_acc']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oracle", action="store_true", help="gold quantities + bare years instead of the extractors")
    ap.add_argument("--set", choices=sorted(SETS), action="append", help="gold set(s) to score (default: all)")
    ap.add_argument("-v", action="store_true", help="list misses and spurious records")
    ap.add_argument("--per-doc", action="store_true", help="also score each article alone")
    args = ap.parse_args()
    score = load_scorer()
    for name in args.set or sorted(SETS, reverse=True):
        gold_dir, text_dir = SETS[name]
        articles = gold_articles(gold_dir, text_dir)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            (run_oracle if args.oracle else run_pipeline)(articles, out)
            print(f"== {name} ({len(articles)} articles: {', '.join(g['doc_id'] for g, _ in articles)}){' [oracle]' if args.oracle else ''}")
            result = score.score(out, gold_dir, ["metrics", "goals"], args.v)
            goal_filter(out)
            result["goals (quantitative)"] = score.score(out / "quant", gold_dir, ["goals"], False)["goals"]
            for kind, v in result.items():
                show(kind, v)
            if args.per_doc:
                for f in sorted(gold_dir.glob("*.json")):
                    one = out / "one" / f.stem
                    one.mkdir(parents=True)
                    shutil.copy(f, one)
                    for kind, v in score.score(out, one, ["metrics"], False).items():
                        show(f"  {f.stem[:18]} {kind}", v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
