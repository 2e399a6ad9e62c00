package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.uplink.CommandHandler;
import io.meterlink.provisioning.bundle.ApplyResult;
import io.meterlink.provisioning.bundle.BundleException;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The gateway's MQTT commands ({@code <prefix>/<gw>/cmd/<name>[/<request id>]}), received only over
 * the uplink's authenticated TLS session, where the broker's ACL lets only the head-end write a
 * gateway's command topics. Commands run one at a time on this dispatcher's own thread, at most {@link #MAX_QUEUED} waiting (more are answered {@code busy}); every
 * command gets one reply on {@code <prefix>/<gw>/cmd-reply}:
 *
 * <pre>
 * {"v":1,"type":"cmd-reply","cmd":"apply-bundle","request":"42","ok":true,"version":8,"previous_version":7,"restart_required":true}
 * {"v":1,"type":"cmd-reply","cmd":"apply-bundle","request":"42","ok":false,"error":"bundle_invalid",
 *  "message":"…","errors":[{"line":12,"key":"sources[0].meters[1].key","message":"…"}]}
 * </pre>
 *
 * Commands: {@code apply-bundle} (body: the bundle, as for {@code meterlink provision apply}). A reply
 * never holds a value from the bundle (no key, no password). Bad or unknown commands are answered
 * with an error and counted; they never stop the gateway. Thread-safe.
 */
public final class CommandDispatcher implements CommandHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    /** Largest command body taken (a bundle is at most 1 MiB). */
    public static final int MAX_BODY = io.meterlink.core.uplink.MqttUplink.MAX_COMMAND_BYTES;
    /** Commands waiting for the worker; one more is answered {@code busy} at once. */
    public static final int MAX_QUEUED = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BundleService bundles;
    private final ThreadPoolExecutor worker;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong busy = new AtomicLong();

    public CommandDispatcher(BundleService bundles) {
        this.bundles = bundles;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
            Thread t = new Thread(r, "meterlink-commands");
            t.setDaemon(true);
            return t;
        });
    }

    /** Commands refused so far (unknown, too large, failed). */
    public long refused() { return refused.get(); }

    @Override
    public void onCommand(String name, byte[] payload, Consumer<byte[]> reply) {
        int slash = name.indexOf('/');
        String cmd = slash < 0 ? name : name.substring(0, slash);
        String request = slash < 0 ? "" : name.substring(slash + 1);
        try {
            worker.execute(() -> reply.accept(run(cmd, request, payload)));
        } catch (RejectedExecutionException e) {
            if (worker.isShutdown()) {
                LOG.debug("command {} after close: ignored", cmd);
                return;
            }
            busy.incrementAndGet();
            reply.accept(refuse(reply(cmd, request), "busy", MAX_QUEUED + " commands are waiting; try again later"));
        }
    }

    /** Commands answered {@code busy} so far (the queue of {@link #MAX_QUEUED} was full). */
    public long busy() { return busy.get(); }

    private static ObjectNode reply(String cmd, String request) {
        ObjectNode r = JSON.createObjectNode();
        r.put("v", 1);
        r.put("type", "cmd-reply");
        r.put("cmd", cmd);
        r.put("request", request);
        return r;
    }

    /** Runs one command and returns its reply. */
    byte[] run(String cmd, String request, byte[] payload) {
        ObjectNode r = reply(cmd, request);
        if (payload.length > MAX_BODY) {
            return refuse(r, "too_large", "the command body exceeds " + MAX_BODY + " bytes");
        }
        if (!"apply-bundle".equals(cmd)) {
            return refuse(r, "unknown_command", "known commands: apply-bundle");
        }
        try {
            ApplyResult a = bundles.apply("mqtt:cmd/apply-bundle" + (request.isEmpty() ? "" : "/" + request), payload);
            r.put("ok", true);
            r.put("version", a.version());
            r.put("previous_version", a.previousVersion());
            r.put("restart_required", true);
            LOG.info("Bundle version {} applied by MQTT command (was {})", a.version(), a.previousVersion());
            return bytes(r);
        } catch (BundleException e) {
            ArrayNode errors = r.putArray("errors");
            for (ConfigError ce : e.errors()) {
                ObjectNode n = errors.addObject();
                n.put("line", ce.line());
                n.put("key", ce.key());
                n.put("message", ce.message());
            }
            return refuse(r, "bundle_invalid", e.errors().size() + " error(s) in the bundle; nothing was changed");
        } catch (ProvisioningException e) {
            return refuse(r, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
        } catch (RuntimeException | Error e) { // NOPMD: a message must not end the worker thread
            LOG.error("Command {} failed", cmd, e);
            return refuse(r, "internal_error", e.getClass().getSimpleName());
        }
    }

    private byte[] refuse(ObjectNode r, String error, String message) {
        refused.incrementAndGet();
        r.put("ok", false);
        r.put("error", error);
        r.put("message", message);
        LOG.warn("Command {} refused: {}: {}", r.path("cmd").asText(), error, message);
        return bytes(r);
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
