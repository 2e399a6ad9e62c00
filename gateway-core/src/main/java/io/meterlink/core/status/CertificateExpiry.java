package io.meterlink.core.status;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Days until the client certificate in a PEM file expires, for status. The file is read again when
 * its modification time changes (a renewal replaces it). Thread-safe.
 */
public final class CertificateExpiry {
    private final Path file;
    private FileTime readAt;
    private Instant notAfter;

    public CertificateExpiry(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** The first certificate's end of validity, or {@code null} when the file is missing or unreadable. */
    public synchronized Instant notAfter() {
        try {
            FileTime mtime = Files.getLastModifiedTime(file);
            if (!mtime.equals(readAt)) {
                try (InputStream in = Files.newInputStream(file)) {
                    notAfter = ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in))
                            .getNotAfter().toInstant();
                }
                readAt = mtime;
            }
            return notAfter;
        } catch (Exception e) {
            readAt = null;
            notAfter = null;
            return null;
        }
    }

    /** Whole days from {@code now} to expiry, rounded down (negative once expired); {@code null} when unknown. */
    public Long daysLeft(Instant now) {
        Instant end = notAfter();
        if (end == null) return null;
        return Math.floorDiv(Duration.between(now, end).toSeconds(), 86_400L);
    }
}
