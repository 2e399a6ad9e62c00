package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * The transport layer (EN 13757-7 §7: CI 72/73 long header, 7A/7B short header, 78/79 none) of one
 * decoding run with its security (mode 5 AES-CBC, mode 7 CMAC-derived keys and the AFL MAC, logged
 * already-decrypted payloads), handing the plaintext to the application layer ({@link ApduDecoder},
 * then a matching driver file). Stateless.
 */
final class TransportLayer {

    private TransportLayer() {}

    /** Transport layer (EN 13757-7 §7): CI 72/73 long header, 7A/7B short header, 78/79 none. */
    static WmbusTelegram read(DecodeRun r, int ci) throws DecodeException {
        int tplStart = r.p;
        int idAt = 4, manAt = 2; // where the identification (LSB first) and the manufacturer are: r.link layer…
        int version = r.link.version(), type = r.link.deviceType();
        int access = r.ellAccess, status = 0, cf = 0;
        r.p += 1;
        if (ci == 0x72 || ci == 0x73) {
            r.need(8, "TPL long header");
            idAt = r.p; // …or the TPL long header
            manAt = r.p + 4;
            version = r.f[r.p + 6] & 0xFF;
            type = r.f[r.p + 7] & 0xFF;
            r.p += 8;
        }
        if (ci != 0x78 && ci != 0x79) {
            r.need(4, "TPL header");
            access = r.f[r.p] & 0xFF;
            status = r.f[r.p + 1] & 0xFF;
            cf = (r.f[r.p + 2] & 0xFF) | (r.f[r.p + 3] & 0xFF) << 8;
            r.p += 4;
        }
        String man = manAt == 2 ? r.link.manufacturer() : WmbusDecoder.manufacturer((r.f[manAt] & 0xFF) | (r.f[manAt + 1] & 0xFF) << 8);
        String id = idAt == 4 ? r.link.id() : WmbusDecoder.id(r.f, idAt);
        r.tplMan = man;
        r.tplId = id;
        int mode = cf >> 8 & 0x1F; // EN 13757-7 §7.5.8: configuration field, security mode bits 8-12
        int blocks = cf >> 4 & 0x0F;
        byte[] apdu;
        int from;
        if (r.aflMac != null && mode != 7) {
            throw r.error(Kind.UNSUPPORTED, "AFL MAC with security mode " + mode + " not supported");
        }
        switch (mode) {
            case 0 -> {
                // issue 14: a gateway with a key must never accept an unencrypted copy. The payload is plaintext
                // unless the ELL decrypted it with the meter's key; the key looked up as modes 2/5/7/10 do.
                if (!r.ellDecrypted && r.lookupKey(man, id).isPresent()) throw unencryptedWithKey(r);
                apdu = r.f;
                from = r.p;
            }
            case 2 -> { // EN 13757-3:2004 / OMS Vol 2 2.0: DES-CBC with IV 0, deprecated; N blocks of 16 bytes, 2F2F check
                r.security = 2;
                Optional<byte[]> configured = r.lookupKey(man, id);
                if (configured.isEmpty() && alreadyDecrypted(r)) {
                    apdu = r.f;
                    from = r.p;
                    break;
                }
                byte[] key = r.key(configured);
                int encLen = Math.min(16 * blocks, (r.f.length - r.p) / 8 * 8);
                if (blocks == 0 || encLen < 8) throw new DecodeException(Kind.TRUNCATED, "DES-encrypted part shorter than one block", r.device(), null);
                if (encLen < 16 * blocks) r.cutShort = true; // the whole blocks there are: the records in them stand
                int at = r.p;
                byte[] plain = r.crypt(() -> WmbusCrypto.desCbcDecrypt(key, r.f, at, encLen));
                if ((plain[0] & 0xFF) != 0x2F || (plain[1] & 0xFF) != 0x2F) {
                    if (alreadyDecrypted(r)) throw plaintextCopy(r, mode);
                    throw new DecodeException(Kind.WRONG_KEY, "DES decryption failed (no 2F2F verification bytes): wrong key", r.device(), null);
                }
                r.payloadChecked = true;
                apdu = Arrays.copyOf(plain, plain.length + r.f.length - at - encLen); // the plaintext rest after the blocks
                System.arraycopy(r.f, at + encLen, apdu, plain.length, r.f.length - at - encLen);
                from = 0;
            }
            case 5 -> { // EN 13757-7 §9.4.5 / OMS Vol 2 §9.4.4: AES-CBC, IV = M A(ID, ver, type) ACC×8
                r.security = 5;
                Optional<byte[]> configured = r.lookupKey(man, id);
                if (configured.isEmpty() && alreadyDecrypted(r)) {
                    apdu = r.f;
                    from = r.p;
                    break;
                }
                byte[] key = r.key(configured);
                byte[] iv = new byte[16];
                System.arraycopy(r.f, manAt, iv, 0, 2);
                System.arraycopy(r.f, idAt, iv, 2, 4);
                iv[6] = (byte) version;
                iv[7] = (byte) type;
                Arrays.fill(iv, 8, 16, (byte) access);
                try {
                    apdu = decrypt(r, key, iv, blocks, true);
                } catch (DecodeException e) {
                    if (e.kind() == Kind.WRONG_KEY && alreadyDecrypted(r)) throw plaintextCopy(r, mode);
                    throw e;
                }
                from = 0;
            }
            case 7 -> { // OMS Vol 2 §9.4.6 / CEN/TR 17167: CMAC-derived keys, MAC in the AFL, AES-CBC IV 0
                r.security = 7;
                r.need(1, "configuration field extension");
                r.p += 1;
                Optional<byte[]> configured = r.lookupKey(man, id);
                if (configured.isEmpty() && alreadyDecrypted(r)) { // logged by a receiver that had the key
                    apdu = r.f;
                    from = r.p;
                    break;
                }
                if (r.aflMac == null || r.aflMcr == null) {
                    if (configured.isPresent() && alreadyDecrypted(r)) throw plaintextCopy(r, mode);
                    throw new DecodeException(Kind.UNSUPPORTED, "security mode 7 without AFL MAC", r.device(), null);
                }
                byte[] master = r.key(configured);
                byte[] meterIdLe = Arrays.copyOfRange(r.f, idAt, idAt + 4);
                byte[] kEnc = r.crypt(() -> WmbusCrypto.deriveKey(master, 0x00, r.aflMcr, meterIdLe));
                byte[] kMac = r.crypt(() -> WmbusCrypto.deriveKey(master, 0x01, r.aflMcr, meterIdLe));
                int mlLen = r.aflMl == null ? 0 : 2;
                byte[] macInput = new byte[1 + 4 + mlLen + r.f.length - tplStart];
                macInput[0] = r.aflMcl == null ? 0 : r.aflMcl[0];
                System.arraycopy(r.aflMcr, 0, macInput, 1, 4);
                if (r.aflMl != null) System.arraycopy(r.aflMl, 0, macInput, 5, 2);
                System.arraycopy(r.f, tplStart, macInput, 5 + mlLen, r.f.length - tplStart);
                byte[] mac = r.crypt(() -> AesCmac.mac(kMac, macInput));
                if (!MessageDigest.isEqual(Arrays.copyOf(mac, r.aflMac.length), r.aflMac)) {
                    if (alreadyDecrypted(r)) throw plaintextCopy(r, mode);
                    throw new DecodeException(Kind.AUTHENTICATION, "AFL MAC mismatch (wrong key or altered telegram)", r.device(), null);
                }
                r.counter = le32(r.aflMcr); // authenticated by the MAC: the replay guard requires it to increase
                apdu = decrypt(r, kEnc, new byte[16], blocks, false);
                from = 0;
            }
            case 10 -> { // OMS Vol 2 security profile D / EN 13757-7 mode 10: AES-CCM, key derived as in mode 7
                r.security = 10;
                apdu = ccm(r, tplStart, cf, idAt, manAt, version, type, man, id);
                from = 0;
            }
            default -> throw new DecodeException(Kind.UNSUPPORTED, "security mode " + mode + " not supported", r.device(), null);
        }
        return ApduDecoder.telegram(r, new ApduDecoder.Header(ci, mode, man, id, version, type, access, status), apdu, from);
    }

