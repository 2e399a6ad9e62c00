package io.meterlink.core.uplink.internal;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.HashSet;
import java.util.Set;

/** Turns connection and publish failures into one short line for logs and status, without secrets. */
public final class UplinkErrors {

    private UplinkErrors() {
    }

    public static String describe(Throwable t) {
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
    public static String tlsReason(Throwable t) {
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

    /**
     * True when the broker refused our credentials: a TLS alert about our certificate (bad, revoked,
     * expired, unknown CA), or an MQTT CONNACK "not authorised" / "bad user name or password"
     * (MQTT 3.1.1 §3.2.2.3 codes 4 and 5, MQTT 5 §3.2.2.2 reason codes 0x86, 0x87).
     */
    public static boolean isCredentialRefusal(Throwable t) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (c instanceof org.eclipse.paho.client.mqttv3.MqttException e3) {
                int rc = e3.getReasonCode();
                if (rc == 4 || rc == 5) return true;
            }
            if (c instanceof org.eclipse.paho.mqttv5.common.MqttException e5) {
                int rc = e5.getReasonCode();
                if (rc == 0x86 || rc == 0x87) return true;
            }
            String m = c.getMessage();
            if (c instanceof javax.net.ssl.SSLException && m != null && m.contains("fatal alert")
                    && (m.contains("certificate") || m.contains("unknown_ca") || m.contains("handshake_failure"))) {
                return true;
            }
        }
        return false;
    }

    private static Throwable root(Throwable t) {
        Set<Throwable> seen = new HashSet<>();
        Throwable r = t;
        while (r.getCause() != null && seen.add(r)) r = r.getCause();
        return r;
    }
}
