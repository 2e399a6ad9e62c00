package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.GatewayConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code meterlink run}'s configuration read ahead of picocli's parse gives what a read in turn gives. */
class ConfigPrefetchTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private Path valid() throws Exception {
        return write("ok.yaml", "gateway_id: gw-9\nstate_dir: state\nuplink:\n  url: tcp://127.0.0.1:1883\n  allow_insecure: true\n");
    }

    @Test
    void theArgumentsOfRun_nameTheFileInTheServicesForms_andNothingElse() {
        assertEquals(Optional.of(Path.of("a.yaml")), Main.configOfRun("run", "--config", "a.yaml"));
        assertEquals(Optional.of(Path.of("a.yaml")), Main.configOfRun("run", "-c", "a.yaml", "--update-health-timeout", "60"));
        assertEquals(Optional.of(Path.of("/etc/m.yaml")), Main.configOfRun("run", "--claim-config", "c.yaml", "--config=/etc/m.yaml"));
        assertEquals(Optional.empty(), Main.configOfRun("config", "validate", "--config", "a.yaml"));
        assertEquals(Optional.empty(), Main.configOfRun("run", "--config"));
        assertEquals(Optional.empty(), Main.configOfRun("run"));
        assertEquals(Optional.empty(), Main.configOfRun("run", "--config", "bad\0path"));
    }

    @Test
    void theTlsFilesTheLoadParsed_buildTheFirstUplinkContext_laterStartsReadThemAgain() throws Exception {
        ProvisionFixtures.Ca utility = new ProvisionFixtures.Ca("Utility CA");
        java.security.KeyPair kp = ProvisionFixtures.ecKeys();
        Path ca = ProvisionFixtures.write(dir.resolve("ca.pem"), utility.cert);
        Path gw = ProvisionFixtures.write(dir.resolve("gw.pem"), utility.issue(kp.getPublic(), "gw-9"));
        Path key = write("gw.key", "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(kp.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Path file = write("tls.yaml", "gateway_id: gw-9\nstate_dir: " + dir.resolve("state") + "\nuplink:\n  url: ssl://localhost:1\n"
                + "  tls:\n    ca_file: " + ca + "\n    cert_file: " + gw + "\n    key_file: " + key + "\n");
        StandardServices services = new StandardServices();
        services.prefetchConfig(file);
        GatewayConfig config = services.loadConfig(file);
        for (Path p : List.of(ca, gw, key)) Files.delete(p); // read at the load only
        services.start(config).close();
        // the parsed files went to that start only: another start reads them
        io.meterlink.core.runtime.GatewayException again = assertThrows(io.meterlink.core.runtime.GatewayException.class,
                () -> services.start(config));
        assertTrue(again.getMessage().contains(ca.toString()), again.getMessage());
    }

    @Test
    void aPrefetchedFile_isTheConfigurationAReadGives() throws Exception {
        Path file = valid();
        StandardServices services = new StandardServices();
        services.prefetchConfig(file);
        GatewayConfig fetched = services.loadConfig(file);
        GatewayConfig read = new StandardServices().loadConfig(file);
        assertEquals("gw-9", fetched.gatewayId());
        assertEquals(read.gatewayId(), fetched.gatewayId());
        assertEquals(read.uplink().url(), fetched.uplink().url());
        assertEquals(read.buffer().path(), fetched.buffer().path());
    }

    @Test
    void aPrefetchedBadFile_throwsTheSameErrorsAsAReadInTurn() throws Exception {
        Path bad = write("bad.yaml", "gateway_id: gw-9\nstate_dir: state\nuplink:\n  url: \"ssl://h:70000\"\n");
        StandardServices services = new StandardServices();
        services.prefetchConfig(bad);
        ConfigException fetched = assertThrows(ConfigException.class, () -> services.loadConfig(bad));
        ConfigException read = assertThrows(ConfigException.class, () -> new StandardServices().loadConfig(bad));
        assertEquals(read.getMessage(), fetched.getMessage());
    }

    @Test
    void anotherPath_isReadInTurn_andThePrefetchIsUsedOnce() throws Exception {
        Path file = valid();
        Path other = write("other.yaml", "gateway_id: gw-other\nstate_dir: state\nuplink:\n  url: tcp://127.0.0.1:1883\n  allow_insecure: true\n");
        StandardServices services = new StandardServices();
        services.prefetchConfig(file);
        assertEquals("gw-other", services.loadConfig(other).gatewayId());
        Files.writeString(file, Files.readString(file).replace("gw-9", "gw-10")); // changed after the prefetch was dropped
        assertEquals("gw-10", services.loadConfig(file).gatewayId());
    }

    @Test
    void runWithAPrefetchedBadFile_exitsTwo_printingTheErrorsAsWithout() throws Exception {
        Path bad = write("bad.yaml", "gateway_id: gw-9\nstate_dir: state\nuplink:\n  url: \"ssl://h:70000\"\n");
        String[] args = {"run", "--config", bad.toString()};
        StringWriter err1 = new StringWriter();
        StandardServices prefetching = new StandardServices();
        Main.configOfRun(args).ifPresent(prefetching::prefetchConfig);
        picocli.CommandLine cl = Main.forArguments(prefetching, args);
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err1, true));
        int code = cl.execute(args);
        StringWriter err2 = new StringWriter();
        int plain = Main.commandLine(new StandardServices(), new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true)).execute(args);
        assertEquals(2, code);
        assertEquals(plain, code);
        assertEquals(err2.toString(), err1.toString());
        assertTrue(err1.toString().contains("uplink.url"), err1::toString);
    }
}