    /**
     * Security mode 10 (AES-CCM): after the configuration field, its 2-byte extension (LSB first:
     * bits 8-9 tag length 4/8/12/16, bits 4-5 key derivation, 1 = the mode 7 CMAC derivation; bit 6 a
     * key version byte follows), then the 4-byte message counter. The associated data is the TPL header
     * from the CI through the extension (and key version); the nonce is M(2) ‖ A(4) ‖ version ‖ type ‖
     * 00 ‖ counter (4, most significant byte first); the tag closes the frame. The configuration
     * field's low byte is the number of encrypted bytes (FF: all up to the tag; the count with the
     * tag is taken too): a payload partly in clear is refused, its clear part would be unauthenticated.
     */
    private static byte[] ccm(DecodeRun r, int tplStart, int cf, int idAt, int manAt, int version, int type, String man, String id)
            throws DecodeException {
        r.need(2, "configuration field extension");
        int cfe = (r.f[r.p] & 0xFF) | (r.f[r.p + 1] & 0xFF) << 8;
        r.p += 2;
        int tagLen = 4 + (cfe >> 8 & 0x03) * 4;
        int kdf = cfe >> 4 & 0x03;
        if ((cfe & 0x40) != 0) {
            r.need(1, "key version");
            r.p += 1;
        }
        byte[] aad = Arrays.copyOfRange(r.f, tplStart, r.p);
        r.need(4, "message counter");
        byte[] mc = Arrays.copyOfRange(r.f, r.p, r.p + 4);
        r.p += 4;
        if (kdf != 1) {
            throw new DecodeException(Kind.UNSUPPORTED, "security mode 10 with key derivation " + kdf + " not supported", r.device(), null);
        }
        byte[] master = r.key(r.lookupKey(man, id));
        int available = r.f.length - r.p - tagLen;
        if (available < 0) throw new DecodeException(Kind.TRUNCATED, "AES-CCM tag cut off", r.device(), null);
        int announced = cf & 0xFF;
        if (announced != 0xFF && announced != available && announced != available + tagLen) { // bytes encrypted, or with the tag
            throw new DecodeException(announced > available ? Kind.TRUNCATED : Kind.UNSUPPORTED, "security mode 10 announces "
                    + announced + " encrypted bytes, the frame holds " + available + " before the tag", r.device(), null);
        }
        byte[] meterIdLe = Arrays.copyOfRange(r.f, idAt, idAt + 4);
        byte[] kEnc = r.crypt(() -> WmbusCrypto.deriveKey(master, 0x00, mc, meterIdLe));
        byte[] nonce = new byte[13];
        System.arraycopy(r.f, manAt, nonce, 0, 2);
        System.arraycopy(r.f, idAt, nonce, 2, 4);
        nonce[6] = (byte) version;
        nonce[7] = (byte) type;
        for (int i = 0; i < 4; i++) nonce[9 + i] = mc[3 - i];
        int at = r.p;
        byte[] plain = r.crypt(() -> WmbusCrypto.ccmDecrypt(kEnc, nonce, aad, r.f, at, available, tagLen));
        if (plain == null) {
            throw new DecodeException(Kind.AUTHENTICATION, "AES-CCM tag mismatch (wrong key or altered telegram)", r.device(), null);
        }
        r.payloadChecked = true;
        r.counter = le32(mc); // authenticated by the tag (in the nonce): the replay guard requires it to increase
        return plain;
    }

