"""What the DuckDB sides of the benchmarks share: loading typed CSV files into in-memory
tables, timing statistics, and the end of a run (the results written, the comparison told)."""

import json
import statistics
import sys
import time


def load(con, out, tables):
    """Creates one table per entry of `tables` ({name: {column: type}}) from OUT/name.csv;
    returns (milliseconds, {name: rows})."""
    started = time.perf_counter()
    for name, cols in tables.items():
        spec = ", ".join(f"'{c}': '{ty}'" for c, ty in cols.items())
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{out}/{name}.csv', header = true, "
            f"columns = {{{spec}}})"
        )
    load_ms = (time.perf_counter() - started) * 1000
    counts = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in tables}
    return load_ms, counts


def stats(v):
    """Median, minimum and maximum of a list of milliseconds."""
    return {"runs": len(v), "median_ms": statistics.median(v), "min_ms": min(v), "max_ms": max(v)}


def finish(out, doc, summary, problems, agreed):
    """Writes OUT/duckdb.json, prints the summary lines, then either every difference (and
    exits 1) or `agreed`."""
    with open(f"{out}/duckdb.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
    for line in summary:
        print(line)
    if problems:
        print("DIFFERENT:")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print(agreed)
