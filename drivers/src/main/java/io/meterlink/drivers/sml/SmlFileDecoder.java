package io.meterlink.drivers.sml;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.drivers.obis.MeterUnit;
import io.meterlink.drivers.obis.Obis;
import io.meterlink.drivers.obis.ObisRecords;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Decodes the messages of one SML file (SML 1.04 §7): each message is a list of 6 (transaction id,
 * group, abort flag, body, CRC, end marker 0x00); the body is a tag and its content. Values come from
 * GetList.Res (tag 0x0701: client id, server id, list name, sensor time, value list, signature,
 * gateway time); each list entry (object name = OBIS, status, time, DLMS unit, scaler, value,
 * signature) becomes one record with value × 10^scaler. The server id is the meter id. Other
 * messages (Open, Close, profiles) add no records. Stateless.
 */
final class SmlFileDecoder {
    static final String PROTOCOL = "sml";
    private static final int GET_LIST_RESPONSE = 0x0701;
    private static final int OPEN_RESPONSE = 0x0101;

    private SmlFileDecoder() {}

    static DecodedFrame decode(byte[] data) throws DecodeException {
        SmlReader r = new SmlReader(data, 0, data.length);
        byte[] serverId = null;
        List<DecodedRecord> records = new ArrayList<>();
        int messages = 0;
        while (!r.atEnd()) {
            if (r.endOfMessage()) continue; // fill or stray end markers between messages
            SmlNode node = r.read();
            if (!(node instanceof SmlNode.Seq msg) || msg.items().size() < 5) {
                throw new DecodeException(DecodeException.Kind.SYNTAX, "an SML message is a list of 6, got " + describe(node));
            }
            r.endOfMessage();
            messages++;
            if (!(msg.get(3) instanceof SmlNode.Seq body) || body.items().size() != 2 || !(body.get(0) instanceof SmlNode.Int tag)) {
                throw new DecodeException(DecodeException.Kind.SYNTAX, "SML message body is no [tag, content] list");
            }
            int t = tag.intValue();
            if (t == GET_LIST_RESPONSE && body.get(1) instanceof SmlNode.Seq list) {
                if (list.get(1) instanceof SmlNode.Octets id) serverId = id.bytes();
                boolean dzgUnsignedPower = serverId != null && dzgUnsignedPower(serverId);
                if (list.get(4) instanceof SmlNode.Seq entries) {
                    for (SmlNode e : entries.items()) {
                        DecodedRecord rec = entry(e, dzgUnsignedPower);
                        if (rec != null) records.add(rec);
                    }
                }
            } else if (t == OPEN_RESPONSE && serverId == null && body.get(1) instanceof SmlNode.Seq open
                    && open.get(3) instanceof SmlNode.Octets id) {
                serverId = id.bytes();
            }
        }
        if (messages == 0) throw new DecodeException(DecodeException.Kind.SYNTAX, "SML file without messages");
        List<Fact> header = new ArrayList<>();
        header.add(new Fact("protocol", PROTOCOL));
        if (serverId != null) {
            Server known = lastServer;
            if (known == null || !java.util.Arrays.equals(known.id, serverId)) lastServer = known = new Server(serverId);
            header.add(known.meter);
            header.add(known.hex);
        }
        return new DecodedFrame(PROTOCOL, header, records, List.of());
    }

    /** The header facts of the last server id met: a meter sends its id in every file. Immutable, so shared between threads. */
    private record Server(byte[] id, Fact meter, Fact hex) {
        Server(byte[] id) { this(id, new Fact("meter", meterId(id)), new Fact("server_id", HexFormat.of().withUpperCase().formatHex(id))); }
    }

    private static Server lastServer;

    /**
     * {@code sml:<manufacturer>:<server id hex>}; the manufacturer is the FLAG code inside a server id
     * of the DIN 43863-5 form (0A, medium, 3 letters, …) or right after a first byte, else {@code unknown}.
     */
    static String meterId(byte[] id) {
        String man = "unknown";
        if (id.length >= 5 && isLetters(id, 2, 5)) man = new String(id, 2, 3, java.nio.charset.StandardCharsets.US_ASCII);
        else if (id.length >= 4 && isLetters(id, 1, 4)) man = new String(id, 1, 3, java.nio.charset.StandardCharsets.US_ASCII);
        String hex = HexFormat.of().withUpperCase().formatHex(id);
        if (hex.length() > 40) hex = hex.substring(hex.length() - 40);
        return PROTOCOL + ":" + man + ":" + hex;
    }