    /** A 4-byte counter sent least significant byte first, unsigned. */
    private static long le32(byte[] b) {
        return (b[0] & 0xFFL) | (b[1] & 0xFFL) << 8 | (b[2] & 0xFFL) << 16 | (b[3] & 0xFFL) << 24;
    }

    /**
     * A capture whose receiver already decrypted it (the mode bits still say encrypted, as
     * {@code wmbusmeters --logtelegrams} writes them): decoded as plaintext only when no key is
     * configured, and only when the payload starts with the 2F2F verification bytes.
     */
    private static boolean alreadyDecrypted(DecodeRun r) {
        return r.p + 2 <= r.f.length && (r.f[r.p] & 0xFF) == 0x2F && (r.f[r.p + 1] & 0xFF) == 0x2F;
    }

    /** A plaintext (security mode 0) telegram for a meter with a configured key: refused, never stored. */
    static DecodeException unencryptedWithKey(DecodeRun r) {
        return new DecodeException(Kind.AUTHENTICATION, "unencrypted telegram for a meter with a key", r.device(), null);
    }

    /**
     * A telegram announcing encryption whose payload is already plaintext (a receiver's log)
     * while a key is configured for the meter: never accepted, a gateway with the key takes
     * only what the meter encrypted (else anyone could inject readings in clear).
     */
    private static DecodeException plaintextCopy(DecodeRun r, int mode) {
        return new DecodeException(Kind.AUTHENTICATION, "security mode " + mode + " announced but the payload is already"
                + " plaintext (2F2F) and a key is configured: an unencrypted copy is refused", r.device(), null);
    }


    /**
     * Decrypts {@code blocks} AES blocks at {@code r.p} and appends the plaintext rest; the result must
     * start with the 2F2F verification bytes (EN 13757-7 §9.4.5).
     */
    private static byte[] decrypt(DecodeRun r, byte[] key, byte[] iv, int blocks, boolean meterKey) throws DecodeException {
        int encLen = 16 * blocks;
        int available = r.f.length - r.p;
        if (blocks == 0) throw new DecodeException(Kind.SYNTAX, "encrypted telegram with 0 encrypted blocks", r.device(), null);
        if (encLen > available) { // cut short: decrypt the whole blocks there are, the records in them stand
            r.cutShort = true;
            encLen = available / 16 * 16;
            if (encLen == 0) throw new DecodeException(Kind.TRUNCATED, "encrypted part shorter than one block", r.device(), null);
        }
        int n = encLen;
        // one array: the decrypted blocks, then the plaintext rest (EN 13757-7 §9.4.5: unencrypted data may follow)
        byte[] out = new byte[r.cutShort ? encLen : available];
        r.crypt(() -> {
            WmbusCrypto.cbcDecrypt(key, iv, r.f, r.p, n, out, 0, meterKey);
            return out;
        });
        if ((out[0] & 0xFF) != 0x2F || (out[1] & 0xFF) != 0x2F) {
            throw new DecodeException(Kind.WRONG_KEY, "decryption failed (no 2F2F verification bytes): wrong key", r.device(), null);
        }
        r.payloadChecked = true;
        if (!r.cutShort) System.arraycopy(r.f, r.p + encLen, out, encLen, available - encLen);
        return out;
    }
}
