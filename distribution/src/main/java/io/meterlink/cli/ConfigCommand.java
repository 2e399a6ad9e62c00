package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code meterlink config …}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Check configuration files.",
        subcommands = ConfigCommand.Validate.class)
final class ConfigCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Report every error in a configuration file (file:line: key: message); print OK when there is none.",
                    "The TLS files it names must exist and parse, and the key must belong to the certificate."})
    static final class Validate implements Callable<Integer> {
        private final Services services;
        @Spec CommandSpec spec;
        @Parameters(paramLabel = "FILE", description = "the YAML configuration file") Path file;

        Validate(Services services) { this.services = services; }

        @Override public Integer call() {
            try {
                services.validateConfig(file);
            } catch (ConfigException e) {
                return ConfigErrors.print(e, spec.commandLine().getErr());
            }
            spec.commandLine().getOut().println("OK");
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }
}
