package io.meterlink.drivers.wmbus;

/**
 * One wireless M-Bus frame as a radio dongle handed it over: the frame from its L field on (CRCs
 * present or not), and the signal strength when the dongle reports it. Immutable.
 *
 * @param frame   the frame bytes, L field first
 * @param rssiDbm received signal strength in dBm, or {@code null} when the dongle gives none
 */
public record RadioFrame(byte[] frame, Integer rssiDbm) {
    public RadioFrame {
        frame = frame.clone();
    }

    @Override public byte[] frame() { return frame.clone(); }
}
