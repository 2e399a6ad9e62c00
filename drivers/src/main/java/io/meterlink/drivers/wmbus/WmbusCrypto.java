package io.meterlink.drivers.wmbus;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/** AES primitives of the wireless M-Bus security modes, on the JCE. Stateless, thread-safe. */
final class WmbusCrypto {
    private WmbusCrypto() {}

    static Cipher ecb(byte[] key) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return c;
    }

    /** AES-128-CBC decryption of whole blocks (EN 13757-7 §9.4.5 mode 5, OMS Vol 2 §9.5 mode 7). */
    static byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] data, int from, int len) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(data, from, len);
    }

    /** AES-128-CTR (EN 13757-4 §13.2.12, ELL): any length, counter in the last bytes of the IV. */
    static byte[] ctr(byte[] key, byte[] iv, byte[] data, int from, int len) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
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
