package io.meterlink.cli;

import io.meterlink.core.buffer.BufferException;
import io.meterlink.core.buffer.BufferSalvage;
import io.meterlink.core.buffer.BufferStats;
import io.meterlink.core.buffer.NotABufferException;
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
        subcommands = {BufferCommand.Stats.class, BufferCommand.Salvage.class})
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

    @Command(name = "salvage", mixinStandardHelpOptions = true,
            description = {"Copy every readable, checksum-valid reading of a quarantined buffer file (FILE, e.g."
                    + " buffer.db.corrupt-20261126T080000Z) into the live buffer, keeping each reading's seq; prints the counts"
                    + " as one JSON object. Stop the gateway first (the live buffer is locked while it runs).",
                    "Exit 0 done, 2 FILE is not a buffer (or is the live one), 3 the live buffer cannot be opened."})
    static final class Salvage implements Callable<Integer> {
        private final Services services;
        @Spec CommandSpec spec;
        @Mixin ConfigFileOption configFile;
        @picocli.CommandLine.Parameters(index = "0", paramLabel = "FILE", description = "the quarantined buffer file")
        Path file;

        Salvage(Services services) { this.services = services; }

        @Override public Integer call() throws Exception {
            GatewayConfig cfg = configFile.load(services, spec);
            if (cfg == null) return Main.USAGE;
            PrintWriter err = spec.commandLine().getErr();
            BufferSalvage.Result r;
            try {
                // during an update's trial the live buffer keeps the layout the previous release reads (docs/fleet.md)
                r = BufferSalvage.salvage(file, UpdateTrial.buffer(cfg), java.time.Clock.systemUTC());
            } catch (NotABufferException e) {
                err.println("meterlink: " + e.getMessage());
                err.flush();
                return Main.USAGE;
            } catch (BufferException e) {
                err.println("meterlink: " + e.getMessage());
                err.flush();
                return Main.FAILURE;
            }
            var o = BufferReport.JSON.createObjectNode();
            o.put("file", file.toString());
            o.put("into", cfg.buffer().path().toString());
            o.put("found", r.found());
            o.put("salvaged", r.salvaged());
            o.put("skipped_duplicate", r.duplicates());
            o.put("skipped_checksum_mismatch", r.checksumMismatch());
            o.put("skipped_unreadable", r.unreadable());
            o.put("unchecked", r.unchecked());
            PrintWriter out = spec.commandLine().getOut();
            out.println(BufferReport.JSON.writeValueAsString(o));
            out.flush();
            return Main.OK;
        }
    }
}
