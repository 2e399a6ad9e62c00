package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import io.meterlink.core.uplink.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 9 §7: broker URLs parsed as URIs; TLS files checked; no YAML error quotes a secret. */
class UplinkValidationTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"ssl://", "ssl://h:70000", "ssl://host name:1", "ssl://h:0", "ssl://h:-1", "ssl://h:port",
            "http://h:1", "ssl:/h:1", "h:8883", "ssl://:8883", "ssl://h:1/path", "ssl://h:1?x=1", "ssl://user:pw-s3cret@h:8883"})
    void badUrl_isRefused_withoutEchoingIt(String url) throws Exception {
        List<ConfigError> errors = errorsOf(config(url, "ca_file: ca.pem"), ConfigLoader.FileChecks.NONE);
        ConfigError e = errors.stream().filter(x -> x.key().equals("uplink.url")).findFirst().orElseThrow(() -> new AssertionError(errors.toString()));
        assertEquals(3, e.line(), e.toString());
        if (url.length() > "ssl://".length()) assertFalse(e.toString().contains(url), e.toString());
        assertFalse(errors.toString().contains("s3cret"), errors.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssl://mqtt.example.org:8883", "ssl://mqtt.example.org", "ssl://10.0.0.1:1", "ssl://[::1]:65535", "SSL://H:8883"})
    void goodUrl_isTaken(String url) throws Exception {
        GatewayConfig c = new ConfigLoader(new DriverRegistry(List.of())).read(config(url, "ca_file: ca.pem"));
        BrokerUrl b = c.uplink().broker();
        assertTrue(b.tls());
        assertTrue(b.port() >= 1 && b.port() <= 65535);
        assertEquals(BrokerUrl.parse(c.uplink().url()), b, "the normalised url parses to the same value");
    }

    @Test
    void payload_defaultsToJson_takesCompact_andRefusesOtherNames() throws Exception {
        ConfigLoader loader = new ConfigLoader(new DriverRegistry(List.of()));
        assertEquals(UplinkConfig.Payload.JSON, loader.read(config("ssl://h:8883", "ca_file: ca.pem")).uplink().payload());
        Path compact = write("compact.yaml", Files.readString(config("ssl://h:8883", "ca_file: ca.pem")).replace(
                "  username: gw\n", "  payload: compact\n  username: gw\n"));
        assertEquals(UplinkConfig.Payload.COMPACT, loader.read(compact).uplink().payload());
        Path cbor = write("cbor.yaml", Files.readString(compact).replace("payload: compact", "payload: cbor"));
        assertTrue(has(errorsOf(cbor, ConfigLoader.FileChecks.NONE), "uplink.payload", "compact"),
                errorsOf(cbor, ConfigLoader.FileChecks.NONE).toString());
    }

    @Test
    void brokerUrl_defaults_andNormalises() {
        assertEquals("ssl://mqtt.example.org:8883", BrokerUrl.parse("ssl://mqtt.example.org").toString());
        assertEquals("tcp://h:1883", BrokerUrl.parse("tcp://h").toString());
        assertEquals("ssl://[::1]:9", BrokerUrl.parse("ssl://[::1]:9").toString());
        assertEquals("ssl://***@h:1", BrokerUrl.redact("ssl://u:p@h:1"));
        assertEquals("ssl://h:1", BrokerUrl.redact("ssl://h:1"));
    }

    @Test
    void ssl_withoutCaFile_orWithEmptyCaFile_isRefused() throws Exception {
        assertTrue(has(errorsOf(config("ssl://h:8883", "cert_file: c.pem"), ConfigLoader.FileChecks.NONE), "uplink.tls.ca_file", "required"));
        Files.writeString(dir.resolve("empty.pem"), "");
        List<ConfigError> errors = errorsOf(config("ssl://h:8883", "ca_file: empty.pem"), ConfigLoader.FileChecks.PRESENT);
        assertTrue(has(errors, "uplink.tls.ca_file", "empty file"), errors.toString());
        assertEquals(7, errors.stream().filter(e -> e.key().equals("uplink.tls.ca_file")).findFirst().orElseThrow().line());
        errors = errorsOf(config("ssl://h:8883", "ca_file: missing.pem"), ConfigLoader.FileChecks.PRESENT);
        assertTrue(has(errors, "uplink.tls.ca_file", "no such file"), errors.toString());
        Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
        errors = errorsOf(config("ssl://h:8883", "ca_file: junk.pem"), ConfigLoader.FileChecks.PRESENT);
        assertTrue(has(errors, "uplink.tls.ca_file", "no usable CA certificate"), errors.toString());
    }

    @Test
    void keyOfAnotherCertificate_isRefused_matchingPair_isTaken() throws Exception {
        KeyPair a = ec();
        KeyPair b = ec();
        write("ca.pem", pem(selfSigned(a)));
        write("gw.pem", pem(selfSigned(a)));
        write("gw.key", pem(new JcaPKCS8Generator(a.getPrivate(), null)));
        write("other.key", pem(new JcaPKCS8Generator(b.getPrivate(), null)));
        Path ok = config("ssl://h:8883", "ca_file: ca.pem", "cert_file: gw.pem", "key_file: gw.key");
        new ConfigLoader(new DriverRegistry(List.of())).checkingFiles(ConfigLoader.FileChecks.ALL).read(ok);
        Path bad = config("ssl://h:8883", "ca_file: ca.pem", "cert_file: gw.pem", "key_file: other.key");
        List<ConfigError> errors = errorsOf(bad, ConfigLoader.FileChecks.ALL);
        assertTrue(has(errors, "uplink.tls.key_file", "does not belong"), errors.toString());
        assertEquals(9, errors.get(0).line(), errors.toString());
    }

    @Test
    void missingClientCertificate_isAnErrorForValidate_butNotBeforeEnrolment() throws Exception {
        write("ca.pem", pem(selfSigned(ec())));
        write("gw.key", pem(new JcaPKCS8Generator(ec().getPrivate(), null)));
        Path p = config("ssl://h:8883", "ca_file: ca.pem", "cert_file: not-yet.pem", "key_file: gw.key");
        new ConfigLoader(new DriverRegistry(List.of())).checkingFiles(ConfigLoader.FileChecks.PRESENT).read(p);
        assertTrue(has(errorsOf(p, ConfigLoader.FileChecks.ALL), "uplink.tls.cert_file", "no such file"));
    }

    @Test
    void yamlError_neverQuotesTheDocument() throws Exception {
        Path p = dir.resolve("alias.yaml");
        Files.writeString(p, "gateway_id: gw-1\nuplink:\n  url: ssl://h:8883\n  username: gw\n  password: *hunter2Secret\n");
        List<ConfigError> errors = errorsOf(p, ConfigLoader.FileChecks.NONE);
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(5, errors.get(0).line());
        assertTrue(errors.get(0).message().contains("undefined alias"), errors.toString());
        assertFalse(errors.toString().contains("hunter2"), errors.toString());

        Files.writeString(p, "gateway_id: gw-1\nuplink:\n  password: \"tops3cret\\q\"\n");
        errors = errorsOf(p, ConfigLoader.FileChecks.NONE);
        assertFalse(errors.toString().contains("tops3cret"), errors.toString());
        assertTrue(errors.toString().contains("escape"), errors.toString());
    }

    private Path config(String url, String... tls) throws Exception {
        StringBuilder sb = new StringBuilder("gateway_id: gw-1\nuplink:\n  url: \"" + url + "\"\n  username: gw\n  password: pw\n  tls:\n");
        for (String t : tls) sb.append("    ").append(t).append('\n');
        return write("meterlink.yaml", sb.toString());
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private List<ConfigError> errorsOf(Path p, ConfigLoader.FileChecks checks) {
        return assertThrows(ConfigException.class,
                () -> new ConfigLoader(new DriverRegistry(List.of())).checkingFiles(checks).read(p)).errors();
    }

    private static boolean has(List<ConfigError> errors, String key, String part) {
        return errors.stream().anyMatch(e -> e.key().equals(key) && e.message().contains(part));
    }

    private static KeyPair ec() throws Exception {
        return TestKeys.ec();
    }

    private static String pem(Object o) throws Exception {
        return TestKeys.pem(o);
    }

    private static java.security.cert.X509Certificate selfSigned(KeyPair kp) throws Exception {
        return TestKeys.selfSigned(kp);
    }
}
