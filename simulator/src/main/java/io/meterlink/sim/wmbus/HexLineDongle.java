package io.meterlink.sim.wmbus;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

/**
 * Frames as hex text lines, as a software radio writes them: the frame on air (format A, with its
 * CRCs), alternately as plain hex and in rtl_wmbus's
 * {@code T1;1;1;<time>;<level>;<noise>;<id>;0x<frame>} form. No RSSI (rtl_wmbus's level is not dBm).
 * Thread-safe.
 */
public final class HexLineDongle implements VirtualDongle {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private long lines;

    @Override public String type() { return "hexlines"; }

    @Override
    public synchronized byte[] received(byte[] frame, int rssiDbm) {
        return line(RadioCrc.formatA(frame), frame);
    }

    @Override public Integer reportedRssi(int rssiDbm) { return null; }

    /** The frame on air with one bit of its last block flipped: a link-layer CRC error. */
    @Override
    public synchronized byte[] corrupted(byte[] frame, int rssiDbm) {
        byte[] air = RadioCrc.formatA(frame);
        air[air.length - 3] ^= 0x10;
        return line(air, frame);
    }

    /** The frame on air cut short inside its second block (the first block and its CRC intact). */
    @Override
    public synchronized byte[] truncated(byte[] frame, int rssiDbm) {
        byte[] air = RadioCrc.formatA(frame);
        return line(java.util.Arrays.copyOf(air, Math.min(air.length - 1, 12 + 8)), frame);
    }

    @Override
    public byte[] garbage(Random random) {
        return ("zz" + Long.toHexString(random.nextLong()) + " not a frame\n").getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] line(byte[] air, byte[] frame) {
        String hex = HEX.formatHex(air);
        String id = HEX.formatHex(new byte[] {frame[7], frame[6], frame[5], frame[4]});
        String text = lines++ % 2 == 0 ? hex : "T1;1;1;2026-11-26 08:00:00.000;97;148;" + id + ";0x" + hex;
        return (text + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
