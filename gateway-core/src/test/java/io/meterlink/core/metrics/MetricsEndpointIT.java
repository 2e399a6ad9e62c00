package io.meterlink.core.metrics;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.core.api.driver.DecodeException;
import io.meterlink.core.config.ConfigLoader;
import io.meterlink.core.config.GatewayConfig;
import io.meterlink.core.runtime.AcceptedListener;
import io.meterlink.core.runtime.Gateway;
import io.meterlink.core.runtime.StandardParts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A running gateway (real SQLite buffer, Paho uplink towards a closed port, the test driver) with
 * {@code metrics.listen} set, scraped over HTTP in both formats; each scrape is parsed by the
 * exposition grammar below, so a malformed line fails the test, then the figures are compared with
 * the gateway's own status.
 */
class MetricsEndpointIT {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME.pattern() + ")(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    @TempDir Path dir;

    /** One parsed scrape: samples by {@code name{sorted labels}}, family types by name. */
    record Scrape(Map<String, Double> samples, Map<String, String> types) {
        double get(String name, String... labels) {
            Map<String, String> l = new TreeMap<>();
            for (int i = 0; i < labels.length; i += 2) l.put(labels[i], labels[i + 1]);
            Double v = samples.get(key(name, l));
            if (v == null) fail("no sample " + key(name, l) + " in " + samples.keySet());
            return v;
        }
    }

    static String key(String name, Map<String, String> labels) {
        return labels.isEmpty() ? name : name + labels;
    }

