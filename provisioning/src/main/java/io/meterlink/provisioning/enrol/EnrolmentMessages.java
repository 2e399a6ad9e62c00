package io.meterlink.provisioning.enrol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Optional;

/**
 * The JSON payloads of enrolment (version 1), shared by the gateway and the simulated utility:
 *
 * <pre>
 * request:  {"v":1,"type":"csr","gw":"gw-0001","request":"9f2c…","csr":"-----BEGIN CERTIFICATE REQUEST-----…"}
 * answer:   {"v":1,"type":"certificate","gw":"gw-0001","request":"9f2c…","certificate":"-----BEGIN CERTIFICATE-----…"}
 * refusal:  {"v":1,"type":"refusal","gw":"gw-0001","request":"9f2c…","reason":"not_allowed","message":"…"}
 * </pre>
 *
 * {@code certificate} holds the gateway's certificate followed by any intermediates (PEM).
 * Nothing here is secret. Stateless; thread-safe.
 */
public final class EnrolmentMessages {
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnrolmentMessages() {
    }

    /** A parsed request. */
    public record Request(String gatewayId, String requestId, String csrPem) {
    }

    /** A parsed answer: {@code certificatePem} when issued, else {@code reason} and {@code message}. */
    public record Answer(String gatewayId, String requestId, Optional<String> certificatePem, String reason, String message) {
        public boolean issued() { return certificatePem.isPresent(); }
    }

    public static byte[] request(String gatewayId, String requestId, String csrPem) {
        ObjectNode n = head("csr", gatewayId, requestId);
        n.put("csr", csrPem);
        return bytes(n);
    }

    public static byte[] certificate(String gatewayId, String requestId, String certificatePem) {
        ObjectNode n = head("certificate", gatewayId, requestId);
        n.put("certificate", certificatePem);
        return bytes(n);
    }

    public static byte[] refusal(String gatewayId, String requestId, String reason, String message) {
        ObjectNode n = head("refusal", gatewayId, requestId);
        n.put("reason", reason);
        n.put("message", message);
        return bytes(n);
    }

    /** The request in {@code payload}, or empty when it is not a well-formed version 1 request. */
    public static Optional<Request> parseRequest(byte[] payload) {
        JsonNode n = parse(payload);
        if (n == null || !"csr".equals(n.path("type").asText()) || !n.path("csr").isTextual()) return Optional.empty();
        return Optional.of(new Request(n.path("gw").asText(""), n.path("request").asText(""), n.path("csr").asText()));
    }

    /** The answer in {@code payload}, or empty when it is not a well-formed version 1 answer. */
    public static Optional<Answer> parseAnswer(byte[] payload) {
        JsonNode n = parse(payload);
        if (n == null) return Optional.empty();
        String type = n.path("type").asText();
        String gw = n.path("gw").asText("");
        String req = n.path("request").asText("");
        if ("certificate".equals(type) && n.path("certificate").isTextual()) {
            return Optional.of(new Answer(gw, req, Optional.of(n.path("certificate").asText()), "", ""));
        }
        if ("refusal".equals(type)) {
            return Optional.of(new Answer(gw, req, Optional.empty(), n.path("reason").asText("refused"), n.path("message").asText("")));
        }
        return Optional.empty();
    }

    private static ObjectNode head(String type, String gatewayId, String requestId) {
        ObjectNode n = JSON.createObjectNode();
        n.put("v", VERSION);
        n.put("type", type);
        n.put("gw", gatewayId);
        n.put("request", requestId);
        return n;
    }

    private static JsonNode parse(byte[] payload) {
        try {
            JsonNode n = JSON.readTree(payload);
            return n != null && n.isObject() && n.path("v").asInt() == VERSION ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
