package io.meterlink.sim.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The field gateway ({@code meterlink.jar}) as a real child JVM: {@code java [jvm args]
 * -Dmeterlink.trace.accepted=true -jar meterlink.jar run --config F}. A thread reads its stdout and
 * collects the {@code ACCEPTED <first>-<last>} trace lines; every other stdout line and all of
 * stderr go to a log file. Thread-safe.
 */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern ACCEPTED = Pattern.compile("^ACCEPTED (\\d+)-(\\d+)$");

    private final Process process;
    private final Thread reader;
    private final List<long[]> ranges = new CopyOnWriteArrayList<>();
    private final AtomicLong acceptedCount = new AtomicLong();
    private final Path log;

    private GatewayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::readStdout, "gateway-stdout-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * The gateway jar: the first candidate that exists.
     *
     * @throws IllegalStateException naming every candidate when none exists (build it with {@code ./mvnw package})
     */
    public static Path findJar(List<Path> candidates) {
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) return p.toAbsolutePath().normalize();
        }
        throw new IllegalStateException("meterlink.jar not found at any of " + candidates.stream()
                .map(p -> p.toAbsolutePath().normalize().toString()).toList()
                + " — build it first: ./mvnw -B package -DskipTests");
    }

    /** The {@code java} binary of the running JVM. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts {@code meterlink run --config config} with the accepted-trace on.
     *
     * @param jvmArgs extra JVM options (e.g. {@code -Xmx64m})
     * @param log     where stderr and non-trace stdout lines are appended
     */
    public static GatewayProcess start(Path jar, Path config, List<String> jvmArgs, Path log) throws IOException {
        return start(jar, config, jvmArgs, log, List.of());
    }

    /** As {@link #start(Path, Path, List, Path)} with more options for {@code run} (e.g. {@code --bundle-trial-timeout 5}). */
    public static GatewayProcess start(Path jar, Path config, List<String> jvmArgs, Path log, List<String> runArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(classDataSharing(jar));
        cmd.addAll(jvmArgs);
        cmd.add("-Dmeterlink.trace.accepted=true");
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.add("run");
        cmd.add("--config");
        cmd.add(config.toString());
        cmd.addAll(runArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as the package's launcher sets it
        return new GatewayProcess(pb.start(), log);
    }

    /**
     * As the package's launcher: the class data sharing archive the build made next to the jar
     * ({@code meterlink.jsa}) with {@code -Xshare:auto}, when there is one; before the caller's options,
     * so {@code -Xshare:off} or another archive given there wins.
     */
    static List<String> classDataSharing(Path jar) {
        String name = jar.getFileName().toString();
        Path archive = jar.resolveSibling(name.replaceFirst("\\.jar$", "") + ".jsa");
        return Files.isReadable(archive) ? List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto") : List.of();
    }

    /**
     * The gateway as systemd starts it from the package: {@code sh launcher run --config F [runArgs]} with the
     * releases directory {@code releases} ({@code METERLINK_RELEASES}), the JVM options and the accepted-trace in
     * {@code METERLINK_JAVA_OPTS}, and this JVM's Java ({@code JAVA_HOME}). The launcher execs the JVM.
     */
    public static GatewayProcess startLauncher(Path launcher, Path releases, Path config, List<String> jvmArgs, Path log,
                                               List<String> runArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", launcher.toString(), "run", "--config", config.toString()));
        cmd.addAll(runArgs);
        List<String> opts = new ArrayList<>(jvmArgs);
        opts.add("-Dmeterlink.trace.accepted=true");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("METERLINK_RELEASES", releases.toString());
        pb.environment().put("METERLINK_JAVA_OPTS", String.join(" ", opts));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return new GatewayProcess(pb.start(), log);
    }

    /** The exit code, or -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Result of a one-shot CLI command. */
    public record CliResult(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code java -jar jar args…} to completion (e.g. {@code buffer stats --config F --json}). */
    public static CliResult cli(Path jar, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("meterlink-cli-", ".out");
        Path err = Files.createTempFile("meterlink-cli-", ".err");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IOException("`meterlink " + String.join(" ", args) + "` did not finish within " + timeout);
            }
            return new CliResult(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private void readStdout() {
        InputStream in = process.getInputStream();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = ACCEPTED.matcher(line);
                if (m.matches()) {
                    long first = Long.parseLong(m.group(1));
                    long last = Long.parseLong(m.group(2));
                    ranges.add(new long[]{first, last});
                    acceptedCount.addAndGet(last - first + 1);
                } else {
                    appendLog("[stdout] " + line);
                }
            }
        } catch (IOException e) {
            // the process died: a partial last line is simply not a trace line
        }
    }

    private void appendLog(String line) {
        try {
            Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() { return process.pid(); }

    public boolean isAlive() { return process.isAlive(); }

    /** Every {@code [first, last]} range traced as accepted so far, in the order printed. */
    public List<long[]> acceptedRanges() { return List.copyOf(ranges); }

    /** Readings traced as accepted so far. */
    public long acceptedCount() { return acceptedCount.get(); }

    /** Peak resident set size in KiB ({@code VmHWM} of {@code /proc/<pid>/status}); -1 when unavailable. */
    public long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time (user + system) the process used so far; -1 when unavailable. */
    public long cpuMillis() {
        return process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
    }

    /** SIGKILL, then waits for the process and for its stdout to be read to the end. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(10_000);
    }

    /**
     * SIGTERM, then waits up to {@code timeout}.
     *
     * @return the exit code
     * @throws IllegalStateException when it did not exit in time (it is then killed)
     */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the gateway did not exit within " + timeout + " of SIGTERM");
        }
        reader.join(10_000);
        return process.exitValue();
    }

    /** The log's last {@code maxLines} lines, for failure messages. */
    public String logTail(int maxLines) {
        try {
            if (!Files.exists(log)) return "(no log)";
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }
}
