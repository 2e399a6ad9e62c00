package io.meterlink.core.status;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.api.config.OwnerOnlyFile;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.CertificateExpiry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client certificate and key files say without a connection: days left, the alarms that
 * follow from the files alone, and a private key other users can read. Used by the offline status
 * and at start-up.
 *
 * @param configured    whether the configuration names a client certificate at all
 * @param daysLeft      whole days until the certificate expires (negative once expired), {@code null} when unknown
 * @param alarms        {@code certificate_expired}, {@code certificate_missing}, {@code key_file_exposed}
 * @param keyFileWarning a sentence on the key file's mode when group or others may read it, else {@code null}
 */
public record CertificateFiles(boolean configured, Long daysLeft, List<Alarm> alarms, String keyFileWarning) {
    public CertificateFiles {
        alarms = List.copyOf(alarms);
    }

    public static CertificateFiles inspect(UplinkConfig uplink, Instant now) {
        List<Alarm> alarms = new ArrayList<>();
        Long days = null;
        if (uplink.certFile().isPresent()) {
            Path cert = uplink.certFile().get();
            days = new CertificateExpiry(cert).daysLeft(now);
            if (!Files.exists(cert)) alarms.add(Alarm.of(Alarm.Kind.CERTIFICATE_MISSING));
            else if (days != null && days < 0) alarms.add(Alarm.of(Alarm.Kind.CERTIFICATE_EXPIRED));
        }
        String warning = uplink.keyFile().map(CertificateFiles::keyFileWarning).orElse(null);
        if (warning != null) alarms.add(Alarm.of(Alarm.Kind.KEY_FILE_EXPOSED));
        return new CertificateFiles(uplink.certFile().isPresent(), days, alarms, warning);
    }

    /**
     * A sentence when {@code key} exists and is not owner-only by the one rule for secret files
     * ({@link OwnerOnlyFile}); {@code null} otherwise (a missing key is reported elsewhere).
     */
    public static String keyFileWarning(Path key) {
        if (!Files.exists(key)) return null;
        return OwnerOnlyFile.problem(key).map(p -> "the private key: " + p + "; chmod 0600 " + key).orElse(null);
    }
}
