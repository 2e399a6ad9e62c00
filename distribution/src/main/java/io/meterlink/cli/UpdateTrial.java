package io.meterlink.cli;

import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.provisioning.update.Releases;

/**
 * Whether the running release is an update on trial ({@code <state_dir>/releases/pending} names the
 * current one): then whatever opens the buffer keeps its layout, so that a rollback hands the previous
 * release a file it reads (docs/fleet.md, "The buffer across an update").
 */
final class UpdateTrial {
    private UpdateTrial() {
    }

    /** The buffer section to open the buffer with: the configured one, keeping its layout while an update is on trial. */
    static BufferConfig buffer(GatewayConfig cfg) {
        return Releases.of(cfg.stateDir()).pending().isPresent() ? cfg.buffer().keepingLayout() : cfg.buffer();
    }
}
