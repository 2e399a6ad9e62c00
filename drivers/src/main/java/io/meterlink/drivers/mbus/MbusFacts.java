package io.meterlink.drivers.mbus;

import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.Fact;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The M-Bus shape of a decoded frame as family-neutral {@link Fact}s (wired and wireless share it):
 * the header, one record per data record with its DIF/VIF, and what follows the records. Stateless.
 */
public final class MbusFacts {
    /** ISO-8601 local date-time with seconds (the meter sends local time without offset). */
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private MbusFacts() {}

    /** Header facts; {@code id}/{@code manufacturer} null and negative numbers are left out. */
    public static List<Fact> header(String id, String manufacturer, int version, int medium, int accessNumber, int status) {
        List<Fact> o = new ArrayList<>();
        if (id != null) o.add(new Fact("id", id));
        if (manufacturer != null) o.add(new Fact("manufacturer", manufacturer));
        if (version >= 0) o.add(new Fact("version", version));
        if (medium >= 0) o.add(new Fact("medium", MbusMedium.name(medium)));
        if (accessNumber >= 0) o.add(new Fact("access_no", accessNumber));
        if (status >= 0) {
            o.add(new Fact("status", status));
            o.add(new Fact("status_flags", statusFlags(status)));
        }
        return o;
    }

    /** EN 13757-3 §5.5 Table 6 (with OMS Vol 2): the status byte as names. */
    public static List<String> statusFlags(int status) {
        List<String> out = new ArrayList<>();
        switch (status & 0x03) {
            case 1 -> out.add("application_busy");
            case 2 -> out.add("application_error");
            case 3 -> out.add("abnormal_condition");
            default -> { }
        }
        if ((status & 0x04) != 0) out.add("power_low");
        if ((status & 0x08) != 0) out.add("permanent_error");
        if ((status & 0x10) != 0) out.add("temporary_error");
        for (int bit = 5; bit < 8; bit++) {
            if ((status & 1 << bit) != 0) out.add("manufacturer_" + bit);
        }
        return out;
    }

    public static List<DecodedRecord> records(List<MbusRecord> records) {
        List<DecodedRecord> out = new ArrayList<>(records.size());
        for (MbusRecord r : records) out.add(record(r));
        return out;
    }

    /** What follows the records: more-records flag, manufacturer data, the undecoded rest ({@code undecoded} may be null). */
    public static List<Fact> trailer(boolean more, String manufacturerData, UndecodedTail undecoded) {
        List<Fact> o = new ArrayList<>();
        if (more) o.add(new Fact("more_records_follow", true));
        if (!manufacturerData.isEmpty()) o.add(new Fact("manufacturer_data", manufacturerData));
        if (undecoded != null) {
            o.add(new Fact("undecoded", new Fact.Group(List.of(
                    new Fact("error", undecoded.kind().name().toLowerCase(Locale.ROOT) + ": " + undecoded.reason()),
                    new Fact("hex", undecoded.hex())))));
        }
        return o;
    }

    static DecodedRecord record(MbusRecord r) {
        DecodedRecord.Builder o = new DecodedRecord.Builder();
        VifMeaning m = r.meaning();
        o.put(DecodedRecord.QUANTITY, m.name());
        if (m.kind() == VifMeaning.Kind.PLAIN_TEXT) o.put(DecodedRecord.UNIT, m.description());
        else if (m.unit() != null) o.put(DecodedRecord.UNIT, m.unit().symbol());
        MbusValue v = r.value();
        if (v instanceof MbusValue.Numeric n) o.put(DecodedRecord.VALUE, n.value().stripTrailingZeros());
        else if (v instanceof MbusValue.Date d) o.put(DecodedRecord.VALUE, d.date() != null ? d.date().toString() : d.text());
        else if (v instanceof MbusValue.DateTime dt) o.put(DecodedRecord.VALUE, dt.dateTime() != null ? DATE_TIME.format(dt.dateTime()) : dt.text());
        else if (v instanceof MbusValue.Time t) o.put(DecodedRecord.VALUE, t.time() != null ? TIME.format(t.time()) : t.text());
        else if (v instanceof MbusValue.Text t) o.put(DecodedRecord.VALUE, t.text());
        else if (v instanceof MbusValue.Raw raw) o.put("raw", raw.hex());
        if (v instanceof MbusValue.Date d && d.date() == null) o.put("invalid", true);
        if (v instanceof MbusValue.DateTime dt) {
            if (dt.dateTime() == null) o.put("invalid", true);
            if (dt.summerTime()) o.put("summer_time", true);
        }
        o.put(DecodedRecord.FUNCTION, r.function().wireName());
        o.put(DecodedRecord.STORAGE, r.storage());
        o.put(DecodedRecord.TARIFF, r.tariff());
        o.put(DecodedRecord.SUBUNIT, r.subunit());
        o.put("dif", r.dib());
        o.put("vif", r.vib());
        if (!r.modifiers().isEmpty()) o.put("vife", r.modifiers());
        if (r.error() != null && !"none".equals(r.error())) o.put("record_error", r.error());
        return o.build();
    }
}
