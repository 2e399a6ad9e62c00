package io.meterlink.provisioning.secret;

import java.util.Objects;

/**
 * A provisioning step refused or failed. {@link #kind()} says why, so that a caller (CLI, MQTT command,
 * CoAP endpoint) can map it to an exit code or a response code. The message never holds key material,
 * passwords or secret configuration values.
 */
public class ProvisioningException extends Exception {
    /** Why the step did not happen. */
    public enum Kind {
        /** Bad argument or file from the caller (exit 2). */
        INVALID_INPUT(true),
        /** No identity in the state directory yet: run {@code provision init} first. */
        NOT_INITIALISED(true),
        /** An identity exists and re-initialising was not forced. */
        ALREADY_INITIALISED(true),
        /** The certificate's public key is not the gateway's key. */
        CERT_KEY_MISMATCH(true),
        /** The certificate does not chain to the pinned utility CA (or is for another gateway). */
        CERT_UNTRUSTED(true),
        /** The certificate's validity has not started yet. */
        CERT_NOT_YET_VALID(true),
        /** The certificate has expired. */
        CERT_EXPIRED(true),
        /** The bundle has errors (see {@code BundleException#errors()}). */
        BUNDLE_INVALID(true),
        /** The bundle's version is not newer than the installed one. */
        BUNDLE_NOT_NEWER(true),
        /** There is no previous configuration to roll back to. */
        NOTHING_TO_ROLL_BACK(true),
        /** Reading or writing the state directory failed (exit 3). */
        STORAGE(false);

        private final boolean badInput;

        Kind(boolean badInput) { this.badInput = badInput; }

        /** True when the caller's input or the device's state is at fault (CLI exit 2), false for a runtime failure (exit 3). */
        public boolean badInput() { return badInput; }
    }

    private final Kind kind;

    public ProvisioningException(Kind kind, String message) {
        this(kind, message, null);
    }

    public ProvisioningException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() { return kind; }
}
