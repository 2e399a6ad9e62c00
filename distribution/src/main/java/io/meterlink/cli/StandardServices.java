package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import io.meterlink.core.tls.TlsMaterial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/** The real services: drivers through ServiceLoader, the SQLite buffer, the MQTT uplink, POSIX signals. */
final class StandardServices implements Services {
    private static final Logger LOG = LoggerFactory.getLogger(StandardServices.class);
    private final CountDownLatch stop = new CountDownLatch(1);
    private boolean handling;

    /** A configuration file being read ahead of the command line's parse ({@link #prefetchConfig}). */
    private record Prefetch(Path file, CompletableFuture<ConfigLoader.Checked> result) { }

    private volatile Prefetch prefetch;
    /**
     * The configuration {@link #loadConfig} returned last, with the TLS files its check parsed: the
     * {@link #start} of that configuration hands them to the uplink's first TLS context (they are read
     * once) and drops them (they hold the private key).
     */
    private volatile ConfigLoader.Checked loaded;

    /**
     * Starts reading {@code file} as {@link #loadConfig} does, on a thread of its own, while picocli
     * still builds its model (about a tenth of a second of every start on a small CPU: docs/benchmarks.md,
     * "Start-up to the first batch"); the next {@link #loadConfig} of the same path takes that result,
     * errors included. Nothing is printed or logged here.
     */
    void prefetchConfig(Path file) {
        CompletableFuture<ConfigLoader.Checked> result = new CompletableFuture<>();
        prefetch = new Prefetch(file, result);
        Thread t = new Thread(() -> {
            try {
                result.complete(read(file));
            } catch (Throwable e) { // handed to loadConfig, which throws it as a read there would
                result.completeExceptionally(e);
            }
        }, "config-read");
        t.setDaemon(true);
        t.start();
    }

    /** To run it: the TLS CA file must be usable, and the client certificate and key once the certificate exists. */
    @Override public GatewayConfig loadConfig(Path file) throws ConfigException {
        ConfigLoader.Checked checked = checked(file);
        loaded = checked;
        return checked.config();
    }

    private ConfigLoader.Checked checked(Path file) throws ConfigException {
        Prefetch p = prefetch;
        prefetch = null;
        if (p == null || !p.file().equals(file)) return read(file);
        try {
            return p.result().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ConfigException c) throw c;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw e;
        }
    }

    private static ConfigLoader.Checked read(Path file) throws ConfigException {
        return new ConfigLoader(DriverRegistry.fromServiceLoader()).checkingFiles(ConfigLoader.FileChecks.PRESENT).readChecked(file);
    }

    @Override public GatewayConfig validateConfig(Path file) throws ConfigException {
        return new ConfigLoader(DriverRegistry.fromServiceLoader()).checkingFiles(ConfigLoader.FileChecks.ALL).read(file);
    }

    /** While this release is an update on trial its buffer keeps the layout the previous release reads ({@link UpdateTrial}). */
    @Override public Gateway start(GatewayConfig config) throws GatewayException {
        handleStopSignals(); // before starting: a SIGTERM during start-up still ends in a clean close
        ConfigLoader.Checked c = loaded;
        loaded = null;
        TlsMaterial tls = c != null && c.config() == config ? c.tls() : TlsMaterial.none();
        return Gateway.start(config.withBuffer(UpdateTrial.buffer(config)), tls);
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
