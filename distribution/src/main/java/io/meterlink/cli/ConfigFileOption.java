package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.config.GatewayConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code -c/--config FILE} option of the commands that read the gateway's configuration (a picocli mixin). */
final class ConfigFileOption {
    static final String SHORT = "-c";
    static final String LONG = "--config";

    @Option(names = {SHORT, LONG}, required = true, paramLabel = "FILE", description = "the YAML configuration file")
    Path config;

    /**
     * The validated configuration, or {@code null} once its errors are printed to the command's
     * error stream (the command then exits {@link Main#USAGE}).
     */
    GatewayConfig load(Services services, CommandSpec spec) {
        try {
            return services.loadConfig(config);
        } catch (ConfigException e) {
            ConfigErrors.print(e, spec.commandLine().getErr());
            return null;
        }
    }
}
