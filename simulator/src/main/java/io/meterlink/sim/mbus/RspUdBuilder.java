package io.meterlink.sim.mbus;

import io.meterlink.drivers.mbus.MbusFrame;

import java.io.ByteArrayOutputStream;
import java.time.LocalDateTime;

/**
 * Our own M-Bus frame encoder: builds an RSP_UD long frame with the variable data structure
 * (EN 13757-3 §5.4, CI 72) — header, then data records — with a correct checksum. Not thread-safe;
 * one builder per frame.
 */
public final class RspUdBuilder {
    /** RSP_UD control field (EN 13757-2 §5.3). */
    public static final int C_RSP_UD = 0x08;
    private final int address;
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /**
     * @param id           8 decimal digits
     * @param manufacturer three letters A–Z (FLAG code)
     */
    public RspUdBuilder(int address, String id, String manufacturer, int version, int medium, int accessNumber, int status) {
        if (!id.matches("\\d{8}")) throw new IllegalArgumentException("id must be 8 digits");
        if (!manufacturer.matches("[A-Z]{3}")) throw new IllegalArgumentException("manufacturer must be 3 letters A-Z");
        this.address = address;
        bcd(Long.parseLong(id), 4); // §5.4 identification number, 8 BCD digits, LSB first
        int m = (manufacturer.charAt(0) - 64) << 10 | (manufacturer.charAt(1) - 64) << 5 | (manufacturer.charAt(2) - 64);
        le(m, 2);
        data.write(version);
        data.write(medium);
        data.write(accessNumber);
        data.write(status);
        le(0, 2); // signature: no encryption
    }

    /** A record with a 32-bit integer value (DIF 04, Type B). */
    public RspUdBuilder int32(int vif, long value) { return record(0x04, vif).le(value, 4); }

    /** A record with a 16-bit integer value (DIF 02, Type B). */
    public RspUdBuilder int16(int vif, long value) {
        if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) throw new IllegalArgumentException("out of int16 range: " + value);
        return record(0x02, vif).le(value, 2);
    }

    /** A record with an 8-digit BCD value (DIF 0C, Type A). */
    public RspUdBuilder bcd8(int vif, long value) {
        if (value < 0 || value > 99_999_999L) throw new IllegalArgumentException("out of BCD8 range: " + value);
        return record(0x0C, vif).bcd(value, 4);
    }

    /** Date and time, Type F (DIF 04, VIF 6D; EN 13757-3 Annex A), minute resolution, local time. */
    public RspUdBuilder dateTimeF(LocalDateTime t) {
        int yy = t.getYear() % 100;
        record(0x04, 0x6D);
        data.write(t.getMinute() & 0x3F);
        data.write(t.getHour() & 0x1F);
        data.write(t.getDayOfMonth() & 0x1F | (yy & 0x07) << 5);
        data.write(t.getMonthValue() & 0x0F | (yy >> 3 & 0x0F) << 4);
        return this;
    }

    /** DIF 1F: manufacturer data follows and more records come in the next telegram (EN 13757-3 §6.3.2). */
    public RspUdBuilder moreRecordsFollow() {
        data.write(0x1F);
        return this;
    }

    /** Any record given as raw bytes (DIF, DIFEs, VIF, VIFEs, data). */
    public RspUdBuilder raw(byte[] record) {
        data.writeBytes(record);
        return this;
    }

    public MbusFrame.Long frame() { return new MbusFrame.Long(C_RSP_UD, address, 0x72, data.toByteArray()); }

    public byte[] build() { return frame().toBytes(); }

    private RspUdBuilder record(int dif, int vif) {
        data.write(dif);
        data.write(vif);
        return this;
    }

    private RspUdBuilder le(long v, int n) {
        for (int i = 0; i < n; i++) data.write((int) (v >> (8 * i)) & 0xFF);
        return this;
    }

    private RspUdBuilder bcd(long v, int n) {
        for (int i = 0; i < n; i++) {
            int two = (int) (v % 100);
            data.write((two / 10) << 4 | two % 10);
            v /= 100;
        }
        return this;
    }
}
