package io.meterlink.core.config;

/**
 * How the buffer stores readings, decided here once from the configuration (docs/payloads.md, "The
 * gateway's side: the stored form"): binary records only when {@code buffer.stored_form: records} asks
 * for them and {@code uplink.payload: compact} sends them without parsing; JSON v1 objects otherwise.
 * Records are never the default: a release before them would send their bytes as JSON after a rollback.
 */
public enum StoredForm {
    /** Each reading as its JSON v1 object. */
    JSON,
    /** Each reading as a binary record ({@code ReadingRecords}). */
    RECORDS;

    /** The form for records asked for ({@code stored_form: records}) or not, under the uplink's {@code payload}. */
    public static StoredForm of(boolean recordsAsked, UplinkConfig.Payload payload) {
        return recordsAsked && payload == UplinkConfig.Payload.COMPACT ? RECORDS : JSON;
    }

    /** The form of a gateway with these {@code buffer:} and {@code uplink:} sections. */
    public static StoredForm of(BufferConfig buffer, UplinkConfig uplink) {
        return of(buffer.recordsStored(), uplink.payload());
    }
}
