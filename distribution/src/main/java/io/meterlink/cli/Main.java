package io.meterlink.cli;

import io.meterlink.core.status.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code meterlink}: the field gateway's command line. Exit codes: 0 ok, 2 bad usage or
 * configuration, 3 runtime failure.
 */
@Command(name = "meterlink", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = Main.DESCRIPTION,
        subcommands = {RunCommand.class, ConfigCommand.class, BufferCommand.class, StatusCommand.class, DecodeCommand.class,
                ProvisionCommand.class, TechCommand.class, PayloadCommand.class},
        exitCodeListHeading = Main.EXIT_CODE_HEADING, exitCodeList = {Main.EXIT_OK, Main.EXIT_USAGE, Main.EXIT_FAILURE})
public final class Main implements Callable<Integer> {
    static final String DESCRIPTION = "Meter gateway: reads utility meters, buffers every reading in SQLite, publishes over authenticated MQTT.";
    static final String EXIT_CODE_HEADING = "%nExit codes:%n";
    static final String EXIT_OK = "0:ok";
    static final String EXIT_USAGE = "2:bad usage or configuration";
    static final String EXIT_FAILURE = "3:runtime failure";
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int FAILURE = 3;
    /** {@code run} stopped cleanly because a restart was asked for (remote {@code restart}, an update): systemd starts it again. */
    public static final int RESTART = 75;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        return usage(spec);
    }

    /** A root run without a subcommand: its usage on the error stream, exit {@link #USAGE}. */
    static int usage(CommandSpec spec) {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    public static void main(String[] args) {
        System.setErr(JournalLog.configure(System.getenv(), System.err)); // before the first logger
        StandardServices services = new StandardServices();
        configOfRun(args).ifPresent(services::prefetchConfig); // read while picocli builds its model
        System.exit(forArguments(services, args).execute(args));
    }

    /**
     * The configuration file of {@code run}'s arguments in the forms the service uses ({@code -c FILE},
     * {@code --config FILE}, {@code --config=FILE}); empty for anything else, which picocli then parses
     * (and reports) alone.
     */
    static java.util.Optional<java.nio.file.Path> configOfRun(String... args) {
        if (args.length < 2 || !"run".equals(args[0])) return java.util.Optional.empty();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            try {
                if ((a.equals(ConfigFileOption.SHORT) || a.equals(ConfigFileOption.LONG)) && i + 1 < args.length) {
                    return java.util.Optional.of(java.nio.file.Path.of(args[i + 1]));
                }
                if (a.startsWith(ConfigFileOption.LONG + "=")) {
                    return java.util.Optional.of(java.nio.file.Path.of(a.substring(ConfigFileOption.LONG.length() + 1)));
                }
            } catch (java.nio.file.InvalidPathException e) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.empty();
    }

    /** The command line with its exit-code policy; output goes to the given writers when set. */
    public static CommandLine commandLine(Services services) {
        return withPolicy(new CommandLine(new Main(), new ServicesFactory(services)));
    }

    /**
     * The command line for these arguments: for {@code run} (the service) a root that knows only
     * {@code run}, because picocli reads the annotations of every subcommand it is given before it
     * parses anything, about a fifth of a second of every start on a small CPU (docs/benchmarks.md,
     * "Start-up to the first batch"); usage, help and exit codes are the same as the full root's.
     */
    static CommandLine forArguments(Services services, String... args) {
        if (args.length == 0 || !"run".equals(args[0])) return commandLine(services);
        return withPolicy(new CommandLine(new RunOnly(), new ServicesFactory(services)));
    }

    private static CommandLine withPolicy(CommandLine cl) {
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("meterlink: " + e);
            return FAILURE;
        });
        return cl;
    }

    public static CommandLine commandLine(Services services, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(services);
        cl.setOut(out);
        cl.setErr(err);
        return cl;
    }

    /** The root of {@code meterlink run}: the same name, options and exit codes as {@link Main}, one subcommand. */
    @Command(name = "meterlink", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
            description = Main.DESCRIPTION, subcommands = RunCommand.class,
            exitCodeListHeading = Main.EXIT_CODE_HEADING, exitCodeList = {Main.EXIT_OK, Main.EXIT_USAGE, Main.EXIT_FAILURE})
    static final class RunOnly implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override public Integer call() {
            return usage(spec);
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            return new String[] {"meterlink " + Version.current(),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }

    /** Hands {@link Services} to the commands' constructors. */
    private static final class ServicesFactory implements CommandLine.IFactory {
        private final Services services;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        ServicesFactory(Services services) { this.services = services; }

        @Override public <K> K create(Class<K> cls) throws Exception {
            try {
                return cls.getDeclaredConstructor(Services.class).newInstance(services);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }
}
