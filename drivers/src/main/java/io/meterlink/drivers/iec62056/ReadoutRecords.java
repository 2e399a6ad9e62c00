package io.meterlink.drivers.iec62056;

import io.meterlink.drivers.obis.LastTextMemo;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;
import io.meterlink.drivers.obis.MeterUnit;
import io.meterlink.drivers.obis.Obis;
import io.meterlink.drivers.obis.ObisRecords;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns data sets into records, for IEC 62056-21 readouts and P1 telegrams alike. The value is the
 * last group with a number and a unit (else the last group); a timestamp group
 * ({@code YYMMDDhhmm[ss][X]}, X = W winter/CET, S summer/CEST, DSMR 5.0.2 §6.4) before or after
 * it is the value's meter time. A unit-less pre-DSMR-4 gas value takes the unit group before it ({@code (m3)}). A
 * profile buffer ({@code (count)(code)…(time)(value)…}, e.g. the power failure log 1-0:99.97.0)
 * gives one record per entry. Values are numbers when they have a unit, a decimal point or their code a
 * quantity; otherwise the text as sent (identifiers and status words keep their leading zeros). Stateless.
 */
public final class ReadoutRecords {


    private ReadoutRecords() {}

    /** The records of one data set (one, or one per entry of a profile buffer); {@code null} obis gives a record by address. */
    public static List<DecodedRecord> records(DataSet d) {
        List<DecodedRecord> out = new ArrayList<>(1);
        records(d, null, List.of(), out);
        return out;
    }

    /**
     * The records of one data set into {@code out}.
     *
     * @param defaultTime meter time of electricity values (OBIS A = 1) that have none of their own (P1: the telegram's time), or {@code null}
     * @param extra       facts appended to every record (P1: the M-Bus channel and its meter)
     */
    public static void records(DataSet d, String defaultTime, List<Fact> extra, List<DecodedRecord> out) {
        Context c = extra.isEmpty() && defaultTime == null ? Context.NONE : context(defaultTime, extra);
        int size = d.size();
        int codes = 0;
        while (size > 1 + codes && d.value(1 + codes).indexOf(':') >= 0 && Obis.parse(d.value(1 + codes)) != null) codes++;
        if (codes > 0 && isNumber(d.value(0))) { // profile buffer: (count)(code…)(entries of 1 + codes groups)
            Obis code = d.obis();
            for (int i = 1 + codes; i < size; i += 1 + codes) {
                int last = Math.min(size - 1, i + codes);
                out.add(one(c, code, d.address(), d, i, last));
            }
            return;
        }
        if (size == 0) {
            out.add(byAddress(c, d.obis(), d.address(), null, "", null, null));
            return;
        }
        out.add(one(c, d.obis(), d.address(), d, 0, size - 1));
    }

    private record Context(String defaultTime, List<Fact> extra) {
        static final Context NONE = new Context(null, List.of());
    }

    /** The last context made: every data set of a telegram (of a P1 channel) has the same (immutable, so shared between threads). */
    private static Context lastContext = Context.NONE;

    private static Context context(String defaultTime, List<Fact> extra) {
        Context c = lastContext;
        if (c.defaultTime() == defaultTime && c.extra() == extra) return c;
        return lastContext = new Context(defaultTime, extra);
    }

    /** A record from groups from..to of {@code d}. */
    private static DecodedRecord one(Context c, Obis code, String address, DataSet d, int from, int to) {
        int value = to;
        for (int i = to; i >= from; i--) {
            if (d.unit(i) != null && isNumber(d.value(i))) {
                value = i;
                break;
            }
        }
        String time = null;
        for (int i = from; i <= to; i++) { // DSMR puts the time before the value, optical readouts after it
            if (i != value && time == null && isStamp(d.value(i))) time = timestamp(d.value(i));
        }
        String only = d.value(value);
        if (time == null && value == from && d.size() == 1 && d.unit(value) == null
                && isStamp(only) && (only.endsWith("S") || only.endsWith("W"))) {
            String t = timestamp(d.value(value)); // a timestamp register such as 0-0:1.0.0
            return byAddress(c, code, address, null, t != null ? t : d.value(value), null, null);
        }
        String unitText = d.unit(value);
        if (unitText == null && value > from) { // (…)(m3)\r\n(00001.001): the unit group before the value
            String prev = d.value(value - 1);
            MeterUnit u = MeterUnit.text(prev);
            if (u != null && u.canonical() != null && !isNumber(prev)) unitText = prev;
        }
        MeterUnit unit = MeterUnit.text(unitText);
        String text = d.value(value);
        boolean numeric = isNumber(text)
                && (unit != null || text.indexOf('.') >= 0 || code != null && ObisRecords.hasQuantity(code, null));
        if (numeric && code != null && code.a() != 255) { // the OBIS record's value, made at once in its shown form
            if (time == null && c.defaultTime() != null && code.a() == 1) time = c.defaultTime();
            return ObisRecords.recordShown(code, shown(text, unit), null, unit, time, c.extra());
        }
        return byAddress(c, code, address, numeric ? decimal(text) : null, numeric ? null : text, unit, time);
    }

    /** {@code ObisRecords.shown(decimal(s), unit)}, without the intermediate {@code BigDecimal}s. */
    static BigDecimal shown(String s, MeterUnit unit) {
        if (s.length() > 18) return ObisRecords.shown(new BigDecimal(s), unit);
        return ObisRecords.shown(unscaled(s), scale(s), unit);
    }

