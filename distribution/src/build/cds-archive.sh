#!/bin/sh
# cds-archive.sh JAR JAVA: the class data sharing files of the package build (docs/packaging.md, "Memory").
#  1. a training run: `meterlink run` of JAR on a throwaway configuration (a buffer, an M-Bus TCP line that
#     refuses the connection and a TLS uplink to `openssl s_server`, which completes the mutual-TLS handshake
#     and answers the MQTT CONNECT with a CONNACK; without openssl the uplink is refused too) until its buffer
#     is open and a few polls and connection attempts went by, then SIGTERM, with -XX:DumpLoadedClassList:
#     every class the gateway loads to start, open the buffer, poll, connect, publish its status and stop,
#     in load order -> meterlink.classlist (text,
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
pid=
peer=
port=9
# whatever ends the script, nothing it started outlives it
trap 'kill ${pid:-} ${peer:-} 2>/dev/null || true' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
# one self-signed certificate is the CA, the peer's and the gateway's (its address is the peer's name);
# -addext needs OpenSSL 1.1.1: an older one, or none, trains with a plaintext uplink that is refused
if command -v openssl >/dev/null 2>&1 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=cds-training -addext "subjectAltName=IP:127.0.0.1" \
        -keyout "$work/tls/gateway.key" -out "$work/tls/gateway.pem" >/dev/null 2>&1; then
    chmod 600 "$work/tls/gateway.key"
    cp "$work/tls/gateway.pem" "$work/tls/ca.pem"
    # the peer: mutual TLS on a free port; it sends its client what it reads on stdin, a pipe held open on
    # fd 3 for the whole run (the peer inherits that fd too, so it never sees an end of input)
    mkfifo "$work/peer.in"
    exec 3<> "$work/peer.in"
    openssl s_server -accept 127.0.0.1:0 -naccept 1 -cert "$work/tls/gateway.pem" -key "$work/tls/gateway.key" \
        -CAfile "$work/tls/ca.pem" -Verify 1 < "$work/peer.in" > "$work/peer.log" 2>&1 &
    peer=$!
    i=0
    while [ $i -lt 50 ] && ! grep -q "^ACCEPT" "$work/peer.log" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$work/peer.log" | head -1)
    if [ -z "$port" ]; then
        echo "cds-archive.sh: openssl s_server did not start; training without a TLS peer" >&2
        kill "$peer" 2>/dev/null || true
        peer=
        port=9
    else
        # an MQTT 5 CONNACK (success, no properties): the peer reads it once it has its client, after the
        # handshake, and sends it; written now, so that a slow buffer open cannot make it late
        printf ' \003\000\000\000' >&3
    fi
    uplink="  url: ssl://127.0.0.1:$port
  tls:
    ca_file: tls/ca.pem
    cert_file: tls/gateway.pem
    key_file: tls/gateway.key"
else
    uplink="  url: tcp://127.0.0.1:9
  allow_insecure: true"
fi
cat > "$work/meterlink.yaml" <<EOF
# the package build's training run (cds-archive.sh): nothing listens on port 9; the uplink's peer is openssl s_server
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
if [ -n "$peer" ]; then
    # until the gateway says it is connected (at most 10 s)
    i=0
    while [ $i -lt 100 ] && kill -0 $pid 2>/dev/null && ! grep -q "uplink connected" "$work/run.log"; do
        sleep 0.1
        i=$((i + 1))
    done
fi
sleep 3
kill -TERM $pid 2>/dev/null || true
wait $pid || true
pid=
if [ -n "$peer" ]; then
    kill "$peer" 2>/dev/null || true
    wait "$peer" 2>/dev/null || true
    peer=
    grep -q "uplink connected" "$work/run.log" || echo "cds-archive.sh: the training uplink did not connect to its TLS peer (the archive lacks the handshake's classes)" >&2
fi
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
