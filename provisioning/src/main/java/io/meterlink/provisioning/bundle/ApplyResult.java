package io.meterlink.provisioning.bundle;

import java.nio.file.Path;

/**
 * What {@link BundleService#apply} or {@link BundleService#rollback} made active. Holds no secret.
 *
 * @param version         the bundle version now active
 * @param previousVersion the version it replaced (the one {@code rollback} returns to), 0 when none
 * @param configFile      the generated gateway configuration ({@code <state>/config/meterlink.yaml})
 * @param caFile          the pinned utility CA certificate(s) ({@code <state>/config/ca.pem})
 * @param sources         number of sources (meter groups) configured
 * @param uplinkChanged   the broker URL or the pinned CA differ from the configuration before: a running gateway
 *                        tries them as a trial ({@code GatewayProvisioning}) and rolls back when the broker does not accept it
 */
public record ApplyResult(long version, long previousVersion, Path configFile, Path caFile, int sources, boolean uplinkChanged) {
    public ApplyResult(long version, long previousVersion, Path configFile, Path caFile, int sources) {
        this(version, previousVersion, configFile, caFile, sources, false);
    }
}
