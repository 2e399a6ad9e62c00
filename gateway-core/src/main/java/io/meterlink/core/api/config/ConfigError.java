package io.meterlink.core.api.config;

/**
 * One problem in a configuration file.
 *
 * @param file    the file's path as given by the user
 * @param line    1-based line of the offending key or value (0 when unknown)
 * @param key     dotted key path, e.g. {@code uplink.tls.ca_file} or {@code sources[1].port}
 * @param message what is wrong, never containing a secret value
 */
public record ConfigError(String file, int line, String key, String message) {
    @Override public String toString() {
        return file + ":" + line + ": " + key + ": " + message;
    }
}
