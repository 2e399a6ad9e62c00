package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code meterlink run --config F}: validate, start, run until SIGTERM/SIGINT, close cleanly. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the gateway until SIGTERM or SIGINT, then flush the buffer and close cleanly (exit 0).",
                "The configuration is validated first (errors: exit 2); a failure to start or run exits 3."})
final class RunCommand implements Callable<Integer> {
    private final Services services;
    @Spec CommandSpec spec;
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the YAML configuration file")
    Path config;

    RunCommand(Services services) { this.services = services; }

    @Override public Integer call() {
        GatewayConfig cfg;
        try {
            cfg = services.loadConfig(config);
        } catch (ConfigException e) {
            return ConfigErrors.print(e, spec.commandLine().getErr());
        }
        Gateway gateway;
        try {
            gateway = services.start(cfg);
        } catch (GatewayException e) {
            spec.commandLine().getErr().println("meterlink: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return Main.FAILURE;
        }
        gateway.closeOnShutdown(); // any other way the JVM ends still flushes the buffer
        try {
            services.awaitStopRequest();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            gateway.close();
        }
        return Main.OK;
    }
}
