package io.meterlink.sim.mbus;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.drivers.mbus.MbusFrame;
import io.meterlink.drivers.mbus.MbusFramer;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** Serves a {@link VirtualMbusBus} on one byte pipe until the pipe breaks or the thread is interrupted. */
final class MbusSlaveLoop {
    private static final Logger LOG = LoggerFactory.getLogger(MbusSlaveLoop.class);

    private MbusSlaveLoop() {}

    static void serve(Transport line, VirtualMbusBus bus, java.util.function.BooleanSupplier running) throws IOException {
        MbusFramer framer = new MbusFramer();
        byte[] buf = new byte[512];
        while (running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            int n = line.read(buf, 200);
            if (n <= 0) continue;
            framer.feed(buf, 0, n);
            while (true) {
                MbusFrame f;
                try {
                    f = framer.next();
                } catch (DecodeException e) {
                    LOG.debug("slave side refused input: {}", e.getMessage());
                    continue;
                }
                if (f == null) break;
                byte[] answer = bus.handle(f);
                if (answer != null) line.write(answer);
            }
        }
    }
}
