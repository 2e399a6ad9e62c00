package io.meterlink.core.api.config;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a configuration has one or more errors; carries all of them. */
public class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() { return errors; }
}
