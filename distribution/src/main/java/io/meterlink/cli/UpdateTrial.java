package io.meterlink.cli;

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

    static boolean on(GatewayConfig cfg) {
        return Releases.of(cfg.stateDir()).pending().isPresent();
    }
}
