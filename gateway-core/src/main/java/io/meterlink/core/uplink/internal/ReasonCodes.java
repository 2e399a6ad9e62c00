package io.meterlink.core.uplink.internal;

/** MQTT 5 PUBACK reason codes (OASIS MQTT 5.0 §3.4.2.1) and how the uplink treats a refusal. */
public final class ReasonCodes {

    private ReasonCodes() {
    }

    public static String describe(int rc) {
        String name = switch (rc) {
            case 0x00 -> "success";
            case 0x10 -> "no matching subscribers";
            case 0x80 -> "unspecified error";
            case 0x83 -> "implementation specific error";
            case 0x87 -> "not authorized";
            case 0x90 -> "topic name invalid";
            case 0x91 -> "packet identifier in use";
            case 0x95 -> "packet too large";
            case 0x97 -> "quota exceeded";
            case 0x99 -> "payload format invalid";
            default -> "reason";
        };
        return String.format("0x%02X %s", rc, name);
    }

    /**
     * Refusals that concern the batch itself (its size or content), so sending it again can never
     * succeed: 0x83 (Mosquitto: payload too large), 0x95 packet too large, 0x99 payload format invalid.
     * Everything else (0x87 not authorised, 0x90 topic invalid, 0x97 quota, 0x80 …) concerns the
     * topic, the account or the broker, is the same for every batch, and is retried after a backoff.
     */
    public static boolean isBatchSpecific(int rc) {
        return rc == 0x83 || rc == 0x95 || rc == 0x99;
    }
}
