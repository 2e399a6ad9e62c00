package io.meterlink.sim.coap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interop: libcoap's {@code coap-client-openssl} (Debian libcoap3-bin) reads the simulator's CoAP
 * meter: a long SenML pack through blockwise transfer (block2, 64-byte blocks asked by the client),
 * and observes it for a few seconds (several notifications). Fails under CI=true without libcoap.
 */
class VirtualCoapMeterLibcoapIT {
    private static String client;

    @BeforeAll static void find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, "coap-client-openssl");
            if (f.canExecute()) client = f.getAbsolutePath();
        }
        if (client == null) {
            if (io.meterlink.drivers.testing.Ci.active()) fail("coap-client-openssl is missing: install the Debian package libcoap3-bin");
            assumeTrue(false, "libcoap3-bin not installed: interop test skipped");
        }
    }

    private static String run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = client;
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "coap-client finished");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void libcoapClient_getsALongPackBlockwise_andObservesNotifications() throws Exception {
        try (VirtualCoapMeter meter = new VirtualCoapMeter("interop", Clock.systemUTC(), Duration.ofMillis(700), 60)) {
            String uri = "coap://127.0.0.1:" + meter.port() + "/meter";
            String body = run("-b", "64", "-m", "get", uri).trim();
            JsonNode pack = new ObjectMapper().readTree(body);
            assertTrue(body.length() > 1000, "long enough for many 64-byte blocks: " + body.length());
            assertEquals("interop:", pack.get(0).get("bn").asText());
            assertEquals(62, pack.size(), "every record arrived, in one piece");

            String observed = run("-s", "3", "-m", "get", uri);
            int packs = observed.split("\\]\\s*\\[", -1).length;
            assertTrue(packs >= 3, "the registration's answer and notifications: " + packs);
        }
    }
}
