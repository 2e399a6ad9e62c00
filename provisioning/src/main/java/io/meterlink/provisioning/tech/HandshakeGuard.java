package io.meterlink.provisioning.tech;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts DTLS handshake failures per IP address and locks an address out once it reaches
 * {@code limit} failures within {@code window}: a locked-out address gets nothing (its datagrams
 * are dropped) for {@code lockout}. Failures are only counted after the cookie exchange, so a
 * spoofed source address cannot lock a real technician out. At most {@value #MAX_TRACKED}
 * addresses are tracked; beyond that the one seen longest ago is forgotten. Thread-safe.
 */
public final class HandshakeGuard {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeGuard.class);
    static final int MAX_TRACKED = 1024;

    private static final class Entry {
        final Deque<Instant> failures = new ArrayDeque<>();
        Instant lockedUntil = Instant.MIN;
    }

    private final Clock clock;
    private final int limit;
    private final Duration window;
    private final Duration lockout;
    private final Map<InetAddress, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lockouts = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public HandshakeGuard(Clock clock, int limit, Duration window, Duration lockout) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (limit < 1) throw new IllegalArgumentException("limit must be >= 1");
        this.limit = limit;
        this.window = Objects.requireNonNull(window, "window");
        this.lockout = Objects.requireNonNull(lockout, "lockout");
    }

    /** Records a failed handshake from {@code address}; returns true when this failure locked it out. */
    public synchronized boolean failure(InetAddress address) {
        failures.incrementAndGet();
        Instant now = clock.instant();
        Entry e = entries.computeIfAbsent(address, a -> new Entry());
        if (entries.size() > MAX_TRACKED) {
            Iterator<InetAddress> eldest = entries.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        if (now.isBefore(e.lockedUntil)) return false;
        e.failures.addLast(now);
        Instant horizon = now.minus(window);
        while (!e.failures.isEmpty() && !e.failures.peekFirst().isAfter(horizon)) e.failures.removeFirst();
        if (e.failures.size() >= limit) {
            e.failures.clear();
            e.lockedUntil = now.plus(lockout);
            lockouts.incrementAndGet();
            LOG.warn("Technician endpoint: {} locked out for {} after {} failed handshakes within {}",
                    address.getHostAddress(), lockout, limit, window);
            return true;
        }
        return false;
    }

    /** Whether datagrams from {@code address} are to be dropped now. Counts the drop when so. */
    public synchronized boolean admit(InetAddress address) {
        Entry e = entries.get(address);
        if (e == null || !clock.instant().isBefore(e.lockedUntil)) return true;
        dropped.incrementAndGet();
        return false;
    }

    /** Whether {@code address} is locked out now. */
    public synchronized boolean lockedOut(InetAddress address) {
        Entry e = entries.get(address);
        return e != null && clock.instant().isBefore(e.lockedUntil);
    }

    /** Handshake failures since start. */
    public long failures() { return failures.get(); }

    /** Lock-outs since start. */
    public long lockouts() { return lockouts.get(); }

    /** Datagrams dropped from locked-out addresses since start. */
    public long dropped() { return dropped.get(); }
}
