package io.meterlink.core.runtime;

import io.meterlink.core.buffer.Buffer;
import io.meterlink.core.buffer.ReadingEncoder;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.StoredForm;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.status.StatusSnapshot;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** Makes the parts {@link Gateway} wires together: the real ones in {@link StandardParts}, others in tests. */
public interface GatewayParts {
    ReadingEncoder encoder(String gatewayId);

    /** The encoder of stored readings in {@code form} (the JSON one unless overridden). */
    default ReadingEncoder encoder(String gatewayId, StoredForm form) {
        return encoder(gatewayId);
    }

    /** Opens (creating, checking, quarantining as needed) the store of record. */
    Buffer openBuffer(BufferConfig config, ReadingEncoder encoder, Clock clock) throws Exception;

    /**
     * Claims the store of record on the calling thread, so that a second process is refused here,
     * before the uplink connects, and returns the open, which the gateway runs on a thread of its own
     * while the uplink connects. The default claims nothing and opens in the returned step.
     */
    default Callable<Buffer> claimBuffer(BufferConfig config, ReadingEncoder encoder, Clock clock) throws Exception {
        return () -> openBuffer(config, encoder, clock);
    }

    UplinkService uplink(UplinkConfig config, String gatewayId, Buffer buffer, Supplier<StatusSnapshot> status, Clock clock);
}
