package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the data records of the variable data structure (EN 13757-3 §6): DIB, VIB, value; idle
 * filler 2F skipped; manufacturer data after DIF 0F/1F kept raw. Pure and thread-safe.
 */
final class DataRecordParser {
    /** EN 13757-3 §6.3.1: at most 10 DIFE and 10 VIFE per record. */
    static final int MAX_EXTENSIONS = 10;
    private static final MeasurementFunction[] FUNCTIONS = MeasurementFunction.values();

    private DataRecordParser() {}

    /** Most bytes after the last good record kept as an {@link UndecodedTail}: too few for any record with a value. */
    static final int MAX_TRAILER = 2;

    /**
     * The records of {@code d[from, to)}. When the last {@value #MAX_TRAILER} bytes or fewer are no
     * record (too short for DIF, VIF and a value: a trailer such as a CRC left in), when a special
     * DIF (3F..7F) follows good records, or when the last record's value runs past the end of the
     * data, the records before are kept and the rest is returned as an {@link UndecodedTail}
     * (counted by the caller under its kind). Any other record that cannot be decoded (more than 10
     * extensions, a reserved coding) refuses the telegram with its error: the parse may have gone
     * astray before it (proprietary data read as records), so the records before it are not trusted
     * either, unless {@code cutShort} says why the data ends early.
     *
     * @param format   when not {@code null}, receives the DIB and VIB bytes of every record in order
     *                 (and a final DIF 0F/1F): the telegram's format for compact frames (OMS Vol 2)
     * @param cutShort the data is known to end early (ciphertext shorter than announced): keep the
     *                 records before a broken one whatever its length
     */
    static ApplicationLayer.DataRecords parse(byte[] d, int from, int to, boolean msbFirst, String where,
                                              java.io.ByteArrayOutputStream format, boolean cutShort) throws DecodeException {
        ByteCursor c = new ByteCursor(d, from, to, where);
        List<MbusRecord> records = new ArrayList<>();
        boolean more = false;
        String manufacturerData = "";
        UndecodedTail tail = null;
        while (c.remaining() > 0) {
            int dif = c.peek();
            if (dif == 0x2F) { // EN 13757-3 §6.3.3: idle filler
                c.next();
                continue;
            }
            if (dif == 0x0F || dif == 0x1F) { // §6.3.3: manufacturer specific data to the end; 1F = more records follow
                c.next();
                if (format != null) format.write(dif);
                more = dif == 0x1F;
                manufacturerData = MbusRecord.hex(d, c.pos, to);
                break;
            }
            int start = c.pos;
            MbusRecord r;
            try {
                if ((dif & 0x0F) == 0x0F) { // 3F..6F reserved, 7F global readout request (master to slave only)
                    throw c.error(Kind.UNSUPPORTED, String.format("special DIF %02X not allowed in a response", dif));
                }
                r = record(c, msbFirst, format);
            } catch (DecodeException e) {
                if (records.isEmpty() || (!cutShort && to - start > MAX_TRAILER && !trailing(e, d[start] & 0xFF))) throw e;
                tail = new UndecodedTail(e.kind(), e.getMessage(), MbusRecord.hex(d, start, to));
                break;
            }
            if (!CompactProfile.isProfile(r.modifiers()) || !CompactProfile.expand(r, records)) records.add(r);
        }
        return new ApplicationLayer.DataRecords(records, more, manufacturerData, tail);
    }

    /**
     * A broken record that ends the records without putting the ones before in doubt: a special DIF
     * (3F..7F, EN 13757-3 Table 8 — reserved or a readout request, after which nothing can be read
     * as records) or one last record whose value runs past the end of the data (a telegram cut short
     * or a capture with its last bytes missing).
     */
    private static boolean trailing(DecodeException e, int dif) {
        return (dif & 0x0F) == 0x0F || e.kind() == Kind.TRUNCATED;
    }

    private static MbusRecord record(ByteCursor c, boolean msbFirst, java.io.ByteArrayOutputStream format) throws DecodeException {
        int start = c.pos;
        int dif = c.next();
        // EN 13757-3 §6.3.5: DIFE bit 6 sub-unit, bits 4-5 tariff, bits 0-3 storage, bit 7 extension
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
        MeasurementFunction function = FUNCTIONS[dif >> 4 & 0x03]; // §6.3.2 function field

        int vibStart = c.pos;
        VifDecoder.Vib vib = VifDecoder.decode(c, msbFirst);
        String vibHex = MbusRecord.hex(c.data, vibStart, c.pos);
        if (format != null) format.write(c.data, start, c.pos - start);

        DataFieldCoding coding = DataFieldCoding.ofDif(dif);
        MbusValue value = coding == DataFieldCoding.VARIABLE && CompactProfile.isProfile(vib.modifiers())
                ? profileBytes(c) : value(c, coding, vib.meaning(), msbFirst);
        return new MbusRecord(dib, vibHex, function, storage, tariff, subunit, coding, vib.meaning(), vib.modifiers(), vib.error(), value);
    }

