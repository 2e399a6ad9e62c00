package io.meterlink.sim.serial;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A socat pseudo-terminal pair ({@code socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B}): a serial
 * line whose two ends are device paths. The virtual meters open one end, the gateway the other,
 * both through jSerialComm, exactly as with a USB serial adapter. Not thread-safe.
 */
public final class SocatPty implements AutoCloseable {
    private final Process process;
    private final Path meterEnd;
    private final Path gatewayEnd;

    private SocatPty(Process process, Path meterEnd, Path gatewayEnd) {
        this.process = process;
        this.meterEnd = meterEnd;
        this.gatewayEnd = gatewayEnd;
    }

    /** The socat binary on PATH, or {@code null}. */
    public static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "socat");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Starts the pair with links {@code <dir>/<name>-meters} and {@code <dir>/<name>-gateway}; returns when both exist. */
    public static SocatPty start(Path dir, String name) throws IOException, InterruptedException {
        Path socat = binary();
        if (socat == null) throw new IOException("socat is not installed (apt-get install socat): mbus_serial meters need it");
        Path a = dir.resolve(name + "-meters");
        Path b = dir.resolve(name + "-gateway");
        Path log = dir.resolve(name + "-socat.log");
        Files.deleteIfExists(a); // links of an earlier pair: wait for the new ones
        Files.deleteIfExists(b);
        Process p = new ProcessBuilder(socat.toString(), "-d", "-d", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(Files.exists(a) && Files.exists(b))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("socat did not create " + a + " and " + b + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new SocatPty(p, a, b);
    }

    public Path meterEnd() { return meterEnd; }

    public Path gatewayEnd() { return gatewayEnd; }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
}
