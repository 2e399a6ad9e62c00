package io.meterlink.drivers.testing;

import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * An in-memory line for unit tests of the master: every short frame written is answered by the
 * responder (bytes, or null for silence). Records the requests.
 */
public final class ScriptedLine implements Transport {
    private final Function<MbusFrame.Short, byte[]> responder;
    private final ArrayDeque<Byte> pending = new ArrayDeque<>();
    private final List<MbusFrame.Short> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean open;

    public ScriptedLine(Function<MbusFrame.Short, byte[]> responder) { this.responder = responder; }

    public List<MbusFrame.Short> requests() { return requests; }

    @Override public void open() { open = true; }
    @Override public boolean isOpen() { return open; }

    @Override public synchronized void write(byte[] bytes) throws IOException {
        try {
            MbusFrame.Short s = (MbusFrame.Short) MbusFramer.parse(bytes);
            requests.add(s);
            byte[] answer = responder.apply(s);
            if (answer != null) for (byte b : answer) pending.add(b);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    @Override public int read(byte[] buf, int timeoutMillis) throws IOException {
        synchronized (this) {
            if (!pending.isEmpty()) {
                int n = 0;
                while (n < buf.length && !pending.isEmpty()) buf[n++] = pending.poll();
                return n;
            }
        }
        try {
            Thread.sleep(Math.min(timeoutMillis, 5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return 0;
    }

    @Override public synchronized void drainInput() { pending.clear(); }
    @Override public String describe() { return "scripted"; }
    @Override public void close() { open = false; }
}
