package io.meterlink.drivers.wmbus;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/**
 * AES primitives of the wireless M-Bus security modes, on the JCE. Thread-safe: each thread keeps
 * its own {@link Cipher} instances (created once, re-initialised per telegram), and for AES-CBC a
 * small table of ciphers by key ({@value #CBC_SLOTS} slots), so a meter heard again finds its
 * expanded key ready (the JCE re-expands a key only when it changes).
 */
final class WmbusCrypto {
    static final int CBC_SLOTS = 64;
    private static final ThreadLocal<Ciphers> CIPHERS = ThreadLocal.withInitial(Ciphers::new);

    private WmbusCrypto() {}

    /** The ciphers of one thread; created lazily. */
    private static final class Ciphers {
        private final Cipher[] cbc = new Cipher[CBC_SLOTS];
        private final SecretKeySpec[] cbcKey = new SecretKeySpec[CBC_SLOTS];
        private final byte[][] cbcKeyBytes = new byte[CBC_SLOTS][];
        private Cipher ctr;
        private Cipher ecb;

        /** A CBC decryptor for {@code key} with the IV set; direct-mapped by key, the slot's previous key evicted. */
        Cipher cbc(byte[] key, byte[] iv) throws GeneralSecurityException {
            int slot = java.util.Arrays.hashCode(key) & (CBC_SLOTS - 1);
            if (cbc[slot] == null) cbc[slot] = Cipher.getInstance("AES/CBC/NoPadding");
            if (!java.util.Arrays.equals(cbcKeyBytes[slot], key)) {
                cbcKeyBytes[slot] = null; // stays empty if the key is refused
                cbcKey[slot] = new SecretKeySpec(key, "AES");
                cbc[slot].init(Cipher.DECRYPT_MODE, cbcKey[slot], new IvParameterSpec(iv));
                cbcKeyBytes[slot] = key.clone();
            } else {
                cbc[slot].init(Cipher.DECRYPT_MODE, cbcKey[slot], new IvParameterSpec(iv));
            }
            return cbc[slot];
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

    /** An AES-128 ECB encryptor of this thread initialised with {@code key}; use it before the next call on this thread. */
    static Cipher ecb(byte[] key) throws GeneralSecurityException {
        Cipher c = CIPHERS.get().ecb();
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return c;
    }

    /** AES-128-CBC decryption of whole blocks (EN 13757-7 §9.4.5 mode 5, OMS Vol 2 §9.5 mode 7). */
    static byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] data, int from, int len) throws GeneralSecurityException {
        byte[] out = new byte[len];
        cbcDecrypt(key, iv, data, from, len, out, 0);
        return out;
    }

    /** As {@link #cbcDecrypt(byte[], byte[], byte[], int, int)}, into {@code out} at {@code at}. */
    static void cbcDecrypt(byte[] key, byte[] iv, byte[] data, int from, int len, byte[] out, int at) throws GeneralSecurityException {
        CIPHERS.get().cbc(key, iv).doFinal(data, from, len, out, at);
    }

    /** AES-128-CTR (EN 13757-4 §13.2.12, ELL): any length, counter in the last bytes of the IV. */
    static byte[] ctr(byte[] key, byte[] iv, byte[] data, int from, int len) throws GeneralSecurityException {
        Cipher c = CIPHERS.get().ctr();
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(data, from, len);
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
