package io.meterlink.provisioning.tech;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The technician's client for the gateway's CoAPs endpoint (from a laptop): one DTLS session with
 * the device's PSK, reused for every request. Not thread-safe; {@link #close} sends close_notify
 * and releases the socket.
 */
public final class TechClient implements AutoCloseable {

    /**
     * A response.
     *
     * @param code    CoAP response code as text, e.g. {@code 2.05}
     * @param success whether the code is 2.xx
     * @param body    the body (JSON)
     */
    public record Response(String code, boolean success, String body) {
    }

    /** No answer within the timeout: the endpoint is closed, the address is wrong, the PSK is wrong, or we are locked out. */
    public static final class NoAnswerException extends IOException {
        public NoAnswerException(String message) { super(message); }
    }

    private static final long CLOSE_NOTIFY_GRACE_MS = 200;

    private final InetSocketAddress gateway;
    private final Duration timeout;
    private final CoapEndpoint endpoint;
    private final DTLSConnector connector;

    public TechClient(InetSocketAddress gateway, TechnicianPsk psk, Duration timeout, int maxBodyBytes) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, DtlsConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, maxBodyBytes);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        c.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        c.set(DtlsConfig.DTLS_MAX_CONNECTIONS, 4);
        // the handshake gives up well within the request timeout
        c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 1, TimeUnit.SECONDS);
        c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 3);
        TechCipherSuites.apply(c);
        byte[] key = psk.key();
        DtlsConnectorConfig dtls;
        try {
            dtls = DtlsConnectorConfig.builder(c)
                    .setAddress(new InetSocketAddress(0))
                    .setAdvancedPskStore(new AdvancedSinglePskStore(psk.identity(), key))
                    .setLoggingTag("tech-client")
                    .build();
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        this.connector = new DTLSConnector(dtls);
        this.endpoint = new CoapEndpoint.Builder().setConfiguration(c).setConnector(connector).build();
    }

    /** {@code GET /status}. */
    public Response status() throws IOException { return get("status"); }

    /** {@code GET /meters}. */
    public Response meters() throws IOException { return get("meters"); }

    /** {@code POST /bundle} with the bundle file's bytes. */
    public Response apply(byte[] bundle) throws IOException { return post("bundle", bundle, MediaTypeRegistry.APPLICATION_OCTET_STREAM); }

    /** {@code POST /read} with {@code {"meter":"…"}}. */
    public Response read(String meterId) throws IOException {
        byte[] body = TechJson.result("meter", meterId);
        return post("read", body, MediaTypeRegistry.APPLICATION_JSON);
    }

    /** {@code POST /enrol}. */
    public Response enrol() throws IOException { return post("enrol", new byte[0], MediaTypeRegistry.APPLICATION_JSON); }

    /** {@code GET} any path (tests, diagnostics). */
    public Response get(String path) throws IOException {
        CoapClient client = client(path);
        try {
            return response(client.get(), path);
        } catch (ConnectorException e) {
            throw new IOException("cannot reach " + uri(path) + ": " + e.getMessage(), e);
        } finally {
            client.shutdown();
        }
    }

    private Response post(String path, byte[] body, int contentFormat) throws IOException {
        CoapClient client = client(path);
        try {
            return response(client.post(body, contentFormat), path);
        } catch (ConnectorException e) {
            throw new IOException("cannot reach " + uri(path) + ": " + e.getMessage(), e);
        } finally {
            client.shutdown();
        }
    }

    private CoapClient client(String path) {
        CoapClient client = new CoapClient(uri(path));
        client.setEndpoint(endpoint);
        client.setTimeout(timeout.toMillis());
        return client;
    }

    private Response response(CoapResponse r, String path) throws NoAnswerException {
        if (r == null) {
            throw new NoAnswerException("no answer from " + uri(path) + " within " + timeout.toSeconds()
                    + " s: is the endpoint open (service button or 'meterlink provision open'), the PSK right, the address reachable?");
        }
        String body = r.getPayload() == null ? "" : new String(r.getPayload(), StandardCharsets.UTF_8);
        return new Response(r.getCode().toString(), r.isSuccess(), body);
    }

    private String uri(String path) {
        String host = gateway.getAddress() != null ? gateway.getAddress().getHostAddress() : gateway.getHostString();
        if (host.contains(":")) host = "[" + host + "]";
        return "coaps://" + host + ":" + gateway.getPort() + "/" + path;
    }

    /** Sends close_notify to the gateway (so it frees the connection at once) and releases the socket. */
    @Override public void close() {
        try {
            if (connector.isRunning()) {
                connector.close(gateway);
                Thread.sleep(CLOSE_NOTIFY_GRACE_MS); // the alert is sent on the connector's own thread
            }
        } catch (RuntimeException e) {
            // best effort: the gateway evicts idle connections by itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        endpoint.destroy();
    }
}
