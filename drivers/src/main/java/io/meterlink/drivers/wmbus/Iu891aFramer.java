package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.crc.Crc16;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.io.ByteArrayOutputStream;

/**
 * The HCI of IMST's iU891A / iM891A (the iM871A's successors, "WM-Bus gateway" firmware): messages
 * in SLIP framing (RFC 1055: {@code C0} ends a message, {@code DB DC} stands for {@code C0},
 * {@code DB DD} for {@code DB}), each message SAP id, message id, payload, CRC-16/X.25 over SAP to
 * payload (least significant byte first). A received frame is SAP {@code 09} (WM-Bus gateway),
 * message {@code 20} (RX packet event): a 4-byte time stamp (UTC seconds, LSB first), decryption
 * status, encryption mode, info byte, the RSSI as a signed dBm byte, then the wM-Bus frame from its
 * L field. Messages of other SAPs (noise between messages among them) are skipped; a message of a
 * known SAP with a wrong CRC is {@code checksum}, a bad SLIP escape {@code syntax}, one longer than
 * {@value #MAX_MESSAGE} bytes {@code length} (skipped to its end). Not thread-safe.
 */
public final class Iu891aFramer implements DongleFramer {
    static final int END = 0xC0, ESC = 0xDB, ESC_END = 0xDC, ESC_ESC = 0xDD;
    static final int SAP_DEVMGMT = 0x01;
    static final int SAP_WMBUS = 0x09;
    static final int MSG_SET_ACTIVE_CONFIG = 0x03;
    static final int MSG_RX_PACKET = 0x20;
    /** Link mode "C1 and T1 receive" (3): the one link mode value publicly described. */
    static final int LINK_MODE_CT = 0x03;
    /** An RX packet event: SAP, message, time stamp 4, status, mode, info, RSSI, frame ≤ 290 (L 255 with CRCs), CRC 2. */
    static final int MAX_MESSAGE = 320;
    /** The RX event's bytes before the frame: SAP, message, time stamp, decryption status, encryption mode, info, RSSI. */
    private static final int RX_HEADER = 2 + 4 + 3 + 1;

    private final ByteQueue in = new ByteQueue();
    /** Inside an oversize message: everything up to the next END is dropped (counted once). */
    private boolean skipping;

    @Override public void feed(byte[] bytes, int length) { in.append(bytes, length); }

    @Override
    public RadioFrame next() throws DecodeException {
        while (true) {
            int end = -1;
            int limit = skipping ? in.size() : Math.min(in.size(), 2 * MAX_MESSAGE + 1); // escaped, a message is at most twice its length
            for (int i = 0; i < limit; i++) {
                if (in.get(i) == END) {
                    end = i;
                    break;
                }
            }
            if (skipping) {
                if (end < 0) {
                    in.consume(limit);
                    return null;
                }
                in.consume(end + 1);
                skipping = false;
                continue;
            }
            if (end < 0) {
                if (in.size() <= 2 * MAX_MESSAGE) return null; // more to come
                in.consume(limit);
                skipping = true;
                throw new DecodeException(Kind.LENGTH, "iU891A message longer than " + MAX_MESSAGE + " bytes: skipped to its end");
            }
            byte[] raw = in.copy(0, end);
            in.consume(end + 1);
            if (raw.length == 0) continue; // END before a message (wake-up or leading END)
            RadioFrame f = message(raw);
            if (f != null) return f;
        }
    }

    /** One SLIP message without its END: a received frame, or {@code null} when it is something else. */
    private static RadioFrame message(byte[] raw) throws DecodeException {
        if (raw[0] != SAP_DEVMGMT && raw[0] != SAP_WMBUS) return null; // another SAP, or noise between messages
        ByteArrayOutputStream m = new ByteArrayOutputStream(raw.length);
        for (int i = 0; i < raw.length; i++) {
            int b = raw[i] & 0xFF;
            if (b == ESC) {
                int e = i + 1 < raw.length ? raw[++i] & 0xFF : -1;
                if (e == ESC_END) b = END;
                else if (e == ESC_ESC) b = ESC;
                else throw new DecodeException(Kind.SYNTAX, "iU891A message with a bad SLIP escape (DB " + (e < 0 ? "at the end" : String.format("%02X", e)) + ")");
            }
            m.write(b);
        }
        byte[] b = m.toByteArray();
        if (b.length > MAX_MESSAGE) throw new DecodeException(Kind.LENGTH, "iU891A message longer than " + MAX_MESSAGE + " bytes");
        if (b.length < 4) throw new DecodeException(Kind.TRUNCATED, "iU891A message of " + b.length + " bytes");
        int crc = Crc16.X25.of(b, 0, b.length - 2);
        if (crc != ((b[b.length - 2] & 0xFF) | (b[b.length - 1] & 0xFF) << 8)) {
            throw new DecodeException(Kind.CHECKSUM, "iU891A message CRC is wrong");
        }
        if (b[0] != SAP_WMBUS || b[1] != MSG_RX_PACKET) return null; // a response or another event
        int frameLength = b.length - 2 - RX_HEADER;
        if (frameLength < 11 || (b[RX_HEADER] & 0xFF) + 1 > frameLength) {
            throw new DecodeException(Kind.TRUNCATED, "iU891A RX packet event without a whole wM-Bus frame");
        }
        byte[] frame = java.util.Arrays.copyOfRange(b, RX_HEADER, b.length - 2);
        return new RadioFrame(frame, (int) b[RX_HEADER - 1], false); // CRCs present or not: the decoder tells
    }

    /** A quiet line with a message unfinished: it never ends, drop it. */
    @Override
    public boolean idle() {
        if (in.size() == 0 && !skipping) return false;
        in.consume(in.size());
        skipping = false;
        return true;
    }

    /**
     * Wake-up ENDs, then WM-Bus gateway "set active configuration": link mode C1+T1 (3), options
     * (LSB first) RX packet notification (bit 1) and radio re-calibration (bit 3), no UI options, LED
     * time 0, re-calibration every 600,000 ms.
     */
    @Override
    public byte[] setupCommand() {
        int recal = 600_000;
        byte[] payload = {(byte) LINK_MODE_CT, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00,
                (byte) recal, (byte) (recal >> 8), (byte) (recal >> 16), (byte) (recal >> 24)};
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int i = 0; i < 4; i++) o.write(END);
        o.writeBytes(encode(SAP_WMBUS, MSG_SET_ACTIVE_CONFIG, payload));
        return o.toByteArray();
    }

    /** One HCI message with its CRC, SLIP-encoded between two ENDs. */
    static byte[] encode(int sap, int msg, byte[] payload) {
        byte[] m = new byte[2 + payload.length + 2];
        m[0] = (byte) sap;
        m[1] = (byte) msg;
        System.arraycopy(payload, 0, m, 2, payload.length);
        int crc = Crc16.X25.of(m, 0, m.length - 2);
        m[m.length - 2] = (byte) crc;
        m[m.length - 1] = (byte) (crc >> 8);
        ByteArrayOutputStream o = new ByteArrayOutputStream(m.length * 2 + 2);
        o.write(END);
        for (byte x : m) {
            int b = x & 0xFF;
            if (b == END) {
                o.write(ESC);
                o.write(ESC_END);
            } else if (b == ESC) {
                o.write(ESC);
                o.write(ESC_ESC);
            } else {
                o.write(b);
            }
        }
        o.write(END);
        return o.toByteArray();
    }
}
