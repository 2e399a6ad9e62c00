package io.meterlink.sim.crash;

import io.meterlink.drivers.testing.Ci;
import io.meterlink.sim.headend.GatewaySeq;
import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.bench.GatewayYaml;
import io.meterlink.sim.broker.MosquittoBroker;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.headend.Verdict;
import io.meterlink.sim.mbus.LedgerEntry;
import io.meterlink.sim.mbus.TcpMbusSlaveServer;
import io.meterlink.sim.mbus.VirtualMbusBus;
import io.meterlink.sim.mbus.VirtualMbusSlave;
import io.meterlink.sim.pki.ClientTls;
import io.meterlink.sim.pki.TestPki;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the crash tests share: a real Mosquitto with mutual TLS and the per-gateway ACL, a head-end
 * subscribed as the {@code headend} user, TCP lines of virtual M-Bus slaves, the gateway's config
 * and the path of {@code meterlink.jar}. Closes everything it started.
 */
public final class CrashFixture implements AutoCloseable {
    static final Path JAR = Path.of("../distribution/target/meterlink.jar");

    final Path dir;
    final TestPki pki;
    final MosquittoBroker broker;
    final HeadEnd headEnd;
    final Path jar;
    private final List<TcpMbusSlaveServer> lines = new ArrayList<>();
    private final List<VirtualMbusBus> buses = new ArrayList<>();

    CrashFixture(Path dir) throws Exception {
        requireMosquitto();
        this.jar = GatewayProcess.findJar(List.of(JAR));
        this.dir = dir;
        this.pki = TestPki.create(dir.resolve("pki"));
        this.broker = MosquittoBroker.builder(dir.resolve("broker"), pki.caFile(), pki.issueLocalhostServer()).build().start();
        HeadEnd he;
        try {
            he = new HeadEnd(broker.url(), null, null, ClientTls.mutual(pki, pki.issueClient("headend")),
                    "meterlink/v1", Clock.systemUTC());
        } catch (Exception e) {
            broker.close();
            throw e;
        }
        this.headEnd = he;
    }

    /** Tests that need Mosquitto fail under CI=true when it is missing, else skip with a message. */
    public static void requireMosquitto() {
        if (MosquittoBroker.available()) return;
        if (Ci.active()) fail("mosquitto is required under CI=true: " + MosquittoBroker.BINARY + " is missing");
        Assumptions.abort("mosquitto not installed (" + MosquittoBroker.BINARY + "): skipping");
    }

    /** A TCP line with {@code meters} virtual slaves at addresses 1..meters, water and heat alternating. */
    TcpMbusSlaveServer line(int meters, int idBase) throws Exception {
        List<VirtualMbusSlave> slaves = new ArrayList<>();
        for (int a = 1; a <= meters; a++) {
            VirtualMbusSlave.Kind kind = a % 2 == 0 ? VirtualMbusSlave.Kind.HEAT : VirtualMbusSlave.Kind.WATER;
            slaves.add(new VirtualMbusSlave(a, String.format("%08d", idBase + a), a % 2 == 0 ? "KAM" : "ELS", kind,
                    Clock.systemUTC(), ZoneOffset.UTC, 100_000L * a, 600 + 60L * a, 1));
        }
        VirtualMbusBus bus = new VirtualMbusBus(slaves);
        TcpMbusSlaveServer server = new TcpMbusSlaveServer(0, bus);
        buses.add(bus);
        lines.add(server);
        return server;
    }

    static List<Integer> addresses(int meters) {
        return IntStream.rangeClosed(1, meters).boxed().toList();
    }

    /** A config for gateway {@code gatewayId} (client certificate CN = id) with its buffer at {@code db}. */
    GatewayYaml config(String gatewayId, Path db) {
        TestPki.Issued cert = pki.issueClient(gatewayId);
        return new GatewayYaml(gatewayId, db.getParent(), db)
                .uplink(broker.url(), pki.caFile(), cert.certFile(), cert.keyFile())
                .uplinkKey("backoff_min", "100ms")
                .uplinkKey("backoff_max", "2s")
                .uplinkKey("status_interval", "2s");
    }

    /** Stops every slave line: no reading is generated after this. */
    void stopLines() {
        lines.forEach(TcpMbusSlaveServer::close);
    }

    /** Every reading the slaves generated, with its generation time. */
    List<Verdict.Generated> generated() {
        List<Verdict.Generated> out = new ArrayList<>();
        for (VirtualMbusBus bus : buses) {
            for (LedgerEntry e : bus.ledger()) {
                e.readings().forEach(r -> out.add(new Verdict.Generated(r, e.generatedAt())));
            }
        }
        return out;
    }

    /** How many readings the slaves generated so far. */
    long generatedReadings() {
        long n = 0;
        for (VirtualMbusBus bus : buses) {
            for (VirtualMbusSlave s : bus.slaves()) {
                for (LedgerEntry e : s.ledger()) n += e.readings().size();
            }
        }
        return n;
    }

    /** Every seq of the traced ranges. */
    static Set<Long> seqs(List<long[]> ranges) {
        Set<Long> out = new TreeSet<>();
        for (long[] r : ranges) {
            for (long s = r[0]; s <= r[1]; s++) out.add(s);
        }
        return out;
    }

    /** Accepted seqs that have not (yet) arrived at the head-end, as {@code gw#seq}. */
    List<String> notDelivered(String gatewayId, Set<Long> accepted) {
        Set<GatewaySeq> seen = headEnd.seenSeqs();
        List<String> missing = new ArrayList<>();
        for (long s : accepted) {
            GatewaySeq k = new GatewaySeq(gatewayId, s);
            if (!seen.contains(k)) missing.add(k.toString());
        }
        return missing;
    }

    /** The buffer's depth read from the file while the gateway may be writing it; -1 when it cannot be read just now. */
    static long depth(Path db) {
        try {
            return io.meterlink.core.buffer.SqliteBuffer.inspect(db).depth();
        } catch (io.meterlink.core.buffer.BufferException e) {
            return -1;
        }
    }

    static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() throws Exception {
        stopLines();
        headEnd.close();
        broker.close();
    }
}
