package io.meterlink.drivers.ert;

import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Listens to an rtl_tcp server: reads its greeting, tunes it (frequency, sample rate, gain, frequency
 * correction), demodulates the I/Q stream in Java and hands deduplicated readings to the sink. A
 * stream that stalls — no samples, or samples of constant amplitude, for {@code stall_timeout} — is
 * reported ({@code stalled: …} transport error), the line is reopened, and after
 * {@code restart_after} stalls in a row the configured rtl_tcp child is restarted
 * ({@code rtl_tcp restarted}). Refused packets are counted by kind; nothing stops the driver.
 */
final class ErtDriver extends LineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(ErtDriver.class);
    private static final int READ_TIMEOUT_MS = 200;
    static final String STALLED = "stalled: ";
    static final String RESTARTED = "rtl_tcp restarted";

    private final ErtDriverConfig config;
    private final RtlTcpTransport rtl;
    private final ErtReadingMapper mapper;
    private final ErtDeduplicator dedup;
    private final IdmIntervals intervals = new IdmIntervals();
    private int stallsInARow;
    private ErtDemodulator demod;

    ErtDriver(ErtDriverConfig config, RtlTcpTransport transport, DriverContext context) {
        super("ert", transport, context);
        this.config = config;
        this.rtl = transport;
        this.mapper = config.mapping().mapper();
        this.dedup = new ErtDeduplicator(config.mapping().dedupWindow());
    }

    @Override
    protected void serve() throws IOException, InterruptedException {
        byte[] header = new byte[12];
        int got = 0;
        long until = System.nanoTime() + config.stallTimeout().toNanos();
        while (got < 12) {
            heartbeat().beat();
            byte[] part = new byte[12 - got];
            int n = transport.read(part, READ_TIMEOUT_MS);
            System.arraycopy(part, 0, header, got, n);
            got += n;
            if (n == 0 && System.nanoTime() > until) stalled("no rtl_tcp greeting");
        }
        if (!new String(header, 0, 4, StandardCharsets.US_ASCII).equals("RTL0")) {
            throw new IOException("not an rtl_tcp server (greeting " + new String(header, 0, 4, StandardCharsets.ISO_8859_1) + ")");
        }
        command(0x01, config.frequency());
        command(0x02, config.sampleRate());
        command(0x03, config.gainTenthsDb() == null ? 0 : 1);
        if (config.gainTenthsDb() != null) command(0x04, config.gainTenthsDb());
        if (config.ppm() != 0) command(0x05, config.ppm());
        command(0x08, config.gainTenthsDb() == null ? 1 : 0);
        LOG.info("{}: listening at {} Hz, {} S/s, {}", source(), config.frequency(), config.sampleRate(), config.protocols());

        List<ErtPacket> packets = new ArrayList<>();
        List<DecodeException> refused = new ArrayList<>();
        ErtDemodulator.Listener listener = new ErtDemodulator.Listener() {
            @Override public void packet(ErtPacket packet, long sample) { packets.add(packet); }

            @Override public void refused(ErtProtocol protocol, DecodeException error, long sample) { refused.add(error); }
        };
        demod = demodulator(listener);
        byte[] buf = new byte[65536];
        long stall = config.stallTimeout().toNanos();
        long lastData = System.nanoTime();
        long constantSince = -1;
        long healthySince = -1;
        while (running()) {
            heartbeat().beat(); // every read returns within READ_TIMEOUT_MS, samples or not
            int n = transport.read(buf, READ_TIMEOUT_MS);
            long now = System.nanoTime();
            if (n == 0) {
                if (now - lastData > stall) stalled("no samples for " + config.stallTimeout().toMillis() + " ms");
                continue;
            }
            lastData = now;
            if (flat(buf, n)) {
                if (constantSince < 0) constantSince = now;
                else if (now - constantSince > stall) stalled("constant samples for " + config.stallTimeout().toMillis() + " ms");
                healthySince = -1;
            } else {
                constantSince = -1;
                if (healthySince < 0) healthySince = now;
                else if (stallsInARow > 0 && now - healthySince > stall) stallsInARow = 0;
            }
            try {
                guard.run(() -> demod.feedU8(buf, 0, n));
            } catch (DecodeException e) { // a decoder fault: counted; the demodulator starts afresh, what it found before stands
                refused.add(e);
                demod = demodulator(listener);
            }
            for (DecodeException e : refused) badInput(e);
            refused.clear();
            if (!packets.isEmpty()) {
                deliverPackets(packets);
                packets.clear();
            }
        }
    }

    private ErtDemodulator demodulator(ErtDemodulator.Listener listener) {
        return new ErtDemodulator(ErtDemodulator.chipLength(config.sampleRate()), config.protocols(), listener);
    }

    /** True when every byte is within 2 of the first: a stream without signal or noise. */
    private static boolean flat(byte[] b, int n) {
        int first = b[0] & 0xFF;
        for (int i = 1; i < n; i++) {
            if (Math.abs((b[i] & 0xFF) - first) > 2) return false;
        }
        return true;
    }

    private void deliverPackets(List<ErtPacket> packets) throws InterruptedException {
        Instant now = context.clock().instant();
        List<Reading> readings = new ArrayList<>();
        for (ErtPacket p : packets) {
            if (!dedup.accept(p, now)) continue;
            try {
                readings.addAll(guard.decode(() -> mapper.toReadings(p, now, intervals.fresh(p))));
            } catch (DecodeException e) {
                badInput(e);
            }
        }
        deliver(readings);
    }

    private void command(int cmd, long arg) throws IOException {
        transport.write(ByteBuffer.allocate(5).put((byte) cmd).putInt((int) arg).array());
    }

    /** Reports the stall; restarts the child after too many in a row; throws so that the line is reopened. */
    private void stalled(String why) throws IOException {
        stallsInARow++;
        LOG.warn("{}: stream stalled ({}), {} in a row", source(), why, stallsInARow);
        context.health().transportError(source(), STALLED + why);
        if (stallsInARow >= config.restartAfter() && rtl.restartChild()) {
            stallsInARow = 0;
            LOG.warn("{}: restarted the rtl_tcp child", source());
            context.health().transportError(source(), RESTARTED);
        }
        throw new IOException(STALLED + why);
    }

    /** Ends the rtl_tcp child, if the driver runs one. */
    void stopChild() { rtl.stopChild(); }
}
