package io.meterlink.provisioning.tech;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.meterlink.provisioning.tech.TechFixtures.METER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interop: libcoap's {@code coap-client-openssl} (Debian package libcoap3-bin), an independent
 * CoAP/DTLS implementation on OpenSSL, talks to our endpoint with the label secret as its PSK.
 * Fails when CI=true and the binary is missing; skips otherwise.
 */
class LibcoapInteropIT {
    private static final String BINARY = "coap-client-openssl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String binary;

    @TempDir Path tmp;
    private TechnicianEndpoint endpoint;
    private final List<byte[]> applied = new ArrayList<>();

    private record Result(int exit, String out, String err) { }

    @BeforeAll static void findBinary() {
        binary = onPath(BINARY);
        if (binary == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) fail(BINARY + " is missing: install the Debian package libcoap3-bin");
            assumeTrue(false, BINARY + " not installed (Debian package libcoap3-bin): interop test skipped");
        }
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) return f.getAbsolutePath();
        }
        return null;
    }

    @BeforeEach void open() {
        TechServices services = TechServices.builder()
                .status(TechFixtures::status)
                .bundles(bundle -> { applied.add(bundle); return "version 9"; })
                .reader((meter, timeout) -> List.of(TechFixtures.reading("7.125")))
                .build();
        endpoint = new TechnicianEndpoint(TechFixtures.config(), TechFixtures.PSK, services, Clock.systemUTC());
        endpoint.open("interop test");
    }

    @AfterEach void close() {
        endpoint.close();
    }

    private String uri(String path) {
        return "coaps://127.0.0.1:" + endpoint.address().orElseThrow().getPort() + "/" + path;
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary);
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("out-" + System.nanoTime()), err = tmp.resolve("err-" + System.nanoTime());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) fail(BINARY + " did not finish within 60 s");
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test void status_withTheLabelSecret_answersJson() throws Exception {
        Result r = run("-m", "get", "-B", "20", "-u", "technician", "-k", TechFixtures.SECRET, uri("status"));
        JsonNode n = JSON.readTree(r.out());
        assertEquals("gw-test-1", n.get("gw").asText(), r.err());
        assertEquals(12, n.get("buffer").get("depth").asLong());
    }

    @Test void bundle_postedFromAFile_isApplied() throws Exception {
        Path bundle = tmp.resolve("bundle.yaml");
        Files.writeString(bundle, "version: 9\n" + "meter: y\n".repeat(500)); // ~4.5 KB: block-wise
        Result r = run("-m", "post", "-B", "20", "-u", "technician", "-k", TechFixtures.SECRET, "-f", bundle.toString(), uri("bundle"));
        assertEquals("version 9", JSON.readTree(r.out()).get("applied").asText(), r.err());
        assertEquals(1, applied.size());
        assertEquals(Files.readString(bundle), new String(applied.get(0), StandardCharsets.UTF_8));
    }

    @Test void read_meterNow_answersReadings() throws Exception {
        Result r = run("-m", "post", "-B", "20", "-u", "technician", "-k", TechFixtures.SECRET, "-e", METER.toString(), uri("read"));
        JsonNode n = JSON.readTree(r.out());
        assertEquals(METER.toString(), n.get("meter").asText(), r.err());
        assertEquals("7.125", n.get("readings").get(0).get("value").asText());
    }

    @Test void wrongPsk_getsNothing() throws Exception {
        Result r = run("-m", "get", "-B", "8", "-u", "technician", "-k", "not-the-label-secret", uri("status"));
        assertFalse(r.out().contains("gw-test-1"), "no status for a wrong key");
        assertFalse(r.out().contains("{"), "no response body (libcoap logs its warnings on stdout): " + r.out());
        assertTrue(endpoint.guard().failures() >= 1, "the failed handshake is counted");
    }

    @Test void closedEndpoint_getsNothing() throws Exception {
        String where = uri("status");
        endpoint.closeWindow();
        Result r = run("-m", "get", "-B", "5", "-u", "technician", "-k", TechFixtures.SECRET, where);
        assertFalse(r.out().contains("{"), "no response body (libcoap logs its warnings on stdout): " + r.out());
    }
}
