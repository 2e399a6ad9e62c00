package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.obis.StreamSource;
import io.meterlink.drivers.transport.LineEndpoint;
import io.meterlink.drivers.transport.LineKeys;
import io.meterlink.drivers.transport.SerialTransport;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IEC 62056-21 meters through an optical head or a serial/TCP line (7E1).
 *
 * <pre>
 * driver: iec62056-21
 * mode: poll               # poll (modes A, B, C: sign-on per meter) | d (mode D: the meter pushes at 2400)
 * transport: serial        # serial | tcp
 * port: /dev/ttyUSB0       # serial
 * baud: 300                # sign-on speed (300; mode D: 2400)
 * max_baud: 9600           # highest speed taken in a mode B/C switch
 * host / tcp_port          # tcp (no speed switch)
 * poll_interval: 15m
 * response_timeout: 1500ms # longest wait for an answer and between its bytes
 * retries: 1
 * wake_up: false           # NUL wake-up sequence before each sign-on (battery meters)
 * time_zone: Europe/Vienna # zone of meter times
 * meters:                  # omit for one meter answering the empty address
 *   - address: "12345678"  # device address for /?12345678! (up to 32 characters)
 * </pre>
 * Stateless, thread-safe.
 */
public final class Iec62056DriverFactory implements DriverFactory {
    private static final Iec62056FrameDecoder DECODER = new Iec62056FrameDecoder();
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Za-z ._-]{1,32}");

    @Override public String type() { return Iec62056FrameDecoder.PROTOCOL; }

    @Override public List<KeyGroup> keys() { return List.of(Iec62056Keys.GROUP); }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings s) {
        String mode = s.get(Iec62056Keys.MODE);
        if (mode.equals("d")) {
            return StreamSource.read(s, DECODER, FrameDecoder.Options.none(), s.get(Iec62056Keys.BAUD, Iec62056Keys.MODE_D_BAUD),
                    Iec62056Keys.FRAMING.defaultValue(), true);
        }
        boolean ok = true;
        String kind = s.get(LineKeys.TRANSPORT);
        int baud = s.get(Iec62056Keys.BAUD);
        int maxBaud = s.get(Iec62056Keys.MAX_BAUD);
        Duration interval = s.get(Iec62056Keys.POLL_INTERVAL);
        Duration timeout = s.get(Iec62056Keys.RESPONSE_TIMEOUT);
        int retries = s.get(Iec62056Keys.RETRIES);
        boolean wakeUp = s.get(Iec62056Keys.WAKE_UP);
        LineEndpoint line = LineEndpoint.read(s, kind, baud, (device, b) -> new SerialTransport(device, b, 7, SerialTransport.Parity.EVEN));
        ok &= line.ok();
        Optional<ZoneId> zone = LineEndpoint.meterZone(s);
        ok &= zone.isPresent();
        List<String> addresses = new ArrayList<>();
        for (Settings m : s.get(Iec62056Keys.METERS)) {
            String a = m.get(Iec62056Keys.ADDRESS);
            m.finish();
            if (a == null) {
                ok = false;
            } else if (!ADDRESS.matcher(a).matches()) {
                m.error(Iec62056Keys.ADDRESS, "must be 1 to 32 letters, digits, spaces, '.', '_' or '-'");
                ok = false;
            } else if (addresses.contains(a)) {
                m.error(Iec62056Keys.ADDRESS, "meter " + a + " is listed twice");
                ok = false;
            } else {
                addresses.add(a);
            }
        }
        if (addresses.isEmpty()) addresses.add("");
        if (!ok) return null;
        Iec62056DriverConfig config = new Iec62056DriverConfig(line.endpoint(), line.tcp(), baud, maxBaud, interval,
                (int) timeout.toMillis(), wakeUp, retries, addresses);
        ObisReadings mapper = new ObisReadings(zone.get());
        return context -> new Iec62056Driver(config, mapper, line.transport().get(), context);
    }
}
