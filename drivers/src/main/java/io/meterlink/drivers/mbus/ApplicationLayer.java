package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.List;

/**
 * The M-Bus application layer (EN 13757-3, OMS Vol 2) shared by wired and wireless M-Bus: the
 * transport-layer header announced by the CI field and the variable data records. Pure functions,
 * thread-safe. Wireless callers decrypt first and then call {@link #records}; unencrypted telegrams
 * can go through {@link #decode} in one step.
 */
public final class ApplicationLayer {
    /** Response with long header (EN 13757-7 / OMS Vol 2 Table 2). */
    public static final int CI_LONG = 0x72;
    /** Response with long header, multi-byte fields MSB first (wired mode 2, EN 13757-3 §5). */
    public static final int CI_LONG_MSB = 0x76;
    /** Response without header. */
    public static final int CI_NONE = 0x78;
    /** Response with short header. */
    public static final int CI_SHORT = 0x7A;
    /** Application error from the slave (EN 13757-3 §5.2). */
    public static final int CI_APPLICATION_ERROR = 0x70;

    private ApplicationLayer() {}

    /**
     * The data records of one telegram. Immutable.
     *
     * @param undecoded the end of the telegram from the first record that could not be decoded, or
     *                  {@code null} when every record was decoded
     */
    public record DataRecords(List<MbusRecord> records, boolean moreRecordsFollow, String manufacturerData, UndecodedTail undecoded) {
        public DataRecords {
            records = List.copyOf(records);
        }
    }

    /** Header plus records of one application telegram (see {@link DataRecords}). Immutable. */
    public record Apdu(TplHeader header, List<MbusRecord> records, boolean moreRecordsFollow, String manufacturerData, UndecodedTail undecoded) {
        public Apdu {
            records = List.copyOf(records);
        }
    }

    /**
     * Parses the CI field at {@code buf[offset]} and the header it announces (72/76 long, 7A short,
     * 78 none). Does not look at the data records.
     *
     * @throws DecodeException UNSUPPORTED for another CI, OTHER for an application error (CI 70),
     *                         TRUNCATED when the header does not fit in {@code length}
     */
    public static TplHeader header(byte[] buf, int offset, int length) throws DecodeException {
        checkBounds(buf, offset, length);
        if (length < 1) throw new DecodeException(Kind.TRUNCATED, "no CI field");
        int ci = buf[offset] & 0xFF;
        int d = offset + 1;
        int avail = length - 1;
        switch (ci) {
            case CI_LONG, CI_LONG_MSB -> {
                if (avail < 12) throw new DecodeException(Kind.TRUNCATED, "long header needs 12 bytes, got " + avail);
                boolean msb = ci == CI_LONG_MSB;
                byte[] id = DataRecordParser.field(buf, d, 4, msb);
                byte[] man = DataRecordParser.field(buf, d + 4, 2, msb);
                byte[] cfg = DataRecordParser.field(buf, d + 10, 2, msb);
                return new TplHeader(ci, TplHeader.Type.LONG, DataValues.bcdDigits(id), manufacturer(u16(man)),
                        buf[d + 6] & 0xFF, buf[d + 7] & 0xFF, buf[d + 8] & 0xFF, buf[d + 9] & 0xFF, u16(cfg), 13);
            }
            case CI_SHORT -> {
                if (avail < 4) throw new DecodeException(Kind.TRUNCATED, "short header needs 4 bytes, got " + avail);
                int cfg = (buf[d + 2] & 0xFF) | (buf[d + 3] & 0xFF) << 8;
                return new TplHeader(ci, TplHeader.Type.SHORT, null, null, -1, -1, buf[d] & 0xFF, buf[d + 1] & 0xFF, cfg, 5);
            }
            case CI_NONE -> {
                return new TplHeader(ci, TplHeader.Type.NONE, null, null, -1, -1, -1, -1, 0, 1);
            }
            case CI_APPLICATION_ERROR -> {
                String what = avail > 0 ? applicationError(buf[d] & 0xFF) : "unspecified error";
                throw new DecodeException(Kind.OTHER, "meter reports application error: " + what);
            }
            default -> throw new DecodeException(Kind.UNSUPPORTED, String.format("CI %02X not supported by the application layer", ci));
        }
    }

    /**
     * Parses the data records in {@code buf[offset, offset+length)} (after the header, already
     * decrypted; a leading 2F 2F verification filler is skipped as idle filler).
     *
     * @param msbFirst true only for CI 76 (wired mode 2)
     * @throws DecodeException TRUNCATED, SYNTAX (more than 10 DIFE/VIFE) or UNSUPPORTED (reserved
     *                         DIF or LVAR) when a record cannot be decoded, unless it is the last
     *                         two bytes or fewer after good records ({@link DataRecords#undecoded()});
     *                         never a runtime exception for bad bytes
     */
    public static DataRecords records(byte[] buf, int offset, int length, boolean msbFirst) throws DecodeException {
        checkBounds(buf, offset, length);
        return DataRecordParser.parse(buf, offset, offset + length, msbFirst, null, null, false);
    }

