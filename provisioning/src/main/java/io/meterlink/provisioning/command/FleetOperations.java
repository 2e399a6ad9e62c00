package io.meterlink.provisioning.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Reading;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.GatewayRuntime;
import io.meterlink.core.runtime.GatewayException;
import io.meterlink.core.runtime.HealthRegistry;
import io.meterlink.core.uplink.JsonPayloads;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;

/**
 * The remote operations of the command channel (docs/fleet.md): {@code status-now}, {@code buffer-stats},
 * {@code drivers} and {@code read-now} read and may come unsigned; {@code log-level} and {@code restart}
 * change the gateway and must be signed ({@link SignedCommands}). Registered on a
 * {@link CommandDispatcher} by {@link #register}. Runs on the dispatcher's thread.
 */
final class FleetOperations implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest wait for one meter of {@code read-now}; {@code timeout_s} may ask for less. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** Most meters one {@code read-now} of all meters reads. */
    static final int MAX_READ_ALL = 64;

    private final GatewayRuntime gateway;
    private final JsonPayloads payloads;
    private final LogLevels logLevels = new LogLevels();

    FleetOperations(GatewayRuntime gateway) {
        this.gateway = gateway;
        this.payloads = new JsonPayloads(gateway.config().gatewayId());
    }

    void register(CommandDispatcher d) {
        d.register("status-now", false, this::statusNow);
        d.register("buffer-stats", false, this::bufferStats);
        d.register("drivers", false, this::drivers);
        d.register("read-now", false, this::readNow);
        d.register("log-level", true, this::logLevel);
        d.register("restart", true, this::restart);
    }

    private JsonNode status() {
        try {
            return JSON.readTree(payloads.status(gateway.status(), "online"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void statusNow(JsonNode args, ObjectNode r, List<Runnable> afterReply) {
        r.put("ok", true);
        r.set("status", status());
    }

    private void bufferStats(JsonNode args, ObjectNode r, List<Runnable> afterReply) {
        r.put("ok", true);
        r.set("buffer", status().path("buffer"));
    }

    private void drivers(JsonNode args, ObjectNode r, List<Runnable> afterReply) {
        r.put("ok", true);
        ArrayNode out = r.putArray("sources");
        HealthRegistry h = gateway.health();
        var bad = h.badInputBySource();
        var transport = h.transportErrors();
        for (Gateway.SourceState s : gateway.sources()) {
            ObjectNode n = out.addObject();
            n.put("name", s.name());
            n.put("driver", s.driver());
            n.put("state", s.state());
            n.put("readings", s.readings());
            n.put("meters", h.meters().stream().filter(m -> s.name().equals(m.source())).count());
            ObjectNode b = n.putObject("bad_input");
            bad.getOrDefault(s.name(), java.util.Map.of()).forEach(b::put);
            n.put("transport_errors", transport.getOrDefault(s.name(), 0L));
        }
    }

    private void readNow(JsonNode args, ObjectNode r, List<Runnable> afterReply) throws CommandRefusedException {
        String meter = args.path("meter").asText("all");
        long timeoutS = args.path("timeout_s").asLong(READ_TIMEOUT.toSeconds());
        if (timeoutS < 1 || timeoutS > READ_TIMEOUT.toSeconds()) {
            throw new CommandRefusedException("bad_arguments", "timeout_s must be 1 to " + READ_TIMEOUT.toSeconds());
        }
        List<MeterId> meters = new ArrayList<>();
        if ("all".equals(meter)) {
            gateway.health().meters().stream().limit(MAX_READ_ALL).forEach(m -> meters.add(m.meter()));
        } else {
            try {
                meters.add(MeterId.of(meter));
            } catch (IllegalArgumentException e) {
                throw new CommandRefusedException("bad_arguments", "meter must be a meter id (<family>:<manufacturer>:<id>) or \"all\"");
            }
        }
        ArrayNode out = r.putArray("meters");
        int ok = 0;
        for (MeterId m : meters) {
            ObjectNode n = out.addObject();
            n.put("meter", m.toString());
            try {
                List<Reading> readings = gateway.readNow(m, Duration.ofSeconds(timeoutS));
                n.put("ok", true);
                ArrayNode rs = n.putArray("readings");
                for (Reading x : readings) {
                    ObjectNode v = rs.addObject();
                    v.put("quantity", x.quantity().name().toLowerCase(java.util.Locale.ROOT));
                    v.put("unit", x.unit().toString());
                    v.put("value", x.value());
                    if (x.meterTime() != null) v.put("meter_time", x.meterTime().toString());
                }
                ok++;
            } catch (NoSuchElementException e) {
                n.put("ok", false).put("error", "unknown_meter").put("message", e.getMessage());
            } catch (TimeoutException e) {
                n.put("ok", false).put("error", "timeout").put("message", e.getMessage());
            } catch (GatewayException e) {
                n.put("ok", false).put("error", "read_failed").put("message", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                n.put("ok", false).put("error", "interrupted");
                break;
            }
        }
        r.put("ok", ok > 0 || meters.isEmpty() && "all".equals(meter));
        r.put("read", ok);
        if (ok == 0 && !meters.isEmpty()) {
            r.put("error", meters.size() == 1 ? out.get(0).path("error").asText() : "read_failed");
        }
    }

    private void logLevel(JsonNode args, ObjectNode r, List<Runnable> afterReply) throws CommandRefusedException {
        String level = args.path("level").asText("");
        String logger = args.path("logger").asText("io.meterlink");
        long seconds = args.path("seconds").asLong(300);
        if (!LogLevels.known(level)) throw new CommandRefusedException("bad_arguments", "level must be one of trace, debug, info, warn, error");
        if (seconds < 1 || seconds > LogLevels.MAX.toSeconds()) {
            throw new CommandRefusedException("bad_arguments", "seconds must be 1 to " + LogLevels.MAX.toSeconds());
        }
        if (!logger.matches("[A-Za-z0-9_.$]{0,200}")) throw new CommandRefusedException("bad_arguments", "logger must be a logger name prefix");
        int n = logLevels.set(logger, level, Duration.ofSeconds(seconds));
        r.put("ok", true);
        r.put("level", level.toLowerCase(java.util.Locale.ROOT));
        r.put("logger", logger);
        r.put("loggers", n);
        r.put("reverts_in_s", seconds);
    }

    private void restart(JsonNode args, ObjectNode r, List<Runnable> afterReply) {
        r.put("ok", true);
        r.put("message", "the gateway stops cleanly and systemd starts it again");
        afterReply.add(() -> restartSoon(gateway, "restart command"));
    }

    /** Asks for the restart a moment after the reply was queued, so the uplink publishes the reply before it stops. */
    static void restartSoon(GatewayRuntime gateway, String reason) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gateway.requestRestart(reason);
        }, "meterlink-restart");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        logLevels.close();
    }
}
