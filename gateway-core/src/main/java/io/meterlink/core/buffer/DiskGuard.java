package io.meterlink.core.buffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Says whether the database's file system is below the configured free share. Asks the file
 * system at most once per {@code intervalNanos}. Used by the writer thread only.
 */
final class DiskGuard {

    /** Free share of the file system in percent (0..100), or a negative value when unknown. */
    @FunctionalInterface
    interface FreeDiskProbe {
        double freePercent();
    }

    private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);

    private final FreeDiskProbe probe;
    private final int minFreePercent;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long lastCheck;
    private boolean checked;
    private boolean low;

    DiskGuard(FreeDiskProbe probe, int minFreePercent, long intervalNanos, LongSupplier nanoTime) {
        this.probe = probe;
        this.minFreePercent = minFreePercent;
        this.intervalNanos = intervalNanos;
        this.nanoTime = nanoTime;
    }

    static FreeDiskProbe fileSystemOf(Path db) {
        Path dir = db.toAbsolutePath().getParent();
        return () -> {
            try {
                FileStore store = Files.getFileStore(dir);
                long total = store.getTotalSpace();
                return total <= 0 ? -1 : 100.0 * store.getUsableSpace() / total;
            } catch (IOException e) {
                return -1;
            }
        };
    }

    boolean isLow() {
        if (minFreePercent <= 0) {
            return false;
        }
        long now = nanoTime.getAsLong();
        if (!checked || now - lastCheck >= intervalNanos) {
            checked = true;
            lastCheck = now;
            double free = probe.freePercent();
            boolean nowLow = free >= 0 && free < minFreePercent;
            if (nowLow != low) {
                if (nowLow) {
                    LOG.warn("Free disk {}% is below {}%: the buffer stops growing and evicts instead", String.format("%.1f", free), minFreePercent);
                } else {
                    LOG.info("Free disk back to {}%: the buffer may grow again", String.format("%.1f", free));
                }
            }
            low = nowLow;
        }
        return low;
    }
}
