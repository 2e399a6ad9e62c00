package io.meterlink.sim.wmbus;

import java.util.Random;

/**
 * A virtual IMST iM871A (iM871A "WMBus HCI" specification): each received frame becomes an HCI
 * message {@code A5}, control E | endpoint 2 (CRC, RSSI and time stamp fields present),
 * {@code WMBUS_MSG_IND (03)}, length, the frame without its L field, a 4-byte time stamp, the RSSI
 * byte and the CRC-16/X.25 (least significant byte first). Answers
 * {@code DEVMGMT_MSG_SET_CONFIG_REQ} with {@code _RSP}. Thread-safe.
 */
public final class Im871aDongle implements VirtualDongle {
    static final int SOF = 0xA5;
    private int ticks;

    @Override public String type() { return "im871a"; }

    @Override
    public synchronized byte[] received(byte[] frame, int rssiDbm) {
        int n = frame.length - 1;
        byte[] m = new byte[4 + n + 4 + 1 + 2];
        m[0] = (byte) SOF;
        m[1] = (byte) 0xE2; // control: CRC 8 | RSSI 4 | time stamp 2; endpoint RADIOLINK 2
        m[2] = 0x03;        // WMBUS_MSG_IND
        m[3] = (byte) n;
        System.arraycopy(frame, 1, m, 4, n);
        ticks += 1234;
        for (int i = 0; i < 4; i++) m[4 + n + i] = (byte) (ticks >> (8 * i));
        m[4 + n + 4] = (byte) rssiRaw(rssiDbm);
        withCrc(m, 1);
        return m;
    }

    /** The stick's RSSI byte: dBm = raw × 8/15 − 380/3 (HCI specification, RSSI field), inverted and clamped. */
    static int rssiRaw(int dbm) { return Math.max(0, Math.min(255, (int) Math.round((dbm + 380.0 / 3.0) * 15.0 / 8.0))); }

    @Override public Integer reportedRssi(int rssiDbm) { return (int) Math.round(rssiRaw(rssiDbm) * 8.0 / 15.0 - 380.0 / 3.0); }

    @Override
    public byte[] corrupted(byte[] frame, int rssiDbm) {
        byte[] m = received(frame, rssiDbm);
        m[m.length - 1] ^= 0x5A;
        return m;
    }

    /** Noise without the start byte: the host skips it while looking for {@code A5}. */
    @Override
    public byte[] garbage(Random random) {
        byte[] g = new byte[5 + random.nextInt(20)];
        random.nextBytes(g);
        for (int i = 0; i < g.length; i++) if ((g[i] & 0xFF) == SOF) g[i] = 0x5A;
        return g;
    }

    @Override
    public byte[] answer(byte[] fromHost) {
        for (int i = 0; i + 2 < fromHost.length; i++) {
            if ((fromHost[i] & 0xFF) == SOF && (fromHost[i + 1] & 0x0F) == 0x01 && fromHost[i + 2] == 0x03) { // DEVMGMT SET_CONFIG_REQ
                byte[] rsp = {(byte) SOF, (byte) 0x81, 0x04, 0x01, 0x00, 0, 0}; // SET_CONFIG_RSP, status OK
                withCrc(rsp, 1);
                return rsp;
            }
        }
        return new byte[0];
    }

    /**
     * CRC-16/X.25 (reflected 0x8408, init FFFF, final XOR FFFF) over {@code m[from..length-2)}, put in
     * the last two bytes LSB first (iM871A: from the control field; iU891A: from the SAP).
     */
    static void withCrc(byte[] m, int from) {
        int crc = 0xFFFF;
        for (int i = from; i < m.length - 2; i++) {
            crc ^= m[i] & 0xFF;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
        }
        crc = ~crc & 0xFFFF;
        m[m.length - 2] = (byte) crc;
        m[m.length - 1] = (byte) (crc >>> 8);
    }
}
