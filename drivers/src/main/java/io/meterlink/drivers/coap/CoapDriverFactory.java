package io.meterlink.drivers.coap;

import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.config.ConfigKey;
import io.meterlink.core.api.config.KeyGroup;
import io.meterlink.core.api.config.OwnerOnlyFile;
import io.meterlink.core.api.config.Settings;
import io.meterlink.core.api.driver.DriverFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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
 * The keys are declared in {@link CoapKeys}. Stateless, thread-safe.
 */
public final class CoapDriverFactory implements DriverFactory {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final Pattern MANUFACTURER = Pattern.compile("[A-Za-z0-9@_-]{1,16}");

    @Override public String type() { return "coap"; }

    @Override public List<KeyGroup> keys() { return List.of(CoapKeys.GROUP); }

    // SenML decoding for meterlink decode is offered by SenmlDecoderFactory (type senml)

    @Override
    public DriverSpec configure(Settings s) {
        CoapDriverConfig config = read(s);
        return config == null ? null : context -> new CoapDriver(config, context);
    }

    static CoapDriverConfig read(Settings s) {
        boolean ok = true;
        Duration timeout = s.get(CoapKeys.TIMEOUT);
        List<CoapMeter> meters = new ArrayList<>();
        Set<MeterId> ids = new HashSet<>();
        List<Settings> sections = s.get(CoapKeys.METERS);
        if (sections.isEmpty()) {
            s.error(CoapKeys.METERS, "at least one meter is required");
            ok = false;
        }
        for (Settings m : sections) {
            CoapMeter meter = meter(m);
            if (meter == null) {
                ok = false;
            } else if (!ids.add(meter.meter())) {
                m.error(CoapKeys.ID, "meter " + meter.meter() + " is listed twice");
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
        String id = m.get(CoapKeys.ID);
        if (id != null && !ID.matcher(id).matches()) {
            m.error(CoapKeys.ID, "must be 1 to 40 letters, digits, '.', '_' or '-'");
            ok = false;
        }
        String manufacturer = m.get(CoapKeys.MANUFACTURER);
        if (!MANUFACTURER.matcher(manufacturer).matches()) {
            m.error(CoapKeys.MANUFACTURER, "must be 1 to 16 letters, digits, '@', '_' or '-'");
            ok = false;
        }
        URI uri = null;
        String text = m.get(CoapKeys.URI);
        if (text != null) {
            try {
                uri = new URI(text);
                if (!"coap".equals(uri.getScheme()) && !"coaps".equals(uri.getScheme()) || uri.getHost() == null) {
                    m.error(CoapKeys.URI, "must be coap://host[:port]/path or coaps://…");
                    ok = false;
                }
            } catch (URISyntaxException e) {
                m.error(CoapKeys.URI, "not a URI: " + e.getReason());
                ok = false;
            }
        }
        boolean observe = "observe".equals(m.get(CoapKeys.MODE));
        Duration interval = m.get(CoapKeys.INTERVAL);
        Duration reregister = m.get(CoapKeys.REREGISTER_AFTER, interval.multipliedBy(3));
        Duration tenth = interval.dividedBy(10);
        Duration minGap = m.get(CoapKeys.MIN_GAP, tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth);
        String pskIdentity = m.get(CoapKeys.PSK_IDENTITY);
        Path pskFile = m.get(CoapKeys.PSK_FILE).orElse(null);
        Path cert = m.get(CoapKeys.CERT_FILE).orElse(null);
        Path key = m.get(CoapKeys.KEY_FILE).orElse(null);
        Path trust = m.get(CoapKeys.TRUST_FILE).orElse(null);
        boolean secure = uri != null && "coaps".equals(uri.getScheme());
        if ((pskIdentity == null) != (pskFile == null)) {
            m.error(pskIdentity == null ? CoapKeys.PSK_IDENTITY : CoapKeys.PSK_FILE, "psk_identity and psk_file go together");
            ok = false;
        }
        boolean certs = cert != null || key != null || trust != null;
        if (certs && (cert == null || key == null || trust == null)) {
            m.error(cert == null ? CoapKeys.CERT_FILE : key == null ? CoapKeys.KEY_FILE : CoapKeys.TRUST_FILE,
                    "cert_file, key_file and trust_file go together");
            ok = false;
        }
        if (secure && pskIdentity == null && !certs) {
            m.error(CoapKeys.URI, "coaps needs psk_identity/psk_file or cert_file/key_file/trust_file");
            ok = false;
        }
        if (!secure && (pskIdentity != null || certs)) {
            m.error(CoapKeys.URI, "keys are given but the URI is plain coap://; use coaps://");
            ok = false;
        }
        if (pskIdentity != null && certs) {
            m.error(CoapKeys.PSK_IDENTITY, "give either a PSK or certificates, not both");
            ok = false;
        }
        ok &= ownerOnly(m, CoapKeys.PSK_FILE, pskFile);
        ok &= ownerOnly(m, CoapKeys.KEY_FILE, key);
        m.finish();
        if (!ok || id == null || uri == null) return null;
        return new CoapMeter(MeterId.of("coap", manufacturer, id), uri, observe, interval, reregister, minGap, pskIdentity, pskFile, cert, key, trust);
    }

    /** A key file must exist and be owner-only ({@link OwnerOnlyFile}: the one rule for secret files). */
    private static boolean ownerOnly(Settings m, ConfigKey<?> key, Path file) {
        if (file == null) return true;
        Optional<String> problem = OwnerOnlyFile.problem(file);
        problem.ifPresent(p -> m.error(key, p));
        return problem.isEmpty();
    }
}
