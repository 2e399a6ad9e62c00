package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

/**
 * The serial framing of the Amber AMB8465 stick (AMB8465 user manual, "UART command interface").
 * Command mode: {@code FF CMD LEN payload CS}, CS = XOR of all bytes before it; a received frame is
 * {@code CMD_DATA_IND (03)} whose payload is the wM-Bus frame without its L field. Transparent mode:
 * a length byte, then that many bytes of the frame (again without L). When RSSI output is on, the
 * last byte counted by the length is the RSSI, in dBm = signed byte / 2 − 74. Not thread-safe.
 */
public final class Amb8465Framer implements DongleFramer {
    static final int SOF = 0xFF;
    static final int CMD_DATA_IND = 0x03;
    static final int CMD_SET_MODE_REQ = 0x04;

    private final ByteQueue in = new ByteQueue();
    private final WmbusMode mode;
    private final boolean rssiAppended;
    /** A command-mode message checked out: the stick talks command mode, transparent-mode framing is off. */
    private boolean commandMode;

    /** @param rssiAppended whether the stick is configured to append the RSSI byte (its RSSI_Enable parameter) */
    public Amb8465Framer(WmbusMode mode, boolean rssiAppended) {
        this.mode = mode;
        this.rssiAppended = rssiAppended;
    }

    @Override public void feed(byte[] bytes, int length) { in.append(bytes, length); }

    @Override
    public RadioFrame next() throws DecodeException {
        while (true) {
            if (in.size() < 2) return null;
            if (in.get(0) != SOF && in.inRefused()) {
                in.consume(1); // inside a refused message: its bytes are not a transparent-mode frame
                continue;
            }
            if (in.get(0) == SOF) {
                if (in.size() < 3) return null;
                int cmd = in.get(1), len = in.get(2), total = 4 + len;
                if (in.size() < total) return null;
                int cs = 0;
                for (int i = 0; i < total - 1; i++) cs ^= in.get(i);
                if (cs != in.get(total - 1)) {
                    // resync one byte on (a false start may hide a real message), but the damaged message's
                    // own bytes (LEN, frame, RSSI) must not be read as a transparent-mode frame
                    boolean inside = in.inRefused(); // a false start inside a message already refused: counted once
                    in.consume(1);
                    if (inside) continue;
                    in.refuse(total - 1); // only a start byte may begin a message inside it
                    throw new DecodeException(Kind.CHECKSUM, "AMB8465 message checksum is wrong");
                }
                commandMode = true;
                if (cmd != CMD_DATA_IND) {
                    in.consume(total); // confirmation of a command, not a received frame
                    continue;
                }
                RadioFrame f = frame(3, len);
                in.consume(total);
                if (f != null) return f;
                continue;
            }
            // transparent mode: length byte, then C field (EN 13757-4 §12.5.2 SND_NR 44, SND_IR 46, …)
            int len = in.get(0);
            if (commandMode || len < 10 + (rssiAppended ? 1 : 0) || !LinkLayer.plausibleC(in.get(1))) {
                in.consume(1); // not the start of a frame: resync
                continue;
            }
            if (in.size() < 1 + len) return null;
            RadioFrame f = frame(1, len);
            in.consume(1 + len);
            if (f != null) return f;
        }
    }

    private RadioFrame frame(int at, int len) throws DecodeException {
        int n = len - (rssiAppended ? 1 : 0);
        if (n < 10) throw new DecodeException(Kind.TRUNCATED, "AMB8465 frame of " + n + " bytes");
        byte[] frame = new byte[n + 1];
        frame[0] = (byte) n;
        System.arraycopy(in.copy(at, at + n), 0, frame, 1, n);
        Integer rssi = rssiAppended ? rssiDbm(in.get(at + n)) : null;
        return new RadioFrame(frame, rssi, true);
    }

    /** AMB8465 manual, RSSI: the byte as a signed value, halved, minus 74 dBm. */
    static int rssiDbm(int raw) { return (byte) raw / 2 - 74; }

    @Override
    public boolean idle() { return in.dropHead(); }

    /** CMD_SET_MODE_REQ (volatile): T1 meter → other = 08, S1 = 03, C1 = 0E. */
    @Override
    public byte[] setupCommand() {
        int m = switch (mode) {
            case T1 -> 0x08;
            case S1 -> 0x03;
            case C1 -> 0x0E;
        };
        byte[] cmd = {(byte) SOF, CMD_SET_MODE_REQ, 0x01, (byte) m, 0};
        cmd[4] = (byte) (cmd[0] ^ cmd[1] ^ cmd[2] ^ cmd[3]);
        return cmd;
    }
}
