package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.ApplicationLayer;
import io.meterlink.drivers.mbus.FormatCache;
import io.meterlink.drivers.mbus.MbusFrame;

/**
 * Decodes the data records of a (decrypted) application layer with the M-Bus application layer
 * (EN 13757-3 §6), in place: no copy of the records. The one place that depends on the {@code mbus}
 * package's API. Stateless, thread-safe.
 */
final class ApduDecoder {
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
}
