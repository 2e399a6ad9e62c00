package io.meterlink.sim.scenario;

import io.meterlink.core.api.config.ConfigError;
import io.meterlink.core.api.config.ConfigException;
import io.meterlink.sim.bench.GatewayProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code meterlink-sim scenario FILE}: runs a scenario against the real gateway. Progress on stderr,
 * exactly one JSON line on stdout. Exit 0 when every invariant holds, 1 when one fails (named on
 * stderr), 2 for a bad file or usage, 3 when the scenario could not run.
 */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = {"Runs a scenario file against the real gateway (meterlink.jar as a child process): virtual meters,"
                + " a broker, a head-end, faults on a timeline, invariants checked at the end.",
                "Progress on stderr; one JSON line on stdout. Exit 0 pass, 1 an invariant failed, 2 bad file, 3 could not run."})
public final class ScenarioCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the scenario (YAML), see docs/simulator.md")
    Path file;

    @Option(names = "--gateway-jar", paramLabel = "JAR",
            description = "the gateway's runnable jar (default: distribution/target/meterlink.jar, also tried from ..)")
    Path gatewayJar;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the run keeps its files (default: a new temporary directory)")
    Path workDir;

    @Option(names = "--check", description = "only parse and check the file")
    boolean checkOnly;

    @Option(names = "--payload", paramLabel = "FORMAT",
            description = "run the gateway with uplink.payload FORMAT (json or compact) whatever the file says")
    String payload;

    private final PrintStream out;
    private final PrintStream err;

    public ScenarioCommand() {
        this(System.out, System.err);
    }

    ScenarioCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        ScenarioSpec spec;
        try {
            spec = new ScenarioParser().parse(file);
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) err.println(error);
            return 2;
        }
        if (payload != null) {
            if (!ScenarioParser.PAYLOADS.contains(payload)) {
                err.println("--payload must be json or compact, was " + payload);
                return 2;
            }
            spec = spec.withPayload(payload);
        }
        if (checkOnly) {
            err.printf("%s: ok (%d meter group(s), %d fault(s))%n", file, spec.meters().size(), spec.faults().size());
            return 0;
        }
        Path jar;
        try {
            jar = GatewayProcess.findJar(gatewayJar != null ? List.of(gatewayJar)
                    : List.of(Path.of("distribution/target/meterlink.jar"), Path.of("../distribution/target/meterlink.jar")));
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return 3;
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("meterlink-scenario-");
        ScenarioResult result;
        try {
            result = new ScenarioRunner(spec, jar, dir, err).run();
        } catch (ScenarioRunner.ScenarioException e) {
            err.println("scenario " + spec.name() + " could not run: " + e.getMessage());
            return 3;
        }
        out.println(result.toJson());
        out.flush();
        if (result.passed()) {
            err.printf("scenario %s: every invariant holds%n", spec.name());
            return 0;
        }
        List<String> failed = new ArrayList<>(result.failed());
        for (String f : failed) err.println("scenario " + spec.name() + ": invariant failed: " + f);
        err.println("scenario " + spec.name() + ": files kept in " + dir);
        return 1;
    }
}
