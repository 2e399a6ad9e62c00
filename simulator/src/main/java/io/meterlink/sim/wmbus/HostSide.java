package io.meterlink.sim.wmbus;

import io.meterlink.drivers.transport.Transport;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Reads what the gateway writes to a virtual dongle and lets the dongle answer, until the line breaks. */
final class HostSide {
    private HostSide() {}

    static void serve(Transport line, VirtualDongle dongle, List<byte[]> log, Object writeLock, BooleanSupplier running) throws IOException {
        byte[] buf = new byte[512];
        while (running.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            int n = line.read(buf, 200);
            if (n <= 0) continue;
            byte[] got = Arrays.copyOf(buf, n);
            log.add(got);
            byte[] answer = dongle.answer(got);
            if (answer.length > 0) {
                synchronized (writeLock) {
                    line.write(answer);
                }
            }
        }
    }
}
