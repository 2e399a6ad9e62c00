package io.meterlink.drivers.modbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedFrame;
import io.meterlink.core.api.driver.DecodedRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Any dump text or register contents give records or a DecodeException, nothing else. */
class ModbusPropertyTest {
    private static final String[] TOKENS = {"4", "3", "1", "2", "0x0000", "72", "436B", "0000", "FFFF", "1", "0", "unit", "#", "\n", "\n\n", " ", "0x10000", "-1", "ZZ"};

    @Test
    void randomDumps_giveFramesOrDecodeExceptions() {
        Random rnd = new Random(12L);
        for (String name : ProfileCatalog.shippedNames()) {
            MeterProfile p = ProfileCatalog.shipped().find(name);
            for (int i = 0; i < 150; i++) {
                String text;
                if (rnd.nextBoolean()) {
                    byte[] b = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(b);
                    text = new String(b, StandardCharsets.ISO_8859_1);
                } else {
                    StringBuilder sb = new StringBuilder();
                    for (int t = rnd.nextInt(40); t > 0; t--) sb.append(TOKENS[rnd.nextInt(TOKENS.length)]).append(' ');
                    text = sb.toString();
                }
                List<DecodeException> errors = new ArrayList<>();
                for (DecodedFrame f : ModbusFrameDecoder.decode(p, text, errors)) assertNotNull(f.records());
                for (DecodeException e : errors) assertNotNull(e.kind());
            }
        }
    }

    @Test
    void randomRegisters_decodeToExactNumbersOrTypedErrors() {
        Random rnd = new Random(7L);
        for (String name : ProfileCatalog.shippedNames()) {
            MeterProfile p = ProfileCatalog.shipped().find(name);
            for (int i = 0; i < 40; i++) {
                RegisterImage image = new RegisterImage();
                for (ReadBlock b : p.blocks()) {
                    int[] w = new int[b.count()];
                    for (int k = 0; k < w.length; k++) w[k] = b.function() <= 2 ? rnd.nextInt(2) : rnd.nextInt(0x10000);
                    image.put(b.function(), b.start(), w);
                }
                List<DecodeException> errors = new ArrayList<>();
                for (DecodedRecord r : p.records(image, (v, e) -> errors.add(e))) {
                    BigDecimal v = r.value();
                    assertNotNull(v, r.toString());
                    assertTrue(v.scale() >= 0, r.toString());
                }
                for (DecodeException e : errors) assertEquals(DecodeException.Kind.VALUE_RANGE, e.kind());
            }
        }
    }
}
