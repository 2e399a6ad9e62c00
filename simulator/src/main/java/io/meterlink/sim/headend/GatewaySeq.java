package io.meterlink.sim.headend;

import java.util.Objects;

/**
 * What identifies one accepted reading at the head-end: the gateway and the sequence number it
 * stamped (DESIGN.md, "Idempotency"). Shown as {@code gw#seq}.
 */
public record GatewaySeq(String gateway, long seq) {
    public GatewaySeq {
        Objects.requireNonNull(gateway, "gateway");
    }

    @Override
    public String toString() {
        return gateway + "#" + seq;
    }
}
