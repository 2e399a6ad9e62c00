package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.iec62056.dlms.CosemObject;
import io.meterlink.drivers.iec62056.hdlc.HdlcAddress;
import io.meterlink.drivers.obis.Obis;
import io.meterlink.drivers.obis.ObisReadings;
import io.meterlink.drivers.obis.SecretFile;
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
 * mode: poll               # poll (modes A, B, C: sign-on per meter) | d (mode D: the meter pushes at 2400) | e (mode E: HDLC/DLMS)
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
 * password_file: /etc/meterlink/iec.password  # or password: (secret); programming mode with P1, mode 0600
 * registers: [1.8.0, 2.8.0]                   # with a password: registers read by R1 commands
 * strict_timing: false     # refuse an identification sooner than t_r (200 ms) after the request
 * objects: [1-0:1.8.0, "4/1-0:1.6.0"]         # mode e: COSEM objects read ([class/]logical name)
 * client_address: 16       # mode e: client SAP; server_address: 1, physical_address: (none) the meter's HDLC address
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
        Optional<Secret> password = s.get(Iec62056Keys.PASSWORD);
        Optional<java.nio.file.Path> passwordFile = s.get(Iec62056Keys.PASSWORD_FILE);
        if (passwordFile.isPresent()) {
            if (password.isPresent()) {
                s.error("password_file", "give password or password_file, not both");
                ok = false;
            } else {
                List<Secret> lines = SecretFile.read(s, "password_file", passwordFile.get(), 1, "the meter password on one line");
                if (lines == null) ok = false;
                else password = Optional.of(lines.get(0));
            }
        }
        if (password.isPresent() && !acceptable(password.get())) {
            s.error(passwordFile.isPresent() ? "password_file" : "password",
                    "the password must be 1 to 32 printable ASCII characters without parentheses"); // never echo it
            ok = false;
        }
        List<String> registers = s.get(Iec62056Keys.REGISTERS);
        for (String r : registers) {
            if (Obis.parse(r) == null) {
                s.error("registers", "'" + r + "' is no OBIS code such as 1.8.0 or 1-0:1.8.0");
                ok = false;
            }
        }
        boolean modeE = mode.equals("e");
        if (modeE && !registers.isEmpty()) {
            s.error("registers", "mode e reads COSEM objects: list them under objects");
            ok = false;
        } else if (!modeE && password.isPresent() && registers.isEmpty()) {
            s.error("registers", "a password reads in programming mode, register by register: list the registers to read");
            ok = false;
        } else if (password.isEmpty() && !registers.isEmpty()) {
            s.error("registers", "registers are read in programming mode only: give password or password_file");
            ok = false;
        }
        boolean strictTiming = s.get(Iec62056Keys.STRICT_TIMING);
        Duration readoutDeadline = s.get(Iec62056Keys.READOUT_DEADLINE);
        List<String> objectTexts = s.get(Iec62056Keys.OBJECTS);
        Integer physical = s.get(Iec62056Keys.PHYSICAL_ADDRESS);
        int logical = s.get(Iec62056Keys.SERVER_ADDRESS);
        int clientSap = s.get(Iec62056Keys.CLIENT_ADDRESS);
        int maxInfo = s.get(Iec62056Keys.MAX_INFO);
        Iec62056DriverConfig.ModeE e = null;
        if (modeE) {
            List<CosemObject> objects = new ArrayList<>();
            for (String o : objectTexts.isEmpty() ? CosemObject.DEFAULTS : objectTexts) {
                CosemObject c = CosemObject.parse(o);
                if (c == null) {
                    s.error("objects", "'" + o + "' is no [class/]A-B:C.D.E[*F] of class 1, 3, 4 or 8");
                    ok = false;
                } else {
                    objects.add(c);
                }
            }
            if (physical == null && logical > 0x7F) {
                s.error("server_address", "a one-byte server address is at most 127: give physical_address for a 4-byte address");
                ok = false;
            }
            if (ok) {
                HdlcAddress server = physical == null ? HdlcAddress.of(logical) : HdlcAddress.server(logical, physical);
                e = new Iec62056DriverConfig.ModeE(objects, server, HdlcAddress.of(clientSap), maxInfo);
            }
        } else if (!objectTexts.isEmpty()) {
            s.error("objects", "objects are read in mode e only");
            ok = false;
        }
        if (!ok) return null;
        Iec62056DriverConfig config = new Iec62056DriverConfig(line.endpoint(), line.tcp(), baud, maxBaud, interval,
                (int) timeout.toMillis(), wakeUp, retries, addresses, password.orElse(null), registers, strictTiming, readoutDeadline, e);
        ObisReadings mapper = new ObisReadings(zone.get());
        return context -> new Iec62056Driver(config, mapper, line.transport().get(), context, System::nanoTime);
    }

    /**
     * 1 to 32 printable ASCII characters without parentheses (they frame the password in the P1 command;
     * a DLMS LLS password goes out as the same bytes). Checked on the characters themselves, which are
     * wiped: no {@link String} of the password is made.
     */
    static boolean acceptable(Secret password) {
        char[] c = password.reveal();
        try {
            if (c.length < 1 || c.length > 32) return false;
            for (char x : c) {
                if (x < 0x20 || x > 0x7E || x == '(' || x == ')') return false;
            }
            return true;
        } finally {
            java.util.Arrays.fill(c, '\0');
        }
    }
}
