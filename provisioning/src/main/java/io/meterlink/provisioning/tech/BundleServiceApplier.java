package io.meterlink.provisioning.tech;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.provisioning.bundle.ApplyResult;
import io.meterlink.provisioning.bundle.BundleException;
import io.meterlink.provisioning.bundle.BundleRefusedException;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.secret.ProvisioningException;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * {@code POST /bundle} through the bundle service: only a signed bundle ({@code SignedBundle}) for this gateway,
 * validated completely, applied atomically; a refusal's message starts with its typed reason ({@code unsigned: …}).
 */
public final class BundleServiceApplier implements TechServices.BundleApplier {
    private static final int MAX_ERRORS_SHOWN = 20;
    private final BundleService bundles;

    public BundleServiceApplier(BundleService bundles) {
        this.bundles = Objects.requireNonNull(bundles, "bundles");
    }

    @Override public String apply(byte[] bundle) throws TechRequestException {
        try {
            ApplyResult r = bundles.apply("technician", bundle);
            return "version " + r.version() + " (previous " + r.previousVersion() + "), " + r.sources() + " source(s)";
        } catch (BundleRefusedException e) {
            throw new TechRequestException(kind(e.kind()), e.getMessage() + "; nothing was changed");
        } catch (BundleException e) {
            List<ConfigError> errors = e.errors();
            String shown = errors.stream().limit(MAX_ERRORS_SHOWN).map(ConfigError::toString).collect(Collectors.joining("; "));
            throw new TechRequestException(TechRequestException.Kind.BAD_REQUEST,
                    errors.size() + " error(s) in the bundle, nothing was changed: " + shown);
        } catch (ProvisioningException e) {
            throw new TechRequestException(kind(e.kind()), e.getMessage());
        }
    }

    static TechRequestException.Kind kind(ProvisioningException.Kind kind) {
        return switch (kind) {
            case BUNDLE_NOT_NEWER -> TechRequestException.Kind.CONFLICT;
            case STORAGE -> TechRequestException.Kind.FAILED;
            case NOT_INITIALISED -> TechRequestException.Kind.UNAVAILABLE;
            default -> kind.badInput() ? TechRequestException.Kind.BAD_REQUEST : TechRequestException.Kind.FAILED;
        };
    }
}
