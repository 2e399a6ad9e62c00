package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.mbus.ApplicationLayer;
import io.meterlink.drivers.mbus.Crc16;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.UndecodedTail;

import java.util.HexFormat;
import java.util.List;

/**
 * Decodes the data records of a (decrypted) application layer with the M-Bus application layer
 * (EN 13757-3 §6), in place: no copy of the records. The one place that depends on the {@code mbus}
 * package's API. Stateless, thread-safe.
 */
final class ApduDecoder {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    /** The records of a wireless telegram fit in the same room as those of a wired long frame behind a long header. */
    static final int MAX_RECORDS_LENGTH = MbusFrame.Long.MAX_DATA - 12;

    private ApduDecoder() {}

    /**
     * @param apdu    the records, plaintext, in {@code apdu[from..to)}
     * @param formats where to learn the telegram's format for compact frames, or {@code null}
     * @param model   the meter model ({@link FormatCache#model})
     * @throws DecodeException without the meter: the caller adds it
     */
    static ApplicationLayer.DataRecords decode(byte[] apdu, int from, int to, FormatCache formats, String model) throws DecodeException {
        return ApplicationLayer.records(apdu, from, checkedLength(from, to), false, formats, model);
    }

    /** The records of decrypted blocks cut short (the frame ended before the announced ciphertext did). */
    static ApplicationLayer.DataRecords cutShort(byte[] apdu, int from, int to) throws DecodeException {
        return ApplicationLayer.recordsCutShort(apdu, from, checkedLength(from, to));
    }

    /** The records of a compact frame (format signature, full-frame CRC, data) in {@code apdu[from..to)}. */
    static ApplicationLayer.DataRecords compact(byte[] apdu, int from, int to, FormatCache formats, String model) throws DecodeException {
        return ApplicationLayer.compactRecords(apdu, from, checkedLength(from, to), formats, model);
    }

    private static int checkedLength(int from, int to) throws DecodeException {
        int n = to - from;
        if (n > MAX_RECORDS_LENGTH) {
            throw new DecodeException(DecodeException.Kind.LENGTH, "application layer longer than " + MAX_RECORDS_LENGTH + " bytes");
        }
        return n;
    }

    /** The transport header's facts the application layer needs (the metering device, CI, security mode). */
    record Header(int ci, int mode, String man, String id, int version, int type, int access, int status) {}

    /**
     * The application layer of one decoding run: the (decrypted) data in {@code apdu[from..]} as
     * records (full or compact frame), or the manufacturer's payload kept whole, then the values of
     * a matching driver file.
     */
    static WmbusTelegram telegram(DecodeRun r, Header h, byte[] apdu, int from) throws DecodeException {
        int ci = h.ci(), mode = h.mode(), version = h.version(), type = h.type();
        String man = h.man(), id = h.id();
        // a cut-short ciphertext ends in a record cut off: the records before it stand, the rest is undecoded
        String model = r.formats == null ? null : FormatCache.model(man, version, type); // no string per telegram without a cache
        ApplicationLayer.DataRecords t;
        if (r.reassembled && apdu.length - from > MAX_RECORDS_LENGTH) { // a message reassembled from AFL fragments may be longer
            t = ApplicationLayer.records(apdu, from, apdu.length - from, false, r.formats, model);
            return new WmbusTelegram(r.link, man, id, version, type, ci, h.access(), h.status(), r.security, t.records(),
                    t.manufacturerData(), t.undecoded(), null, List.of(), r.f, r.counter);
        }
        boolean compact = ci == 0x79 || ci == 0x7B || ci == 0x73;
        DriverFile driver = r.drivers.match(man, version, type, ci);
        try {
            if (compact) { // OMS Vol 2: compact frame, after the 2F 2F of a decrypted one
                if (mode != 0 && from + 2 <= apdu.length && apdu[from] == 0x2F && apdu[from + 1] == 0x2F) from += 2;
                t = compact(apdu, from, apdu.length, r.formats, model);
            } else if (driver != null && driver.proprietaryPayload()) { // the manufacturer's layout: no generic records
                t = new ApplicationLayer.DataRecords(List.of(), false, HEX.formatHex(apdu, from, apdu.length), null);
            } else {
                t = r.cutShort ? cutShort(apdu, from, apdu.length) : decode(apdu, from, apdu.length, r.formats, model);
            }
        } catch (DecodeException e) {
            throw new DecodeException(e.kind(), e.getMessage(), r.device(), e);
        }
        if (t.undecoded() != null && r.maybeBadB && !r.payloadChecked && t.undecoded().hex().length() == 4) {
            if (lastFormatACrcKept(r.f)) {
                // a capture that removed every format A CRC but the last block's (EN 13757-4 §12.5.2): checked, then dropped
                t = new ApplicationLayer.DataRecords(t.records(), t.moreRecordsFollow(), t.manufacturerData(), null);
            } else {
                // EN 13757-4 §12.5.3: two bytes after the last record are where a format B frame has its CRC; it did not match
                throw new DecodeException(Kind.CHECKSUM, "the last 2 bytes are no record and neither a valid format B CRC nor the"
                        + " last format A block's CRC (damaged frame or wrong CRC): refused, its records cannot be trusted", r.device(), null);
            }
        }
        List<DriverValue> values = List.of();
        UndecodedTail undecoded = t.undecoded();
        if (driver != null && !driver.descrambles()) { // a descrambler works on manufacturer CI telegrams only
            int mfrFrom = t.manufacturerData().isEmpty() ? -1 : apdu.length - t.manufacturerData().length() / 2;
            DriverFile.Applied a = driver.apply(apdu, from, apdu.length, mfrFrom, t.records());
            values = a.values();
            if (undecoded == null) undecoded = a.cut(); // a value the driver could not read whole: counted, the rest stands
        }
        return new WmbusTelegram(r.link, man, id, version, type, ci, h.access(), h.status(), r.security, t.records(), t.manufacturerData(),
                undecoded, driver == null ? null : driver.name(), values, r.reassembled ? r.f : null, r.counter);
    }

    /**
     * Whether the last 2 bytes of {@code f} (L + 1 bytes, CRCs otherwise removed) are the CRC of the
     * format A block they would close (EN 13757-4 §12.5.2: a 10-byte first block, then blocks of 16):
     * some loggers remove every CRC but the last one and count it in L.
     */
    static boolean lastFormatACrcKept(byte[] f) {
        int data = f.length - 2;
        if (data <= LinkLayer.HEADER) return false;
        int lastBlock = LinkLayer.HEADER + (data - LinkLayer.HEADER - 1) / 16 * 16;
        return Crc16.matches(f, lastBlock, data);
    }
}
