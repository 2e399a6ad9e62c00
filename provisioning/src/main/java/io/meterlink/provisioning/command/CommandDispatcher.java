package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.uplink.CommandHandler;
import io.meterlink.provisioning.bundle.ApplyResult;
import io.meterlink.provisioning.bundle.BundleException;
import io.meterlink.provisioning.bundle.BundleRefusedException;
import io.meterlink.provisioning.bundle.BundleService;
import io.meterlink.provisioning.bundle.SignedBundle;
import io.meterlink.provisioning.secret.ProvisioningException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
 * Commands: {@code apply-bundle} (body: a signed bundle, {@link SignedBundle}; refusals carry the typed
 * reason of {@link BundleRefusedException} as {@code error}; with a {@link LiveConfig} the bundle takes
 * effect at once and the reply lists the sources started, stopped, restarted and unchanged, and
 * {@code restart_required} only for what needs a restart), and the operations added by {@link #register}
 * (docs/fleet.md; their bodies are checked by {@link SignedCommands}). A bundle that changes the broker URL or
 * CA is tried on the running uplink and its outcome follows as a second reply with {@code "event":"trial"}
 * ({@link UplinkTrials}). A reply
 * never holds a value from the bundle (no key, no password). Bad or unknown commands are answered
 * with an error and counted; they never stop the gateway. Thread-safe.
 */
public final class CommandDispatcher implements CommandHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);
    /** Largest command body taken (a signed bundle: a header line and at most 1 MiB). */
    public static final int MAX_BODY = SignedBundle.MAX_ENVELOPE;
    /** Commands waiting for the worker; one more is answered {@code busy} at once. */
    public static final int MAX_QUEUED = 4;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BundleService bundles;
    private final ThreadPoolExecutor worker;
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, AtomicLong> refusedBy = new ConcurrentHashMap<>();
    private volatile UplinkTrials trials;
    private final AtomicLong busy = new AtomicLong();
    private final Map<String, Registered> operations = new ConcurrentHashMap<>();
    private volatile SignedCommands signed;
    private volatile LiveConfig live;

    private record Registered(boolean signed, Operation operation, RawOperation raw) {
    }

    /** A command whose body is not JSON (an update chunk): it gets the request part of its topic and the bytes. */
    interface RawOperation {
        void run(String request, byte[] payload, ObjectNode reply, List<Runnable> afterReply) throws CommandRefusedException;
    }

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

    /** Refusals so far by their {@code error} code ({@code unsigned}, {@code bad_signature}, …). */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> out = new TreeMap<>();
        refusedBy.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Makes bundles that change the broker URL or CA a trial on the running uplink (see {@link UplinkTrials}). */
    void trials(UplinkTrials t) { this.trials = t; }

    /**
     * Adds command {@code name}; {@code signed}: it changes the gateway, so its body must be a signed
     * command ({@link SignedCommands}), else a plain one is taken too. Before the first command.
     */
    void register(String name, boolean signed, Operation op) {
        operations.put(name, new Registered(signed, op, null));
    }

    /** Adds command {@code name} taking raw bytes, unsigned (what it stores must be checked otherwise, as an update's hash). */
    void registerRaw(String name, RawOperation op) {
        operations.put(name, new Registered(false, null, op));
    }

    /** Checks the bodies of registered commands (signature, gateway, replay). */
    void signedCommands(SignedCommands s) { this.signed = s; }

    /** Makes applied bundles take effect in the running gateway ({@link LiveConfig}); without it they wait for a restart. */
    void live(LiveConfig l) { this.live = l; }

    private String known() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(operations.keySet());
        names.add("apply-bundle");
        return String.join(", ", names);
    }

    /** The dispatcher's own thread, for work handed over from other threads. */
    java.util.concurrent.Executor worker() { return worker; }

    @Override
    public void onCommand(String name, byte[] payload, Consumer<byte[]> reply) {
        int slash = name.indexOf('/');
        String cmd = slash < 0 ? name : name.substring(0, slash);
        String request = slash < 0 ? "" : name.substring(slash + 1);
        try {
            worker.execute(() -> {
                List<Runnable> afterReply = new ArrayList<>();
                reply.accept(run(cmd, request, payload, reply, afterReply));
                afterReply.forEach(Runnable::run); // a trial starts after its reply is queued, so the reply goes out first
            });
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

    /** Runs one command and returns its reply. */
    byte[] run(String cmd, String request, byte[] payload) {
        List<Runnable> afterReply = new ArrayList<>();
        byte[] r = run(cmd, request, payload, b -> { }, afterReply);
        afterReply.forEach(Runnable::run);
        return r;
    }

    private static ObjectNode reply(String cmd, String request) {
        ObjectNode r = JSON.createObjectNode();
        r.put("v", 1);
        r.put("type", "cmd-reply");
        r.put("cmd", cmd);
        r.put("request", request);
        return r;
    }

    /**
     * Runs one command and returns its reply; {@code later} takes events that come after it (a trial's
     * outcome), {@code afterReply} gets what must run once the reply is on its way.
     */
    private byte[] run(String cmd, String request, byte[] payload, Consumer<byte[]> later, List<Runnable> afterReply) {
        ObjectNode r = reply(cmd, request);
        if (payload.length > MAX_BODY) {
            return refuse(r, "too_large", "the command body exceeds " + MAX_BODY + " bytes");
        }
        if (!"apply-bundle".equals(cmd)) {
            Registered op = operations.get(cmd);
            if (op == null) return refuse(r, "unknown_command", "known commands: " + known());
            return runOperation(cmd, request, op, payload, r, afterReply);
        }
        UplinkTrials t = trials;
        if (t != null && t.pending()) {
            return refuse(r, "trial_pending", "a bundle that changes the broker is being tried; send again after its outcome");
        }
        try {
            ObjectNode template = r.deepCopy();
            ApplyResult a = bundles.apply("mqtt:cmd/apply-bundle" + (request.isEmpty() ? "" : "/" + request), payload);
            r.put("ok", true);
            r.put("version", a.version());
            r.put("previous_version", a.previousVersion());
            LiveConfig.Outcome outcome = applyLive(a);
            boolean uplinkChanged = a.uplinkChanged() || outcome != null && outcome.connectionChanged();
            if (uplinkChanged && t != null) {
                t.reserve();
                afterReply.add(() -> t.start(a, template, event -> later.accept(bytes(event))));
                r.put("trial", "started");
                r.put("trial_seconds", t.bound().toSeconds());
            }
            r.put("restart_required", outcome == null || !outcome.restartFor().isEmpty());
            if (outcome != null) {
                ArrayNode why = r.putArray("restart_for");
                outcome.restartFor().forEach(why::add);
                ObjectNode src = r.putObject("sources");
                Gateway.Reconfigured rc = outcome.sources();
                rc.started().forEach(src.putArray("started")::add);
                rc.stopped().forEach(src.putArray("stopped")::add);
                rc.restarted().forEach(src.putArray("restarted")::add);
                rc.unchanged().forEach(src.putArray("unchanged")::add);
            }
            LOG.info("Bundle version {} applied by MQTT command (was {}){}{}", a.version(), a.previousVersion(),
                    outcome == null ? ", takes effect at the next restart" : ", live: " + outcome.sources(),
                    r.has("trial") ? ", uplink trial started" : "");
            return bytes(r);
        } catch (BundleRefusedException e) {
            return refuse(r, e.reason().code(), e.getMessage() + "; nothing was changed");
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

    /** The applied configuration into the running gateway; null (restart required) when there is no live view or it fails. */
    private LiveConfig.Outcome applyLive(ApplyResult a) {
        LiveConfig l = live;
        if (l == null) return null;
        try {
            return l.apply(a.configFile());
        } catch (ConfigException | IOException | RuntimeException e) {
            LOG.error("Bundle version {} is active but could not be applied live ({}): it takes effect at the next restart",
                    a.version(), e.getClass().getSimpleName());
            return null;
        }
    }

    private byte[] runOperation(String cmd, String request, Registered op, byte[] payload, ObjectNode r, List<Runnable> afterReply) {
        SignedCommands s = signed;
        try {
            if (op.raw() != null) {
                op.raw().run(request, payload, r, afterReply);
                LOG.debug("Command {} ({} bytes, request {}): {}", cmd, payload.length, request, r.path("state").asText("ok"));
                return bytes(r);
            }
            if (s == null) throw new CommandRefusedException("no_signing_key", "this gateway checks no command signatures");
            JsonNode body = s.check(cmd, payload, op.signed());
            JsonNode args = body.path("args").isObject() ? body.path("args") : JSON.createObjectNode();
            if (body.has("seq")) r.put("seq", body.path("seq").asLong());
            op.operation().run(args, r, afterReply);
            if (!r.path("ok").asBoolean()) count(r.path("error").asText("failed"));
            LOG.info("Command {} ({}{}): {}", cmd, body.has("seq") ? "signed, seq " + body.path("seq").asLong() : "unsigned",
                    r.path("request").asText().isEmpty() ? "" : ", request " + r.path("request").asText(),
                    r.path("ok").asBoolean() ? "ok" : "failed: " + r.path("error").asText());
            return bytes(r);
        } catch (CommandRefusedException e) {
            return refuse(r, e.code(), e.getMessage());
        } catch (RuntimeException | Error e) { // NOPMD: a message must not end the worker thread
            LOG.error("Command {} failed", cmd, e);
            return refuse(r, "internal_error", e.getClass().getSimpleName());
        }
    }

    /** Counts one refused command by its error code. */
    private void count(String error) {
        refused.incrementAndGet();
        refusedBy.computeIfAbsent(error, k -> new AtomicLong()).incrementAndGet();
    }

    private byte[] refuse(ObjectNode r, String error, String message) {
        count(error);
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
