package io.meterlink.core.api.config.keys;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;

/** The {@code metrics:} section: the local Prometheus endpoint. */
public final class MetricsKeys {
    private MetricsKeys() {
    }

    public static final ConfigKey<String> LISTEN = ConfigKey.text("listen", null,
            "serve `GET /metrics` there (e.g. `127.0.0.1:9464`), Prometheus text or OpenMetrics by `Accept`; only loopback addresses are accepted ([docs/payloads.md](docs/payloads.md), \"Local metrics\")")
            .describedAs("loopback `host:port`").defaultDescribed("none (off)");

    public static final KeyGroup GROUP = KeyGroup.of("gateway", "metrics", LISTEN);
}
