package io.meterlink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code meterlink decode --protocol ert --iq FILE} in-process: the shared recording
 * {@code rtlamr/iq/scm-15.cu8} gives the 15 packets rtlamr reported, as cu8 and as cs16; bad input
 * gives a usage error or an error object, never a stop.
 */
class DecodeIqCommandTest {
    @TempDir Path dir;
    private final CliCapture cli = new CliCapture();
    private final java.io.StringWriter out = cli.out;
    private final java.io.StringWriter err = cli.err;
    private final ObjectMapper mapper = cli.mapper;

    private static Path corpus() {
        String base = System.getProperty("meterlink.testdata", System.getenv("METERLINK_TESTDATA"));
        Path p = base == null ? null : Path.of(base, "rtlamr", "iq");
        if (p == null || !Files.isDirectory(p)) {
            String msg = "shared test data rtlamr/iq not found (meterlink.testdata=" + base + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(msg);
            Assumptions.abort(msg);
        }
        return p;
    }

    private int run(String... args) { return cli.run(args); }

    private List<JsonNode> lines() throws Exception { return cli.lines(); }

    private void assertRtlamrPackets(List<JsonNode> got) throws Exception {
        JsonNode expected = mapper.readTree(corpus().resolve("scm-15.expected.json").toFile()).get("packets");
        assertEquals(expected.size(), got.size(), out::toString);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i), g = got.get(i);
            assertEquals("scm", g.get("protocol").asText());
            assertEquals(e.get("id").asLong(), g.get("id").asLong());
            assertEquals(e.get("ert_type").asInt(), g.get("type").asInt());
            assertEquals(e.get("consumption").asLong(), g.get("consumption").asLong());
            assertEquals("ok", g.get("checksum").asText());
            assertEquals(e.get("checksum").asLong(), g.get("checksum_value").asLong());
        }
    }

    @Test
    void cu8Recording_givesWhatRtlamrDecoded() throws Exception {
        assertEquals(0, run("decode", "--protocol", "ert", "--iq", corpus().resolve("scm-15.cu8").toString()), err::toString);
        assertRtlamrPackets(lines());
    }

    @Test
    void cs16Recording_givesTheSamePackets_withoutNamingTheProtocol() throws Exception {
        byte[] u8 = Files.readAllBytes(corpus().resolve("scm-15.cu8"));
        byte[] s16 = new byte[u8.length * 2];
        for (int i = 0; i < u8.length; i++) {
            int v = (int) Math.round(((u8[i] & 0xFF) - 127.4) * 256);
            s16[2 * i] = (byte) v;
            s16[2 * i + 1] = (byte) (v >> 8);
        }
        Path f = dir.resolve("scm-15.cs16");
        Files.write(f, s16);
        assertEquals(0, run("decode", "--iq", f.toString(), "--sample-rate", "2359296"), err::toString);
        assertRtlamrPackets(lines());
    }

    @Test
    void badInput_isATypedError() throws Exception {
        Path odd = dir.resolve("odd.cu8");
        Files.write(odd, new byte[] {1, 2, 3});
        assertEquals(0, run("decode", "--protocol", "ert", "--iq", odd.toString()));
        JsonNode e = lines().get(0);
        assertTrue(e.get("error").asText().startsWith("truncated:"), e.toString());
        assertEquals(2, e.get("input_offset").asLong());

        Path unknown = dir.resolve("capture.raw");
        Files.write(unknown, new byte[16]);
        assertEquals(Main.USAGE, run("decode", "--protocol", "ert", "--iq", unknown.toString()));
        assertTrue(err.toString().contains("--sample-format"), err::toString);
        assertEquals(Main.USAGE, run("decode", "--protocol", "ert", "--iq", odd.toString(), "--sample-rate", "1000000"));
        assertTrue(err.toString().contains("not a multiple of 32768"), err::toString);
        assertEquals(Main.USAGE, run("decode", "--protocol", "ert", "--iq", dir.resolve("missing.cu8").toString()));
        assertTrue(err.toString().contains("cannot read"), err::toString);
        assertEquals(Main.USAGE, run("decode", "--protocol", "mbus", "--iq", odd.toString()));
        assertEquals(Main.USAGE, run("decode", "--protocol", "ert", "--input", odd.toString()));
    }
}
