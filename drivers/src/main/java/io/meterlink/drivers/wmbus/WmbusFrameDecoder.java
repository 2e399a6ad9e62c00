package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.mbus.MbusFacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Offline decoding of wireless M-Bus frames (one frame per hex line, CRCs removed or not) for
 * {@code meterlink decode}, with one key for every meter or a keys file ({@code <id> <32 hex>} per
 * line, {@code des:<16 hex>} for a security mode 2 meter, {@code #} comments). Detects any frame as a fallback: a line that is no wired frame is
 * taken as wireless.
 */
public final class WmbusFrameDecoder implements FrameDecoder {
    private static final Pattern ID = Pattern.compile("[0-9A-Fa-f]{8}");

    @Override public String protocol() { return "wmbus"; }

    @Override public Input input() { return Input.FRAME_PER_LINE; }

    @Override public int detect(byte[] sample) { return sample.length > 0 ? 1 : 0; }

    /** @throws IllegalArgumentException for a malformed key or keys-file line (the message never holds a key) */
    @Override
    public Session open(Options options) {
        KeyLookup keys = KeyLookup.none();
        if (options.key() != null) {
            try {
                keys = KeyLookup.always(WmbusKeys.meterKey(options.key()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--key: " + e.getMessage());
            }
        } else if (options.keysFile() != null) {
            try {
                keys = KeyLookup.byId(readKeys(options.keysFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        KeyLookup lookup = keys;
        FormatCache formats = new FormatCache(); // one for the whole stream: a compact frame decodes after a full frame of its format
        DriverSet.builtin().seed(formats);      // or when a driver file knows its format
        AflReassembler fragments = AflReassembler.withSystemClock(); // fragments of one message are lines of one stream
        return new Session() {
            @Override public DecodedFrame decode(byte[] frame) throws io.meterlink.core.api.driver.DecodeException {
                return toFrame(WmbusDecoder.decode(frame, lookup, formats, DriverSet.builtin(), fragments));
            }
        };
    }

    static Map<String, Secret> readKeys(Path file) throws IOException {
        Map<String, Secret> keys = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\\s+");
            if (parts.length != 2 || !ID.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected '<8-digit id> <32 hex digits>' (des:<16 hex digits> for DES)");
            }
            try {
                keys.put(parts[0], WmbusKeys.meterKey(Secret.of(parts[1])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": meter " + parts[0] + ": key " + e.getMessage());
            }
        }
        return keys;
    }

    private DecodedFrame toFrame(WmbusTelegram t) {
        List<Fact> h = new ArrayList<>(MbusFacts.header(t.id(), t.manufacturer(), t.version(), t.deviceType(), t.accessNumber(), t.status()));
        h.add(new Fact("frame", "wireless"));
        h.add(new Fact("ci", String.format("%02X", t.ci())));
        h.add(new Fact("security_mode", t.securityMode()));
        if (t.fragmentHeld()) h.add(new Fact("afl_fragment", "held until its message is complete"));
        if (t.driver() != null) h.add(new Fact("driver", t.driver()));
        List<DecodedRecord> records = MbusFacts.records(t.records());
        if (!t.driverValues().isEmpty()) { // after the generic records, which keep their order and shape
            records = new ArrayList<>(records);
            for (DriverValue v : t.driverValues()) records.add(driverRecord(v));
        }
        return new DecodedFrame(protocol(), h, records, MbusFacts.trailer(false, t.manufacturerData(), t.undecoded()));
    }

    /** A driver file's value as a record: the generic record's model plus {@code field} (its name in the driver file). */
    static DecodedRecord driverRecord(DriverValue v) {
        DecodedRecord.Builder o = new DecodedRecord.Builder();
        o.put(DecodedRecord.QUANTITY, v.quantity() == null ? v.name() : v.quantity().wireName());
        if (v.unit() != null) o.put(DecodedRecord.UNIT, v.unit().symbol());
        o.put(DecodedRecord.VALUE, v.value() != null ? v.value() : v.text());
        o.put(DecodedRecord.FUNCTION, io.meterlink.core.api.MeasurementFunction.INSTANTANEOUS.wireName());
        o.put(DecodedRecord.STORAGE, v.storage());
        o.put(DecodedRecord.TARIFF, v.tariff());
        o.put(DecodedRecord.SUBUNIT, v.subunit());
        o.put("field", v.name());
        return o.build();
    }
}
