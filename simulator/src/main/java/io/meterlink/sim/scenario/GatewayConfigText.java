package io.meterlink.sim.scenario;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds the gateway's configuration file for a scenario run. Not thread-safe. */
final class GatewayConfigText {
    /** The wired M-Bus answer timeout the gateway is given ({@code timeout_ms}); a later answer may be given up on. */
    static final java.time.Duration MBUS_TIMEOUT = java.time.Duration.ofMillis(1000);
    private final StringBuilder sources = new StringBuilder();

    /** A wired M-Bus line over TCP. */
    void mbusTcp(String name, int port, Duration interval, List<Integer> addresses) {
        head(name, interval);
        sources.append("    transport: tcp\n    host: 127.0.0.1\n    tcp_port: ").append(port).append('\n');
        sources.append("    timeout_ms: ").append(MBUS_TIMEOUT.toMillis()).append('\n');
        meters(addresses);
    }

    /** A wired M-Bus line over a serial device (a pty here). */
    void mbusSerial(String name, Path device, int baud, Duration interval, List<Integer> addresses) {
        head(name, interval);
        sources.append("    transport: serial\n    port: ").append(quote(device)).append('\n');
        sources.append("    baud: ").append(baud).append('\n');
        sources.append("    timeout_ms: ").append(MBUS_TIMEOUT.toMillis()).append('\n');
        meters(addresses);
    }

    /** A wireless M-Bus dongle reached over TCP, with the meters' keys (a secret: the file is 0600). */
    void wmbusTcp(String name, int port, String dongle, List<String[]> meterIdAndKey) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: wmbus\n    transport: tcp\n    host: 127.0.0.1\n    tcp_port: ").append(port).append('\n');
        sources.append("    dongle: ").append(dongle).append("\n    mode: t1\n    time_zone: UTC\n    accept_unknown: false\n");
        sources.append("    meters:\n");
        for (String[] m : meterIdAndKey) {
            sources.append("      - id: \"").append(m[0]).append("\"\n");
            if (m[1] != null) sources.append("        key: ").append(m[1]).append('\n');
        }
    }

    /** An rtl_tcp server of 900 MHz meters, read by the {@code ert} driver (default multipliers, 3 s stall timeout). */
    void ertTcp(String name, int port, Duration interval) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: ert\n    host: 127.0.0.1\n    tcp_port: ").append(port).append('\n');
        sources.append("    stall_timeout: 3s\n    expected_interval: ").append(interval.toMillis()).append("ms\n");
    }

    /** A pushing electricity meter (p1, sml) on a serial device; {@code keyHex}/{@code authKeyHex} for encrypted P1 (secrets: the file is 0600). */
    void push(String name, String driver, Path device, int baud, Duration interval, String keyHex, String authKeyHex) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: ").append(driver).append("\n    transport: serial\n    port: ").append(quote(device)).append('\n');
        sources.append("    baud: ").append(baud).append("\n    time_zone: UTC\n");
        sources.append("    expected_interval: ").append(interval.toMillis()).append("ms\n");
        if (keyHex != null) sources.append("    key: ").append(keyHex).append("\n    auth_key: ").append(authKeyHex).append('\n');
    }

    /** IEC 62056-21 meters polled by address on a serial device. */
    void iec62056(String name, Path device, Duration interval, List<String> addresses) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: iec62056-21\n    transport: serial\n    port: ").append(quote(device)).append('\n');
        sources.append("    time_zone: UTC\n    retries: 1\n");
        sources.append("    poll_interval: ").append(interval.toMillis()).append("ms\n");
        sources.append("    expected_interval: ").append(interval.toMillis()).append("ms\n");
        sources.append("    meters:\n");
        for (String a : addresses) sources.append("      - address: \"").append(a).append("\"\n");
    }

    /** S0 pulse inputs on Pi4J's mock provider, each driven by a simulator pulse generator on {@code ports}. */
    void pulse(String name, Duration interval, List<Integer> ports) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: pulse\n    provider: mock\n    interval: ").append(interval.toMillis()).append("ms\n");
        sources.append("    expected_interval: ").append(interval.toMillis()).append("ms\n    inputs:\n");
        for (int i = 0; i < ports.size(); i++) {
            sources.append("      - id: ").append(name).append('-').append(i).append("\n        pin: ").append(i + 4)
                    .append("\n        debounce: 15ms\n        pulses_per_unit: 1000\n        unit: kWh\n        wire: 127.0.0.1:")
                    .append(ports.get(i)).append('\n');
        }
    }

    /** CoAP meters observed on loopback ports ({@code id} → port), notifying every {@code interval}. */
    void coap(String name, Duration interval, List<Map.Entry<String, Integer>> meters) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: coap\n    timeout: 5s\n    expected_interval: ").append(interval.toMillis()).append("ms\n    meters:\n");
        for (Map.Entry<String, Integer> m : meters) {
            sources.append("      - id: ").append(m.getKey()).append("\n        uri: coap://127.0.0.1:").append(m.getValue())
                    .append("/meter\n        mode: observe\n        interval: ").append(interval.toMillis())
                    .append("ms\n        reregister_after: ").append(Math.max(2000, interval.toMillis() * 3)).append("ms\n        min_gap: 0s\n");
        }
    }

    private void head(String name, Duration interval) {
        sources.append("  - name: ").append(name).append('\n');
        sources.append("    driver: mbus\n");
        sources.append("    poll_interval: ").append(interval.toMillis()).append("ms\n");
        sources.append("    expected_interval: ").append(interval.toMillis()).append("ms\n");
    }

    private void meters(List<Integer> addresses) {
        sources.append("    meters:\n");
        for (int a : addresses) sources.append("      - address: ").append(a).append('\n');
    }

    /** The whole file. */
    String text(String gatewayId, Path stateDir, ScenarioSpec.GatewaySpec g, String url, String uplinkAuthYaml) {
        StringBuilder y = new StringBuilder("# generated by io.meterlink.sim.scenario\n");
        y.append("gateway_id: ").append(gatewayId).append('\n');
        y.append("state_dir: ").append(quote(stateDir)).append('\n');
        y.append("buffer:\n  path: ").append(quote(stateDir.resolve("buffer.db"))).append('\n');
        if (g.bufferMaxBytes() > 0) y.append("  max_bytes: ").append(g.bufferMaxBytes()).append('\n');
        y.append("uplink:\n  url: ").append(url).append('\n');
        y.append(uplinkAuthYaml);
        y.append("  backoff_min: 100ms\n  backoff_max: 2s\n  status_interval: 2s\n");
        if (g.batchMaxReadings() > 0) y.append("  batch_max_readings: ").append(g.batchMaxReadings()).append('\n');
        if (g.backlogMaxRate() > 0) y.append("  backlog_max_rate: ").append(g.backlogMaxRate()).append('\n');
        y.append("sources:\n").append(sources);
        return y.toString();
    }

    static String quote(Path p) {
        return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
