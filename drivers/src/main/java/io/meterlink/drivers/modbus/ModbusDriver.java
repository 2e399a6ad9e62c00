package io.meterlink.drivers.modbus;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.api.driver.DecodedRecord;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.drivers.transport.LineDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.concurrent.TimeUnit;

/**
 * Polls the slaves of one Modbus line on its own thread: every poll interval, each meter's
 * coalesced blocks are read (with the line's retries) into a {@link RegisterImage} and its profile
 * turns them into readings. A failed request is counted by {@link ModbusFault} (status
 * {@code bad_input} by kind; a meter whose every request went unanswered is reported silent) and the
 * other blocks and meters are still read; a broken line is reopened by {@link LineDriver}.
 * Thread-safe.
 */
public final class ModbusDriver extends LineDriver {
    private static final Logger LOG = LoggerFactory.getLogger(ModbusDriver.class);
    private static final long IDLE_SLICE_NS = TimeUnit.SECONDS.toNanos(1);

    private final ModbusDriverConfig config;
    private final ModbusMaster master;
    private final Records records;

    /** How a meter's register image becomes records: its profile (a test puts a faulty decoder here). */
    @FunctionalInterface
    interface Records {
        List<DecodedRecord> of(ModbusDriverConfig.Meter meter, RegisterImage image, BiConsumer<RegisterValue, DecodeException> refused);
    }

    public ModbusDriver(ModbusDriverConfig config, ModbusLink link, DriverContext context) {
        this(config, link, context, (m, image, refused) -> m.profile().records(image, refused));
    }

    ModbusDriver(ModbusDriverConfig config, ModbusLink link, DriverContext context, Records records) {
        super("modbus", link.transport(), context);
        this.config = config;
        this.master = new ModbusMaster(link, config.retries(), this::fault);
        this.records = records;
    }

    private void fault(ModbusFault.Failure f) {
        LOG.debug("{}: unit {}: {} ({})", source(), f.unit(), f.fault().wireName(), f.getMessage());
        if (f.fault() != ModbusFault.TIMEOUT) badInput(f.asDecodeException());
    }

    /** Failed tries on this line so far, by fault (for status and tests). */
    public Map<ModbusFault, Long> faultCounts() { return master.faultCounts(); }

    @Override
    protected void serve() throws IOException, InterruptedException {
        while (running()) {
            long cycleStart = System.nanoTime();
            for (ModbusDriverConfig.Meter m : config.meters()) {
                if (!running()) return;
                read(m);
            }
            long waitNs;
            while (running() && (waitNs = config.pollInterval().toNanos() - (System.nanoTime() - cycleStart)) > 0) {
                heartbeat().beat();
                TimeUnit.NANOSECONDS.sleep(Math.min(waitNs, IDLE_SLICE_NS));
            }
        }
    }

    /** Reads one meter's blocks and hands its readings to the sink; returns them (empty when it did not answer). */
    List<Reading> read(ModbusDriverConfig.Meter m) throws IOException, InterruptedException {
        RegisterImage image = new RegisterImage();
        int silent = 0;
        IOException broken = null;
        for (ReadBlock b : m.blocks()) {
            heartbeat().willBlock(Duration.ofMillis((config.retries() + 1L) * (config.timeoutMillis() + 1_000L)));
            try {
                image.put(b.function(), b.start(), master.read(m.unit(), b));
            } catch (ModbusFault.Failure f) {
                if (f.fault() == ModbusFault.TIMEOUT) silent++;
            } catch (IOException e) {
                broken = e; // the line broke: what was read before still becomes readings, then the line is reopened
                break;
            }
        }
        if (image.isEmpty()) {
            if (broken != null) throw broken;
            if (silent > 0) context.health().meterSilent(source(), String.valueOf(m.unit()));
            return List.of();
        }
        Instant at = context.clock().instant();
        List<Reading> readings;
        try {
            readings = guard.decode(() -> readings(m, image, at));
        } catch (DecodeException e) { // the meter answered: heard, its image refused
            badInput(e);
            readings = List.of();
        }
        context.health().meterHeard(m.id(), null);
        if (!readings.isEmpty()) context.sink().accept(readings);
        if (broken != null) throw broken;
        return readings;
    }

    private List<Reading> readings(ModbusDriverConfig.Meter m, RegisterImage image, Instant at) {
        List<Reading> readings = new ArrayList<>();
        for (DecodedRecord r : records.of(m, image, (v, e) -> badInput(e))) readings.add(reading(m, r, at));
        return readings;
    }

    static Reading reading(ModbusDriverConfig.Meter m, DecodedRecord r, Instant at) {
        return new Reading(m.id(), Quantity.ofWireName(r.quantity()), Unit.ofSymbol(r.unit()), r.value(),
                MeasurementFunction.ofWireName(r.function()), 0, r.tariff(), r.subunit(), null, at, 0, null);
    }
}
