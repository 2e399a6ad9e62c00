package io.meterlink.drivers.wmbus;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AES primitives of the wireless M-Bus security modes, on the JCE. Thread-safe: each thread keeps
 * its own {@link Cipher} instances (created once, re-initialised per telegram), and for AES-CBC a
 * small LRU table of ciphers by key ({@value #CBC_KEYS} keys), so a meter heard again finds its
 * expanded key ready (the JCE re-expands a key only when it changes).
 */
final class WmbusCrypto {
    /** Keys per thread whose CBC cipher is kept (about 1 KB each). */
    static final int CBC_KEYS = 256;
    private static final ThreadLocal<Ciphers> CIPHERS = ThreadLocal.withInitial(Ciphers::new);

    private WmbusCrypto() {}

    /** The ciphers of one thread; created lazily. */
    private static final class Ciphers {
        /** CBC decryptors by key, least recently used evicted beyond {@value #CBC_KEYS}. */
        private final Map<KeyBytes, CbcSlot> cbc = new LinkedHashMap<>(64, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<KeyBytes, CbcSlot> e) { return size() > CBC_KEYS; }
        };
        private Cipher cbcOnce;
        private Cipher ctr;
        private Cipher ecb;

        /** A CBC decryptor for {@code key} with the IV set. */
        Cipher cbc(byte[] key, byte[] iv) throws GeneralSecurityException {
            KeyBytes k = new KeyBytes(key);
            CbcSlot slot = cbc.get(k);
            if (slot == null) {
                Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
                SecretKeySpec spec = new SecretKeySpec(key, "AES");
                c.init(Cipher.DECRYPT_MODE, spec, new IvParameterSpec(iv)); // refused keys are not cached
                cbc.put(new KeyBytes(key.clone()), new CbcSlot(c, spec));
                return c;
            }
            slot.cipher.init(Cipher.DECRYPT_MODE, slot.key, new IvParameterSpec(iv));
            return slot.cipher;
        }

        /** A CBC decryptor for a key used once (mode 7 session keys): not kept in the table. */
        Cipher cbcOnce(byte[] key, byte[] iv) throws GeneralSecurityException {
            if (cbcOnce == null) cbcOnce = Cipher.getInstance("AES/CBC/NoPadding");
            cbcOnce.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return cbcOnce;
        }

        Cipher ctr() throws GeneralSecurityException {
            if (ctr == null) ctr = Cipher.getInstance("AES/CTR/NoPadding");
            return ctr;
        }

        Cipher ecb() throws GeneralSecurityException {
            if (ecb == null) ecb = Cipher.getInstance("AES/ECB/NoPadding");
            return ecb;
        }
    }

    /** A key's bytes as a map key (content equality); the map's own copy is never handed out. */
    private record KeyBytes(byte[] bytes) {
        @Override public boolean equals(Object o) { return o instanceof KeyBytes k && Arrays.equals(k.bytes, bytes); }

        @Override public int hashCode() { return Arrays.hashCode(bytes); }

        @Override public String toString() { return "KeyBytes[hidden]"; }
    }

    private record CbcSlot(Cipher cipher, SecretKeySpec key) {}

    /** An AES-128 ECB encryptor of this thread initialised with {@code key}; use it before the next call on this thread. */
    static Cipher ecb(byte[] key) throws GeneralSecurityException {
        Cipher c = CIPHERS.get().ecb();
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return c;
    }

    /** AES-128-CBC decryption of whole blocks (EN 13757-7 §9.4.5 mode 5, OMS Vol 2 §9.5 mode 7). */
    static byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] data, int from, int len) throws GeneralSecurityException {
        byte[] out = new byte[len];
        cbcDecrypt(key, iv, data, from, len, out, 0, false);
        return out;
    }

    /**
     * As {@link #cbcDecrypt(byte[], byte[], byte[], int, int)}, into {@code out} at {@code at}.
     *
     * @param longLived true for a meter's own key (its cipher is kept for the next telegram), false
     *                  for a key derived for one telegram
     */
    static void cbcDecrypt(byte[] key, byte[] iv, byte[] data, int from, int len, byte[] out, int at, boolean longLived)
            throws GeneralSecurityException {
        Ciphers c = CIPHERS.get();
        (longLived ? c.cbc(key, iv) : c.cbcOnce(key, iv)).doFinal(data, from, len, out, at);
    }

    /** AES-128-CTR (EN 13757-4 §13.2.12, ELL): any length, counter in the last bytes of the IV. */
    static byte[] ctr(byte[] key, byte[] iv, byte[] data, int from, int len) throws GeneralSecurityException {
        Cipher c = CIPHERS.get().ctr();
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(data, from, len);
    }

    /**
     * DES-CBC decryption of whole 8-byte blocks (EN 13757-3:2004 security mode 2, deprecated: the IV
     * is zero). A cipher per call: DES meters are rare and old.
     */
    static byte[] desCbcDecrypt(byte[] key8, byte[] data, int from, int len) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("DES/CBC/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key8, "DES"), new IvParameterSpec(new byte[8]));
        return c.doFinal(data, from, len);
    }

    /**
     * AES-128-CCM decryption and tag check (RFC 3610 / NIST SP 800-38C) with a 13-byte nonce (length
     * field L = 2), as OMS security mode 10 uses it: CBC-MAC over B0, the associated data (with its
     * 2-byte length) and the plaintext, each zero-padded to whole blocks; counter blocks
     * {@code 01 ‖ nonce ‖ i} (i = 0 hides the tag, 1… the keystream).
     *
     * @return the plaintext, or {@code null} when the tag does not match (wrong key or altered bytes)
     */
    static byte[] ccmDecrypt(byte[] key, byte[] nonce, byte[] aad, byte[] data, int from, int len, int tagLen)
            throws GeneralSecurityException {
        if (nonce.length != 13 || aad.length >= 0xFF00 || len > 0xFFFF || tagLen < 4 || tagLen > 16 || (tagLen & 1) != 0) {
            throw new GeneralSecurityException("CCM parameters out of range");
        }
        Cipher aes = ecb(key);
        byte[] ctr = new byte[16];
        ctr[0] = 0x01; // L - 1
        System.arraycopy(nonce, 0, ctr, 1, 13);
        byte[] plain = new byte[len];
        byte[] ks = new byte[16];
        for (int b = 0; b * 16 < len; b++) { // keystream blocks 1, 2, …
            int i = b + 1;
            ctr[14] = (byte) (i >> 8);
            ctr[15] = (byte) i;
            aes.doFinal(ctr, 0, 16, ks, 0);
            int n = Math.min(16, len - b * 16);
            for (int j = 0; j < n; j++) plain[b * 16 + j] = (byte) (data[from + b * 16 + j] ^ ks[j]);
        }
        // CBC-MAC: B0 = flags ‖ nonce ‖ length(2); flags = Adata·64 | ((M-2)/2)·8 | (L-1)
        byte[] x = new byte[16];
        x[0] = (byte) ((aad.length > 0 ? 0x40 : 0) | ((tagLen - 2) / 2) << 3 | 0x01);
        System.arraycopy(nonce, 0, x, 1, 13);
        x[14] = (byte) (len >> 8);
        x[15] = (byte) len;
        aes.doFinal(x, 0, 16, x, 0);
        if (aad.length > 0) {
            byte[] a = new byte[2 + aad.length];
            a[0] = (byte) (aad.length >> 8);
            a[1] = (byte) aad.length;
            System.arraycopy(aad, 0, a, 2, aad.length);
            macBlocks(aes, x, a, 0, a.length);
        }
        macBlocks(aes, x, plain, 0, len);
        ctr[14] = 0;
        ctr[15] = 0;
        aes.doFinal(ctr, 0, 16, ks, 0); // S0
        int diff = 0;
        for (int j = 0; j < tagLen; j++) diff |= (x[j] ^ ks[j] ^ data[from + len + j]) & 0xFF;
        return diff == 0 ? plain : null;
    }

    /** CBC-MAC step over {@code m[from..from+len)}, zero-padded to whole blocks, into the chaining value {@code x}. */
    private static void macBlocks(Cipher aes, byte[] x, byte[] m, int from, int len) throws GeneralSecurityException {
        for (int off = 0; off < len; off += 16) {
            int n = Math.min(16, len - off);
            for (int j = 0; j < n; j++) x[j] ^= m[from + off + j];
            aes.doFinal(x, 0, 16, x, 0);
        }
    }

    /**
     * OMS mode 7 key derivation (OMS Vol 2 §9.6.1 / CEN/TR 17167 F.3): CMAC(master, D ‖ MCR(4, LE) ‖
     * meter id (4, as in the frame) ‖ 07×7), D = 00 for the encryption key, 01 for the MAC key.
     */
    static byte[] deriveKey(byte[] master, int derivation, byte[] mcr, byte[] meterIdLe) throws GeneralSecurityException {
        byte[] in = new byte[16];
        in[0] = (byte) derivation;
        System.arraycopy(mcr, 0, in, 1, 4);
        System.arraycopy(meterIdLe, 0, in, 5, 4);
        for (int i = 9; i < 16; i++) in[i] = 0x07;
        return AesCmac.mac(master, in);
    }
}
