"""The partner feeds of issue 13 joined to the registry's persons by DuckDB, from the CSV files
`feeds_bench` wrote: the civil-affairs roll and the public-security list, each matched by
citizen ID (matched / unmatched rows, the persons touched) and, for the roll, the latest status
per person in force on 2025-12-01 (feeds-and-records.md: the row with the latest
effective_from <= d). Times the loads and the joins separately, then checks the matched and
unmatched counts and the roll's statuses against zhucan's (`zhucan.json`).

    python bench/feeds_duckdb.py OUT_DIR [RUNS]

What is timed, per feed, RUNS times:
- `file_join`: reading the feed's CSV file and joining it to the persons table (in memory,
  loaded once from persons.csv: the registry is already "loaded" on zhucan's side too);
- `join`: the join alone, the feed already an in-memory table;
- `parquet_join`: the same from files only — the feed's CSV joined to persons.parquet.

Writes OUT_DIR/duckdb.json. Exits 1 if a count differs.
"""

import json
import sys
import time

import duckdb

from duckdb_common import load, stats

out = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
z = json.load(open(f"{out}/zhucan.json", encoding="utf-8"))

con = duckdb.connect()  # in memory; DuckDB uses every core (2 here)
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
version = duckdb.__version__

V, D = "VARCHAR", "DATE"
feeds = {
    "civil_affairs": ("roll", {"citizen_id": V, "name": V, "status": V, "effective_from": D}),
    "public_security": (
        "public_security",
        {"citizen_id": V, "name": V, "change": V, "changed_on": D, "township": V, "village": V},
    ),
}
load_ms, counts = load(
    con, out, {"persons": {"citizen_id": V, "township_code": V, "economic_status": V}}
)
con.execute(f"COPY persons TO '{out}/persons.parquet' (FORMAT parquet)")


def spec(cols):
    return ", ".join(f"'{c}': '{ty}'" for c, ty in cols.items())


def match_sql(feed):
    """Rows matched and unmatched, persons matched, from the relation `feed`."""
    return (
        "SELECT count(p.citizen_id) AS matched, count(*) - count(p.citizen_id) AS unmatched, "
        "count(DISTINCT p.citizen_id) AS persons "
        f"FROM {feed} f LEFT JOIN persons p ON p.citizen_id = f.citizen_id"
    )


# The roll's latest status per matched person in force on 2025-12-01, counted by status.
STATUS_SQL = """
SELECT status, count(*) FROM (
  SELECT f.citizen_id, arg_max(f.status, f.effective_from) AS status
  FROM {feed} f JOIN persons p ON p.citizen_id = f.citizen_id
  WHERE f.effective_from <= DATE '2025-12-01'
  GROUP BY f.citizen_id
) GROUP BY status ORDER BY status
"""

# The public-security list: changes per kind among matched rows.
CHANGES_SQL = """
SELECT f.change, count(*) FROM {feed} f JOIN persons p ON p.citizen_id = f.citizen_id
GROUP BY f.change ORDER BY f.change
"""


def timed(sql):
    t = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return (time.perf_counter() - t) * 1000, rows


results = {}
failures = []
for kind, (name, cols) in feeds.items():
    path = f"{out}/{name}.csv"
    src = f"read_csv('{path}', header = true, columns = {{{spec(cols)}}})"
    extra_sql = STATUS_SQL if kind == "civil_affairs" else CHANGES_SQL
    file_join, join, parquet_join = [], [], []
    for _ in range(runs):
        # The file read and joined (and, for the roll, the latest status per person).
        t = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TABLE feed AS SELECT * FROM {src}")
        m = con.execute(match_sql("feed")).fetchone()
        extra = con.execute(extra_sql.format(feed="feed")).fetchall()
        file_join.append((time.perf_counter() - t) * 1000)
        # The join alone.
        t = time.perf_counter()
        m2 = con.execute(match_sql("feed")).fetchone()
        con.execute(extra_sql.format(feed="feed")).fetchall()
        join.append((time.perf_counter() - t) * 1000)
        # From the files only: the feed's CSV against persons.parquet.
        t = time.perf_counter()
        con.execute(
            match_sql(src).replace("persons p", f"read_parquet('{out}/persons.parquet') p")
        ).fetchone()
        parquet_join.append((time.perf_counter() - t) * 1000)
        assert m == m2
    matched, unmatched, persons = m
    zr = z["feeds"][kind]["report"]
    for what, mine, theirs in [("matched", matched, zr["matched"]),
                               ("unmatched", unmatched, zr["unmatched"]),
                               ("received", matched + unmatched, zr["received"])]:
        if mine != theirs:
            failures.append(f"{kind} {what}: DuckDB {mine}, zhucan {theirs}")
    detail = {k: v for k, v in extra}
    if kind == "civil_affairs":
        zs = z["feeds"][kind]["statuses_at_2025_12_01"]
        # Persons of the roll whose only rows start after 2025-12-01 have no status from it.
        zs_in_force = {k: v for k, v in zs.items() if not k.startswith("(")}
        if zs_in_force != detail:
            failures.append(f"roll statuses at 2025-12-01: DuckDB {detail}, zhucan {zs}")
    results[kind] = {
        "rows": matched + unmatched,
        "matched": matched,
        "unmatched": unmatched,
        "persons_matched": persons,
        "detail": detail,
        "file_join": stats(file_join),
        "join": stats(join),
        "parquet_join": stats(parquet_join),
    }
    print(
        f"DuckDB {kind}: {matched} matched, {unmatched} unmatched ({persons} persons); "
        f"read + join median {stats(file_join)['median_ms']:.1f} ms, join alone "
        f"{stats(join)['median_ms']:.1f} ms, CSV × Parquet {stats(parquet_join)['median_ms']:.1f} ms; {detail}"
    )

doc = {
    "duckdb": version,
    "threads": threads,
    "persons": counts["persons"],
    "load_persons_ms": load_ms,
    "feeds": results,
    "failures": failures,
}
json.dump(doc, open(f"{out}/duckdb.json", "w", encoding="utf-8"), indent=2, ensure_ascii=False)
print(f"DuckDB {version}, {threads} threads: persons.csv loaded in {load_ms:.0f} ms")
if failures:
    for f in failures:
        print("MISMATCH:", f)
    sys.exit(1)
print("counts equal: matched, unmatched, received and the roll's statuses at 2025-12-01")
