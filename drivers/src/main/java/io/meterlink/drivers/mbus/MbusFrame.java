package io.meterlink.drivers.mbus;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One link-layer frame of wired M-Bus (EN 13757-2 §5.2 / EN 60870-5-1 FT 1.2). Immutable.
 */
public sealed interface MbusFrame permits MbusFrame.Ack, MbusFrame.Short, MbusFrame.Long {

    /** The frame's bytes as they go on the line, start and stop bytes and checksum included. */
    byte[] toBytes();

    /** Single character {@code E5}: positive acknowledgement (EN 13757-2 §5.2). */
    record Ack() implements MbusFrame {
        public static final int BYTE = 0xE5;

        @Override public byte[] toBytes() { return new byte[] {(byte) BYTE}; }
    }

    /** Short frame {@code 10 C A CS 16} (EN 13757-2 §5.2). */
    record Short(int control, int address) implements MbusFrame {
        public Short {
            checkByte(control, "control");
            checkByte(address, "address");
        }

        @Override public byte[] toBytes() {
            return new byte[] {0x10, (byte) control, (byte) address, (byte) (control + address), 0x16};
        }
    }

    /**
     * Long frame {@code 68 L L 68 C A CI data CS 16}; a control frame is a long frame without data
     * (EN 13757-2 §5.2). {@code data} is the user data after the CI field.
     */
    record Long(int control, int address, int ci, byte[] data) implements MbusFrame {
        /** L counts C, A, CI and the data; it is one byte. */
        public static final int MAX_DATA = 255 - 3;

        public Long {
            checkByte(control, "control");
            checkByte(address, "address");
            checkByte(ci, "CI");
            data = data.clone();
            if (data.length > MAX_DATA) throw new IllegalArgumentException("long frame data longer than " + MAX_DATA);
        }

        @Override public byte[] data() { return data.clone(); }

        /** Number of user data bytes, without copying. */
        public int dataLength() { return data.length; }

        /** One user data byte (0-based after the CI field), unsigned. */
        public int dataByte(int i) { return data[i] & 0xFF; }

        @Override public byte[] toBytes() {
            int l = data.length + 3;
            byte[] out = new byte[l + 6];
            out[0] = 0x68;
            out[1] = (byte) l;
            out[2] = (byte) l;
            out[3] = 0x68;
            out[4] = (byte) control;
            out[5] = (byte) address;
            out[6] = (byte) ci;
            System.arraycopy(data, 0, out, 7, data.length);
            int cs = 0;
            for (int i = 4; i < 4 + l; i++) cs += out[i];
            out[4 + l] = (byte) cs;
            out[5 + l] = 0x16;
            return out;
        }

        @Override public boolean equals(Object o) {
            return o instanceof Long f && f.control == control && f.address == address && f.ci == ci && Arrays.equals(f.data, data);
        }

        @Override public int hashCode() { return 31 * (31 * (31 * control + address) + ci) + Arrays.hashCode(data); }

        @Override public String toString() {
            return "Long[C=" + hex(control) + " A=" + address + " CI=" + hex(ci) + " data=" + HexFormat.of().formatHex(data) + "]";
        }
    }

    private static void checkByte(int v, String what) {
        if (v < 0 || v > 0xFF) throw new IllegalArgumentException(what + " out of byte range: " + v);
    }

    private static String hex(int b) { return String.format("%02X", b); }
}
