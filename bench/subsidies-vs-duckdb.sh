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
# shellcheck source=bench/common.sh
. bench/common.sh
OUT="$W/subsidies-$PERSONS"
DB="$W/sub-$PERSONS.db"
mkdir -p "$OUT"
bench_setup subsidies_bench

# 1. A demo district of $PERSONS persons in SQLite.
demo_db "$DB" "$PERSONS"

# 2. zhucan: two closed months and late facts (once per database), CSV export, cold load, warm
#    audit + payroll (writes zhucan.json and the results).
target/release/examples/subsidies_bench "sqlite://$DB" "$OUT" "$MONTH" "$RUNS"

# 3. DuckDB from the CSV files; checks every result against zhucan's (writes duckdb.json).
"$W/venv/bin/python" bench/subsidies_duckdb.py "$OUT" "$DUCK_RUNS"

print_ratio "$OUT"
