package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers, per meter, the last few (access number, content) pairs seen, so that a telegram heard
 * twice (a repeater, two dongles, a replay) is stored once. The content of a message reassembled
 * from AFL fragments is the whole message ({@link WmbusTelegram#message()}), so its fragments
 * heard again in any order are the same telegram.
 *
 * <p>For a telegram whose message counter a MAC or tag authenticated (security mode 7: the AFL MCR;
 * mode 10: its counter) the last accepted counter is kept per meter, and a counter not above it is
 * refused as a replay: an older message with a valid MAC is not taken again. Kept in memory for the
 * run (bounded as the fingerprints): after a restart of the gateway the first authenticated telegram
 * of each meter sets the floor again; a meter whose counter went backwards (reset) is refused until
 * its counter passes the last accepted one or the gateway restarts. Bounded: {@value #PER_METER} entries per
 * meter, {@value #MAX_METERS} meters (least recently heard forgotten first). Not thread-safe: the
 * driver thread owns it.
 */
final class ReplayGuard {
    static final int PER_METER = 8;
    static final int MAX_METERS = 10_000;

    private final Map<String, long[]> seen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, long[]> e) { return size() > MAX_METERS; }
    };
    private final Map<String, Integer> next = new LinkedHashMap<>();
    private final Map<String, Long> counters = new LinkedHashMap<>(64, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, Long> e) { return size() > MAX_METERS; }
    };

    /**
     * Refuses a telegram seen before; records it otherwise.
     *
     * @param meter the meter id text
     * @param t     the decoded telegram
     * @param frame the frame it came in (for a reassembled message: the fragment that completed it)
     * @throws DecodeException {@code REPLAY} when it was seen before, or its authenticated counter is not
     *                         above the last one accepted from the meter
     */
    void check(String meter, WmbusTelegram t, byte[] frame) throws DecodeException {
        Long last = t.counter() < 0 ? null : counters.get(meter);
        if (last != null && t.counter() <= last) {
            throw new DecodeException(Kind.REPLAY, "message counter " + t.counter() + " not above the last accepted " + last, meter, null);
        }
        if (isReplay(meter, t.accessNumber(), t.message() != null ? t.message() : frame)) {
            throw new DecodeException(Kind.REPLAY, "telegram seen before (access number " + t.accessNumber() + ")", meter, null);
        }
        if (t.counter() >= 0) counters.put(meter, t.counter());
    }

    /**
     * Records the telegram and says whether it was seen before.
     *
     * @param meter        meter id text
     * @param accessNumber access number, -1 when the telegram has none
     * @param content      the frame bytes
     * @return true when the same meter sent the same access number and content before
     */
    boolean isReplay(String meter, int accessNumber, byte[] content) {
        long key = fingerprint(accessNumber, content);
        long[] ring = seen.computeIfAbsent(meter, m -> new long[PER_METER]);
        for (long k : ring) {
            if (k == key) return true;
        }
        int at = next.getOrDefault(meter, 0);
        ring[at] = key;
        next.put(meter, (at + 1) % PER_METER);
        if (next.size() > MAX_METERS) next.keySet().retainAll(seen.keySet());
        return false;
    }

    /** 64-bit FNV-1a over access number and content; never 0 (0 marks an empty slot). */
    private static long fingerprint(int accessNumber, byte[] content) {
        long h = 0xcbf29ce484222325L;
        h = (h ^ (accessNumber & 0x1FF)) * 0x100000001b3L;
        for (byte b : content) h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        return h == 0 ? 1 : h;
    }
}
