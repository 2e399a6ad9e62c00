package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.SerialTransport;
import io.meterlink.drivers.transport.Transport;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Wireless M-Bus (EN 13757-4) heard through a radio dongle on a serial line or a raw TCP socket.
 *
 * <pre>
 * driver: wmbus
 * transport: serial        # serial | tcp
 * port: /dev/ttyUSB0       # serial device (serial)
 * baud: 57600              # default: 57600 im871a, 115200 iu891a, 9600 amb8465, 38400 cul, 115200 hexlines
 * host: 10.0.0.5           # tcp
 * tcp_port: 4001           # tcp
 * dongle: im871a           # im871a | iu891a | amb8465 | cul | hexlines
 * mode: t1                 # t1 | c1 | s1
 * amb_rssi: true           # amb8465: the stick appends an RSSI byte (its RSSI_Enable parameter)
 * time_zone: UTC           # zone of the meters' clocks
 * accept_unknown: true     # store unencrypted telegrams of meters not listed below
 * driver_dir: /etc/meterlink/wmbus-drivers   # optional: our own driver files (*.yaml) ahead of the built-in ones
 * meters:
 *   - id: "12345678"       # 8 digits
 *     manufacturer: KAM    # optional filter
 *     key: 000102…0F       # 32 hex digits, AES-128 (des:0123456789ABCDEF for a mode 2 DES meter); a secret, never logged
 * </pre>
 * The caller finishes (checks for unknown keys) the source mapping itself; this factory finishes the
 * meter mappings. Stateless, thread-safe.
 */
public final class WmbusDriverFactory implements DriverFactory {
    /** Formats of full frames, shared by every radio line of the gateway: a compact frame heard on one line decodes with a format learnt on another. */
    private final FormatCache formats = new FormatCache();
    private boolean storeAttached;
    private static final Pattern ID = Pattern.compile("[0-9]{8}");
    private static final Pattern MANUFACTURER = Pattern.compile("[A-Z]{3}");

    private static final WmbusFrameDecoder DECODER = new WmbusFrameDecoder();

    @Override
    public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public String type() { return "wmbus"; }

    @Override
    public List<KeyGroup> keys() { return List.of(WmbusKeys.GROUP); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        String kind = s.get(WmbusKeys.TRANSPORT);
        String dongle = s.get(WmbusKeys.DONGLE);
        String modeName = s.get(WmbusKeys.MODE);
        int defaultBaud = switch (dongle) {
            case "amb8465" -> 9600;
            case "cul" -> 38400;
            case "hexlines", "iu891a" -> 115200;
            default -> 57600;
        };
        int baud = s.get(WmbusKeys.BAUD, defaultBaud);
        if (dongle.equals("iu891a") && modeName.equalsIgnoreCase("s1")) { // its link mode values for S are not publicly described
            s.error(WmbusKeys.MODE, "iu891a: only t1 and c1 (the stick's combined C1/T1 receive mode) are supported");
            ok = false;
        }
        boolean ambRssi = s.get(WmbusKeys.AMB_RSSI);
        boolean acceptUnknown = s.get(WmbusKeys.ACCEPT_UNKNOWN);
        LineEndpoint line = LineEndpoint.read(s, kind, baud, (device, b) -> new SerialTransport(device, b, SerialTransport.Parity.NONE));
        ok &= line.ok();
        Supplier<Transport> transport = line.transport();
        String endpoint = line.endpoint();
        Optional<ZoneId> zone = LineEndpoint.meterZone(s);
        ok &= zone.isPresent();
        List<WmbusDriverConfig.Meter> meters = meters(s);
        if (meters == null) ok = false;
        DriverSet drivers = DriverSet.builtin();
        Optional<java.nio.file.Path> dir = s.get(WmbusKeys.DRIVER_DIR);
        if (dir.isPresent()) {
            List<io.meterlink.core.api.config.ConfigError> errors = new ArrayList<>();
            drivers = DriverSet.load(dir.get(), errors);
            for (io.meterlink.core.api.config.ConfigError e : errors) s.error(WmbusKeys.DRIVER_DIR, e.toString()); // file:line: key: message
            ok &= errors.isEmpty();
        }
        if (!ok) return null;
        WmbusDriverConfig config = new WmbusDriverConfig(endpoint, dongle, WmbusMode.of(modeName), ambRssi, zone.get(), acceptUnknown, meters,
                drivers);
        drivers.seed(formats);
        return context -> {
            attachStore(context);
            return new WmbusDriver(config, transport.get(), context, formats);
        };
    }

    /** The formats learnt survive restarts: stored in the state directory once the first radio source starts. */
    private synchronized void attachStore(io.meterlink.core.api.driver.DriverContext context) {
        if (storeAttached || context.stateDir().isEmpty()) return;
        storeAttached = true;
        FormatStore.attach(context.stateDir().get(), formats); // null (logged) when unusable: memory only
    }

    private static List<WmbusDriverConfig.Meter> meters(Settings s) {
        boolean ok = true;
        List<WmbusDriverConfig.Meter> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Settings m : s.get(WmbusKeys.METERS)) {
            String id = m.get(WmbusKeys.ID);
            String man = m.get(WmbusKeys.MANUFACTURER);
            Optional<Secret> key = m.get(WmbusKeys.KEY);
            m.finish();
            if (id == null) {
                ok = false;
                continue;
            }
            if (!ID.matcher(id).matches()) {
                m.error(WmbusKeys.ID, "must be the meter's 8-digit identification number");
                ok = false;
                continue;
            }
            if (man != null && !MANUFACTURER.matcher(man).matches()) {
                m.error(WmbusKeys.MANUFACTURER, "must be a three-letter upper-case code such as KAM");
                ok = false;
                continue;
            }
            if (key.isPresent()) {
                try {
                    key = Optional.of(WmbusKeys.meterKey(key.get()));
                } catch (IllegalArgumentException e) {
                    m.error(WmbusKeys.KEY, "meter " + id + ": " + e.getMessage()); // never echo the value
                    ok = false;
                    continue;
                }
            }
            if (!seen.add(id + "/" + man)) {
                m.error(WmbusKeys.ID, "meter " + id + " is listed twice");
                ok = false;
                continue;
            }
            out.add(new WmbusDriverConfig.Meter(id, man, key.orElse(null)));
        }
        return ok ? out : null;
    }
}
