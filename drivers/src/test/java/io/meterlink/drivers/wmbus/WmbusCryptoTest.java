package io.meterlink.drivers.wmbus;

import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class WmbusCryptoTest {
    private static byte[] key(int n) {
        byte[] k = new byte[16];
        for (int i = 0; i < 16; i++) k[i] = (byte) (n * 37 + i * 11);
        return k;
    }

    private static byte[] encrypt(byte[] key, byte[] iv, byte[] plain) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(plain);
    }

    @Test
    void cbcDecrypt_manyKeysInTurn_eachTelegramDecryptsWithItsOwnKeyAndIv() throws Exception {
        int keys = WmbusCrypto.CBC_KEYS + 40; // more keys than the per-thread table keeps: evictions on the way
        for (int round = 0; round < 3; round++) {
            for (int n = 0; n < keys; n++) {
                byte[] iv = new byte[16];
                Arrays.fill(iv, (byte) (n + round));
                byte[] plain = new byte[32];
                for (int i = 0; i < plain.length; i++) plain[i] = (byte) (i * n + round);
                byte[] data = encrypt(key(n), iv, plain);
                byte[] out = new byte[32];
                WmbusCrypto.cbcDecrypt(key(n), iv, data, 0, 32, out, 0, n % 2 == 0);
                assertArrayEquals(plain, out, "key " + n + " round " + round);
            }
        }
    }

    @Test
    void cbcDecrypt_callerChangesKeyArrayAfterwards_cachedCipherKeepsTheOldKey() throws Exception {
        byte[] k = key(1);
        byte[] iv = new byte[16];
        byte[] plain = new byte[16];
        Arrays.fill(plain, (byte) 0x2F);
        byte[] data = encrypt(key(1), iv, plain);
        WmbusCrypto.cbcDecrypt(k, iv, data, 0, 16, new byte[16], 0, true);
        k[0] ^= 1; // a different key now: must not find the cipher of key(1)
        byte[] out = new byte[16];
        WmbusCrypto.cbcDecrypt(k, iv, data, 0, 16, out, 0, true);
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"), new IvParameterSpec(iv));
        byte[] expected = c.doFinal(data);
        assertArrayEquals(expected, out);
    }
}
