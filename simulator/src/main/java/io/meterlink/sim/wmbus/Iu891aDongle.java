package io.meterlink.sim.wmbus;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/**
 * A virtual IMST iU891A (WM-Bus gateway HCI over SLIP, RFC 1055): each received frame becomes the
 * message SAP {@code 09}, RX packet event {@code 20}, a 4-byte time stamp (UTC seconds, LSB first),
 * decryption status, encryption mode, info, the RSSI as a signed dBm byte, the frame from its L
 * field, and the CRC-16/X.25 (LSB first), escaped ({@code C0} → {@code DB DC}, {@code DB} →
 * {@code DB DD}) between two {@code C0}. Answers "set active configuration" with status OK.
 * Thread-safe.
 */
public final class Iu891aDongle implements VirtualDongle {
    static final int END = 0xC0, ESC = 0xDB;
    private long seconds = 1_790_000_000L;

    @Override public String type() { return "iu891a"; }

    @Override
    public synchronized byte[] received(byte[] frame, int rssiDbm) {
        byte[] m = new byte[10 + frame.length + 2];
        m[0] = 0x09; // WM-Bus gateway SAP
        m[1] = 0x20; // RX packet event
        seconds += 7;
        for (int i = 0; i < 4; i++) m[2 + i] = (byte) (seconds >> (8 * i));
        m[6] = 0x00; // decryption status: none
        m[7] = 0x00; // encryption mode
        m[8] = 0x00; // info
        m[9] = (byte) clamp(rssiDbm);
        System.arraycopy(frame, 0, m, 10, frame.length);
        Im871aDongle.withCrc(m, 0);
        return slip(m);
    }

    private static int clamp(int dbm) { return Math.max(-128, Math.min(127, dbm)); }

    @Override public Integer reportedRssi(int rssiDbm) { return clamp(rssiDbm); }

    /** The message with its CRC's last byte changed (escaped as needed). */
    @Override
    public byte[] corrupted(byte[] frame, int rssiDbm) {
        byte[] m = unslip(received(frame, rssiDbm));
        m[m.length - 1] ^= 0x5A;
        return slip(m);
    }

    /** Line noise: never starts like a message of the stick's SAPs (01, 09), holds no END: the host skips it. */
    @Override
    public byte[] garbage(Random random) {
        byte[] g = new byte[5 + random.nextInt(20)];
        random.nextBytes(g);
        for (int i = 0; i < g.length; i++) if ((g[i] & 0xFF) == END) g[i] = 0x5A;
        if (g[0] == 0x01 || g[0] == 0x09) g[0] = 0x5A;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(g);
        o.write(END);
        return o.toByteArray();
    }

    @Override
    public byte[] answer(byte[] fromHost) {
        byte[] m = unslip(fromHost);
        for (int i = 0; i + 1 < m.length; i++) {
            if (m[i] == 0x09 && m[i + 1] == 0x03) { // set active configuration
                byte[] rsp = {0x09, 0x04, 0x00, 0, 0}; // its response, status OK
                Im871aDongle.withCrc(rsp, 0);
                return slip(rsp);
            }
        }
        return new byte[0];
    }

    /** SLIP (RFC 1055): END, the bytes escaped, END. */
    static byte[] slip(byte[] m) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(m.length + 8);
        o.write(END);
        for (byte x : m) {
            int b = x & 0xFF;
            if (b == END || b == ESC) {
                o.write(ESC);
                o.write(b == END ? 0xDC : 0xDD);
            } else {
                o.write(b);
            }
        }
        o.write(END);
        return o.toByteArray();
    }

    /** The bytes of SLIP-encoded messages, ENDs removed and escapes resolved. */
    static byte[] unslip(byte[] s) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(s.length);
        for (int i = 0; i < s.length; i++) {
            int b = s[i] & 0xFF;
            if (b == END) continue;
            if (b == ESC && i + 1 < s.length) b = (s[++i] & 0xFF) == 0xDC ? END : ESC;
            o.write(b);
        }
        return o.toByteArray();
    }
}
