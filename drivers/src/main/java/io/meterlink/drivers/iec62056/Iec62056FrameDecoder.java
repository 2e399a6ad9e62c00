package io.meterlink.drivers.iec62056;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.FrameCutter;

import java.util.ArrayList;
import java.util.List;

/**
 * Offline decoding of IEC 62056-21 readouts (modes A to E: the identification message, data sets,
 * {@code !}, and in modes A–C STX … ETX with a BCC) for {@code meterlink decode}: one decoded frame
 * per readout. The meter id is {@code iec62056:<manufacturer>:<serial>}, the serial from the device
 * address data set (0.0.0 or C.1.0) or else the identification.
 */
public final class Iec62056FrameDecoder implements FrameDecoder {
    public static final String PROTOCOL = "iec62056-21";

    @Override public String protocol() { return PROTOCOL; }

    @Override public Input input() { return Input.BYTE_STREAM; }

    /** An identification message {@code /XXXZ} (three letters, a baud character) or an STX-framed data message. */
    @Override
    public int detect(byte[] s) {
        for (int i = 0; i + 5 < s.length; i++) {
            if (s[i] == '/' && s[i + 1] != '?' && letter(s[i + 1]) && letter(s[i + 2]) && letter(s[i + 3]) && s[i + 4] >= '0' && s[i + 4] <= 'Z') return 50;
        }
        return s.length > 2 && s[0] == ReadoutFramer.STX ? 20 : 0;
    }

    static boolean letter(byte b) { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'; }

    @Override
    public Session open(Options options) {
        ReadoutFramer framer = new ReadoutFramer();
        return new Session() {
            @Override public void feed(byte[] bytes, int offset, int length, Sink sink) { framer.feed(bytes, offset, length, listener(sink)); }

            @Override public void end(Sink sink) { framer.end(listener(sink)); }
        };
    }

    private static FrameCutter.Listener listener(Sink sink) {
        return new FrameCutter.Listener() {
            @Override
            public void frame(byte[] bytes, long offset) {
                try {
                    sink.frame(decode(bytes), offset);
                } catch (DecodeException e) {
                    sink.error(e, offset);
                }
            }

            @Override public void error(DecodeException e, long offset) { sink.error(e, offset); }
        };
    }

    static DecodedFrame decode(byte[] bytes) throws DecodeException {
        Readout r = Readout.parse(bytes);
        if (r.endIndex() < 0) throw new DecodeException(DecodeException.Kind.TRUNCATED, "readout without its end character '!'");
        List<DecodedRecord> records = new ArrayList<>();
        String serial = null;
        for (DataSet d : r.dataSets()) {
            records.addAll(ReadoutRecords.records(d));
            if (serial == null && d.obis() != null && d.size() > 0
                    && (d.obis().c() == 0 && d.obis().d() == 0 && (d.obis().e() == 0 || d.obis().e() == 255) || d.obis().c() == 96 && d.obis().d() == 1)) {
                serial = d.value(0);
            }
        }
        List<Fact> h = new ArrayList<>();
        h.add(new Fact("protocol", PROTOCOL));
        String meter = meterId(r.manufacturer(), serial, r.identification());
        if (meter != null) h.add(new Fact("meter", meter));
        if (r.manufacturer() != null) {
            h.add(new Fact("manufacturer", r.manufacturer()));
            h.add(new Fact("baud_char", r.baudChar()));
            h.add(new Fact("identification", Readout.printable(r.identification())));
        }
        return new DecodedFrame(PROTOCOL, h, records, List.of());
    }

    /**
     * The meter id {@code iec62056:<MANUFACTURER>:<serial>} of a readout or a mode E session: the serial read from the
     * meter when it has one (not blank), else its identification; {@code null} when it has neither. An unknown
     * manufacturer is {@code unknown}; both parts keep only the characters a meter id allows ({@link #sanitize}).
     */
    static String meterId(String manufacturer, String serial, String identification) {
        String id = serial != null && !serial.isBlank() ? serial : identification;
        if (id == null) return null;
        return "iec62056:" + sanitize(manufacturer != null ? manufacturer.toUpperCase(java.util.Locale.ROOT) : "unknown", 16) + ":" + sanitize(id, 40);
    }

    /** Only the characters a meter id allows ({@code [A-Za-z0-9._-]}), others as {@code _}, at most {@code max}. */
    public static String sanitize(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (char c : s.strip().toCharArray()) b.append(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' ? c : '_');
        if (b.length() == 0) b.append('_');
        return b.length() > max ? b.substring(b.length() - max) : b.toString();
    }
}
