package io.meterlink.drivers.mbus;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import io.meterlink.drivers.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Polls the meters of one wired M-Bus line on its own thread: opens the transport (reopening with
 * back-off after a failure), reads every meter each poll interval, hands the readings to the sink.
 * A silent meter or a bad frame is reported to {@link io.meterlink.core.api.driver.Health} and the
 * other meters are still read.
 */
public final class MbusDriver extends LineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(MbusDriver.class);

    private final MbusDriverConfig config;
    private final MbusReadingMapper mapper;
    private final MbusMaster master;

    public MbusDriver(MbusDriverConfig config, Transport transport, DriverContext context) {
        super("mbus", transport, context);
        this.config = config;
        this.mapper = new MbusReadingMapper(config.meterZone());
        this.master = new MbusMaster(transport, new MbusDecoder(), config.timeoutMillis(), config.retries(), this::badInput);
    }

    /** Reads every meter once per poll interval until stopped. */
    @Override
    protected void serve() throws IOException, InterruptedException {
        while (running()) {
            long cycleStart = System.nanoTime();
            pollAll(master, source());
            long waitNs = config.pollInterval().toNanos() - (System.nanoTime() - cycleStart);
            if (waitNs > 0) TimeUnit.NANOSECONDS.sleep(waitNs);
        }
    }

    private void pollAll(MbusMaster master, String source) throws IOException, InterruptedException {
        for (MbusDriverConfig.Meter meter : config.meters()) {
            if (!running()) return;
            List<MbusTelegram> telegrams = meter.secondary() == null ? master.readout(meter.address()) : master.readout(meter.secondary());
            if (telegrams.isEmpty()) {
                LOG.debug("{}: {} did not answer", source, meter);
                context.health().meterSilent(source, meter.key());
                continue;
            }
            Instant receivedAt = context.clock().instant();
            List<Reading> readings = new ArrayList<>();
            Set<MeterId> heard = new LinkedHashSet<>();
            Instant firstTime = mapper.meterTime(telegrams.get(0));
            for (MbusTelegram t : telegrams) {
                readings.addAll(mapper.toReadings(t, receivedAt, firstTime));
                heard.add(MbusReadingMapper.meterId(t));
            }
            for (MeterId id : heard) context.health().meterHeard(id, null);
            if (!readings.isEmpty()) context.sink().accept(readings);
        }
    }
}
