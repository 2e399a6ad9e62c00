#!/usr/bin/env bash
# Zero-touch first boot, timed: service start -> first reading acknowledged by the broker, for a
# gateway that has nothing but the image's claim file (no key, no certificate). Runs the blocks of
# docs/deploy.md as written (CA, Mosquitto with mTLS/ACL/CRL, head-end subscriber, the hand-made
# gateway, the provisioning service, the claim files) and times the claim gateway's `run`: from
# launching the JVM to its first readings batch at the head-end subscriber (the broker forwards a
# QoS 1 message to subscribers before it acknowledges it to the publisher, within a millisecond here).
# Prints one JSON line. As root; needs mosquitto, mosquitto-clients, openssl, jq and the built jars.
# Usage: benchmarks/first-boot-time.sh [--arm64]   (--arm64: every JVM is Debian's arm64 OpenJDK
# under qemu-user, as .ci/arm-demo installs it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/meterlink-first-boot-XXXXXX)
chmod 0755 "$work"
arch=$(uname -m)
if [ "${1:-}" = --arm64 ]; then
  mkdir "$work/bin"
  printf '#!/bin/sh\nexec qemu-aarch64-static -L / /usr/lib/jvm/java-17-openjdk-arm64/bin/java "$@"\n' > "$work/bin/java"
  chmod +x "$work/bin/java"
  export PATH="$work/bin:$PATH"
  arch=aarch64-emulated
fi
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
export BROKER_HOST=localhost BROKER_PORT=$(free_port) METERS_PORT=$(free_port) METERS_PORT_2=$(free_port)
# copies: a build running meanwhile must not swap a jar under a running JVM
cp "$root/distribution/target/meterlink.jar" "$root/simulator/target/meterlink-sim.jar" "$work/"
export METERLINK_JAR="$work/meterlink.jar" METERLINK_SIM_JAR="$work/meterlink-sim.jar"

# the guide's blocks, one file each
awk -v dir="$work" '/^```sh deploy-test$/ {n++; f=sprintf("%s/block-%02d.sh", dir, n); next}
                    /^```/ {f=""; next}
                    f != "" {print > f}' "$root/docs/deploy.md"
claim_block=$(grep -l -- '--claim-config etc/claim.yaml' "$work"/block-*.sh)
stop_block=$(ls "$work"/block-*.sh | tail -n 1)

cd "$work"
# the subscriber of the guide gives up after 10 minutes; an emulated run on a busy machine may need longer
sed -i 's/ -W 600 / -W 3600 /' "$work"/block-*.sh
{
  echo 'set -euo pipefail'
  for b in "$work"/block-*.sh; do
    if [ "$b" = "$claim_block" ]; then
      echo 'date +%s%N > "$TRIAL/start-ns"'
      cat "$b"
      echo 'until grep -q "\"gw\":\"gw-0002\",\"batch\"" "$TRIAL/headend/messages.txt"; do sleep 0.05; done'
      echo 'date +%s%N > "$TRIAL/ack-ns"'
      cat "$stop_block"
      break
    fi
    cat "$b"
  done
} > run.sh
timeout 3000 bash run.sh > run.log 2>&1 || { tail -n 40 run.log >&2; exit 1; }
ms=$(( ($(cat ack-ns) - $(cat start-ns)) / 1000000 ))
printf '{"arch":"%s","start_to_first_ack_ms":%d}\n' "$arch" "$ms"
[ -n "${KEEP:-}" ] && echo "kept $work" >&2 || { cd / && rm -rf "$work"; }
