#!/usr/bin/env bash
# Durable ingest, side by side in one run (issue 16 §3): the sqlite3 command-line shell writing
# 1,000,000 readings as a row each in 1,000-row transactions (WAL, synchronous=FULL), with 200-byte and
# with 64-byte bodies, into the row-per-reading layout the buffer used up to schema 2 (the table and
# its eviction index) and into a bare table without the index (the fastest a row per reading gets);
# then BufferIngestBenchmark (the gateway's buffer, synchronous=FULL, default group commit, readings
# packed into segments since schema 3) with both stored forms: JSON objects (~200 bytes) and records
# (~64 bytes). Prints one JSON line with the rates and the ratios ("over_cli_*": to the indexed layout,
# "over_bare_cli_*": to the bare table). The databases go to $BENCH_DIR
# (default: the system temp directory); put it on the disk under test.
# Needs sqlite3 (apt-get install sqlite3), python3 and the built benchmarks jar:
#   ./mvnw -B -q -pl benchmarks -am package -DskipTests && benchmarks/ingest-vs-sqlite3.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/meterlink-ingest-XXXXXX")
trap 'rm -rf "$dir"' EXIT
rows=1000000
per_tx=1000

# the CLI: one script of 1,000 transactions, each inserting 1,000 rows made by a recursive CTE, with
# bodies of $1 bytes, with the eviction index unless $2 is "bare"; prints rows/s
cli_rate() {
  local size=$1 db="$dir/cli-$1.db"
  {
    echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    echo "CREATE TABLE readings(seq INTEGER PRIMARY KEY, priority INTEGER NOT NULL, accepted_at INTEGER NOT NULL, size INTEGER NOT NULL, body BLOB NOT NULL, crc INTEGER);"
    [ "${2:-}" = bare ] || echo "CREATE INDEX readings_eviction ON readings(priority, seq, size);"
    for ((t = 0; t < rows / per_tx; t++)); do
      echo "BEGIN IMMEDIATE; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $per_tx)"
      echo "INSERT INTO readings(priority, accepted_at, size, body, crc) SELECT 1, 1795680000000 + i, $size, randomblob($size), i FROM n; COMMIT;"
    done
  } > "$dir/cli-$size.sql"
  local start end count
  start=$(date +%s.%N)
  sqlite3 "$db" < "$dir/cli-$size.sql" > /dev/null
  end=$(date +%s.%N)
  count=$(sqlite3 "$db" "SELECT count(*) FROM readings;")
  [ "$count" = "$rows" ] || { echo "sqlite3 stored $count of $rows rows" >&2; exit 3; }
  python3 -c "print(round($count / ($end - $start)))"
  rm -f "$db" "$db-wal" "$db-shm" "$dir/cli-$size.sql"
}
# 200 bytes: the JSON bodies of BufferIngestBenchmark; 64 bytes: about its readings' records (stored=records)
cli_json=$(cli_rate 200)
cli_records=$(cli_rate 64)
bare_json=$(cli_rate 200 bare)
bare_records=$(cli_rate 64 bare)

java -jar "$root/benchmarks/target/benchmarks.jar" BufferIngestBenchmark -wi 1 -i 3 -f 1 \
  -jvmArgsAppend "-Dbench.dir=$dir" -rf json -rff "$dir/jmh.json" > "$dir/jmh.txt" 2>&1 \
  || { tail -20 "$dir/jmh.txt" >&2; exit 3; }
python3 - "$dir/jmh.json" "$cli_json" "$cli_records" "$bare_json" "$bare_records" <<'PY'
import json, os, sys
scores = {r["params"]["stored"]: r["primaryMetric"] for r in json.load(open(sys.argv[1]))}
cli = {"json": int(sys.argv[2]), "records": int(sys.argv[3])}
bare = {"json": int(sys.argv[4]), "records": int(sys.argv[5])}
out = {"sqlite3_cli_rows_per_s_200_byte_bodies": cli["json"], "sqlite3_cli_rows_per_s_64_byte_bodies": cli["records"],
       "sqlite3_bare_cli_rows_per_s_200_byte_bodies": bare["json"], "sqlite3_bare_cli_rows_per_s_64_byte_bodies": bare["records"]}
for stored, m in sorted(scores.items()):
    out["buffer_" + stored + "_readings_per_s"] = round(m["score"])
    out["buffer_" + stored + "_error"] = round(m["scoreError"])
    out["buffer_" + stored + "_over_cli_200_byte"] = round(m["score"] / cli["json"], 2)
    out["buffer_" + stored + "_over_cli_same_size"] = round(m["score"] / cli[stored], 2)
    out["buffer_" + stored + "_over_bare_cli_same_size"] = round(m["score"] / bare[stored], 2)
out["load_avg_1m"] = os.getloadavg()[0]
print(json.dumps(out))
PY
