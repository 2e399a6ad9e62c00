package io.meterlink.cli;

import io.meterlink.provisioning.tech.LocalOpenSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code meterlink provision open [--state-dir DIR]}: asks the running gateway, as root on the
 * gateway itself, to open the technician endpoint (the same as pressing the service button). It
 * writes the root-owned 0600 trigger file {@code DIR/tech-open} and waits for the gateway to take it.
 */
@Command(name = "open", mixinStandardHelpOptions = true,
        description = {"Open the local technician endpoint for 15 minutes (run as root on the gateway).",
                "Same as pressing the service button."})
final class ProvisionOpenCommand implements Callable<Integer> {
    @Mixin ProvisionCommand.StateDirOption state;
    @Spec CommandSpec spec;
    @Option(names = "--wait", defaultValue = "10", paramLabel = "SECONDS",
            description = "how long to wait for the running gateway to take the request (default: ${DEFAULT-VALUE})")
    int waitSeconds;
    /** Owner the trigger must have; 0 (root). Tests only. */
    @Option(names = "--required-uid", hidden = true, defaultValue = "0")
    int requiredUid;

    @Override public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LocalOpenSignal signal = new LocalOpenSignal(state.get().root(), requiredUid, Clock.systemUTC());
        try {
            signal.request();
        } catch (LocalOpenSignal.NotPermittedException e) {
            err.println("meterlink: " + e.getMessage());
            err.flush();
            return Main.USAGE;
        } catch (IOException e) {
            err.println("meterlink: " + e.getMessage());
            err.flush();
            return Main.FAILURE;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (signal.pending() && System.nanoTime() < deadline) Thread.sleep(100);
        if (signal.pending()) {
            try {
                signal.withdraw();
            } catch (IOException e) {
                // the gateway ignores a trigger older than two minutes anyway
            }
            err.println("meterlink: the gateway did not take the request within " + waitSeconds + " s: is 'meterlink run' running with this state directory?");
            err.flush();
            return Main.FAILURE;
        }
        out.println("Technician endpoint requested: it opens for at most 15 minutes (check 'meterlink tech … status').");
        out.flush();
        return Main.OK;
    }
}
