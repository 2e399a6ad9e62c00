package io.meterlink.drivers.p1;

import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.Secret;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;
import io.meterlink.core.api.driver.FrameDecoder;
import io.meterlink.drivers.obis.SecretFile;
import io.meterlink.drivers.obis.StreamSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * DSMR P1 ports (plain and encrypted) read as they push telegrams (DSMR 5.0.2 §4: 115200 8N1 every
 * second; DSMR 2.2/3: 9600 7E1 every 10 s), on a serial line or a raw TCP socket (ser2net).
 *
 * <pre>
 * driver: p1
 * transport: serial        # serial | tcp
 * port: /dev/ttyUSB0       # serial
 * baud: 115200             # 115200 (DSMR 4/5, default) or 9600 (DSMR 2.2/3)
 * framing: 8N1             # 8N1, or 7E1 (default when baud is 9600)
 * host: 10.0.0.5           # tcp
 * tcp_port: 2001           # tcp
 * time_zone: Europe/Amsterdam  # zone of telegram times without S/W flag
 * frame_timeout: 3s        # a telegram incomplete after this long without a byte is dropped
 * key: 000102…0F           # encrypted P1: encryption key (32 hex digits); a secret, never logged
 * auth_key: 000102…0F      # encrypted P1: authentication key (32 hex digits)
 * key_file: /etc/meterlink/p1.keys   # instead of key/auth_key: line 1 key, line 2 auth key; mode 0600
 * </pre>
 * The meter is {@code p1:<equipment id>:0}; gas, water and heat on M-Bus channel n are their own
 * meters {@code p1:<their equipment id>:n}. Stateless, thread-safe.
 */
public final class P1DriverFactory implements DriverFactory {
    private static final P1FrameDecoder DECODER = new P1FrameDecoder();
    private static final String HEX32 = "[0-9A-Fa-f]{32}";

    @Override public String type() { return P1Telegrams.PROTOCOL; }

    @Override public List<KeyGroup> keys() { return List.of(P1Keys.GROUP); }

    @Override public Optional<FrameDecoder> decoder() { return Optional.of(DECODER); }

    @Override
    public DriverSpec configure(Settings s) {
        boolean ok = true;
        int baud = s.get(P1Keys.BAUD);
        Optional<Secret> key = s.get(P1Keys.KEY);
        Optional<Secret> authKey = s.get(P1Keys.AUTH_KEY);
        Optional<Path> keyFile = s.get(P1Keys.KEY_FILE);
        if (keyFile.isPresent()) {
            if (key.isPresent() || authKey.isPresent()) {
                s.error("key_file", "give key/auth_key or key_file, not both");
                ok = false;
            } else {
                List<Secret> keys = SecretFile.read(s, "key_file", keyFile.get(), 2,
                        "the encryption key on its first line and optionally the authentication key on the second");
                if (keys == null) ok = false;
                else {
                    key = Optional.of(keys.get(0));
                    authKey = keys.size() > 1 ? Optional.of(keys.get(1)) : Optional.empty();
                }
            }
        }
        if (key.isPresent() && !new String(key.get().reveal()).matches(HEX32)) {
            s.error(keyFile.isPresent() ? "key_file" : "key", "the encryption key must be 32 hex digits (AES-128)"); // never echo it
            ok = false;
        }
        if (authKey.isPresent() && !new String(authKey.get().reveal()).matches(HEX32)) {
            s.error(keyFile.isPresent() ? "key_file" : "auth_key", "the authentication key must be 32 hex digits (AES-128)");
            ok = false;
        }
        if (authKey.isPresent() && key.isEmpty()) {
            s.error("auth_key", "needs key (the encryption key)");
            ok = false;
        }
        FrameDecoder.Options options = new FrameDecoder.Options(key.orElse(null), authKey.orElse(null), null);
        return StreamSource.read(s, DECODER, options, baud, baud == 9600 ? "7E1" : "8N1", ok);
    }
}
