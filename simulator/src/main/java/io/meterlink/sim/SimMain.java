package io.meterlink.sim;

import io.meterlink.sim.demo.Demo;
import io.meterlink.sim.electricity.ElectricityCommand;
import io.meterlink.sim.mbus.MetersCommand;
import io.meterlink.sim.rtl.PacketErrorRateCommand;
import io.meterlink.sim.rtl.RtlTcpCommand;
import io.meterlink.sim.scenario.ScenarioCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code meterlink-sim}: the simulator's command line. */
@Command(name = "meterlink-sim", mixinStandardHelpOptions = true, versionProvider = SimMain.VersionProvider.class,
        description = "Meterlink simulator: virtual meters, a virtual utility, and the demo.",
        subcommands = {SimMain.DemoCommand.class, MetersCommand.class, ScenarioCommand.class, RtlTcpCommand.class, PacketErrorRateCommand.class,
                ElectricityCommand.class})
public final class SimMain implements Runnable {

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SimMain());
        cl.setExitCodeExceptionMapper(e -> 3);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println(ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return 2;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Virtual meters, the real gateway, an embedded TLS broker and a head-end that checks every reading arrived. "
                    + "Ends with one JSON line on stdout; exit 0 only when nothing was lost.")
    static final class DemoCommand implements Callable<Integer> {
        @Option(names = "--meters", defaultValue = "10", description = "number of virtual meters (default ${DEFAULT-VALUE})")
        int meters;

        @Option(names = "--duration", defaultValue = "20", description = "seconds of metering before the final drain (default ${DEFAULT-VALUE})")
        int durationSeconds;

        @Option(names = "--poll-interval", defaultValue = "2000", description = "ms between two readouts of one meter (default ${DEFAULT-VALUE})")
        long pollMs;

        @Override
        public Integer call() throws Exception {
            if (meters < 1 || meters > 10_000 || durationSeconds < 1 || pollMs < 1000) {
                System.err.println("--meters must be 1..10000, --duration >= 1, --poll-interval >= 1000");
                return 2;
            }
            Demo.Result r = new Demo(meters, Duration.ofSeconds(durationSeconds), Duration.ofMillis(pollMs), System.err).run();
            System.out.println(r.toJson());
            return r.lost() == 0 ? 0 : 1;
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SimMain.class.getPackage().getImplementationVersion();
            return new String[] {"meterlink-sim " + (v == null ? "dev" : v)};
        }
    }
}
