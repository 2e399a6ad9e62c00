package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Frames written as hex text, one per line: plain hex (spaces allowed, optional {@code 0x}), or the
 * output of rtl_wmbus ({@code T1;1;1;2019-04-03 19:00:42.000;97;148;12345678;0x4944…}: mode, CRC ok,
 * 3-of-6 ok, time, signal level, noise, id, frame). A line whose CRC flag is 0 is refused; rtl_wmbus's
 * signal level is not in dBm, so no RSSI travels with these frames. Empty lines and lines starting
 * with {@code #} are skipped. Not thread-safe.
 */
public final class HexLineFramer implements DongleFramer {
    private final TextLines lines = new TextLines();

    @Override public void feed(byte[] bytes, int length) { lines.feed(bytes, length); }

    @Override
    public RadioFrame next() throws DecodeException {
        for (String text = lines.next(); text != null; text = lines.next()) {
            if (!text.startsWith("#")) return parse(text);
        }
        return null;
    }

    /** One line, without its line end. */
    public static RadioFrame parse(String text) throws DecodeException {
        String hex = text;
        if (text.indexOf(';') >= 0) {
            String[] f = text.split(";");
            if (f.length < 2) throw new DecodeException(Kind.SYNTAX, "rtl_wmbus line without fields");
            if ("0".equals(f[1].trim())) throw new DecodeException(Kind.CHECKSUM, "rtl_wmbus reports a CRC error");
            hex = f[f.length - 1];
        }
        hex = hex.trim();
        if (hex.startsWith("telegram=")) hex = hex.substring("telegram=".length());
        hex = hex.replace("|", "").replace("_", "").replaceAll("\\s+", "");
        if (hex.startsWith("0x") || hex.startsWith("0X")) hex = hex.substring(2);
        if (hex.isEmpty() || hex.length() % 2 != 0) throw new DecodeException(Kind.SYNTAX, "not an even number of hex digits");
        try {
            return new RadioFrame(HexFormat.of().parseHex(hex), null);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(Kind.SYNTAX, "not hex");
        }
    }

    static byte[] ascii(String s) { return s.getBytes(StandardCharsets.US_ASCII); }
}
