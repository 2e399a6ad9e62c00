package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the application layer of a wired RSP_UD long frame (EN 13757-3): the variable data
 * structure with CI 72 (LSB first) or 76 (MSB first, mode 2). A pure function, thread-safe.
 * Records it cannot interpret are kept raw with {@link VifMeaning.Kind#UNSUPPORTED}; only
 * structural problems (truncation, too many extensions, reserved codings whose length is unknown)
 * refuse the whole frame.
 */
public final class MbusDecoder {
    /** EN 13757-3 §6.3.1: at most 10 DIFE and 10 VIFE per record. */
    static final int MAX_EXTENSIONS = 10;
    private static final int CI_VARIABLE = 0x72;
    private static final int CI_VARIABLE_MSB = 0x76;
    private static final int CI_APPLICATION_ERROR = 0x70;
    private static final int HEADER_LENGTH = 12;

    /** Decodes one long frame from a slave. */
    public MbusTelegram decode(MbusFrame.Long frame) throws DecodeException {
        String where = "primary " + frame.address();
        if ((frame.control() & 0xCF) != 0x08) {
            throw new DecodeException(Kind.SYNTAX, String.format("not an RSP_UD (C=%02X)", frame.control()), where, null);
        }
        int ci = frame.ci();
        if (ci == CI_APPLICATION_ERROR) {
            String what = frame.dataLength() > 0 ? applicationError(frame.dataByte(0)) : "unspecified error";
            throw new DecodeException(Kind.OTHER, "meter reports application error: " + what, where, null);
        }
        if (ci != CI_VARIABLE && ci != CI_VARIABLE_MSB) {
            throw new DecodeException(Kind.UNSUPPORTED, String.format("CI %02X not supported", ci), where, null);
        }
        boolean msbFirst = ci == CI_VARIABLE_MSB;
        byte[] d = frame.data();
        if (d.length < HEADER_LENGTH) {
            throw new DecodeException(Kind.TRUNCATED, "variable data header needs 12 bytes, got " + d.length, where, null);
        }
        MbusHeader header = header(d, msbFirst);
        Cursor c = new Cursor(d, HEADER_LENGTH, where);
        List<MbusRecord> records = new ArrayList<>();
        boolean more = false;
        String manufacturerData = "";
        while (c.remaining() > 0) {
            int dif = c.peek();
            if (dif == 0x2F) { // EN 13757-3 §6.3.2: idle filler
                c.next();
                continue;
            }
            if (dif == 0x0F || dif == 0x1F) { // §6.3.2: manufacturer specific data to the end; 1F = more records follow
                c.next();
                more = dif == 0x1F;
                manufacturerData = MbusRecord.hex(d, c.pos, d.length);
                break;
            }
            if ((dif & 0x0F) == 0x0F) {
                throw new DecodeException(Kind.UNSUPPORTED, String.format("reserved special DIF %02X", dif), where, null);
            }
            records.add(record(c, msbFirst));
        }
        return new MbusTelegram(frame.control(), frame.address(), ci, header, records, more, manufacturerData);
    }

    private static MbusHeader header(byte[] d, boolean msbFirst) {
        byte[] id = field(d, 0, 4, msbFirst);
        StringBuilder ids = new StringBuilder(8);
        for (int i = 3; i >= 0; i--) ids.append(String.format("%02X", id[i] & 0xFF));
        byte[] man = field(d, 4, 2, msbFirst);
        int m = (man[0] & 0xFF) | (man[1] & 0xFF) << 8;
        byte[] sig = field(d, 10, 2, msbFirst);
        return new MbusHeader(ids.toString(), manufacturer(m), d[6] & 0xFF, d[7] & 0xFF, d[8] & 0xFF, d[9] & 0xFF,
                (sig[0] & 0xFF) | (sig[1] & 0xFF) << 8);
    }

    /** EN 13757-3 §5.4 / EN 62056-21: three letters of 5 bits each, 'A' = 1. */
    static String manufacturer(int code) {
        char[] c = {(char) (64 + (code >> 10 & 0x1F)), (char) (64 + (code >> 5 & 0x1F)), (char) (64 + (code & 0x1F))};
        for (char ch : c) {
            if (ch < '@' || ch > 'Z') return String.format("%04X", code);
        }
        return new String(c);
    }

    private static MbusRecord record(Cursor c, boolean msbFirst) throws DecodeException {
        int start = c.pos;
        int dif = c.next();
        // EN 13757-3 §6.3.4: DIFE bit 6 sub-unit, bits 4-5 tariff, bits 0-3 storage, bit 7 extension
        long storage = dif >> 6 & 0x01;
        int tariff = 0, subunit = 0, n = 0;
        int e = dif;
        while ((e & 0x80) != 0) {
            if (n == MAX_EXTENSIONS) throw c.error(Kind.SYNTAX, "more than 10 DIFEs");
            e = c.next();
            storage |= (long) (e & 0x0F) << (1 + 4 * n);
            tariff |= (e >> 4 & 0x03) << (2 * n);
            subunit |= (e >> 6 & 0x01) << n;
            n++;
        }
        String dib = MbusRecord.hex(c.data, start, c.pos);
        MeasurementFunction function = MeasurementFunction.values()[dif >> 4 & 0x03]; // §6.3.2 function field

        int vibStart = c.pos;
        int vif = c.next();
        int plainTextEnd = -1;
        if ((vif & 0x7F) == 0x7C) { // §6.4.6 plain text VIF: length byte and ASCII unit
            int len = c.next();
            c.skip(len);
            plainTextEnd = c.pos;
        }
        List<Integer> vifes = new ArrayList<>();
        int v = vif;
        while ((v & 0x80) != 0) {
            if (vifes.size() == MAX_EXTENSIONS) throw c.error(Kind.SYNTAX, "more than 10 VIFEs");
            v = c.next();
            vifes.add(v);
        }
        String vib = MbusRecord.hex(c.data, vibStart, c.pos);
        VifMeaning meaning = meaning(vif, vifes, plainTextEnd >= 0);

        DataFieldCoding coding = DataFieldCoding.ofDif(dif);
        MbusValue value = value(c, coding, meaning, msbFirst);
        return new MbusRecord(dib, vib, function, storage, tariff, subunit, coding, meaning, value);
    }

    private static VifMeaning meaning(int vif, List<Integer> vifes, boolean plainText) {
        if (plainText) return VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, "plain text VIF");
        VifMeaning m;
        int combinableFrom;
        if (vif == 0xFB && !vifes.isEmpty()) { // §6.4.3 first extension table
            m = ExtensionVifTables.lookupFb(vifes.get(0));
            combinableFrom = 1;
        } else if (vif == 0xFD && !vifes.isEmpty()) { // §6.4.3 second extension table
            m = ExtensionVifTables.lookupFd(vifes.get(0));
            combinableFrom = 1;
        } else if ((vif & 0x7F) >= 0x7B) { // 7B/7D reserved, 7E any VIF, 7F manufacturer specific
            return VifMeaning.of(VifMeaning.Kind.UNSUPPORTED, String.format("VIF %02X", vif));
        } else {
            m = PrimaryVifTable.lookup(vif);
            combinableFrom = 0;
        }
        for (int i = combinableFrom; i < vifes.size(); i++) {
            m = ExtensionVifTables.combine(m, vifes.get(i));
        }
        return m;
    }

    private static MbusValue value(Cursor c, DataFieldCoding coding, VifMeaning meaning, boolean msbFirst) throws DecodeException {
        if (coding == DataFieldCoding.VARIABLE) return variable(c);
        int len = coding.length();
        byte[] raw = field(c.data, c.take(len), len, msbFirst);
        if (len == 0) return new MbusValue.Raw(raw);
        switch (meaning.kind()) {
            case DATE:
                return coding == DataFieldCoding.INT16 ? dateG(raw) : new MbusValue.Raw(raw);
            case DATE_TIME:
                if (coding == DataFieldCoding.INT32) return dateTimeF(raw);
                if (coding == DataFieldCoding.INT48) return dateTimeI(raw);
                return new MbusValue.Raw(raw);
            case UNSUPPORTED:
                return new MbusValue.Raw(raw);
            default:
                BigDecimal number = number(coding, raw);
                return number == null ? new MbusValue.Raw(raw) : new MbusValue.Numeric(number.multiply(meaning.factor()));
        }
    }

    /** Integers are signed two's complement (Type B), BCD may be negative (Type A, MSD F), real is IEEE 754 (Type H). */
    private static BigDecimal number(DataFieldCoding coding, byte[] le) {
        if (coding.isInteger()) {
            byte[] be = new byte[le.length];
            for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
            return new BigDecimal(new BigInteger(be));
        }
        if (coding.isBcd()) return bcd(le);
        if (coding == DataFieldCoding.REAL32) {
            int bits = (le[0] & 0xFF) | (le[1] & 0xFF) << 8 | (le[2] & 0xFF) << 16 | (le[3] & 0xFF) << 24;
            float f = Float.intBitsToFloat(bits);
            return Float.isFinite(f) ? new BigDecimal((double) f) : null; // the exact binary value
        }
        return null;
    }

    /** EN 13757-3 Annex A Type A; negative when the most significant nibble is F. {@code null} if not BCD. */
    static BigDecimal bcd(byte[] le) {
        long v = 0;
        boolean negative = false;
        for (int i = le.length - 1; i >= 0; i--) {
            int hi = le[i] >> 4 & 0x0F, lo = le[i] & 0x0F;
            if (i == le.length - 1 && hi == 0x0F) {
                negative = true;
                hi = 0;
            }
            if (hi > 9 || lo > 9) return null;
            v = v * 100 + hi * 10 + lo;
        }
        return BigDecimal.valueOf(negative ? -v : v);
    }

    /** EN 13757-3 Annex A Type G: day, month, year in 16 bits. */
    private static MbusValue dateG(byte[] b) {
        int day = b[0] & 0x1F, month = b[1] & 0x0F;
        int year = year((b[0] & 0xE0) >> 5 | (b[1] & 0xF0) >> 1);
        String text = String.format("%04d-%02d-%02d", year, month, day);
        try {
            return new MbusValue.Date(LocalDate.of(year, month, day), text);
        } catch (DateTimeException e) {
            return new MbusValue.Date(null, text);
        }
    }

    /** EN 13757-3 Annex A Type F: minute (bit 7 = invalid), hour (bit 7 = summer time), day, month, year. */
    private static MbusValue dateTimeF(byte[] b) {
        boolean invalid = (b[0] & 0x80) != 0;
        int minute = b[0] & 0x3F, hour = b[1] & 0x1F, day = b[2] & 0x1F, month = b[3] & 0x0F;
        int year = year((b[2] & 0xE0) >> 5 | (b[3] & 0xF0) >> 1);
        return dateTime(year, month, day, hour, minute, 0, invalid, (b[1] & 0x80) != 0);
    }

    /** EN 13757-3:2013 Annex A Type I: second, minute, hour, day, month, year (+ weekday, week). */
    private static MbusValue dateTimeI(byte[] b) {
        int second = b[0] & 0x3F, minute = b[1] & 0x3F, hour = b[2] & 0x1F, day = b[3] & 0x1F, month = b[4] & 0x0F;
        boolean invalid = (b[0] & 0x80) != 0 || (b[1] & 0x80) != 0;
        int year = year((b[3] & 0xE0) >> 5 | (b[4] & 0xF0) >> 1);
        return dateTime(year, month, day, hour, minute, second, invalid, (b[2] & 0x40) != 0);
    }

    private static MbusValue dateTime(int y, int mo, int d, int h, int mi, int s, boolean invalid, boolean summer) {
        String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
        if (invalid) return new MbusValue.DateTime(null, summer, text);
        try {
            return new MbusValue.DateTime(LocalDateTime.of(y, mo, d, h, mi, s), summer, text);
        } catch (DateTimeException e) {
            return new MbusValue.DateTime(null, summer, text);
        }
    }

    /** Two-digit years: 81–99 are 19xx, the rest 20xx (as meters of the last century sent them). */
    private static int year(int yy) { return yy >= 81 ? 1900 + yy : 2000 + yy; }

    /** EN 13757-3 Annex B: LVAR gives text, BCD or binary of a length it encodes. */
    private static MbusValue variable(Cursor c) throws DecodeException {
        int lvar = c.next();
        if (lvar <= 0xBF) {
            int at = c.take(lvar);
            byte[] s = new byte[lvar];
            for (int i = 0; i < lvar; i++) s[i] = c.data[at + lvar - 1 - i]; // sent last character first
            return new MbusValue.Text(new String(s, StandardCharsets.ISO_8859_1));
        }
        int len;
        if (lvar <= 0xCF) len = lvar - 0xC0;        // positive BCD
        else if (lvar <= 0xDF) len = lvar - 0xD0;   // negative BCD
        else if (lvar <= 0xEF) len = lvar - 0xE0;   // binary number
        else if (lvar <= 0xF4) len = 4 * (lvar - 0xEC);
        else throw c.error(Kind.UNSUPPORTED, String.format("reserved LVAR %02X", lvar));
        int at = c.take(len);
        byte[] raw = new byte[len];
        System.arraycopy(c.data, at, raw, 0, len);
        return new MbusValue.Raw(raw);
    }

    /** Copy of a multi-byte field in LSB-first order (mode 2 frames send MSB first). */
    private static byte[] field(byte[] d, int at, int len, boolean msbFirst) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) out[i] = d[msbFirst ? at + len - 1 - i : at + i];
        return out;
    }

    private static String applicationError(int code) { // EN 13757-3 §5.2 Table 5
        return switch (code) {
            case 0x01 -> "application busy";
            case 0x02 -> "any application error";
            case 0x03 -> "abnormal condition";
            default -> String.format("code %02X", code);
        };
    }

    private static final class Cursor {
        final byte[] data;
        final String where;
        int pos;

        Cursor(byte[] data, int pos, String where) {
            this.data = data;
            this.pos = pos;
            this.where = where;
        }

        int remaining() { return data.length - pos; }

        int peek() { return data[pos] & 0xFF; }

        int next() throws DecodeException {
            if (pos >= data.length) throw error(Kind.TRUNCATED, "record truncated at byte " + pos);
            return data[pos++] & 0xFF;
        }

        /** Reserves {@code len} bytes and returns where they start. */
        int take(int len) throws DecodeException {
            if (len > remaining()) throw error(Kind.TRUNCATED, "record data truncated: need " + len + " bytes, " + remaining() + " left");
            int at = pos;
            pos += len;
            return at;
        }

        void skip(int len) throws DecodeException { take(len); }

        DecodeException error(Kind kind, String message) { return new DecodeException(kind, message, where, null); }
    }
}
