package io.meterlink.drivers.p1;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;

/**
 * Builds an encrypted P1 frame as a Luxembourg Smarty or Sagemcom T210-D-r sends it (the inverse of
 * {@link GcmFrames}): DLMS general-global-cipher {@code DB 08 <system title> 82 <length 2> 30
 * <frame counter 4> <ciphertext> <tag 12>}, AES-128-GCM, IV = system title ‖ counter, additional
 * data = 0x30 ‖ authentication key. For virtual meters and tests. Stateless.
 */
public final class P1Encryption {
    private P1Encryption() {}

    /** @param systemTitle 8 bytes; @param key and @param authKey 16 bytes each */
    public static byte[] seal(byte[] telegram, byte[] systemTitle, long counter, byte[] key, byte[] authKey) {
        byte[] iv = new byte[12];
        System.arraycopy(systemTitle, 0, iv, 0, 8);
        for (int i = 0; i < 4; i++) iv[8 + i] = (byte) (counter >>> 24 - 8 * i);
        byte[] ct;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(96, iv));
            byte[] aad = new byte[1 + authKey.length];
            aad[0] = 0x30;
            System.arraycopy(authKey, 0, aad, 1, authKey.length);
            c.updateAAD(aad);
            ct = c.doFinal(telegram);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM not available", e);
        }
        int len = 5 + ct.length;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0xDB);
        o.write(8);
        o.writeBytes(systemTitle);
        o.write(0x82);
        o.write(len >> 8);
        o.write(len & 0xFF);
        o.write(0x30); // security control: authenticated and encrypted
        o.write(iv, 8, 4);
        o.writeBytes(ct);
        return o.toByteArray();
    }
}