    /**
     * As {@link #records(byte[], int, int, boolean)}, and when every record decoded, remembers the
     * telegram's format in {@code formats} for later compact frames of {@code model}
     * ({@link FormatCache#model}).
     */
    public static DataRecords records(byte[] buf, int offset, int length, boolean msbFirst, FormatCache formats, String model)
            throws DecodeException {
        if (formats == null || msbFirst) return records(buf, offset, length, msbFirst);
        checkBounds(buf, offset, length);
        java.io.ByteArrayOutputStream format = new java.io.ByteArrayOutputStream(64);
        DataRecords r = DataRecordParser.parse(buf, offset, offset + length, false, null, format, false);
        if (r.undecoded() == null && !r.records().isEmpty()) formats.learn(model, format.toByteArray());
        return r;
    }

    /**
     * The records of a telegram whose data ends early for a known reason (ciphertext shorter than its
     * configuration announced): the records before the one cut off are kept whatever its length, the
     * rest is {@link DataRecords#undecoded()}.
     */
    public static DataRecords recordsCutShort(byte[] buf, int offset, int length) throws DecodeException {
        checkBounds(buf, offset, length);
        return DataRecordParser.parse(buf, offset, offset + length, false, null, null, true);
    }

    /**
     * The records of a compact frame's application data in {@code buf[offset, offset+length)} (after
     * the header, decrypted, without the 2F 2F verification bytes): format signature, full-frame CRC
     * and data (OMS Vol 2, CI 79/7B/73), rebuilt with the format cached for {@code model}.
     *
     * @throws DecodeException UNSUPPORTED when no full frame with that format signature was heard
     *                         (or {@code formats} is {@code null}), CHECKSUM when the rebuilt records
     *                         fail the full-frame CRC, TRUNCATED or SYNTAX when the data does not fit
     *                         the format
     */
    public static DataRecords compactRecords(byte[] buf, int offset, int length, FormatCache formats, String model)
            throws DecodeException {
        checkBounds(buf, offset, length);
        return CompactFrame.decode(buf, offset, offset + length, formats, model);
    }

    /**
     * Header and records of an unencrypted application telegram starting with its CI field.
     *
     * @throws DecodeException NO_KEY when the header announces encryption (decrypt and call
     *                         {@link #records} instead), or as {@link #header} and {@link #records}
     */
    public static Apdu decode(byte[] buf, int offset, int length) throws DecodeException {
        TplHeader h = header(buf, offset, length);
        if (h.encrypted()) {
            throw new DecodeException(Kind.NO_KEY, "telegram is encrypted (security mode " + h.securityMode() + ")");
        }
        return withHeader(h, buf, offset, length);
    }

    /** Records after an already parsed header, ignoring its security mode (wired meters often send junk there). */
    static Apdu withHeader(TplHeader h, byte[] buf, int offset, int length) throws DecodeException {
        DataRecords r = records(buf, offset + h.length(), length - h.length(), h.ci() == CI_LONG_MSB);
        return new Apdu(h, r.records(), r.moreRecordsFollow(), r.manufacturerData(), r.undecoded());
    }

    /** EN 13757-3 §5.4 / EN 62056-21: three letters of 5 bits each, 'A' = 1; else 4 hex digits. */
    public static String manufacturer(int code) {
        char[] c = {(char) (64 + (code >> 10 & 0x1F)), (char) (64 + (code >> 5 & 0x1F)), (char) (64 + (code & 0x1F))};
        for (char ch : c) {
            if (ch < '@' || ch > 'Z') return String.format("%04X", code);
        }
        return new String(c);
    }

    static String applicationError(int code) { // EN 13757-3 §5.2 Table 5
        return switch (code) {
            case 0x00 -> "unspecified error";
            case 0x01 -> "unimplemented CI-field";
            case 0x02 -> "buffer too long, truncated";
            case 0x03 -> "too many records";
            case 0x04 -> "premature end of record";
            case 0x05 -> "more than 10 DIFEs";
            case 0x06 -> "more than 10 VIFEs";
            case 0x07 -> "reserved";
            case 0x08 -> "application busy";
            case 0x09 -> "too many readouts";
            default -> String.format("code %02X", code);
        };
    }

    private static int u16(byte[] le) { return (le[0] & 0xFF) | (le[1] & 0xFF) << 8; }

    private static void checkBounds(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " outside " + buf.length);
        }
    }
}
