package io.meterlink.core.uplink;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.HashSet;
import java.util.Set;

/** Turns connection and publish failures into one short line for logs and status, without secrets. */
final class UplinkErrors {

    private UplinkErrors() {
    }

    static String describe(Throwable t) {
        String tls = tlsReason(t);
        if (tls != null) return tls;
        Throwable root = root(t);
        String msg = root.getMessage();
        String top = t.getMessage();
        StringBuilder sb = new StringBuilder();
        if (top != null && root != t) sb.append(top).append(": ");
        sb.append(root.getClass().getSimpleName());
        if (msg != null && !msg.equals(top)) sb.append(": ").append(msg);
        return sb.toString();
    }

    /** A named TLS refusal (expired, wrong host, untrusted) when the cause chain shows one, else null. */
    static String tlsReason(Throwable t) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (c instanceof CertificateExpiredException) {
                return "TLS: server certificate expired (" + c.getMessage() + ")";
            }
            if (c instanceof CertificateNotYetValidException) {
                return "TLS: server certificate not yet valid (" + c.getMessage() + ")";
            }
            String m = c.getMessage();
            if (m == null) continue;
            if (m.contains("No subject alternative") || m.contains("No name matching")) {
                return "TLS: server certificate does not match the host name (" + m + ")";
            }
            if (m.contains("unable to find valid certification path") || m.contains("PKIX path building failed")) {
                return "TLS: server certificate not issued by the pinned CA (" + m + ")";
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof javax.net.ssl.SSLException) return "TLS: " + c.getMessage();
            if (c.getCause() == c) break;
        }
        return null;
    }

    private static Throwable root(Throwable t) {
        Set<Throwable> seen = new HashSet<>();
        Throwable r = t;
        while (r.getCause() != null && seen.add(r)) r = r.getCause();
        return r;
    }
}
