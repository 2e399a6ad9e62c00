package io.meterlink.core.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meterlink.core.status.StatusSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} on a loopback address with the JDK's HTTP server: the gateway's figures for a
 * local collector (Prometheus, node_exporter's textfile, an agent). OpenMetrics 1.0 when the
 * {@code Accept} header asks for it, else Prometheus text 0.0.4. One daemon thread; a failing
 * scrape never touches the gateway. Thread-safe.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address} and serves until {@link #close}.
     *
     * @param status  the current snapshot (called once per scrape)
     * @param sources the per-source figures (called once per scrape)
     * @throws IOException the address cannot be bound (in use, not local)
     */
    public static MetricsEndpoint start(InetSocketAddress address, Supplier<StatusSnapshot> status,
                                        Supplier<MetricsText.Sources> sources) throws IOException {
        HttpServer server = HttpServer.create(address, 8);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "meterlink-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PATH, exchange -> serve(exchange, status, sources));
        server.start();
        LOG.info("Metrics on http://{}:{}{}", address.getAddress().getHostAddress(), server.getAddress().getPort(), PATH);
        return new MetricsEndpoint(server, executor);
    }

    /** The bound port (useful when started on port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, Supplier<StatusSnapshot> status, Supplier<MetricsText.Sources> sources)
            throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
            byte[] body;
            try {
                body = new MetricsText(openMetrics).render(status.get(), sources.get()).getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                LOG.warn("Metrics scrape failed: {}", e.toString());
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", openMetrics ? MetricsText.OPENMETRICS_TYPE : MetricsText.PROMETHEUS_TYPE);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
