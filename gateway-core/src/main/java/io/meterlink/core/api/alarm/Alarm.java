package io.meterlink.core.api.alarm;

import java.util.Objects;

/**
 * One active alarm: a kind and an optional detail (a path, a source name). A new alarm is one more
 * {@link Kind} (and its sentence in docs/payloads.md beside the status example). Published in status as
 * its {@link #text()}, {@code kind} or {@code kind:detail}, e.g. {@code storage_full} or
 * {@code database_quarantined:/var/lib/meterlink/buffer.db.corrupt-20261126T080000Z}.
 *
 * @param kind   what is wrong
 * @param detail what it concerns, or {@code null}
 */
public record Alarm(Kind kind, String detail) {

    /** The kinds of alarm the gateway raises itself; {@link #code()} is what status shows. */
    public enum Kind {
        /** The buffer failed its integrity check at open and was renamed; detail: the renamed file. */
        DATABASE_QUARANTINED("database_quarantined"),
        /** The sequence sidecar could not be read; detail: its path. */
        SEQ_SIDECAR_UNREADABLE("seq_sidecar_unreadable"),
        /** A buffer transaction failed for a reason other than storage (detail: the error). */
        WRITE_FAILED("write_failed"),
        /** SQLITE_FULL: the file system holding the buffer is full. */
        STORAGE_FULL("storage_full"),
        /** SQLITE_READONLY: the file system (or file) became read-only, e.g. an SD card remounted read-only. */
        STORAGE_READONLY("storage_readonly"),
        /** SQLITE_IOERR / SQLITE_CANTOPEN: the device returned an I/O error. */
        STORAGE_IO("storage_io"),
        /** SQLITE_CORRUPT / SQLITE_NOTADB while running. */
        STORAGE_CORRUPT("storage_corrupt"),
        /** A source's driver failed to start; detail: the source name. */
        SOURCE_FAILED("source_failed"),
        /** Readings the gateway accepted could not be handed to the buffer; detail: how many so far. */
        BUFFER_WRITE_FAILED("buffer_write_failed"),
        /** The local metrics endpoint ({@code metrics.listen}) could not bind. */
        METRICS_UNAVAILABLE("metrics_unavailable"),
        /** The gateway's client certificate has expired. */
        CERTIFICATE_EXPIRED("certificate_expired"),
        /** The configured client certificate file does not exist. */
        CERTIFICATE_MISSING("certificate_missing"),
        /** The broker refused our certificate or login at the last connection attempt. */
        CERTIFICATE_REFUSED("certificate_refused"),
        /** Renewing the client certificate failed (it is retried). */
        CERTIFICATE_RENEWAL_FAILED("certificate_renewal_failed"),
        /** The private key file can be read by users other than its owner. */
        KEY_FILE_EXPOSED("key_file_exposed"),
        /** A bundle's new broker settings were not accepted within the trial bound and were rolled back. */
        BUNDLE_TRIAL_FAILED("bundle_trial_failed"),
        /** A software update did not confirm its health and the previous release runs again; detail: the version. */
        UPDATE_ROLLED_BACK("update_rolled_back"),
        /** A meter's cumulative register went backwards (a pulse count restored from an older state, a CoAP meter's {@code sum} reset); detail: the meter id. */
        COUNTER_BACKWARDS("counter_backwards"),
        /** A pulse input stayed at its active level far longer than any pulse (a shorted S0 line, a stuck reed contact); detail: {@code source/pin}. */
        INPUT_STUCK("input_stuck");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        /** The kind whose code is {@code code}, or {@code null}. */
        public static Kind ofCode(String code) {
            for (Kind k : values()) {
                if (k.code.equals(code)) {
                    return k;
                }
            }
            return null;
        }
    }

    public Alarm {
        Objects.requireNonNull(kind, "kind");
    }

    public static Alarm of(Kind kind) {
        return new Alarm(kind, null);
    }

    /** {@code kind} or {@code kind:detail}, as published in status. */
    public String text() {
        return detail == null ? kind.code() : kind.code() + ":" + detail;
    }

    /** The alarm whose {@link #text()} is {@code text}, or {@code null} when the kind is not one of ours. */
    public static Alarm parse(String text) {
        int colon = text.indexOf(':');
        Kind k = Kind.ofCode(colon < 0 ? text : text.substring(0, colon));
        if (k == null) {
            return null;
        }
        return new Alarm(k, colon < 0 ? null : text.substring(colon + 1));
    }

    /** The {@link #text()} of each, in order; {@code null} gives {@code null}. */
    public static java.util.List<String> texts(java.util.List<Alarm> alarms) {
        return alarms == null ? null : alarms.stream().map(Alarm::text).toList();
    }

    @Override
    public String toString() {
        return text();
    }
}
