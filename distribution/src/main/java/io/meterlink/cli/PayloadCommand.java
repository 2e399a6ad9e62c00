package io.meterlink.cli;

import io.meterlink.payload.CompactV1;
import io.meterlink.payload.PayloadException;
import io.meterlink.payload.Payloads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code meterlink payload}: the readings payload formats for a head-end (docs/payloads.md). */
@Command(name = "payload", mixinStandardHelpOptions = true,
        description = "Readings payloads as the gateway publishes them (docs/payloads.md).",
        subcommands = PayloadCommand.Decode.class)
final class PayloadCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    /** {@code meterlink payload decode}: one message (compact v1 or JSON v1) in, its JSON v1 out. */
    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = {"Reads one readings message (compact v1 or JSON v1, told apart by its first byte) from stdin"
                    + " and writes the same batch as JSON v1, one line, byte for byte what a JSON gateway would have sent.",
                    "With mosquitto_sub use -N (no newline after the payload): mosquitto_sub -N -C 1 -t 'meterlink/v1/+/readings' … | meterlink payload decode.",
                    "A message that cannot be read gives {\"error\":\"<kind>: …\"} on stdout and exit 2."})
    static final class Decode implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--input", paramLabel = "FILE", description = "read FILE instead of stdin")
        Path input;
        @Option(names = "--hex", description = "the message is hex text (spaces and newlines allowed)")
        boolean hex;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            byte[] message;
            long limit = CompactV1.MAX_INFLATED_BYTES;
            try (InputStream in = input != null ? Files.newInputStream(input) : System.in) {
                message = in.readNBytes((int) limit + 1);
            }
            if (message.length > limit) return error(out, "too_large: more than " + limit + " bytes");
            if (hex) {
                String text = new String(message, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
                try {
                    message = HexFormat.of().parseHex(text);
                } catch (IllegalArgumentException e) {
                    return error(out, "not_hex: " + e.getMessage().replace("\"", "'"));
                }
            }
            try {
                out.println(new String(Payloads.toJson(message), StandardCharsets.UTF_8));
                out.flush();
                return Main.OK;
            } catch (PayloadException e) {
                return error(out, e.kind().name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
            }
        }

        /** One refusal as a JSON line on standard output; exit code {@link Main#USAGE}. */
        private static int error(PrintWriter out, String message) {
            out.println("{\"error\":" + io.meterlink.payload.JsonV1.quote(message) + "}");
            out.flush();
            return Main.USAGE;
        }
    }
}