    private static MbusValue value(ByteCursor c, DataFieldCoding coding, VifMeaning meaning, boolean msbFirst) throws DecodeException {
        if (coding == DataFieldCoding.VARIABLE) return variable(c, meaning);
        int len = coding.length();
        byte[] raw = field(c.data, c.take(len), len, msbFirst);
        if (len == 0) return new MbusValue.Raw(raw);
        switch (meaning.kind()) {
            case DATE:
                if (coding == DataFieldCoding.INT16) return DataValues.dateG(raw);
                if (coding == DataFieldCoding.INT32) return DataValues.dateTimeF(raw);
                return new MbusValue.Raw(raw);
            case DATE_TIME:
            case EVENT_TIME:
                if (coding == DataFieldCoding.INT32) return DataValues.dateTimeF(raw);
                if (coding == DataFieldCoding.INT48) return DataValues.dateTimeI(raw);
                if (coding == DataFieldCoding.INT24) return DataValues.timeJ(raw);
                if (coding == DataFieldCoding.INT16) return DataValues.dateG(raw);
                return new MbusValue.Raw(raw);
            case IDENTIFIER:
                if (coding.isBcd()) return new MbusValue.Text(DataValues.bcdDigits(raw));
                if (coding == DataFieldCoding.INT16 && meaning == ExtensionVifTables.lookupFd(0x0A)) { // FD 0A: the header's 3-letter code
                    return new MbusValue.Text(ApplicationLayer.manufacturer(DataValues.unsigned(raw).intValue()));
                }
                if (coding.isInteger()) return new MbusValue.Numeric(DataValues.unsigned(raw));
                return new MbusValue.Raw(raw);
            case FLAGS:
                return coding.isInteger() ? new MbusValue.Numeric(DataValues.unsigned(raw)) : new MbusValue.Raw(raw);
            case NUMERIC:
            case PLAIN_TEXT:
                BigDecimal number = number(coding, raw);
                if (number == null) return new MbusValue.Raw(raw);
                return new MbusValue.Numeric(meaning.factor() == BigDecimal.ONE ? number : number.multiply(meaning.factor()));
            default: // MANUFACTURER, DAYLIGHT_SAVING, UNSUPPORTED
                return new MbusValue.Raw(raw);
        }
    }

    private static BigDecimal number(DataFieldCoding coding, byte[] le) {
        if (coding.isInteger()) return DataValues.signed(le);   // Annex A type B
        if (coding.isBcd()) return DataValues.bcd(le);          // type A
        if (coding == DataFieldCoding.REAL32) return DataValues.real32(le); // type H
        return null;
    }

    /** The LVAR data of a compact profile in the order sent (Annex F); a non-binary LVAR is read as bytes too. */
    private static MbusValue profileBytes(ByteCursor c) throws DecodeException {
        int len = lvarLength(c, c.next());
        int at = c.take(len);
        byte[] raw = new byte[len];
        System.arraycopy(c.data, at, raw, 0, len);
        return new MbusValue.Raw(raw);
    }

    /** EN 13757-3 Annex B: LVAR gives text, BCD or binary of a length it encodes. */
    private static MbusValue variable(ByteCursor c, VifMeaning meaning) throws DecodeException {
        int lvar = c.next();
        int len = lvarLength(c, lvar);
        int at = c.take(len);
        byte[] raw = new byte[len];
        System.arraycopy(c.data, at, raw, 0, len);
        boolean numeric = meaning.kind() == VifMeaning.Kind.NUMERIC || meaning.kind() == VifMeaning.Kind.PLAIN_TEXT;
        if (lvar <= 0xBF) return new MbusValue.Text(DataValues.text(raw));
        if (lvar <= 0xDF) {
            if (len == 0 || len > 9) return new MbusValue.Raw(raw);
            BigDecimal v = DataValues.bcd(raw);
            if (v == null) return new MbusValue.Raw(raw);
            if (lvar >= 0xD0) v = v.negate();
            if (numeric) return new MbusValue.Numeric(v.multiply(meaning.factor()));
            return new MbusValue.Text(DataValues.bcdDigits(raw));
        }
        if (numeric && len > 0 && len <= 8) return new MbusValue.Numeric(DataValues.signed(raw).multiply(meaning.factor()));
        return new MbusValue.Raw(raw);
    }

    /** Data length an LVAR byte announces (Annex B). */
    static int lvarLength(ByteCursor c, int lvar) throws DecodeException {
        if (lvar <= 0xBF) return lvar;                      // text
        if (lvar <= 0xCF) return lvar - 0xC0;               // positive BCD
        if (lvar <= 0xDF) return lvar - 0xD0;               // negative BCD
        if (lvar <= 0xEF) return lvar - 0xE0;               // binary number
        if (lvar <= 0xF4) return 4 * (lvar - 0xEC);         // binary number, 16..32 bytes
        if (lvar == 0xF5) return 48;
        if (lvar == 0xF6) return 64;
        throw c.error(Kind.UNSUPPORTED, String.format("reserved LVAR %02X", lvar));
    }

    /** Copy of a multi-byte field in LSB-first order (mode 2 frames send MSB first). */
    static byte[] field(byte[] d, int at, int len, boolean msbFirst) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) out[i] = d[msbFirst ? at + len - 1 - i : at + i];
        return out;
    }
}
