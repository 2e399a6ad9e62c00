package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.provisioning.secret.ProvisioningException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A bundle was refused because of its content: every problem found, each naming the bundle, the line
 * and the dotted key in the bundle (never a secret value). Nothing was written.
 */
public final class BundleException extends ProvisioningException {
    private final List<ConfigError> errors;

    public BundleException(List<ConfigError> errors) {
        super(Kind.BUNDLE_INVALID, errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() { return errors; }
}
