# What the DuckDB benchmark scripts share (sourced, not run).
W=target/bench
Z=target/release/zhucan

ms() { date +%s%3N; }

# Builds zhucan and the example $1, makes the Python venv with DuckDB, prints the machine.
bench_setup() {
  mkdir -p "$W"
  cargo build --release --quiet -p zhucan --bin zhucan --example "$1"
  if [ ! -x "$W/venv/bin/python" ]; then
    python3 -m venv "$W/venv"
  fi
  "$W/venv/bin/python" -c 'import duckdb' 2>/dev/null || "$W/venv/bin/pip" install --quiet duckdb
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"
}

# A demo district of $2 persons in the SQLite file $1 (kept when KEEP_DB is set and it exists).
demo_db() {
  if [ -z "${KEEP_DB:-}" ] || [ ! -f "$1" ]; then
    rm -f "$1" "$1"-wal "$1"-shm
    local t0 t1
    t0=$(ms); "$Z" demo --persons "$2" --database-url "sqlite://$1" 2>/dev/null; t1=$(ms)
    echo "zhucan demo --persons $2: $(( t1 - t0 )) ms"
  fi
}

# The ratio of zhucan's warm total to DuckDB's query time, from OUT_DIR $1's JSON files.
print_ratio() {
  "$W/venv/bin/python" - "$1" <<'PY'
import json, sys
z = json.load(open(f"{sys.argv[1]}/zhucan.json"))["timings"]["warm_total"]
d = json.load(open(f"{sys.argv[1]}/duckdb.json"))["query"]
print(f"ratio zhucan / DuckDB (median): {z['median_ms']:.2f} ms / {d['median_ms']:.1f} ms = "
      f"{z['median_ms'] / d['median_ms']:.3f}; (min): {z['min_ms']:.2f} / {d['min_ms']:.1f} = "
      f"{z['min_ms'] / d['min_ms']:.3f}")
PY
}
