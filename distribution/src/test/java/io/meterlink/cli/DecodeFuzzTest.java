package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz (jqwik, bounded tries, seconds in CI): {@code meterlink decode} on generated lines — random
 * bytes, wired M-Bus long frames with a right checksum around random and record-shaped data, wireless
 * M-Bus frames with a right L-field, and junk text. Every line gives exactly one JSON object: a decoded
 * frame or a typed error; an {@code internal:} error (a RuntimeException in a decoder) fails. The
 * number of lines that reached a decoder is printed at the end.
 */
class DecodeFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Errors the command raises before any decoder sees the bytes. */
    private static final List<String> NOT_DECODED = List.of("not hex", "empty line", "line_too_long");
    private static final AtomicLong LINES = new AtomicLong();
    private static final AtomicLong REACHED = new AtomicLong();
    private static final AtomicLong DECODED = new AtomicLong();

    @Property(tries = 250, shrinking = ShrinkingMode.BOUNDED, seed = "20261206")
    void everyLine_givesAFrameOrATypedError(@ForAll("lines") @Size(min = 1, max = 25) List<String> lines) throws Exception {
        Path in = Files.createTempFile("decode-fuzz-", ".hex");
        try {
            Files.writeString(in, String.join("\n", lines) + "\n");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute("decode", "--input", in.toString());
            assertEquals(0, code, err::toString);
            String[] outLines = out.toString().split("\n");
            assertEquals(lines.size(), outLines.length, "one JSON object per input line");
            for (int i = 0; i < outLines.length; i++) {
                JsonNode o = JSON.readTree(outLines[i]);
                LINES.incrementAndGet();
                if (!o.has("error")) {
                    REACHED.incrementAndGet();
                    DECODED.incrementAndGet();
                    continue;
                }
                String error = o.path("error").asText();
                assertEquals(i + 1, o.path("input_line").asInt(), o.toString());
                assertFalse(error.startsWith("internal"), "untyped failure on line " + lines.get(i) + ": " + error);
                assertTrue(error.matches("[a-z_ ]+: .*|empty line"), "typed error: " + error);
                if (NOT_DECODED.stream().noneMatch(error::startsWith)) REACHED.incrementAndGet();
            }
        } finally {
            Files.deleteIfExists(in);
        }
    }

    @AfterContainer
    static void report() {
        System.out.printf("DECODE_FUZZ lines=%d reached_decoder=%d decoded=%d%n", LINES.get(), REACHED.get(), DECODED.get());
        assertTrue(REACHED.get() > LINES.get() / 2, "most generated lines reach a decoder: " + REACHED + " of " + LINES);
    }

    @Provide
    Arbitrary<List<String>> lines() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, randomBytes()),
                net.jqwik.api.Tuple.of(4, wiredLong()),
                net.jqwik.api.Tuple.of(4, wiredRecords()),
                net.jqwik.api.Tuple.of(4, wireless()),
                net.jqwik.api.Tuple.of(1, junk())).list();
    }

    private static Arbitrary<String> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(DecodeFuzzTest::hex);
    }

    /** EN 13757-2 §5.2 long frame 68 L L 68 C A CI data CS 16, checksum right, data random. */
    private static Arbitrary<String> wiredLong() {
        return Combinators.combine(Arbitraries.of((byte) 0x08, (byte) 0x18, (byte) 0x28, (byte) 0x53, (byte) 0x73),
                Arbitraries.bytes(), Arbitraries.of((byte) 0x72, (byte) 0x76, (byte) 0x78, (byte) 0x7A, (byte) 0x70, (byte) 0x51),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(240))
                .as((c, a, ci, data) -> hex(longFrame(c, a, ci, data)));
    }

    /** A long frame CI 72 with a right 12-byte header and a run of record-shaped DIF/VIF/data bytes. */
    private static Arbitrary<String> wiredRecords() {
        Arbitrary<byte[]> record = Combinators.combine(Arbitraries.of(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0A, 0x0B,
                        0x0C, 0x0D, 0x0E, 0x0F, 0x84, 0x44, 0x8C, 0x1F), Arbitraries.integers().between(0, 255),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(12))
                .as((dif, vif, data) -> {
                    byte[] r = new byte[2 + data.length];
                    r[0] = (byte) (int) dif;
                    r[1] = (byte) (int) vif;
                    System.arraycopy(data, 0, r, 2, data.length);
                    return r;
                });
        return record.list().ofMaxSize(16).map(recs -> {
            byte[] header = HexFormat.of().parseHex("785634122C2D0804" + "2A000000"); // id 12345678, KAM, v8, heat, acc, st, sig
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            b.writeBytes(header);
            recs.forEach(b::writeBytes);
            byte[] data = b.toByteArray();
            if (data.length > 240) data = java.util.Arrays.copyOf(data, 240);
            return hex(longFrame((byte) 0x08, (byte) 0x01, (byte) 0x72, data));
        });
    }

    /** EN 13757-4 frame without CRCs (as dongles deliver it): L C M M A A A A V T CI …, L right. */
    private static Arbitrary<String> wireless() {
        return Combinators.combine(Arbitraries.of((byte) 0x44, (byte) 0x46, (byte) 0x08),
                Arbitraries.of(new byte[] {0x2D, 0x2C}, new byte[] {(byte) 0xA7, 0x32}, new byte[] {(byte) 0xEE, 0x4D}),
                Arbitraries.bytes().array(byte[].class).ofSize(6),
                Arbitraries.of((byte) 0x7A, (byte) 0x72, (byte) 0x8C, (byte) 0x78, (byte) 0xA0),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                .as((c, m, address, ci, rest) -> {
                    byte[] f = new byte[1 + 1 + 2 + 6 + 1 + rest.length];
                    f[0] = (byte) (f.length - 1);
                    f[1] = c;
                    f[2] = m[0];
                    f[3] = m[1];
                    System.arraycopy(address, 0, f, 4, 6);
                    f[10] = ci;
                    System.arraycopy(rest, 0, f, 11, rest.length);
                    return hex(f);
                });
    }

    private static Arbitrary<String> junk() {
        return Arbitraries.strings().withChars("0123456789abcdefXYZ \t:-{}\"'").ofMaxLength(80);
    }

    static byte[] longFrame(byte c, byte a, byte ci, byte[] data) {
        int l = 3 + data.length;
        byte[] f = new byte[l + 6];
        f[0] = 0x68;
        f[1] = (byte) l;
        f[2] = (byte) l;
        f[3] = 0x68;
        f[4] = c;
        f[5] = a;
        f[6] = ci;
        System.arraycopy(data, 0, f, 7, data.length);
        int cs = 0;
        for (int i = 4; i < 4 + l; i++) cs += f[i] & 0xFF;
        f[4 + l] = (byte) cs;
        f[5 + l] = 0x16;
        return f;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }
}
