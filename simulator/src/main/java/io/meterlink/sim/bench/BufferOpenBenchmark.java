package io.meterlink.sim.bench;

import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.SqliteBuffer;
import io.meterlink.core.config.BufferConfig;
import io.meterlink.core.uplink.JsonPayloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Start-up cost of the buffer against its size (issue 9 / issue 15 §3): fills a buffer of about
 * {@code --mib} MiB with real encoded readings, closes it cleanly, then times {@code SqliteBuffer.open}
 * plus close {@code --runs} times after a clean close (the marker is there: no integrity check) and
 * {@code --runs} times after an unclean one (marker removed: {@code PRAGMA quick_check} reads the
 * whole file, which is what every open did before). Prints one JSON line.
 *
 * <pre>java -cp simulator/target/meterlink-sim.jar io.meterlink.sim.bench.BufferOpenBenchmark --mib 256 --runs 3</pre>
 */
public final class BufferOpenBenchmark {

    private BufferOpenBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long mib = 256;
        int runs = 3;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mib" -> mib = Long.parseLong(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (dir == null) dir = Files.createTempDirectory("meterlink-open-bench");
        Path db = dir.resolve("buffer.db");
        BufferConfig cfg = new BufferConfig(db, 2L * mib * BufferConfig.MIB, 0, java.time.Duration.ofMillis(200), 5_000, false, 20_000);
        if (!Files.exists(db)) {
            // about 430 accounted bytes per reading (body + 64): readings for the wanted size
            long readings = mib * BufferConfig.MIB / 430;
            new Backlog("gw-bench", readings, 1000, 50_000_000, Instant.now().minusSeconds(86_400), Instant.now()).writeTo(db);
        }
        try (SqliteBuffer b = SqliteBuffer.open(cfg, new JsonPayloads("gw-bench"), Clock.systemUTC())) {
            b.stats(); // a clean close leaves the marker
        }
        long fileBytes = Files.size(db);
        BufferStats stats = SqliteBuffer.inspect(db);
        long[] clean = new long[runs];
        long[] unclean = new long[runs];
        Path marker = db.resolveSibling(db.getFileName() + ".clean");
        for (int r = 0; r < runs; r++) {
            clean[r] = timeOpen(cfg);
            Files.deleteIfExists(marker); // as after a crash or power cut
            unclean[r] = timeOpen(cfg);
        }
        System.out.printf("{\"file_mib\":%.1f,\"readings\":%d,\"open_after_clean_close_ms\":%s,\"open_after_unclean_close_ms\":%s}%n",
                fileBytes / (double) BufferConfig.MIB, stats.depth(), Arrays.toString(clean), Arrays.toString(unclean));
    }

    private static long timeOpen(BufferConfig cfg) {
        long t = System.nanoTime();
        try (SqliteBuffer b = SqliteBuffer.open(cfg, new JsonPayloads("gw-bench"), Clock.systemUTC())) {
            long ms = (System.nanoTime() - t) / 1_000_000;
            b.highestCommittedSeq();
            return ms;
        }
    }
}
