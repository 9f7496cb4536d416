#!/usr/bin/env bash
# Benchmark (not a test): the 14 indicators for the district and each of its 19 townships at one
# date, computed live by zhucan (warm, freshness check included), next to DuckDB computing the
# same 14 × 20 numbers from the same facts exported as CSV, in the same run; checks that every
# numerator and denominator agrees and prints the ratio.
#   bench/indicators-vs-duckdb.sh                  # 1 000 000 persons (the demo takes ~3 min)
#   PERSONS=100000 bench/indicators-vs-duckdb.sh   # a quick run
#   KEEP_DB=1 …                                    # reuse target/bench/ind-$PERSONS.db if present
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PERSONS="${PERSONS:-1000000}"
AT="${AT:-2025-12-31}"
RUNS="${RUNS:-30}"
DUCK_RUNS="${DUCK_RUNS:-10}"
W=target/bench
OUT="$W/indicators-$PERSONS"
DB="$W/ind-$PERSONS.db"
mkdir -p "$W" "$OUT"
cargo build --release --quiet -p zhucan --bin zhucan --example indicators_bench
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

# 2. zhucan: cold load, CSV export, warm computations, a write, the trend (writes zhucan.json).
target/release/examples/indicators_bench "sqlite://$DB" "$OUT" "$AT" "$RUNS"

# 3. DuckDB from the CSV files; checks every number against zhucan.json (writes duckdb.json).
"$W/venv/bin/python" bench/indicators_duckdb.py "$OUT" "$DUCK_RUNS"

"$W/venv/bin/python" - "$OUT" <<'PY'
import json, sys
z = json.load(open(f"{sys.argv[1]}/zhucan.json"))["timings"]
d = json.load(open(f"{sys.argv[1]}/duckdb.json"))["query"]
zm, dm = z["warm_total"]["median_ms"], d["median_ms"]
print(f"ratio zhucan / DuckDB (median): {zm:.2f} ms / {dm:.1f} ms = {zm / dm:.3f}; "
      f"(min): {z['warm_total']['min_ms']:.2f} / {d['min_ms']:.1f} = {z['warm_total']['min_ms'] / d['min_ms']:.3f}")
PY
