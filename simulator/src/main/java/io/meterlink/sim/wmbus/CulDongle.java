package io.meterlink.sim.wmbus;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

/**
 * A CUL stick (CC1101, culfw) in wM-Bus mode: each frame as a text line, {@code b}, the frame on air
 * in hex (format A, with its CRCs), then LQI and the CC1101 RSSI byte (signed, dBm = raw/2 − 74).
 * Start-up chatter and command answers are other lines. Thread-safe.
 */
public final class CulDongle implements VirtualDongle {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    private static final int LQI = 0x2D;

    @Override public String type() { return "cul"; }

    @Override
    public byte[] received(byte[] frame, int rssiDbm) {
        return line(RadioCrc.formatA(frame), rssiDbm);
    }

    /** The dBm the stick reports: whole dBm pass through its half-dB byte unchanged within its range. */
    @Override public Integer reportedRssi(int rssiDbm) { return reported(rssiDbm); }

    /** The frame on air with one bit of its last block flipped: the decoder finds the CRC error. */
    @Override
    public byte[] corrupted(byte[] frame, int rssiDbm) {
        byte[] air = RadioCrc.formatA(frame);
        air[air.length - 3] ^= 0x10;
        return line(air, rssiDbm);
    }

    /** The frame on air cut short inside its second block, without LQI and RSSI (the stick gave up). */
    @Override
    public byte[] truncated(byte[] frame, int rssiDbm) {
        byte[] air = RadioCrc.formatA(frame);
        return ("b" + HEX.formatHex(java.util.Arrays.copyOf(air, Math.min(air.length - 1, 12 + 8))) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** culfw's version answer and a line of another protocol: no frame. */
    @Override
    public byte[] garbage(Random random) {
        return ("V 1.67 CUL868\r\nT" + Long.toHexString(random.nextLong()) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] line(byte[] air, int rssiDbm) {
        int raw = 2 * (reported(rssiDbm) + 74);
        return ("b" + HEX.formatHex(air) + String.format("%02X%02X", LQI, raw & 0xFF) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static int reported(int rssiDbm) { return Math.max(-138, Math.min(-11, rssiDbm)); }
}
