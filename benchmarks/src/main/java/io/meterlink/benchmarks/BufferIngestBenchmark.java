package io.meterlink.benchmarks;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.uplink.ReadingRecords;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Durable ingest rate of the buffer: readings/s committed with {@code synchronous=FULL} and the
 * default group commit (200 ms / 1,000 readings, queue 20,000), ~200-byte JSON bodies or the
 * gateway's records ({@code -p stored=json|records}).
 *
 * <p>Each invocation appends {@value #BATCH} readings and waits for the commit of the append made
 * {@value #WINDOW} invocations earlier, so at most {@value #WINDOW}&times;{@value #BATCH} readings
 * are in flight: the score is the committed rate, not the enqueue rate. The byte bound is lifted
 * ({@code max_bytes} 1 TiB) so no eviction happens; the database lives in {@code -Dbench.dir}
 * (default the system temp directory), which should be on the disk under test.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar BufferIngestBenchmark -wi 1 -i 3 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgs = {"-Xmx256m"})
public class BufferIngestBenchmark {

    static final int BATCH = 100;
    static final int WINDOW = 64;

    @Param({"true"})
    public boolean synchronousFull;

    /**
     * The stored form: {@code json}, ~200-byte JSON objects ({@link BenchReadings#ENCODER}, as under
     * {@code uplink.payload: json}); {@code records}, the gateway's binary records (as under {@code compact}).
     */
    @Param({"json", "records"})
    public String stored;

    private Path dir;
    private SqliteBuffer buffer;
    private List<Reading> readings;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<long[]>[] inFlight = new CompletableFuture[WINDOW];
    private int next;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))), "ingest-");
        BufferConfig d = BufferConfig.defaults(dir.resolve("buffer.db"));
        BufferConfig cfg = new BufferConfig(d.path(), 1L << 40, d.minFreeDiskPercent(), d.commitInterval(),
                d.commitMaxReadings(), synchronousFull, d.queueCapacity());
        buffer = SqliteBuffer.open(cfg, "records".equals(stored) ? new ReadingRecords() : BenchReadings.ENCODER, Clock.systemUTC());
        readings = BenchReadings.batch(BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void append() throws Exception {
        int slot = next++ % WINDOW;
        CompletableFuture<long[]> old = inFlight[slot];
        if (old != null) {
            old.join();
        }
        inFlight[slot] = buffer.append(readings);
    }

    @TearDown(Level.Iteration)
    public void drainInFlight() {
        for (CompletableFuture<long[]> f : inFlight) {
            if (f != null) {
                f.join();
            }
        }
        System.out.println(" (buffer: " + buffer.stats().depth() + " readings stored)");
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        buffer.close();
        BenchReadings.deleteTree(dir);
    }
}
