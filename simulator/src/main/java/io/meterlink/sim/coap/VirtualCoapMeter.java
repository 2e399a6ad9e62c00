package io.meterlink.sim.coap;

import io.meterlink.core.api.MeasurementFunction;
import io.meterlink.core.api.MeterId;
import io.meterlink.core.api.Quantity;
import io.meterlink.core.api.Reading;
import io.meterlink.core.api.Unit;
import io.meterlink.sim.electricity.ElectricityLedgerEntry;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.SystemConfig;
import org.eclipse.californium.elements.config.UdpConfig;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A virtual IP meter: a Californium CoAP server on a loopback UDP port whose resource {@code /meter}
 * serves SenML JSON (RFC 8428: base name, base time, an energy accumulator {@code s} in Wh and the
 * power in W) and is observable (RFC 7641), notifying every interval. Each representation it
 * sends is a fresh measurement with its own time, and is written to the ledger (a notification once
 * the gateway acknowledged it) as the readings a correct gateway must deliver. {@link #restart()} stops and starts the server on the same port,
 * forgetting its observers, as a meter that rebooted; {@code padding} makes the pack long enough
 * for blockwise transfer. Thread-safe.
 */
public final class VirtualCoapMeter implements AutoCloseable {
    private final MeterId meter;
    private final Clock clock;
    private final int padding;
    private final ScheduledExecutorService timer;
    private final List<ElectricityLedgerEntry> ledger = new ArrayList<>();
    private final long startMs;
    private volatile CoapServer server;
    private volatile Resource resource;
    private int port;
    private volatile boolean silent;

    public VirtualCoapMeter(String id, Clock clock, Duration interval, int padding) {
        this.meter = MeterId.of("coap", "senml", id);
        this.clock = clock;
        this.padding = padding;
        this.startMs = clock.millis();
        start();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "coap-meter-" + id);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            Resource r = resource;
            if (!silent && r != null) r.changed();
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public MeterId meterId() { return meter; }

    public int port() { return port; }

    /** The meter stops measuring: no notifications, no answers. */
    public void silence() { silent = true; }

    /** Everything sent so far. */
    public synchronized List<ElectricityLedgerEntry> ledger() { return List.copyOf(ledger); }

    /** Reboots: a new server on the same port; observers are forgotten. */
    public synchronized void restart() {
        CoapServer s = server;
        if (s != null) s.destroy();
        start();
    }

    private synchronized void start() {
        Configuration c = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, SystemConfig.DEFINITIONS);
        c.set(CoapConfig.PREFERRED_BLOCK_SIZE, 512);
        c.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 64 * 1024);
        c.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, 1);
        // a killed gateway's observation ends after ~3.5 s of unacknowledged notifications (0.5 + 1 + 2 s)
        c.set(CoapConfig.ACK_TIMEOUT, 500, TimeUnit.MILLISECONDS);
        c.set(CoapConfig.ACK_INIT_RANDOM, 1.0f);
        c.set(CoapConfig.MAX_RETRANSMIT, 2);
        CoapServer s = new CoapServer(c);
        s.addEndpoint(new CoapEndpoint.Builder().setConfiguration(c)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).build());
        Resource r = new Resource();
        s.add(r);
        s.start();
        port = s.getEndpoints().get(0).getAddress().getPort();
        server = s;
        resource = r;
    }

    /** One measurement now: its SenML pack, and (through {@code sent}) its ledger entry once it reached the gateway. */
    private synchronized byte[] measure(java.util.function.Consumer<ElectricityLedgerEntry> sent) {
        long ms = clock.millis();
        // energy grows 1 Wh per second (a 3.6 kW load), kept exact in milliwatt-hours
        BigDecimal wh = BigDecimal.valueOf(1_000_000_000L + (ms - startMs)).movePointLeft(3);
        BigDecimal w = BigDecimal.valueOf(3600 + ms % 100);
        BigDecimal t = BigDecimal.valueOf(ms).movePointLeft(3);
        Instant at = Instant.ofEpochMilli(ms);
        StringBuilder pack = new StringBuilder("[{\"bn\":\"").append(meter.id()).append(":\",\"bt\":").append(t.toPlainString())
                .append(",\"n\":\"energy\",\"u\":\"Wh\",\"s\":").append(wh.toPlainString()).append("},")
                .append("{\"n\":\"power\",\"u\":\"W\",\"v\":").append(w.toPlainString()).append('}');
        for (int i = 0; i < padding; i++) pack.append(",{\"n\":\"note").append(i).append("\",\"vs\":\"sim\"}");
        pack.append(']');
        sent.accept(new ElectricityLedgerEntry(meter.toString(), at, List.of(
                new Reading(meter, Quantity.ENERGY, Unit.WH, strip(wh), MeasurementFunction.INSTANTANEOUS, 0, 0, 0, at, at, 0, null),
                new Reading(meter, Quantity.POWER, Unit.W, strip(w), MeasurementFunction.INSTANTANEOUS, 0, 0, 0, at, at, 0, null)), false));
        return pack.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private synchronized void record(ElectricityLedgerEntry e) {
        ledger.add(e);
    }

    private static BigDecimal strip(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    private final class Resource extends CoapResource {
        Resource() {
            super("meter");
            setObservable(true);
            setObserveType(CoAP.Type.CON);
            getAttributes().setObservable();
        }

        @Override public void handleGET(CoapExchange exchange) {
            if (silent) return; // a stopped meter answers nothing
            org.eclipse.californium.core.observe.ObserveRelation relation = exchange.advanced().getRelation();
            boolean notification = relation != null && relation.isEstablished();
            Response response = new Response(CoAP.ResponseCode.CONTENT);
            ElectricityLedgerEntry[] entry = new ElectricityLedgerEntry[1];
            response.setPayload(measure(e -> entry[0] = e));
            response.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_SENML_JSON);
            if (notification) {
                // a CON notification counts as sent once the gateway acknowledged it; one it rejected (an
                // observation it dropped) or that timed out (a killed gateway) never reached anyone
                response.addMessageObserver(new MessageObserverAdapter() {
                    @Override public void onAcknowledgement() { record(entry[0]); }
                });
            } else {
                record(entry[0]); // the answer to a GET or registration rides on the request's ACK
            }
            exchange.respond(response);
        }
    }

    @Override public void close() {
        timer.shutdownNow();
        CoapServer s = server;
        if (s != null) s.destroy();
    }
}
