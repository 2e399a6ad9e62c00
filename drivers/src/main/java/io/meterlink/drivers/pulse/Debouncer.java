package io.meterlink.drivers.pulse;

/**
 * Turns the raw edges of one pulse input into counted pulses. A level is taken only after it has
 * held for the debounce time without another edge; a pulse is counted when the taken level becomes
 * active. Contact bounce (edges closer together than the debounce time) is therefore never counted,
 * and neither is a spike shorter than the debounce time. An S0 output (EN 62053-31) holds its pulse
 * for at least 30 ms and pauses at least 30 ms between pulses, so a debounce just under 30 ms counts
 * every S0 pulse while riding out bounce of a few milliseconds. Pure and deterministic: times are
 * caller-supplied nanoseconds. Not thread-safe (one driver thread).
 */
final class Debouncer {
    private final long debounceNs;
    private boolean taken;          // the debounced level: true = active
    private boolean raw;            // the level of the last edge
    private long rawSince;          // when the last edge happened
    private long rawTag;            // the tag of the last edge (a simulator pulse number, else 0)
    private long activeSince = Long.MIN_VALUE;
    private long acceptedTag;
    private long edges;
    private long changes;
    private long takes;

    /** @param initiallyActive the input's level when it was opened */
    Debouncer(long debounceNs, boolean initiallyActive, long now) {
        if (debounceNs < 0) throw new IllegalArgumentException("debounce must be >= 0");
        this.debounceNs = debounceNs;
        this.taken = initiallyActive;
        this.raw = initiallyActive;
        this.rawSince = now;
        if (initiallyActive) activeSince = now;
    }

    /**
     * An edge to {@code active} at {@code now}. Returns whether a pulse was counted before it (the
     * previous level had held long enough and was active).
     */
    boolean edge(boolean active, long now, long tag) {
        boolean counted = settle(now);
        edges++;
        if (active == raw) return counted; // a repeated level (a provider reporting twice): nothing changes
        changes++;
        raw = active;
        rawSince = now;
        rawTag = tag;
        return counted;
    }

    /** Takes the raw level if it has held for the debounce time by {@code now}; returns whether that counted a pulse. */
    boolean settle(long now) {
        if (raw == taken || now - rawSince < debounceNs) return false;
        taken = raw;
        takes++;
        if (!taken) return false;
        activeSince = rawSince;
        acceptedTag = rawTag;
        return true;
    }

    /** When {@link #settle} may next take a level, or {@link Long#MAX_VALUE} when the level is settled. */
    long deadline() {
        return raw == taken ? Long.MAX_VALUE : rawSince + debounceNs;
    }

    /** Whether the taken level is active and has been since at least {@code longestNs} before {@code now}. */
    boolean activeLongerThan(long longestNs, long now) {
        return taken && raw && now - activeSince >= longestNs;
    }

    boolean active() { return taken; }

    /** The tag of the edge that began the last counted pulse. */
    long acceptedTag() { return acceptedTag; }

    /** Edges seen. */
    long edges() { return edges; }

    /** Level changes that were never taken (bounce, spikes): every change but the ones a level held after. */
    long rejected() { return changes - takes - (raw != taken ? 1 : 0); }
}
