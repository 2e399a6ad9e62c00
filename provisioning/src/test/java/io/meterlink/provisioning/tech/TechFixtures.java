package io.meterlink.provisioning.tech;

import io.meterlink.core.status.BadInputCounts;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.status.StatusSnapshot;
import io.meterlink.core.status.UplinkStats;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Shared test data for the technician endpoint tests. */
final class TechFixtures {
    static final String SECRET = "label-secret-7Qm2-Zx9v-44Lp";
    static final TechnicianPsk PSK = TechnicianPsk.of("technician", SECRET.toCharArray());
    static final TechnicianPsk WRONG_PSK = TechnicianPsk.of("technician", "label-secret-WRONG-000000".toCharArray());
    static final MeterId METER = MeterId.of("wmbus:KAM:12345678");

    private TechFixtures() { }

    static TechEndpointConfig config() {
        return TechEndpointConfig.defaults().withBindAddress(InetAddress.getLoopbackAddress()).withPort(0);
    }

    static StatusSnapshot status() {
        BufferStats b = new BufferStats(12, 3400, 1_000_000, 5000, 99, 120, 108, Map.of(), 0, List.of());
        UplinkStats u = new UplinkStats(true, 1, 108, 1_700_000_000_000L, 0, null);
        return new StatusSnapshot("gw-test-1", "0.1.0-test", 1_700_000_000_000L, 60, b, u, 1, List.of(), BadInputCounts.NONE, List.of());
    }

    static Reading reading(String value) {
        return Reading.of(METER, Quantity.VOLUME, Unit.M3, new BigDecimal(value), null, Instant.parse("2026-01-02T03:04:05Z"));
    }

    static TechClient client(TechnicianEndpoint endpoint, TechnicianPsk psk) {
        InetSocketAddress a = endpoint.address().orElseThrow();
        return new TechClient(new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort()), psk, Duration.ofSeconds(8), 256 * 1024);
    }
}
