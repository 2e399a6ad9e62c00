#!/bin/sh
# cds-archive.sh JAR JAVA: the class data sharing files of the package build (docs/packaging.md, "Memory").
#  1. a training run: `meterlink run` of JAR on a throwaway configuration (a buffer, an M-Bus TCP line and
#     a TLS uplink that both refuse the connection) until its buffer is open and a few polls and connection
#     attempts went by, then SIGTERM, with -XX:DumpLoadedClassList: every class the gateway loads to start,
#     open the buffer, poll, build its TLS context and stop, in load order -> meterlink.classlist (text,
#     the same on every platform: the package ships it and its postinst makes the archive from it for the
#     Java installed);
#  2. a static archive of those classes for this Java and this jar path -> meterlink.jsa next to JAR
#     (used by runs of the build's jar: the simulator's scenarios and benchmarks);
#  3. a check that this Java maps the archive (-Xshare:on fails otherwise): a broken archive fails the build.
# Java 17 binds an archive to the exact Java build and to the jar's path, size and time, so the archive is
# made where it runs; -Xshare:auto in the launcher makes any mismatch cost start-up time only.
set -eu
jar=$1
java=$2
dir=$(dirname "$jar")
base=${jar%.jar}
work="$dir/cds-training"
rm -rf "$work" "$base.classlist" "$base.jsa"
mkdir -p "$work/tls"
if command -v openssl >/dev/null 2>&1; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=cds-training \
        -keyout "$work/tls/gateway.key" -out "$work/tls/gateway.pem" >/dev/null 2>&1
    chmod 600 "$work/tls/gateway.key"
    cp "$work/tls/gateway.pem" "$work/tls/ca.pem"
    uplink="  url: ssl://127.0.0.1:9
  tls:
    ca_file: tls/ca.pem
    cert_file: tls/gateway.pem
    key_file: tls/gateway.key"
else
    uplink="  url: tcp://127.0.0.1:9
  allow_insecure: true"
fi
cat > "$work/meterlink.yaml" <<EOF
# the package build's training run (cds-archive.sh): nothing listens on port 9
gateway_id: cds-training
state_dir: state
uplink:
$uplink
  backoff_min: 100ms
  backoff_max: 500ms
sources:
  - name: wired
    driver: mbus
    transport: tcp
    host: 127.0.0.1
    tcp_port: 9
    poll_interval: 1s
    meters:
      - address: 1
EOF
"$java" -Xshare:auto -XX:DumpLoadedClassList="$base.classlist" -Xmx64m -XX:+UseSerialGC \
    -jar "$jar" run --config "$work/meterlink.yaml" >"$work/run.log" 2>&1 &
pid=$!
# until the buffer is open, then 3 s of polls and connection attempts; at most 120 s on a slow machine
i=0
while [ $i -lt 120 ] && kill -0 $pid 2>/dev/null && ! grep -q "Buffer .* open" "$work/run.log"; do
    sleep 1
    i=$((i + 1))
done
sleep 3
kill -TERM $pid 2>/dev/null || true
wait $pid || true
if ! grep -q "Buffer .* open" "$work/run.log"; then
    echo "cds-archive.sh: the training run did not open its buffer:" >&2
    cat "$work/run.log" >&2
    exit 1
fi
"$java" -Xshare:dump -XX:SharedClassListFile="$base.classlist" -XX:SharedArchiveFile="$base.jsa" \
    -Xlog:disable -Xlog:cds=error:stderr -cp "$jar" >"$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; exit 1; }
"$java" -Xshare:on -XX:SharedArchiveFile="$base.jsa" -jar "$jar" --version >"$work/check.log" 2>&1 \
    || { echo "cds-archive.sh: $java cannot map $base.jsa:" >&2; cat "$work/check.log" >&2; exit 1; }
echo "cds-archive.sh: $(grep -c . "$base.classlist") classes in $base.classlist, archive $base.jsa ($(wc -c <"$base.jsa") bytes)"
rm -rf "$work"
