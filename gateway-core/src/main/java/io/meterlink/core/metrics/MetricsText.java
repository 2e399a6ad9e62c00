package io.meterlink.core.metrics;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders a gateway's figures in the Prometheus text exposition format (version 0.0.4) or in
 * OpenMetrics 1.0 text. The two differ here only in how a counter's family is named in
 * {@code # TYPE} ({@code x_total} vs {@code x}) and in OpenMetrics' closing {@code # EOF}.
 * Not thread-safe: one instance per scrape.
 */
public final class MetricsText {
    static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final boolean openMetrics;
    private final StringBuilder out = new StringBuilder(4096);

    MetricsText(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    /** Per-source figures that the status snapshot sums up. */
    public record Sources(Map<String, Long> readings, Map<String, Long> metersHeard, Map<String, Map<String, Long>> badInput,
                   Map<String, Long> transportErrors, Map<String, Map<String, Long>> withoutReading) {
    }

    String render(StatusSnapshot s, Sources sources) {
        gauge("meterlink_info", "the gateway's id and version", Map.of("gateway", s.gatewayId(), "version", s.version()), 1);
        gauge("meterlink_uptime_seconds", "seconds since the gateway started", Map.of(), s.uptimeS());
        BufferStats b = s.buffer();
        if (b != null) {
            gauge("meterlink_buffer_depth", "readings stored and not yet acknowledged by the broker", Map.of(), b.depth());
            gauge("meterlink_buffer_bytes", "accounted size of the stored readings", Map.of(), b.bytes());
            gauge("meterlink_buffer_max_bytes", "configured bound of the buffer", Map.of(), b.maxBytes());
            gauge("meterlink_buffer_oldest_unsent_age_seconds", "age of the oldest stored reading (0 when empty)", Map.of(),
                    b.oldestUnsentAgeMs() / 1000.0);
            counter("meterlink_readings_accepted", "readings committed to the buffer since start", Map.of(), b.accepted());
            counter("meterlink_readings_delivered", "readings acknowledged by the broker and deleted since start", Map.of(), b.confirmed());
            family("meterlink_readings_evicted", "counter", "readings lost by eviction (buffer bound or low disk), by reason");
            for (var e : new TreeMap<>(b.evictions()).entrySet()) sample("meterlink_readings_evicted_total", Map.of("reason", e.getKey()), e.getValue());
            gauge("meterlink_buffer_dead_letters", "readings the broker can never take, kept aside", Map.of(), b.deadLetters());
        }
        family("meterlink_decode_errors", "counter", "refused frames or lines by source and kind");
        sources.badInput().forEach((source, byKind) -> byKind.forEach(
                (kind, n) -> sample("meterlink_decode_errors_total", Map.of("source", source, "kind", kind), n)));
        family("meterlink_records_without_reading", "counter", "decoded records kept without a reading (identifiers, texts, unknown codes) by source and kind");
        sources.withoutReading().forEach((source, byKind) -> byKind.forEach(
                (kind, n) -> sample("meterlink_records_without_reading_total", Map.of("source", source, "kind", kind), n)));
        family("meterlink_source_readings", "counter", "readings each source handed to the buffer since start");
        sources.readings().forEach((source, n) -> sample("meterlink_source_readings_total", Map.of("source", source), n));
        family("meterlink_source_meters_heard", "gauge", "meters each source has heard since start");
        sources.metersHeard().forEach((source, n) -> sample("meterlink_source_meters_heard", Map.of("source", source), n));
        family("meterlink_source_transport_errors", "counter", "line failures (port, socket, dongle) by source since start");
        sources.transportErrors().forEach((source, n) -> sample("meterlink_source_transport_errors_total", Map.of("source", source), n));
        gauge("meterlink_meters_stale", "meters overdue or reported silent", Map.of(), s.metersStale().size());
        UplinkStats u = s.uplink();
        if (u != null) {
            gauge("meterlink_uplink_connected", "1 while connected to the broker", Map.of(), u.connected() ? 1 : 0);
            counter("meterlink_uplink_reconnects", "reconnections after the first connect", Map.of(), u.reconnects());
            counter("meterlink_uplink_published", "messages published", Map.of(), u.published());
            counter("meterlink_uplink_refused", "publishes the broker refused", Map.of(), u.refused());
            if (u.lastAckEpochMs() > 0) {
                gauge("meterlink_uplink_last_ack_timestamp_seconds", "when the broker last acknowledged a message", Map.of(),
                        u.lastAckEpochMs() / 1000.0);
            }
        }
        if (s.certificateDaysLeft() != null) {
            gauge("meterlink_certificate_days_left", "whole days until the client certificate expires", Map.of(), s.certificateDaysLeft());
        }
        family("meterlink_alarm", "gauge", "active alarms, one series each");
        for (Alarm alarm : s.alarms()) sample("meterlink_alarm", Map.of("alarm", alarm.text()), 1);
        if (openMetrics) out.append("# EOF\n");
        return out.toString();
    }

    private void gauge(String name, String help, Map<String, String> labels, double value) {
        family(name, "gauge", help);
        sample(name, labels, value);
    }

    private void counter(String name, String help, Map<String, String> labels, double value) {
        family(name, "counter", help);
        sample(name + "_total", labels, value);
    }

    private void family(String name, String type, String help) {
        String family = !openMetrics && type.equals("counter") ? name + "_total" : name;
        out.append("# HELP ").append(family).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(family).append(' ').append(type).append('\n');
    }

    private void sample(String name, Map<String, String> labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{');
            String sep = "";
            for (var e : new TreeMap<>(labels).entrySet()) {
                out.append(sep).append(e.getKey()).append("=\"").append(escape(e.getValue())).append('"');
                sep = ",";
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** Label values: backslash, double quote and line feed escaped (both formats). */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
