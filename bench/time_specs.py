"""Evaluate the time extractor on the date subset of two public time suites, side by side
with JioNLP. Run by hand from a worktree:

    .venv/bin/python bench/time_specs.py [--shared /work/shared] [--no-jionlp] [-v]

Suites (copied under shared/specs/, see their SOURCE.md):
- jionlp/test_time_parser.json (jio.parse_time cases) and jionlp/test_time_extractor.json
  (jio.ner.extract_time cases);
- recognizers-text/DateTimeModel.json (Chinese DateTimeModel specs).

The subset: cases about dates, years, months, quarters, halves and relative years,
alone or as ranges written with 至/到/-/—/和…之间, plus the negative cases (no time
expected). Left out, by what the case is about, not by how we do on it: times of day,
weeks and weekdays, lunar dates, festivals and seasons, centuries and decades, a bare
dekad (上旬 with no month), day deixis (今天, 明日), durations, sets (每年), counted offsets and
open-ended spans (三年前, 后1年, 第七年, 2025年前, 自2018年以来, 或之前), bare days (29日) and bare
numbers (2018, = 2019), numeric dates in day/month order (12/1, 1/2/2020), era names
(康熙三年), "not resolved" expectations, a Chinese month and day without 日/号 (二月十五,
read as lunar by JioNLP), JioNLP's ret_future=True block (another convention chosen
by option), and JioNLP cases with no reference time whose answer depends on the day the
test was written (6月上旬 with time_base None).

Calendar words (weeks, day words, festivals, lunar dates, decades: README "Calendar
words") are a second group per suite, "<suite> calendar": the cases about them and about
nothing else left out above. RT week timexes (2016-W23) are read as Monday..Sunday.

Conventions mapped to ours (inclusive ISO start/end dates):
- Recognizers-Text `end` is exclusive: we compare with end - 1 day. For a range whose end
  is written (1995 - 1997年, 三月和九月之间, 到十二日: timex "(a,b,PnY|M|D)"), RT's end is
  the start of the last unit named, which we read as that unit's last day (1997-12-31):
  DESIGN.md makes 2021—2023年 span both ends.
- A date without a year has several RT candidates (the past and the future one): a pass
  is ours being any of them. RT's 今年 ends at the reference date (year to date); we
  compare its start and the year of its end.
- JioNLP times are datetimes: we compare their dates. JioNLP reads edges as windows
  (19年底 = Nov–Dec, 明年年初 = Jan–Feb, 10月底 = 25–31 Oct); ours are one month
  (年底 = December, 年初 = January, 10月底 = October). These are reported twice: "strict"
  counts them as failures, "mapped" accepts our range when one range holds the other
  and they share a start or an end.
- A date without a year (十二月20号): JioNLP reads it in the reference year; DESIGN.md in the
  year before when it would be more than a month after the article date. "mapped" accepts
  ours one year later.
- Our records are one per dated expression (从2021年到2023年 is two); a case's value is the
  earliest start and the latest end of the records we find in it.
- The extractor suite is judged on its value where it has one and otherwise on finding a
  record on the expected span (jionlp extract_time cases give spans only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
from pathlib import Path

import pipeline

EXCLUDE = re.compile(
    r"[点时分秒:：]|上午|下午|晚|早|午|夜|黎明|白天|"
    r"周|星期|礼拜|禮拜|週|"
    r"农历|闰|廿|腊|正月|初[一二三四五六七八九十]|节|除夕|元旦|端午|元宵|春|夏|秋|冬|寒|暑|"
    r"世纪|年代|^[上中下]旬|"
    r"今天|今日|昨|明天|明日|前天|现在|马上|"
    r"以来|以内|以前|以后|之前|之后|年前$|前$|后$|内$|起|止|开始|截止|"
    r"未来|过去|最近|近|每|[0-9一二三四五六七八九十两]+[个]?天|工作日|钟|刻|"
    r"半月|个半年|第.个月|前.*天|首月|许|多|前两年|"
    r"^[0-9一二三四五六七八九十]+[日号]$|康熙|雍正|神龙|1/2/2020|12/1|12-11-10|= 2019|大年|第.年|^[前后][0-9]|"
    # a Chinese month and day without 日/号 is read as a lunar date by JioNLP (二月十五)
    r"[一二三四五六七八九十]月[一二三四五六七八九十]+$"
)
# Calendar words (README "Calendar words"): a case that is about them and nothing else
# the subset leaves out forms a second group per suite, "<suite> calendar".
CALENDAR = re.compile(
    r"(?:上上|下下|上个?|下个?|本|这个?)(?:周|星期)[一二三四五六日天末]?"
    r"|今天|今日|昨天|昨日|大前天|前天|明天|明日|大后天|后天"
    r"|(?:\d{4}年|今年|去年|明年)?(?:春节|除夕|元宵节|端午节|中秋节|重阳节|七夕节?|腊八节|元旦|国庆节|劳动节|五一劳动节|"
    r"双十一|双11|双十二|情人节|妇女节|植树节|儿童节|建党节|建军节|教师节|圣诞节)"
    r"|(?:农历|阴历)(?:[一二三四五六七八九十]{1,2}|正|冬|腊)月(?:初[一二三四五六七八九十]|廿[一二三四五六七八九]|[二三]?十[一二三四五六七八九]?)"
    r"|(?:正|冬|腊)月(?:初[一二三四五六七八九十]|廿[一二三四五六七八九]|[二三]?十[一二三四五六七八九]?)"
    r"|(?:上个?世纪|20世纪|二十世纪)?(?:\d{2,4}|[一二三四五六七八九]十)年代"
)


def calendar_case(text: str) -> bool:
    """Whether `text` is about calendar words and nothing else the subset leaves out."""
    return bool(CALENDAR.search(text)) and not EXCLUDE.search(CALENDAR.sub("", text))


YEAR_WORD = re.compile(r"年|(?:19|20)\d\d[-/.]")
CONTENT = re.compile(r"[年月日号]|季度|(?:19|20)\d\d[-/.]\d")
NAMED_END = re.compile(r"[至到\-—~～]|之间|间$")
EDGE = re.compile(r"[底末初]|伊始")


def shanghai_date(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.timezone(dt.timedelta(hours=8))).date()


def base_date(raw) -> dt.date | None:
    """The reference date of a JioNLP case (its time_base), or None when it has none."""
    if isinstance(raw, dict):
        if "value" in raw:
            return shanghai_date(raw["value"])
        if raw.get("__call__") == "datetime.datetime":
            return dt.date(*raw["args"][:3])
    if isinstance(raw, (int, float)):
        return shanghai_date(raw)
    if isinstance(raw, list) and raw:
        return dt.date(*(raw + [1, 1])[:3])
    return None


def jionlp_base(raw):
    """time_base as JioNLP takes it."""
    if isinstance(raw, dict):
        if "value" in raw:
            return raw["value"]
        if raw.get("__call__") == "datetime.datetime":
            return dt.datetime(*raw["args"])
        return None
    return raw


# ---- suites -> uniform cases: (suite, text, date, expected, extra) -------------------
# expected: None (negative), ("value", [(start, end), ...] candidates, edge, ytd) or
# ("span", [(s, e), ...]).


def jionlp_parser_cases(shared: Path):
    data = json.loads((shared / "specs/jionlp/test_time_parser.json").read_text(encoding="utf-8"))
    for block in data["blocks"]:
        if "ret_future" in block.get("usage", ""):
            continue  # another convention by option: a bare date read into the future
        for case in block["cases"]:
            text, raw_base, want = case[0], case[1], case[-1]
            if not isinstance(want, dict) or want.get("type") not in ("time_point", "time_span"):
                continue
            cal = calendar_case(text)
            if not cal and (EXCLUDE.search(text) or not CONTENT.search(text)):
                continue
            if any(v in ("inf", "-inf") for v in want["time"]):
                continue
            ref = base_date(raw_base)
            if ref is None and not re.search(r"(?:19|20)\d\d|[〇零一二三四五六七八九]{4}年", text):
                continue
            start, end = (dt.date.fromisoformat(v[:10]) for v in want["time"])
            yearless = not YEAR_WORD.search(text)
            yield ("jionlp parse_time" + (" calendar" if cal else ""), text, ref,
                   ("value", [(start, end)], bool(EDGE.search(text)), False, yearless), raw_base)


def jionlp_extractor_cases(shared: Path):
    data = json.loads((shared / "specs/jionlp/test_time_extractor.json").read_text(encoding="utf-8"))
    for block in data["blocks"]:
        for text, want in block["cases"]:
            if want and (EXCLUDE.search("".join(w["text"] for w in want)) or not CONTENT.search(text)):
                continue
            if any(not CONTENT.search(w["text"]) for w in want):
                continue  # a bare number (财税2016 36号文) is not a time for us
            expected = ("span", [tuple(w["offset"]) for w in want]) if want else None
            yield "jionlp extract_time", text, dt.date(2021, 6, 14), expected, None


def _rt_value(result, *, named_end: bool, weeks: bool = False) -> tuple[list[tuple[dt.date, dt.date]], bool] | None:
    """Candidate inclusive ranges of one RT result, or None if outside the subset."""
    if result["TypeName"] not in ("datetimeV2.date", "datetimeV2.daterange"):
        return None
    out = []
    for v in result["Resolution"]["values"]:
        timex = v.get("timex", "")
        if ("W" in timex and not weeks) or "XX-XX" in timex or "XX9" in timex or v.get("value") == "not resolved":
            return None
        if v["type"] == "date":
            day = dt.date.fromisoformat(v["value"])
            out.append((day, day))
            continue
        if v.get("start") is None or v.get("end") is None:
            return None
        start, end = dt.date.fromisoformat(v["start"]), dt.date.fromisoformat(v["end"])
        unit = re.fullmatch(r"\(.*,P\d+([YMD])\)", timex)
        if unit and named_end:
            # A range whose end is written (1995 - 1997年, 到十二日): RT's end is the start
            # of the last unit named; ours is that unit's last day.
            if unit.group(1) == "Y":
                end = dt.date(end.year, 12, 31)
            elif unit.group(1) == "M":
                end = pipeline_month_end(end)
        else:
            end = end - dt.timedelta(days=1)
        out.append((start, end))
    return out, False


def shift_years(day: dt.date, years: int) -> dt.date:
    from pipeline.normalise.times import shift_years as shift

    return shift(day, years)


def pipeline_month_end(day: dt.date) -> dt.date:
    from pipeline.normalise.times import month_end

    return day.replace(day=month_end(day.year, day.month))


def rt_cases(shared: Path):
    data = json.loads((shared / "specs/recognizers-text/DateTimeModel.json").read_text(encoding="utf-8"))
    for case in data:
        text = case["Input"]
        ref_raw = case.get("Context", {}).get("ReferenceDateTime")
        ref = dt.date.fromisoformat(ref_raw[:10]) if ref_raw else None
        results = case["Results"]
        if not results:
            yield "recognizers-text", text, ref, None, None
            continue
        cal = all(calendar_case(r["Text"]) for r in results)
        if not cal and any(EXCLUDE.search(r["Text"]) for r in results):
            continue
        values = [_rt_value(r, named_end=bool(NAMED_END.search(r["Text"])), weeks=cal) for r in results]
        if any(v is None for v in values):
            continue
        if len(results) != 1:
            continue  # several expressions per case: each is open-ended or excluded in this suite
        (cands, _), = values
        ytd = results[0]["Text"] in ("今年",)
        yield "recognizers-text" + (" calendar" if cal else ""), text, ref, ("value", cands, False, ytd), None


# ---- judging -------------------------------------------------------------------------


def judge(found: list[tuple[int, int, dt.date | None, dt.date | None]], expected, *, mapped: bool) -> bool:
    """Whether `found` (span and dates of each record) meets `expected`."""
    if expected is None:
        return not found
    if expected[0] == "span":
        return all(any(s < fe and fs < e for fs, fe, _, _ in found) for s, e in expected[1])
    _, candidates, edge, ytd, *rest = expected
    yearless = bool(rest and rest[0])
    dated = [(a, b) for _, _, a, b in found if a is not None]
    if not dated:
        return False
    start, end = min(a for a, _ in dated), max(b for _, b in dated)
    for cs, ce in candidates:
        if ytd and start == cs and end.year == ce.year:
            return True
        if (start, end) == (cs, ce):
            return True
        nested = cs <= start <= end <= ce or start <= cs <= ce <= end
        if mapped and edge and nested and (start == cs or end == ce):
            return True
        # A date without a year: JioNLP takes the reference year, DESIGN.md the year before
        # when that date would be more than a month after the article date.
        if mapped and yearless and (shift_years(start, 1), shift_years(end, 1)) == (cs, ce):
            return True
    return False


def day_granular(expected) -> bool:
    """A case whose answer is one day (the issue's "day-granular time cases"): a second
    group over every suite, besides its own."""
    return bool(expected) and expected[0] == "value" and all(s == e for s, e in expected[1])


def ours(text: str, date: dt.date | None):
    doc = pipeline.extract(text, date=date)
    return [
        (t.start, t.end, dt.date.fromisoformat(t.start_date) if t.start_date else None,
         dt.date.fromisoformat(t.end_date) if t.end_date else None)
        for t in doc.times
    ]


def theirs(jio, suite: str, text: str, date: dt.date | None, raw_base):
    """JioNLP's answer in the same shape (extract_time with parsing, or parse_time)."""
    base = jionlp_base(raw_base) if suite == "jionlp parse_time" else (
        time.mktime(date.timetuple()) if date else time.time()
    )
    out = []
    try:
        if suite == "jionlp parse_time":
            r = jio.parse_time(text, time_base=base)
            items = [({"offset": [0, len(text)]}, r)]
        else:
            items = [(r, r["detail"]) for r in jio.ner.extract_time(text, time_base=base, with_parsing=True)]
    except Exception:  # JioNLP raises on inputs it cannot parse: that is a miss
        return []
    for item, detail in items:
        t = detail.get("time") if isinstance(detail, dict) else None
        if not isinstance(t, list) or len(t) != 2 or not all(isinstance(v, str) and v[:1].isdigit() for v in t):
            out.append((*item["offset"], None, None))
            continue
        out.append((*item["offset"], dt.date.fromisoformat(t[0][:10]), dt.date.fromisoformat(t[1][:10])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    parser.add_argument("--no-jionlp", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every failing case")
    parser.add_argument("--list", action="store_true", help="list every case of the subset")
    args = parser.parse_args(argv)

    jio = None
    if not args.no_jionlp:
        os.environ["TZ"] = "Asia/Shanghai"  # the suites' timestamps assume UTC+8
        time.tzset()
        try:
            import jionlp as jio  # noqa: F811 - optional, installed by hand for this comparison
        except ImportError:
            jio = None

    cases = [*jionlp_parser_cases(args.shared), *jionlp_extractor_cases(args.shared), *rt_cases(args.shared)]
    table: dict[str, list[int]] = {}
    for suite, text, date, expected, raw_base in cases:
        found = ours(text, date)
        strict, mapped = judge(found, expected, mapped=False), judge(found, expected, mapped=True)
        got = theirs(jio, suite, text, date, raw_base) if jio is not None else None
        for key in (suite, "day-granular (all suites)") if day_granular(expected) else (suite,):
            row = table.setdefault(key, [0, 0, 0, 0, 0])
            row[0] += 1
            row[1] += strict
            row[2] += mapped
            if got is not None:
                row[3] += judge(got, expected, mapped=False)
                row[4] += judge(got, expected, mapped=True)
        if args.list:
            print(f"[{suite}] {text!r} date={date} {'pass' if mapped else 'FAIL'}")
        elif args.verbose and not mapped:
            print(f"FAIL [{suite}] {text!r} date={date} expected={expected} ours={found}")
    print(f"{'suite':24} {'cases':>5}  {'ours strict':>12} {'ours mapped':>12}  {'jionlp strict':>13} {'jionlp mapped':>13}")
    for suite, (n, s, m, js, jm) in table.items():
        jio_cols = f"{js / n:>13.1%} {jm / n:>13.1%}" if jio is not None else f"{'-':>13} {'-':>13}"
        print(f"{suite:24} {n:>5}  {s / n:>12.1%} {m / n:>12.1%}  {jio_cols}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
