package io.meterlink.drivers.mbus;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Expands a compact profile record (EN 13757-3:2018 Annex F, OMS Vol 2): VIFE 1E "compact profile with
 * register numbers" holds values for the storage numbers after the record's own, forward in time;
 * VIFE 13 "inverse compact profile" holds them backward in time. The LVAR data starts with the
 * spacing control byte (bits 7–6 increment mode, 5–4 spacing unit, 3–0 element coding as in the
 * DIF) and the spacing value, then the elements: absolute values (increment mode 00), or increments
 * (01), decrements (10) or signed differences (11) that are summed from the plain value of the same
 * storage number and VIF sent before the profile (forward in time they add, backward they are taken
 * off; without that value the profile is not expanded). A monthly spacing (unit days, value FE) or a fixed spacing also gives each storage its
 * date when the record's storage number has a date in the same telegram. Elements marked "no value"
 * (signed minimum, invalid BCD) are left out. An expanded profile is replaced by its records (plain
 * storage values); a profile that is not expanded stays as one raw record with its modifier (no reading). Pure and thread-safe.
 */
final class CompactProfile {
    static final String FORWARD = "compact profile with register numbers";
    static final String INVERSE = "inverse compact profile";
    private static final VifMeaning DATE = PrimaryVifTable.lookup(0x6C);

    private CompactProfile() {}

    static boolean isProfile(List<String> modifiers) {
        return modifiers.size() == 1 && (modifiers.get(0).equals(FORWARD) || modifiers.get(0).equals(INVERSE));
    }

    /**
     * Adds the expanded records of {@code p} (a profile record with a raw LVAR value) to {@code out}.
     *
     * @return false when the profile is not expanded (then the caller keeps the raw record)
     */
    static boolean expand(MbusRecord p, List<MbusRecord> out) {
        if (!(p.value() instanceof MbusValue.Raw raw) || p.meaning().kind() != VifMeaning.Kind.NUMERIC) return false;
        byte[] b = raw.bytes();
        if (b.length < 2) return false;
        int scb = b[0] & 0xFF, spacing = b[1] & 0xFF;
        int mode = scb >> 6;
        DataFieldCoding coding = DataFieldCoding.ofDif(scb);
        int len = coding.length();
        if (len <= 0 || coding == DataFieldCoding.REAL32 || (b.length - 2) % len != 0) return false;
        int direction = p.modifiers().get(0).equals(INVERSE) ? -1 : 1;
        BigDecimal previous = mode == 0 ? null : baseValue(p, out);
        if (mode != 0 && previous == null) return false; // increments need the value they start from
        LocalDate base = baseDate(p, out);
        for (int i = 1, at = 2; at < b.length; i++, at += len) {
            byte[] e = new byte[len];
            System.arraycopy(b, at, e, 0, len);
            BigDecimal v = element(coding, e, mode == 1 || mode == 2);
            if (v == null) {
                if (mode != 0) return true; // a gap breaks the chain of increments: stop here
                continue;
            }
            if (mode != 0) {
                // increments add up forward in time; going backward (inverse) they are taken off
                BigDecimal d = v.multiply(p.meaning().factor());
                if (mode == 2) d = d.negate();
                previous = direction > 0 ? previous.add(d) : previous.subtract(d);
                v = null;
            }
            long storage = p.storage() + i;
            LocalDate date = base == null ? null : step(base, scb >> 4 & 0x03, spacing, direction * i);
            if (date != null) {
                out.add(new MbusRecord(p.dib(), p.vib(), p.function(), storage, p.tariff(), p.subunit(), DataFieldCoding.INT16,
                        DATE, List.of(), null, new MbusValue.Date(date, date.toString())));
            }
            out.add(new MbusRecord(p.dib(), p.vib(), p.function(), storage, p.tariff(), p.subunit(), coding,
                    p.meaning(), List.of(), null, new MbusValue.Numeric(v == null ? previous : v.multiply(p.meaning().factor()))));
        }
        return true;
    }

    private static BigDecimal element(DataFieldCoding coding, byte[] le, boolean unsigned) {
        if (coding.isBcd()) return DataValues.bcd(le);
        if (!coding.isInteger()) return null;
        boolean noValue = (le[le.length - 1] & 0xFF) == 0x80;
        for (int i = 0; i < le.length - 1 && noValue; i++) noValue = le[i] == 0;
        if (noValue) return null;
        return unsigned ? DataValues.unsigned(le) : DataValues.signed(le);
    }

    /** The plain value of the profile's own storage number, sub-unit, tariff, function and VIF, sent before it. */
    private static BigDecimal baseValue(MbusRecord p, List<MbusRecord> before) {
        for (int i = before.size() - 1; i >= 0; i--) {
            MbusRecord r = before.get(i);
            if (r.storage() != p.storage() || r.subunit() != p.subunit() || r.tariff() != p.tariff() || r.function() != p.function()) continue;
            if (!r.modifiers().isEmpty() || r.meaning().unit() != p.meaning().unit() || !r.meaning().name().equals(p.meaning().name())) continue;
            if (r.value() instanceof MbusValue.Numeric n) return n.value();
        }
        return null;
    }

    /** The date of the profile's own storage number, sub-unit and tariff, sent before it. */
    private static LocalDate baseDate(MbusRecord p, List<MbusRecord> before) {
        for (int i = before.size() - 1; i >= 0; i--) {
            MbusRecord r = before.get(i);
            if (r.storage() != p.storage() || r.subunit() != p.subunit() || r.tariff() != p.tariff()) continue;
            if (r.value() instanceof MbusValue.Date d && d.date() != null) return d.date();
            if (r.value() instanceof MbusValue.DateTime dt && dt.dateTime() != null) return dt.dateTime().toLocalDate();
        }
        return null;
    }

    /** Spacing unit 00 s, 01 min, 10 h, 11 days; value FE with unit days is one month; FD, FF not expanded into dates. */
    private static LocalDate step(LocalDate base, int unit, int value, int n) {
        if (unit == 3 && value == 0xFE) return base.plusMonths(n);
        if (value > 0xFA) return null;
        long seconds = (long) value * n * switch (unit) {
            case 0 -> 1;
            case 1 -> 60;
            case 2 -> 3600;
            default -> 86400;
        };
        return LocalDateTime.of(base, java.time.LocalTime.MIDNIGHT).plusSeconds(seconds).toLocalDate();
    }
}
