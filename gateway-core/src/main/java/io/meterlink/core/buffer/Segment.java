package io.meterlink.core.buffer;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One row of the {@code segments} table: up to {@value #MAX_ENTRIES} stored readings packed in seq
 * order into one blob, so a transaction of a thousand readings touches a handful of b-tree cells
 * instead of a thousand rows and their index entries.
 *
 * <p>The row's key is the seq of its first entry and {@code last} the seq of its last; the spans of
 * two segments never overlap (appends only add seqs above every stored one, and an import of a lower
 * seq goes into the segment whose span holds it). When entries leave (confirmed, dead-lettered,
 * evicted) the segment is written again without them, or deleted when none is left, so a row holds
 * exactly the readings still stored and its first entry is the lowest of them.
 *
 * <p>An entry is {@code varint(seq - previous seq)} (the first: 0, its seq is the key),
 * {@code priority} (one byte), {@code varint(body length)}, the CRC-32C of seq and body
 * ({@link Checksums}, 4 bytes big-endian) and the body. The checksum is per reading, so a flipped
 * bit costs that reading alone; a segment whose framing does not parse is {@link Malformed} as a
 * whole.
 */
final class Segment {

    /** Entries per segment at most. */
    static final int MAX_ENTRIES = 128;
    /** A segment is closed once its entries' bodies pass this many bytes (one body may be larger). */
    static final int MAX_BODY_BYTES = 32 * 1024;
    private static final int MAX_VARINT_BYTES = 10;
    private static final int PRIORITIES = io.meterlink.core.api.Priority.values().length;

    /**
     * {@code priority} when it is one ({@link io.meterlink.core.api.Priority#ordinal()}), else NORMAL:
     * for readings from outside the writer (a schema 2 row, a salvaged reading), whose priority no
     * checksum covered; a damaged one must not make the whole segment unreadable.
     */
    static int storable(int priority) {
        return priority >= 0 && priority < PRIORITIES ? priority : io.meterlink.core.api.Priority.NORMAL.ordinal();
    }

    /** The statement {@link Builder#writeTo} runs. */
    static final String INSERT_SQL = "INSERT INTO segments(seq, last, low, accepted_at, count, size, entries) VALUES (?, ?, ?, ?, ?, ?, ?)";

    /** The readings a damaged segment counts as: its {@code count} column when that can be one, else 1. */
    static long countedReadings(long countColumn) {
        return countColumn >= 1 && countColumn <= MAX_ENTRIES ? countColumn : 1;
    }

    /** A stored reading inside a segment, with the checksum it was stored with. */
    record Entry(long seq, int priority, byte[] body, int crc) {

        /** Accounted bytes against {@code max_bytes}. */
        long accounted() {
            return (long) body.length + Schema.ROW_OVERHEAD_BYTES;
        }

        boolean intact() {
            return crc == (int) Checksums.of(seq, body);
        }
    }

    /** The blob does not parse as entries: damaged framing, or not a segment at all. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private Segment() {
    }

    /**
     * Decodes every entry of the segment keyed {@code key}.
     *
     * @throws Malformed when a length or seq step runs past the blob, a priority is out of range, the
     *                   seqs do not rise from {@code key}, or the blob ends inside an entry
     */
    static List<Entry> decode(long key, byte[] blob) throws Malformed {
        return decode(key, blob, Long.MIN_VALUE);
    }

    /** What a segment's framing says: its readings, its last seq and their accounted bytes. */
    record Summary(int count, long last, long accounted) {
    }

    /** Walks the framing alone (no body copied, no checksum computed): what a delete of the whole segment must know. */
    static Summary summary(long key, byte[] blob) throws Malformed {
        int[] count = {0};
        long[] last = {key};
        long[] accounted = {0};
        walk(key, blob, (seq, priority, at, len, crc) -> {
            count[0]++;
            last[0] = seq;
            accounted[0] += (long) len + Schema.ROW_OVERHEAD_BYTES;
        });
        return new Summary(count[0], last[0], accounted[0]);
    }

    /** One entry as the framing has it: the body is {@code blob[at, at + len)}. */
    @FunctionalInterface
    private interface EntryVisitor {
        void visit(long seq, int priority, int at, int len, int crc);
    }

    /** {@link #decode(long, byte[])}, leaving out (but checking the framing of) the entries before seq {@code from}. */
    static List<Entry> decode(long key, byte[] blob, long from) throws Malformed {
        List<Entry> out = new ArrayList<>();
        walk(key, blob, (seq, priority, at, len, crc) -> {
            if (seq >= from) {
                out.add(new Entry(seq, priority, Arrays.copyOfRange(blob, at, at + len), crc));
            }
        });
        return out;
    }

    private static void walk(long key, byte[] blob, EntryVisitor visitor) throws Malformed {
        if (blob == null || blob.length == 0) {
            throw new Malformed("segment " + key + " is empty");
        }
        int[] at = {0};
        long seq = key;
        for (int entries = 0; at[0] < blob.length; entries++) {
            long step = varint(blob, at, key);
            if (entries == 0 ? step != 0 : step <= 0 || seq + step < seq) {
                throw new Malformed("segment " + key + ": seq step " + step + " after " + seq);
            }
            seq += step;
            if (at[0] >= blob.length) {
                throw new Malformed("segment " + key + " ends inside the entry of seq " + seq);
            }
            int priority = blob[at[0]++];
            if (priority < 0 || priority >= PRIORITIES) {
                throw new Malformed("segment " + key + ": priority " + priority);
            }
            long len = varint(blob, at, key);
            if (len < 0 || len > blob.length - at[0] - 4L) {
                throw new Malformed("segment " + key + ": body of " + len + " bytes past the end (seq " + seq + ")");
            }
            int crc = ((blob[at[0]] & 0xff) << 24) | ((blob[at[0] + 1] & 0xff) << 16)
                    | ((blob[at[0] + 2] & 0xff) << 8) | (blob[at[0] + 3] & 0xff);
            at[0] += 4;
            visitor.visit(seq, priority, at[0], (int) len, crc);
            at[0] += (int) len;
        }
    }

    private static long varint(byte[] b, int[] at, long key) throws Malformed {
        long v = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            if (at[0] >= b.length) {
                throw new Malformed("segment " + key + " ends inside a number");
            }
            int x = b[at[0]++] & 0xff;
            v |= (long) (x & 0x7f) << (7 * i);
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new Malformed("segment " + key + ": a number longer than " + MAX_VARINT_BYTES + " bytes");
    }

    /** Collects entries in rising seq order into one segment row's columns. Not thread-safe. */
    static final class Builder {
        private byte[] buf = new byte[4096];
        private int len;
        private int count;
        private long first;
        private long last;
        private int low;
        private long accounted;
        private int bodyBytes;

        /** Whether the next entry belongs in a new segment. */
        boolean full() {
            return count >= MAX_ENTRIES || bodyBytes >= MAX_BODY_BYTES;
        }

        boolean isEmpty() {
            return count == 0;
        }

        /** Adds a reading, computing its checksum; seqs must rise. */
        void add(long seq, int priority, byte[] body) {
            add(seq, priority, body, (int) Checksums.of(seq, body));
        }

        void add(Entry e) {
            add(e.seq(), e.priority(), e.body(), e.crc());
        }

        private void add(long seq, int priority, byte[] body, int crc) {
            if (count > 0 && seq <= last) {
                throw new IllegalArgumentException("seq " + seq + " after " + last);
            }
            if (priority != storable(priority)) {
                throw new IllegalArgumentException("priority " + priority);
            }
            ensure(2 * MAX_VARINT_BYTES + 5 + body.length);
            putVarint(count == 0 ? 0 : seq - last);
            buf[len++] = (byte) priority;
            putVarint(body.length);
            buf[len++] = (byte) (crc >>> 24);
            buf[len++] = (byte) (crc >>> 16);
            buf[len++] = (byte) (crc >>> 8);
            buf[len++] = (byte) crc;
            System.arraycopy(body, 0, buf, len, body.length);
            len += body.length;
            if (count == 0) {
                first = seq;
                low = priority;
            }
            low = Math.min(low, priority);
            last = seq;
            count++;
            accounted += (long) body.length + Schema.ROW_OVERHEAD_BYTES;
            bodyBytes += body.length;
        }

        private void putVarint(long v) {
            while ((v & ~0x7fL) != 0) {
                buf[len++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        long last() {
            return last;
        }

        /**
         * Writes what the builder holds as one segment row through {@code insert} ({@link #INSERT_SQL})
         * and empties it; nothing when empty.
         */
        void writeTo(PreparedStatement insert, long acceptedAt) throws SQLException {
            if (count == 0) {
                return;
            }
            insert.setLong(1, first);
            insert.setLong(2, last);
            insert.setInt(3, low);
            insert.setLong(4, acceptedAt);
            insert.setInt(5, count);
            insert.setLong(6, accounted);
            insert.setBytes(7, Arrays.copyOf(buf, len));
            insert.executeUpdate();
            reset();
        }

        /** Empties the builder for the next segment (keeps its buffer). */
        void reset() {
            len = 0;
            count = 0;
            accounted = 0;
            bodyBytes = 0;
        }
    }
}