    /** Parses the text exposition format (0.0.4, or OpenMetrics 1.0 when {@code openMetrics}); fails on any bad line. */
    static Scrape parse(String text, boolean openMetrics) {
        Map<String, Double> samples = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        assertEquals("", lines.remove(lines.size() - 1), "the exposition ends with a line feed");
        if (openMetrics) assertEquals("# EOF", lines.remove(lines.size() - 1), "OpenMetrics ends with # EOF");
        for (String line : lines) {
            if (line.startsWith("# HELP ")) continue;
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                assertEquals(4, p.length, line);
                assertTrue(NAME.matcher(p[2]).matches(), line);
                assertTrue(List.of("counter", "gauge").contains(p[3]), line);
                assertEquals(null, types.put(p[2], p[3]), "family declared twice: " + line);
                continue;
            }
            assertTrue(!line.startsWith("#"), "unknown comment: " + line);
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            String name = m.group(1);
            String family = types.containsKey(name) ? name : name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
            String type = types.get(family);
            assertTrue(type != null, "sample before its # TYPE: " + line);
            if (type.equals("counter")) {
                assertTrue(name.endsWith("_total"), "a counter's sample ends in _total: " + line);
                assertEquals(openMetrics ? name.substring(0, name.length() - 6) : name, family, "family naming: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            assertEquals(null, samples.put(key(name, labels), Double.parseDouble(m.group(3))), "duplicate series: " + line);
        }
        return new Scrape(samples, types);
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path config(String... metricsLines) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "gateway_id: gw-metrics",
                "state_dir: state",
                "buffer:",
                "  commit_interval: 20ms",
                "uplink:",
                "  url: tcp://127.0.0.1:" + closedPort(),
                "  allow_insecure: true",
                "  backoff_min: 100ms",
                "  backoff_max: 1s",
                "sources:",
                "  - name: bench",
                "    driver: test",
                "    readings: 50",
                "    batch: 5"));
        lines.addAll(List.of(metricsLines));
        return Files.writeString(dir.resolve("gw.yaml"), String.join("\n", lines) + "\n");
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) b.header("Accept", accept);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void runningGateway_isScrapedInBothFormats_andTheFiguresAreTheStatusFigures() throws Exception {
        GatewayConfig cfg = ConfigLoader.load(config("metrics:", "  listen: 127.0.0.1:0"));
        try (Gateway gw = Gateway.start(cfg, new StandardParts(), Clock.systemUTC(), AcceptedListener.NONE)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (gw.status().buffer().accepted() < 50) {
                if (System.nanoTime() > deadline) fail("50 readings not accepted");
                Thread.sleep(20);
            }
            // what a driver reports for refused frames
            gw.health().forSource("bench", Duration.ofMinutes(15)).badInput("bench", DecodeException.Kind.CHECKSUM);
            gw.health().forSource("bench", Duration.ofMinutes(15)).badInput("bench", DecodeException.Kind.CHECKSUM);
            gw.health().forSource("bench", Duration.ofMinutes(15)).badInput("bench", DecodeException.Kind.WRONG_KEY);
            gw.health().forSource("bench", Duration.ofMinutes(15)).recordsWithoutReading("bench", "identifier", 2);
            gw.health().forSource("bench", Duration.ofMinutes(15)).recordsWithoutReading("bench", "identifier", 3);
            assertTrue(gw.metricsPort() > 0);
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> prom = get(http, gw.metricsPort(), "/metrics", null);
            assertEquals(200, prom.statusCode());
            assertTrue(prom.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Scrape p = parse(prom.body(), false);
            assertEquals("counter", p.types().get("meterlink_readings_accepted_total"));

            HttpResponse<String> om = get(http, gw.metricsPort(), "/metrics", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
            assertEquals(200, om.statusCode());
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            Scrape o = parse(om.body(), true);
            assertEquals("counter", o.types().get("meterlink_readings_accepted"));

            var status = gw.status();
            for (Scrape s : List.of(p, o)) {
                assertEquals(50, s.get("meterlink_buffer_depth"));
                assertEquals(status.buffer().depth(), s.get("meterlink_buffer_depth"));
                assertEquals(50, s.get("meterlink_readings_accepted_total"));
                assertEquals(0, s.get("meterlink_readings_delivered_total"));
                assertEquals(0, s.get("meterlink_readings_evicted_total", "reason", "bytes_cap"));
                assertEquals(0, s.get("meterlink_readings_evicted_total", "reason", "disk_free"));
                double age = s.get("meterlink_buffer_oldest_unsent_age_seconds");
                assertTrue(age >= 0 && age < 600, "seconds since the oldest unsent reading, not a timestamp: " + age);
                assertEquals(2, s.get("meterlink_decode_errors_total", "kind", "checksum", "source", "bench"));
                assertEquals(1, s.get("meterlink_decode_errors_total", "kind", "wrong_key", "source", "bench"));
                assertEquals(5, s.get("meterlink_records_without_reading_total", "kind", "identifier", "source", "bench"));
                assertEquals(50, s.get("meterlink_source_readings_total", "source", "bench"));
                assertEquals(1, s.get("meterlink_source_meters_heard", "source", "bench"));
                assertEquals(0, s.get("meterlink_uplink_connected"), "the broker's port is closed");
                assertEquals(1, s.get("meterlink_info", "gateway", "gw-metrics", "version", status.version()));
            }
            assertEquals(404, get(http, gw.metricsPort(), "/other", null).statusCode());
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.metricsPort() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void metrics_areOffByDefault_andOnlyOnLoopback() throws Exception {
        try (Gateway gw = Gateway.start(ConfigLoader.load(config()), new StandardParts(), Clock.systemUTC(), AcceptedListener.NONE)) {
            assertEquals(-1, gw.metricsPort());
        }
        for (String bad : List.of("0.0.0.0:9464", "192.0.2.1:9464", "127.0.0.1", "127.0.0.1:70000", "metrics.example:9464")) {
            Path file = config("metrics:", "  listen: " + bad);
            List<ConfigError> errors = assertThrows(ConfigException.class, () -> ConfigLoader.load(file)).errors();
            assertTrue(errors.stream().anyMatch(e -> e.key().equals("metrics.listen") && e.message().contains("loopback")), bad + ": " + errors);
        }
        Path unknown = config("metrics:", "  port: 9464");
        assertThrows(ConfigException.class, () -> ConfigLoader.load(unknown));
    }

    @Test
    void labelValues_areEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", MetricsText.escape("a\\b\"c\nd"));
    }
}
