package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;

import java.nio.file.Path;

/** What the commands need from the gateway: the real implementation is {@link StandardServices}; tests give their own. */
public interface Services {
    /** Reads and validates a configuration file; every error is in the exception. */
    GatewayConfig loadConfig(Path file) throws ConfigException;

    /**
     * Validates a configuration file for {@code config validate}: as {@link #loadConfig}, and every file
     * it names (CA, client certificate, key) must exist, parse and belong together.
     */
    default GatewayConfig validateConfig(Path file) throws ConfigException {
        return loadConfig(file);
    }

    /** Starts the gateway the configuration describes. */
    Gateway start(GatewayConfig config) throws GatewayException;

    /** Reads a buffer database's figures without changing it. */
    BufferStats inspectBuffer(Path database) throws Exception;

    /** The installed drivers (to validate configuration bundles); by default those found through ServiceLoader. */
    default DriverRegistry drivers() {
        return DriverRegistry.fromServiceLoader();
    }

    /** How often a running gateway checks whether its certificate is due for renewal (two thirds of its life). */
    default java.time.Duration renewalCheckInterval() {
        return io.meterlink.provisioning.command.GatewayProvisioning.CHECK_EVERY;
    }

    /** Blocks until the process is asked to stop (SIGTERM, SIGINT). */
    void awaitStopRequest() throws InterruptedException;
}
