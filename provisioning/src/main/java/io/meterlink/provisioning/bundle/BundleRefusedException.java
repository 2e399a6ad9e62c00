package io.meterlink.provisioning.bundle;

import io.meterlink.provisioning.secret.ProvisioningException;

/**
 * A bundle refused before anything was written, with a stable machine-readable {@link #reason()}
 * (the {@code error} of a {@code cmd-reply}, the technician endpoint's message prefix). The message
 * never quotes a value from the bundle.
 */
public final class BundleRefusedException extends ProvisioningException {
    /** Why a bundle was refused; {@link #code()} is what replies carry. */
    public enum Reason {
        /** Arrived without a signature over a channel that requires one. */
        UNSIGNED,
        /** The signature envelope is malformed (header, algorithm, base64). */
        BAD_ENVELOPE,
        /** The signature does not verify with the pinned key (or names another key). */
        BAD_SIGNATURE,
        /** No signing key is pinned on this gateway, so no signed bundle can be checked. */
        NO_SIGNING_KEY,
        /** The bundle names another gateway, or none. */
        WRONG_GATEWAY,
        /** The version is not above the highest ever accepted (a replay or an old bundle). */
        REPLAYED,
        /** The version jumps further ahead than {@link BundleService#MAX_VERSION_STEP}. */
        VERSION_JUMP,
        /** A setting no bundle may make (plaintext MQTT, allow_insecure, credentials in a URL). */
        FORBIDDEN_SETTING,
        /** A path outside the state directory, or into identity/, tls/ or bundles/. */
        PATH_ESCAPE;

        public String code() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private final Reason reason;

    public BundleRefusedException(Reason reason, String message) {
        super(reason == Reason.REPLAYED ? Kind.BUNDLE_NOT_NEWER : Kind.INVALID_INPUT, reason.code() + ": " + message);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
