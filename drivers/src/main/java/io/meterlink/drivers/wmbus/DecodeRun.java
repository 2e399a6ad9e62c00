package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.mbus.FormatCache;

import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One decoding run: the working state of a single frame as it passes the layers — link
 * ({@link LinkLayer}), extended link ({@link ExtendedLinkLayer}), authentication
 * ({@link AuthenticationLayer}), transport and security ({@link TransportLayer}), application
 * ({@link ApduDecoder}, driver files). Used by one thread for one frame.
 */
final class DecodeRun {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    byte[] f;
    final KeyLookup keys;
    final FormatCache formats;
    final DriverSet drivers;
    final WmbusTelegram.LinkHeader link;
    int p = LinkLayer.HEADER;
    int ellAccess = -1;
    int security;
    // AFL (CI 90) fields, when present
    byte[] aflMac;
    byte[] aflMcl;
    byte[] aflMcr;
    byte[] aflMl;
    /** Where fragmented AFL messages are reassembled, or {@code null}: fragments are then refused. */
    final AflReassembler fragments;
    /** The frame is a message reassembled from AFL fragments (longer records allowed). */
    boolean reassembled;
    /** The metering device's manufacturer and id, once the TPL header is read. */
    String tplMan;
    String tplId;
    /** The configuration announced more ciphertext than the frame holds. */
    boolean cutShort;
    /** No link-layer CRC found, and the frame may be a format B frame whose last CRC failed. */
    final boolean maybeBadB;
    /** A payload CRC, the 2F 2F after decryption with a key, or a MAC covered the records. */
    boolean payloadChecked;
    /** The message counter a MAC or tag authenticated (mode 7 AFL MCR, mode 10), unsigned, or -1. */
    long counter = -1;
    /** The ELL payload was decrypted (AES-CTR) with the meter's key, not taken as already plaintext. */
    boolean ellDecrypted;

    DecodeRun(byte[] f, KeyLookup keys, FormatCache formats, DriverSet drivers, AflReassembler fragments, boolean maybeBadB) {
        this.f = f;
        this.keys = keys;
        this.formats = formats;
        this.drivers = drivers;
        this.fragments = fragments;
        this.maybeBadB = maybeBadB;
        int man = (f[2] & 0xFF) | (f[3] & 0xFF) << 8;
        this.link = new WmbusTelegram.LinkHeader(f[1] & 0xFF, WmbusDecoder.manufacturer(man), WmbusDecoder.id(f, 4), f[8] & 0xFF, f[9] & 0xFF);
    }

    String meter() { return MeterId.of(WmbusReadingMapper.FAMILY, link.manufacturer(), link.id()).toString(); }

    /** The metering device for errors after the TPL header: built only when there is an error. */
    String device() { return MeterId.of(WmbusReadingMapper.FAMILY, tplMan, tplId).toString(); }

    DecodeException error(Kind kind, String message) { return new DecodeException(kind, message, meter(), null); }

    void need(int n, String what) throws DecodeException {
        if (p + n > f.length) throw error(Kind.TRUNCATED, what + " needs " + n + " bytes, " + (f.length - p) + " left");
    }

    WmbusTelegram run() throws DecodeException {
        for (int layer = 0; layer < 4; layer++) {
            need(1, "CI field");
            int ci = f[p] & 0xFF;
            switch (ci) {
                case 0x8C -> ExtendedLinkLayer.read(this, 3, false);          // EN 13757-4 §13.2.2 ELL I: CC, ACC
                case 0x8E -> ExtendedLinkLayer.read(this, 11, false);         // ELL III: CC, ACC, M2, A2
                case 0x8D -> ExtendedLinkLayer.read(this, 7, true);           // ELL II: CC, ACC, SN (+ payload CRC)
                case 0x8F -> ExtendedLinkLayer.read(this, 15, true);          // ELL IV: CC, ACC, M2, A2, SN (+ payload CRC)
                case WmbusTelegram.AFL_CI -> { // EN 13757-7 §6 / OMS Vol 2 §6: AFL
                    if (!AuthenticationLayer.read(this)) return fragmentHeld();
                }
                case 0x72, 0x7A, 0x78, 0x73, 0x7B, 0x79 -> { // EN 13757-7 Table 2: full and compact frames
                    return TransportLayer.read(this, ci);
                }
                default -> {
                    if (ci >= 0xA0 && ci <= 0xB7) { // EN 13757-7 Table 2: manufacturer specific CI
                        DriverFile d = drivers.match(link.manufacturer(), link.version(), link.deviceType(), ci);
                        DriverFile.Applied a = d == null ? null : d.apply(f, p + 1, f.length, p + 1, List.of());
                        return new WmbusTelegram(link, link.manufacturer(), link.id(), link.version(), link.deviceType(), ci,
                                ellAccess, 0, security, List.of(), HEX.formatHex(f, p + 1, f.length), a == null ? null : a.cut(),
                                d == null ? null : d.name(), a == null ? List.of() : a.values(), reassembled ? f : null, counter);
                    }
                    throw error(Kind.UNSUPPORTED, String.format("CI %02X not supported", ci));
                }
            }
        }
        throw error(Kind.SYNTAX, "too many link layers");
    }

    /**
     * A fragment held for reassembly: a telegram of the radio with CI 90 (the AFL's), no records and
     * no values; its readings come with the fragment that completes the message.
     */
    private WmbusTelegram fragmentHeld() {
        return new WmbusTelegram(link, link.manufacturer(), link.id(), link.version(), link.deviceType(), WmbusTelegram.AFL_CI, ellAccess, 0,
                security, List.of(), "", null, null, List.of());
    }

    /** The key of the metering device, else of the radio that sent the frame (looked up once per telegram). */
    Optional<byte[]> lookupKey(String man, String id) {
        Optional<byte[]> k = keys.key(man, id);
        if (k.isEmpty() && !(man.equals(link.manufacturer()) && id.equals(link.id()))) {
            k = keys.key(link.manufacturer(), link.id());
        }
        return k;
    }

    /**
     * The configured key {@code k} for the run's {@link #security} mode, checked by {@link #checkKey}; none is
     * {@code NO_KEY}, naming the metering device.
     */
    byte[] key(Optional<byte[]> k) throws DecodeException {
        if (k.isEmpty()) throw new DecodeException(Kind.NO_KEY, "telegram is encrypted and no key is configured", device(), null);
        return checkKey(k.get());
    }

    /**
     * {@code key} if it has the length the run's {@link #security} mode takes: a DES key (8 bytes, written
     * {@code des:} and 16 hex digits) for mode 2, an AES-128 key (16 bytes) for modes 5, 7, 10 and the ELL;
     * else {@code WRONG_KEY} saying what the mode needs, naming the metering device once the TPL header is
     * read (the ELL's: the radio).
     */
    byte[] checkKey(byte[] key) throws DecodeException {
        boolean des = security == 2;
        if (key.length == (des ? 8 : 16)) return key;
        String mode = security == WmbusTelegram.SECURITY_ELL_CTR ? "ELL encryption" : "security mode " + security;
        throw new DecodeException(Kind.WRONG_KEY, mode + (des ? " needs a DES key (des: and 16 hex digits)" : " needs an AES-128 key (32 hex digits)"),
                tplMan == null ? meter() : device(), null);
    }

    interface CryptoStep {
        byte[] run() throws GeneralSecurityException;
    }

    byte[] crypt(CryptoStep step) throws DecodeException {
        try {
            return step.run();
        } catch (GeneralSecurityException e) {
            throw new DecodeException(Kind.OTHER, "AES failed: " + e.getClass().getSimpleName(), meter(), null);
        }
    }
}
