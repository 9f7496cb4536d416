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
# shellcheck source=bench/common.sh
. bench/common.sh
OUT="$W/indicators-$PERSONS"
DB="$W/ind-$PERSONS.db"
mkdir -p "$OUT"
bench_setup indicators_bench

# 1. A demo district of $PERSONS persons in SQLite.
demo_db "$DB" "$PERSONS"

# 2. zhucan: cold load, CSV export, warm computations, a write, the trend (writes zhucan.json).
target/release/examples/indicators_bench "sqlite://$DB" "$OUT" "$AT" "$RUNS"

# 3. DuckDB from the CSV files; checks every number against zhucan.json (writes duckdb.json).
"$W/venv/bin/python" bench/indicators_duckdb.py "$OUT" "$DUCK_RUNS"

print_ratio "$OUT"
