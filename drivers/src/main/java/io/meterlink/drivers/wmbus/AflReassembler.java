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
 * timeout is dropped. Every dropped message is counted ({@link #takeDropped()}). Thread-safe.
 *
 * <p>Against spoofed fragments (a radio DoS: made-up radios filling the store to push a real meter's
 * message out): a radio whose link-layer address is a known meter is never pushed out by one that is
 * not (the least recently heard unknown radio goes first; an unknown radio finds no room when every
 * slot holds a known one), and with {@code onlyKnown} a fragment of an unknown radio is not taken at
 * all. Fragments are keyed by their radio, so one address cannot touch another's message; a spoofer
 * sending under the meter's own address can still break that message (a MAC covers only the whole).
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
    private final boolean onlyKnown;
    private final Map<String, Pending> pending = new LinkedHashMap<>(16, 0.75f, true);
    private long dropped;

    /** @param clockMs milliseconds of a monotonic clock (e.g. {@code System::nanoTime / 1e6}) */
    public AflReassembler(LongSupplier clockMs, long timeoutMs) {
        this(clockMs, timeoutMs, (man, id) -> false, false);
    }

    /**
     * @param known     whether a radio (link-layer manufacturer code and 8-digit id) is a known meter: its
     *                  message is never pushed out by an unknown radio's
     * @param onlyKnown take fragments of known radios only (the gateway stores listed meters only)
     */
    public AflReassembler(LongSupplier clockMs, long timeoutMs, BiPredicate<String, String> known, boolean onlyKnown) {
        this.clockMs = clockMs;
        this.timeoutMs = timeoutMs;
        this.known = known;
        this.onlyKnown = onlyKnown;
    }

    /** With the system's monotonic clock and {@link #DEFAULT_TIMEOUT_MS}. */
    public static AflReassembler withSystemClock() {
        return withSystemClock((man, id) -> false, false);
    }

    /** As {@link #withSystemClock()}, with known radios first ({@link #AflReassembler(LongSupplier, long, BiPredicate, boolean)}). */
    public static AflReassembler withSystemClock(BiPredicate<String, String> known, boolean onlyKnown) {
        return new AflReassembler(() -> System.nanoTime() / 1_000_000, DEFAULT_TIMEOUT_MS, known, onlyKnown);
    }

    /** Messages dropped incomplete or broken since the last call (each to be counted once). */
    public synchronized long takeDropped() {
        expire(clockMs.getAsLong());
        long d = dropped;
        dropped = 0;
        return d;
    }

    /** Whether a message of the radio that sent {@code f} is in progress. */
    synchronized boolean inProgress(byte[] f) {
        expire(clockMs.getAsLong());
        return pending.containsKey(HEX.formatHex(f, 2, 10));
    }

    /** Messages in progress (for tests and status). */
    public synchronized int pendingMessages() {
        return pending.size();
    }

    /** One message being reassembled. */
    private static final class Pending {
        final long started;
        final boolean known;
        final byte[][] payloads = new byte[256][];
        byte[] head;      // the first fragment's bytes up to the end of its AFL
        int aflAt;        // where that AFL starts in head
        int firstFid = -1;
        int lastFid = -1;
        int count;
        int bytes;

        Pending(long started, boolean known) {
            this.started = started;
            this.known = known;
        }
    }

    /**
     * Takes one fragment: {@code f[0..aflAt)} is its (decrypted) link and extended link layer,
     * {@code f[aflAt..payloadAt)} its AFL, {@code f[payloadAt..)} its share of the message.
     *
     * @return the whole message ({@link Message}) — the first fragment's header through its AFL, then every
     *         fragment's share in order — or {@code null} while fragments are missing (and for a fragment
     *         not taken: an unknown radio's with {@code onlyKnown}, or no room left for it)
     * @throws DecodeException when the fragment breaks its message (counted by the caller; the
     *                         message is dropped and not counted again)
     */
    synchronized Message offer(byte[] f, int aflAt, int payloadAt, int fid, boolean more, boolean first, String meter)
            throws DecodeException {
        long now = clockMs.getAsLong();
        expire(now);
        String key = HEX.formatHex(f, 2, 10); // M, A, version, type of the radio
        Pending m = pending.get(key);
        if (m == null) {
            boolean k = known.test(WmbusDecoder.manufacturer((f[2] & 0xFF) | (f[3] & 0xFF) << 8), WmbusDecoder.id(f, 4));
            if (onlyKnown && !k) return null; // not a meter of this gateway: ignored like its other telegrams
            if (pending.size() >= MAX_PENDING && !makeRoom(k)) {
                dropped++; // every slot holds a known radio's message: this unknown one is not held
                return null;
            }
            m = new Pending(now, k);
            pending.put(key, m);
        }
        if (first && m.firstFid >= 0 && m.firstFid != fid) { // the meter began its next message: the last one stays incomplete
            dropped++;
            m = new Pending(now, m.known);
            pending.put(key, m);
        }
        byte[] share = Arrays.copyOfRange(f, payloadAt, f.length);
        byte[] held = m.payloads[fid];
        if (held != null) {
            if (Arrays.equals(held, share)) return null; // a repeat heard again
            throw broken(key, meter, "AFL fragment " + fid + " heard twice with different contents");
        }
        if (first) {
            m.firstFid = fid;
            m.head = Arrays.copyOf(f, payloadAt);
            m.aflAt = aflAt;
        }
        if (!more) {
            if (m.lastFid >= 0) throw broken(key, meter, "AFL message with two last fragments");
            m.lastFid = fid;
        }
        m.payloads[fid] = share;
        m.count++;
        m.bytes += share.length;
        if (m.count > MAX_FRAGMENTS) throw broken(key, meter, "AFL message of more than " + MAX_FRAGMENTS + " fragments");
        if (m.bytes > MAX_MESSAGE) throw broken(key, meter, "AFL message longer than " + MAX_MESSAGE + " bytes");
        if (m.firstFid >= 0 && m.lastFid >= 0) {
            int span = ((m.lastFid - m.firstFid) & 0xFF) + 1;
            if (span > MAX_FRAGMENTS) throw broken(key, meter, "AFL fragment ids " + m.firstFid + ".." + m.lastFid + " span too many fragments");
            if (m.count > span) throw broken(key, meter, "AFL fragment outside its message's ids " + m.firstFid + ".." + m.lastFid);
            if (m.count == span) {
                for (int i = 0; i < span; i++) { // a fragment held from outside the ids can make the count match with a gap
                    if (m.payloads[(m.firstFid + i) & 0xFF] == null) {
                        throw broken(key, meter, "AFL fragment " + ((m.firstFid + i) & 0xFF) + " missing while another from outside "
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

    private DecodeException broken(String key, String meter, String why) {
        pending.remove(key);
        return new DecodeException(Kind.SYNTAX, why + ": the message is dropped", meter, null);
    }

    /**
     * Drops one message for a new radio's: the least recently heard unknown radio's, else (for a known
     * radio only) the least recently heard known one's.
     *
     * @return false when there is none to drop for it
     */
    private boolean makeRoom(boolean forKnown) {
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) { // least recently heard first
            if (!it.next().known) {
                it.remove();
                dropped++;
                return true;
            }
        }
        if (!forKnown || pending.isEmpty()) return false;
        Iterator<Pending> oldest = pending.values().iterator();
        oldest.next();
        oldest.remove();
        dropped++;
        return true;
    }

    private void expire(long now) {
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            if (now - it.next().started > timeoutMs) {
                it.remove();
                dropped++;
            }
        }
    }
}
