package io.meterlink.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.drivers.mbus.MbusMedium;
import io.meterlink.drivers.mbus.MbusRecord;
import io.meterlink.drivers.mbus.MbusValue;
import io.meterlink.drivers.mbus.UndecodedTail;
import io.meterlink.drivers.mbus.VifMeaning;

import java.util.List;

/** The JSON shape of {@code meterlink decode} (one object per input line). Stateless, thread-safe. */
final class FrameJson {
    /** ISO-8601 local date-time with seconds (the meter sends local time without offset). */
    private static final java.time.format.DateTimeFormatter DATE_TIME = java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
    private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");
    private final ObjectMapper mapper;

    FrameJson(ObjectMapper mapper) { this.mapper = mapper; }

    ObjectNode error(String reason, int line) {
        ObjectNode o = mapper.createObjectNode();
        o.put("error", reason);
        o.put("input_line", line);
        return o;
    }

    /** Header fields; {@code id}/{@code manufacturer} null and negative numbers are left out. */
    ObjectNode header(String id, String manufacturer, int version, int medium, int accessNumber, int status) {
        ObjectNode o = mapper.createObjectNode();
        if (id != null) o.put("id", id);
        if (manufacturer != null) o.put("manufacturer", manufacturer);
        if (version >= 0) o.put("version", version);
        if (medium >= 0) o.put("medium", MbusMedium.name(medium));
        if (accessNumber >= 0) o.put("access_no", accessNumber);
        if (status >= 0) {
            o.put("status", status);
            ArrayNode flags = o.putArray("status_flags");
            for (String f : statusFlags(status)) flags.add(f);
        }
        return o;
    }

    /** EN 13757-3 §5.5 Table 6 (with OMS Vol 2): the status byte as names. */
    static List<String> statusFlags(int status) {
        List<String> out = new java.util.ArrayList<>();
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

    /** @param undecoded the end of the telegram after the last good record, or {@code null} */
    void records(ObjectNode o, List<MbusRecord> records, boolean more, String manufacturerData, UndecodedTail undecoded) {
        ArrayNode a = o.putArray("records");
        for (MbusRecord r : records) a.add(record(r));
        if (more) o.put("more_records_follow", true);
        if (!manufacturerData.isEmpty()) o.put("manufacturer_data", manufacturerData);
        if (undecoded != null) {
            ObjectNode u = o.putObject("undecoded");
            u.put("error", undecoded.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + undecoded.reason());
            u.put("hex", undecoded.hex());
        }
    }

    ObjectNode record(MbusRecord r) {
        ObjectNode o = mapper.createObjectNode();
        VifMeaning m = r.meaning();
        o.put("quantity", m.name());
        if (m.kind() == VifMeaning.Kind.PLAIN_TEXT) o.put("unit", m.description());
        else if (m.unit() != null) o.put("unit", m.unit().symbol());
        MbusValue v = r.value();
        if (v instanceof MbusValue.Numeric n) o.put("value", n.value().stripTrailingZeros());
        else if (v instanceof MbusValue.Date d) o.put("value", d.date() != null ? d.date().toString() : d.text());
        else if (v instanceof MbusValue.DateTime dt) o.put("value", dt.dateTime() != null ? DATE_TIME.format(dt.dateTime()) : dt.text());
        else if (v instanceof MbusValue.Time t) o.put("value", t.time() != null ? TIME.format(t.time()) : t.text());
        else if (v instanceof MbusValue.Text t) o.put("value", t.text());
        else if (v instanceof MbusValue.Raw raw) o.put("raw", raw.hex());
        if (v instanceof MbusValue.Date d && d.date() == null) o.put("invalid", true);
        if (v instanceof MbusValue.DateTime dt) {
            if (dt.dateTime() == null) o.put("invalid", true);
            if (dt.summerTime()) o.put("summer_time", true);
        }
        o.put("function", r.function().wireName());
        o.put("storage", r.storage());
        o.put("tariff", r.tariff());
        o.put("subunit", r.subunit());
        o.put("dif", r.dib());
        o.put("vif", r.vib());
        if (!r.modifiers().isEmpty()) {
            ArrayNode mods = o.putArray("vife");
            for (String s : r.modifiers()) mods.add(s);
        }
        if (r.error() != null && !"none".equals(r.error())) o.put("record_error", r.error());
        return o;
    }
}
