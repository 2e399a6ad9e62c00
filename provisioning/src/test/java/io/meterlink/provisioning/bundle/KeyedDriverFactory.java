package io.meterlink.provisioning.bundle;

import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A driver type for bundle tests: meters with an id and a 128-bit AES key (hex), polled on a schedule. */
final class KeyedDriverFactory implements DriverFactory {
    private static final ConfigKey<Duration> POLL_INTERVAL = ConfigKey.duration("poll_interval", Duration.ofMinutes(15),
            Duration.ofSeconds(1), Duration.ofDays(1), "how often");
    private static final ConfigKey<List<Settings>> METERS = ConfigKey.sections("meters[]", "the meters");
    private static final ConfigKey<String> ID = ConfigKey.required("meters[].id", "meter id");
    private static final ConfigKey<Optional<Secret>> KEY = ConfigKey.secret("meters[].key", "AES-128 key, hex");

    @Override public String type() { return "keyed"; }

    @Override public DriverSpec configure(Settings s) {
        s.get(POLL_INTERVAL);
        boolean ok = true;
        for (Settings m : s.get(METERS)) {
            m.get(ID);
            Optional<Secret> key = m.get(KEY);
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
