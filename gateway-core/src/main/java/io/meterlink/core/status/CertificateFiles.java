package io.meterlink.core.status;

import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.CertificateExpiry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

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
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

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

    /** A sentence when {@code key} exists and its group or others have any permission; {@code null} otherwise. */
    public static String keyFileWarning(Path key) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
            if (OWNER_ONLY.containsAll(perms)) return null;
            return "the private key " + key + " has mode " + PosixFilePermissions.toString(perms)
                    + ": other users can read it; chmod 0600 " + key;
        } catch (UnsupportedOperationException | IOException e) {
            return null; // missing (reported elsewhere) or not a POSIX file system
        }
    }
}
