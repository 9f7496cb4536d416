#!/usr/bin/env bash
# Benchmark (not a test): the 应补尽补 audit and the monthly payroll of the two subsidies over
# the whole district, computed by zhucan (warm, freshness check included), next to DuckDB
# computing the same findings and payroll lines from the same facts exported as CSV, in the
# same run; checks that every finding and every line agrees and prints the ratio.
#   bench/subsidies-vs-duckdb.sh                  # 1 000 000 persons (the demo takes ~3 min)
#   PERSONS=100000 bench/subsidies-vs-duckdb.sh   # a quick run
#   KEEP_DB=1 …                                   # reuse target/bench/sub-$PERSONS.db if present
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PERSONS="${PERSONS:-1000000}"
MONTH="${MONTH:-2025-12}"
RUNS="${RUNS:-20}"
DUCK_RUNS="${DUCK_RUNS:-10}"
W=target/bench
OUT="$W/subsidies-$PERSONS"
DB="$W/sub-$PERSONS.db"
mkdir -p "$W" "$OUT"
cargo build --release --quiet -p zhucan --bin zhucan --example subsidies_bench
Z=target/release/zhucan

if [ ! -x "$W/venv/bin/python" ]; then
  python3 -m venv "$W/venv"
fi
"$W/venv/bin/python" -c 'import duckdb' 2>/dev/null || "$W/venv/bin/pip" install --quiet duckdb

ms() { date +%s%3N; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"

# 1. A demo district of $PERSONS persons in SQLite.
if [ -z "${KEEP_DB:-}" ] || [ ! -f "$DB" ]; then
  rm -f "$DB" "$DB"-wal "$DB"-shm
  t0=$(ms); "$Z" demo --persons "$PERSONS" --database-url "sqlite://$DB" 2>/dev/null; t1=$(ms)
  echo "zhucan demo --persons $PERSONS: $(( t1 - t0 )) ms"
fi

# 2. zhucan: two closed months and late facts (once per database), CSV export, cold load, warm
#    audit + payroll (writes zhucan.json and the results).
target/release/examples/subsidies_bench "sqlite://$DB" "$OUT" "$MONTH" "$RUNS"

# 3. DuckDB from the CSV files; checks every result against zhucan's (writes duckdb.json).
"$W/venv/bin/python" bench/subsidies_duckdb.py "$OUT" "$DUCK_RUNS"

"$W/venv/bin/python" - "$OUT" <<'PY'
import json, sys
z = json.load(open(f"{sys.argv[1]}/zhucan.json"))["timings"]
d = json.load(open(f"{sys.argv[1]}/duckdb.json"))["query"]
zm, dm = z["warm_total"]["median_ms"], d["median_ms"]
print(f"ratio zhucan / DuckDB (median): {zm:.1f} ms / {dm:.0f} ms = {zm / dm:.3f}; "
      f"(min): {z['warm_total']['min_ms']:.1f} / {d['min_ms']:.0f} = {z['warm_total']['min_ms'] / d['min_ms']:.3f}")
PY
