package io.meterlink.cli;

import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.JsonNode;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI run in-process: exit codes and messages. */
class MainTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final FakeServices services = new FakeServices();

    /** As {@code main} does it: {@code run} through its own root, everything else through the full one. */
    private int run(String... args) {
        picocli.CommandLine cl = Main.forArguments(services, args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String[] fullRoot(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(services, new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    @Test
    void runsOwnRoot_knowsOnlyRun_andAnswersExactlyAsTheFullRoot() throws Exception {
        assertEquals(List.of("run"), List.copyOf(Main.forArguments(services, "run").getSubcommands().keySet()));
        assertTrue(Main.forArguments(services, "decode").getSubcommands().size() > 1);
        Path bad = write("bad.yaml", "gateway_id: [");
        for (String[] args : List.of(new String[] {"run", "--help"}, new String[] {"run", "--bogus"}, new String[] {"run"},
                new String[] {"run", "--config", bad.toString()}, new String[] {"run", "--version"})) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            int code = run(args);
            String[] full = fullRoot(args);
            assertEquals(full[0], String.valueOf(code), String.join(" ", args));
            assertEquals(full[1], out.toString(), String.join(" ", args));
            assertEquals(full[2], err.toString(), String.join(" ", args));
        }
        assertTrue(fullRoot("run", "--help")[1].startsWith("Usage: meterlink run"), fullRoot("run", "--help")[1]);
    }

    private Path write(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    private Path validConfig() throws Exception {
        return write("ok.yaml",
                "gateway_id: gw-7",
                "state_dir: state",
                "uplink:",
                "  url: ssl://broker.example:8883",
                "  tls: {ca_file: ca.pem, cert_file: gw.pem, key_file: gw.key}");
    }

    @Test
    void help_exitsZero_andListsTheCommands() {
        assertEquals(0, run("--help"));
        for (String c : List.of("run", "config", "buffer", "status")) {
            assertTrue(out.toString().contains(c), out::toString);
        }
    }

    @Test
    void help_everyDescriptionLine_isAWholeSentence() {
        List<String> cut = new java.util.ArrayList<>();
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(
                Main.commandLine(services, new PrintWriter(out, true), new PrintWriter(err, true))));
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            for (String line : c.getCommandSpec().usageMessage().description()) {
                if (!line.strip().matches("(?s).*[.)!?:}]$")) cut.add(c.getCommandSpec().qualifiedName() + ": " + line);
            }
            todo.addAll(c.getSubcommands().values());
        }
        assertEquals(List.of(), cut, "help lines that end mid-sentence");
    }

    @Test
    void version_exitsZero() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().startsWith("meterlink "), out::toString);
    }

    @Test
    void usageErrors_exitTwo() {
        assertEquals(2, run("no-such-command"));
        assertEquals(2, run("config", "validate"));
        assertEquals(2, run("run"));
        assertEquals(2, run("buffer", "stats"));
        assertEquals(2, run("config"));
        assertEquals(2, run());
    }

    @Test
    void configValidate_validFile_printsOk() throws Exception {
        assertEquals(0, run("config", "validate", validConfig().toString()));
        assertEquals("OK", out.toString().strip());
        assertEquals("", err.toString());
    }

    @Test
    void configValidate_badFile_printsEveryErrorWithFileLineAndKey_andExitsTwo() throws Exception {
        Path bad = write("bad.yaml",
                "gateway_id: gw+1",
                "uplink:",
                "  url: tcp://broker:1883",
                "  password: very-secret-pw",
                "buffer:",
                "  commit_interval: fast");
        assertEquals(2, run("config", "validate", bad.toString()));
        String e = err.toString();
        assertTrue(e.contains(bad + ":1: gateway_id: "), e);
        assertTrue(e.contains(bad + ":3: uplink.url: plaintext"), e);
        assertTrue(e.contains(bad + ":6: buffer.commit_interval: expected a duration like 200ms, 5s, 10m"), e);
        assertTrue(e.contains(bad + ":2: uplink.username: username and password go together"), e);
        assertFalse(e.contains("very-secret-pw"), e);
        assertFalse(out.toString().contains("OK"));
    }

    @Test
    void configValidate_missingFile_exitsTwo() {
        Path missing = dir.resolve("missing.yaml");
        assertEquals(2, run("config", "validate", missing.toString()));
        assertTrue(err.toString().contains(missing + ":0: (file): no such file"), err::toString);
    }

    @Test
    void run_badConfig_exitsTwo_beforeStarting() throws Exception {
        Path bad = write("bad.yaml", "gateway_id: gw", "uplink: {url: 'ftp://x'}");
        assertEquals(2, run("run", "--config", bad.toString()));
        assertTrue(err.toString().contains(bad + ":2: uplink.url: "), err::toString);
        assertEquals(0, services.starts);
    }

    @Test
    void run_startFailure_exitsThree() throws Exception {
        services.startFailure = new GatewayException("cannot open the buffer /x: read-only file system", null);
        assertEquals(3, run("run", "--config", validConfig().toString()));
        assertTrue(err.toString().contains("cannot open the buffer"), err::toString);
    }

    @Test
    void run_certificateInstalled_missingClaimFile_starts() throws Exception {
        Path cfg = validConfig();
        Files.writeString(dir.resolve("gw.pem"), "installed by hand\n");
        services.startFailure = new GatewayException("stop here", null);
        assertEquals(3, run("run", "--config", cfg.toString(), "--claim-config", dir.resolve("claim.yaml").toString()));
        assertEquals(1, services.starts, err::toString);
        assertFalse(err.toString().contains("claim.yaml"), err::toString);
    }

    @Test
    void run_noCertificate_missingClaimFile_exitsTwo_namingTheFile() throws Exception {
        Path claim = dir.resolve("claim.yaml");
        assertEquals(2, run("run", "--config", validConfig().toString(), "--claim-config", claim.toString()));
        assertTrue(err.toString().contains(claim.toString()), err::toString);
        assertEquals(0, services.starts);
    }

    @Test
    void bufferStats_printsTheFigures() throws Exception {
        Path cfg = validConfig();
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("state/buffer.db"), "");
        services.stats = new BufferStats(1234, 3 * 1024 * 1024, 256L * 1024 * 1024, 125_000, 99_999, 0, 0,
                Map.of("bytes_cap", 7L, "disk_free", 0L), 2, List.of(Alarm.parse("database_quarantined:/x.db")));
        assertEquals(0, run("buffer", "stats", "--config", cfg.toString()));
        String o = out.toString();
        assertTrue(o.contains("1234 readings"), o);
        assertTrue(o.contains("3.0 MiB of 256.0 MiB"), o);
        assertTrue(o.contains("2m 5s"), o);
        assertTrue(o.contains("bytes_cap 7"), o);
        assertTrue(o.contains("database_quarantined:/x.db"), o);
        assertEquals(dir.resolve("state/buffer.db").toAbsolutePath().normalize(), services.inspected);
    }

    @Test
    void bufferStats_json_isOneLineOfJson() throws Exception {
        Path cfg = validConfig();
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("state/buffer.db"), "");
        services.stats = new BufferStats(5, 100, 1000, 0, 5, 0, 0, Map.of("bytes_cap", 1L), 0, List.of());
        assertEquals(0, run("buffer", "stats", "--config", cfg.toString(), "--json"));
        List<String> lines = out.toString().lines().toList();
        assertEquals(1, lines.size(), out::toString);
        JsonNode j = BufferReport.JSON.readTree(lines.get(0));
        assertEquals(5, j.get("depth").asLong());
        assertEquals(1, j.get("evictions").get("bytes_cap").asLong());
        assertEquals(0, j.get("dead_letters").asLong());
    }

    @Test
    void bufferStats_noDatabase_exitsThree() throws Exception {
        assertEquals(3, run("buffer", "stats", "--config", validConfig().toString()));
        assertTrue(err.toString().contains("no buffer database"), err::toString);
    }

    @Test
    void bufferStats_unreadableDatabase_exitsThree() throws Exception {
        Path cfg = validConfig();
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("state/buffer.db"), "not sqlite");
        services.inspectFailure = new IllegalStateException("not a Meterlink buffer");
        assertEquals(3, run("buffer", "stats", "--config", cfg.toString()));
        assertTrue(err.toString().contains("not a Meterlink buffer"), err::toString);
    }

    @Test
    void status_offline_saysSo_andShowsTheConfiguration() throws Exception {
        assertEquals(0, run("status", "--config", validConfig().toString()));
        String o = out.toString();
        assertTrue(o.contains("Offline view"), o);
        assertTrue(o.contains("meterlink/v1/gw-7/status"), o);
        assertTrue(o.contains("ssl://broker.example:8883 (mqtt5, mutual TLS)"), o);
        assertTrue(o.contains("none yet at"), o);
    }

    @Test
    void status_offline_showsCertificateDaysLeft_andTheAlarmsTheFilesShow() throws Exception {
        ProvisionFixtures.Ca ca = new ProvisionFixtures.Ca("test-ca");
        java.security.KeyPair keys = ProvisionFixtures.ecKeys();
        ProvisionFixtures.write(dir.resolve("gw.pem"), ca.issue(keys.getPublic(), "gw-7",
                java.time.Instant.now().minus(java.time.Duration.ofDays(1)), java.time.Instant.now().plus(java.time.Duration.ofDays(40).plusHours(1))));
        Path key = Files.writeString(dir.resolve("gw.key"), "not read by status");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path cfg = validConfig();
        assertEquals(0, run("status", "--json", "--config", cfg.toString()));
        com.fasterxml.jackson.databind.JsonNode n = BufferReport.JSON.readTree(out.toString());
        assertEquals(40, n.get("certificate_days_left").asLong());
        assertEquals(0, n.get("alarms").size(), n::toString);
        assertEquals("", err.toString());

        // an expired certificate and a key other users can read: both alarms, and a warning on stderr
        ProvisionFixtures.write(dir.resolve("gw.pem"), ca.issue(keys.getPublic(), "gw-7",
                java.time.Instant.now().minus(java.time.Duration.ofDays(30)), java.time.Instant.now().minus(java.time.Duration.ofDays(2))));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        out.getBuffer().setLength(0);
        assertEquals(0, run("status", "--config", cfg.toString()));
        assertTrue(out.toString().contains("certificate_expired"), out::toString);
        assertTrue(out.toString().contains("key_file_exposed"), out::toString);
        assertTrue(out.toString().contains("-2 days left") || out.toString().contains("-3 days left"), out::toString);
        assertTrue(err.toString().contains("chmod 0600"), err::toString);

        Files.delete(dir.resolve("gw.pem"));
        out.getBuffer().setLength(0);
        assertEquals(0, run("status", "--json", "--config", cfg.toString()));
        n = BufferReport.JSON.readTree(out.toString());
        assertTrue(n.get("certificate_days_left").isNull());
        assertEquals("certificate_missing", n.get("alarms").get(0).asText(), n::toString);
    }

    @Test
    void status_neverShowsCredentialsInTheUrl() {
        assertEquals("ssl://***@broker:8883", StatusCommand.safeUrl("ssl://gw:pw@broker:8883"));
        assertEquals("ssl://broker:8883", StatusCommand.safeUrl("ssl://broker:8883"));
    }

    @Test
    void exampleConfig_isValid() {
        Path example = Path.of("src/main/config/meterlink.example.yaml");
        assertTrue(Files.isRegularFile(example), "example config in the repo");
        assertEquals(0, run("config", "validate", example.toString()), err::toString);
        assertEquals("OK", out.toString().strip());
    }

    static final class FakeServices implements Services {
        int starts;
        GatewayException startFailure;
        BufferStats stats;
        RuntimeException inspectFailure;
        Path inspected;

        @Override public GatewayConfig loadConfig(Path file) throws ConfigException {
            return ConfigLoader.load(file);
        }

        @Override public Gateway start(GatewayConfig config) throws GatewayException {
            starts++;
            if (startFailure != null) throw startFailure;
            throw new AssertionError("tests of a started gateway live in RunCommandIT");
        }

        @Override public BufferStats inspectBuffer(Path database) {
            inspected = database;
            if (inspectFailure != null) throw inspectFailure;
            return stats;
        }

        @Override public void awaitStopRequest() { }
    }
}
