package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;

import java.time.Duration;
import java.util.Optional;

/** A driver type for bundle tests: meters with an id and a 128-bit AES key (hex), polled on a schedule. */
final class KeyedDriverFactory implements DriverFactory {
    @Override public String type() { return "keyed"; }

    @Override public DriverSpec configure(Settings s) {
        s.duration("poll_interval", Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofDays(1));
        boolean ok = true;
        for (Settings m : s.sections("meters")) {
            m.requiredString("id");
            Optional<Secret> key = m.secret("key");
            if (key.isEmpty()) {
                m.error("key", "required key is missing");
                ok = false;
            } else {
                try {
                    if (key.get().revealHex().length != 16) {
                        m.error("key", "must be 32 hex digits (AES-128)");
                        ok = false;
                    }
                } catch (IllegalArgumentException e) {
                    m.error("key", "must be 32 hex digits (AES-128)");
                    ok = false;
                }
            }
            m.finish();
        }
        s.finish();
        return ok ? context -> { throw new UnsupportedOperationException("not started in tests"); } : null;
    }
}
