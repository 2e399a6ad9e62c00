package io.meterlink.provisioning.tech;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.status.StatusSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the technician endpoint asks of the rest of the gateway: one small hook per resource. A hook
 * left unset makes its resource answer 5.01 Not Implemented. Hooks are called on the endpoint's
 * worker threads and must be thread-safe.
 */
public final class TechServices {

    /** The gateway's live status ({@code Gateway::status}). */
    @FunctionalInterface
    public interface StatusSource {
        StatusSnapshot status();
    }

    /** When the gateway's own certificate expires, when it has one. */
    @FunctionalInterface
    public interface CertificateExpiry {
        Optional<Instant> notAfter();
    }

    /** The meters heard since start. */
    @FunctionalInterface
    public interface MeterDirectory {
        List<MeterReport> meters();
    }

    /** Validates and applies a configuration bundle (the bundle service). */
    @FunctionalInterface
    public interface BundleApplier {
        /** Returns a short description of what was applied (e.g. {@code "version 7"}); never a secret. */
        String apply(byte[] bundle) throws TechRequestException;
    }

    /** Starts online enrolment; returns a short state description. */
    @FunctionalInterface
    public interface Enrolment {
        String start() throws TechRequestException;
    }

    /** Reads one meter now, outside its schedule. */
    @FunctionalInterface
    public interface MeterReader {
        List<Reading> readNow(MeterId meter, Duration timeout) throws TechRequestException;
    }

    private final StatusSource status;
    private final CertificateExpiry certificate;
    private final MeterDirectory meters;
    private final BundleApplier bundles;
    private final Enrolment enrolment;
    private final MeterReader reader;

    private TechServices(Builder b) {
        this.status = b.status;
        this.certificate = b.certificate == null ? Optional::empty : b.certificate;
        this.meters = b.meters;
        this.bundles = b.bundles;
        this.enrolment = b.enrolment;
        this.reader = b.reader;
    }

    public static Builder builder() { return new Builder(); }

    Optional<StatusSource> status() { return Optional.ofNullable(status); }
    CertificateExpiry certificate() { return certificate; }
    Optional<MeterDirectory> meters() { return Optional.ofNullable(meters); }
    Optional<BundleApplier> bundles() { return Optional.ofNullable(bundles); }
    Optional<Enrolment> enrolment() { return Optional.ofNullable(enrolment); }
    Optional<MeterReader> reader() { return Optional.ofNullable(reader); }

    /** Collects the hooks; every one is optional. */
    public static final class Builder {
        private StatusSource status;
        private CertificateExpiry certificate;
        private MeterDirectory meters;
        private BundleApplier bundles;
        private Enrolment enrolment;
        private MeterReader reader;

        private Builder() { }

        public Builder status(StatusSource s) { this.status = Objects.requireNonNull(s); return this; }
        public Builder certificate(CertificateExpiry c) { this.certificate = Objects.requireNonNull(c); return this; }
        public Builder meters(MeterDirectory m) { this.meters = Objects.requireNonNull(m); return this; }
        public Builder bundles(BundleApplier b) { this.bundles = Objects.requireNonNull(b); return this; }
        public Builder enrolment(Enrolment e) { this.enrolment = Objects.requireNonNull(e); return this; }
        public Builder reader(MeterReader r) { this.reader = Objects.requireNonNull(r); return this; }

        public TechServices build() { return new TechServices(this); }
    }
}
