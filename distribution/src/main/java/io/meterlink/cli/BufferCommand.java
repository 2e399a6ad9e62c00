package io.meterlink.cli;

import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.config.GatewayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code meterlink buffer …}. */
@Command(name = "buffer", mixinStandardHelpOptions = true, description = "Inspect the buffer (the store of record).",
        subcommands = BufferCommand.Stats.class)
final class BufferCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Depth, bytes, oldest unsent age, evictions by reason, dead letters and alarms of the buffer"
                    + " (read-only; safe while the gateway runs).")
    static final class Stats implements Callable<Integer> {
        private final Services services;
        @Spec CommandSpec spec;
        @Mixin ConfigFileOption configFile;
        @Option(names = "--json", description = "one JSON object on one line")
        boolean json;

        Stats(Services services) { this.services = services; }

        @Override public Integer call() throws Exception {
            GatewayConfig cfg = configFile.load(services, spec);
            if (cfg == null) return Main.USAGE;
            Path db = cfg.buffer().path();
            if (!Files.exists(db)) {
                spec.commandLine().getErr().println("meterlink: no buffer database at " + db + " (has the gateway run yet?)");
                spec.commandLine().getErr().flush();
                return Main.FAILURE;
            }
            BufferStats stats = services.inspectBuffer(db);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(BufferReport.JSON.writeValueAsString(BufferReport.json(db, stats)));
            } else {
                BufferReport.lines(db, stats).forEach(out::println);
            }
            out.flush();
            return Main.OK;
        }
    }
}
