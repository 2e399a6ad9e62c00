package io.meterlink.drivers.p1;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Encrypted P1 (Luxembourg Smarty, Sagemcom T210-D-r): DLMS general-global-cipher APDUs (tag 0xDB,
 * DLMS Green Book §9.2.7.2.4) each carrying one plaintext telegram: {@code DB 08 <system title 8>
 * <length> <security control> <frame counter 4> <ciphertext> <tag 12>}. Security control 0x30 is
 * AES-128-GCM with a 96-bit tag, IV = system title ‖ frame counter, additional data = 0x30 ‖
 * authentication key; 0x20 is encryption only (GCM's counter mode, no tag). The frame counter must
 * grow per system title (a repeat is a replay). Keys come from the caller and are never shown.
 * Not thread-safe.
 */
final class GcmFrames {
    interface Listener {
        void plaintext(byte[] telegram, long offset);

        void error(DecodeException e, long offset);
    }

    private static final int TAG = 12;
    private static final int MAX = 8 * 1024;
    private final byte[] key;
    private final byte[] authKey;
    private final Map<String, Long> counters = new HashMap<>();
    private byte[] buf = new byte[1024];
    private int len;
    private long base;
    private long junk;
    private long junkAt;

    GcmFrames(Secret key, Secret authKey) {
        this.key = hexKey(key, "--key (P1 encryption key)");
        this.authKey = authKey == null ? new byte[0] : hexKey(authKey, "--auth-key (P1 authentication key)");
    }

    private static byte[] hexKey(Secret s, String what) {
        String hex = new String(s.reveal());
        if (!hex.matches("[0-9A-Fa-f]{32}")) throw new IllegalArgumentException(what + " must be 32 hex digits (AES-128)");
        return HexFormat.of().parseHex(hex);
    }

    void feed(byte[] in, int off, int n, Listener out) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        System.arraycopy(in, off, buf, len, n);
        len += n;
        int i = 0;
        while (i < len) {
            if ((buf[i] & 0xFF) != 0xDB) {
                if (junk++ == 0) junkAt = base + i;
                i++;
                continue;
            }
            if (i + 11 > len) break;
            if (buf[i + 1] != 8) {
                if (junk++ == 0) junkAt = base + i;
                i++;
                continue;
            }
            int p = i + 10;
            int length = buf[p] & 0xFF, lenBytes = 1;
            if (length == 0x81 || length == 0x82) {
                lenBytes += length - 0x80;
                if (p + lenBytes > len) break;
                length = length == 0x81 ? buf[p + 1] & 0xFF : (buf[p + 1] & 0xFF) << 8 | buf[p + 2] & 0xFF;
            }
            if (length > MAX || length < 5) {
                if (junk++ == 0) junkAt = base + i;
                i++;
                continue;
            }
            int end = p + lenBytes + length;
            if (end > len) break;
            reportJunk(out);
            try {
                out.plaintext(decrypt(Arrays.copyOfRange(buf, i + 2, i + 10), Arrays.copyOfRange(buf, p + lenBytes, end)), base + i);
            } catch (DecodeException e) {
                out.error(e, base + i);
            }
            i = end;
        }
        System.arraycopy(buf, i, buf, 0, len - i);
        len -= i;
        base += i;
    }

    void end(Listener out) {
        if (len > 0) out.error(new DecodeException(DecodeException.Kind.TRUNCATED, "the stream ended inside an encrypted P1 frame"), base);
        len = 0;
        reportJunk(out);
    }

    private void reportJunk(Listener out) {
        if (junk > 0) {
            out.error(new DecodeException(DecodeException.Kind.TRUNCATED, junk + " bytes outside any encrypted P1 frame skipped"), junkAt);
            junk = 0;
        }
    }

    private byte[] decrypt(byte[] systemTitle, byte[] body) throws DecodeException {
        int sc = body[0] & 0xFF;
        long counter = (body[1] & 0xFFL) << 24 | (body[2] & 0xFF) << 16 | (body[3] & 0xFF) << 8 | body[4] & 0xFF;
        String title = HexFormat.of().formatHex(systemTitle);
        Long last = counters.get(title);
        if (last != null && counter <= last) {
            throw new DecodeException(DecodeException.Kind.REPLAY, "frame counter " + counter + " not above the last one (" + last + ")");
        }
        byte[] iv = new byte[12];
        System.arraycopy(systemTitle, 0, iv, 0, 8);
        System.arraycopy(body, 1, iv, 8, 4);
        byte[] plain;
        try {
            if (sc == 0x30) {
                if (body.length < 5 + TAG) throw new DecodeException(DecodeException.Kind.TRUNCATED, "encrypted P1 frame shorter than its tag");
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG * 8, iv));
                byte[] aad = new byte[1 + authKey.length];
                aad[0] = (byte) sc;
                System.arraycopy(authKey, 0, aad, 1, authKey.length);
                c.updateAAD(aad);
                plain = c.doFinal(body, 5, body.length - 5);
            } else if (sc == 0x20) {
                byte[] ctr = Arrays.copyOf(iv, 16);
                ctr[15] = 2; // GCM's first counter block for the payload (NIST SP 800-38D §7.2)
                Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(ctr));
                plain = c.doFinal(body, 5, body.length - 5);
            } else {
                throw new DecodeException(DecodeException.Kind.UNSUPPORTED, String.format("security control %02X (only 30 and 20 are used by P1 meters)", sc));
            }
        } catch (AEADBadTagException e) {
            throw new DecodeException(DecodeException.Kind.WRONG_KEY, "authentication failed: wrong encryption or authentication key, or an altered frame");
        } catch (GeneralSecurityException e) {
            throw new DecodeException(DecodeException.Kind.OTHER, "AES-GCM not available: " + e.getClass().getSimpleName(), null, e);
        }
        counters.put(title, counter);
        return plain;
    }
}
