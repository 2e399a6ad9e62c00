package io.meterlink.cli;

import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.buffer.StorageStats;

import io.meterlink.core.api.alarm.Alarm;
import java.nio.file.Path;
import io.meterlink.core.api.alarm.Alarm;
import java.time.Duration;
import io.meterlink.core.api.alarm.Alarm;
import java.util.ArrayList;
import io.meterlink.core.api.alarm.Alarm;
import java.util.List;
import io.meterlink.core.api.alarm.Alarm;
import java.util.Locale;
import io.meterlink.core.api.alarm.Alarm;
import java.util.Map;
import io.meterlink.core.api.alarm.Alarm;
import java.util.TreeMap;

/** Renders offline buffer figures as aligned text or as a JSON object. */
final class BufferReport {
    static final ObjectMapper JSON = new ObjectMapper();

    private BufferReport() {
    }

    static List<String> lines(Path path, BufferStats s) {
        List<String> out = new ArrayList<>();
        out.add(row("buffer", path.toString()));
        out.add(row("depth", s.depth() + " readings"));
        out.add(row("bytes", size(s.bytes()) + " of " + size(s.maxBytes())
                + (s.maxBytes() > 0 ? String.format(Locale.ROOT, " (%.1f %%)", 100.0 * s.bytes() / s.maxBytes()) : "")));
        out.add(row("oldest unsent age", s.depth() == 0 ? "-" : age(s.oldestUnsentAgeMs())));
        out.add(row("highest seq", Long.toString(s.highestSeq())));
        out.add(row("evictions", evictions(s.evictions())));
        out.add(row("dead letters", Long.toString(s.deadLetters())));
        out.add(row("alarms", s.alarms().isEmpty() ? "none" : String.join(", ", Alarm.texts(s.alarms()))));
        StorageStats st = s.storage();
        if (st.alarmRaisedAtMs() > 0) {
            out.add(row("storage alarm since", java.time.Instant.ofEpochMilli(st.alarmRaisedAtMs()).toString()));
        }
        if (!st.deadLettersByReason().isEmpty()) {
            out.add(row("dead letter reasons", counts(st.deadLettersByReason())));
        }
        return out;
    }

    static ObjectNode json(Path path, BufferStats s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("path", path.toString());
        o.put("depth", s.depth());
        o.put("bytes", s.bytes());
        o.put("max_bytes", s.maxBytes());
        o.put("oldest_unsent_age_ms", s.oldestUnsentAgeMs());
        o.put("highest_seq", s.highestSeq());
        ObjectNode ev = o.putObject("evictions");
        new TreeMap<>(s.evictions()).forEach(ev::put);
        o.put("dead_letters", s.deadLetters());
        ArrayNode alarms = o.putArray("alarms");
        Alarm.texts(s.alarms()).forEach(alarms::add);
        StorageStats st = s.storage();
        ObjectNode storage = o.putObject("storage");
        if (st.alarmRaisedAtMs() > 0) {
            storage.put("alarm_raised_at", java.time.Instant.ofEpochMilli(st.alarmRaisedAtMs()).toString());
        } else {
            storage.putNull("alarm_raised_at");
        }
        ObjectNode reasons = storage.putObject("dead_letter_reasons");
        new TreeMap<>(st.deadLettersByReason()).forEach(reasons::put);
        return o;
    }

    static String row(String label, String value) {
        return String.format(Locale.ROOT, "%-18s %s", label, value);
    }

    private static String counts(Map<String, Long> byReason) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : new TreeMap<>(byReason).entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(e.getValue());
        }
        return sb.toString();
    }

    private static String evictions(Map<String, Long> byReason) {
        if (byReason.isEmpty()) return "0";
        long total = byReason.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder sb = new StringBuilder().append(total).append(" (");
        String sep = "";
        for (Map.Entry<String, Long> e : new TreeMap<>(byReason).entrySet()) {
            sb.append(sep).append(e.getKey()).append(' ').append(e.getValue());
            sep = ", ";
        }
        return sb.append(')').toString();
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    static String age(long ms) {
        Duration d = Duration.ofMillis(ms);
        if (d.toDays() > 0) return d.toDays() + "d " + d.toHoursPart() + "h";
        if (d.toHours() > 0) return d.toHours() + "h " + d.toMinutesPart() + "m";
        if (d.toMinutes() > 0) return d.toMinutes() + "m " + d.toSecondsPart() + "s";
        return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
