package io.meterlink.drivers.coap;

import io.meterlink.core.api.MeterId;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One configured CoAP meter. Immutable; holds no key (the PSK stays in its file until the
 * connector is built).
 *
 * @param meter           the meter id of its readings ({@code coap:<manufacturer>:<id>})
 * @param uri             {@code coap://} or {@code coaps://} resource
 * @param observe         observe the resource (RFC 7641) instead of polling it
 * @param interval        poll interval, or the longest expected time between notifications
 * @param reregisterAfter with observe: no notification for this long → register again (the meter restarted)
 * @param minGap          notifications closer together than this are dropped and counted (a flooding meter)
 * @param pskIdentity     DTLS PSK identity, or {@code null}
 * @param pskFile         file holding the PSK (mode 0600): its bytes, or {@code hex:} and hex digits
 * @param certFile        DTLS certificate chain (PEM) of the gateway, or {@code null}
 * @param keyFile         its private key (PEM, mode 0600)
 * @param trustFile       the CA certificates (PEM) that sign meters' certificates
 */
record CoapMeter(MeterId meter, URI uri, boolean observe, Duration interval, Duration reregisterAfter, Duration minGap,
                 String pskIdentity, Path pskFile, Path certFile, Path keyFile, Path trustFile) {
    boolean secure() { return "coaps".equals(uri.getScheme()); }

    boolean psk() { return pskIdentity != null; }
}
