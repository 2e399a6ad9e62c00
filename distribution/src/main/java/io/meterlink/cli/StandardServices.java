package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The real services: drivers through ServiceLoader, the SQLite buffer, the MQTT uplink, POSIX signals. */
final class StandardServices implements Services {
    private static final Logger LOG = LoggerFactory.getLogger(StandardServices.class);
    private final CountDownLatch stop = new CountDownLatch(1);
    private boolean handling;

    /** To run it: the TLS CA file must be usable, and the client certificate and key once the certificate exists. */
    @Override public GatewayConfig loadConfig(Path file) throws ConfigException {
        return new ConfigLoader(DriverRegistry.fromServiceLoader()).checkingFiles(ConfigLoader.FileChecks.PRESENT).read(file);
    }

    @Override public GatewayConfig validateConfig(Path file) throws ConfigException {
        return new ConfigLoader(DriverRegistry.fromServiceLoader()).checkingFiles(ConfigLoader.FileChecks.ALL).read(file);
    }

    @Override public Gateway start(GatewayConfig config) throws GatewayException {
        handleStopSignals(); // before starting: a SIGTERM during start-up still ends in a clean close
        return Gateway.start(config);
    }

    @Override public BufferStats inspectBuffer(Path database) {
        return SqliteBuffer.inspect(database);
    }

    /**
     * Waits for SIGTERM or SIGINT. Handling them ourselves (instead of the JVM's default, which runs
     * the shutdown hooks and exits 143) lets {@code run} close cleanly and exit 0. Where the signals
     * cannot be handled (e.g. {@code -Xrs}), the gateway's shutdown hook still closes it.
     */
    @Override public void awaitStopRequest() throws InterruptedException {
        handleStopSignals();
        stop.await();
    }

    private synchronized void handleStopSignals() {
        if (handling) return;
        handling = true;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.info("SIG{} received: stopping", signal.getName());
                    stop.countDown();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.warn("Cannot handle SIG{} ({}); relying on the shutdown hook", name, e.getMessage());
            }
        }
    }
}
