package io.meterlink.drivers.mbus;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.Transport;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Wired M-Bus (EN 13757-2/-3) with the gateway as master, over a serial line or a raw TCP socket.
 *
 * <pre>
 * driver: mbus
 * transport: serial        # serial | tcp
 * port: /dev/ttyUSB0       # serial device (serial)
 * baud: 2400               # 300 | 2400 | 9600 (line speed; with tcp, the converter's line speed)
 * host: 10.0.0.5           # tcp
 * tcp_port: 4001           # tcp
 * poll_interval: 15m
 * timeout_ms: 500          # optional; default 330 bit times + 50 ms (serial), 1000 ms (tcp)
 * retries: 2               # optional, 0..5
 * time_zone: UTC           # optional, zone of the meters' clocks
 * meters:
 *   - address: 1
 *     name: house 12 water
 *   - secondary: "12345678"   # or with wildcards "1234FFFF" / "1234****" (EN 13757-3 §11)
 *     manufacturer: KAM       # optional, with secondary
 *     version: 27             # optional, with secondary
 *     medium: 7               # optional, with secondary (EN 13757-3 Table 3)
 * </pre>
 * The caller finishes (checks for unknown keys) the source mapping itself; this factory finishes the
 * meter mappings. Stateless, thread-safe.
 */
public final class MbusDriverFactory implements DriverFactory {
    private static final Set<Integer> BAUDS = Set.of(300, 2400, 9600);
    private static final int TCP_DEFAULT_TIMEOUT_MS = 1_000;

    private static final MbusFrameDecoder DECODER = new MbusFrameDecoder();

    @Override
    public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public String type() { return "mbus"; }

    @Override
    public List<KeyGroup> keys() { return List.of(MbusKeys.GROUP); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        String kind = s.get(MbusKeys.TRANSPORT);
        int baud = s.get(MbusKeys.BAUD);
        if (!BAUDS.contains(baud)) {
            s.error(MbusKeys.BAUD, "must be 300, 2400 or 9600, got " + baud);
            ok = false;
        }
        LineEndpoint line = LineEndpoint.read(s, kind, baud, SerialTransport::mbus);
        ok &= line.ok();
        Supplier<Transport> transport = line.transport();
        String endpoint = line.endpoint();
        int defaultTimeout = line.tcp() ? TCP_DEFAULT_TIMEOUT_MS
                : MbusTiming.responseTimeoutMillis(BAUDS.contains(baud) ? baud : 2400);
        Duration interval = s.get(MbusKeys.POLL_INTERVAL);
        int timeout = s.get(MbusKeys.TIMEOUT_MS, defaultTimeout);
        int retries = s.get(MbusKeys.RETRIES);
        Optional<ZoneId> zone = LineEndpoint.meterZone(s);
        ok &= zone.isPresent();
        List<MbusDriverConfig.Meter> meters = meters(s);
        if (meters == null) ok = false;
        if (!ok) return null;
        MbusDriverConfig config = new MbusDriverConfig(endpoint, baud, interval, timeout, retries, zone.get(), meters);
        return context -> new MbusDriver(config, transport.get(), context);
    }

    private static List<MbusDriverConfig.Meter> meters(Settings s) {
        List<Settings> sections = s.get(MbusKeys.METERS);
        if (sections.isEmpty()) {
            s.error(MbusKeys.METERS, "at least one meter is required");
            return null;
        }
        boolean ok = true;
        List<MbusDriverConfig.Meter> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        Set<SecondaryAddress> seenSecondary = new HashSet<>();
        for (Settings m : sections) {
            if (m.has(MbusKeys.SECONDARY)) {
                String name = m.get(MbusKeys.NAME);
                String sec = m.get(MbusKeys.SECONDARY, "");
                String man = m.get(MbusKeys.MANUFACTURER);
                Integer version = m.get(MbusKeys.VERSION);
                Integer medium = m.get(MbusKeys.MEDIUM);
                if (m.has(MbusKeys.ADDRESS)) {
                    m.error(MbusKeys.ADDRESS, "a meter has a primary address or a secondary address, not both");
                    ok = false;
                }
                m.finish();
                try {
                    SecondaryAddress a = new SecondaryAddress(sec, man, version == null ? -1 : version, medium == null ? -1 : medium);
                    if (!seenSecondary.add(a)) {
                        m.error(MbusKeys.SECONDARY, "secondary address " + sec + " is listed twice");
                        ok = false;
                        continue;
                    }
                    out.add(new MbusDriverConfig.Meter(-1, a, name));
                } catch (IllegalArgumentException e) {
                    m.error(MbusKeys.SECONDARY, e.getMessage());
                    ok = false;
                }
                continue;
            }
            if (!m.has(MbusKeys.ADDRESS)) {
                m.error(MbusKeys.ADDRESS, "required (primary address 0..250, or secondary: \"12345678\")");
                ok = false;
            }
            Integer primary = m.get(MbusKeys.ADDRESS);
            int address = primary == null ? -1 : primary;
            String name = m.get(MbusKeys.NAME);
            m.finish();
            if (address < 0 || address > 250) {
                ok = false;
                continue;
            }
            if (!seen.add(address)) {
                m.error(MbusKeys.ADDRESS, "primary address " + address + " is listed twice");
                ok = false;
                continue;
            }
            out.add(new MbusDriverConfig.Meter(address, name));
        }
        return ok ? out : null;
    }
}
