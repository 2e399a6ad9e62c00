package io.meterlink.sim.wmbus;

import java.io.ByteArrayOutputStream;
import java.time.LocalDateTime;

/** Writes data records (EN 13757-3 §6: DIF, VIF, data) of a wireless telegram. Not thread-safe. */
public final class AplWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** 8-digit BCD (DIF 0C, type A) at storage 0, or DIF 4C at storage 1. */
    public AplWriter bcd8(int storage, int vif, long value) {
        if (value < 0 || value > 99_999_999L) throw new IllegalArgumentException("out of BCD8 range: " + value);
        if (storage < 0 || storage > 1) throw new IllegalArgumentException("storage 0 or 1");
        out.write(0x0C | storage << 6); // EN 13757-3 §6.3.1: DIF bit 6 = storage number LSB
        out.write(vif);
        for (int i = 0; i < 4; i++) {
            int two = (int) (value % 100);
            out.write((two / 10) << 4 | two % 10);
            value /= 100;
        }
        return this;
    }

    /** 32-bit integer (DIF 04, type B). */
    public AplWriter int32(int vif, long value) {
        out.write(0x04);
        out.write(vif);
        return le(value, 4);
    }

    /** 16-bit integer (DIF 02, type B). */
    public AplWriter int16(int vif, long value) {
        if (value < Short.MIN_VALUE || value > Short.MAX_VALUE) throw new IllegalArgumentException("out of int16 range: " + value);
        out.write(0x02);
        out.write(vif);
        return le(value, 2);
    }

    /** Date and time type F (DIF 04, VIF 6D; EN 13757-3 Annex A), minute resolution. */
    public AplWriter dateTimeF(LocalDateTime t) {
        int yy = t.getYear() % 100;
        out.write(0x04);
        out.write(0x6D);
        out.write(t.getMinute() & 0x3F);
        out.write(t.getHour() & 0x1F);
        out.write(t.getDayOfMonth() & 0x1F | (yy & 0x07) << 5);
        out.write(t.getMonthValue() & 0x0F | (yy >> 3 & 0x0F) << 4);
        return this;
    }

    /** Date type G (DIF 42 = storage 1, VIF 6C; EN 13757-3 Annex A): a due date. */
    public AplWriter dueDateG(LocalDateTime t) {
        int yy = t.getYear() % 100;
        out.write(0x42);
        out.write(0x6C);
        out.write(t.getDayOfMonth() & 0x1F | (yy & 0x07) << 5);
        out.write(t.getMonthValue() & 0x0F | (yy >> 3 & 0x0F) << 4);
        return this;
    }

    public byte[] bytes() { return out.toByteArray(); }

    private AplWriter le(long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >> (8 * i)) & 0xFF);
        return this;
    }
}
