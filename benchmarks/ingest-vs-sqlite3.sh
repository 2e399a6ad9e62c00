#!/usr/bin/env bash
# Durable ingest, side by side in one run (issue 16 §3): the sqlite3 command-line shell writing
# 1,000,000 rows of ~200-byte bodies into the buffer's own table layout in 1,000-row transactions
# (WAL, synchronous=FULL), then BufferIngestBenchmark (the gateway's buffer, synchronous=FULL, default
# group commit). Prints one JSON line with both rates and their ratio. The databases go to $BENCH_DIR
# (default: the system temp directory); put it on the disk under test.
# Needs sqlite3 (apt-get install sqlite3), python3 and the built benchmarks jar:
#   ./mvnw -B -q -pl benchmarks -am package -DskipTests && benchmarks/ingest-vs-sqlite3.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/meterlink-ingest-XXXXXX")
trap 'rm -rf "$dir"' EXIT
rows=1000000
per_tx=1000

# the CLI: one script of 1,000 transactions, each inserting 1,000 rows made by a recursive CTE
{
  echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
  echo "CREATE TABLE readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL, accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL, crc INTEGER);"
  echo "CREATE INDEX readings_eviction ON readings(priority, seq, size);"
  for ((t = 0; t < rows / per_tx; t++)); do
    echo "BEGIN IMMEDIATE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $per_tx)"
    echo "INSERT INTO readings(priority, accepted_at, size, body, crc) SELECT 1, 1795680000000 + i, 200, randomblob(200), i FROM n; COMMIT;"
  done
} > "$dir/cli.sql"
start=$(date +%s.%N)
sqlite3 "$dir/cli.db" < "$dir/cli.sql" > /dev/null
end=$(date +%s.%N)
count=$(sqlite3 "$dir/cli.db" "SELECT count(*) FROM readings;")
cli=$(python3 -c "print(round($count / ($end - $start)))")

java -jar "$root/benchmarks/target/benchmarks.jar" BufferIngestBenchmark -wi 1 -i 3 -f 1 \
  -jvmArgsAppend "-Dbench.dir=$dir" -rf json -rff "$dir/jmh.json" > "$dir/jmh.txt" 2>&1 \
  || { tail -20 "$dir/jmh.txt" >&2; exit 3; }
python3 - "$dir/jmh.json" "$cli" "$count" <<'PY'
import json, os, sys
score = json.load(open(sys.argv[1]))[0]["primaryMetric"]
cli = int(sys.argv[2])
print(json.dumps({"sqlite3_cli_rows_per_s": cli, "sqlite3_cli_rows": int(sys.argv[3]),
                  "buffer_readings_per_s": round(score["score"]), "buffer_error": round(score["scoreError"]),
                  "buffer_over_cli": round(score["score"] / cli, 2), "load_avg_1m": os.getloadavg()[0]}))
PY
