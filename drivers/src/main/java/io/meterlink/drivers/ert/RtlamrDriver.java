package io.meterlink.drivers.ert;

import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import io.meterlink.drivers.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads {@code rtlamr -format=json} lines (from its child process or a TCP stream) and gives the same
 * readings, with the same ids, as the {@code ert} driver. Log lines (not starting with {@code {}) are
 * skipped; bad JSON and unknown types are counted; repeats are dropped.
 */
final class RtlamrDriver extends LineDriver {
    private static final int MAX_LINE = 64 * 1024;

    private final ErtReadingMapper mapper;
    private final ErtDeduplicator dedup;
    private final IdmIntervals intervals = new IdmIntervals();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean overlong;

    RtlamrDriver(ErtMappingSettings mapping, Transport transport, DriverContext context) {
        super("rtlamr", transport, context);
        this.mapper = mapping.mapper();
        this.dedup = new ErtDeduplicator(mapping.dedupWindow());
    }

    @Override
    protected void serve() throws IOException, InterruptedException {
        line.reset();
        overlong = false;
        byte[] buf = new byte[8192];
        while (running()) {
            heartbeat().beat(); // every read returns within 500 ms, data or not
            int n = transport.read(buf, 500);
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    if (overlong) badInput(new DecodeException(DecodeException.Kind.LENGTH, "rtlamr line longer than " + MAX_LINE + " bytes"));
                    else handle(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    overlong = false;
                } else if (line.size() < MAX_LINE) {
                    line.write(b);
                } else {
                    overlong = true;
                }
            }
        }
    }

    void handle(String text) throws InterruptedException {
        if (!RtlamrJson.isJson(text)) return; // rtl_tcp / rtlamr log output
        ErtPacket p;
        try {
            p = RtlamrJson.parse(text);
        } catch (DecodeException e) {
            badInput(e);
            return;
        }
        Instant now = context.clock().instant();
        if (dedup.accept(p, now)) deliver(mapper.toReadings(p, now, intervals.fresh(p)));
    }
}
