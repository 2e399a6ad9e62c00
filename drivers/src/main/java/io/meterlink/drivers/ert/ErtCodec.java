package io.meterlink.drivers.ert;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packet layouts of the ERT family and Neptune R900, both ways: checked bits to {@link ErtPacket},
 * and fields to bits (for the simulator). Field offsets are bit offsets from the first preamble bit
 * (R900: from the first data bit). Layouts after rtlamr's protocol notes. Pure, thread-safe.
 */
public final class ErtCodec {
    private ErtCodec() {}

    /** A raw field: name, bit offset, bit length. */
    record Field(String name, int offset, int length) {}

    private static final List<Field> SCM = List.of(
            new Field("id_high", 21, 2), new Field("unknown", 23, 1), new Field("tamper_phy", 24, 2), new Field("ert_type", 26, 4),
            new Field("tamper_enc", 30, 2), new Field("consumption", 32, 24), new Field("id_low", 56, 24));
    private static final List<Field> SCM_PLUS = List.of(
            new Field("protocol_id", 16, 8), new Field("endpoint_type", 24, 8), new Field("endpoint_id", 32, 32),
            new Field("consumption", 64, 32), new Field("tamper", 96, 16));
    private static final List<Field> IDM = List.of(
            new Field("packet_type", 32, 8), new Field("packet_length", 40, 8), new Field("hamming_code", 48, 8),
            new Field("application_version", 56, 8), new Field("ert_type", 64, 8), new Field("ert_serial", 72, 32),
            new Field("interval_count", 104, 8), new Field("programming_state", 112, 8), new Field("tamper_counters", 120, 48),
            new Field("async_counters", 168, 16), new Field("power_outage_flags", 184, 48), new Field("last_consumption", 232, 32),
            new Field("transmit_time_offset", 688, 16), new Field("serial_crc", 704, 16));
    private static final List<Field> NETIDM = List.of(
            new Field("protocol_id", 32, 8), new Field("packet_length", 40, 8), new Field("hamming_code", 48, 8),
            new Field("application_version", 56, 8), new Field("ert_type", 64, 8), new Field("ert_serial", 72, 32),
            new Field("interval_count", 104, 8), new Field("programming_state", 112, 8), new Field("last_consumption", 200, 24),
            new Field("last_generation", 224, 24), new Field("last_consumption_net", 272, 32),
            new Field("transmit_time_offset", 688, 16), new Field("serial_crc", 704, 16));
    private static final List<Field> R900 = List.of(
            new Field("id", 0, 32), new Field("unkn1", 32, 8), new Field("nouse", 40, 6), new Field("backflow", 46, 2),
            new Field("consumption", 48, 24), new Field("unkn3", 72, 2), new Field("leak", 74, 4), new Field("leaknow", 78, 2));
    static final int IDM_INTERVALS = 47, IDM_INTERVAL_BITS = 9, IDM_INTERVAL_AT = 264;
    static final int NETIDM_INTERVALS = 27, NETIDM_INTERVAL_BITS = 14, NETIDM_INTERVAL_AT = 304;

    static List<Field> layout(ErtProtocol p) {
        return switch (p) {
            case SCM -> SCM;
            case SCM_PLUS -> SCM_PLUS;
            case IDM -> IDM;
            case NETIDM -> NETIDM;
            case R900, R900BCD -> R900;
        };
    }

    /**
     * Checks and reads a Manchester-coded packet ({@code bits}: {@link ErtProtocol#packetBits()} bits,
     * packed big-endian, from the first preamble bit).
     *
     * @throws DecodeException {@link Kind#CHECKSUM} when the checksum fails, {@link Kind#LENGTH} for a wrong length
     */
    public static ErtPacket parse(ErtProtocol p, byte[] bits) throws DecodeException {
        if (p.isR900()) throw new IllegalArgumentException("R900 packets are symbols: use parseR900");
        if (bits.length * 8 < p.packetBits()) throw new DecodeException(Kind.LENGTH, p.wireName() + ": " + bits.length + " bytes, need " + p.packetBits() / 8);
        int bytes = p.packetBits() / 8;
        long sum;
        long carried;
        switch (p) {
            case SCM -> {
                carried = ErtChecks.bits(bits, 80, 16);
                if (ErtChecks.bch(bits, 2, 12) != 0) throw bad(p, carried);
                sum = carried;
            }
            case SCM_PLUS -> sum = crc(p, bits, 2, bytes);
            default -> sum = crc(p, bits, 4, bytes);
        }
        Map<String, Long> f = read(layout(p), bits);
        return switch (p) {
            case SCM -> {
                long id = (f.remove("id_high") << 24) | f.remove("id_low");
                int type = f.remove("ert_type").intValue();
                long consumption = f.remove("consumption");
                yield new ErtPacket(p, id, type, consumption, sum, f, new int[0], 0);
            }
            case SCM_PLUS -> new ErtPacket(p, f.remove("endpoint_id"), (int) (f.get("endpoint_type") & 0x0F), f.remove("consumption"), sum, f, new int[0], 0);
            case IDM -> new ErtPacket(p, f.remove("ert_serial"), (int) (f.remove("ert_type") & 0x0F), f.remove("last_consumption"), sum, f,
                    intervals(bits, IDM_INTERVAL_AT, IDM_INTERVALS, IDM_INTERVAL_BITS), 0);
            case NETIDM -> new ErtPacket(p, f.remove("ert_serial"), (int) (f.remove("ert_type") & 0x0F), f.remove("last_consumption"), sum, f,
                    intervals(bits, NETIDM_INTERVAL_AT, NETIDM_INTERVALS, NETIDM_INTERVAL_BITS), 0);
            default -> throw new IllegalStateException();
        };
    }

