#!/usr/bin/env bash
# Benchmark (not a test): the annual quota review (按比例就业年审) of 20 000 employers and 60 000
# listed disabled employees with their levies (就业保障金), computed by zhucan
# (`review_declaration`: parameters per area, the registry from the warm facts snapshot, the rules) next to
# DuckDB computing the same review from the same data exported as CSV, in the same run; checks
# that every employer's result and every employee line agrees and prints the ratio.
#   bench/employment-vs-duckdb.sh                  # 100 000 persons (the demo takes ~25 s)
#   PERSONS=200000 bench/employment-vs-duckdb.sh
#   KEEP_DB=1 …                                    # reuse target/bench/emp-$PERSONS.db if present
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PERSONS="${PERSONS:-100000}"
YEAR="${YEAR:-2025}"
RUNS="${RUNS:-20}"
DUCK_RUNS="${DUCK_RUNS:-10}"
EMPLOYERS="${EMPLOYERS:-20000}"
LINES="${LINES:-60000}"
# shellcheck source=bench/common.sh
. bench/common.sh
OUT="$W/employment-$PERSONS"
DB="$W/emp-$PERSONS.db"
mkdir -p "$OUT"
bench_setup employment_bench

# 1. A demo district of $PERSONS persons in SQLite.
demo_db "$DB" "$PERSONS"

# 2. zhucan: the area parameters (once per database), the registry and the synthetic
#    declaration as CSV, the review timed (writes zhucan.json and the results).
target/release/examples/employment_bench "sqlite://$DB" "$OUT" "$YEAR" "$RUNS" "$EMPLOYERS" "$LINES"

# 3. DuckDB from the CSV files; checks every result against zhucan's (writes duckdb.json).
"$W/venv/bin/python" bench/employment_duckdb.py "$OUT" "$DUCK_RUNS"

print_ratio "$OUT"
