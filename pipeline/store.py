"""The DuckDB store: the batches of every day appended to one file, with article versions.

One transaction per batch: a run that fails or is killed leaves the store as it was.
Tables (columns derived from `types.schema`, so a new record field becomes a new
column, added to an existing store when it is opened for writing):

- `runs`: one row per batch (rules, code and model setting, counts, start and end).
- `articles`: one row per article version, with `version`, the `run_id` that wrote it,
  `superseded_by` (the run that wrote the next version; NULL while current) and `text`.
- `sentences`: the pipeline's sentence spans of each article version.
- `quantities`, `times`, `organizations`, `metrics`, `goals`: records with `version`
  and `run_id`; `errors`: bad inputs with the `run_id` that met them.
- `record_lines`: each version's rows as the JSONL lines the run wrote (exact decimals),
  so an unchanged article is written to `--out` byte for byte and `diff` sees the rows
  the folder tables would hold.

Views: `articles_current` and `<table>_current` (the latest version of each article),
`facts`, `targets` and `targets_vs_actuals` (see README, "The DuckDB store").
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .types import KINDS, TABLES, schema
from .write import json_line

# Column types of the store: numbers are DOUBLE, as in the Parquet tables (the exact
# decimals stay in record_lines); a string column named `date` or `*_date` is a DATE.
_SQL_TYPES = {"string": "VARCHAR", "int": "BIGINT", "number": "DOUBLE", "bool": "BOOLEAN"}
# Rows buffered before they are inserted (inside the batch's transaction).
FLUSH_ROWS = 50_000
RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "INTEGER"),
    ("started", "TIMESTAMP"),
    ("finished", "TIMESTAMP"),
    ("inputs", "VARCHAR"),
    ("rules_sha256", "VARCHAR"),
    ("code_sha256", "VARCHAR"),
    ("org_model", "BOOLEAN"),
    ("articles", "BIGINT"),
    ("unchanged", "BIGINT"),
    ("errors", "BIGINT"),
)
_VERSIONED = (("version", "INTEGER"), ("run_id", "INTEGER"))


class StoreError(Exception):
    """A store that cannot be opened or written; the message names the file and the reason."""


def sql_type(name: str, kind: str) -> str:
    """The DuckDB type of a schema column.

    >>> sql_type("start_date", "string"), sql_type("value", "number"), sql_type("unit", "string")
    ('DATE', 'DOUBLE', 'VARCHAR')
    """
    if kind == "string" and (name == "date" or name.endswith("_date")):
        return "DATE"
    return _SQL_TYPES[kind]


def table_columns(table: str) -> tuple[tuple[str, str], ...]:
    """(name, DuckDB type) of every column of a store table, in order.

    >>> table_columns("metrics")[-2:]
    (('version', 'INTEGER'), ('run_id', 'INTEGER'))
    >>> [c for c, _ in table_columns("articles")][-4:]
    ['version', 'run_id', 'superseded_by', 'text']
    """
    if table == "runs":
        return RUN_COLUMNS
    if table == "sentences":
        return (("doc_id", "VARCHAR"), *_VERSIONED[:1], ("sentence", "INTEGER"), ("start", "BIGINT"), ("end", "BIGINT"))
    if table == "record_lines":
        return (("doc_id", "VARCHAR"), *_VERSIONED[:1], ("kind", "VARCHAR"), ("lines", "VARCHAR"))
    kind = {v: k for k, v in TABLES.items()}[table]
    cols = tuple((name, sql_type(name, t)) for name, t in schema(kind))
    if kind == "error":
        return (("run_id", "INTEGER"), ("error", "INTEGER"), *cols)
    cols += _VERSIONED
    if kind == "article":
        cols += (("superseded_by", "INTEGER"), ("text", "VARCHAR"))
    return cols


PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "runs": ("run_id",),
    "articles": ("doc_id", "version"),
    "sentences": ("doc_id", "version", "sentence"),
    "record_lines": ("doc_id", "version", "kind"),
    "errors": ("run_id", "error"),
    **{TABLES[k]: ("id", "version") for k in KINDS},
}
STORE_TABLES: tuple[str, ...] = tuple(PRIMARY_KEYS)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_sql(table: str) -> str:
    cols = ", ".join(f"{_q(c)} {t}" for c, t in table_columns(table))
    return f"CREATE TABLE IF NOT EXISTS {_q(table)} ({cols}, PRIMARY KEY ({', '.join(map(_q, PRIMARY_KEYS[table]))}))"


def _record_columns(table: str, con) -> set[str]:
    return {r[0] for r in con.execute(f"SELECT * FROM {_q(table)} LIMIT 0").description}


def _view_sql(con) -> list[str]:
    """The views, written for the columns the tables have now."""
    views = ["CREATE OR REPLACE VIEW articles_current AS SELECT * FROM articles WHERE superseded_by IS NULL"]
    for table in [TABLES[k] for k in KINDS] + ["sentences"]:
        views.append(
            f"CREATE OR REPLACE VIEW {table}_current AS SELECT r.* FROM {_q(table)} r "
            "SEMI JOIN articles_current a ON a.doc_id = r.doc_id AND a.version = r.version"
        )
    with_article = (
        "SELECT r.*, a.title, a.date AS article_date, a.url, a.path, "
        "rtrim(substr(a.text, s.start + 1, s.\"end\" - s.start), chr(10) || chr(13)) AS sentence_text "
        "FROM {table}_current r JOIN articles_current a ON a.doc_id = r.doc_id AND a.version = r.version "
        "LEFT JOIN sentences s ON s.doc_id = r.doc_id AND s.version = r.version AND s.sentence = r.sentence"
    )
    views.append("CREATE OR REPLACE VIEW facts AS " + with_article.format(table="metrics"))
    views.append("CREATE OR REPLACE VIEW targets AS " + with_article.format(table="goals"))
    # Goals carry an indicator_id when the record class has one; otherwise the id that the
    # metrics give the same indicator text (the linker maps a text to one id).
    goal_id = "g.indicator_id" if "indicator_id" in _record_columns("goals", con) else "ids.indicator_id"
    views.append(f"""CREATE OR REPLACE VIEW targets_vs_actuals AS
