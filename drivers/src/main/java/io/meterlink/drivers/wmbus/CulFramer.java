package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The CUL stick (CC1101 with culfw) in wM-Bus mode: a text line per received frame, {@code b} then
 * the frame as on air in hex (L field first, link-layer CRCs included; {@code bY} marks format B),
 * optionally followed by two more bytes, the radio's LQI and RSSI. The CRCs are left to the decoder;
 * the RSSI byte is the CC1101's: signed, half dB steps, 74 dB offset at 868 MHz (dBm = raw/2 − 74).
 * Other lines (command answers, version) are skipped. On open it is put into the configured mode
 * ({@code brt} T1, {@code brs} S1, {@code brc} C1). Not thread-safe.
 */
public final class CulFramer implements DongleFramer {
    private final TextLines lines = new TextLines();
    private final WmbusMode mode;

    public CulFramer(WmbusMode mode) { this.mode = mode; }

    @Override public void feed(byte[] bytes, int length) { lines.feed(bytes, length); }

    @Override
    public byte[] setupCommand() {
        String cmd = switch (mode) {
            case S1 -> "brs";
            case C1 -> "brc";
            default -> "brt";
        };
        return (cmd + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public RadioFrame next() throws DecodeException {
        for (String text = lines.next(); text != null; text = lines.next()) {
            if (text.startsWith("b") && text.length() >= 3) return parse(text); // else not a received frame
        }
        return null;
    }

    /** One {@code b…} line. */
    static RadioFrame parse(String text) throws DecodeException {
        boolean formatB = text.startsWith("bY");
        String hex = text.substring(formatB ? 2 : 1);
        byte[] b;
        try {
            if (hex.length() % 2 != 0) throw new IllegalArgumentException();
            b = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(Kind.SYNTAX, "CUL line is not 'b' and an even number of hex digits");
        }
        if (b.length == 0) throw new DecodeException(Kind.TRUNCATED, "CUL line without a frame");
        int onAir = onAirLength(b[0] & 0xFF, formatB);
        if (b.length == onAir + 2) { // LQI and RSSI after the frame
            byte[] frame = java.util.Arrays.copyOf(b, onAir);
            return new RadioFrame(frame, b[onAir + 1] / 2 - 74);
        }
        return new RadioFrame(b, null);
    }

    /** Bytes of a frame on air with its CRCs: format A adds 2 per block (10 bytes, then 16 each), format B counts them in L. */
    static int onAirLength(int l, boolean formatB) {
        if (formatB) return l + 1;
        int rest = Math.max(0, l + 1 - 10);
        return l + 1 + 2 * (1 + (rest + 15) / 16);
    }
}
