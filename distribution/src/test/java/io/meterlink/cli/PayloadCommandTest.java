package io.meterlink.cli;

import io.meterlink.payload.CompactV1;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.ReadingsBatch;
import io.meterlink.payload.WireReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadCommandTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new MainTest.FakeServices(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private static ReadingsBatch batch() {
        Instant t = Instant.parse("2026-11-26T08:00:00Z");
        return new ReadingsBatch("gw-0001", t.plusSeconds(5), List.of(
                new WireReading(1041, "wmbus:KAM:12345678", "volume", "m3", new BigDecimal("1234.567"), "instantaneous",
                        0, 0, 0, t, t.plusMillis(3412), 0, -71),
                new WireReading(1042, "mbus:LUG:00042017", "energy", "Wh", new BigDecimal("5230000"), "instantaneous",
                        1, 0, 0, null, t.plusMillis(5020), 0, null)));
    }

    @Test
    void decode_compactMessage_printsTheJsonV1Batch() throws Exception {
        Path in = Files.write(dir.resolve("m.bin"), CompactV1.encode(batch(), CompactV1.Compression.DEFLATE));
        assertEquals(0, run("payload", "decode", "--input", in.toString()), err::toString);
        assertEquals(new String(JsonV1.batch(batch()), StandardCharsets.UTF_8) + System.lineSeparator(), out.toString());
        assertTrue(out.toString().contains("\"key\":\"wmbus:KAM:12345678|volume|0|0|0|instantaneous|2026-11-26T08:00:00Z\""));
    }

    @Test
    void decode_hexText_andBadMessages_giveTypedErrors() throws Exception {
        String hex = HexFormat.of().formatHex(CompactV1.encode(batch(), CompactV1.Compression.NONE));
        Path in = Files.writeString(dir.resolve("m.hex"), hex.substring(0, 40) + "\n" + hex.substring(40) + "\n");
        assertEquals(0, run("payload", "decode", "--hex", "--input", in.toString()), err::toString);
        assertTrue(out.toString().startsWith("{\"v\":1,\"type\":\"readings\",\"gw\":\"gw-0001\",\"batch\":\"1041-1042\""), out.toString());
        out.getBuffer().setLength(0);
        Path bad = Files.write(dir.resolve("bad.bin"), new byte[]{0x11, 0x00, 0x01});
        assertEquals(Main.USAGE, run("payload", "decode", "--input", bad.toString()));
        assertTrue(out.toString().startsWith("{\"error\":\"compression: "), out.toString());
    }
}