WITH ids AS (SELECT indicator, min(indicator_id) AS indicator_id FROM metrics WHERE indicator_id IS NOT NULL GROUP BY indicator)
SELECT g.id AS goal_id, g.doc_id AS goal_doc_id, g.article_date AS goal_date, g.text AS goal_text, g.trigger,
       g.indicator AS goal_indicator, {goal_id} AS indicator_id, g.subject, g.deadline AS period,
       g.comparator, g.value AS goal_value, g.unit AS goal_unit,
       m.id AS metric_id, m.doc_id AS metric_doc_id, m.article_date AS metric_date, m.text AS metric_text,
       m.indicator AS metric_indicator, m.value AS metric_value, m.unit AS metric_unit,
       CASE WHEN g.value IS NULL OR g.unit IS DISTINCT FROM m.unit THEN NULL
            WHEN g.comparator = '>=' THEN m.value >= g.value WHEN g.comparator = '>' THEN m.value > g.value
            WHEN g.comparator = '<=' THEN m.value <= g.value WHEN g.comparator = '<' THEN m.value < g.value
            WHEN g.comparator = '=' THEN m.value = g.value END AS met
FROM targets g LEFT JOIN ids ON ids.indicator = g.indicator
JOIN facts m ON m.indicator_id = {goal_id} AND m.subject = g.subject AND m.period = g.deadline
            AND m.article_date > g.article_date""")
    return views


def _connect(path: Path, *, read_only: bool):
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            holder = text.split("Conflicting lock is held in", 1)[-1].strip().rstrip(".") if "Conflicting" in text else "unknown"
            raise StoreError(
                f"{path}: the store is in use by another process ({holder}); a batch holds it until it has "
                "committed: run again when that one has finished"
            ) from None
        raise StoreError(f"{path}: cannot open the store: {text}") from None
    except duckdb.Error as exc:
        raise StoreError(f"{path}: not a DuckDB store: {exc}") from None


@dataclass(frozen=True)
class Current:
    """What the store holds of an article now: the facts the incremental rule compares."""

    version: int
    sha256: str | None
    date: str | None
    rules_sha256: str
    code_sha256: str
    org_model: bool


class Store:
    """An open store. For writing, `begin()` a batch, add its articles and errors, then
    `commit()` (or `abort()`); the file is locked while it is open for writing."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.is_file():
            raise StoreError(f"{self.path}: no such store")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect(self.path, read_only=read_only)
        self.run_id: int | None = None
        self._buffers: dict[str, dict[str, list[Any]]] = {}  # table -> column -> values
        self._superseded: list[tuple[str, int]] = []  # (doc_id, version) of the versions replaced
        self._buffered = 0
        try:
            if not read_only:
                self._migrate()
            elif "runs" not in self._tables():
                raise StoreError(f"{self.path}: not a press-extract store (no runs table)")
        except BaseException:
            self.con.close()
            raise

    def _tables(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}

    def _migrate(self) -> None:
        """Create missing tables and columns (a field added to a record class), then the views."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            existing = self._tables()
            for table in STORE_TABLES:
                if table not in existing:
                    self.con.execute(_create_sql(table))
                    continue
                have = {r[0]: r[1] for r in self.con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall()}
                for name, sql in table_columns(table):
                    if name not in have:
                        self.con.execute(f"ALTER TABLE {_q(table)} ADD COLUMN {_q(name)} {sql}")
                    elif have[name] != sql:
                        raise StoreError(f"{self.path}: column {table}.{name} is {have[name]}, expected {sql}")
            for view in _view_sql(self.con):
                self.con.execute(view)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    # -- writing a batch -------------------------------------------------------------

    def begin(self, *, inputs: Iterable[str], rules_sha256: str, code_sha256: str, org_model: bool) -> int:
        """Start the batch's transaction and its `runs` row; return its run id."""
        self.con.execute("BEGIN TRANSACTION")
        self.run_id = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
        self.extraction = (rules_sha256, code_sha256, org_model)
        self.con.execute(
            "INSERT INTO runs (run_id, started, inputs, rules_sha256, code_sha256, org_model) VALUES (?, ?, ?, ?, ?, ?)",
            [self.run_id, _utc_now(), json.dumps(list(inputs), ensure_ascii=False), rules_sha256, code_sha256, org_model],
        )
        rows = self.con.execute(
            "SELECT a.doc_id, a.version, a.sha256, CAST(a.date AS VARCHAR), r.rules_sha256, r.code_sha256, r.org_model "
            "FROM articles_current a JOIN runs r USING (run_id)"
        ).fetchall()
        self.current = {r[0]: Current(*r[1:]) for r in rows}
        self.errors = 0
        self.written = 0
        return self.run_id

    def unchanged(self, articles: Iterable[tuple[str, str | None, str | None]]) -> dict[str, tuple[dict[str, Any], dict[str, list[str]]]]:
        """Of `articles` (doc_id, sha256, date), those whose current version has this text
        and date and was made by the same rules, code and model setting as this batch:
        doc_id -> (the stored articles row, the JSONL lines per kind). One query for them
        all (a query per article costs milliseconds: record_lines is scanned, not indexed)."""
        keys = {}
        for doc_id, sha256, date in articles:
            cur = self.current.get(doc_id)
            if cur and (cur.sha256, cur.date) == (sha256, date) and (cur.rules_sha256, cur.code_sha256, cur.org_model) == self.extraction:
                keys[doc_id] = cur.version
        if not keys:
            return {}
        found: dict[str, dict[str, str]] = {}
        for doc_id, kind, lines in self.con.execute(
            "SELECT l.doc_id, l.kind, l.lines FROM record_lines l "
            "JOIN (SELECT unnest($1::VARCHAR[]) AS doc_id, unnest($2::INTEGER[]) AS version) k USING (doc_id, version)",
            [list(keys), list(keys.values())],
        ).fetchall():
            found.setdefault(doc_id, {})[kind] = lines
        return {
            doc_id: (json.loads(kinds.pop("article")), {kind: lines.split("\n") for kind, lines in kinds.items()})
            for doc_id, kinds in found.items()
        }

    def add_article(self, row: dict[str, Any], lines: dict[str, list[str]], *, text: str, sentences: Iterable[tuple[int, int]]) -> int:
        """Buffer a new version of an article (its row, records and text); return the version."""
        doc_id = row["doc_id"]
        cur = self.current.get(doc_id)
        version = cur.version + 1 if cur else 1
        if cur:
            self._superseded.append((doc_id, cur.version))
        self._add("articles", {**row, "version": version, "run_id": self.run_id, "text": text})
        self._add("record_lines", {"doc_id": doc_id, "version": version, "kind": "article", "lines": json_line(row)})
        for n, (start, end) in enumerate(sentences):
            self._add("sentences", {"doc_id": doc_id, "version": version, "sentence": n, "start": start, "end": end})
        for kind, kind_lines in lines.items():
            if not kind_lines:
                continue
            self._add("record_lines", {"doc_id": doc_id, "version": version, "kind": kind, "lines": "\n".join(kind_lines)})
            # Records stay JSONL lines until DuckDB parses them in `flush` (faster than Python).
            columns = self._buffers.setdefault(TABLES[kind], {"line": [], "version": []})
            columns["line"] += kind_lines
            columns["version"] += [version] * len(kind_lines)
            self._buffered += len(kind_lines)
        self.written += 1
        if self._buffered >= FLUSH_ROWS:
            self.flush()
        return version

    def add_error(self, row: dict[str, Any]) -> None:
        self.errors += 1
        self._add("errors", {**row, "run_id": self.run_id, "error": self.errors})

    def _add(self, table: str, row: dict[str, Any]) -> None:
        columns = self._buffers.setdefault(table, {name: [] for name, _ in table_columns(table) if name in row})
        for name, values in columns.items():
            values.append(row.get(name))
        self._buffered += 1

    def flush(self) -> None:
        """Insert the buffered rows (still inside the batch's transaction). Each column goes
        to DuckDB as one list parameter that SQL unnests: no row-by-row insert and no
        DataFrame library to load (which costs more than the inserts on a daily batch)."""
        record_tables = {TABLES[k] for k in KINDS}
        for table, columns in self._buffers.items():
            types = dict(table_columns(table))
            if table in record_tables:
                fields = json.dumps({c: t for c, t in types.items() if c not in ("version", "run_id")})
                select = (f"SELECT unnest(from_json(line, '{fields}')), version, {int(self.run_id)} AS run_id "
                          "FROM (SELECT unnest($1::VARCHAR[]) AS line, unnest($2::INTEGER[]) AS version)")
                params = [columns["line"], columns["version"]]
            else:
                select = "SELECT " + ", ".join(
                    f"unnest(${n}::{types[c]}[]) AS {_q(c)}" for n, c in enumerate(columns, 1))
                params = list(columns.values())
            self.con.execute(f"INSERT INTO {_q(table)} BY NAME {select}", params)
        if self._superseded:
            self.con.execute(
                "UPDATE articles SET superseded_by = $1 "
                "FROM (SELECT unnest($2::VARCHAR[]) AS doc_id, unnest($3::INTEGER[]) AS version) old "
                "WHERE articles.doc_id = old.doc_id AND articles.version = old.version",
                [self.run_id, [d for d, _ in self._superseded], [v for _, v in self._superseded]],
            )
        self._buffers, self._superseded, self._buffered = {}, [], 0

    def commit(self, *, unchanged: int) -> None:
        self.flush()
        self.con.execute(
            "UPDATE runs SET finished = ?, articles = ?, unchanged = ?, errors = ? WHERE run_id = ?",
            [_utc_now(), self.written, unchanged, self.errors, self.run_id],
        )
        self.con.execute("COMMIT")

    def abort(self) -> None:
        """Roll the batch back (nothing of it stays); harmless when it was never begun."""
        import duckdb

        self._buffers, self._superseded, self._buffered = {}, [], 0
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:  # no transaction open: nothing to undo
            pass

    def close(self) -> None:
        self.con.close()

    # -- reading ---------------------------------------------------------------------

    def runs(self) -> list[int]:
        return [r[0] for r in self.con.execute("SELECT run_id FROM runs WHERE finished IS NOT NULL ORDER BY run_id").fetchall()]

    def snapshot(self, run_id: int | None) -> tuple[int, tuple[dict[str, str], dict[str, dict[str, str]], dict[str, str]]]:
        """Every article as it stood after run `run_id` (None: the latest finished run), that
        is its latest version written by that run or an earlier one: the run id, and the
        article row line, the JSONL lines per kind and the texts keyed by sha256."""
        runs = self.runs()
        if run_id is None and runs:
            run_id = runs[-1]
        if run_id not in runs:
            known = f"{runs[0]}-{runs[-1]}" if runs else "none"
            raise StoreError(f"{self.path}: no run {run_id} (runs: {known})")
        rows = self.con.execute(
            "WITH v AS (SELECT doc_id, max(version) AS version FROM articles WHERE run_id <= ? GROUP BY doc_id) "
            "SELECT l.doc_id, l.kind, l.lines FROM record_lines l JOIN v USING (doc_id, version) ORDER BY l.doc_id",
            [run_id],
        ).fetchall()
        lines: dict[str, dict[str, str]] = {}
        for doc_id, kind, text in rows:
            lines.setdefault(doc_id, {})[kind] = text
        texts = dict(self.con.execute(
            "SELECT sha256, any_value(text) FROM articles WHERE run_id <= ? AND sha256 IS NOT NULL GROUP BY sha256", [run_id]
        ).fetchall())
        return run_id, ({d: k.pop("article") for d, k in lines.items()}, lines, texts)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
