package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

/**
 * Decodes the application layer of a wired RSP_UD long frame (EN 13757-3) through
 * {@link ApplicationLayer}: CI 72 (long header), 76 (long header, MSB first), 7A (short header),
 * 78 (no header). A pure function, thread-safe. Records it cannot interpret are kept raw; a
 * structural problem (truncation, too many extensions, reserved codings whose length is unknown)
 * ends the records there ({@link MbusTelegram#undecoded()}), or refuses the frame when it is in the
 * first record.
 */
public final class MbusDecoder {
    /** EN 13757-3 §6.3.1: at most 10 DIFE and 10 VIFE per record. */
    static final int MAX_EXTENSIONS = DataRecordParser.MAX_EXTENSIONS;

    /** Decodes one long frame from a slave. */
    public MbusTelegram decode(MbusFrame.Long frame) throws DecodeException {
        String where = "primary " + frame.address();
        if ((frame.control() & 0xCF) != 0x08) {
            throw new DecodeException(Kind.SYNTAX, String.format("not an RSP_UD (C=%02X)", frame.control()), where, null);
        }
        byte[] d = frame.data();
        byte[] apdu = new byte[d.length + 1];
        apdu[0] = (byte) frame.ci();
        System.arraycopy(d, 0, apdu, 1, d.length);
        try {
            TplHeader h = ApplicationLayer.header(apdu, 0, apdu.length);
            ApplicationLayer.Apdu a = ApplicationLayer.withHeader(h, apdu, 0, apdu.length);
            MbusHeader header = new MbusHeader(h.id(), h.manufacturer(), h.version(), h.medium(), h.accessNumber(), h.status(), h.configuration());
            return new MbusTelegram(frame.control(), frame.address(), frame.ci(), header, a.records(), a.moreRecordsFollow(), a.manufacturerData(),
                    a.undecoded());
        } catch (DecodeException e) {
            throw new DecodeException(e.kind(), e.getMessage(), where, e.getCause());
        }
    }

    /** EN 13757-3 §5.4 / EN 62056-21: three letters of 5 bits each, 'A' = 1. */
    static String manufacturer(int code) {
        return ApplicationLayer.manufacturer(code);
    }
}
