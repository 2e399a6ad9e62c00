package io.meterlink.drivers.iec62056.dlms;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * COSEM date-time (IEC 62056-6-2 §4.1.6.1, 12 bytes): year (2 bytes, 0xFFFF not specified), month,
 * day of month, day of week, hour, minute, second, hundredths, deviation (signed minutes of local time
 * to UTC: −60 for UTC+1, 0x8000 not specified) and clock status. Stateless.
 */
public final class DlmsDateTime {
    private static final int UNSPECIFIED_DEVIATION = 0x8000;

    private DlmsDateTime() {}

    /**
     * ISO-8601: an instant in UTC ({@code …Z}) when the deviation is given, else the local date-time;
     * {@code null} when the bytes are not 12 or date or time are left unspecified or invalid.
     */
    public static String iso(byte[] b) {
        if (b.length != 12) return null;
        int year = (b[0] & 0xFF) << 8 | b[1] & 0xFF;
        int month = b[2] & 0xFF, day = b[3] & 0xFF, hour = b[5] & 0xFF, minute = b[6] & 0xFF, second = b[7] & 0xFF;
        if (year == 0xFFFF || month > 12 || day > 31 || hour > 23 || minute > 59) return null;
        int deviation = (short) ((b[9] & 0xFF) << 8 | b[10] & 0xFF);
        try {
            LocalDateTime t = LocalDateTime.of(year, month, day, hour, minute, second > 59 ? 0 : second);
            if ((deviation & 0xFFFF) == UNSPECIFIED_DEVIATION) return t.toString().length() == 16 ? t + ":00" : t.toString();
            if (deviation < -720 || deviation > 720) return null;
            LocalDateTime utc = t.atOffset(ZoneOffset.ofTotalSeconds(-deviation * 60)).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
            String s = utc.toString();
            return (s.length() == 16 ? s + ":00" : s) + "Z";
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The 12 bytes of {@code utc} with deviation 0 and clock status 0 (the simulator's clock). */
    public static byte[] of(LocalDateTime utc) {
        int y = utc.getYear();
        return new byte[] {(byte) (y >> 8), (byte) y, (byte) utc.getMonthValue(), (byte) utc.getDayOfMonth(), (byte) utc.getDayOfWeek().getValue(),
            (byte) utc.getHour(), (byte) utc.getMinute(), (byte) utc.getSecond(), 0, 0, 0, 0};
    }
}
