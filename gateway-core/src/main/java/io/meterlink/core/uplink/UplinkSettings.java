package io.meterlink.core.uplink;

import io.meterlink.core.tls.TlsContexts;
import io.meterlink.core.tls.TlsMaterial;
import io.meterlink.core.config.UplinkConfig;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * One immutable snapshot of where and how the uplink connects: the configuration (URL, client id,
 * credentials) and the pinned CA certificates as read when the snapshot was taken. Every connection
 * attempt uses one snapshot, so the URL and the trust anchors always change together: a bundle that
 * re-points the state directory's {@code config} link changes neither until it is handed to
 * {@link MqttUplink#trial}. The client certificate and key are still read at each connect (renewal
 * replaces them in place; they are the gateway's own, not a bundle's). Immutable; thread-safe.
 */
record UplinkSettings(UplinkConfig cfg, List<X509Certificate> trustAnchors) {
    UplinkSettings {
        trustAnchors = List.copyOf(trustAnchors);
    }

    /** The CA certificates of {@code cfg} as {@code parsed} holds them, else read now (none for plaintext). */
    static UplinkSettings of(UplinkConfig cfg, TlsMaterial parsed) throws TlsContexts.TlsSetupException {
        Optional<java.nio.file.Path> ca = cfg.isTls() ? cfg.caFile() : Optional.empty();
        return new UplinkSettings(cfg, ca.isPresent() ? parsed.trustAnchors(ca.get()) : List.of());
    }
}
