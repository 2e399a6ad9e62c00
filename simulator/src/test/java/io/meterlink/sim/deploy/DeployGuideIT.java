package io.meterlink.sim.deploy;

import io.meterlink.drivers.testing.Ci;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.sim.crash.CrashFixture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/deploy.md executed as written: every fenced block tagged {@code sh deploy-test}, in order, in
 * one bash, in an empty directory, against a real Mosquitto, openssl, mosquitto_sub and the built
 * jars. The guide sets up a CA, a broker with mutual TLS, ACL and CRL, a gateway provisioned by hand
 * and one enrolled by claim, and a head-end subscriber; this test then checks what the subscriber got.
 */
class DeployGuideIT {
    static final Path GUIDE = Path.of("../docs/deploy.md");
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```sh deploy-test\\n(.*?)^```");
    /** A gateway's own ACL lines ({@code %u} = its certificate's CN); renewal lines are a later step of the guide. */
    private static final Pattern ACL_PATTERN = Pattern.compile("pattern (?:read|write|readwrite) +meterlink/v1/%u/[^\\s`]+");
    private static final List<String> PID_FILES = List.of("gateway-1/gateway.pid", "gateway-2/gateway.pid",
            "gateway-1/meters.pid", "gateway-2/meters.pid", "pki/provisioning.pid", "headend/subscriber.pid", "broker/mosquitto.pid");
    private final ObjectMapper json = new ObjectMapper();

    static List<String> blocks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(markdown);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static void require(String tool) {
        boolean found = Stream.of(System.getenv("PATH").split(":"), new String[] {"/usr/sbin", "/sbin"})
                .flatMap(Stream::of).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if (found) return;
        if (Ci.active()) fail(tool + " is required under CI=true (docs/deploy.md runs it)");
        Assumptions.abort(tool + " not installed: skipping the deployment guide");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void guide_aclIsTheOneSecurityRecommends() throws Exception {
        // payloads.md names the topics and points at security.md for the complete, tested ACL
        Set<String> recommended = new TreeSet<>();
        Matcher m = ACL_PATTERN.matcher(Files.readString(Path.of("../docs/security.md")));
        while (m.find()) recommended.add(m.group().replaceAll(" +", " "));
        assertEquals(4, recommended.size(), "security.md's gateway patterns: " + recommended);
        String guide = Files.readString(GUIDE);
        // the gateway lines of the broker step (before the enrolment lines are appended)
        String brokerStep = guide.substring(guide.indexOf("cat > meterlink.acl"), guide.indexOf("cat > mosquitto.conf"));
        Set<String> used = new TreeSet<>();
        m = ACL_PATTERN.matcher(brokerStep);
        while (m.find()) used.add(m.group().replaceAll(" +", " "));
        assertEquals(recommended, used);
    }

    @Test
    void guide_runsAsWritten_andBothGatewaysDeliverToTheHeadEnd() throws Exception {
        CrashFixture.requireMosquitto();
        for (String tool : List.of("mosquitto_sub", "mosquitto_pub", "openssl", "jq")) require(tool);
        if (!"root".equals(System.getProperty("user.name"))) {
            if (Ci.active()) fail("the deployment guide runs as root (the broker drops to the mosquitto user)");
            Assumptions.abort("not root: the deployment guide starts Mosquitto as root");
        }
        Path gatewayJar = Path.of("../distribution/target/meterlink.jar").toAbsolutePath().normalize();
        Path simJar = Path.of("target/meterlink-sim.jar").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(gatewayJar) && Files.isRegularFile(simJar), "build the jars first");

        List<String> blocks = blocks(Files.readString(GUIDE));
        assertTrue(blocks.size() >= 9, "the guide's executable blocks: " + blocks.size());
        StringBuilder script = new StringBuilder("set -euo pipefail\n");
        for (int i = 0; i < blocks.size(); i++) {
            script.append("echo '== deploy.md block ").append(i + 1).append("' >&2\n").append(blocks.get(i)).append('\n');
        }
        // the mosquitto user must be able to enter it
        Path work = Files.createTempDirectory(Path.of("/tmp"), "meterlink-deploy-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path scriptFile = Files.writeString(Files.createTempFile("deploy-guide-", ".sh"), script);
        Path log = work.resolve("guide.log");
        ProcessBuilder pb = new ProcessBuilder("bash", scriptFile.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("BROKER_HOST", "localhost");
        env.put("BROKER_PORT", Integer.toString(freePort()));
        env.put("METERS_PORT", Integer.toString(freePort()));
        env.put("METERS_PORT_2", Integer.toString(freePort()));
        env.put("METERLINK_JAR", gatewayJar.toString());
        env.put("METERLINK_SIM_JAR", simJar.toString());
        boolean passed = false;
        try {
            Process p = pb.start();
            if (!p.waitFor(420, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the guide did not finish in 7 minutes:\n" + tail(log));
            }
            String output = Files.readString(log);
            String diagnosis = tail(log) + gatewayLogs(work);
            assertEquals(0, p.exitValue(), () -> "the guide failed as written:\n" + diagnosis);
            assertFalse(output.contains("PRIVATE KEY"), "no key is ever printed");
            checkDelivery(work.resolve("headend/messages.txt"));
            assertTrue(Files.isRegularFile(work.resolve("gateway-2/state/tls/gateway.pem")), "gw-0002 enrolled by claim");
            assertTrue(Files.readString(work.resolve("pki/provisioning.log")).contains("issued a certificate to gw-0002"));
            passed = true;
        } finally {
            stopLeftovers(work);
            Files.deleteIfExists(scriptFile);
            if (passed) deleteTree(work);
            else System.err.println("DeployGuideIT: kept " + work + " for inspection");
        }
    }

    /** Every readings batch the head-end saw: both gateways, the virtual meters, and clocks that agree. */
    private void checkDelivery(Path messages) throws IOException {
        Set<String> gateways = new TreeSet<>();
        Set<String> meters = new TreeSet<>();
        int readings = 0;
        for (String line : Files.readAllLines(messages)) {
            int space = line.indexOf(' ');
            if (space < 0 || !line.substring(0, space).endsWith("/readings")) continue;
            JsonNode batch = json.readTree(line.substring(space + 1));
            gateways.add(batch.get("gw").asText());
            for (JsonNode r : batch.get("readings")) {
                readings++;
                meters.add(r.get("meter").asText());
                if (!r.get("meter_time").isNull()) {
                    Duration skew = Duration.between(Instant.parse(r.get("received").asText()), Instant.parse(r.get("meter_time").asText())).abs();
                    assertTrue(skew.compareTo(Duration.ofMinutes(5)) < 0, "meter and gateway disagree on time: " + r);
                }
            }
        }
        assertEquals(Set.of("gw-0001", "gw-0002"), gateways, "reading batches from both gateways");
        assertEquals(Set.of("mbus:MLS:70000001", "mbus:MLS:70000002", "mbus:MLS:70000003"), meters);
        assertTrue(readings >= 4, "readings delivered: " + readings);
    }

    private static void stopLeftovers(Path work) {
        for (String f : PID_FILES) {
            try {
                long pid = Long.parseLong(Files.readString(work.resolve(f)).strip());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            } catch (IOException | NumberFormatException e) {
                // not started, or already stopped by the guide
            }
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) return "(no output)";
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static String gatewayLogs(Path work) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("gateway-1/gateway.log", "gateway-2/gateway.log", "broker/mosquitto.log", "pki/provisioning.log")) {
            Path p = work.resolve(f);
            if (Files.exists(p)) sb.append("\n--- ").append(f).append('\n').append(tail(p));
        }
        return sb.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
