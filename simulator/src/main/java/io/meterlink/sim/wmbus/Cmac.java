package io.meterlink.sim.wmbus;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/** The simulator's own AES-CMAC (RFC 4493) on the JCE's AES block cipher. Stateless, thread-safe. */
final class Cmac {
    private Cmac() {}

    /** RFC 4493 §2.4: 16-byte MAC of {@code m} under the AES-128 {@code key}. */
    static byte[] of(byte[] key, byte[] m) throws GeneralSecurityException {
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        byte[] k1 = doubled(aes.doFinal(new byte[16])); // RFC 4493 §2.3 subkeys
        byte[] k2 = doubled(k1);
        int n = Math.max(1, (m.length + 15) / 16);
        boolean whole = m.length > 0 && m.length % 16 == 0;
        byte[] state = new byte[16];
        for (int b = 0; b < n; b++) {
            boolean last = b == n - 1;
            for (int j = 0; j < 16; j++) {
                int i = b * 16 + j;
                int v = i < m.length ? m[i] : (i == m.length ? 0x80 : 0); // padding 10…0 of an incomplete last block
                if (last) v ^= whole ? k1[j] : k2[j];
                state[j] ^= (byte) v;
            }
            state = aes.doFinal(state);
        }
        return state;
    }

    /** Multiplication by x in GF(2^128): shift left one bit, XOR 0x87 when the top bit falls out. */
    private static byte[] doubled(byte[] in) {
        byte[] out = new byte[16];
        for (int i = 0; i < 16; i++) {
            out[i] = (byte) (in[i] << 1 | (i < 15 ? (in[i + 1] & 0xFF) >>> 7 : 0));
        }
        if (in[0] < 0) out[15] ^= (byte) 0x87;
        return out;
    }
}
