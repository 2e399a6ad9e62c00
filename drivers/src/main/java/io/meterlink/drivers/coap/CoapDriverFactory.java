package io.meterlink.drivers.coap;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * IP meters speaking CoAP (RFC 7252) or CoAPs (DTLS 1.2 with a PSK or certificates) that serve SenML
 * (RFC 8428, JSON or CBOR), through Eclipse Californium and Scandium.
 *
 * <pre>
 * driver: coap
 * timeout: 10s                     # one request's answer (with retransmissions and blockwise transfer)
 * meters:
 *   - id: flat-12                  # meter id coap:senml:flat-12
 *     manufacturer: senml          # the middle part of the meter id
 *     uri: coaps://192.0.2.10/meter
 *     mode: observe                # observe (RFC 7641) | poll
 *     interval: 1m                 # poll interval, or how often the meter notifies
 *     reregister_after: 3m         # observe: no notification for this long → register again (default 3 × interval)
 *     min_gap: 1s                  # notifications closer than this are dropped and counted (default interval / 10, at most 1 s)
 *     psk_identity: flat-12        # coaps with a pre-shared key …
 *     psk_file: /etc/meterlink/coap/flat-12.psk   # … from this file (mode 0600): its bytes, or "hex:" + hex digits
 *     cert_file / key_file / trust_file           # … or certificates (PEM; key_file mode 0600)
 * </pre>
 * Stateless, thread-safe.
 */
public final class CoapDriverFactory implements DriverFactory {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final Pattern MANUFACTURER = Pattern.compile("[A-Za-z0-9@_-]{1,16}");

    @Override public String type() { return "coap"; }

    // SenML decoding for meterlink decode is offered by SenmlDecoderFactory (type senml)

    @Override
    public DriverSpec configure(Settings s) {
        CoapDriverConfig config = read(s);
        return config == null ? null : context -> new CoapDriver(config, context);
    }

    static CoapDriverConfig read(Settings s) {
        boolean ok = true;
        Duration timeout = s.duration("timeout", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5));
        List<CoapMeter> meters = new ArrayList<>();
        Set<MeterId> ids = new HashSet<>();
        List<Settings> sections = s.sections("meters");
        if (sections.isEmpty()) {
            s.error("meters", "at least one meter is required");
            ok = false;
        }
        for (Settings m : sections) {
            CoapMeter meter = meter(m);
            if (meter == null) {
                ok = false;
            } else if (!ids.add(meter.meter())) {
                m.error("id", "meter " + meter.meter() + " is listed twice");
                ok = false;
            } else {
                meters.add(meter);
            }
        }
        if (!ok || timeout == null) return null;
        return new CoapDriverConfig(timeout, meters);
    }

    private static CoapMeter meter(Settings m) {
        boolean ok = true;
        String id = m.requiredString("id");
        if (id != null && !ID.matcher(id).matches()) {
            m.error("id", "must be 1 to 40 letters, digits, '.', '_' or '-'");
            ok = false;
        }
        String manufacturer = m.string("manufacturer", "senml");
        if (!MANUFACTURER.matcher(manufacturer).matches()) {
            m.error("manufacturer", "must be 1 to 16 letters, digits, '@', '_' or '-'");
            ok = false;
        }
        URI uri = null;
        String text = m.requiredString("uri");
        if (text != null) {
            try {
                uri = new URI(text);
                if (!"coap".equals(uri.getScheme()) && !"coaps".equals(uri.getScheme()) || uri.getHost() == null) {
                    m.error("uri", "must be coap://host[:port]/path or coaps://…");
                    ok = false;
                }
            } catch (URISyntaxException e) {
                m.error("uri", "not a URI: " + e.getReason());
                ok = false;
            }
        }
        boolean observe = "observe".equals(m.choice("mode", "observe", Set.of("observe", "poll")));
        Duration interval = m.duration("interval", Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofDays(1));
        Duration reregister = interval == null ? null
                : m.duration("reregister_after", interval.multipliedBy(3), Duration.ofSeconds(2), Duration.ofDays(3));
        Duration minGap = interval == null ? null : m.duration("min_gap",
                interval.dividedBy(10).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : interval.dividedBy(10),
                Duration.ZERO, Duration.ofHours(1));
        String pskIdentity = m.string("psk_identity", null);
        Path pskFile = m.path("psk_file").orElse(null);
        Path cert = m.path("cert_file").orElse(null);
        Path key = m.path("key_file").orElse(null);
        Path trust = m.path("trust_file").orElse(null);
        boolean secure = uri != null && "coaps".equals(uri.getScheme());
        if ((pskIdentity == null) != (pskFile == null)) {
            m.error(pskIdentity == null ? "psk_identity" : "psk_file", "psk_identity and psk_file go together");
            ok = false;
        }
        boolean certs = cert != null || key != null || trust != null;
        if (certs && (cert == null || key == null || trust == null)) {
            m.error(cert == null ? "cert_file" : key == null ? "key_file" : "trust_file", "cert_file, key_file and trust_file go together");
            ok = false;
        }
        if (secure && pskIdentity == null && !certs) {
            m.error("uri", "coaps needs psk_identity/psk_file or cert_file/key_file/trust_file");
            ok = false;
        }
        if (!secure && (pskIdentity != null || certs)) {
            m.error("uri", "keys are given but the URI is plain coap://; use coaps://");
            ok = false;
        }
        if (pskIdentity != null && certs) {
            m.error("psk_identity", "give either a PSK or certificates, not both");
            ok = false;
        }
        ok &= ownerOnly(m, "psk_file", pskFile);
        ok &= ownerOnly(m, "key_file", key);
        m.finish();
        if (!ok || id == null || uri == null || interval == null || reregister == null || minGap == null) return null;
        return new CoapMeter(MeterId.of("coap", manufacturer, id), uri, observe, interval, reregister, minGap, pskIdentity, pskFile, cert, key, trust);
    }

    /** A key file must exist and be readable by its owner only (mode 0600 or stricter). */
    static boolean ownerOnly(Settings m, String key, Path file) {
        if (file == null) return true;
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            for (PosixFilePermission bad : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)) {
                if (p.contains(bad)) {
                    m.error(key, file + " is readable or writable by others: chmod 600 it");
                    return false;
                }
            }
            return true;
        } catch (UnsupportedOperationException e) {
            return true; // no POSIX modes on this file system
        } catch (IOException e) {
            m.error(key, "cannot read " + file + ": " + e.getMessage());
            return false;
        }
    }
}