    /**
     * {@code new BigDecimal(s)} for a text {@link #isNumber} accepted, the same unscaled value and scale,
     * read without the copy and the general parser when it has up to 18 digits (every meter value does).
     */
    static BigDecimal decimal(String s) {
        if (s.length() > 18) return new BigDecimal(s); // up to 18 digits fit a long
        return BigDecimal.valueOf(unscaled(s), scale(s));
    }

    /** The digits of a number {@link #isNumber} accepted, of up to 18 characters, as one signed integer. */
    private static long unscaled(String s) {
        int n = s.length();
        long unscaled = 0;
        for (int i = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch != '.') unscaled = unscaled * 10 + (ch - '0');
        }
        return s.charAt(0) == '-' ? -unscaled : unscaled;
    }

    /** How many digits follow the point. */
    private static int scale(String s) {
        int point = s.indexOf('.');
        return point < 0 ? 0 : s.length() - point - 1;
    }

    private static DecodedRecord byAddress(Context c, Obis code, String address, BigDecimal value, String text, MeterUnit unit, String time) {
        if (time == null && value != null && c.defaultTime() != null && code != null && code.a() == 1) time = c.defaultTime();
        if (code != null && code.a() != 255) return ObisRecords.record(code, value, text, unit, time, c.extra());
        if (code != null) { // a short EDIS code (1.8.1, F.F): also as written, since A, B and F are our filling
            List<Fact> more = new ArrayList<>(c.extra().size() + 1);
            more.add(new Fact("address", address.strip()));
            more.addAll(c.extra());
            return ObisRecords.record(code, value, text, unit, time, more);
        }
        List<Fact> facts = new ArrayList<>(5 + c.extra().size());
        facts.add(new Fact("address", address));
        if (unit != null) facts.add(new Fact(DecodedRecord.UNIT, unit.symbol()));
        facts.add(new Fact(DecodedRecord.VALUE, value != null ? (unit == null ? value : unit.apply(value)) : text));
        if (time != null) facts.add(new Fact(DecodedRecord.METER_TIME, time));
        facts.addAll(c.extra());
        return new DecodedRecord(facts);
    }

    /** {@code [-+]digits[.digits]} (checked by hand: this runs for every value of every telegram). */
    static boolean isNumber(String s) {
        int i = s.startsWith("-") || s.startsWith("+") ? 1 : 0;
        int digits = 0;
        boolean point = false;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') digits++;
            else if (c == '.' && !point && digits > 0) point = true;
            else return false;
        }
        return digits > 0;
    }

    /** {@code YYMMDDhhmm}, {@code YYMMDDhhmmss}, each with an optional S or W. */
    static boolean isStamp(String s) {
        int n = s.length();
        int digits = n > 0 && (s.charAt(n - 1) == 'S' || s.charAt(n - 1) == 'W') ? n - 1 : n;
        if (digits != 10 && digits != 12) return false;
        for (int i = 0; i < digits; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /**
     * {@code YYMMDDhhmm[ss]} with optional W/S: an instant in UTC when the season flag is there (W = UTC+1,
     * S = UTC+2), else the local date-time; {@code null} when it is no valid time.
     */
    public static String timestamp(String s) {
        return STAMPS.apply(s);
    }

    private static final LastTextMemo STAMPS = new LastTextMemo(ReadoutRecords::parseStamp);

    private static String parseStamp(String s) {
        if (!isStamp(s)) return null;
        try {
            boolean seconds = s.length() >= 12 && Character.isDigit(s.charAt(11));
            LocalDateTime t = LocalDateTime.of(2000 + Integer.parseInt(s.substring(0, 2)), Integer.parseInt(s.substring(2, 4)),
                    Integer.parseInt(s.substring(4, 6)), Integer.parseInt(s.substring(6, 8)), Integer.parseInt(s.substring(8, 10)),
                    seconds ? Integer.parseInt(s.substring(10, 12)) : 0);
            char flag = s.charAt(s.length() - 1);
            if (Character.isDigit(flag)) return iso(t, "");
            return iso(LocalDateTime.ofEpochSecond(t.toEpochSecond(ZoneOffset.ofHours(flag == 'S' ? 2 : 1)), 0, ZoneOffset.UTC), "Z");
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /** {@code uuuu-MM-ddTHH:mm:ss} and {@code suffix}, as ISO-8601 writes it (years 2000–2099 here), without a formatter: this runs for every stamp of every telegram. */
    private static String iso(LocalDateTime t, String suffix) {
        char[] c = new char[19];
        int y = t.getYear();
        c[0] = (char) ('0' + y / 1000);
        c[1] = (char) ('0' + y / 100 % 10);
        two(c, 2, y % 100);
        c[4] = '-';
        two(c, 5, t.getMonthValue());
        c[7] = '-';
        two(c, 8, t.getDayOfMonth());
        c[10] = 'T';
        two(c, 11, t.getHour());
        c[13] = ':';
        two(c, 14, t.getMinute());
        c[16] = ':';
        two(c, 17, t.getSecond());
        return new String(c).concat(suffix);
    }

    private static void two(char[] c, int at, int v) {
        c[at] = (char) ('0' + v / 10);
        c[at + 1] = (char) ('0' + v % 10);
    }
}
