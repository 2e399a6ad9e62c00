package io.meterlink.core.runtime;

import io.meterlink.core.api.alarm.Alarms;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.status.StatusSnapshot;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * What a running gateway offers the parts built on it ({@link GatewayExtension}s: provisioning, the
 * technician endpoint): the one way they reach it. Thread-safe.
 */
public interface GatewayRuntime {

    /** The configuration the gateway runs with. */
    GatewayConfig config();

    /** The running uplink (commands, reconnect after a renewal, trials); {@code null} when there is none. */
    UplinkService uplink();

    /** Which meters are heard, bad input and transport errors. */
    HealthRegistry health();

    /** A snapshot for status. */
    StatusSnapshot status();

    /** Where the extension raises and clears its alarms. */
    Alarms alarms();

    /** Shows {@code observer} every list of readings a driver hands over, on the driver's thread (see {@link Gateway#observeReadings}). */
    void observeReadings(Consumer<List<Reading>> observer);

    /** Asks the driver of {@code meter} to read it now (see {@link Gateway#readNow}). */
    List<Reading> readNow(MeterId meter, Duration timeout) throws InterruptedException, TimeoutException, GatewayException;

    /** The configured sources and what runs of them, in configuration order (see {@link Gateway#sources}). */
    List<Gateway.SourceState> sources();

    /** The settings of {@code next} that need a process restart (see {@link Gateway#restartNeededFor}). */
    List<String> restartNeededFor(GatewayConfig next);

    /** Takes {@code next}'s sources without a restart (see {@link Gateway#reconfigure}). */
    Gateway.Reconfigured reconfigure(GatewayConfig next, java.util.Set<String> changed);

    /** Asks the process to stop cleanly and be started again (see {@link Gateway#requestRestart}). */
    void requestRestart(String reason);
}
