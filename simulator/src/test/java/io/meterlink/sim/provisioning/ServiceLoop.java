package io.meterlink.sim.provisioning;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What systemd does with the unit for the update tests: starts the launcher ({@code /usr/bin/meterlink}
 * from the source tree) with the given arguments, and starts it again after every exit but 2
 * ({@code Restart=always}, {@code RestartPreventExitStatus=2}) after a short pause ({@code RestartSec}).
 * Exit codes in order in {@link #exits()}; output appended to a log file.
 */
final class ServiceLoop implements AutoCloseable {
    private final List<Integer> exits = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Process process;

    ServiceLoop(Path launcher, Map<String, String> env, Path log, List<String> args) {
        thread = new Thread(() -> {
            while (!stopping) {
                try {
                    List<String> cmd = new java.util.ArrayList<>(List.of("/bin/sh", launcher.toString()));
                    cmd.addAll(args);
                    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                    pb.environment().putAll(env);
                    process = pb.start();
                    int rc = process.waitFor();
                    exits.add(rc);
                    if (rc == 2) return;
                    Thread.sleep(500);
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }, "it-service-loop");
        thread.setDaemon(true);
        thread.start();
    }

    List<Integer> exits() { return List.copyOf(exits); }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        Process p = process;
        if (p != null) {
            p.destroy(); // SIGTERM, as systemctl stop
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
        thread.join(35_000);
    }
}
