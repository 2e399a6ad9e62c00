package io.meterlink.provisioning.bundle;

import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.TestCa;

/** Bundle texts for tests. */
final class Bundles {
    static final String METER_KEY_1 = "00112233445566778899AABBCCDDEEFF";
    static final String METER_KEY_2 = "0123456789abcdef0123456789abcdef";
    static final String PASSWORD = "s3cret-Broker-Pa55word";

    private Bundles() {
    }

    static String caBlock(TestCa ca) throws Exception {
        return Pem.encode("CERTIFICATE", ca.certificate().getEncoded()).indent(2);
    }

    /** A valid bundle with two keyed meters; {@code extraBroker} lines go under broker:. */
    static String bundle(long version, TestCa ca, String... extraBroker) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("bundle_version: ").append(version).append('\n');
        sb.append("gateway_id: gw-0001\n");
        sb.append("topic_prefix: utility/meters\n");
        sb.append("ca_certificates: |\n").append(caBlock(ca));
        sb.append("broker:\n  url: ssl://mqtt.utility.example:8883\n  protocol: mqtt5\n");
        for (String line : extraBroker) sb.append("  ").append(line).append('\n');
        sb.append("schedules:\n  hourly: {poll_interval: 1h, expected_interval: 1h}\n");
        sb.append("sources:\n");
        sb.append("  - name: water\n    driver: keyed\n    schedule: hourly\n    meters:\n");
        sb.append("      - {id: '12345678', key: ").append(METER_KEY_1).append("}\n");
        sb.append("      - {id: '87654321', key: ").append(METER_KEY_2).append("}\n");
        return sb.toString();
    }

    static String withPassword(long version, TestCa ca) throws Exception {
        return bundle(version, ca, "username: gw-0001", "password: " + PASSWORD);
    }
}
