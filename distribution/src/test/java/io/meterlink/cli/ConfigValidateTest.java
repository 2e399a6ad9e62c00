package io.meterlink.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9 §7: {@code meterlink config validate} and {@code meterlink run} with the real services: a
 * broker URL that is not a valid URI and missing or empty TLS files exit 2 with
 * {@code file:line: key: message}, never 3 and never a retry loop.
 */
class ConfigValidateTest {
    @TempDir Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine(new StandardServices(), new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path config(String url, String tls) throws Exception {
        Path p = dir.resolve("meterlink.yaml");
        Files.writeString(p, "gateway_id: gw-1\nstate_dir: state\nuplink:\n  url: \"" + url + "\"\n  username: gw-1\n  password: pw\n"
                + "  tls: {" + tls + "}\n");
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssl://", "ssl://h:70000", "ssl://host name:1", "ssl://gw:S3cret@h:8883"})
    void badBrokerUrl_exits2_namingFileLineAndKey(String url) throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "");
        Path p = config(url, "ca_file: ca.pem");
        assertEquals(2, run("config", "validate", p.toString()));
        assertTrue(err.toString().contains(p + ":4: uplink.url: "), err::toString);
        assertFalse(err.toString().contains("S3cret"), err::toString);
        assertEquals(2, run("run", "--config", p.toString()), "run refuses it too, before starting");
    }

    @Test
    void missingOrEmptyCaFile_exits2_forValidateAndRun() throws Exception {
        Path p = config("ssl://broker.example:8883", "ca_file: missing.pem");
        assertEquals(2, run("config", "validate", p.toString()));
        assertTrue(err.toString().contains(p + ":7: uplink.tls.ca_file: no such file"), err::toString);
        assertEquals(2, run("run", "--config", p.toString()));
        Files.writeString(dir.resolve("empty.pem"), "");
        p = config("ssl://broker.example:8883", "ca_file: empty.pem");
        assertEquals(2, run("config", "validate", p.toString()));
        assertTrue(err.toString().contains("uplink.tls.ca_file: empty file"), err::toString);
        assertEquals(2, run("run", "--config", p.toString()));
    }

    @Test
    void badWmbusDriverFile_isReported_withItsOwnFileLineAndKey() throws Exception {
        Path drivers = Files.createDirectories(dir.resolve("wmbus-drivers"));
        Files.writeString(drivers.resolve("bad.yaml"), "driver: bad\ndetect: [{manufacturer: XYZ}]\nfields:\n  - {name: a, unit: furlong, slice: {offset: 1, length: 2}}\n");
        Path p = config("ssl://broker.example:8883", "ca_file: missing.pem");
        Files.writeString(p, Files.readString(p) + "sources:\n  - name: radio1\n    driver: wmbus\n    dongle: hexlines\n    port: /dev/ttyUSB0\n"
                + "    driver_dir: " + drivers + "\n");
        assertEquals(2, run("config", "validate", p.toString()));
        assertTrue(err.toString().contains(":13: sources[0].driver_dir: " + drivers.resolve("bad.yaml") + ":4: fields[0].unit: unknown unit 'furlong'"),
                err::toString);
    }
}
