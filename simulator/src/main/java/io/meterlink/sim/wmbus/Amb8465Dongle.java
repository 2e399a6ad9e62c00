package io.meterlink.sim.wmbus;

import java.util.Random;

/**
 * A virtual Amber AMB8465 in command mode with RSSI output on (AMB8465 user manual, UART command
 * interface): each received frame becomes {@code FF 03 LEN <frame without L> RSSI CS}, CS the XOR of
 * every byte before it, RSSI a signed byte with dBm = value / 2 − 74. Answers
 * {@code CMD_SET_MODE_REQ} with {@code CMD_SET_MODE_CNF}. Thread-safe.
 */
public final class Amb8465Dongle implements VirtualDongle {
    @Override public String type() { return "amb8465"; }

    @Override
    public byte[] received(byte[] frame, int rssiDbm) {
        int n = frame.length - 1;
        byte[] m = new byte[3 + n + 1 + 1];
        m[0] = (byte) 0xFF;
        m[1] = 0x03; // CMD_DATA_IND
        m[2] = (byte) (n + 1);
        System.arraycopy(frame, 1, m, 3, n);
        m[3 + n] = (byte) rssiRaw(rssiDbm);
        m[m.length - 1] = xor(m, m.length - 1);
        return m;
    }

    static int rssiRaw(int dbm) { return Math.max(-128, Math.min(127, (dbm + 74) * 2)); }

    @Override public Integer reportedRssi(int rssiDbm) { return rssiRaw(rssiDbm) / 2 - 74; }

    @Override
    public byte[] corrupted(byte[] frame, int rssiDbm) {
        byte[] m = received(frame, rssiDbm);
        m[m.length - 1] ^= 0x21;
        return m;
    }

    /**
     * Noise the host must skip: no {@code FF} start byte, and no byte that could start a transparent
     * mode frame (a length of 11 or more followed by a meter's C field).
     */
    @Override
    public byte[] garbage(Random random) {
        byte[] g = new byte[5 + random.nextInt(20)];
        random.nextBytes(g);
        for (int i = 0; i < g.length; i++) {
            if ((g[i] & 0xFF) == 0xFF) g[i] = 0x07;
            if (i > 0 && (g[i - 1] & 0xFF) >= 11 && plausibleC(g[i] & 0xFF)) g[i] = 0x01;
        }
        return g;
    }

    private static boolean plausibleC(int c) {
        return c == 0x44 || c == 0x46 || c == 0x47 || c == 0x48 || c == 0x08 || c == 0x18 || c == 0x28 || c == 0x38 || c == 0x06 || c == 0x00;
    }

    @Override
    public byte[] answer(byte[] fromHost) {
        for (int i = 0; i + 1 < fromHost.length; i++) {
            if ((fromHost[i] & 0xFF) == 0xFF && fromHost[i + 1] == 0x04) { // CMD_SET_MODE_REQ
                byte[] cnf = {(byte) 0xFF, (byte) 0x84, 0x01, 0x00, 0};
                cnf[4] = xor(cnf, 4);
                return cnf;
            }
        }
        return new byte[0];
    }

    private static byte xor(byte[] b, int to) {
        int x = 0;
        for (int i = 0; i < to; i++) x ^= b[i];
        return (byte) x;
    }
}
