package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.FormatCache;


/**
 * Decodes one wireless M-Bus frame: link layer (EN 13757-4, CRCs present or removed), extended link
 * layer CI 8C/8D/8E/8F (8D/8F with AES-128-CTR), authentication and fragmentation layer CI 90 (MAC
 * verified; fragments reassembled by an {@link AflReassembler}), transport layer CI 72/7A/78 (full
 * frames) and 73/7B/79 (compact frames, rebuilt from a {@link FormatCache}) with security mode 2
 * (DES-CBC), 5 (AES-CBC), 7 (AES-CBC, CMAC key derivation, OMS Vol 2 §9) or 10 (AES-CCM), then the
 * data records (EN 13757-3). Thread-safe; pure but for the format cache it is given.
 * One class per layer: {@link LinkLayer}, {@link ExtendedLinkLayer}, {@link AuthenticationLayer},
 * {@link TransportLayer} (with security), {@link ApduDecoder} and the driver files; {@link DecodeRun}
 * carries one frame through them.
 * A telegram whose checks fail is refused with a typed {@link DecodeException}: a missing key is
 * {@code NO_KEY}, a wrong key {@code WRONG_KEY}, a MAC mismatch {@code AUTHENTICATION}; never a
 * reading from undecryptable bytes. A record that cannot be decoded after good ones ends the
 * records ({@link WmbusTelegram#undecoded()}).
 */
public final class WmbusDecoder {

    private WmbusDecoder() {}

    /**
     * Decodes one frame, starting with its L field.
     *
     * @param frame a wireless frame, with or without its block CRCs (format A or B)
     * @param keys  where to find meter keys; {@link KeyLookup#none()} when there are none
     */
    public static WmbusTelegram decode(byte[] frame, KeyLookup keys) throws DecodeException {
        return decode(frame, keys, null);
    }

    /**
     * Decodes one frame, learning the format of full frames into {@code formats} and rebuilding
     * compact frames (CI 79/7B/73) from it, with the built-in driver files; fragmented AFL messages are
     * refused ({@code UNSUPPORTED}).
     *
     * @param formats formats heard so far (shared across telegrams), or {@code null}: then compact
     *                frames are refused ({@code UNSUPPORTED})
     */
    public static WmbusTelegram decode(byte[] frame, KeyLookup keys, FormatCache formats) throws DecodeException {
        return decode(frame, keys, formats, DriverSet.builtin(), null);
    }

    /**
     * As {@link #decode(byte[], KeyLookup, FormatCache)} for a frame whose CRCs a dongle already
     * checked and removed: taken as it is (bytes after the L-declared end ignored), never guessed at
     * as format A or B.
     */
    public static WmbusTelegram decodeWithoutCrcs(byte[] frame, KeyLookup keys, FormatCache formats) throws DecodeException {
        return decodeWithoutCrcs(frame, keys, formats, DriverSet.builtin(), null);
    }

    /**
     * As {@link #decode(byte[], KeyLookup, FormatCache)} with the driver files of {@code drivers} (a
     * matching driver adds its named values, {@link WmbusTelegram#driverValues()}, on top of the generic
     * records), reassembling fragmented AFL messages in {@code fragments}: a fragment held gives a
     * telegram with CI 90 and no records, the fragment that completes a message gives the whole
     * message's telegram.
     *
     * @param fragments where fragments are held, or {@code null}: then a fragment is refused ({@code UNSUPPORTED})
     */
    public static WmbusTelegram decode(byte[] frame, KeyLookup keys, FormatCache formats, DriverSet drivers, AflReassembler fragments)
            throws DecodeException {
        byte[] f = LinkLayer.stripShared(frame); // Parse never writes into f
        return new DecodeRun(f, keys, formats, drivers, fragments, f == frame && LinkLayer.couldBeFormatBWithWrongLastCrc(f)).run();
    }

    /** As {@link #decode(byte[], KeyLookup, FormatCache, DriverSet, AflReassembler)} for a frame without CRCs ({@link #decodeWithoutCrcs(byte[], KeyLookup, FormatCache)}). */
    public static WmbusTelegram decodeWithoutCrcs(byte[] frame, KeyLookup keys, FormatCache formats, DriverSet drivers,
                                                  AflReassembler fragments) throws DecodeException {
        return new DecodeRun(LinkLayer.withoutCrcs(frame), keys, formats, drivers, fragments, false).run();
    }

    /** EN 13757-3 §5.4 / EN 62056-21: three letters of 5 bits each, 'A' = 1; 4 hex digits when not letters. */
    static String manufacturer(int code) {
        char[] c = {(char) (64 + (code >> 10 & 0x1F)), (char) (64 + (code >> 5 & 0x1F)), (char) (64 + (code & 0x1F))};
        for (char ch : c) {
            if (ch < 'A' || ch > 'Z') return String.format("%04X", code);
        }
        return new String(c);
    }

    /** Identification number: 4 bytes LSB first, printed as 8 (BCD) digits. */
    static String id(byte[] f, int at) {
        char[] c = new char[8];
        for (int i = 0; i < 4; i++) {
            int b = f[at + 3 - i] & 0xFF;
            c[2 * i] = HEX_DIGITS[b >> 4];
            c[2 * i + 1] = HEX_DIGITS[b & 0x0F];
        }
        return new String(c);
    }

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();
}