    private static long crc(ErtProtocol p, byte[] bits, int from, int to) throws DecodeException {
        long carried = ErtChecks.bits(bits, (to - 2) * 8, 16);
        if (ErtChecks.ccitt(bits, from, to - 2) != carried) throw bad(p, carried);
        return carried;
    }

    private static DecodeException bad(ErtProtocol p, long carried) {
        return new DecodeException(Kind.CHECKSUM, p.wireName() + ": checksum " + carried + " does not match");
    }

    /**
     * Corrects and reads an R900 payload: 21 symbols (values 0..31; a digit pair above 31 may be given as 0, RS corrects it).
     *
     * @throws DecodeException {@link Kind#CHECKSUM} when Reed-Solomon cannot correct it
     */
    public static ErtPacket parseR900(ErtProtocol p, int[] symbols) throws DecodeException {
        int[] s = symbols.clone();
        int corrected = R900Code.correct(s);
        if (corrected < 0) throw new DecodeException(Kind.CHECKSUM, p.wireName() + ": Reed-Solomon cannot correct the packet");
        byte[] data = R900Code.data(s);
        Map<String, Long> f = read(R900, data);
        long id = f.remove("id");
        long raw = f.remove("consumption");
        long consumption = raw;
        if (p == ErtProtocol.R900BCD) {
            consumption = bcd(raw);
            if (consumption < 0) throw new DecodeException(Kind.VALUE_RANGE, "r900bcd: consumption 0x" + Long.toHexString(raw) + " is not BCD");
        }
        long parity = 0;
        for (int i = R900Code.DATA_SYMBOLS; i < R900Code.SYMBOLS; i++) parity = (parity << 5) | s[i];
        return new ErtPacket(p, id, f.get("unkn1").intValue(), consumption, parity, f, new int[0], corrected);
    }

    /** The hex digits of {@code raw} read as decimal, or -1 when a digit is above 9. */
    static long bcd(long raw) {
        long v = 0, scale = 1;
        for (long r = raw; r != 0; r >>>= 4, scale *= 10) {
            long d = r & 0xF;
            if (d > 9) return -1;
            v += d * scale;
        }
        return v;
    }

    /** {@code value} as BCD digits (the inverse of {@link #bcd}). */
    static long toBcd(long value) {
        long v = 0;
        int shift = 0;
        for (long r = value; r != 0; r /= 10, shift += 4) v |= (r % 10) << shift;
        return v;
    }

    private static Map<String, Long> read(List<Field> layout, byte[] bits) {
        Map<String, Long> f = new LinkedHashMap<>();
        for (Field x : layout) f.put(x.name, ErtChecks.bits(bits, x.offset, x.length));
        return f;
    }

    private static int[] intervals(byte[] bits, int at, int n, int width) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) ErtChecks.bits(bits, at + i * width, width);
        return out;
    }

    /**
     * Bits of a Manchester-coded packet, preamble and checksum included, from raw fields by layout
     * name (SCM: {@code id} instead of {@code id_high}/{@code id_low}; missing fields are 0). For the simulator.
     */
    public static byte[] encode(ErtProtocol p, Map<String, Long> fields, int[] intervals) {
        if (p.isR900()) throw new IllegalArgumentException("R900 packets are symbols: use encodeR900");
        byte[] b = new byte[p.packetBits() / 8];
        String pre = p.preamble();
        for (int i = 0; i < pre.length(); i++) ErtChecks.putBits(b, i, 1, pre.charAt(i) - '0');
        Map<String, Long> f = new LinkedHashMap<>(fields);
        if (p == ErtProtocol.SCM && f.containsKey("id")) {
            long id = f.remove("id");
            f.put("id_high", id >>> 24);
            f.put("id_low", id & 0xFFFFFF);
        }
        for (Field x : layout(p)) {
            long v = f.getOrDefault(x.name, 0L);
            ErtChecks.putBits(b, x.offset, x.length, v & ((1L << x.length) - 1));
        }
        switch (p) {
            case SCM -> ErtChecks.putBits(b, 80, 16, ErtChecks.bch(b, 2, 10));
            case SCM_PLUS -> ErtChecks.putBits(b, 112, 16, ErtChecks.ccitt(b, 2, 14));
            case IDM, NETIDM -> {
                boolean idm = p == ErtProtocol.IDM;
                int at = idm ? IDM_INTERVAL_AT : NETIDM_INTERVAL_AT;
                int width = idm ? IDM_INTERVAL_BITS : NETIDM_INTERVAL_BITS;
                int n = idm ? IDM_INTERVALS : NETIDM_INTERVALS;
                for (int i = 0; i < n && i < intervals.length; i++) ErtChecks.putBits(b, at + i * width, width, intervals[i] & ((1 << width) - 1));
                ErtChecks.putBits(b, 720, 16, ErtChecks.ccitt(b, 4, 90));
            }
            default -> throw new IllegalStateException();
        }
        return b;
    }

    /** The 21 symbols of an R900 packet from raw fields ({@code id}, {@code consumption}, flags); R900BCD takes a decimal consumption. */
    public static int[] encodeR900(ErtProtocol p, Map<String, Long> fields) {
        Map<String, Long> f = new LinkedHashMap<>(fields);
        if (p == ErtProtocol.R900BCD) f.put("consumption", toBcd(f.getOrDefault("consumption", 0L)));
        byte[] data = new byte[10];
        for (Field x : R900) ErtChecks.putBits(data, x.offset, x.length, f.getOrDefault(x.name, 0L) & ((1L << x.length) - 1));
        return R900Code.encode(data);
    }
}
