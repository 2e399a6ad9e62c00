package io.meterlink.drivers.wmbus;

import io.meterlink.drivers.testing.Hex;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;

/** Wireless frames built field by field for tests (no third-party data). */
final class TestFrames {
    private TestFrames() {}

    static final byte[] KEY = Hex.bytes("000102030405060708090A0B0C0D0E0F");

    /** Plaintext records: volume 12345.678 m3, flow temperature 45.6 °C, error flags 0. */
    static final String RECORDS = ""
            + "0C 13 78 56 34 12"   // DIF 0C BCD8, VIF 13 volume 10^-3 m3: 12345.678 m3
            + "0A 5A 56 04"         // DIF 0A BCD4, VIF 5A flow temperature 10^-1 °C: 45.6 °C
            + "02 FD 17 00 00";     // DIF 02 int16, VIF FD 17 error flags: 0

    /** An unencrypted SND_NR from KAM 12345678 with a short TPL header (CI 7A), CRCs removed. */
    static byte[] plain(int accessNumber) {
        byte[] body = Hex.bytes(""
                + "44"              // C: SND_NR
                + "2D 2C"           // M: KAM (0x2C2D, LSB first)
                + "78 56 34 12"     // A: id 12345678 (BCD, LSB first)
                + "1B"              // version 27
                + "16"              // device type 16 cold water
                + "7A"              // CI: TPL short header
                + String.format("%02X", accessNumber) // access number
                + "00"              // status
                + "00 00"           // configuration: no encryption
                + RECORDS);
        return withL(body);
    }

    /** The same telegram encrypted with security mode 5 (AES-CBC, IV = M A ACC×8), 2F2F-prefixed, 2 blocks. */
    static byte[] mode5(int accessNumber, byte[] key) throws Exception {
        byte[] head = Hex.bytes("44 2D2C 78563412 1B 16 7A" + String.format("%02X", accessNumber) + "00" + "20 05"); // CF 0520: mode 5, 2 blocks
        byte[] plain = new byte[32];
        Arrays.fill(plain, (byte) 0x2F);
        byte[] rec = Hex.bytes(RECORDS);
        System.arraycopy(rec, 0, plain, 2, rec.length);
        byte[] iv = Hex.bytes("2D2C 78563412 1B 16" + String.format("%02X", accessNumber).repeat(8));
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        byte[] enc = c.doFinal(plain);
        byte[] body = Arrays.copyOf(head, head.length + enc.length);
        System.arraycopy(enc, 0, body, head.length, enc.length);
        return withL(body);
    }

    static byte[] withL(byte[] body) {
        byte[] f = new byte[body.length + 1];
        f[0] = (byte) body.length;
        System.arraycopy(body, 0, f, 1, body.length);
        return f;
    }
}
