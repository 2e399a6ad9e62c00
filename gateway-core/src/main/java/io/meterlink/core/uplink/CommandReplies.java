package io.meterlink.core.uplink;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The refusals the uplink answers itself, before a command reaches its handler, in the
 * {@code cmd-reply} format of {@code docs/payloads.md}:
 * {@code {"v":1,"type":"cmd-reply","cmd":"apply-bundle","request":"42","ok":false,"error":"too_large","message":"…"}}.
 * Stateless.
 */
final class CommandReplies {
    private static final JsonFactory JSON = new JsonFactory();

    private CommandReplies() {
    }

    /** {@code name} is the topic after {@code cmd/}: {@code <cmd>[/<request id>]}. */
    static byte[] refusal(String name, String error, String message) {
        int slash = name.indexOf('/');
        String cmd = slash < 0 ? name : name.substring(0, slash);
        String request = slash < 0 ? "" : name.substring(slash + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("v", JsonPayloads.VERSION);
            g.writeStringField("type", "cmd-reply");
            g.writeStringField("cmd", cmd);
            g.writeStringField("request", request);
            g.writeBooleanField("ok", false);
            g.writeStringField("error", error);
            g.writeStringField("message", message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
