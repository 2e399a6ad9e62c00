package io.meterlink.sim.wmbus;

import io.meterlink.sim.wmbus.WmbusFrameBuilder.Security;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.*;

/** Known-answer tests of the simulator's own encoders against published vectors. */
class WmbusFrameBuilderTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    // OMS Vol 2 Annex N.2.1 (gas meter, security profile A, mode 5); vector exmbus-oms-annexN-2.1 in shared/testdata/crypto
    private static final String MODE5_FRAME = "2E4493157856341233037A2A0020255923C95AAA26D1B2E7493B013EC4A6F6D3529B520EDFF0EA6DEFC99D6D69EBF3";
    private static final String MODE5_KEY = "0102030405060708090A0B0C0D0E0F11";
    // CEN/TR 17167 / OMS mode 7 with AFL and ELL 8C; vector lvogt-mode7-afl-ell8c-all-fields
    private static final String MODE7_FRAME = "434493157856341233038C2075900F002C25B30A000021924D4F2FB66E017A75002007109058475F4BC91DF878B80A1B0F98B629024AAC727942BFC549233C0140829B93";
    private static final String MODE7_KEY = "000102030405060708090A0B0C0D0E0F";
    // the same frame with its format A CRCs; vector lvogt-mode7-afl-with-crc-integrated-radio
    private static final String MODE7_ON_AIR = "434493157856341233037AC98C2075900F002C25B30A000021924D4FBA372FB66E017A75002007109058475F4BC9D1281DF878B80A1B0F98B629024AAC7279429398BFC549233C0140829B93BAA1";

    @Test
    void mode5_reproducesOmsAnnexNFrame() throws Exception {
        byte[] frame = HEX.parseHex(MODE5_FRAME);
        byte[] key = HEX.parseHex(MODE5_KEY);
        byte[] iv = new byte[16];
        System.arraycopy(frame, 2, iv, 0, 8);
        Arrays.fill(iv, 8, 16, frame[11]);
        byte[] plain = cbcDecrypt(key, iv, Arrays.copyOfRange(frame, 15, frame.length));
        assertEquals("2F2F", HEX.formatHex(plain, 0, 2));

        byte[] built = new WmbusFrameBuilder(0x44, "ELS", "12345678", 0x33, 0x03).tpl(0x2A, 0x00).configurationFlags(0x2000)
                .mode5(key).records(Arrays.copyOfRange(plain, 2, plain.length)).build();
        assertEquals(MODE5_FRAME, HEX.formatHex(built));
    }

    @Test
    void mode7_reproducesFrameWithAflMac() throws Exception {
        byte[] frame = HEX.parseHex(MODE7_FRAME);
        byte[] key = HEX.parseHex(MODE7_KEY);
        byte[] kdf = HEX.parseHex("00B30A00007856341207070707070707");
        byte[] plain = cbcDecrypt(Cmac.of(key, kdf), new byte[16], Arrays.copyOfRange(frame, 36, frame.length));
        assertEquals("2F2F", HEX.formatHex(plain, 0, 2), "the derived encryption key decrypts");

        byte[] built = new WmbusFrameBuilder(0x44, "ELS", "12345678", 0x33, 0x03).ell(0x20).tpl(0x75, 0x00)
                .mode7(key, 0x25, 0x0AB3, 0x10).records(Arrays.copyOfRange(plain, 2, plain.length)).build();
        assertEquals(MODE7_FRAME, HEX.formatHex(built), "same ciphertext and the same (CMAC) MAC");
    }

    /**
     * Mode 10 (AES-CCM), the frame Python's {@code cryptography} made for the decoder's test
     * (drivers/src/test/resources/wmbus/security-vectors.py, "short_tag8"): KAM 12345678, access 21,
     * counter 2A, 8-byte tag.
     */
    @Test
    void mode10_reproducesTheIndependentCcmVector() {
        byte[] key = HEX.parseHex("000102030405060708090A0B0C0D0E0F");
        byte[] built = new WmbusFrameBuilder(0x44, "KAM", "12345678", 0x1B, 0x16).tpl(0x21, 0x00).mode10(key, 0x2A, 8)
                .records(HEX.parseHex("0C1378563412" + "02FD170000" + "0413E8030000")).build();
        assertEquals("2D442D2C785634121B167A2100FF0A10012A000000A93EA801B951FA44DA52082563684BA5D08226BC1CE5706A9B", HEX.formatHex(built));
    }

    @Test
    void formatA_addsTheBlockCrcsOnAir() {
        assertEquals(MODE7_ON_AIR, HEX.formatHex(RadioCrc.formatA(HEX.parseHex(MODE7_FRAME))));
    }

    @Test
    void cmac_matchesRfc4493Examples() throws Exception {
        byte[] k = HEX.parseHex("2B7E151628AED2A6ABF7158809CF4F3C");
        String m = "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411";
        assertEquals("BB1D6929E95937287FA37D129B756746", HEX.formatHex(Cmac.of(k, new byte[0])));
        assertEquals("070A16B46B4D4144F79BDD9DD04A287C", HEX.formatHex(Cmac.of(k, HEX.parseHex(m.substring(0, 32)))));
        assertEquals("DFA66747DE9AE63030CA32611497C827", HEX.formatHex(Cmac.of(k, HEX.parseHex(m))));
    }

    @Test
    void builder_refusesBadIdentity() {
        assertThrows(IllegalArgumentException.class, () -> new WmbusFrameBuilder(0x44, "kam", "12345678", 1, 7));
        assertThrows(IllegalArgumentException.class, () -> new WmbusFrameBuilder(0x44, "KAM", "1234567", 1, 7));
        assertThrows(IllegalArgumentException.class,
                () -> new VirtualWmbusMeter("12345678", "KAM", VirtualWmbusMeter.Kind.WATER, Security.MODE5, null,
                        java.time.Clock.systemUTC(), java.time.ZoneOffset.UTC, 0, 1, -70));
    }

    private static byte[] cbcDecrypt(byte[] key, byte[] iv, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
        return c.doFinal(data);
    }
}
