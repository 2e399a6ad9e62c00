package io.meterlink.provisioning.enrol;

import io.meterlink.provisioning.secret.ProvisioningException;

/**
 * Enrolment or renewal did not produce a certificate. {@link #reason()} says why; the kind maps it
 * to the CLI's exit code (refusals are the caller's to fix: exit 2; an unreachable broker or no
 * answer in time: exit 3, worth retrying). The message never holds key material or passwords.
 */
public final class EnrolmentException extends ProvisioningException {
    /** Why enrolment failed. */
    public enum Reason {
        /** The broker refused the credential (TLS alert, CONNACK not authorised). */
        CREDENTIAL_REFUSED(Kind.INVALID_INPUT),
        /** The broker refused to take the request (PUBACK/SUBACK not authorised): the ACL does not allow it. */
        NOT_PERMITTED(Kind.INVALID_INPUT),
        /** The provisioning service refused to issue (e.g. the gateway id is not on its allow-list). */
        REFUSED_BY_SERVICE(Kind.INVALID_INPUT),
        /** The broker could not be reached or the connection broke. */
        UNREACHABLE(Kind.STORAGE),
        /** No answer within the timeout. */
        TIMEOUT(Kind.STORAGE),
        /** The new certificate did not work against the broker; the old one stays installed. */
        NEW_CERTIFICATE_REFUSED(Kind.CERT_UNTRUSTED);

        private final Kind kind;

        Reason(Kind kind) { this.kind = kind; }
    }

    private final Reason reason;

    public EnrolmentException(Reason reason, String message, Throwable cause) {
        super(reason.kind, message, cause);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
