package io.meterlink.core.runtime;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.ReadingSink;
import io.meterlink.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ReadingSink} every driver writes to: hands readings to {@link Buffer#append} (which
 * blocks while the pre-commit queue is full: back-pressure reaches the driver). Readings are valid by
 * construction; a {@code null} in the list is a driver bug, dropped and counted. Thread-safe.
 */
public final class BufferSink implements ReadingSink {
    private static final Logger LOG = LoggerFactory.getLogger(BufferSink.class);

    private final Buffer buffer;
    private final AcceptedListener listener;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public BufferSink(Buffer buffer, AcceptedListener listener) {
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override public void accept(List<Reading> readings) throws InterruptedException {
        if (readings == null || readings.isEmpty()) return;
        List<Reading> valid = readings;
        if (hasNull(readings)) {
            valid = new ArrayList<>(readings.size());
            for (Reading r : readings) {
                if (r != null) valid.add(r);
            }
            long n = dropped.addAndGet(readings.size() - valid.size());
            LOG.warn("Dropped {} null reading(s) from a driver ({} so far)", readings.size() - valid.size(), n);
            if (valid.isEmpty()) return;
        }
        int count = valid.size();
        buffer.append(List.copyOf(valid)).whenComplete((seqs, error) -> {
            if (error != null) {
                long n = failed.addAndGet(count);
                LOG.error("Could not store {} reading(s) ({} so far): {}", count, n, error.toString());
            } else {
                try {
                    listener.accepted(seqs);
                } catch (RuntimeException e) {
                    LOG.warn("Accepted-listener failed", e);
                }
            }
        });
    }

    private static boolean hasNull(List<Reading> readings) {
        for (Reading r : readings) {
            if (r == null) return true; // List.contains(null) throws on immutable lists
        }
        return false;
    }

    /** Readings the buffer could not store since start. */
    public long failed() { return failed.get(); }

    /** {@code null} readings dropped since start. */
    public long dropped() { return dropped.get(); }
}
