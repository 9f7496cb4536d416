#!/usr/bin/env bash
# Benchmark (not a test): import a ~1,000,000-row registry workbook with zhucan, next to the
# time pandas.read_excel (openpyxl) needs merely to read the same file, in the same run.
#   bench/import-vs-pandas.sh            # ~1 000 000 rows (≈ 390 000 persons × their survey years)
#   PERSONS=40000 bench/import-vs-pandas.sh   # a quick run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PERSONS="${PERSONS:-390000}"
W=target/bench
mkdir -p "$W"
cargo build --release --quiet
Z=target/release/zhucan

if [ ! -x "$W/venv/bin/python" ]; then
  python3 -m venv "$W/venv"
  "$W/venv/bin/pip" install --quiet pandas openpyxl
fi

ms() { date +%s%3N; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"

# 1. The workbook: a demo district of $PERSONS persons, exported.
rm -f "$W"/src.db*
t0=$(ms); "$Z" demo --persons "$PERSONS" --database-url "sqlite://$W/src.db" 2>/dev/null; t1=$(ms)
echo "zhucan demo --persons $PERSONS: $(( t1 - t0 )) ms"
t0=$(ms); "$Z" export "$W/registry.xlsx" --database-url "sqlite://$W/src.db" >/dev/null; t1=$(ms)
echo "zhucan export: $(( t1 - t0 )) ms, $(du -h "$W/registry.xlsx" | cut -f1)"

# 2. zhucan import (parse, validate, store) into an empty database.
rm -f "$W"/dst.db*
t0=$(ms); "$Z" import "$W/registry.xlsx" --database-url "sqlite://$W/dst.db" >"$W/import.out" 2>/dev/null || true; t1=$(ms)
zt=$(( t1 - t0 ))
rows=$("$W/venv/bin/python" - "$W/import.out" <<'PY'
import re, sys
m = re.search(r"人员行 (\d+) 行", open(sys.argv[1], encoding="utf-8").read())
print(m.group(1) if m else 0)
PY
)
echo "zhucan import: $rows person rows in $zt ms = $(( rows * 1000 / (zt > 0 ? zt : 1) )) rows/s"

# 3. pandas.read_excel with openpyxl: only reading the same sheet into a DataFrame.
pt=$("$W/venv/bin/python" - "$W/registry.xlsx" <<'PY'
import sys, time
import pandas as pd
t = time.time()
df = pd.read_excel(sys.argv[1], sheet_name="人员", header=1, engine="openpyxl", dtype=str)
print(int((time.time() - t) * 1000), len(df), file=sys.stdout)
PY
)
pms=${pt%% *}; prow=${pt##* }
echo "pandas.read_excel (openpyxl), read only: $prow rows in $pms ms"
echo "ratio zhucan import / pandas read: $(awk -v a="$zt" -v b="$pms" 'BEGIN { printf "%.3f", a / b }')"
