package io.meterlink.sim.wmbus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The air between virtual wireless meters and one virtual dongle: every {@code interval} each meter
 * sends one telegram, which the dongle hands to the gateway over its {@link DongleLink}: all in one
 * burst at the start of each round, or, spread, meter {@code i} of {@code n} at {@code i/n} of the
 * interval (as real meters, each on its own timer). Bad input
 * injected with {@link #inject} goes out in the next round, after the first meter's telegram.
 * Thread-safe.
 */
public final class WmbusBroadcaster implements AutoCloseable {
    /** Deliberately bad input. */
    public enum Fault {
        /** A dongle message (or, for hex lines, a link-layer block) whose checksum is wrong. */
        CRC_ERROR,
        /** A frame whose reception stopped early. */
        TRUNCATED,
        /** Line noise between messages. */
        GARBAGE,
        /** A telegram of an encrypting meter encrypted with a key that is not the meter's. */
        WRONG_KEY
    }

    /** A fault as it was sent, with the meter whose telegram carried it ({@code null} for garbage). */
    public record SentFault(Fault fault, VirtualWmbusMeter meter) {}

    private static final Logger LOG = LoggerFactory.getLogger(WmbusBroadcaster.class);
    private final List<VirtualWmbusMeter> meters;
    private final VirtualDongle dongle;
    private final DongleLink link;
    private final long intervalMs;
    private final boolean spread;
    private final Random random;
    private final ConcurrentLinkedQueue<SentFault> pending = new ConcurrentLinkedQueue<>();
    private final List<SentFault> sent = new CopyOnWriteArrayList<>();
    private final Object air = new Object();
    private Thread thread;
    private volatile boolean running;
    private volatile long rounds;

    /** @param seed seeds the noise and the wrong keys, so a run can be repeated */
    public WmbusBroadcaster(List<VirtualWmbusMeter> meters, VirtualDongle dongle, DongleLink link, Duration interval, long seed) {
        this(meters, dongle, link, interval, seed, false);
    }

    /** @param spread each meter at its own offset within the interval rather than all in one burst */
    public WmbusBroadcaster(List<VirtualWmbusMeter> meters, VirtualDongle dongle, DongleLink link, Duration interval, long seed,
                            boolean spread) {
        this.meters = List.copyOf(meters);
        this.dongle = dongle;
        this.link = link;
        this.intervalMs = interval.toMillis();
        this.random = new Random(seed);
        this.spread = spread;
    }

    public List<VirtualWmbusMeter> meters() { return meters; }

    /** Rounds completed (each meter sent once per round). */
    public long rounds() { return rounds; }

    /** Faults sent so far, in order. */
    public List<SentFault> faultsSent() { return List.copyOf(sent); }

    /** Queues bad input for the next round; {@code meter} supplies the telegram (ignored for garbage). */
    public void inject(Fault fault, VirtualWmbusMeter meter) {
        if (fault == Fault.WRONG_KEY && meter.security() == WmbusFrameBuilder.Security.NONE) {
            throw new IllegalArgumentException("meter " + meter.id() + " sends in clear");
        }
        pending.add(new SentFault(fault, fault == Fault.GARBAGE ? null : meter));
    }

    /** One telegram of {@code meter} now, outside the schedule (recorded in its ledger). */
    public void transmit(VirtualWmbusMeter meter) throws IOException {
        synchronized (air) {
            link.send(dongle.received(meter.nextTelegram(dongle.reportedRssi(meter.rssiDbm())), meter.rssiDbm()));
        }
    }

    public synchronized void start() {
        if (thread != null) return;
        running = true;
        thread = new Thread(this::run, "wmbus-air-" + dongle.type());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long next = System.nanoTime();
        try {
            while (running) {
                long roundStart = next;
                for (int i = 0; i < meters.size() && running; i++) {
                    if (spread && !sleepUntil(roundStart + intervalMs * 1_000_000L * i / meters.size())) break;
                    transmit(meters.get(i));
                    if (i == 0) sendFaults();
                }
                if (meters.isEmpty()) sendFaults();
                rounds++;
                next += intervalMs * 1_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (running) LOG.warn("virtual {} stopped sending: {}", dongle.type(), e.getMessage());
        }
    }

    /** Sleeps until {@code nanoTime}, waking at least every 100 ms to notice {@link #close}; false when closed. */
    private boolean sleepUntil(long nanoTime) throws InterruptedException {
        long wait;
        while (running && (wait = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.min(100, Math.max(1, wait / 1_000_000L)));
        }
        return running;
    }

    private void sendFaults() throws IOException {
        List<SentFault> now = new ArrayList<>();
        for (SentFault f; (f = pending.poll()) != null; ) now.add(f);
        synchronized (air) {
            for (SentFault f : now) {
                VirtualWmbusMeter m = f.meter();
                byte[] bytes = switch (f.fault()) {
                    case CRC_ERROR -> dongle.corrupted(m.unrecordedTelegram(), m.rssiDbm());
                    case TRUNCATED -> dongle.truncated(m.unrecordedTelegram(), m.rssiDbm());
                    case GARBAGE -> dongle.garbage(random);
                    case WRONG_KEY -> {
                        byte[] wrong = new byte[16];
                        random.nextBytes(wrong);
                        yield dongle.received(m.telegramWithKey(wrong), m.rssiDbm());
                    }
                };
                link.send(bytes);
                sent.add(f);
            }
        }
    }

    /** Stops after the telegram being sent: every ledger entry has then been handed to the link. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t == null) return;
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
