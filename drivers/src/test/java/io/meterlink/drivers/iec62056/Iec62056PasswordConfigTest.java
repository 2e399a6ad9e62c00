package io.meterlink.drivers.iec62056;

import io.meterlink.drivers.testing.MapSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IEC 62056-21 and DLMS (mode E) passwords are printable ASCII: anything else (UTF-8 or Latin-1 letters,
 * control characters) is a configuration error at load, naming the key and, for a file, the file and
 * line, never the password.
 */
class Iec62056PasswordConfigTest {
    @TempDir Path dir;

    private static Map<String, Object> modeE(String key, Object value) {
        Map<String, Object> m = new HashMap<>(Map.of("port", "/dev/ttyUSB0", "mode", "e", "objects", List.of("1-0:1.8.0"), "client_address", 32));
        m.put(key, value);
        return m;
    }

    private Path ownerOnly(byte[] content) throws Exception {
        Path f = dir.resolve("pw" + content.length + "-" + System.nanoTime());
        Files.write(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** The one error of a refused configuration; it must not show {@code secretPart}. */
    private static String refused(Map<String, Object> config, String secretPart) {
        MapSettings s = new MapSettings(config);
        assertNull(new Iec62056DriverFactory().configure(s), () -> "accepted: " + config);
        assertEquals(1, s.errors().size(), s.errors()::toString);
        String e = s.errors().get(0);
        assertTrue(!e.contains(secretPart), "the error shows the password: " + e);
        return e;
    }

    @Test
    void passwordKey_nonAsciiOrControlCharacters_areRefusedByKey() {
        // (a control character other than tab cannot be written plainly in YAML; the file test has one)
        for (String pw : List.of("zähler42", "tab\there", "€uro-1234", "naïve-pw")) {
            String e = refused(modeE("password", pw), pw.substring(1));
            assertTrue(e.startsWith("password: ") && e.contains("printable ASCII"), e);
        }
    }

    @Test
    void passwordFile_utf8Latin1OrControlBytes_areRefusedAtLoad_namingFileAndLine() throws Exception {
        byte[][] contents = {
            "# Zähler im Keller\nzähler42\n".getBytes(StandardCharsets.UTF_8), // the comment may hold any text; the password may not
            "# meter\nz\u00e4hler42\n".getBytes(StandardCharsets.ISO_8859_1),
            "# meter\nab\u001bcd1234\n".getBytes(StandardCharsets.US_ASCII),
        };
        for (byte[] content : contents) {
            Path f = ownerOnly(content);
            String e = refused(modeE("password_file", f.toString()), "hler42");
            assertTrue(e.startsWith("password_file: ") && e.contains(f.toString()) && e.contains("line 2") && e.contains("not printable ASCII"), e);
            assertTrue(!e.contains("cd1234"), e);
        }
    }

    @Test
    void printableAsciiPasswords_areAccepted_fromKeyAndFile_andCommentsMayHoldAnyText() throws Exception {
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(modeE("password", "Abc-123 ~!"))));
        Path f = ownerOnly("# Zähler im Keller\r\n  Abc-123 ~!  \r\n".getBytes(StandardCharsets.UTF_8));
        assertNotNull(new Iec62056DriverFactory().configure(new MapSettings(modeE("password_file", f.toString()))));
    }
}
