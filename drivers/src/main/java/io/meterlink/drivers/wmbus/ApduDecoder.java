package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusDecoder;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusTelegram;

/**
 * Decodes the data records of a (decrypted) application layer with the wired M-Bus decoder
 * (EN 13757-3 §6), by presenting them behind an equivalent CI 72 long header. The one place that
 * depends on the {@code mbus} package's API. Stateless, thread-safe.
 */
final class ApduDecoder {
    private static final int HEADER = 12;
    private static final MbusDecoder DECODER = new MbusDecoder();

    private ApduDecoder() {}

    /**
     * @param idLe      identification number bytes as sent (LSB first)
     * @param manLe     manufacturer bytes as sent
     * @param apdu      the records, plaintext
     */
    static MbusTelegram decode(byte[] idLe, byte[] manLe, int version, int deviceType, int access, int status,
                               byte[] apdu, int from, String meter) throws DecodeException {
        int n = apdu.length - from;
        if (n + HEADER > MbusFrame.Long.MAX_DATA) {
            throw new DecodeException(DecodeException.Kind.LENGTH, "application layer longer than " + (MbusFrame.Long.MAX_DATA - HEADER) + " bytes", meter, null);
        }
        byte[] d = new byte[HEADER + n];
        System.arraycopy(idLe, 0, d, 0, 4);
        System.arraycopy(manLe, 0, d, 4, 2);
        d[6] = (byte) version;
        d[7] = (byte) deviceType;
        d[8] = (byte) access;
        d[9] = (byte) status;
        System.arraycopy(apdu, from, d, HEADER, n);
        try {
            return DECODER.decode(new MbusFrame.Long(0x08, 0, 0x72, d));
        } catch (DecodeException e) {
            throw new DecodeException(e.kind(), e.getMessage(), meter, e);
        }
    }
}
