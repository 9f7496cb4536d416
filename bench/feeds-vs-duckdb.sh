#!/usr/bin/env bash
# Benchmark (not a test): the partner feeds of issue 13 — a civil-affairs roll of PERSONS / 5
# rows and a public-security list of PERSONS / 50 changes — applied by zhucan (each timed, with
# the first indicator and audit computation after it next to the same before the feeds), next to
# DuckDB joining the same files to the same persons, in the same run; checks that the matched
# counts agree and prints the ratios.
#   bench/feeds-vs-duckdb.sh                  # 1 000 000 persons (the demo takes ~3 min)
#   PERSONS=100000 bench/feeds-vs-duckdb.sh   # a quick run
#   KEEP_DB=1 …                               # reuse target/bench/feeds-$PERSONS.db if present
# The feeds are applied to a copy of the demo database (the demo itself stays without them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PERSONS="${PERSONS:-1000000}"
RUNS="${RUNS:-10}"
DUCK_RUNS="${DUCK_RUNS:-10}"
# shellcheck source=bench/common.sh
. bench/common.sh
OUT="$W/feeds-$PERSONS"
DB="$W/feeds-$PERSONS.db"
RUN_DB="$W/feeds-$PERSONS-run.db"
mkdir -p "$OUT"
bench_setup feeds_bench

# 1. A demo district of $PERSONS persons in SQLite, and a copy to apply the feeds to.
demo_db "$DB" "$PERSONS"
rm -f "$RUN_DB" "$RUN_DB"-wal "$RUN_DB"-shm
cp "$DB" "$RUN_DB"
[ -f "$DB"-wal ] && cp "$DB"-wal "$RUN_DB"-wal

# 2. zhucan: the files, warm computations before, each feed applied and the computations after,
#    the roll re-sent (writes zhucan.json and the CSV files).
target/release/examples/feeds_bench "sqlite://$RUN_DB" "$OUT" "$RUNS"

# 3. DuckDB: the same files joined to the same persons; checks the counts (writes duckdb.json).
"$W/venv/bin/python" bench/feeds_duckdb.py "$OUT" "$DUCK_RUNS"

"$W/venv/bin/python" - "$OUT" <<'PY'
import json, sys
z = json.load(open(f"{sys.argv[1]}/zhucan.json"))
d = json.load(open(f"{sys.argv[1]}/duckdb.json"))
before = z["timings"]["before"]["total"]["median_ms"]
for kind in ("civil_affairs", "public_security"):
    f, j = z["feeds"][kind], d["feeds"][kind]
    a, dj = f["apply_ms"], j["file_join"]["median_ms"]
    first, warm = f["first_after"]["total_ms"], f["warm_after"]["total"]["median_ms"]
    print(f"{kind}: apply {a:.0f} ms / DuckDB read + join {dj:.0f} ms = {a / dj:.2f} "
          f"(join alone {j['join']['median_ms']:.0f} ms: {a / j['join']['median_ms']:.1f}); "
          f"first computation after {first:.0f} ms, warm after {warm:.0f} ms, before {before:.0f} ms "
          f"(first / before = {first / before:.2f}, warm / before = {warm / before:.2f})")
r = z["roll_again"]
print(f"roll re-sent: {r['apply_ms']:.0f} ms, {r['report']['changed']} changed, "
      f"{r['report']['unchanged']} unchanged")
PY
