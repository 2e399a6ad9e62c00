package io.meterlink.sim.pulse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A virtual S0 output: the simulator's end of the pulse wire (see the gateway's
 * {@code io.meterlink.drivers.pulse.PulseWire} for the line protocol). It listens on a loopback
 * port; while a gateway is connected it sends numbered pulses at {@code rateHz} (active for
 * {@code widthMs}, every {@code bounceEvery}-th pulse with contact bounce: short active/idle edge
 * pairs before the real edge). Pulses are numbered 1, 2, …; the gateway acknowledges each after
 * its durable commit.
 *
 * <p>Across a gateway SIGKILL: the new gateway process says {@code HELLO n}, n being the last pulse
 * number in its durable count. Pulses after n that were already sent went to the killed process
 * and died uncommitted with it (on real GPIO they would be lost: the loss window, counted here as
 * {@link #inFlightAtReconnect()}); the generator sends them again, as a real S0 input would still
 * hold them had the count survived, so the scenario can check that the gateway's total is exactly
 * the pulses generated — no pulse lost after its commit, none counted twice. While no gateway is
 * connected the meter "stands still" (no pulses): a pulse nobody listens to cannot be counted.
 * Thread-safe.
 */
public final class PulseGenerator implements AutoCloseable {
    private final ServerSocket server;
    private final double rateHz;
    private final long widthNs;
    private final int bounceEvery;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();       // highest pulse number sent
    private final AtomicLong acked = new AtomicLong();      // highest pulse number acknowledged
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private volatile long limit = Long.MAX_VALUE;           // no pulse numbers beyond this (stop)
    private volatile boolean closed;

    /**
     * @param rateHz      pulses per second (S0: at most about 16 Hz with 30 ms pulses and pauses)
     * @param widthMs     how long each pulse is active
     * @param bounceEvery every n-th pulse bounces (3 edge pairs 1 ms apart before it settles); 0 never
     */
    public PulseGenerator(double rateHz, long widthMs, int bounceEvery) throws IOException {
        this(rateHz, widthMs * 1_000_000L, bounceEvery, true);
    }

    /** As above with the pulse width in nanoseconds (benchmarks: rates far beyond S0). */
    public PulseGenerator(double rateHz, long widthNs, int bounceEvery, boolean nanos) throws IOException {
        if (rateHz <= 0 || widthNs <= 0 || 1e9 / rateHz <= widthNs) throw new IllegalArgumentException("the pulse must be shorter than its period");
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.rateHz = rateHz;
        this.widthNs = widthNs;
        this.bounceEvery = bounceEvery;
        this.thread = new Thread(this::serve, "pulse-generator-" + server.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    public int port() { return server.getLocalPort(); }

    /** Pulses generated (sent at least once). */
    public long generated() { return sent.get(); }

    /** Highest pulse number the gateway acknowledged as durable. */
    public long acknowledged() { return acked.get(); }

    /** Pulses sent to a gateway that died before committing them, summed over reconnections (sent again after). */
    public long inFlightAtReconnect() { return replayed.get(); }

    /** Gateway connections so far. */
    public long connections() { return connections.get(); }

    /** Stops generating new pulses (the meter stands still); pulses already generated are still delivered after a reconnect. */
    public void stop() { limit = sent.get(); }

    /** Waits until the gateway acknowledged every generated pulse; returns whether it did in time. */
    public boolean awaitAcknowledged(long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (acked.get() < sent.get()) {
            if (System.nanoTime() > end) return false;
            Thread.sleep(20);
        }
        return true;
    }

    private void serve() {
        while (!closed) {
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                connections.incrementAndGet();
                session(s);
            } catch (IOException | InterruptedException e) {
                if (closed) return;
            }
        }
    }

    private void session(Socket s) throws IOException, InterruptedException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String hello = in.readLine();
        if (hello == null || !hello.startsWith("HELLO ")) return;
        long durable = Long.parseLong(hello.substring(6).trim());
        acked.accumulateAndGet(durable, Math::max);
        if (sent.get() > durable) replayed.addAndGet(sent.get() - durable);
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("ACK ")) acked.accumulateAndGet(Long.parseLong(line.substring(4).trim()), Math::max);
                }
            } catch (IOException | NumberFormatException e) {
                // the gateway went away: the session ends with the socket
            }
        }, "pulse-acks-" + port());
        reader.setDaemon(true);
        reader.start();
        OutputStream out = s.getOutputStream();
        long periodNs = (long) (1e9 / rateHz);
        long next = System.nanoTime();
        long n = durable; // resend what the dead process did not commit, then new pulses
        while (!closed && reader.isAlive()) {
            if (n + 1 > limit) {
                Thread.sleep(20);
                continue;
            }
            long wait = next - System.nanoTime();
            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
            next += periodNs;
            if (next < System.nanoTime() - periodNs) next = System.nanoTime(); // fell behind (a pause): no burst
            n++;
            // edges carry their nominal times (the schedule), not the moment this thread got to send them:
            // a stalled simulator must not turn 1 ms of bounce into a pulse
            long t = next - periodNs;
            if (bounceEvery > 0 && n % bounceEvery == 0) {
                for (int b = 0; b < 3; b++) {
                    send(out, "A " + n, t);
                    send(out, "I " + n, t + 1_000_000L);
                    t += 2_000_000L;
                }
                Thread.sleep(6);
            }
            send(out, "A " + n, t);
            sent.accumulateAndGet(n, Math::max);
            TimeUnit.NANOSECONDS.sleep(widthNs);
            send(out, "I " + n, t + widthNs);
        }
    }

    /** One edge with its time (this JVM's nanoTime scale; the gateway maps it onto its own clock). */
    private static void send(OutputStream out, String line, long nanos) throws IOException {
        out.write((line + " " + nanos + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override public void close() throws IOException {
        closed = true;
        server.close();
        thread.interrupt();
    }
}
