package io.meterlink.drivers.modbus;

import com.ghgande.j2mod.modbus.net.AbstractSerialConnection;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.SerialTransport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Modbus meters read by register map (docs/modbus.md), with j2mod as the protocol stack: RTU on a
 * serial bus (several slaves per line), RTU over TCP to a serial server, or Modbus TCP.
 *
 * <pre>
 * driver: modbus
 * transport: serial        # serial | tcp
 * framing: rtu             # rtu | tcp (Modbus TCP); default rtu for serial, tcp for tcp
 * port: /dev/ttyUSB0       # serial
 * baud: 9600               # line speed (RTU over TCP: the serial server's, for timing)
 * parity: even             # even | none | odd (Modbus serial line §2.5.1: even is the default)
 * stop_bits: 1             # 1 | 2 (the spec asks for 2 without parity)
 * host: 10.0.0.5           # tcp
 * tcp_port: 502            # tcp
 * poll_interval: 1m
 * timeout_ms: 1000         # response timeout, 10..60000
 * retries: 2               # 0..5
 * profile_dir: /etc/meterlink/modbus-profiles   # optional: more profiles, NAME.yaml
 * meters:
 *   - unit: 1              # slave id 1..247 (TCP: 0..255)
 *     profile: eastron-sdm630
 *     id: flat-12          # optional meter id part; default SOURCE.UNIT
 * </pre>
 * Stateless, thread-safe.
 */
public final class ModbusDriverFactory implements DriverFactory {
    private static final Map<String, Integer> PARITY = Map.of("even", AbstractSerialConnection.EVEN_PARITY,
            "none", AbstractSerialConnection.NO_PARITY, "odd", AbstractSerialConnection.ODD_PARITY);
    private static final ModbusFrameDecoder DECODER = new ModbusFrameDecoder();

    @Override
    public String type() { return "modbus"; }

    @Override
    public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        String kind = s.choice("transport", "serial", Set.of("serial", "tcp"));
        String framing = s.choice("framing", "tcp".equals(kind) ? "tcp" : "rtu", Set.of("rtu", "tcp"));
        if ("serial".equals(kind) && "tcp".equals(framing)) {
            s.error("framing", "Modbus TCP framing needs transport: tcp");
            ok = false;
        }
        int baud = s.integer("baud", 9600, 300, 921_600);
        String parityName = s.choice("parity", "even", PARITY.keySet());
        int parity = PARITY.get(parityName);
        int stopBits = s.integer("stop_bits", 1, 1, 2);
        SerialTransport.Parity serialParity = parity == AbstractSerialConnection.NO_PARITY ? SerialTransport.Parity.NONE
                : parity == AbstractSerialConnection.EVEN_PARITY ? SerialTransport.Parity.EVEN : SerialTransport.Parity.ODD;
        LineEndpoint line = LineEndpoint.read(s, kind, baud, (device, b) -> new SerialTransport(device, b, serialParity));
        ok &= line.ok();
        Duration interval = s.duration("poll_interval", Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofDays(1));
        int timeout = s.integer("timeout_ms", 1000, 10, 60_000);
        int retries = s.integer("retries", 2, 0, 5);
        Optional<Path> dir = s.path("profile_dir");
        ProfileCatalog catalog = ProfileCatalog.withDirectory(dir.orElse(null));
        for (ConfigError e : catalog.errors()) {
            s.error("profile_dir", e.toString());
            ok = false;
        }
        String source = s.string("name", "modbus");
        List<ModbusDriverConfig.Meter> meters = meters(s, catalog, source, "tcp".equals(framing));
        if (meters == null) ok = false;
        if (!ok) return null;
        ModbusDriverConfig config = new ModbusDriverConfig(line.endpoint(), framing, baud, parity, stopBits, interval, timeout, retries, meters);
        boolean mbap = "tcp".equals(framing);
        String endpoint = line.endpoint();
        return context -> {
            ModbusLink link;
            if (mbap) {
                int colon = endpoint.lastIndexOf(':');
                link = new ModbusLink.Tcp(endpoint.substring("tcp:".length(), colon), Integer.parseInt(endpoint.substring(colon + 1)), timeout);
            } else {
                try {
                    link = new ModbusLink.Rtu(line.transport().get(), baud, parity, stopBits, timeout);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return new ModbusDriver(config, link, context);
        };
    }

    private static List<ModbusDriverConfig.Meter> meters(Settings s, ProfileCatalog catalog, String source, boolean tcp) {
        List<Settings> sections = s.sections("meters");
        if (sections.isEmpty()) {
            s.error("meters", "at least one meter is required");
            return null;
        }
        boolean ok = true;
        List<ModbusDriverConfig.Meter> out = new ArrayList<>();
        Set<Integer> units = new HashSet<>();
        Map<MeterId, String> ids = new HashMap<>();
        for (Settings m : sections) {
            if (!m.has("unit")) m.error("unit", "required: the slave id, 1..247");
            int unit = m.integer("unit", -1, tcp ? 0 : 1, tcp ? 255 : 247); // Modbus serial line §2.2: 1..247 individual addresses
            String profileName = m.requiredString("profile");
            String id = m.string("id", source + "." + unit);
            m.string("name", null);
            m.finish();
            if (unit < 0 || profileName == null) {
                ok = false;
                continue;
            }
            if (!units.add(unit)) {
                m.error("unit", "slave id " + unit + " is listed twice on this line");
                ok = false;
                continue;
            }
            MeterProfile profile = catalog.find(profileName);
            if (profile == null) {
                m.error("profile", "unknown profile '" + profileName + "'; known: " + String.join(", ", catalog.all().keySet()));
                ok = false;
                continue;
            }
            MeterId meterId;
            try {
                meterId = MeterId.of("modbus", profile.manufacturer(), id);
            } catch (IllegalArgumentException e) {
                m.error("id", e.getMessage() + " (1 to 40 letters, digits, '.', '_' or '-')");
                ok = false;
                continue;
            }
            if (ids.putIfAbsent(meterId, m.path()) != null) {
                m.error("id", "meter id " + meterId + " is also used by " + ids.get(meterId));
                ok = false;
                continue;
            }
            out.add(new ModbusDriverConfig.Meter(unit, profile, meterId));
        }
        return ok ? out : null;
    }
}
