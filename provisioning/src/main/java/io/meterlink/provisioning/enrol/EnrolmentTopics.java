package io.meterlink.provisioning.enrol;

/**
 * The MQTT topics of enrolment and renewal (see {@code docs/provisioning.md}). The broker's ACL
 * confines a claim credential to {@code <prefix>/provisioning/<claim>/#} and a gateway to its own
 * {@code <prefix>/provisioning/renew/<gw>/…} topics. Stateless.
 */
public final class EnrolmentTopics {
    private EnrolmentTopics() {
    }

    /** The gateway publishes its CSR here with the claim credential. */
    public static String claimRequest(String prefix, String claimId) {
        return prefix + "/provisioning/" + claimId + "/csr";
    }

    /** The provisioning service answers a claim here. */
    public static String claimResponse(String prefix, String claimId, String gatewayId) {
        return prefix + "/provisioning/" + claimId + "/cert/" + gatewayId;
    }

    /** The gateway publishes its renewal CSR here with its own certificate. */
    public static String renewRequest(String prefix, String gatewayId) {
        return prefix + "/provisioning/renew/" + gatewayId + "/csr";
    }

    /** The provisioning service answers a renewal here. */
    public static String renewResponse(String prefix, String gatewayId) {
        return prefix + "/provisioning/renew/" + gatewayId + "/cert";
    }
}
