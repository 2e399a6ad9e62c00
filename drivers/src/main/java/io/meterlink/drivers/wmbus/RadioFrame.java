package io.meterlink.drivers.wmbus;

/**
 * One wireless M-Bus frame as a radio dongle handed it over: the frame from its L field on (CRCs
 * present or not), and the signal strength when the dongle reports it. Immutable.
 *
 * @param frame   the frame bytes, L field first
 * @param rssiDbm received signal strength in dBm, or {@code null} when the dongle gives none
 * @param crcsRemoved the dongle checked and removed the link-layer CRCs (iM871A, AMB8465): the frame is
 *                    taken as it is, never guessed at as format A or B (a frame's last bytes match a
 *                    format B CRC by chance once in 65,536 frames)
 */
public record RadioFrame(byte[] frame, Integer rssiDbm, boolean crcsRemoved) {
    public RadioFrame {
        frame = frame.clone();
    }

    /** A frame that may still carry its CRCs (hex lines, e.g. rtl_wmbus). */
    public RadioFrame(byte[] frame, Integer rssiDbm) {
        this(frame, rssiDbm, false);
    }

    @Override public byte[] frame() { return frame.clone(); }
}
