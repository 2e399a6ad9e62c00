package io.meterlink.cli;

import io.meterlink.provisioning.identity.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole provisioning run (init, csr, install-cert, apply of a bundle with meter keys and a broker
 * password, a refused bundle, rollback), each step a separate JVM logging at TRACE: nothing it prints
 * or logs holds key material, except the one line of init that shows the technician secret.
 */
class ProvisionLeakTest {
    @TempDir Path dir;
    private final StringBuilder everything = new StringBuilder();

    private int meterlink(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace", "-cp", System.getProperty("java.class.path"),
                ProvisionRun.class.getName()));
        cmd.addAll(List.of(args));
        Path outFile = Files.createTempFile(dir, "out", ".txt");
        Path errFile = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "meterlink " + String.join(" ", args) + " finished");
        } finally {
            p.destroyForcibly();
        }
        everything.append(Files.readString(outFile)).append(Files.readString(errFile));
        return p.exitValue();
    }

    @Test
    void provisioningRun_neverPrintsOrLogsKeyMaterial() throws Exception {
        String state = dir.resolve("state").toString();
        assertEquals(0, meterlink("provision", "init", "--gateway-id", "gw-0001", "--state-dir", state));

        Path csrFile = dir.resolve("gw.csr");
        int before = everything.length();
        assertEquals(0, meterlink("provision", "csr", "--state-dir", state));
        Files.writeString(csrFile, everything.substring(before));
        ProvisionFixtures.Ca ca = new ProvisionFixtures.Ca("Utility CA");
        X509Certificate cert = ca.issue(ProvisionFixtures.publicKey(ProvisionFixtures.parseCsr(Files.readString(csrFile))), "gw-0001");
        Path certFile = ProvisionFixtures.write(dir.resolve("gw.pem"), cert);
        Path caFile = ProvisionFixtures.write(dir.resolve("ca.pem"), ca.cert);
        assertEquals(0, meterlink("provision", "install-cert", certFile.toString(), "--ca", caFile.toString(), "--state-dir", state));

        Path bundle = Files.writeString(dir.resolve("b1.yaml"), ProvisionFixtures.bundle(1, ca.cert, true));
        assertEquals(0, meterlink("provision", "apply", "--allow-unsigned", bundle.toString(), "--state-dir", state));
        // refused bundles: the errors name keys, never values
        String badKey = ProvisionFixtures.bundle(2, ca.cert, true).replace(ProvisionFixtures.METER_KEY_2, ProvisionFixtures.METER_KEY_2 + "00");
        assertEquals(2, meterlink("provision", "apply", "--allow-unsigned", Files.writeString(dir.resolve("b2.yaml"), badKey).toString(), "--state-dir", state));
        String badYaml = ProvisionFixtures.bundle(2, ca.cert, true).replace("password: ", "password: [" );
        assertEquals(2, meterlink("provision", "apply", "--allow-unsigned", Files.writeString(dir.resolve("b3.yaml"), badYaml).toString(), "--state-dir", state));
        assertEquals(2, meterlink("provision", "apply", "--allow-unsigned", bundle.toString(), "--state-dir", state));
        assertEquals(0, meterlink("provision", "apply", "--allow-unsigned", Files.writeString(dir.resolve("b4.yaml"),
                ProvisionFixtures.bundle(4, ca.cert, true)).toString(), "--state-dir", state));
        assertEquals(0, meterlink("provision", "rollback", "--state-dir", state));

        String all = everything.toString();
        assertTrue(all.contains("Applied configuration bundle version 1"), "the logs were captured: " + all);
        assertTrue(all.contains("sources[0].meters[1].key"), "the refusal was captured: " + all);

        String keyPem = Files.readString(dir.resolve("state/identity/gateway.key"));
        byte[] keyDer = Pem.decodeFirst(keyPem, "PRIVATE KEY");
        String keyB64 = Base64.getEncoder().encodeToString(keyDer);
        String flat = all.replaceAll("\\s", "");
        assertFalse(flat.contains(keyB64.substring(0, 40)), "private key (base64)");
        for (String line : keyPem.lines().filter(l -> !l.startsWith("-----")).toList()) {
            assertFalse(all.contains(line), "private key line");
        }
        assertFalse(all.contains("PRIVATE KEY"));

        String technician = Files.readString(dir.resolve("state/identity/technician.psk")).strip();
        assertEquals(1, all.split(technician, -1).length - 1, "the technician secret only in init's one line");

        String lower = all.toLowerCase(Locale.ROOT);
        for (String secret : List.of(ProvisionFixtures.METER_KEY_1, ProvisionFixtures.METER_KEY_2, ProvisionFixtures.PASSWORD)) {
            assertFalse(lower.contains(secret.toLowerCase(Locale.ROOT)), "secret found in the output: " + secret.substring(0, 4) + "…");
            assertFalse(lower.contains(secret.toLowerCase(Locale.ROOT).substring(0, 12)), "part of a secret found in the output");
        }
        assertTrue(new String(Files.readAllBytes(dir.resolve("state/config/meterlink.yaml")), StandardCharsets.UTF_8)
                .contains(ProvisionFixtures.PASSWORD), "the password itself is stored (0600), only never shown");
    }
}
