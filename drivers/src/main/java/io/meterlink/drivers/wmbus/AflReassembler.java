package io.meterlink.drivers.wmbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodeException.Kind;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * Reassembles fragmented messages of the authentication and fragmentation layer (EN 13757-7 §6,
 * OMS Vol 2: CI 90, FCL with fragment id and "more fragments"). Fragments of one message come from
 * one radio (link-layer M, A, version, type) with consecutive fragment ids (modulo 256); the first
 * fragment carries the message control (MCL: MCLP set) and with it the counter, MAC and message
 * length; the last has MF clear. Fragments may arrive in any order; a duplicate (same id, same bytes)
 * is ignored; a different fragment under an id already held, or a fragment that cannot belong to the
 * message, drops the message.
 *
 * <p>Memory is bounded under hostile input: at most {@value #MAX_FRAGMENTS} fragments and
 * {@value #MAX_MESSAGE} payload bytes per message, {@value #MAX_PENDING} meters with a message in
 * progress (the least recently heard is dropped first), and a message not complete within the
 * timeout is dropped. Every dropped message is counted ({@link #takeDropped()}), apart by whether it
 * was known to be a listed meter's (rank 1 or 2 below); a broken one is refused with a {@link BrokenMessage} that
 * tells the same. Thread-safe.
 *
 * <p>Against spoofed fragments (a radio DoS: made-up radios filling the store to push a real meter's
 * message out) a message in progress has a rank: 2 when its radio's link-layer address is a known
 * meter, 1 when only its first fragment's long transport header (CI 72) names one (a meter behind a
 * radio module or converter, whose link address is the converter's), else 0. A new message pushes
 * out the least recently heard one of the lowest rank held, and only when that rank is not above its
 * own: a spoofer under made-up addresses never pushes out a radio with a known link address, and
 * finds no room when every slot holds a higher rank. Every radio's fragments are taken, since a
 * converter's address is not the meter's and only the reassembled message tells which meter it
 * is (the caller ignores what is not its meter's then). Fragments are keyed by their radio, so one
 * address cannot touch another's message; a spoofer sending under the meter's own address can still
 * break that message (a MAC covers only the whole).
 */
public final class AflReassembler {
    /** Fragments of one message at most. */
    public static final int MAX_FRAGMENTS = 16;
    /** Bytes after the AFL of all fragments of one message together, at most. */
    public static final int MAX_MESSAGE = 2048;
    /** Meters with a message in progress at once. */
    public static final int MAX_PENDING = 64;
    /** Default time from the first fragment heard to the last. */
    public static final long DEFAULT_TIMEOUT_MS = 30_000;

    private static final HexFormat HEX = HexFormat.of();

    private final LongSupplier clockMs;
    private final long timeoutMs;
    private final BiPredicate<String, String> known;
    private final Map<String, Pending> pending = new LinkedHashMap<>(16, 0.75f, true);
    private long droppedListed;
    private long droppedUnlisted;

    /** @param clockMs milliseconds of a monotonic clock (e.g. {@code System::nanoTime / 1e6}) */
    public AflReassembler(LongSupplier clockMs, long timeoutMs) {
        this(clockMs, timeoutMs, (man, id) -> false);
    }

    /**
     * @param known whether a manufacturer code and 8-digit id are a known meter's: a message whose radio
     *              (or first fragment's CI 72 header) is one is never pushed out by an unknown radio's
     */
    public AflReassembler(LongSupplier clockMs, long timeoutMs, BiPredicate<String, String> known) {
        this.clockMs = clockMs;
        this.timeoutMs = timeoutMs;
        this.known = known;
    }

    /** With the system's monotonic clock and {@link #DEFAULT_TIMEOUT_MS}. */
    public static AflReassembler withSystemClock() {
        return withSystemClock((man, id) -> false);
    }

    /** As {@link #withSystemClock()}, with known meters' messages first ({@link #AflReassembler(LongSupplier, long, BiPredicate)}). */
    public static AflReassembler withSystemClock(BiPredicate<String, String> known) {
        return new AflReassembler(() -> System.nanoTime() / 1_000_000, DEFAULT_TIMEOUT_MS, known);
    }

    /**
     * Messages dropped incomplete since the last call (each given once): {@code listed} those known to be a
     * listed meter's (its radio's link address, or its first fragment's CI 72 header, names one), {@code
     * unlisted} every other (an unlisted radio's, or one whose first fragment was never heard).
     */
    public record Dropped(long listed, long unlisted) {}

    /** Messages dropped incomplete since the last call. */
    public synchronized Dropped takeDropped() {
        expire(clockMs.getAsLong());
        Dropped d = new Dropped(droppedListed, droppedUnlisted);
        droppedListed = droppedUnlisted = 0;
        return d;
    }

    /** Counts a message of {@code rank} dropped incomplete. */
    private void dropped(int rank) {
        if (rank > 0) droppedListed++;
        else droppedUnlisted++;
    }

    /** Whether a message of the radio that sent {@code f} is in progress (for tests). */
    synchronized boolean inProgress(byte[] f) {
        expire(clockMs.getAsLong());
        return pending.containsKey(radio(f));
    }

    /** The key of the radio that sent {@code f}: its link-layer M, A, version, type. */
    private static String radio(byte[] f) {
        return HEX.formatHex(f, 2, 10);
    }

    /** Messages in progress (tests). */
    synchronized int pendingMessages() {
        return pending.size();
    }

    /** One message being reassembled. */
    private static final class Pending {
        final long started;
        int rank;         // see the class comment
        final byte[][] payloads = new byte[256][];
        byte[] head;      // the first fragment's bytes up to the end of its AFL
        int aflAt;        // where that AFL starts in head
        int firstFid = -1;
        int lastFid = -1;
        int count;
        int bytes;

        Pending(long started, int rank) {
            this.started = started;
            this.rank = rank;
        }
    }

    /** {@link #offer}'s answer for a frame that is no fragment (a whole message on its own): it is decoded as it is. */
    static final Message ALONE = new Message(new byte[0], -1);

    /**
     * Takes one frame with an AFL: {@code f[0..aflAt)} is its (decrypted) link and extended link layer,
     * {@code f[aflAt..payloadAt)} its AFL, {@code f[payloadAt..)} its share of the message. It is a fragment
     * when its "more fragments" bit is set, or when it is the rest (no message control) of a message its radio
     * has in progress; else it is a whole message on its own. Expires the messages out of time, and keys the
     * radio, once per frame.
     *
     * @return {@link #ALONE} for a frame that is no fragment; the whole message ({@link Message}) — the first
     *         fragment's header through its AFL, then every fragment's share in order — for the fragment
     *         that completes one; else {@code null}: fragments are missing (or the fragment was not taken:
     *         no room left for it, counted)
     * @throws DecodeException when the fragment breaks its message (counted by the caller; the
     *                         message is dropped and not counted again)
     */
    synchronized Message offer(byte[] f, int aflAt, int payloadAt, int fid, boolean more, boolean first, String meter)
            throws DecodeException {
        if (first && !more) return ALONE; // the first fragment and the last: a whole message
        long now = clockMs.getAsLong();
        expire(now);
        String key = radio(f);
        Pending m = pending.get(key);
        if (!more && m == null) return ALONE; // no message control, and its radio has no message in progress
        int rank = rank(f, payloadAt, first);
        if (m == null) {
            if (pending.size() >= MAX_PENDING && !makeRoom(rank)) {
                dropped(rank); // every slot holds a message of a higher rank: this one is not held
                return null;
            }
            m = new Pending(now, rank);
            pending.put(key, m);
        }
        if (first && m.firstFid >= 0 && m.firstFid != fid) { // the meter began its next message: the last one stays incomplete
            dropped(m.rank);
            m = new Pending(now, rank);
            pending.put(key, m);
        }
        m.rank = Math.max(m.rank, rank); // a first fragment heard after others names its meter now
        byte[] share = Arrays.copyOfRange(f, payloadAt, f.length);
        byte[] held = m.payloads[fid];
        if (held != null) {
            if (Arrays.equals(held, share)) return null; // a repeat heard again
            throw broken(key, m, meter, "AFL fragment " + fid + " heard twice with different contents");
        }
        if (first) {
            m.firstFid = fid;
            m.head = Arrays.copyOf(f, payloadAt);
            m.aflAt = aflAt;
        }
        if (!more) {
            if (m.lastFid >= 0) throw broken(key, m, meter, "AFL message with two last fragments");
            m.lastFid = fid;
        }
        m.payloads[fid] = share;
        m.count++;
        m.bytes += share.length;
        if (m.count > MAX_FRAGMENTS) throw broken(key, m, meter, "AFL message of more than " + MAX_FRAGMENTS + " fragments");
        if (m.bytes > MAX_MESSAGE) throw broken(key, m, meter, "AFL message longer than " + MAX_MESSAGE + " bytes");
        if (m.firstFid >= 0 && m.lastFid >= 0) {
            int span = ((m.lastFid - m.firstFid) & 0xFF) + 1;
            if (span > MAX_FRAGMENTS) throw broken(key, m, meter, "AFL fragment ids " + m.firstFid + ".." + m.lastFid + " span too many fragments");
            if (m.count > span) throw broken(key, m, meter, "AFL fragment outside its message's ids " + m.firstFid + ".." + m.lastFid);
            if (m.count == span) {
                for (int i = 0; i < span; i++) { // a fragment held from outside the ids can make the count match with a gap
                    if (m.payloads[(m.firstFid + i) & 0xFF] == null) {
                        throw broken(key, m, meter, "AFL fragment " + ((m.firstFid + i) & 0xFF) + " missing while another from outside "
                                + m.firstFid + ".." + m.lastFid + " is held");
                    }
                }
                pending.remove(key);
                byte[] out = Arrays.copyOf(m.head, m.head.length + m.bytes);
                int at = m.head.length;
                for (int i = 0; i < span; i++) {
                    byte[] s = m.payloads[(m.firstFid + i) & 0xFF];
                    System.arraycopy(s, 0, out, at, s.length);
                    at += s.length;
                }
                return new Message(out, m.aflAt);
            }
        }
        return null;
    }

    /** A reassembled message: {@code bytes}, with the first fragment's AFL at {@code aflAt}. */
    record Message(byte[] bytes, int aflAt) {}

    private BrokenMessage broken(String key, Pending m, String meter, String why) {
        pending.remove(key);
        return new BrokenMessage(why + ": the message is dropped", meter, m.rank > 0);
    }

    /**
     * A fragment that breaks its message ({@link Kind#SYNTAX}): the message is dropped. {@link #listed()} tells
     * whether the message was known to be a listed meter's (rank 1 or 2, as for {@link Dropped}), so that the
     * caller counts an unlisted radio's broken message only when it wants that radio's telegrams.
     */
    public static final class BrokenMessage extends DecodeException {
        private final boolean listed;

        BrokenMessage(String message, String meter, boolean listed) {
            super(Kind.SYNTAX, message, meter, null);
            this.listed = listed;
        }

        /** Whether the broken message was known to be a listed meter's (its radio's link address or its CI 72 header names one). */
        public boolean listed() { return listed; }
    }

    /**
     * The rank of a fragment's message (see the class comment): its radio's link address, and for a first
     * fragment the meter its long transport header (CI 72: id, manufacturer) names.
     */
    private int rank(byte[] f, int payloadAt, boolean first) {
        if (known.test(WmbusDecoder.manufacturer((f[2] & 0xFF) | (f[3] & 0xFF) << 8), WmbusDecoder.id(f, 4))) return 2;
        boolean header = first && payloadAt + 7 <= f.length && (f[payloadAt] & 0xFF) == 0x72;
        return header && known.test(WmbusDecoder.manufacturer((f[payloadAt + 5] & 0xFF) | (f[payloadAt + 6] & 0xFF) << 8),
                WmbusDecoder.id(f, payloadAt + 1)) ? 1 : 0;
    }

    /**
     * Drops one message for a new one of rank {@code rank}: the least recently heard of the lowest rank held,
     * if that rank is not above {@code rank}.
     *
     * @return false when there is none to drop for it
     */
    private boolean makeRoom(int rank) {
        Pending lowest = null;
        for (Pending p : pending.values()) { // least recently heard first
            if (lowest == null || p.rank < lowest.rank) lowest = p;
        }
        if (lowest == null || lowest.rank > rank) return false;
        pending.values().remove(lowest);
        dropped(lowest.rank);
        return true;
    }

    private void expire(long now) {
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.started > timeoutMs) {
                it.remove();
                dropped(p.rank);
            }
        }
    }
}
