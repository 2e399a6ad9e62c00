package io.meterlink.sim.wmbus;

import java.util.Random;

/**
 * The host side of a virtual radio dongle: how it hands a received wireless frame to the host over
 * its serial line, what RSSI the host reads from that, and its deliberately damaged output.
 * Implementations are stateless or synchronised; thread-safe.
 */
public interface VirtualDongle {
    /** The driver's {@code dongle} setting this dongle speaks: {@code im871a}, {@code amb8465}, {@code hexlines}. */
    String type();

    /**
     * The bytes the dongle sends to the host for one received frame.
     *
     * @param frame   the frame without CRCs, L first
     * @param rssiDbm the signal strength it was received with
     */
    byte[] received(byte[] frame, int rssiDbm);

    /** The RSSI in dBm the host computes from what {@link #received} sends, {@code null} when the dongle gives none. */
    Integer reportedRssi(int rssiDbm);

    /** Like {@link #received} but with a broken checksum (dongle message checksum, or a link-layer CRC on the line). */
    byte[] corrupted(byte[] frame, int rssiDbm);

    /**
     * A frame whose reception stopped early: by default cut inside its transport header (link
     * header, CI, access number, status) and handed over like any other.
     */
    default byte[] truncated(byte[] frame, int rssiDbm) {
        byte[] cut = java.util.Arrays.copyOf(frame, 13);
        cut[0] = (byte) (cut.length - 1);
        return received(cut, rssiDbm);
    }

    /** Line noise between messages. */
    byte[] garbage(Random random);

    /** The dongle's answer to bytes the host wrote (its setup command), or an empty array. */
    default byte[] answer(byte[] fromHost) { return new byte[0]; }
}
