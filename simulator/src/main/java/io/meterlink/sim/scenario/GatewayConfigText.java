package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.keys.BufferKeys;
import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.config.ConfigYaml;
import io.meterlink.sim.config.GatewayFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;

/** The gateway's configuration file for a scenario run, written through {@link GatewayFile}. Not thread-safe. */
final class GatewayConfigText {
    /** The wired M-Bus answer timeout the gateway is given ({@code timeout_ms}); a later answer may be given up on. */
    static final Duration MBUS_TIMEOUT = Duration.ofMillis(1000);
    /** The ert driver's stall timeout in scenarios (shorter than the default, so a stall shows within a run). */
    static final Duration ERT_STALL_TIMEOUT = Duration.ofSeconds(3);
    /** The pulse inputs' debounce, below the simulator's 30 ms S0 pulses and pauses. */
    static final Duration PULSE_DEBOUNCE = Duration.ofMillis(15);
    /** One CoAP request's answer in scenarios (shorter than the driver's default). */
    static final Duration COAP_TIMEOUT = Duration.ofSeconds(5);
    private final List<Consumer<GatewayFile>> sources = new ArrayList<>();

    /** A wired M-Bus line over TCP. */
    void mbusTcp(String name, int port, Duration interval, List<Integer> addresses) {
        sources.add(f -> f.mbusTcp(name, "127.0.0.1", port, interval, interval, (int) MBUS_TIMEOUT.toMillis(), addresses));
    }

    /** A wired M-Bus line over a serial device (a pty here). */
    void mbusSerial(String name, Path device, int baud, Duration interval, List<Integer> addresses) {
        sources.add(f -> f.mbusSerial(name, device, baud, interval, (int) MBUS_TIMEOUT.toMillis(), addresses));
    }

    /** A wireless M-Bus dongle reached over TCP, with the meters' keys (a secret: the file is 0600). */
    void wmbusTcp(String name, int port, String dongle, List<String[]> meterIdAndKey) {
        sources.add(f -> f.wmbusTcp(name, port, dongle, meterIdAndKey));
    }

    /** An rtl_tcp server of 900 MHz meters, read by the {@code ert} driver (default multipliers, 3 s stall timeout). */
    void ertTcp(String name, int port, Duration interval, List<String> protocols) {
        sources.add(f -> f.ertTcp(name, port, interval, ERT_STALL_TIMEOUT, protocols));
    }

    /** A pushing electricity meter (p1, sml) on a serial device; {@code keyHex}/{@code authKeyHex} for encrypted P1 (secrets: the file is 0600). */
    void push(String name, String driver, Path device, int baud, Duration interval, String keyHex, String authKeyHex) {
        sources.add(f -> f.push(name, driver, device, baud, interval, keyHex, authKeyHex));
    }

    /** IEC 62056-21 meters polled by address on a serial device. */
    void iec62056(String name, Path device, Duration interval, List<String> addresses) {
        sources.add(f -> f.iec62056(name, device, interval, addresses));
    }

    /** S0 pulse inputs on Pi4J's mock provider, each driven by a simulator pulse generator on {@code ports}. */
    void pulse(String name, Duration interval, List<Integer> ports) {
        sources.add(f -> f.pulseMock(name, interval, PULSE_DEBOUNCE, ports));
    }

    /** CoAP meters observed on loopback ports ({@code id} → port), notifying every {@code interval}. */
    void coap(String name, Duration interval, List<Map.Entry<String, Integer>> meters) {
        Duration reregister = Duration.ofMillis(Math.max(2000, interval.toMillis() * 3));
        sources.add(f -> f.coapObserve(name, COAP_TIMEOUT, interval, reregister, Duration.ZERO, meters));
    }

    /**
     * A Modbus line: RTU on a serial device ({@code device} set) or Modbus TCP to 127.0.0.1:{@code port};
     * each meter as {unit, profile, id}. The driver's default response timeout: a shorter one loses
     * answers a loaded CI machine delivers late.
     */
    void modbus(String name, Path device, int port, Duration interval, List<String[]> meters) {
        sources.add(f -> f.modbus(name, device, port, interval, 1000, 2, meters));
    }

    /** The {@code sources:} entries (a list of mappings indented by two), as in the file. */
    String sourcesYaml() {
        GatewayFile f = new GatewayFile("sources-only", Path.of("."));
        sources.forEach(s -> s.accept(f));
        String text = f.text();
        int at = text.indexOf("\nsources:\n");
        if (at < 0) return "";
        String rest = text.substring(at + "\nsources:\n".length());
        // up to the next top-level key, if any
        java.util.regex.Matcher next = java.util.regex.Pattern.compile("(?m)^\\S").matcher(rest);
        return next.find() ? rest.substring(0, next.start()) : rest;
    }

    /** The whole file; {@code uplinkAuthYaml}: the broker's authentication lines ({@link GatewayFile#tlsLines}). */
    String text(String gatewayId, Path stateDir, ScenarioSpec.GatewaySpec g, String url, String uplinkAuthYaml) {
        GatewayFile f = new GatewayFile(gatewayId, stateDir).bufferPath(stateDir.resolve("buffer.db"));
        if (g.bufferMaxBytes() > 0) f.buffer(BufferKeys.MAX_BYTES, g.bufferMaxBytes());
        f.uplink(UplinkKeys.URL, url).uplinkLines(uplinkAuthYaml)
                .uplink(UplinkKeys.BACKOFF_MIN, Duration.ofMillis(100))
                .uplink(UplinkKeys.BACKOFF_MAX, Duration.ofSeconds(2))
                .uplink(UplinkKeys.STATUS_INTERVAL, Duration.ofSeconds(2));
        if (g.batchMaxReadings() > 0) f.uplink(UplinkKeys.BATCH_MAX_READINGS, g.batchMaxReadings());
        if (g.backlogMaxRate() > 0) f.uplink(UplinkKeys.BACKLOG_MAX_RATE, g.backlogMaxRate());
        if (!"json".equals(g.payload())) f.uplink(UplinkKeys.PAYLOAD, g.payload());
        sources.forEach(s -> s.accept(f));
        return "# generated by io.meterlink.sim.scenario\n" + f.text();
    }

    /** A path as a YAML scalar. */
    static String quote(Path p) {
        return ConfigYaml.quote(p.toAbsolutePath().toString());
    }
}
