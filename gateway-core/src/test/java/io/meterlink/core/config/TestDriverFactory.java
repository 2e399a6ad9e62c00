package io.meterlink.core.config;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.Driver;
import io.meterlink.core.api.driver.DriverContext;
import io.meterlink.core.api.driver.DriverFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A test driver ({@code driver: test}): on start, hands {@code readings} volume readings of
 * {@code meter} to the sink in batches of {@code batch}, reporting the meter heard; {@code aes_key}
 * is read as a secret so tests can check it is never echoed.
 */
public final class TestDriverFactory implements DriverFactory {
    @Override public String type() { return "test"; }

    @Override public DriverSpec configure(Settings s) {
        String meterText = s.get(ConfigKey.text("meter", "test:TST:00000001", "t"));
        int count = s.get(ConfigKey.integer("readings", 0, 0, 1_000_000, "t"));
        int batch = s.get(ConfigKey.integer("batch", 10, 1, 10_000, "t"));
        Duration pause = s.get(ConfigKey.duration("pause", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1), "t"));
        Optional<Secret> key = s.get(ConfigKey.secret("aes_key", "t"));
        MeterId meter = null;
        try {
            meter = MeterId.of(meterText);
        } catch (IllegalArgumentException e) {
            s.error("meter", "not a meter id");
        }
        if (key.isPresent() && key.get().reveal().length != 32) {
            s.error("aes_key", "must be 32 hex digits");
        }
        s.finish();
        if (meter == null || (key.isPresent() && key.get().reveal().length != 32)) return null;
        MeterId m = meter;
        return context -> new TestDriver(context, m, count, batch, pause);
    }

    /** Emits its readings on its own thread; stops when closed. */
    public static final class TestDriver implements Driver {
        private final DriverContext context;
        private final MeterId meter;
        private final int count;
        private final int batch;
        private final Duration pause;
        private Thread thread;

        TestDriver(DriverContext context, MeterId meter, int count, int batch, Duration pause) {
            this.context = context;
            this.meter = meter;
            this.count = count;
            this.batch = batch;
            this.pause = pause;
        }

        @Override public void start() {
            thread = new Thread(this::run, "test-driver-" + context.sourceName());
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                int sent = 0;
                while (sent < count && !Thread.currentThread().isInterrupted()) {
                    List<Reading> readings = new ArrayList<>();
                    for (int i = 0; i < batch && sent < count; i++, sent++) {
                        readings.add(Reading.of(meter, Quantity.VOLUME, Unit.M3, BigDecimal.valueOf(sent),
                                null, context.clock().instant()));
                    }
                    context.sink().accept(readings);
                    context.health().meterHeard(meter, -70);
                    if (!pause.isZero()) Thread.sleep(pause.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override public void close() {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
