package io.meterlink.drivers.ert;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import io.meterlink.drivers.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

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

    private final Parser parser;

    /** One rtlamr JSON line to its packet (a test puts a faulty parser here). */
    @FunctionalInterface
    interface Parser {
        ErtPacket parse(String line) throws DecodeException;
    }

    RtlamrDriver(ErtMappingSettings mapping, Transport transport, DriverContext context) {
        this(mapping, transport, context, RtlamrJson::parse);
    }

    RtlamrDriver(ErtMappingSettings mapping, Transport transport, DriverContext context, Parser parser) {
        super("rtlamr", transport, context);
        this.mapper = mapping.mapper();
        this.dedup = new ErtDeduplicator(mapping.dedupWindow());
        this.parser = parser;
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
        Instant now = context.clock().instant();
        List<Reading> readings;
        try {
            ErtPacket p = guard.decode(() -> parser.parse(text));
            if (!dedup.accept(p, now)) return;
            readings = guard.decode(() -> mapper.toReadings(p, now, intervals.fresh(p)));
        } catch (DecodeException e) {
            badInput(e);
            return;
        }
        deliver(readings);
    }
}
