package io.meterlink.provisioning.tech;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The technician's resources: {@code GET /status}, {@code GET /meters}, {@code POST /bundle},
 * {@code POST /enrol}, {@code POST /read}. Bodies are JSON (content format 50, RFC 7252 §12.3);
 * an error body is {@code {"error":"…"}}. A resource whose hook is not wired answers 5.01.
 */
final class TechResources {
    private static final Logger LOG = LoggerFactory.getLogger(TechResources.class);

    private TechResources() { }

    static Resource[] create(TechServices services, HandshakeGuard guard, Clock clock,
                             Supplier<Optional<java.time.Instant>> openUntil, java.time.Duration readTimeout) {
        return new Resource[] {
            new Get("status", () -> {
                var source = services.status().orElseThrow(() -> notImplemented("status"));
                return TechJson.status(source.status(), services.certificate().notAfter(), clock.instant(), openUntil.get(), guard);
            }),
            new Get("meters", () -> {
                var directory = services.meters().orElseThrow(() -> notImplemented("meters"));
                return TechJson.meters(directory.meters());
            }),
            new Post("bundle", body -> {
                var applier = services.bundles().orElseThrow(() -> notImplemented("bundle"));
                if (body.length == 0) throw new TechRequestException(TechRequestException.Kind.BAD_REQUEST, "empty bundle");
                String applied = applier.apply(body);
                LOG.info("Technician applied a configuration bundle: {}", applied);
                return TechJson.result("applied", applied);
            }),
            new Post("enrol", body -> {
                var enrolment = services.enrolment().orElseThrow(() -> notImplemented("enrol"));
                String state = enrolment.start();
                LOG.info("Technician started enrolment: {}", state);
                return TechJson.result("enrolment", state);
            }),
            new Post("read", body -> {
                var reader = services.reader().orElseThrow(() -> notImplemented("read"));
                MeterId meter = meterId(body);
                List<Reading> readings = reader.readNow(meter, readTimeout);
                return TechJson.readNow(meter, readings);
            }),
        };
    }

    /** The meter id from {@code {"meter":"…"}} or from the body as plain text. */
    static MeterId meterId(byte[] body) throws TechRequestException {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            try {
                JsonNode n = TechJson.JSON.readTree(text).get("meter");
                text = n == null || !n.isTextual() ? "" : n.asText();
            } catch (IOException e) {
                throw new TechRequestException(TechRequestException.Kind.BAD_REQUEST, "body is not JSON");
            }
        }
        if (text.isEmpty()) throw new TechRequestException(TechRequestException.Kind.BAD_REQUEST, "no meter id given");
        try {
            return MeterId.of(text);
        } catch (IllegalArgumentException e) {
            throw new TechRequestException(TechRequestException.Kind.BAD_REQUEST, "bad meter id: " + e.getMessage());
        }
    }

    private static TechRequestException notImplemented(String what) {
        return new TechRequestException(TechRequestException.Kind.NOT_IMPLEMENTED, what + " is not available on this gateway yet");
    }

    @FunctionalInterface
    private interface Body {
        byte[] get() throws TechRequestException;
    }

    @FunctionalInterface
    private interface Action {
        byte[] run(byte[] request) throws TechRequestException;
    }

    private static final class Get extends CoapResource {
        private final Body body;

        Get(String name, Body body) {
            super(name);
            this.body = body;
            getAttributes().addContentType(MediaTypeRegistry.APPLICATION_JSON);
        }

        @Override public void handleGET(CoapExchange exchange) {
            respond(exchange, getName(), body::get);
        }
    }

    private static final class Post extends CoapResource {
        private final Action action;

        Post(String name, Action action) {
            super(name);
            this.action = action;
        }

        @Override public void handlePOST(CoapExchange exchange) {
            byte[] request = exchange.getRequestPayload();
            respond(exchange, getName(), () -> action.run(request == null ? new byte[0] : request));
        }
    }

    private static void respond(CoapExchange exchange, String resource, Body body) {
        ResponseCode ok = exchange.getRequestCode() == org.eclipse.californium.core.coap.CoAP.Code.GET
                ? ResponseCode.CONTENT : ResponseCode.CHANGED;
        try {
            exchange.respond(ok, body.get(), MediaTypeRegistry.APPLICATION_JSON);
        } catch (TechRequestException e) {
            LOG.info("Technician request {} refused: {}", resource, e.getMessage());
            exchange.respond(code(e.kind()), TechJson.error(e.getMessage()), MediaTypeRegistry.APPLICATION_JSON);
        } catch (RuntimeException e) {
            LOG.error("Technician request {} failed", resource, e);
            exchange.respond(ResponseCode.INTERNAL_SERVER_ERROR, TechJson.error("internal error"), MediaTypeRegistry.APPLICATION_JSON);
        }
    }

    static ResponseCode code(TechRequestException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> ResponseCode.BAD_REQUEST;
            case NOT_FOUND -> ResponseCode.NOT_FOUND;
            case CONFLICT -> ResponseCode.CONFLICT;
            case UNAVAILABLE -> ResponseCode.SERVICE_UNAVAILABLE;
            case NOT_IMPLEMENTED -> ResponseCode.NOT_IMPLEMENTED;
            case FAILED -> ResponseCode.INTERNAL_SERVER_ERROR;
            case TIMEOUT -> ResponseCode.GATEWAY_TIMEOUT;
        };
    }
}
