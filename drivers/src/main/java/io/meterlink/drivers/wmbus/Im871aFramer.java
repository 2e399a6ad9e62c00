package io.meterlink.drivers.wmbus;

import io.meterlink.drivers.crc.Crc16;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

/**
 * The HCI framing of the IMST iM871A USB stick (iM871A "WMBus HCI" specification): start byte
 * {@code A5}, control nibble + endpoint id, message id, payload length, payload, then a 4-byte time
 * stamp, a 1-byte RSSI and a 2-byte CRC when the control bits say so. A received frame is endpoint
 * {@code RADIOLINK (2)}, message {@code WMBUS_MSG_IND (3)}; its payload is the wM-Bus frame without
 * its L field (and without CRCs), so the L field is put back in front. Not thread-safe.
 */
public final class Im871aFramer implements DongleFramer {
    static final int SOF = 0xA5;
    static final int CTRL_CRC = 0x8;       // control nibble bit 3: CRC-16 field present
    static final int CTRL_RSSI = 0x4;      // bit 2: RSSI field present
    static final int CTRL_TIMESTAMP = 0x2; // bit 1: time stamp field present
    static final int ENDPOINT_DEVMGMT = 0x01;
    static final int ENDPOINT_RADIOLINK = 0x02;
    static final int ENDPOINT_HWTEST = 0x04;
    static final int CTRL_RESERVED = 0x1;  // bit 0: reserved, always 0
    static final int WMBUS_MSG_IND = 0x03;
    static final int DEVMGMT_MSG_SET_CONFIG_REQ = 0x03;

    private final ByteQueue in = new ByteQueue();
    private final WmbusMode mode;
    /** A message with a good CRC was seen: this stick sends CRCs, so a header without the CRC bit is noise. */
    private boolean crcSeen;

    public Im871aFramer(WmbusMode mode) { this.mode = mode; }

    @Override public void feed(byte[] bytes, int length) { in.append(bytes, length); }

    @Override
    public RadioFrame next() throws DecodeException {
        while (true) {
            int skip = 0;
            while (skip < in.size() && in.get(skip) != SOF) skip++;
            in.consume(skip);
            if (in.size() < 4) return null;
            int control = in.get(1) >> 4, endpoint = in.get(1) & 0x0F, msgId = in.get(2), len = in.get(3);
            if ((control & CTRL_RESERVED) != 0 || endpoint < ENDPOINT_DEVMGMT || endpoint > ENDPOINT_HWTEST
                    || (crcSeen && (control & CTRL_CRC) == 0)) {
                in.consume(1); // not a message header: noise holding the start byte
                continue;
            }
            int total = 4 + len + ((control & CTRL_TIMESTAMP) != 0 ? 4 : 0) + ((control & CTRL_RSSI) != 0 ? 1 : 0)
                    + ((control & CTRL_CRC) != 0 ? 2 : 0);
            if (in.size() < total) return null;
            if ((control & CTRL_CRC) != 0) {
                int crc = crc16(in, 1, total - 2);
                int sent = in.get(total - 2) | in.get(total - 1) << 8;
                if (crc != sent) {
                    boolean inside = in.inRefused(); // a false start inside a message already refused: counted once
                    in.consume(1); // resync on the next start byte
                    if (inside) continue;
                    in.refuse(total - 1);
                    throw new DecodeException(Kind.CHECKSUM, "iM871A message CRC is wrong");
                }
                crcSeen = true;
            }
            boolean received = endpoint == ENDPOINT_RADIOLINK && msgId == WMBUS_MSG_IND;
            if (received && (len < 10 || !LinkLayer.plausibleC(in.get(4)))) {
                in.consume(1); // says "received frame" but holds none: a false start, resync
                continue;
            }
            if (!received) {
                in.consume(total); // a response or an event, not a received frame
                continue;
            }
            byte[] frame = new byte[len + 1];
            frame[0] = (byte) len;
            System.arraycopy(in.copy(4, 4 + len), 0, frame, 1, len);
            Integer rssi = null;
            if ((control & CTRL_RSSI) != 0) {
                int raw = in.get(4 + len + ((control & CTRL_TIMESTAMP) != 0 ? 4 : 0));
                rssi = rssiDbm(raw);
            }
            in.consume(total);
            return new RadioFrame(frame, rssi, true);
        }
    }

    @Override
    public boolean idle() { return in.dropHead(); }

    /** The stick's RSSI byte in dBm: raw × 8/15 − 380/3 (iM871A HCI specification, RSSI field). */
    static int rssiDbm(int raw) { return (int) Math.round(raw * 8.0 / 15.0 - 380.0 / 3.0); }

    /** CRC-16 of the HCI message (CCITT, reflected, init FFFF, final XOR FFFF), over control field to the end. */
    static int crc16(ByteQueue q, int from, int to) {
        int crc = 0xFFFF;
        for (int i = from; i < to; i++) crc = step(crc, q.get(i));
        return ~crc & 0xFFFF;
    }

    static int crc16(byte[] b, int from, int to) {
        return Crc16.X25.of(b, from, to);
    }

    private static int step(int crc, int b) {
        crc ^= b;
        for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
        return crc;
    }

    /**
     * DEVMGMT_MSG_SET_CONFIG_REQ with CRC: volatile (not saved), device mode "other" and the link mode
     * (S1 = 0, T1 = 3, C1 = 6 i.e. C1 frame format A), then the second flag byte as working receivers send it.
     */
    @Override
    public byte[] setupCommand() {
        int link = switch (mode) {
            case S1 -> 0x00;
            case T1 -> 0x03;
            case C1 -> 0x06;
        };
        byte[] payload = {0x00, 0x03, 0x00, (byte) link, 0x08, 0x00};
        byte[] m = new byte[4 + payload.length + 2];
        m[0] = (byte) SOF;
        m[1] = (byte) (CTRL_CRC << 4 | ENDPOINT_DEVMGMT);
        m[2] = DEVMGMT_MSG_SET_CONFIG_REQ;
        m[3] = (byte) payload.length;
        System.arraycopy(payload, 0, m, 4, payload.length);
        int crc = crc16(m, 1, m.length - 2);
        m[m.length - 2] = (byte) crc;
        m[m.length - 1] = (byte) (crc >> 8);
        return m;
    }
}
