package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class WmbusDecoderTest {
    private final WmbusReadingMapper mapper = new WmbusReadingMapper(ZoneOffset.UTC);

    private void assertValues(WmbusTelegram t) {
        assertEquals("KAM", t.manufacturer());
        assertEquals("12345678", t.id());
        assertEquals(27, t.version());
        assertEquals(0x16, t.deviceType());
        assertEquals(0x7A, t.ci());
        assertEquals(0x42, t.accessNumber());
        List<Reading> r = mapper.toReadings(t, Instant.EPOCH, -70);
        assertEquals(2, r.size());
        assertEquals(MeterId.of("wmbus:KAM:12345678"), r.get(0).meter());
        assertEquals(Quantity.VOLUME, r.get(0).quantity());
        assertEquals(Unit.M3, r.get(0).unit());
        assertEquals(0, new BigDecimal("12345.678").compareTo(r.get(0).value()));
        assertEquals(Quantity.FLOW_TEMPERATURE, r.get(1).quantity());
        assertEquals(0, new BigDecimal("45.6").compareTo(r.get(1).value()));
        assertEquals(-70, r.get(0).rssiDbm());
    }

    @Test
    void decode_plainFrameWithoutCrcs_givesHeaderAndRecords() throws Exception {
        assertValues(WmbusDecoder.decode(TestFrames.plain(0x42), KeyLookup.none()));
    }

    @Test
    void decode_formatAWithCrcs_checksAndRemovesThem() throws Exception {
        byte[] a = LinkLayer.withCrcA(TestFrames.plain(0x42));
        assertEquals(TestFrames.plain(0x42).length + 2 * 3, a.length, "blocks of 10, 16 and the rest, each with a CRC");
        assertValues(WmbusDecoder.decode(a, KeyLookup.none()));
    }

    @Test
    void decode_formatBWithCrc_checksAndRemovesIt() throws Exception {
        byte[] b = LinkLayer.withCrcB(TestFrames.plain(0x42));
        assertEquals((b.length - 1), b[0] & 0xFF, "format B: L counts the CRC");
        assertValues(WmbusDecoder.decode(b, KeyLookup.none()));
    }

    @Test
    void decode_formatAWithOneFlippedBit_isAChecksumError() {
        byte[] a = LinkLayer.withCrcA(TestFrames.plain(0x42));
        a[20] ^= 0x01;
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(a, KeyLookup.none()));
        assertEquals(Kind.CHECKSUM, e.kind());
    }

    @Test
    void decode_frameShorterThanItsLField_isTruncated() {
        byte[] f = TestFrames.plain(0x42);
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(Arrays.copyOf(f, f.length - 1), KeyLookup.none()));
        assertEquals(Kind.TRUNCATED, e.kind());
    }

    @Test
    void decode_mode5_withKey_decrypts_withoutKey_isNoKey_withWrongKey_isWrongKey() throws Exception {
        byte[] f = TestFrames.mode5(0x42, TestFrames.KEY);
        WmbusTelegram t = WmbusDecoder.decode(f, (m, id) -> "12345678".equals(id) ? Optional.of(TestFrames.KEY.clone()) : Optional.empty());
        assertValues(t);
        assertEquals(5, t.securityMode());
        assertEquals(Kind.NO_KEY, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(f, KeyLookup.none())).kind());
        byte[] wrong = TestFrames.KEY.clone();
        wrong[0] ^= 1;
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(f, (m, id) -> Optional.of(wrong.clone())));
        assertEquals(Kind.WRONG_KEY, e.kind());
        assertEquals("wmbus:KAM:12345678", e.meter());
    }

    @Test
    void decode_manufacturerSpecificCi_givesHeaderWithoutRecords() throws Exception {
        byte[] f = TestFrames.withL(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 A2 0102030405"));
        WmbusTelegram t = WmbusDecoder.decode(f, KeyLookup.none());
        assertEquals(0xA2, t.ci());
        assertTrue(t.records().isEmpty());
        assertEquals("0102030405", t.manufacturerData());
    }

    @Test
    void aesCmac_matchesRfc4493Examples() throws Exception {
        byte[] key = io.meterlink.drivers.testing.Hex.bytes("2b7e151628aed2a6abf7158809cf4f3c");
        // RFC 4493 §4 examples 1 (empty message) and 2 (16 bytes)
        assertEquals("bb1d6929e95937287fa37d129b756746", java.util.HexFormat.of().formatHex(AesCmac.mac(key, new byte[0])));
        assertEquals("070a16b46b4d4144f79bdd9dd04a287c", java.util.HexFormat.of().formatHex(
                AesCmac.mac(key, io.meterlink.drivers.testing.Hex.bytes("6bc1bee22e409f96e93d7e117393172a"))));
        // example 3 (40 bytes, last block partial)
        assertEquals("dfa66747de9ae63030ca32611497c827", java.util.HexFormat.of().formatHex(AesCmac.mac(key, io.meterlink.drivers.testing.Hex.bytes(
                "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411"))));
    }

    @Test
    void decode_oneRecordCutShortAtTheEnd_keepsTheRecordsBeforeIt_restCounted() throws Exception {
        // the plain telegram and then 0C 13 12 34: a BCD8 volume record cut after two bytes (with CRCs, so no format B doubt)
        byte[] f = LinkLayer.withCrcA(TestFrames.withL(Arrays.copyOfRange(concat(TestFrames.plain(0x42),
                io.meterlink.drivers.testing.Hex.bytes("0C 13 12 34")), 1, TestFrames.plain(0x42).length + 4)));
        WmbusTelegram t = WmbusDecoder.decode(f, KeyLookup.none());
        assertValues(t);
        assertEquals(Kind.TRUNCATED, t.undecoded().kind());
        assertEquals("0C131234", t.undecoded().hex());
    }

    @Test
    void decode_twoBytesAfterTheLastRecordOfACrclessFrame_isRefused_asAFormatBFrameWithAWrongCrcWouldBe() throws Exception {
        byte[] plain = TestFrames.plain(0x42);
        byte[] junk = TestFrames.withL(Arrays.copyOfRange(concat(plain, new byte[] {0x7A, (byte) 0xC4}), 1, plain.length + 2));
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(junk, KeyLookup.none())).kind());
        // the same two bytes inside a frame whose format A CRCs check: the records before them stand
        WmbusTelegram t = WmbusDecoder.decode(LinkLayer.withCrcA(junk), KeyLookup.none());
        assertValues(t);
        assertEquals("7AC4", t.undecoded().hex());
    }

    @Test
    void decode_crclessFrameEndingInItsLastFormatABlocksCrc_isCheckedAndDropped_aWrongOneStillRefused() throws Exception {
        // some loggers remove every format A CRC but the last block's and count it in L (EN 13757-4 §12.5.2: blocks of 10, 16, 16, …)
        byte[] plain = TestFrames.plain(0x42);
        int lastBlock = LinkLayer.HEADER + (plain.length - LinkLayer.HEADER - 1) / 16 * 16;
        int crc = io.meterlink.drivers.mbus.Crc16.of(plain, lastBlock, plain.length);
        byte[] kept = TestFrames.withL(Arrays.copyOfRange(concat(plain, new byte[] {(byte) (crc >> 8), (byte) crc}), 1, plain.length + 2));
        WmbusTelegram t = WmbusDecoder.decode(kept, KeyLookup.none());
        assertValues(t);
        assertNull(t.undecoded(), "the 2 bytes are the last block's CRC: checked, not a trailer");
        // one bit off: neither that CRC nor a format B CRC, so refused as before
        byte[] damaged = kept.clone();
        damaged[damaged.length - 1] ^= 1;
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(damaged, KeyLookup.none())).kind());
        // a CRC over the wrong bytes (the whole frame instead of its last block) is no proof either
        int whole = io.meterlink.drivers.mbus.Crc16.of(plain, 0, plain.length);
        byte[] other = TestFrames.withL(Arrays.copyOfRange(concat(plain, new byte[] {(byte) (whole >> 8), (byte) whole}), 1, plain.length + 2));
        assertEquals(Kind.CHECKSUM, assertThrows(DecodeException.class, () -> WmbusDecoder.decode(other, KeyLookup.none())).kind());
    }

    @Test
    void decode_twoBytesAfterTheLastRecordOf129Bytes_cannotBeAFormatBCrc_soTheRecordsBeforeStand() throws Exception {
        byte[] plain = TestFrames.plain(0x42);
        byte[] body = new byte[128]; // L = 128: 129 bytes, which no format B frame has (EN 13757-4 §12.5.3)
        System.arraycopy(plain, 1, body, 0, plain.length - 1);
        Arrays.fill(body, plain.length - 1, 126, (byte) 0x2F); // idle filler
        body[126] = (byte) 0xDE;
        body[127] = 0x47;
        WmbusTelegram t = WmbusDecoder.decode(TestFrames.withL(body), KeyLookup.none());
        assertValues(t);
        assertEquals("DE47", t.undecoded().hex());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A receiver's log of a mode-5 telegram: the mode bits say encrypted, the payload is already the 2F2F-prefixed plaintext. */
    private static byte[] loggedMode5() {
        return TestFrames.withL(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 7A 42 00 20 05 2F2F" + TestFrames.RECORDS
                + "2F".repeat(32 - 2 - io.meterlink.drivers.testing.Hex.bytes(TestFrames.RECORDS).length)));
    }

    @Test
    void decode_loggedDecryptedMode5_isPlaintextWithoutKey_andRefusedTypedWithAKey() throws Exception {
        WmbusTelegram t = WmbusDecoder.decode(loggedMode5(), KeyLookup.none());
        assertValues(t);
        assertEquals(5, t.securityMode());
        // a gateway holding the meter's key never takes an unencrypted copy (anyone could inject readings in clear)
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(loggedMode5(), (m, id) -> Optional.of(TestFrames.KEY.clone())));
        assertEquals(Kind.AUTHENTICATION, e.kind());
        assertTrue(e.getMessage().contains("already plaintext"), e.getMessage());
        // the genuine encrypted telegram still decodes with the key
        assertValues(WmbusDecoder.decode(TestFrames.mode5(0x42, TestFrames.KEY), (m, id) -> Optional.of(TestFrames.KEY.clone())));
    }

    @Test
    void decode_loggedDecryptedMode7WithAflMac_isPlaintextWithoutKey_andRefusedTypedWithAKey() throws Exception {
        // ELL 8C, AFL 90 (FCL 2C00: MCL, MCR, MAC present; MCL 25 = 8-byte CMAC), TPL 7A with mode 7 (CF 0720, CF extension 10)
        byte[] f = TestFrames.withL(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 8C 20 42 90 0F 00 2C 25 01 00 00 00"
                + "0102030405060708 7A 42 00 20 07 10 2F2F" + TestFrames.RECORDS
                + "2F".repeat(32 - 2 - io.meterlink.drivers.testing.Hex.bytes(TestFrames.RECORDS).length)));
        WmbusTelegram t = WmbusDecoder.decode(f, KeyLookup.none());
        assertValues(t);
        assertEquals(7, t.securityMode());
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(f, (m, id) -> Optional.of(TestFrames.KEY.clone())));
        assertEquals(Kind.AUTHENTICATION, e.kind());
    }

    // issue 14: a gateway with a key must never accept an unencrypted copy

    @Test
    void decode_mode0ForAKeyedMeter_isRefusedAuthentication_andDecodesWithoutAKey() throws Exception {
        DecodeException e = assertThrows(DecodeException.class,
                () -> WmbusDecoder.decode(TestFrames.plain(0x42), (m, id) -> Optional.of(TestFrames.KEY.clone())));
        assertEquals(Kind.AUTHENTICATION, e.kind());
        assertTrue(e.getMessage().contains("unencrypted telegram for a meter with a key"), e.getMessage());
        assertValues(WmbusDecoder.decode(TestFrames.plain(0x42), KeyLookup.none()));
        // a key for another meter only: this meter's plaintext still decodes
        assertValues(WmbusDecoder.decode(TestFrames.plain(0x42), KeyLookup.byId(java.util.Map.of("87654321",
                io.meterlink.core.api.config.Secret.of("000102030405060708090A0B0C0D0E0F")))));
    }

    /** ELL with session number (CI 8D), encryption 1 (AES-CTR) announced; the payload (CRC, TPL 7A mode 0, records) as given. */
    private static byte[] ell(byte[] payload) {
        return TestFrames.withL(concat(io.meterlink.drivers.testing.Hex.bytes("44 2D2C 78563412 1B 16 8D 20 42 01000020"), payload));
    }

    private static byte[] ellPlainPayload() {
        byte[] rest = io.meterlink.drivers.testing.Hex.bytes("7A 42 00 0000" + TestFrames.RECORDS);
        byte[] withCrc = new byte[rest.length + 2];
        System.arraycopy(rest, 0, withCrc, 2, rest.length);
        int crc = io.meterlink.drivers.mbus.Crc16.of(withCrc, 2, withCrc.length);
        withCrc[0] = (byte) crc;
        withCrc[1] = (byte) (crc >> 8);
        return withCrc;
    }

    @Test
    void decode_ellAlreadyPlaintext_decodesWithoutAKey_andIsRefusedAuthenticationWithAKey() throws Exception {
        byte[] f = ell(ellPlainPayload());
        assertValues(WmbusDecoder.decode(f, KeyLookup.none()));
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(f, (m, id) -> Optional.of(TestFrames.KEY.clone())));
        assertEquals(Kind.AUTHENTICATION, e.kind());
        assertTrue(e.getMessage().contains("unencrypted telegram for a meter with a key"), e.getMessage());
    }

    @Test
    void decode_ellEncryptedWithTheKey_decodesWithTheKey() throws Exception {
        byte[] iv = io.meterlink.drivers.testing.Hex.bytes("2D2C 78563412 1B 16 20 01000020 0000 00"); // M A CC(&~0x10) SN FN BC
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(TestFrames.KEY, "AES"), new javax.crypto.spec.IvParameterSpec(iv));
        byte[] f = ell(c.doFinal(ellPlainPayload()));
        assertValues(WmbusDecoder.decode(f, (m, id) -> Optional.of(TestFrames.KEY.clone())));
        DecodeException e = assertThrows(DecodeException.class, () -> WmbusDecoder.decode(f, KeyLookup.none()));
        assertEquals(Kind.NO_KEY, e.kind());
    }
}