    private static boolean isLetters(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!(b[i] >= 'A' && b[i] <= 'Z' || b[i] >= 'a' && b[i] <= 'z')) return false;
        }
        return true;
    }

    /**
     * DZG DVS74 meters with serial numbers below 60,000,000 send the unsigned power 1-0:16.7.0 as a
     * signed integer (a known meter defect, documented by volkszaehler); later meters send true
     * negative power. Server id: 0A, medium, "DZG", fabrication block, 4-byte serial.
     */
    static boolean dzgUnsignedPower(byte[] id) {
        if (id.length != 10 || id[2] != 'D' || id[3] != 'Z' || id[4] != 'G') return false;
        long serial = (id[6] & 0xFFL) << 24 | (id[7] & 0xFF) << 16 | (id[8] & 0xFF) << 8 | id[9] & 0xFF;
        return serial < 60_000_000L;
    }

    private static final Obis POWER_NET = new Obis(1, 0, 16, 7, 0, 255);

    private static DecodedRecord entry(SmlNode e, boolean dzgUnsignedPower) throws DecodeException {
        if (!(e instanceof SmlNode.Seq entry) || entry.items().size() != 7 || !(entry.get(0) instanceof SmlNode.Octets name)) {
            throw new DecodeException(DecodeException.Kind.SYNTAX, "SML list entry is no list of 7 with an object name");
        }
        if (name.bytes().length != 6) return null; // not an OBIS-named entry
        Obis code = Obis.of(name.bytes());
        MeterUnit unit = entry.get(3) instanceof SmlNode.Int u ? MeterUnit.dlms(u.intValue()) : null;
        int scaler = entry.get(4) instanceof SmlNode.Int s ? s.intValue() : 0;
        if (scaler < Byte.MIN_VALUE || scaler > Byte.MAX_VALUE) { // Integer8 (SML 1.04 §7.1.1); a larger one would make a number of millions of digits
            throw new DecodeException(DecodeException.Kind.SYNTAX, "SML scaler " + scaler + " out of -128..127 for " + code);
        }
        String time = time(entry.get(2));
        SmlNode v = entry.get(5);
        if (v instanceof SmlNode.Int i) {
            BigDecimal value;
            if (dzgUnsignedPower && i.signed() && i.bits() < 0 && code.equals(POWER_NET)) {
                value = new BigDecimal(i.value().add(java.math.BigInteger.ONE.shiftLeft(8 * i.width()))).scaleByPowerOfTen(scaler);
            } else {
                value = i.fitsLong() ? BigDecimal.valueOf(i.bits(), -scaler) : new BigDecimal(i.value()).scaleByPowerOfTen(scaler); // value × 10^scaler
            }
            return ObisRecords.record(code, value, null, unit, time);
        }
        String text = v instanceof SmlNode.Octets o ? text(o.bytes()) : v instanceof SmlNode.Bool b ? Boolean.toString(b.value()) : null;
        return ObisRecords.record(code, null, text, unit, time);
    }

    /** SML_Time (§6.3.5): [1, secIndex] (a counter, no time), [2, unix time], [3, [unix time, offset, season offset]]. */
    static String time(SmlNode t) {
        if (t instanceof SmlNode.Seq s && s.get(0) instanceof SmlNode.Int tag) {
            int kind = tag.intValue();
            if (kind == 2 && s.get(1) instanceof SmlNode.Int sec) return epoch(sec);
            if (kind == 3 && s.get(1) instanceof SmlNode.Seq local && local.get(0) instanceof SmlNode.Int sec) {
                return epoch(sec);
            }
        }
        return null;
    }

    /** Unix seconds as an instant; a value outside Instant's range (huge 7–8 byte times) is no time. */
    private static String epoch(SmlNode.Int sec) {
        if (!sec.fitsLong()) return null;
        long v = sec.bits();
        if (v < Instant.MIN.getEpochSecond() || v > Instant.MAX.getEpochSecond()) return null;
        return Instant.ofEpochSecond(v).toString();
    }

    /** Printable ASCII as text, anything else as upper-case hex. */
    static String text(byte[] b) {
        for (byte x : b) {
            if (x < 0x20 || x > 0x7E) return HexFormat.of().withUpperCase().formatHex(b);
        }
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static String describe(SmlNode n) {
        return n == null ? "an absent element" : n.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

}
