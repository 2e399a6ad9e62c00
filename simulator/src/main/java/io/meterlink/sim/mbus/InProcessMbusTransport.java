package io.meterlink.sim.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's end of an in-process line to a {@link VirtualMbusBus} (for the demo): what the
 * master writes is answered by the bus immediately. Thread-safe for one reader and one writer.
 */
public final class InProcessMbusTransport implements Transport {
    private final VirtualMbusBus bus;
    private final MbusFramer framer = new MbusFramer();
    private final LinkedBlockingQueue<Byte> incoming = new LinkedBlockingQueue<>();
    private volatile boolean open;

    public InProcessMbusTransport(VirtualMbusBus bus) { this.bus = bus; }

    @Override public void open() { open = true; }

    @Override public boolean isOpen() { return open; }

    @Override
    public synchronized void write(byte[] bytes) throws IOException {
        requireOpen();
        framer.feed(bytes);
        while (true) {
            MbusFrame f;
            try {
                f = framer.next();
            } catch (DecodeException e) {
                continue; // a real slave ignores what it cannot frame
            }
            if (f == null) return;
            byte[] answer = bus.handle(f);
            if (answer != null) for (byte b : answer) incoming.add(b);
        }
    }

    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        requireOpen();
        try {
            Byte first = incoming.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (first == null) return 0;
            buf[0] = first;
            int n = 1;
            Byte b;
            while (n < buf.length && (b = incoming.poll()) != null) buf[n++] = b;
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override public void drainInput() { incoming.clear(); }

    private void requireOpen() throws IOException {
        if (!open) throw new IOException("in-process M-Bus line is closed");
    }

    @Override public String describe() { return "inprocess:mbus"; }

    @Override public void close() { open = false; }
}
