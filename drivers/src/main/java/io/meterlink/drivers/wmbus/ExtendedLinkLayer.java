package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import io.meterlink.drivers.mbus.Crc16;

import java.util.Arrays;
import java.util.Optional;

/**
 * The extended link layer (EN 13757-4 §13.2, CI 8C/8D/8E/8F) of one decoding run: access number,
 * and with a session number the payload CRC and AES-128-CTR decryption (§13.2.12). Stateless.
 */
final class ExtendedLinkLayer {
    private ExtendedLinkLayer() {}

    /** Extended r.link layer (EN 13757-4 §13.2); with a session number, AES-128-CTR (§13.2.12). */
    static void read(DecodeRun r, int len, boolean withSession) throws DecodeException {
        r.need(len, "ELL");
        int cc = r.f[r.p + 1] & 0xFF;
        r.ellAccess = r.f[r.p + 2] & 0xFF;
        int start = r.p;
        r.p += len;
        if (!withSession) return;
        int snAt = start + len - 4;
        long sn = (r.f[snAt] & 0xFFL) | (r.f[snAt + 1] & 0xFFL) << 8 | (r.f[snAt + 2] & 0xFFL) << 16 | (r.f[snAt + 3] & 0xFFL) << 24;
        int enc = (int) (sn >>> 29);
        r.need(3, "ELL payload");
        r.payloadChecked = true; // the payload CRC is checked below, whatever the encryption
        if (enc == 0) {
            if (!payloadCrcOk(r.f, r.p)) throw r.error(Kind.CHECKSUM, "ELL payload CRC is wrong");
        } else if (enc == 1) {
            r.security = WmbusTelegram.SECURITY_ELL_CTR;
            Optional<byte[]> key = r.keys.key(r.link.manufacturer(), r.link.id());
            byte[] plain = null;
            if (key.isPresent()) {
                byte[] iv = new byte[16]; // M(2) A(6) CC SN(4) FN(2)=0 BC=0
                System.arraycopy(r.f, 2, iv, 0, 8);
                iv[8] = (byte) (cc & ~0x10);
                System.arraycopy(r.f, snAt, iv, 9, 4);
                byte[] k = r.checkKey(key.get());
                byte[] dec = r.crypt(() -> WmbusCrypto.ctr(k, iv, r.f, r.p, r.f.length - r.p));
                if (payloadCrcOk(dec, 0)) {
                    plain = dec;
                    r.ellDecrypted = true;
                }
            }
            if (plain == null && payloadCrcOk(r.f, r.p)) { // already decrypted by the receiver
                // only without a key (docs/wmbus.md): with one, an unencrypted copy is refused (issue 14)
                if (key.isPresent()) throw r.error(Kind.AUTHENTICATION, "unencrypted telegram for a meter with a key");
                plain = Arrays.copyOfRange(r.f, r.p, r.f.length);
            }
            if (plain == null) {
                throw key.isPresent() ? r.error(Kind.WRONG_KEY, "ELL decryption failed (payload CRC mismatch)")
                        : r.error(Kind.NO_KEY, "ELL encrypted and no key configured");
            }
            byte[] g = Arrays.copyOf(r.f, r.p + plain.length);
            System.arraycopy(plain, 0, g, r.p, plain.length);
            r.f = g;
        } else {
            throw r.error(Kind.UNSUPPORTED, "ELL encryption " + enc + " not supported");
        }
        r.p += 2; // payload CRC
    }

    /** ELL payload CRC (EN 13757-4 §13.2.11): CRC-16 of the rest, least significant byte first. */
    static boolean payloadCrcOk(byte[] b, int at) {
        if (at + 2 > b.length) return false;
        int crc = Crc16.of(b, at + 2, b.length);
        return ((b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8) == crc;
    }
}
