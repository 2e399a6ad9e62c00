package io.meterlink.drivers.wmbus;

import javax.crypto.Cipher;
import java.security.GeneralSecurityException;

/**
 * AES-CMAC (RFC 4493) on top of the JCE's AES/ECB. Used for the OMS mode 7 key derivation and MAC
 * (OMS Vol 2 §9.5 / CEN/TR 17167). Thread-safe through {@link #mac(byte[], byte[])} only: an instance
 * uses its thread's ECB cipher, so it lives for one MAC on one thread.
 */
final class AesCmac {
    private static final int BLOCK = 16;
    private static final int RB = 0x87; // RFC 4493 §2.3 constant for 128-bit blocks

    private final Cipher ecb;
    private final byte[] k1;
    private final byte[] k2;

    private AesCmac(byte[] key) throws GeneralSecurityException {
        ecb = WmbusCrypto.ecb(key);
        byte[] l = ecb.doFinal(new byte[BLOCK]); // RFC 4493 §2.3: L = AES-128(K, 0^128)
        k1 = shiftXor(l);
        k2 = shiftXor(k1);
    }

    /** One-shot MAC of {@code message} with {@code key}: 16 bytes. */
    static byte[] mac(byte[] key, byte[] message) throws GeneralSecurityException {
        return new AesCmac(key).mac(message);
    }

    byte[] mac(byte[] m) throws GeneralSecurityException {
        int n = (m.length + BLOCK - 1) / BLOCK;
        boolean complete = n > 0 && m.length % BLOCK == 0;
        if (n == 0) n = 1;
        byte[] x = new byte[BLOCK];
        byte[] y = new byte[BLOCK];
        for (int i = 0; i < n - 1; i++) { // RFC 4493 §2.4 steps 5-6
            for (int j = 0; j < BLOCK; j++) y[j] = (byte) (x[j] ^ m[i * BLOCK + j]);
            x = ecb.doFinal(y);
        }
        byte[] last = new byte[BLOCK];
        int off = (n - 1) * BLOCK;
        int rest = m.length - off;
        if (complete) {
            for (int j = 0; j < BLOCK; j++) last[j] = (byte) (m[off + j] ^ k1[j]);
        } else {
            for (int j = 0; j < BLOCK; j++) {
                int b = j < rest ? m[off + j] : (j == rest ? 0x80 : 0); // padding 10^i
                last[j] = (byte) (b ^ k2[j]);
            }
        }
        for (int j = 0; j < BLOCK; j++) y[j] = (byte) (x[j] ^ last[j]);
        return ecb.doFinal(y);
    }

    /** RFC 4493 §2.3 subkey step: shift left by one bit, XOR Rb when the top bit was set. */
    private static byte[] shiftXor(byte[] in) {
        byte[] out = new byte[BLOCK];
        int carry = 0;
        for (int i = BLOCK - 1; i >= 0; i--) {
            int b = in[i] & 0xFF;
            out[i] = (byte) ((b << 1) | carry);
            carry = b >> 7;
        }
        if ((in[0] & 0x80) != 0) out[BLOCK - 1] ^= (byte) RB;
        return out;
    }
}
