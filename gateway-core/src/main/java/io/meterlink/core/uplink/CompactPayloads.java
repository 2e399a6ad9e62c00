package io.meterlink.core.uplink;

import io.meterlink.core.buffer.StoredReading;
import io.meterlink.payload.CompactV1;
import io.meterlink.payload.JsonV1;
import io.meterlink.payload.PayloadException;
import io.meterlink.payload.ReadingsBatch;
import io.meterlink.payload.WireReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Compact v1 batches ({@code uplink.payload: compact}; docs/payloads.md, "Compact payload"): the stored
 * readings are written as one CBOR message with per-batch dictionaries, DEFLATEd when that is smaller.
 * Readings stored under this format are records ({@link ReadingRecords}) read without parsing; JSON v1
 * bodies (stored before an upgrade, or under {@code payload: json}) are parsed back. A compact batch is
 * never larger than its stored bodies plus {@link #batchOverhead}, so the drain cuts batches by the
 * same bound as for JSON. A batch holding a JSON body that cannot be read back (never written by this
 * gateway) goes out in JSON v1 instead: the readings are never held back by the format.
 *
 * <p>Not thread-safe: the uplink thread only.
 */
final class CompactPayloads implements PayloadFormat {
    private static final Logger LOG = LoggerFactory.getLogger(CompactPayloads.class);

    private final JsonPayloads json;
    private long jsonFallbacks;

    CompactPayloads(JsonPayloads json) {
        this.json = json;
    }

    /**
     * Bytes a compact batch may add per reading beyond a stored record: its row's array head, seq
     * delta and dictionary indexes, and the CBOR heads of the strings and integers the record holds
     * more tightly.
     */
    static final int RECORD_SLACK = 32;

    @Override
    public int batchOverhead(int n) {
        return json.batchOverhead(n) + RECORD_SLACK * n;
    }

    @Override
    public Encoded encode(List<StoredReading> readings, Instant sent) {
        List<WireReading> wire = new ArrayList<>(readings.size());
        for (StoredReading r : readings) {
            if (ReadingRecords.isRecord(r.body())) {
                wire.add(ReadingRecords.read(r));
                continue;
            }
            WireReading parsed;
            try {
                parsed = JsonV1.parseReading(r.body(), false).reading(); // our own objects, checksummed in the buffer
            } catch (PayloadException e) {
                if (jsonFallbacks++ == 0) {
                    LOG.warn("stored reading {} cannot be read back for the compact payload ({}); its batch goes out as JSON v1",
                            r.seq(), e.getMessage());
                }
                return json.encode(readings, sent);
            }
            try {
                wire.add(ReadingRecords.carried(parsed)); // e.g. 1e999999999: a short text, but no plain number
            } catch (IllegalArgumentException e) {
                throw new UnreadableReading(r.seq(), "stored reading " + r.seq() + " cannot be sent: " + e.getMessage(), e);
            }
        }
        return new Encoded(CompactV1.encode(new ReadingsBatch(json.gatewayId(), sent, wire), CompactV1.Compression.DEFLATE),
                CompactV1.CONTENT_TYPE);
    }

    /** Batches sent as JSON v1 because a stored body could not be read back. */
    long jsonFallbacks() { return jsonFallbacks; }
}
