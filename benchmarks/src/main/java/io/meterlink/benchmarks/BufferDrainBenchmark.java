package io.meterlink.benchmarks;

import io.meterlink.core.api.Reading;
import io.meterlink.core.buffer.StoredReading;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
 * Time to cycle a 1,000,000-reading backlog through {@code read} + {@code confirm} (batches of
 * 1,000 readings / 256 KiB, as the uplink reads them), until every confirm is committed; no
 * network. Each iteration refills the backlog first (not measured). Score: seconds per 1,000,000.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar BufferDrainBenchmark -wi 0 -i 2 -f 1</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m"})
public class BufferDrainBenchmark {

    static final int BACKLOG = 1_000_000;

    private Path dir;
    private SqliteBuffer buffer;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))), "drain-");
        BufferConfig d = BufferConfig.defaults(dir.resolve("buffer.db"));
        BufferConfig cfg = new BufferConfig(d.path(), 1L << 40, d.minFreeDiskPercent(), d.commitInterval(),
                d.commitMaxReadings(), true, d.queueCapacity());
        buffer = SqliteBuffer.open(cfg, BenchReadings.ENCODER, Clock.systemUTC());
    }

    @Setup(Level.Iteration)
    public void fill() throws Exception {
        List<Reading> batch = BenchReadings.batch(1000);
        CompletableFuture<long[]> last = null;
        for (int i = 0; i < BACKLOG / batch.size(); i++) {
            last = buffer.append(batch);
        }
        last.join();
    }

    @Benchmark
    public long drain() {
        long after = 0;
        long drained = 0;
        while (true) {
            List<StoredReading> rows = buffer.read(after, 1000, 256 * 1024);
            if (rows.isEmpty()) {
                break;
            }
            long[] seqs = new long[rows.size()];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = rows.get(i).seq();
            }
            buffer.confirm(seqs);
            after = seqs[seqs.length - 1];
            drained += seqs.length;
        }
        buffer.flush().join();
        if (drained != BACKLOG || buffer.stats().depth() != 0) {
            throw new IllegalStateException("drained " + drained + ", left " + buffer.stats().depth());
        }
        return drained;
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        buffer.close();
        BenchReadings.deleteTree(dir);
    }
}
