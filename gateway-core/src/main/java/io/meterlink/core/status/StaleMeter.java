package io.meterlink.core.status;

import io.meterlink.core.api.MeterId;

import java.util.Objects;

/**
 * One entry of the status' {@code meters_stale}: a meter heard but overdue, or one its driver reported
 * silent (polled meters that stopped answering have an address, not yet an id). Ordered by
 * {@link #text()}, which is what the status message shows.
 */
public sealed interface StaleMeter extends Comparable<StaleMeter> {

    /** As shown in {@code meters_stale}: the meter id, or {@code source/address}. */
    String text();

    @Override
    default int compareTo(StaleMeter other) {
        return text().compareTo(other.text());
    }

    /** A meter heard at least once and not heard for {@code STALE_FACTOR} expected intervals. */
    record Overdue(MeterId meter) implements StaleMeter {
        public Overdue {
            Objects.requireNonNull(meter, "meter");
        }

        @Override public String text() { return meter.toString(); }
    }

    /** A meter the driver of {@code source} reported silent at {@code address} (e.g. {@code primary 5}). */
    record Silent(String source, String address) implements StaleMeter {
        public Silent {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(address, "address");
        }

        @Override public String text() { return source + "/" + address; }
    }
}
