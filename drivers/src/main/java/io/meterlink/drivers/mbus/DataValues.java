package io.meterlink.drivers.mbus;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;

/** The data types of EN 13757-3:2013 Annex A (A, B, C, F, G, H, I, J) on LSB-first byte arrays. Pure and thread-safe. */
final class DataValues {
    private DataValues() {}

    /** Type B: signed two's complement integer. */
    static BigDecimal signed(byte[] le) {
        if (le.length > 0 && le.length <= 8) { // fits a long: no BigInteger on the hot path
            long v = le[le.length - 1]; // sign-extended top byte
            for (int i = le.length - 2; i >= 0; i--) v = v << 8 | (le[i] & 0xFF);
            return BigDecimal.valueOf(v);
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        return new BigDecimal(new BigInteger(be));
    }

    /** Type C: unsigned integer. */
    static BigDecimal unsigned(byte[] le) {
        if (le.length < 8) {
            long v = 0;
            for (int i = le.length - 1; i >= 0; i--) v = v << 8 | (le[i] & 0xFF);
            return BigDecimal.valueOf(v);
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        return new BigDecimal(new BigInteger(1, be));
    }

    /** Type A BCD; negative when the most significant nibble is F. {@code null} if a digit is not 0–9. */
    static BigDecimal bcd(byte[] le) {
        long v = 0;
        boolean negative = false;
        for (int i = le.length - 1; i >= 0; i--) {
            int hi = le[i] >> 4 & 0x0F, lo = le[i] & 0x0F;
            if (i == le.length - 1 && hi == 0x0F) {
                negative = true;
                hi = 0;
            }
            if (hi > 9 || lo > 9) return null;
            v = v * 100 + hi * 10 + lo;
        }
        return BigDecimal.valueOf(negative ? -v : v);
    }

    /** BCD digits as sent, most significant first (identifiers keep their leading zeros; A–F stay hex). */
    static String bcdDigits(byte[] le) {
        char[] out = new char[le.length * 2];
        for (int i = le.length - 1, o = 0; i >= 0; i--) {
            out[o++] = Character.toUpperCase(Character.forDigit((le[i] >> 4) & 0x0F, 16));
            out[o++] = Character.toUpperCase(Character.forDigit(le[i] & 0x0F, 16));
        }
        return new String(out);
    }

    /** Type H: IEEE 754 single; {@code null} for NaN and infinities. */
    static BigDecimal real32(byte[] le) {
        int bits = (le[0] & 0xFF) | (le[1] & 0xFF) << 8 | (le[2] & 0xFF) << 16 | (le[3] & 0xFF) << 24;
        float f = Float.intBitsToFloat(bits);
        return Float.isFinite(f) ? new BigDecimal((double) f) : null; // the exact binary value
    }

    /** LVAR 00–BF text, sent last character first (EN 13757-3 Annex B). */
    static String text(byte[] sent) {
        byte[] s = new byte[sent.length];
        for (int i = 0; i < sent.length; i++) s[i] = sent[sent.length - 1 - i];
        return new String(s, StandardCharsets.ISO_8859_1);
    }

    /**
     * Type G: day, month, year in 16 bits. A periodic date (EN 13757-3:2018 Annex A: day 0 = every
     * day, month 15 = every month, year 127 = every year) has a {@code null} date and a text such as
     * {@code every year, month 1, day 1}.
     */
    static MbusValue dateG(byte[] b) {
        int day = b[0] & 0x1F, month = b[1] & 0x0F;
        int yy = (b[0] & 0xE0) >> 5 | (b[1] & 0xF0) >> 1;
        String periodic = periodic(yy, month, day);
        if (periodic != null) return new MbusValue.Date(null, periodic);
        int year = year(yy);
        String text = new String(date(new char[10], year, month, day));
        try {
            return new MbusValue.Date(LocalDate.of(year, month, day), text);
        } catch (DateTimeException e) {
            return new MbusValue.Date(null, text);
        }
    }

    /** Type F: minute (bit 7 = invalid), hour (bit 7 = summer time), day, month, year; periodic as type G. */
    static MbusValue dateTimeF(byte[] b) {
        boolean invalid = (b[0] & 0x80) != 0;
        int minute = b[0] & 0x3F, hour = b[1] & 0x1F, day = b[2] & 0x1F, month = b[3] & 0x0F;
        int yy = (b[2] & 0xE0) >> 5 | (b[3] & 0xF0) >> 1;
        String periodic = periodic(yy, month, day);
        if (periodic != null && !invalid) {
            return new MbusValue.DateTime(null, (b[1] & 0x80) != 0, periodic + String.format(", %02d:%02d", hour, minute));
        }
        int year = year(yy);
        return dateTime(year, month, day, hour, minute, 0, invalid, (b[1] & 0x80) != 0);
    }

    /** Type I: second, minute, hour, day, month, year (+ weekday, week). */
    static MbusValue dateTimeI(byte[] b) {
        int second = b[0] & 0x3F, minute = b[1] & 0x3F, hour = b[2] & 0x1F, day = b[3] & 0x1F, month = b[4] & 0x0F;
        boolean invalid = (b[1] & 0x80) != 0;
        int year = year((b[3] & 0xE0) >> 5 | (b[4] & 0xF0) >> 1);
        return dateTime(year, month, day, hour, minute, second, invalid, (b[2] & 0x40) != 0);
    }

    /** Type J: second, minute, hour. */
    static MbusValue timeJ(byte[] b) {
        int second = b[0] & 0x3F, minute = b[1] & 0x3F, hour = b[2] & 0x1F;
        char[] t = new char[8];
        time(t, 0, hour, minute, second);
        String text = new String(t);
        try {
            return new MbusValue.Time(LocalTime.of(hour, minute, second), text);
        } catch (DateTimeException e) {
            return new MbusValue.Time(null, text);
        }
    }

    private static MbusValue dateTime(int y, int mo, int d, int h, int mi, int s, boolean invalid, boolean summer) {
        char[] t = date(new char[19], y, mo, d);
        t[10] = 'T';
        time(t, 11, h, mi, s);
        String text = new String(t);
        if (invalid) return new MbusValue.DateTime(null, summer, text);
        try {
            return new MbusValue.DateTime(LocalDateTime.of(y, mo, d, h, mi, s), summer, text);
        } catch (DateTimeException e) {
            return new MbusValue.DateTime(null, summer, text);
        }
    }

    /** EN 13757-3:2018 Annex A periodic dates; {@code null} for an ordinary (or invalid) date. */
    private static String periodic(int yy, int month, int day) {
        if (yy != 127 && month != 15 && day != 0) return null;
        if (month == 0 || month > 12 && month != 15 || yy > 99 && yy != 127) return null; // invalid, not periodic
        return (yy == 127 ? "every year" : "year " + year(yy)) + ", " + (month == 15 ? "every month" : "month " + month)
                + ", " + (day == 0 ? "every day" : "day " + day);
    }

    /*
     * Text of dates and times written by hand, not with String.format (the Formatter was a quarter of
     * the bytes allocated per telegram). Every field fits: years 1981–2080, the others below 64.
     */

    /** {@code yyyy-MM-dd} into {@code t[0..10)}. */
    private static char[] date(char[] t, int y, int mo, int d) {
        t[0] = (char) ('0' + y / 1000);
        t[1] = (char) ('0' + y / 100 % 10);
        two(t, 2, y % 100);
        t[4] = '-';
        two(t, 5, mo);
        t[7] = '-';
        two(t, 8, d);
        return t;
    }

    /** {@code HH:mm:ss} into {@code t[at..at+8)}. */
    private static void time(char[] t, int at, int h, int mi, int s) {
        two(t, at, h);
        t[at + 2] = ':';
        two(t, at + 3, mi);
        t[at + 5] = ':';
        two(t, at + 6, s);
    }

    private static void two(char[] t, int at, int v) {
        t[at] = (char) ('0' + v / 10);
        t[at + 1] = (char) ('0' + v % 10);
    }

    /** Two-digit years: 81–99 are 19xx, the rest 20xx (as meters of the last century sent them). */
    private static int year(int yy) { return yy >= 81 ? 1900 + yy : 2000 + yy; }
}
