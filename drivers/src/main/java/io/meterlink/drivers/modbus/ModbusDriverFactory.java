package io.meterlink.drivers.modbus;

import com.ghgande.j2mod.modbus.net.AbstractSerialConnection;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.keys.GatewayKeys;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.SerialTransport;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * The keys are declared in {@link ModbusKeys}. Stateless, thread-safe.
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
    public List<KeyGroup> keys() { return List.of(ModbusKeys.GROUP); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        String kind = s.get(ModbusKeys.TRANSPORT);
        String framing = s.get(ModbusKeys.FRAMING, "tcp".equals(kind) ? "tcp" : "rtu");
        if ("serial".equals(kind) && "tcp".equals(framing)) {
            s.error(ModbusKeys.FRAMING, "Modbus TCP framing needs transport: tcp");
            ok = false;
        }
        int baud = s.get(ModbusKeys.BAUD);
        int parity = PARITY.get(s.get(ModbusKeys.PARITY));
        int stopBits = s.get(ModbusKeys.STOP_BITS);
        SerialTransport.Parity serialParity = parity == AbstractSerialConnection.NO_PARITY ? SerialTransport.Parity.NONE
                : parity == AbstractSerialConnection.EVEN_PARITY ? SerialTransport.Parity.EVEN : SerialTransport.Parity.ODD;
        LineEndpoint line = LineEndpoint.read(s, kind, baud, (device, b) -> new SerialTransport(device, b, serialParity));
        ok &= line.ok();
        Duration interval = s.get(ModbusKeys.POLL_INTERVAL);
        int timeout = s.get(ModbusKeys.TIMEOUT_MS);
        int retries = s.get(ModbusKeys.RETRIES);
        ProfileCatalog catalog = ProfileCatalog.withDirectory(s.get(ModbusKeys.PROFILE_DIR).orElse(null));
        for (ConfigError e : catalog.errors()) {
            s.error(ModbusKeys.PROFILE_DIR, e.toString());
            ok = false;
        }
        String source = s.has(GatewayKeys.SOURCE_NAME) ? s.get(GatewayKeys.SOURCE_NAME) : "modbus"; // the loader checks it
        boolean mbap = "tcp".equals(framing);
        List<ModbusDriverConfig.Meter> meters = meters(s, catalog, source, mbap);
        if (meters == null) ok = false;
        if (!ok) return null;
        ModbusDriverConfig config = new ModbusDriverConfig(line.endpoint(), framing, baud, parity, stopBits, interval, timeout, retries, meters);
        return context -> {
            ModbusLink link;
            if (mbap) {
                link = new ModbusLink.Tcp(line.address().host(), line.address().port(), timeout);
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

    private static List<ModbusDriverConfig.Meter> meters(Settings s, ProfileCatalog catalog, String source, boolean mbap) {
        List<Settings> sections = s.get(ModbusKeys.METERS);
        if (sections.isEmpty()) {
            s.error(ModbusKeys.METERS, "at least one meter is required");
            return null;
        }
        boolean ok = true;
        List<ModbusDriverConfig.Meter> out = new ArrayList<>();
        Set<Integer> units = new HashSet<>();
        Map<MeterId, String> ids = new HashMap<>();
        for (Settings m : sections) {
            Integer unit = m.get(ModbusKeys.UNIT);
            if (!m.has(ModbusKeys.UNIT)) m.error(ModbusKeys.UNIT, "required: the slave id, 1..247");
            if (unit != null && !mbap && (unit < ModbusKeys.SERIAL_UNIT_MIN || unit > ModbusKeys.SERIAL_UNIT_MAX)) {
                m.error(ModbusKeys.UNIT, "must be between " + ModbusKeys.SERIAL_UNIT_MIN + " and " + ModbusKeys.SERIAL_UNIT_MAX
                        + " with RTU framing (got " + unit + ")");
                unit = null;
            }
            String profileName = m.get(ModbusKeys.PROFILE);
            String id = m.get(ModbusKeys.ID, source + "." + unit);
            m.get(ModbusKeys.NAME);
            m.finish();
            if (unit == null || profileName == null) {
                ok = false;
                continue;
            }
            if (!units.add(unit)) {
                m.error(ModbusKeys.UNIT, "slave id " + unit + " is listed twice on this line");
                ok = false;
                continue;
            }
            MeterProfile profile = catalog.find(profileName);
            if (profile == null) {
                m.error(ModbusKeys.PROFILE, "unknown profile '" + profileName + "'; known: " + String.join(", ", catalog.all().keySet()));
                ok = false;
                continue;
            }
            MeterId meterId;
            try {
                meterId = MeterId.of("modbus", profile.manufacturer(), id);
            } catch (IllegalArgumentException e) {
                m.error(ModbusKeys.ID, e.getMessage() + " (1 to 40 letters, digits, '.', '_' or '-')");
                ok = false;
                continue;
            }
            if (ids.putIfAbsent(meterId, m.path()) != null) {
                m.error(ModbusKeys.ID, "meter id " + meterId + " is also used by " + ids.get(meterId));
                ok = false;
                continue;
            }
            out.add(new ModbusDriverConfig.Meter(unit, profile, meterId));
        }
        return ok ? out : null;
    }
}
