package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.testing.Hex;
import io.meterlink.drivers.testing.MapSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Key length against use: 32 hex digits are an AES-128 key; a DES key (16 hex digits, security mode 2
 * only) must be declared {@code des:…}, so half an AES key is a config error at load naming the
 * meter, never the key — in the gateway's {@code meters}, {@code meterlink decode --key} and a keys file.
 */
class WmbusKeyRuleTest {
    private static final String DES_KEY = "0123456789ABCDEF";
    private static final String DES_VECTOR = "2E442D2C785634121B167A2500200295436409208CFDCA98A2C237A74EDE2BABAC2B74666B797D1A24E2A6D58ED583";

    private static MapSettings source(String key) {
        return new MapSettings(Map.of("transport", "tcp", "host", "localhost", "tcp_port", "4001", "dongle", "hexlines",
                "meters", List.of(Map.of("id", "12345678", "key", key))));
    }

    @Test
    void gatewayConfig_aBare16DigitKey_isAnErrorNamingTheMeter_declaredDes_isTaken() {
        WmbusDriverFactory f = new WmbusDriverFactory();
        MapSettings half = source(DES_KEY);
        assertNull(f.configure(half));
        assertEquals(1, half.errors().size(), half.errors().toString());
        String e = half.errors().get(0);
        assertTrue(e.contains("12345678") && e.contains("des:"), e);
        assertFalse(e.contains(DES_KEY), "the key is never echoed: " + e);

        MapSettings des = source("des:" + DES_KEY);
        assertNotNull(f.configure(des), des.errors().toString());

        String aes = "000102030405060708090A0B0C0D0E0F";
        MapSettings desTooLong = source("des:" + aes);
        assertNull(f.configure(desTooLong));
        assertFalse(desTooLong.errors().get(0).contains(aes), desTooLong.errors().toString());
        assertNotNull(f.configure(source(aes)));
    }

    @Test
    void decodeKey_bare16Digits_refused_desPrefix_decodesTheMode2Telegram() throws Exception {
        WmbusFrameDecoder d = new WmbusFrameDecoder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.open(new FrameDecoder.Options(Secret.of(DES_KEY), null, null)));
        assertTrue(e.getMessage().startsWith("--key") && !e.getMessage().contains(DES_KEY), e.getMessage());
        DecodedFrame frame = d.open(new FrameDecoder.Options(Secret.of("des:" + DES_KEY), null, null)).decode(Hex.bytes(DES_VECTOR));
        assertEquals(2, frame.records().size());
    }

    @Test
    void keysFile_bare16Digits_refusedWithTheLineAndMeter_desPrefix_taken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# keys\n87654321 000102030405060708090A0B0C0D0E0F\n12345678 " + DES_KEY + "\n");
        WmbusFrameDecoder d = new WmbusFrameDecoder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.open(new FrameDecoder.Options(null, null, file)));
        assertTrue(e.getMessage().contains(":3: meter 12345678"), e.getMessage());
        assertFalse(e.getMessage().contains(DES_KEY), e.getMessage());
        Files.writeString(file, "87654321 000102030405060708090A0B0C0D0E0F\n12345678 des:" + DES_KEY + "\n");
        assertEquals(2, d.open(new FrameDecoder.Options(null, null, file)).decode(Hex.bytes(DES_VECTOR)).records().size());
    }

    /** What a telegram of {@code frame} is refused for when the configured key is {@code key}. */
    private static DecodeException refusal(byte[] frame, byte[] key) {
        return assertThrows(DecodeException.class, () -> WmbusDecoder.decodeWithoutCrcs(frame, (m, id) -> Optional.of(key.clone()), null));
    }

    @Test
    void decoding_aKeyOfTheOtherLength_isWrongKey_sayingWhatTheTelegramsSecurityModeNeeds() throws Exception {
        DecodeException aesForDes = refusal(Hex.bytes(DES_VECTOR), TestFrames.KEY);
        assertEquals(DecodeException.Kind.WRONG_KEY, aesForDes.kind());
        assertEquals("security mode 2 needs a DES key (des: and 16 hex digits)", aesForDes.getMessage());
        assertEquals("wmbus:KAM:12345678", aesForDes.meter());

        DecodeException desForAes = refusal(TestFrames.mode5(0x31, TestFrames.KEY), Hex.bytes(DES_KEY));
        assertEquals(DecodeException.Kind.WRONG_KEY, desForAes.kind());
        assertEquals("security mode 5 needs an AES-128 key (32 hex digits)", desForAes.getMessage());
        assertEquals("wmbus:KAM:12345678", desForAes.meter());
    }
}
