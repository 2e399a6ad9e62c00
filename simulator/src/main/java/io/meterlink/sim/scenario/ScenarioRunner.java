package io.meterlink.sim.scenario;

import io.meterlink.sim.bench.GatewayProcess;
import io.meterlink.sim.headend.HeadEnd;
import io.meterlink.sim.pki.TestPki;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * Runs one {@link ScenarioSpec} against the real gateway ({@code meterlink.jar run} as a child JVM):
 * starts the broker, the head-end and the virtual meters, plays the faults on their timeline,
 * stops the meters after {@code duration}, waits for the drain, and accounts for every reading
 * ({@link Accounting}). Progress goes to {@code progress}. The orchestrator of the phases; single-threaded
 * orchestration; one run per instance.
 */
public final class ScenarioRunner {
    static final String GATEWAY_ID = "sim-gw";

    private final ScenarioRig rig;

    /**
     * @param jar the gateway's runnable jar
     * @param dir working directory (PKI, broker, buffer, logs); kept after the run for inspection
     */
    public ScenarioRunner(ScenarioSpec spec, Path jar, Path dir, PrintStream progress) {
        this.rig = new ScenarioRig(spec, jar, dir, progress);
    }

    /** Thrown when a scenario cannot run here (missing tool, unsupported fault, gateway died). */
    public static final class ScenarioException extends Exception {
        public ScenarioException(String message) {
            super(message);
        }
    }

    /**
     * Runs the scenario and returns its result, which names every failed invariant. Its phases, in order:
     * {@link SetupPhase} (meters, configuration, backlog; the broker and head-end are opened here),
     * {@link MeteringPhase} (the gateway runs while the fault timeline plays), {@link FaultsPhase} (the last
     * faults and the head-ends' verdicts), {@link DrainPhase} (meters stop, everything accepted arrives or
     * is accounted for) and {@link AccountPhase} (the figures and the invariants); {@link ScenarioRig}
     * holds what they share.
     */
    public ScenarioResult run() throws Exception {
        ScenarioSpec spec = rig.spec;
        Path dir = rig.dir;
        new SetupPhase(rig).refuseWhatThisBuildCannotDo();
        Files.createDirectories(dir);
        rig.log("working directory %s", dir);
        TestPki pki = TestPki.create(dir.resolve("pki"));
        try (ScenarioBroker broker = spec.broker() == ScenarioSpec.BrokerKind.MOSQUITTO
                ? ScenarioBroker.mosquitto(dir.resolve("broker"), pki)
                : ScenarioBroker.embedded(dir.resolve("broker"), pki, GATEWAY_ID);
             UplinkPath path = spec.faults().stream().anyMatch(Fault::needsProxy)
                     ? new UplinkPath.Proxied(broker.url()) : new UplinkPath.Direct(broker.url());
             HeadEnd headEnd = broker.headEnd(rig.clock);
             StatusWatcher status = new StatusWatcher(broker.url(), broker.headEndUser(), broker.headEndPassword(),
                     broker.headEndTls(), ScenarioBroker.PREFIX, GATEWAY_ID)) {
            rig.log("%s broker on %s", spec.broker().name().toLowerCase(Locale.ROOT), broker.url());
            try {
                SetupPhase.Result setup = new SetupPhase(rig).run(broker, path, pki);
                Instant t0 = rig.clock.instant();
                MeteringPhase.Timeline timeline = new MeteringPhase(rig).run(setup, broker, path, headEnd, status, t0);
                FaultsPhase.AttackOutcome attacked = new FaultsPhase(rig).run(timeline, path);
                long evictions = new DrainPhase(rig).run(setup.db(), headEnd, status, t0);
                return new AccountPhase(rig).run(t0, headEnd, status, evictions, attacked);
            } finally {
                for (GatewayProcess g : rig.runs) g.close();
                rig.closeLines();
                if (rig.stateFs != null) rig.stateFs.close();
            }
        }
    }
}
