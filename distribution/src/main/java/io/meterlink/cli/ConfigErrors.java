package io.meterlink.cli;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;

import java.io.PrintWriter;

/** Prints configuration errors as {@code file:line: key: message}, one per line. */
final class ConfigErrors {
    private ConfigErrors() {
    }

    static int print(ConfigException e, PrintWriter err) {
        for (ConfigError error : e.errors()) {
            err.println(error);
        }
        err.println(e.errors().size() + (e.errors().size() == 1 ? " error" : " errors") + " in the configuration");
        err.flush();
        return Main.USAGE;
    }
}
