package io.meterlink.drivers.pulse;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.IntToLongFunction;

/**
 * The gateway's end of the simulator's pulse wire: drives one Pi4J mock input from the simulator's
 * pulse generator over a local TCP connection, so that pulses reach a gateway process that may be
 * killed and restarted. Lines, ASCII, one per message:
 * <pre>
 * gateway → sim   HELLO &lt;n&gt;     on connect: pulses up to number n are durably counted; send what follows
 * sim → gateway   A &lt;n&gt; [t]     the line goes to the pulse level (bounce edges carry the same n)
 * sim → gateway   I &lt;n&gt; [t]     the line goes back to idle
 * gateway → sim   ACK &lt;n&gt;       pulses up to n are durably counted (after the store's commit)
 * </pre>
 * {@code t} is the simulator's {@link System#nanoTime()} of the edge: an edge's time is {@code t} plus
 * the offset between the two clocks seen on the connection's first edge, so that edges delayed on
 * a busy machine keep their spacing (a late idle edge must not shorten a pulse into a spike). The
 * driver takes a level only {@link #LAG_NS} after its edge, so a delayed edge is still in time.
 * Reconnects every 500 ms while open. Unknown lines are ignored. Thread: its own.
 */
final class PulseWire implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PulseWire.class);
    private static final int MAX_LINE = 64;
    /** How late an edge may arrive and still be debounced at its own time. */
    static final long LAG_NS = 300_000_000L;

    private final String host;
    private final int port;
    private final MockDigitalInput input;
    private final DigitalState active;
    private final DigitalState idle;
    private final int index;
    private final IntToLongFunction committedSeq;
    private final Thread thread;
    private volatile boolean open = true;
    private volatile long tag;
    private volatile long time;
    private long offset;
    private boolean offsetSet;
    private volatile Socket socket;

    PulseWire(String hostPort, MockDigitalInput input, DigitalState active, int index, IntToLongFunction committedSeq) {
        int colon = hostPort.lastIndexOf(':');
        this.host = hostPort.substring(0, colon);
        this.port = Integer.parseInt(hostPort.substring(colon + 1));
        this.input = input;
        this.active = active;
        this.idle = active == DigitalState.LOW ? DigitalState.HIGH : DigitalState.LOW;
        this.index = index;
        this.committedSeq = committedSeq;
        this.thread = new Thread(this::run, "pulse-wire-" + index);
        thread.setDaemon(true);
    }

    void start() { thread.start(); }

    int input() { return index; }

    /** The pulse number of the edge being delivered (read by the input's listener on this thread). */
    long currentTag() { return tag; }

    /** The time of the edge being delivered, in this JVM's {@link System#nanoTime()}. */
    long currentTime() { return time; }

    void acknowledge(long seq) {
        Socket s = socket;
        if (s == null) return;
        try {
            OutputStream out = s.getOutputStream();
            synchronized (this) {
                out.write(("ACK " + seq + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("pulse wire {}:{}: acknowledgement not sent: {}", host, port, e.toString());
        }
    }

    private void run() {
        while (open) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setTcpNoDelay(true);
                socket = s;
                synchronized (this) {
                    s.getOutputStream().write(("HELLO " + committedSeq.applyAsLong(index) + "\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII), 256);
                offsetSet = false;
                String line;
                while (open && (line = in.readLine()) != null) {
                    if (line.length() > MAX_LINE || line.length() < 3 || line.charAt(1) != ' ') continue;
                    long n;
                    long at = System.nanoTime();
                    try {
                        String[] f = line.substring(2).trim().split(" ");
                        n = Long.parseLong(f[0]);
                        if (f.length > 1) {
                            long simTime = Long.parseLong(f[1]);
                            if (!offsetSet) {
                                offset = at - simTime;
                                offsetSet = true;
                            }
                            at = simTime + offset;
                        }
                    } catch (NumberFormatException e) {
                        continue;
                    }
                    tag = n;
                    time = at;
                    if (line.charAt(0) == 'A') input.mockState(active);
                    else if (line.charAt(0) == 'I') input.mockState(idle);
                }
            } catch (IOException e) {
                if (open) LOG.debug("pulse wire {}:{}: {}", host, port, e.toString());
            } finally {
                socket = null;
            }
            if (!open) return;
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override public void close() {
        open = false;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
    }
}
