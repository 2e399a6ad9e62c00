package io.meterlink.provisioning.enrol;

import java.util.HashSet;
import java.util.Set;

/** Short, secret-free descriptions of connection failures. */
final class Errors {
    private Errors() {
    }

    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
        Set<Throwable> seen = new HashSet<>();
        for (Throwable c = t.getCause(); c != null && seen.add(c); c = c.getCause()) {
            if (c.getMessage() != null) sb.append(": ").append(c.getMessage());
        }
        return sb.toString();
    }

    /** A TLS alert about our certificate, or CONNACK not authorised / bad credentials (MQTT 5 §3.2.2.2: 0x86, 0x87). */
    static boolean isCredentialRefusal(Throwable t) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            if (c instanceof org.eclipse.paho.mqttv5.common.MqttException e && (e.getReasonCode() == 0x86 || e.getReasonCode() == 0x87)) {
                return true;
            }
            String m = c.getMessage();
            if (c instanceof javax.net.ssl.SSLException && m != null && m.contains("fatal alert")
                    && (m.contains("certificate") || m.contains("unknown_ca") || m.contains("handshake_failure"))) {
                return true;
            }
        }
        return false;
    }
}
