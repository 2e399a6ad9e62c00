package io.meterlink.drivers.ert;

import io.meterlink.drivers.transport.TcpTransport;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TCP line to an {@code rtl_tcp} server, optionally owning that server as a child process: it
 * is started when the line opens and is not running, and {@link #restartChild() restarted} when the
 * driver gives up on a stalled stream. Not thread-safe beyond {@link Transport}'s rules.
 */
final class RtlTcpTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(RtlTcpTransport.class);
    private static final long CHILD_START_WAIT_MS = 15_000;

    private final TcpTransport tcp;
    private final List<String> command;
    private Process child;
    private int restarts;

    RtlTcpTransport(String host, int port, List<String> command) {
        this.tcp = new TcpTransport(host, port, 5_000);
        this.command = List.copyOf(command);
    }

    @Override
    public void open() throws IOException {
        if (!command.isEmpty() && (child == null || !child.isAlive())) {
            LOG.info("starting {}", command.get(0));
            child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long until = System.currentTimeMillis() + CHILD_START_WAIT_MS;
            while (true) { // the server needs a moment before it listens
                try {
                    tcp.open();
                    return;
                } catch (IOException e) {
                    if (System.currentTimeMillis() > until || !child.isAlive()) throw new IOException(command.get(0) + " started but does not listen: " + e.getMessage(), e);
                    sleep(100);
                }
            }
        }
        tcp.open();
    }

    /** Ends the child (if one is configured) so that the next {@link #open()} starts a fresh one; false when there is none. */
    boolean restartChild() {
        tcp.close();
        if (command.isEmpty()) return false;
        stopChild();
        restarts++;
        return true;
    }

    int restarts() { return restarts; }

    void stopChild() {
        Process p = child;
        child = null;
        if (p == null) return;
        p.destroy();
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override public boolean isOpen() { return tcp.isOpen(); }
    @Override public void write(byte[] bytes) throws IOException { tcp.write(bytes); }
    @Override public int read(byte[] buf, int timeoutMillis) throws IOException { return tcp.read(buf, timeoutMillis); }
    @Override public void drainInput() throws IOException { tcp.drainInput(); }
    @Override public String describe() { return "rtl_tcp:" + tcp.describe(); }
    @Override public void close() { tcp.close(); }
}
