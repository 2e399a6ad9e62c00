package io.meterlink.core.uplink;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.status.UplinkStats;
import io.meterlink.core.status.CommandStats;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.status.StaleMeter;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.WireReading;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Payload format v1 (documented in {@code docs/payloads.md}): one JSON object per reading (encoded
 * once at ingest and stored), batch envelopes that concatenate stored bodies without parsing them
 * (a reading stored as a record under {@code payload: compact} is rendered to the same object),
 * and status messages.
 *
 * <p>Thread-safe (stateless apart from the immutable gateway id).
 */
public final class JsonPayloads implements ReadingEncoder, PayloadFormat {

    /** Version carried by every message as {@code "v"}. */
    public static final int VERSION = JsonV1.VERSION;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN) // exact decimal, never 1E+3
            .build();

    private final String gatewayId;
    private final byte[] batchHead;

    public JsonPayloads(String gatewayId) {
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.batchHead = JsonV1.batchHead(gatewayId);
    }

    public String gatewayId() { return gatewayId; }

    /**
     * The JSON v1 object stored for {@code r}; for a value no v1 reader takes ({@link JsonV1#carries}:
     * a plain number over 400 characters, which would make a head-end refuse its whole batch, or one
     * JSON cannot write plainly at all) its record instead, which the drain dead-letters as
     * {@code unreadable_record}: counted and kept, never thrown at the driver with its other readings.
     */
    @Override
    public byte[] encode(long seq, Reading r) {
        WireReading w = wire(seq, r);
        return JsonV1.carries(w.value()) ? JsonV1.reading(gatewayId, w) : ReadingRecords.encode(w);
    }

    /** The reading as the payload library sees it. */
    static WireReading wire(long seq, Reading r) {
        return new WireReading(seq, r.meter().toString(), r.quantity().wireName(), r.unit().symbol(), r.value(),
                r.function().wireName(), r.storage(), r.tariff(), r.subunit(), r.meterTime(), r.receivedAt(), r.status(), r.rssiDbm());
    }

    /** Bytes a batch adds around its reading bodies (envelope and commas), for a batch of {@code n} readings. */
    @Override
    public int batchOverhead(int n) {
        // head + batch id "<first>-<last>" (2 x 20 digits + quotes + dash) + sent time (~30) + keys and brackets
        return batchHead.length + 44 + 48 + 16 + Math.max(0, n - 1);
    }

    /**
     * A readings batch: {@code {"v":1,"type":"readings","gw":…,"batch":"<first>-<last>","sent":…,"readings":[…]}}
     * whose array is the stored bodies concatenated as they are.
     */
    @Override
    public Encoded encode(List<StoredReading> readings, Instant sent) {
        return new Encoded(batch(readings, sent), JsonV1.CONTENT_TYPE);
    }

    /** Stored records ({@link ReadingRecords}) rendered to the JSON v1 objects they stand for; JSON bodies as they are. */
    @Override
    public List<StoredReading> prepare(List<StoredReading> read, int maxBytes) {
        List<StoredReading> out = null;
        long total = 0;
        for (int i = 0; i < read.size(); i++) {
            StoredReading r = read.get(i);
            if (ReadingRecords.isRecord(r.body())) {
                if (out == null) out = new java.util.ArrayList<>(read.subList(0, i));
                r = new StoredReading(r.seq(), r.acceptedAt(), r.priority(), jsonBody(r));
            }
            if (out != null) out.add(r);
            total += r.body().length;
            if (total + batchOverhead(i + 1) > maxBytes) {
                // nothing after this one fits the batch: render no more
                return out == null ? read.subList(0, i + 1) : out;
            }
        }
        return out == null ? read : out;
    }

    /** The JSON v1 object of a stored reading: its body, or the object rebuilt from its record. */
    byte[] jsonBody(StoredReading r) {
        byte[] body = r.body();
        if (!ReadingRecords.isRecord(body)) return body;
        var reading = ReadingRecords.read(r);
        try {
            return JsonV1.reading(gatewayId, reading);
        } catch (RuntimeException e) { // e.g. a scale JSON cannot write plainly: dead-lettered, never a stalled drain
            throw new PayloadFormat.UnreadableReading(r.seq(), "record of seq " + r.seq() + " cannot be written as JSON v1: " + e.getMessage(), e);
        }
    }

    /** As {@link #encode}, the bytes only. */
    public byte[] batch(List<StoredReading> readings, Instant sent) {
        if (readings.isEmpty()) throw new IllegalArgumentException("empty batch");
        int size = batchHead.length + 128 + readings.size();
        for (StoredReading r : readings) size += r.body().length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.writeBytes(batchHead);
        out.writeBytes(JsonV1.batchMiddle(readings.get(0).seq(), readings.get(readings.size() - 1).seq(), sent));
        for (int i = 0; i < readings.size(); i++) {
            if (i > 0) out.write(',');
            out.writeBytes(jsonBody(readings.get(i)));
        }
        out.write(']');
        out.write('}');
        return out.toByteArray();
    }

    /** The status message: every {@link StatusSnapshot} field plus {@code "state"} ({@code online}/{@code offline}). */
    public byte[] status(StatusSnapshot s, String state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("type", "status");
            g.writeStringField("gw", gatewayId);
            g.writeStringField("state", state);
            g.writeStringField("version", s.version());
            g.writeStringField("time", Instant.ofEpochMilli(s.timeEpochMs()).toString());
            g.writeNumberField("uptime_s", s.uptimeS());
            BufferStats b = s.buffer();
            if (b != null) {
                g.writeObjectFieldStart("buffer");
                g.writeNumberField("depth", b.depth());
                g.writeNumberField("bytes", b.bytes());
                g.writeNumberField("max_bytes", b.maxBytes());
                g.writeNumberField("oldest_unsent_age_ms", b.oldestUnsentAgeMs());
                g.writeNumberField("highest_seq", b.highestSeq());
                g.writeNumberField("accepted", b.accepted());
                g.writeNumberField("confirmed", b.confirmed());
                writeCounts(g, "evictions", b.evictions());
                g.writeNumberField("dead_letters", b.deadLetters());
                writeStrings(g, "alarms", Alarm.texts(b.alarms()));
                writeStorage(g, b.storage());
                g.writeEndObject();
            }
            UplinkStats u = s.uplink();
            if (u != null) {
                g.writeObjectFieldStart("uplink");
                // the final "offline" message is sent over a live session, but describes the gateway going away
                g.writeBooleanField("connected", u.connected() && !"offline".equals(state));
                g.writeNumberField("reconnects", u.reconnects());
                g.writeNumberField("published", u.published());
                if (u.lastAckEpochMs() > 0) {
                    g.writeStringField("last_ack", Instant.ofEpochMilli(u.lastAckEpochMs()).toString());
                } else {
                    g.writeNullField("last_ack");
                }
                g.writeNumberField("refused", u.refused());
                g.writeStringField("last_error", u.lastError());
                CommandStats c = u.commands() == null ? CommandStats.NONE : u.commands();
                g.writeObjectFieldStart("commands");
                g.writeNumberField("received", c.received());
                g.writeNumberField("too_large", c.tooLarge());
                g.writeNumberField("busy", c.busy());
                g.writeNumberField("failed", c.failed());
                g.writeNumberField("replies_dropped", c.repliesDropped());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeNumberField("meters_heard", s.metersHeard());
            writeStrings(g, "meters_stale", s.metersStale().stream().map(StaleMeter::text).toList());
            writeCounts(g, "bad_input", s.badInput().byName());
            writeStrings(g, "alarms", Alarm.texts(s.alarms()));
            if (s.certificateDaysLeft() != null) g.writeNumberField("certificate_days_left", s.certificateDaysLeft());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code "storage": {"faults": {...}, "recoveries": N, "alarm_raised_at": …|null, "alarm_cleared_at": …|null, "dead_letter_reasons": {...}}}. */
    private static void writeStorage(JsonGenerator g, io.meterlink.core.buffer.StorageStats st) throws IOException {
        if (st == null) return;
        g.writeObjectFieldStart("storage");
        writeCounts(g, "faults", st.faults());
        g.writeNumberField("recoveries", st.recoveries());
        writeTime(g, "alarm_raised_at", st.alarmRaisedAtMs());
        writeTime(g, "alarm_cleared_at", st.lastClearedAtMs());
        writeCounts(g, "dead_letter_reasons", st.deadLettersByReason());
        g.writeEndObject();
    }

    private static void writeTime(JsonGenerator g, String name, long epochMs) throws IOException {
        if (epochMs > 0) {
            g.writeStringField(name, Instant.ofEpochMilli(epochMs).toString());
        } else {
            g.writeNullField(name);
        }
    }

    /** The last will: {@code {"v":1,"type":"status","gw":…,"state":"offline"}} (retained). */
    public byte[] lastWill() {
        return ("{\"v\":" + VERSION + ",\"type\":\"status\",\"gw\":" + JsonV1.quote(gatewayId) + ",\"state\":\"offline\",\"reason\":\"connection_lost\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void writeCounts(JsonGenerator g, String name, Map<String, Long> counts) throws IOException {
        g.writeObjectFieldStart(name);
        if (counts != null) {
            for (var e : new java.util.TreeMap<>(counts).entrySet()) g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        if (values != null) {
            for (String v : values) g.writeString(v);
        }
        g.writeEndArray();
    }
}
