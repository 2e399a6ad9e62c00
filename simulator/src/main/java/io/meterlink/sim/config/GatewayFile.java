package io.meterlink.sim.config;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.keys.BufferKeys;
import io.meterlink.core.api.config.keys.GatewayKeys;
import io.meterlink.core.api.config.keys.UplinkKeys;
import io.meterlink.core.config.ConfigYaml;
import io.meterlink.drivers.coap.CoapKeys;
import io.meterlink.drivers.ert.ErtKeys;
import io.meterlink.drivers.iec62056.Iec62056Keys;
import io.meterlink.drivers.mbus.MbusKeys;
import io.meterlink.drivers.modbus.ModbusKeys;
import io.meterlink.drivers.obis.StreamKeys;
import io.meterlink.drivers.p1.P1Keys;
import io.meterlink.drivers.pulse.PulseKeys;
import io.meterlink.drivers.transport.LineKeys;
import io.meterlink.drivers.wmbus.WmbusKeys;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The simulator's one writer of gateway configuration files (demo, scenarios, benchmarks, tests):
 * every key written through its declaration ({@link GatewayKeys}, {@link BufferKeys},
 * {@link UplinkKeys}, the drivers' keys), so a key's name, format and bounds are never repeated here.
 * The driver helpers write the sources the simulator's virtual meters serve. Not thread-safe.
 */
public final class GatewayFile {
    private final ConfigYaml root = new ConfigYaml();
    private final ConfigYaml buffer;
    private final ConfigYaml uplink;

    public GatewayFile(String gatewayId, Path stateDir) {
        root.set(GatewayKeys.GATEWAY_ID, gatewayId);
        root.set(GatewayKeys.STATE_DIR, stateDir);
        buffer = root.section(GatewayKeys.BUFFER);
        uplink = root.section(GatewayKeys.UPLINK);
    }

    public <T> GatewayFile buffer(ConfigKey<T> key, T value) {
        buffer.set(key, value);
        return this;
    }

    public GatewayFile bufferPath(Path path) {
        buffer.set(BufferKeys.PATH, path);
        return this;
    }

    public <T> GatewayFile uplink(ConfigKey<T> key, T value) {
        uplink.set(key, value);
        return this;
    }

    /**
     * A declared key of {@code group} ({@link BufferKeys#GROUP}, {@link UplinkKeys#GROUP}) by name, its value as
     * written ({@code "512KiB"}); an undeclared name is refused here rather than by the gateway.
     */
    public GatewayFile key(KeyGroup group, String name, String yamlValue) {
        ConfigKey<?> key = group.keys().stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(group.prefix() + "." + name + " is not a declared key"));
        ConfigYaml section = group == BufferKeys.GROUP ? buffer : group == UplinkKeys.GROUP ? uplink : root.section(group.prefix());
        if (key.name().contains(".")) throw new IllegalArgumentException(name + ": nested keys have their own methods");
        section.raw(key.local(), yamlValue);
        return this;
    }

    /** The pinned CA and, when given, the client certificate and key (PEM) for mutual TLS. */
    public GatewayFile tls(Path caFile, Path certFile, Path keyFile) {
        ConfigYaml tls = uplink.section(UplinkKeys.TLS);
        tls.set(UplinkKeys.CA_FILE, caFile);
        if (certFile != null) tls.set(UplinkKeys.CERT_FILE, certFile);
        if (keyFile != null) tls.set(UplinkKeys.KEY_FILE, keyFile);
        return this;
    }

    /** Uplink lines another writer made (a broker's {@code tls:} block), indented two spaces, written as given. */
    public GatewayFile uplinkLines(String yamlLines) {
        uplink.verbatim(yamlLines);
        return this;
    }

    /** The {@code uplink.tls} block for a pinned CA and a client certificate, indented for {@link #uplinkLines}. */
    public static String tlsLines(Path caFile, Path certFile, Path keyFile) {
        return uplinkLines(u -> {
            ConfigYaml tls = u.section(UplinkKeys.TLS);
            tls.set(UplinkKeys.CA_FILE, caFile);
            if (certFile != null) tls.set(UplinkKeys.CERT_FILE, certFile);
            if (keyFile != null) tls.set(UplinkKeys.KEY_FILE, keyFile);
        });
    }

    /** Uplink keys written by {@code keys} (declared keys only), indented for {@link #uplinkLines}. */
    public static String uplinkLines(java.util.function.Consumer<ConfigYaml> keys) {
        ConfigYaml u = new ConfigYaml();
        keys.accept(u);
        return u.text().lines().map(l -> "  " + l + "\n").reduce("", String::concat);
    }

    /** Password authentication (a secret: write the file with {@link #writeTo}, mode 0600). */
    public GatewayFile password(String username, String password) {
        uplink.set(UplinkKeys.USERNAME, username);
        uplink.secret(UplinkKeys.PASSWORD, password);
        return this;
    }

    /** A new {@code sources[]} entry; the driver's keys go into the mapping returned. */
    public ConfigYaml source(String name, String driver, Duration expectedInterval) {
        ConfigYaml s = root.item(GatewayKeys.SOURCES);
        s.set(GatewayKeys.SOURCE_NAME, name);
        s.set(GatewayKeys.SOURCE_DRIVER, driver);
        if (expectedInterval != null) s.set(GatewayKeys.SOURCE_EXPECTED_INTERVAL, expectedInterval);
        return s;
    }

    /** A wired M-Bus line over TCP ({@code timeoutMs} null: the driver's default). */
    public GatewayFile mbusTcp(String name, String host, int port, Duration poll, Duration expected, Integer timeoutMs,
                               List<Integer> addresses) {
        ConfigYaml s = source(name, "mbus", expected);
        s.set(MbusKeys.TRANSPORT, "tcp").set(LineKeys.HOST, host).set(LineKeys.TCP_PORT, port);
        return mbusRest(s, poll, timeoutMs, addresses);
    }

    /** A wired M-Bus line on a serial device (a pty in the simulator). */
    public GatewayFile mbusSerial(String name, Path device, int baud, Duration poll, Integer timeoutMs, List<Integer> addresses) {
        ConfigYaml s = source(name, "mbus", poll);
        s.set(MbusKeys.TRANSPORT, "serial").set(MbusKeys.PORT, device.toAbsolutePath().toString()).set(MbusKeys.BAUD, baud);
        return mbusRest(s, poll, timeoutMs, addresses);
    }

    private GatewayFile mbusRest(ConfigYaml s, Duration poll, Integer timeoutMs, List<Integer> addresses) {
        s.set(MbusKeys.POLL_INTERVAL, poll);
        if (timeoutMs != null) s.set(MbusKeys.TIMEOUT_MS, timeoutMs);
        for (int a : addresses) s.item(MbusKeys.METERS).set(MbusKeys.ADDRESS, a);
        return this;
    }

    /** A wireless M-Bus dongle over TCP, T1 mode, listed meters only; each {@code {id, key or null}} (keys are secrets). */
    public GatewayFile wmbusTcp(String name, int port, String dongle, List<String[]> meterIdAndKey) {
        ConfigYaml s = source(name, "wmbus", null);
        s.set(WmbusKeys.TRANSPORT, "tcp").set(LineKeys.HOST, "127.0.0.1").set(LineKeys.TCP_PORT, port)
                .set(WmbusKeys.DONGLE, dongle).set(WmbusKeys.MODE, "t1").set(LineKeys.TIME_ZONE, "UTC")
                .set(WmbusKeys.ACCEPT_UNKNOWN, false);
        for (String[] m : meterIdAndKey) {
            ConfigYaml meter = s.item(WmbusKeys.METERS).set(WmbusKeys.ID, m[0]);
            if (m[1] != null) meter.secret(WmbusKeys.KEY, m[1]);
        }
        return this;
    }

    /** An rtl_tcp server read by the {@code ert} driver (default multipliers). */
    public GatewayFile ertTcp(String name, int port, Duration expected, Duration stallTimeout) {
        return ertTcp(name, port, expected, stallTimeout, null);
    }

    /** As {@link #ertTcp(String, int, Duration, Duration)}; {@code protocols}: the packet types read, null for the driver's default. */
    public GatewayFile ertTcp(String name, int port, Duration expected, Duration stallTimeout, List<String> protocols) {
        ConfigYaml s = source(name, "ert", expected);
        s.set(ErtKeys.HOST, "127.0.0.1").set(ErtKeys.TCP_PORT, port).set(ErtKeys.STALL_TIMEOUT, stallTimeout);
        if (protocols != null) {
            s.raw(ErtKeys.PROTOCOLS.local(), "[" + String.join(", ", protocols.stream().map(ConfigYaml::quote).toList()) + "]");
        }
        return this;
    }

    /** A pushing electricity meter ({@code p1}, {@code sml}) on a serial device; the keys for encrypted P1 (secrets) or null. */
    public GatewayFile push(String name, String driver, Path device, int baud, Duration expected, String keyHex, String authKeyHex) {
        ConfigYaml s = source(name, driver, expected);
        s.set(LineKeys.TRANSPORT, "serial").set(LineKeys.PORT, device.toAbsolutePath().toString()).set(StreamKeys.BAUD, baud)
                .set(LineKeys.TIME_ZONE, "UTC");
        if (keyHex != null) s.secret(P1Keys.KEY, keyHex).secret(P1Keys.AUTH_KEY, authKeyHex);
        return this;
    }

    /** IEC 62056-21 meters polled by address on a serial device. */
    public GatewayFile iec62056(String name, Path device, Duration interval, List<String> addresses) {
        ConfigYaml s = source(name, "iec62056-21", interval);
        s.set(LineKeys.TRANSPORT, "serial").set(LineKeys.PORT, device.toAbsolutePath().toString())
                .set(LineKeys.TIME_ZONE, "UTC").set(Iec62056Keys.RETRIES, 1).set(Iec62056Keys.POLL_INTERVAL, interval)
                .set(Iec62056Keys.MODE, "e").set(Iec62056Keys.OBJECTS, io.meterlink.sim.electricity.DlmsMeterSession.OBJECTS); // mode E meters in HDLC/DLMS sessions
        for (String a : addresses) s.item(Iec62056Keys.METERS).set(Iec62056Keys.ADDRESS, a);
        return this;
    }

    /**
     * S0 pulse inputs on Pi4J's mock provider ({@code provider: mock}), input {@code i} on BCM pin
     * {@code 4 + i}, id {@code NAME-i}, 1000 imp/kWh, driven by the simulator's pulse generator on {@code ports[i]}.
     */
    public GatewayFile pulseMock(String name, Duration interval, Duration debounce, List<Integer> ports) {
        ConfigYaml s = source(name, "pulse", interval);
        s.set(PulseKeys.PROVIDER, "mock").set(PulseKeys.INTERVAL, interval);
        for (int i = 0; i < ports.size(); i++) {
            s.item(PulseKeys.INPUTS).set(PulseKeys.ID, name + "-" + i).set(PulseKeys.PIN, i + 4).set(PulseKeys.DEBOUNCE, debounce)
                    .set(PulseKeys.PULSES_PER_UNIT, BigDecimal.valueOf(1000)).set(PulseKeys.UNIT, "kWh")
                    .set(PulseKeys.WIRE, "127.0.0.1:" + ports.get(i));
        }
        return this;
    }

    /** CoAP meters observed at {@code coap://127.0.0.1:PORT/meter} ({@code id} → port), each notifying every {@code interval}. */
    public GatewayFile coapObserve(String name, Duration timeout, Duration interval, Duration reregisterAfter, Duration minGap,
                                   List<Map.Entry<String, Integer>> meters) {
        ConfigYaml s = source(name, "coap", interval);
        s.set(CoapKeys.TIMEOUT, timeout);
        for (Map.Entry<String, Integer> m : meters) {
            s.item(CoapKeys.METERS).set(CoapKeys.ID, m.getKey()).set(CoapKeys.URI, "coap://127.0.0.1:" + m.getValue() + "/meter")
                    .set(CoapKeys.MODE, "observe").set(CoapKeys.INTERVAL, interval)
                    .set(CoapKeys.REREGISTER_AFTER, reregisterAfter).set(CoapKeys.MIN_GAP, minGap);
        }
        return this;
    }

    /**
     * A Modbus line: RTU on a serial device at 9600 8E1 ({@code device} set), or Modbus TCP to
     * 127.0.0.1:{@code port}; each meter as {unit, profile, id}.
     */
    public GatewayFile modbus(String name, Path device, int port, Duration interval, int timeoutMs, int retries,
                              List<String[]> meters) {
        ConfigYaml s = source(name, "modbus", interval);
        if (device != null) {
            s.set(ModbusKeys.TRANSPORT, "serial").set(LineKeys.PORT, device.toAbsolutePath().toString())
                    .set(ModbusKeys.BAUD, 9600).set(ModbusKeys.PARITY, "even");
        } else {
            s.set(ModbusKeys.TRANSPORT, "tcp").set(LineKeys.HOST, "127.0.0.1").set(LineKeys.TCP_PORT, port);
        }
        s.set(ModbusKeys.TIMEOUT_MS, timeoutMs).set(ModbusKeys.RETRIES, retries).set(ModbusKeys.POLL_INTERVAL, interval);
        for (String[] m : meters) {
            s.item(ModbusKeys.METERS).set(ModbusKeys.UNIT, Integer.parseInt(m[0])).set(ModbusKeys.PROFILE, m[1]).set(ModbusKeys.ID, m[2]);
        }
        return this;
    }

    public String text() {
        return root.text();
    }

    /** Writes the file readable by its owner only (it may hold a password or meter keys) and returns it. */
    public Path writeTo(Path file) throws IOException {
        write(file, text());
        return file;
    }

    /** Writes {@code text} to {@code file}, replacing it, readable by its owner only. */
    public static void write(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
