package io.meterlink.drivers.coap;

import java.time.Duration;
import java.util.List;

/**
 * A validated {@code coap} source. Immutable.
 *
 * @param timeout longest wait for one answer (retransmissions and blockwise transfer included)
 * @param meters  the meters
 */
record CoapDriverConfig(Duration timeout, List<CoapMeter> meters) {
    CoapDriverConfig {
        meters = List.copyOf(meters);
    }
}
