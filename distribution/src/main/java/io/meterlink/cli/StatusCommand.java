package io.meterlink.cli;

import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.meterlink.core.api.alarm.Alarm;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.config.SourceConfig;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.config.UplinkConfig;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.status.CertificateFiles;
import io.meterlink.core.api.alarm.Alarm;
import io.meterlink.core.status.Version;
import io.meterlink.core.api.alarm.Alarm;
import picocli.CommandLine.Command;
import io.meterlink.core.api.alarm.Alarm;
import picocli.CommandLine.Model.CommandSpec;
import io.meterlink.core.api.alarm.Alarm;
import picocli.CommandLine.Mixin;
import io.meterlink.core.api.alarm.Alarm;
import picocli.CommandLine.Option;
import io.meterlink.core.api.alarm.Alarm;
import picocli.CommandLine.Spec;

import io.meterlink.core.api.alarm.Alarm;
import java.io.PrintWriter;
import io.meterlink.core.api.alarm.Alarm;
import java.nio.file.Files;
import io.meterlink.core.api.alarm.Alarm;
import java.nio.file.Path;
import io.meterlink.core.api.alarm.Alarm;
import java.time.Instant;
import io.meterlink.core.api.alarm.Alarm;
import java.util.ArrayList;
import io.meterlink.core.api.alarm.Alarm;
import java.util.List;
import io.meterlink.core.api.alarm.Alarm;
import java.util.concurrent.Callable;

/**
 * {@code meterlink status --config F}: what can be known offline, from the files alone (configuration
 * and buffer). Live figures (meters heard, uplink) are in the retained MQTT status message.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Offline status: the configuration summary and the buffer's figures, from the files alone.",
                "Live figures (meters heard and stale, uplink) are in the retained status message the running gateway"
                        + " publishes on <topic_prefix>/<gateway_id>/status."})
final class StatusCommand implements Callable<Integer> {
    private final Services services;
    @Spec CommandSpec spec;
    @Mixin ConfigFileOption configFile;
    @Option(names = "--json", description = "one JSON object on one line")
    boolean json;

    StatusCommand(Services services) { this.services = services; }

    @Override public Integer call() throws Exception {
        GatewayConfig cfg = configFile.load(services, spec);
        if (cfg == null) return Main.USAGE;
        Path db = cfg.buffer().path();
        BufferStats stats = Files.exists(db) ? services.inspectBuffer(db) : null;
        CertificateFiles certificate = CertificateFiles.inspect(cfg.uplink(), Instant.now());
        if (certificate.keyFileWarning() != null) {
            spec.commandLine().getErr().println("warning: " + certificate.keyFileWarning());
            spec.commandLine().getErr().flush();
        }
        String statusTopic = cfg.uplink().topicPrefix() + "/" + cfg.gatewayId() + "/status";
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = BufferReport.JSON.createObjectNode();
            o.put("offline", true);
            o.put("gateway_id", cfg.gatewayId());
            o.put("version", Version.current());
            o.put("config", configFile.config.toString());
            o.put("uplink", safeUrl(cfg.uplink().url()));
            o.put("protocol", cfg.uplink().protocol().name().toLowerCase(java.util.Locale.ROOT));
            o.put("authentication", authentication(cfg.uplink()));
            o.put("status_topic", statusTopic);
            ArrayNode sources = o.putArray("sources");
            for (SourceConfig s : cfg.sources()) {
                sources.addObject().put("name", s.name()).put("driver", s.driver());
            }
            if (certificate.daysLeft() != null) o.put("certificate_days_left", certificate.daysLeft());
            else o.putNull("certificate_days_left");
            ArrayNode alarms = o.putArray("alarms");
            Alarm.texts(certificate.alarms()).forEach(alarms::add);
            if (stats == null) {
                o.putNull("buffer");
            } else {
                o.set("buffer", BufferReport.json(db, stats));
            }
            out.println(BufferReport.JSON.writeValueAsString(o));
        } else {
            out.println("Offline view from the files; live figures (meters heard and stale, uplink) are in the retained");
            out.println("status message the running gateway publishes on " + statusTopic + ".");
            out.println();
            out.println(BufferReport.row("gateway", cfg.gatewayId()));
            out.println(BufferReport.row("version", Version.current()));
            out.println(BufferReport.row("config", configFile.config.toString()));
            out.println(BufferReport.row("uplink", safeUrl(cfg.uplink().url()) + " (" + cfg.uplink().protocol().name().toLowerCase(java.util.Locale.ROOT)
                    + ", " + authentication(cfg.uplink()) + ")"));
            List<String> sources = new ArrayList<>();
            cfg.sources().forEach(s -> sources.add(s.name() + " (" + s.driver() + ")"));
            out.println(BufferReport.row("sources", sources.isEmpty() ? "none" : sources.size() + ": " + String.join(", ", sources)));
            if (certificate.configured()) {
                out.println(BufferReport.row("certificate", certificate.daysLeft() == null ? "not readable at " + cfg.uplink().certFile().get()
                        : certificate.daysLeft() + " days left (" + cfg.uplink().certFile().get() + ")"));
            }
            out.println(BufferReport.row("alarms (files)", certificate.alarms().isEmpty() ? "none" : String.join(", ", Alarm.texts(certificate.alarms()))));
            if (stats == null) {
                out.println(BufferReport.row("buffer", "none yet at " + db));
            } else {
                BufferReport.lines(db, stats).forEach(out::println);
            }
        }
        out.flush();
        return Main.OK;
    }

    /** The URL without any {@code user:password@} part. */
    static String safeUrl(String url) {
        return io.meterlink.core.config.BrokerUrl.redact(url);
    }

    private static String authentication(UplinkConfig u) {
        if (!u.isTls()) return "plaintext, development only";
        if (u.certFile().isPresent()) return "mutual TLS";
        return "username/password over TLS";
    }
}
