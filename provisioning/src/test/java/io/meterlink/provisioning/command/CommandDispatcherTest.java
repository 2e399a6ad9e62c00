package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterlink.core.config.DriverRegistry;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.bundle.SigningKeyPin;
import io.meterlink.provisioning.identity.IdentityStore;
import io.meterlink.provisioning.identity.Pem;
import io.meterlink.provisioning.identity.StateDir;
import io.meterlink.provisioning.identity.TestCa;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandDispatcherTest {
    private static final String PASSWORD = "Very-Secret-Broker-Pa55";
    private final ObjectMapper json = new ObjectMapper();
    private CommandDispatcher dispatcher;
    private TestCa ca;
    private KeyPair utility;

    @BeforeEach
    void setUp(@TempDir Path tmp) throws Exception {
        StateDir dir = new StateDir(tmp.resolve("state"));
        IdentityStore ids = new IdentityStore(dir, new SecureRandom());
        ids.init("gw-0001", false);
        ca = TestCa.create("Utility CA");
        utility = SignedBundle.generate();
        new SigningKeyPin(dir).pin(utility.getPublic());
        dispatcher = new CommandDispatcher(new BundleService(dir, ids, new DriverRegistry(List.of()), Clock.systemUTC()));
    }

    private String bundle(long version, String url) throws Exception {
        return "bundle_version: " + version + "\ngateway_id: gw-0001\nca_certificates: |\n"
                + Pem.encode("CERTIFICATE", ca.certificate().getEncoded()).indent(2)
                + "broker:\n  url: " + url + "\n  username: gw-0001\n  password: " + PASSWORD + "\nsources: []\n";
    }

    private JsonNode send(String name, String body) throws Exception {
        return send(name, SignedBundle.sign(body.getBytes(StandardCharsets.UTF_8), utility.getPrivate(), utility.getPublic()));
    }

    private JsonNode send(String name, byte[] body) throws Exception {
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        dispatcher.onCommand(name, body, replies::add);
        byte[] reply = replies.poll(30, TimeUnit.SECONDS);
        assertNotNull(reply, "a reply");
        String text = new String(reply, StandardCharsets.UTF_8);
        assertFalse(text.contains(PASSWORD), "no secret in the reply: " + text);
        return json.readTree(reply);
    }

    @Test
    void applyBundle_appliesAndRepliesWithVersion() throws Exception {
        JsonNode r = send("apply-bundle/req-1", bundle(3, "ssl://mqtt.utility.example:8883"));
        assertTrue(r.path("ok").asBoolean(), r.toString());
        assertEquals("apply-bundle", r.path("cmd").asText());
        assertEquals("req-1", r.path("request").asText());
        assertEquals(3, r.path("version").asLong());
        assertEquals(0, r.path("previous_version").asLong());
    }

    @Test
    void applyBundle_olderVersion_isRefusedTyped() throws Exception {
        assertTrue(send("apply-bundle", bundle(5, "ssl://mqtt.utility.example:8883")).path("ok").asBoolean());
        JsonNode r = send("apply-bundle", bundle(4, "ssl://mqtt.utility.example:8883"));
        assertFalse(r.path("ok").asBoolean());
        assertEquals("replayed", r.path("error").asText());
    }

    @Test
    void applyBundle_unsignedOrForbidden_isRefusedWithItsReason_andCounted() throws Exception {
        assertEquals("unsigned", send("apply-bundle", bundle(2, "ssl://b:8883").getBytes(StandardCharsets.UTF_8)).path("error").asText());
        assertEquals("forbidden_setting", send("apply-bundle", bundle(2, "tcp://b:1883")).path("error").asText());
        assertEquals("forbidden_setting", send("apply-bundle", bundle(2, "ssl://gw:" + PASSWORD + "@b:8883")).path("error").asText());
        assertEquals(Map.of("forbidden_setting", 2L, "unsigned", 1L), dispatcher.refusedByReason());
    }

    @Test
    void applyBundle_invalid_listsErrorsWithoutValues() throws Exception {
        JsonNode r = send("apply-bundle", bundle(2, "ssl://" + PASSWORD + ".example:8883").replace("sources: []", "sources: 7"));
        assertFalse(r.path("ok").asBoolean());
        assertEquals("bundle_invalid", r.path("error").asText());
        assertTrue(r.path("errors").size() >= 1, r.toString());
        assertEquals(1, dispatcher.refused());
    }

    @Test
    void unknownCommand_isAnsweredAndCounted() throws Exception {
        JsonNode r = send("reboot-now", new byte[0]);
        assertFalse(r.path("ok").asBoolean());
        assertEquals("unknown_command", r.path("error").asText());
        assertEquals(1, dispatcher.refused());
    }

    @Test
    void oversizedBody_isRefusedUnread() throws Exception {
        JsonNode r = send("apply-bundle", "x".repeat(CommandDispatcher.MAX_BODY + 1).getBytes(StandardCharsets.UTF_8));
        assertEquals("too_large", r.path("error").asText());
    }

    /** Issue 9: a YAML error quotes no text of the bundle (an alias name can be the password). */
    @Test
    void yamlErrorQuotingTheDocument_neverEchoesIt() throws Exception {
        JsonNode r = send("apply-bundle/alias", bundle(3, "ssl://mqtt.example:8883").replace("password: " + PASSWORD,
                "password: *" + PASSWORD));
        assertEquals("bundle_invalid", r.path("error").asText(), r.toString());
        assertTrue(r.toString().contains("undefined alias"), r.toString());
    }

    /** Issue 9: the worker queue is bounded; one command too many is answered busy at once. */
    @Test
    void commandsBeyondTheQueue_areAnsweredBusy() throws Exception {
        // one command holds the single worker until released: the queue then fills deterministically
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dispatcher.registerRaw("hold", (request, payload, reply, after) -> {
            running.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reply.put("ok", true);
        });
        BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        dispatcher.onCommand("hold", "{}".getBytes(StandardCharsets.UTF_8), replies::add);
        assertTrue(running.await(30, TimeUnit.SECONDS), "the worker runs the first command");
        int extra = 6;
        String body = bundle(5, "ssl://mqtt.example:8883");
        for (int i = 0; i < CommandDispatcher.MAX_QUEUED + extra; i++) {
            dispatcher.onCommand("apply-bundle/" + i, body.getBytes(StandardCharsets.UTF_8), replies::add);
        }
        // the commands beyond the queue are answered at once, before the worker is free
        int busy = 0;
        for (int i = 0; i < extra; i++) {
            byte[] reply = replies.poll(10, TimeUnit.SECONDS);
            assertNotNull(reply, "a busy answer comes at once");
            assertEquals("busy", json.readTree(reply).path("error").asText(), new String(reply, StandardCharsets.UTF_8));
            busy++;
        }
        release.countDown();
        for (int i = 0; i < CommandDispatcher.MAX_QUEUED + 1; i++) {
            byte[] reply = replies.poll(60, TimeUnit.SECONDS);
            assertNotNull(reply, "every queued command gets its reply");
            assertFalse("busy".equals(json.readTree(reply).path("error").asText()), "queued, not busy");
        }
        assertEquals(extra, busy);
        assertEquals(extra, dispatcher.busy());
    }
}
