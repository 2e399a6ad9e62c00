package io.meterlink.cli;

import io.meterlink.provisioning.tech.TechClient;
import io.meterlink.provisioning.tech.TechEndpointConfig;
import io.meterlink.provisioning.tech.TechnicianPsk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code meterlink tech --gateway HOST[:PORT] --psk-file F status|meters|apply BUNDLE|read METER|enrol}:
 * the technician's client for the gateway's local CoAPs endpoint (open it first with the service
 * button or {@code meterlink provision open}). Prints the JSON answer on stdout. Exit 0 for a 2.xx
 * answer, 2 for a refused request (4.xx) or bad usage, 3 for no answer or a gateway failure (5.xx).
 */
@Command(name = "tech", mixinStandardHelpOptions = true,
        description = {"Talk to a gateway's local technician endpoint (CoAP over DTLS with the label's PSK).",
                "Open it first: press the service button, or run 'meterlink provision open' on the gateway."},
        subcommands = {TechCommand.Status.class, TechCommand.Meters.class, TechCommand.Apply.class,
                TechCommand.Read.class, TechCommand.Enrol.class})
final class TechCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /** Where and how to connect; shared by every subcommand. */
    static final class Target {
        @Option(names = {"-g", "--gateway"}, required = true, paramLabel = "HOST[:PORT]",
                description = "the gateway's address (default port " + TechEndpointConfig.DEFAULT_PORT + ")")
        String gateway;
        @Option(names = "--psk-file", required = true, paramLabel = "FILE",
                description = "file holding the technician secret from the gateway's label (first line)")
        Path pskFile;
        @Option(names = "--identity", defaultValue = TechEndpointConfig.DEFAULT_IDENTITY, paramLabel = "ID",
                description = "PSK identity (default: ${DEFAULT-VALUE})")
        String identity;
        @Option(names = "--timeout", defaultValue = "20s", paramLabel = "DURATION",
                description = "how long to wait for an answer, e.g. 20s (default: ${DEFAULT-VALUE})")
        String timeout;

        InetSocketAddress address() {
            String host = gateway;
            int port = TechEndpointConfig.DEFAULT_PORT;
            if (gateway.startsWith("[")) {
                int close = gateway.indexOf(']');
                if (close < 0) throw new IllegalArgumentException("bad address: " + gateway);
                host = gateway.substring(1, close);
                if (gateway.length() > close + 1) port = port(gateway.substring(close + 1));
            } else if (gateway.indexOf(':') >= 0 && gateway.indexOf(':') == gateway.lastIndexOf(':')) {
                host = gateway.substring(0, gateway.indexOf(':'));
                port = Integer.parseInt(gateway.substring(gateway.indexOf(':') + 1));
            }
            if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range in " + gateway);
            return new InetSocketAddress(host, port);
        }

        private static int port(String colonPort) {
            if (!colonPort.startsWith(":")) throw new IllegalArgumentException("bad address: expected [HOST]:PORT");
            return Integer.parseInt(colonPort.substring(1));
        }

        Duration timeout() {
            String t = timeout.strip().toLowerCase(java.util.Locale.ROOT);
            if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            if (t.endsWith("s")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            if (t.endsWith("m")) return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(t));
        }
    }

    @FunctionalInterface
    interface Request {
        TechClient.Response send(TechClient client) throws IOException;
    }

    /** Runs one request and maps the answer to an exit code. */
    static int run(Target target, CommandSpec spec, Request request) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        quietLibraryLogging();
        InetSocketAddress address;
        Duration timeout;
        TechnicianPsk psk;
        try {
            address = target.address();
            timeout = target.timeout();
            if (address.isUnresolved()) {
                err.println("meterlink: cannot resolve " + address.getHostString());
                return Main.USAGE;
            }
        } catch (IllegalArgumentException e) {
            err.println("meterlink: " + e.getMessage());
            return Main.USAGE;
        }
        try {
            if (!Files.isReadable(target.pskFile)) {
                err.println("meterlink: cannot read the PSK file " + target.pskFile);
                return Main.USAGE;
            }
            psk = TechnicianPsk.fromFile(target.identity, target.pskFile);
        } catch (IOException | IllegalArgumentException e) {
            err.println("meterlink: " + e.getMessage());
            return Main.USAGE;
        }
        try (TechClient client = new TechClient(address, psk, timeout, 16 * 1024 * 1024)) {
            TechClient.Response r = request.send(client);
            out.println(r.body());
            out.flush();
            if (r.success()) return Main.OK;
            err.println("meterlink: the gateway answered " + r.code());
            return r.code().startsWith("4.") ? Main.USAGE : Main.FAILURE;
        } catch (IOException e) {
            err.println("meterlink: " + e.getMessage());
            return Main.FAILURE;
        } finally {
            err.flush();
        }
    }

    /** Californium reports every socket and handshake at INFO: keep the technician's terminal for our answer. */
    private static void quietLibraryLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.log.org.eclipse.californium") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.californium", "warn");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Buffer, uplink, certificate expiry, endpoint figures.")
    static final class Status implements Callable<Integer> {
        @Mixin Target target;
        @Spec CommandSpec spec;

        @Override public Integer call() { return run(target, spec, TechClient::status); }
    }

    @Command(name = "meters", mixinStandardHelpOptions = true, description = "Meters heard: last seen, RSSI, last values.")
    static final class Meters implements Callable<Integer> {
        @Mixin Target target;
        @Spec CommandSpec spec;

        @Override public Integer call() { return run(target, spec, TechClient::meters); }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, description = "Send a configuration bundle; the gateway validates it first and refuses an older version.")
    static final class Apply implements Callable<Integer> {
        @Mixin Target target;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "BUNDLE", description = "the bundle file")
        Path bundle;

        @Override public Integer call() {
            byte[] content;
            try {
                content = Files.readAllBytes(bundle);
            } catch (IOException e) {
                spec.commandLine().getErr().println("meterlink: cannot read " + bundle + ": " + e.getMessage());
                spec.commandLine().getErr().flush();
                return Main.USAGE;
            }
            return run(target, spec, c -> c.apply(content));
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true, description = "Read one meter now, e.g. wmbus:KAM:12345678.")
    static final class Read implements Callable<Integer> {
        @Mixin Target target;
        @Spec CommandSpec spec;
        @Parameters(index = "0", paramLabel = "METER", description = "meter id <family>:<manufacturer>:<id>")
        String meter;

        @Override public Integer call() { return run(target, spec, c -> c.read(meter)); }
    }

    @Command(name = "enrol", mixinStandardHelpOptions = true, description = "Start online enrolment (answers 5.01 until this gateway supports it).")
    static final class Enrol implements Callable<Integer> {
        @Mixin Target target;
        @Spec CommandSpec spec;

        @Override public Integer call() { return run(target, spec, TechClient::enrol); }
    }
}
